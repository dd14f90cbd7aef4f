-- Capture G: HL-DT-ST DVDRAM GSA-4163B A101 with a blank CD-R (wodim -prcap, page 2Ah only):
-- max/current read 7056, max/current write 7056, rotation CLV/PCAV, buffer 2048 KB,
-- six write speeds 7056/5645/4234/2822/1411/706 CLV.
-- The capture has no GET PERFORMANCE output. Choice: GET PERFORMANCE is answered, with
-- write-speed descriptors built from the page 2Ah speeds (CLV, read speed 7056). Derived
-- (not in the capture): profile 09h CD-R (the poster says a blank CD-R was loaded),
-- capacity 359849 (an 80-minute blank CD-R), every End LBA 359848, and the read/write
-- performance curves (flat 7056).
-- The capture has no ATIP (wodim -prcap only): the model carries none, so READ TOC/PMA/ATIP
-- format 0100b answers INVALID FIELD IN CDB.
-- Derived (not in the capture): supported_profiles, what a drive of its kind lists (the
-- capture shows only the mounted medium); the emulator derives its features from them.
local speeds = { 7056, 5645, 4234, 2822, 1411, 706 }
local write_speeds, page = {}, {}
for i, w in ipairs(speeds) do
  write_speeds[i] = { mixed_read_write = false, exact = false, write_rotation_control = 0,
                      end_lba = 359848, read_speed = 7056, write_speed = w }
  page[i] = { speed = w, rotation_control = 0 }
end
return {
  name = "lg_gsa4163b_cdr",
  source = "Capture G: HL-DT-ST DVDRAM GSA-4163B A101, blank CD-R, page 2A (from spec/data/captures.md)",
  inquiry = { peripheral_type = 5, vendor = "HL-DT-ST", product = "DVDRAM GSA-4163B", revision = "A101" },
  profile = 0x09,
  capacity = 359849,
  supported_profiles = { 0x2B, 0x1B, 0x1A, 0x14, 0x13, 0x12, 0x11, 0x10, 0x0A, 0x09, 0x08 },
  write_speeds = write_speeds,
  performance = {
    read = { { start_lba = 0, start_performance = 7056, end_lba = 359848, end_performance = 7056 } },
    write = { { start_lba = 0, start_performance = 7056, end_lba = 359848, end_performance = 7056 } },
  },
  exceptions = { read = {}, write = {} },
  capabilities = {
    max_read_speed = 7056, current_read_speed = 7056,
    max_write_speed = 7056, current_write_speed = 7056, current_write_speed_selected = 7056,
    buffer_size_kb = 2048, rotation_control = 0,
    write_speeds = page,
  },
  unsupported = {},
  quirks = { streaming_end_lba_strict = true },   -- LG
}
