-- The drive of Capture I (HL-DT-ST BD-RE WH16NS40 1.00) with no medium: profile 0, so
-- TEST UNIT READY, GET PERFORMANCE and SET STREAMING answer NOT READY 3Ah/00h.
-- Derived (not in the capture): that the drive keeps answering page 2Ah with no disc, with
-- the speeds it showed for the BD-R of Capture I (53952..17984, current 53952, read 26976,
-- buffer 4096 KB): lg_wh16ns40_bdr (the blank BD-R) with its medium taken out.
local deepcopy = require "cdperf.deepcopy"

local m = deepcopy(require "cdperf.models.lg_wh16ns40_bdr")
m.name = "lg_wh16ns40_empty"
m.source = "Capture I: HL-DT-ST BD-RE WH16NS40 1.00, tray empty (derived from spec/data/captures.md)"
m.profile = 0
m.capacity = 0
m.write_speeds = {}
m.performance = { read = {}, write = {} }
m.media_id = nil     -- no disc; the drive still lists its profiles and features
m.disc = nil
return m
