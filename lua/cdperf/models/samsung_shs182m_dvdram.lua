-- Capture D: TSSTcorp CD/DVDW SH-S182M SB00, DVD-RAM. Three write-speed descriptors of
-- which #1 and #2 are identical (W 2770), kept as data (not the duplicate_descriptors
-- quirk); page 2Ah lists only 4155 and 2770, current 4155; End LBA 2236703.
-- Derived: capacity 2236704 (End LBA + 1), the read curve (flat 4155, the descriptors'
-- read speed), max/current read speed 4155, buffer 2048 KB.
-- No Media ID (dvd+rw-mediainfo prints none for DVD-RAM). DVD-RAM is defect-managed:
-- Hardware Defect Management (0024h) is current, the drive verifies what it writes.
-- Derived (not in the capture): supported_profiles, what a drive of its kind lists (the
-- capture shows only the mounted medium); the emulator derives its features from them.
local function d(w)
  return { mixed_read_write = false, exact = false, write_rotation_control = 0, end_lba = 2236703,
           read_speed = 4155, write_speed = w }
end
return {
  name = "samsung_shs182m_dvdram",
  source = "Capture D: TSSTcorp CD/DVDW SH-S182M SB00, DVD-RAM, duplicate descriptors"
    .. " (from spec/data/captures.md)",
  inquiry = { peripheral_type = 5, vendor = "TSSTcorp", product = "CD/DVDW SH-S182M", revision = "SB00" },
  profile = 0x12,
  capacity = 2236704,
  supported_profiles = { 0x2B, 0x1B, 0x1A, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11, 0x10, 0x0A, 0x09, 0x08 },
  write_speeds = { d(4155), d(2770), d(2770) },
  performance = {
    read = { { start_lba = 0, start_performance = 4155, end_lba = 2236703, end_performance = 4155 } },
    write = { { start_lba = 0, start_performance = 4155, end_lba = 2236703, end_performance = 4155 } },
  },
  exceptions = { read = {}, write = {} },
  capabilities = {
    max_read_speed = 4155, current_read_speed = 4155,
    max_write_speed = 4155, current_write_speed = 4155, current_write_speed_selected = 4155,
    buffer_size_kb = 2048, rotation_control = 0,
    write_speeds = { { speed = 4155, rotation_control = 0 }, { speed = 2770, rotation_control = 0 } },
  },
  unsupported = {},
  quirks = {},
}
