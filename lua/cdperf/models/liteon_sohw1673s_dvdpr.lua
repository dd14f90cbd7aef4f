-- Capture B: LITE-ON DVDRW SOHW-1673S JS02 (behind a JMicron USB-IDE bridge), blank DVD+R.
-- Four write-speed descriptors, all with End LBA 0 (the Lite-On quirk, kept as data);
-- R 4432; W 22160/16620/11080/8310. The current write performance 8864@[0 -> 0] is not in
-- the list. Page 2Ah per the mediainfo "Write Speed #n" lines (16x..6x DVD), current 22160.
-- (The HAL line in the same post listed CD speeds; the model follows mediainfo.)
-- Derived: capacity 2295104 (the legacy lead-out), the read curve (flat 4432 over the
-- disc), max/current read speed 4432, buffer size 2048 KB.
-- Media ID CMC MAG/M01 (ADIP: manufacturer "CMC MAG", type M01), from the capture's
-- "Media ID:" line; its revision is not in the capture (0 here).
-- Derived (not in the capture): supported_profiles, what a drive of its kind lists (the
-- capture shows only the mounted medium); the emulator derives its features from them.
return {
  name = "liteon_sohw1673s_dvdpr",
  source = "Capture B: LITE-ON DVDRW SOHW-1673S JS02, blank DVD+R, End LBA 0 (from spec/data/captures.md)",
  inquiry = { peripheral_type = 5, vendor = "LITE-ON", product = "DVDRW SOHW-1673S", revision = "JS02" },
  profile = 0x1B,
  capacity = 2295104,
  disc = { status = "blank" },                     -- the capture: Disc status blank
  supported_profiles = { 0x2B, 0x1B, 0x1A, 0x14, 0x13, 0x11, 0x10, 0x0A, 0x09, 0x08 },
  media_id = { manufacturer = "CMC MAG", media_type = "M01", revision = 0, source = "ADIP" },
  write_speeds = {
    { mixed_read_write = false, exact = false, write_rotation_control = 0, end_lba = 0,
      read_speed = 4432, write_speed = 22160 },
    { mixed_read_write = false, exact = false, write_rotation_control = 0, end_lba = 0,
      read_speed = 4432, write_speed = 16620 },
    { mixed_read_write = false, exact = false, write_rotation_control = 0, end_lba = 0,
      read_speed = 4432, write_speed = 11080 },
    { mixed_read_write = false, exact = false, write_rotation_control = 0, end_lba = 0,
      read_speed = 4432, write_speed = 8310 },
  },
  performance = {
    read = { { start_lba = 0, start_performance = 4432, end_lba = 2295103, end_performance = 4432 } },
    write = { { start_lba = 0, start_performance = 8864, end_lba = 0, end_performance = 8864 } },
  },
  exceptions = { read = {}, write = {} },
  capabilities = {
    max_read_speed = 4432, current_read_speed = 4432,
    max_write_speed = 22160, current_write_speed = 22160, current_write_speed_selected = 22160,
    buffer_size_kb = 2048, rotation_control = 0,
    write_speeds = {
      { speed = 22160, rotation_control = 0 }, { speed = 16620, rotation_control = 0 },
      { speed = 11080, rotation_control = 0 }, { speed = 8310, rotation_control = 0 },
    },
  },
  unsupported = {},
  quirks = {},
}
