-- Capture I: HL-DT-ST BD-RE WH16NS40 1.00, BD-R SRM (41h), written (appendable,
-- formatted with spares: End LBA 12088319).
-- The drive and disc of lg_wh16ns40_bdr (the blank one of Capture I), all but the End LBA:
-- five write-speed descriptors, R 26976, W 53952/44960/35968/26976 with 08h (WRC 01b, CAV)
-- and 17984 with 00h (CLV), End LBA 12088319. Page 2Ah: the five "Write Speed #n" speeds
-- (CLV, as the capture does not say otherwise), current 53952. LG uses 4496 per BD 1x.
-- Derived (not in the capture): capacity 12088320 (End LBA + 1); the write performance curve,
-- a CAV ramp 22336@0 -> 53952@12088319 (the ratio 24/58 of the BD data zone's inner and outer
-- radii); the read curve (flat 26976, the descriptors' read speed); max/current read speed
-- 26976; buffer 4096 KB.
-- Media ID VERBAT/IMe as on the blank disc. "BD-R SRM+POW" in the capture: Pseudo-Overwrite
-- (0038h) is current; the disc is formatted with spare areas (its "BD SPARE AREA
-- INFORMATION"), so Hardware Defect Management (0024h) is current: the drive verifies
-- what it writes.
local deepcopy = require "cdperf.deepcopy"

local END_LBA = 12088319

local m = deepcopy(require "cdperf.models.lg_wh16ns40_bdr")
m.name = "lg_wh16ns40_bdr_written"
m.source = "Capture I: HL-DT-ST BD-RE WH16NS40 1.00, BD-R SRM written (from spec/data/captures.md)"
m.capacity = END_LBA + 1
m.disc = { status = "appendable" }   -- the capture: Disc status appendable
for _, d in ipairs(m.write_speeds) do d.end_lba = END_LBA end
m.performance.read[1].end_lba = END_LBA
m.performance.write[1].end_lba = END_LBA
m.features = { [0x0024] = { current = true }, [0x0038] = { current = true } }
return m
