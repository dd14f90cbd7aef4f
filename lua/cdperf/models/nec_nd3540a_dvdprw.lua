-- Capture C: _NEC DVD_RW ND-3540A 1.04, complete DVD+RW. Page 2Ah lists CD speeds
-- (8467..1411 = 48x..8x CD) while the DVD is loaded, current 1411; GET PERFORMANCE gives
-- the real media speeds, W 5540 and 3324 with R 6925, End LBA 2295104 (= the capacity).
-- The CD speeds are data here (capabilities.write_speeds), not the page_2a_cd_speeds quirk.
-- Derived: the read curve (flat 6925), max/current read speed 6925, buffer 2048 KB.
-- Media ID RICOHJPN/W11 (ADIP), from the capture's "Media ID:" line; its revision is not
-- in the capture (0 here).
-- Derived (not in the capture): supported_profiles, what a drive of its kind lists (the
-- capture shows only the mounted medium); the emulator derives its features from them.
return {
  name = "nec_nd3540a_dvdprw",
  source = "Capture C: _NEC DVD_RW ND-3540A 1.04, DVD+RW, page 2A lists CD speeds (from spec/data/captures.md)",
  inquiry = { peripheral_type = 5, vendor = "_NEC", product = "DVD_RW ND-3540A", revision = "1.04" },
  profile = 0x1A,
  capacity = 2295104,
  disc = { status = "complete" },                  -- the capture: Disc status complete
  supported_profiles = { 0x2B, 0x1B, 0x1A, 0x14, 0x13, 0x11, 0x10, 0x0A, 0x09, 0x08 },
  media_id = { manufacturer = "RICOHJPN", media_type = "W11", revision = 0, source = "ADIP", book = "DVD+RW" },
  write_speeds = {
    { mixed_read_write = false, exact = false, write_rotation_control = 0, end_lba = 2295104,
      read_speed = 6925, write_speed = 5540 },
    { mixed_read_write = false, exact = false, write_rotation_control = 0, end_lba = 2295104,
      read_speed = 6925, write_speed = 3324 },
  },
  performance = {
    read = { { start_lba = 0, start_performance = 6925, end_lba = 2295104, end_performance = 6925 } },
    write = { { start_lba = 0, start_performance = 3324, end_lba = 2295104, end_performance = 3324 } },
  },
  exceptions = { read = {}, write = {} },
  capabilities = {
    max_read_speed = 6925, current_read_speed = 6925,
    max_write_speed = 8467, current_write_speed = 1411, current_write_speed_selected = 1411,
    buffer_size_kb = 2048, rotation_control = 0,
    write_speeds = {
      { speed = 8467, rotation_control = 0 }, { speed = 7056, rotation_control = 0 },
      { speed = 5645, rotation_control = 0 }, { speed = 4234, rotation_control = 0 },
      { speed = 2822, rotation_control = 0 }, { speed = 1411, rotation_control = 0 },
    },
  },
  unsupported = {},
  quirks = {},
}
