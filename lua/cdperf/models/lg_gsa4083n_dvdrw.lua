-- Capture A: HL-DT-ST DVDRAM GSA-4083N 1.00 with a complete DVD-RW Sequential disc
-- (dvd+rw-mediainfo). One exact (02h) write-speed descriptor: R 4584 (not a DVD multiple),
-- W 2770 (2x), End LBA 2254431 = formatted capacity 2254432 - 1.
-- Derived (not in the capture): the read performance curve (flat at the descriptor's read
-- speed 4584), max/current read speed in page 2Ah (4584), buffer size (2048 KB).
-- Media ID TDK502sakuM3 (pre-pit data: manufacturer halves TDK502 and sakuM3), from the
-- capture's "Media ID:" line.
-- Derived (not in the capture): supported_profiles, what a drive of its kind lists (the
-- capture shows only the mounted medium); the emulator derives its features from them.
return {
  name = "lg_gsa4083n_dvdrw",
  source = "Capture A: HL-DT-ST DVDRAM GSA-4083N 1.00, DVD-RW Sequential (from spec/data/captures.md)",
  inquiry = { peripheral_type = 5, vendor = "HL-DT-ST", product = "DVDRAM GSA-4083N", revision = "1.00" },
  profile = 0x14,
  capacity = 2254432,
  disc = { status = "complete", sessions = 2 },   -- the capture: Disc status complete, 2 sessions
  supported_profiles = { 0x1B, 0x1A, 0x14, 0x13, 0x12, 0x11, 0x10, 0x0A, 0x09, 0x08 },
  media_id = { manufacturer = "TDK502", media_type = "sakuM3", source = "pre-pit" },
  write_speeds = {
    { mixed_read_write = false, exact = true, write_rotation_control = 0, end_lba = 2254431,
      read_speed = 4584, write_speed = 2770 },
  },
  performance = {
    read = { { start_lba = 0, start_performance = 4584, end_lba = 2254431, end_performance = 4584 } },
    write = { { start_lba = 0, start_performance = 2770, end_lba = 2254431, end_performance = 2770 } },
  },
  exceptions = { read = {}, write = {} },
  capabilities = {
    max_read_speed = 4584, current_read_speed = 4584,
    max_write_speed = 2770, current_write_speed = 2770, current_write_speed_selected = 2770,
    buffer_size_kb = 2048, rotation_control = 0,
    write_speeds = { { speed = 2770, rotation_control = 0 } },
  },
  unsupported = {},
  quirks = { streaming_end_lba_strict = true },   -- LG
}
