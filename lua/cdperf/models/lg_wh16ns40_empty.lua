-- The drive of Capture I (HL-DT-ST BD-RE WH16NS40 1.00) with no medium: profile 0, so
-- TEST UNIT READY, GET PERFORMANCE and SET STREAMING answer NOT READY 3Ah/00h.
-- Derived (not in the capture): that the drive keeps answering page 2Ah with no disc, with
-- the speeds it showed for the BD-R of Capture I (53952..17984, current 53952, read 26976,
-- buffer 4096 KB).
return {
  name = "lg_wh16ns40_empty",
  source = "Capture I: HL-DT-ST BD-RE WH16NS40 1.00, tray empty (derived from ../shared/data/captures.md)",
  inquiry = { peripheral_type = 5, vendor = "HL-DT-ST", product = "BD-RE  WH16NS40", revision = "1.00" },
  profile = 0,
  capacity = 0,
  write_speeds = {},
  performance = { read = {}, write = {} },
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
  quirks = { streaming_end_lba_strict = true },
}
