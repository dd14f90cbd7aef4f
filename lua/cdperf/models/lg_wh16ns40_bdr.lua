-- Capture I: HL-DT-ST BD-RE WH16NS40 1.00, BD-R SRM (41h), blank.
-- Five write-speed descriptors, R 26976, W 53952/44960/35968/26976 with 08h (WRC 01b, CAV)
-- and 17984 with 00h (CLV), End LBA 12219391. Page 2Ah: the five "Write Speed #n" speeds
-- (CLV, as the capture does not say otherwise), current 53952. LG uses 4496 per BD 1x.
-- Derived (not in the capture): capacity 12219392 (End LBA + 1); the write performance curve,
-- a CAV ramp 22336@0 -> 53952@12219391 (the ratio 24/58 of the BD data zone's inner and outer
-- radii); the read curve (flat 26976, the descriptors' read speed); max/current read speed
-- 26976; buffer 4096 KB.
-- Media ID VERBAT/IMe (BD Disc Information), from the capture's "Media ID:" line; its
-- revision is not in the capture (0 here). "BD-R SRM" (not SRM+POW): Pseudo-Overwrite
-- (0038h) is not current on the blank disc, nor Hardware Defect Management (0024h).
-- Derived (not in the capture): supported_profiles, what a drive of its kind lists (the
-- capture shows only the mounted medium); the emulator derives its features from them.
local function d(wrc, w)
  return { mixed_read_write = false, exact = false, write_rotation_control = wrc, end_lba = 12219391,
           read_speed = 26976, write_speed = w }
end
return {
  name = "lg_wh16ns40_bdr",
  source = "Capture I: HL-DT-ST BD-RE WH16NS40 1.00, BD-R SRM blank (from spec/data/captures.md)",
  inquiry = { peripheral_type = 5, vendor = "HL-DT-ST", product = "BD-RE  WH16NS40", revision = "1.00" },
  profile = 0x41,
  capacity = 12219392,
  disc = { status = "blank" },                     -- the capture: Disc status blank
  supported_profiles = { 0x43, 0x42, 0x41, 0x40, 0x2B, 0x1B, 0x1A, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11, 0x10,
    0x0A, 0x09, 0x08 },
  media_id = { manufacturer = "VERBAT", media_type = "IMe", revision = 0, source = "DI", disc_type_id = "BDR" },
  write_speeds = { d(1, 53952), d(1, 44960), d(1, 35968), d(1, 26976), d(0, 17984) },
  performance = {
    read = { { start_lba = 0, start_performance = 26976, end_lba = 12219391, end_performance = 26976 } },
    write = { { start_lba = 0, start_performance = 22336, end_lba = 12219391, end_performance = 53952 } },
  },
  exceptions = { read = {}, write = {} },
  capabilities = {
    max_read_speed = 26976, current_read_speed = 26976,
    max_write_speed = 53952, current_write_speed = 53952, current_write_speed_selected = 53952,
    buffer_size_kb = 4096, rotation_control = 0,
    write_speeds = {
      { speed = 53952, rotation_control = 0 }, { speed = 44960, rotation_control = 0 },
      { speed = 35968, rotation_control = 0 }, { speed = 26976, rotation_control = 0 },
      { speed = 17984, rotation_control = 0 },
    },
  },
  unsupported = {},
  quirks = { streaming_end_lba_strict = true },   -- LG: SET STREAMING End LBA beyond the medium fails
}
