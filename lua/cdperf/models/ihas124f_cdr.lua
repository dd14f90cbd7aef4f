-- Capture H: ATAPI iHAS124 F CL9P, page 2Ah decoded by Aaru: max/current read 8468,
-- current write 8468 CLV; write speeds 8467 pure CAV (rotation control 01b), then
-- 7056/5645/4234/2822 CLV. The current speed (8468) is one above the listed top (8467).
-- The capture has no GET PERFORMANCE output. Choice: GET PERFORMANCE is answered, with
-- write-speed descriptors built from the page 2Ah speeds (8467 with WRC 01b = CAV, the rest
-- CLV, read speed 8468). Derived (not in the capture): profile 09h CD-R (the speeds are CD
-- speeds), capacity 359849 (an 80-minute blank CD-R), every End LBA 359848, max write
-- speed 8467 (the top entry), the performance curves (write 8467, read 8468, flat),
-- buffer 2048 KB.
-- The capture has no ATIP (an Aaru page 2Ah report): the model carries none.
-- Derived (not in the capture): supported_profiles, what a drive of its kind lists (the
-- capture shows only the mounted medium); the emulator derives its features from them.
local list = { { 8467, 1 }, { 7056, 0 }, { 5645, 0 }, { 4234, 0 }, { 2822, 0 } }
local write_speeds, page = {}, {}
for i, e in ipairs(list) do
  write_speeds[i] = { mixed_read_write = false, exact = false, write_rotation_control = e[2],
                      end_lba = 359848, read_speed = 8468, write_speed = e[1] }
  page[i] = { speed = e[1], rotation_control = e[2] }
end
return {
  name = "ihas124f_cdr",
  source = "Capture H: ATAPI iHAS124 F CL9P, page 2A with one pure-CAV entry (from spec/data/captures.md)",
  inquiry = { peripheral_type = 5, vendor = "ATAPI", product = "iHAS124 F", revision = "CL9P" },
  profile = 0x09,
  capacity = 359849,
  supported_profiles = { 0x2B, 0x1B, 0x1A, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11, 0x10, 0x0A, 0x09, 0x08 },
  write_speeds = write_speeds,
  performance = {
    read = { { start_lba = 0, start_performance = 8468, end_lba = 359848, end_performance = 8468 } },
    write = { { start_lba = 0, start_performance = 8467, end_lba = 359848, end_performance = 8467 } },
  },
  exceptions = { read = {}, write = {} },
  capabilities = {
    max_read_speed = 8468, current_read_speed = 8468,
    max_write_speed = 8467, current_write_speed = 8468, current_write_speed_selected = 8468,
    buffer_size_kb = 2048, rotation_control = 0,
    write_speeds = page,
  },
  unsupported = {},
  quirks = {},
}
