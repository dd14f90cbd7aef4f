-- Capture F: TSSTcorp CDDVDW SH-224DB SB00, appendable DVD+R. Write performance is a CAV
-- ramp 6924@0 -> 16620@2295103 (starting one below 5 x 1385), while the five write-speed
-- descriptors (R 8310, W 16620/13850/11080/8310/5540, End LBA 2295103) are all CLV (00).
-- Page 2Ah: the five speeds, current 16620.
-- Derived: capacity 2295104 (End LBA + 1), the read curve (flat 8310, the descriptors'
-- read speed), max/current read speed 8310, buffer 2048 KB.
-- Media ID RITEK/F16 (ADIP), from the capture's "Media ID:" line; its revision is not in
-- the capture (0 here).
-- Derived (not in the capture): supported_profiles, what a drive of its kind lists (the
-- capture shows only the mounted medium); the emulator derives its features from them.
local function d(w)
  return { mixed_read_write = false, exact = false, write_rotation_control = 0, end_lba = 2295103,
           read_speed = 8310, write_speed = w }
end
return {
  name = "samsung_sh224db_dvdpr",
  source = "Capture F: TSSTcorp CDDVDW SH-224DB SB00, appendable DVD+R, CAV ramp (from spec/data/captures.md)",
  inquiry = { peripheral_type = 5, vendor = "TSSTcorp", product = "CDDVDW SH-224DB", revision = "SB00" },
  profile = 0x1B,
  capacity = 2295104,
  disc = { status = "appendable", sessions = 2 }, -- the capture: Disc status appendable, 2 sessions
  supported_profiles = { 0x2B, 0x1B, 0x1A, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11, 0x10, 0x0A, 0x09, 0x08 },
  media_id = { manufacturer = "RITEK", media_type = "F16", revision = 0, source = "ADIP" },
  write_speeds = { d(16620), d(13850), d(11080), d(8310), d(5540) },
  performance = {
    read = { { start_lba = 0, start_performance = 8310, end_lba = 2295103, end_performance = 8310 } },
    write = { { start_lba = 0, start_performance = 6924, end_lba = 2295103, end_performance = 16620 } },
  },
  exceptions = { read = {}, write = {} },
  capabilities = {
    max_read_speed = 8310, current_read_speed = 8310,
    max_write_speed = 16620, current_write_speed = 16620, current_write_speed_selected = 16620,
    buffer_size_kb = 2048, rotation_control = 0,
    write_speeds = {
      { speed = 16620, rotation_control = 0 }, { speed = 13850, rotation_control = 0 },
      { speed = 11080, rotation_control = 0 }, { speed = 8310, rotation_control = 0 },
      { speed = 5540, rotation_control = 0 },
    },
  },
  unsupported = {},
  quirks = {},
}
