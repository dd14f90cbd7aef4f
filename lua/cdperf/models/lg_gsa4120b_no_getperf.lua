-- An old drive without GET PERFORMANCE (ACh is an invalid opcode: ILLEGAL REQUEST 20h/00h),
-- so only mode page 2Ah tells its speeds. Made from the second list of Capture G: an
-- HL-DT-ST DVDRAM GSA-4120B A111 (mailing-list post, "Speed set to 7056 KB/s"), six write
-- speeds 7056/5645/4234/2822/1411/706 CLV, current 7056.
-- Derived (not in the capture): that this drive lacks GET PERFORMANCE (a modelling choice
-- to stand for such drives), profile 09h CD-R (cdrecord was writing a CD), capacity 359849
-- (an 80-minute CD-R), max/current read speed 7056, buffer 2048 KB, no performance data.
-- The capture has no ATIP: the model carries none. Without GET PERFORMANCE the drive has no
-- Real Time Streaming feature (0107h promises GET PERFORMANCE).
-- Derived (not in the capture): supported_profiles, what a drive of its kind lists (the
-- capture shows only the mounted medium); the emulator derives its features from them.
return {
  name = "lg_gsa4120b_no_getperf",
  source = "Capture G: HL-DT-ST DVDRAM GSA-4120B A111 list, page 2A only (from spec/data/captures.md)",
  inquiry = { peripheral_type = 5, vendor = "HL-DT-ST", product = "DVDRAM GSA-4120B", revision = "A111" },
  profile = 0x09,
  capacity = 359849,
  supported_profiles = { 0x1B, 0x1A, 0x14, 0x13, 0x12, 0x11, 0x10, 0x0A, 0x09, 0x08 },
  write_speeds = {},
  performance = { read = {}, write = {} },
  exceptions = { read = {}, write = {} },
  capabilities = {
    max_read_speed = 7056, current_read_speed = 7056,
    max_write_speed = 7056, current_write_speed = 7056, current_write_speed_selected = 7056,
    buffer_size_kb = 2048, rotation_control = 0,
    write_speeds = {
      { speed = 7056, rotation_control = 0 }, { speed = 5645, rotation_control = 0 },
      { speed = 4234, rotation_control = 0 }, { speed = 2822, rotation_control = 0 },
      { speed = 1411, rotation_control = 0 }, { speed = 706, rotation_control = 0 },
    },
  },
  unsupported = { [0xAC] = true },
  quirks = { streaming_end_lba_strict = true },
}
