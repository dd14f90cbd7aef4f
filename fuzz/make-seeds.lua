--- fuzz/make-seeds.lua OUTDIR: writes the seed corpus of every harness as real
-- response bytes built from the captures in /work/shared/data/captures.md
-- (run by `make fuzz-seeds`; nothing binary is committed).
--   OUTDIR/perf/     byte 0 = request (0 write speed, 1-6 perf read/write x
--                    nominal/entire/exceptions only) + GET PERFORMANCE response
--   OUTDIR/page2a/   MODE SENSE(10) header + page 2Ah
--   OUTDIR/profile/  GET CONFIGURATION feature header (+ profile list)
--   OUTDIR/inquiry/  INQUIRY standard data
--   OUTDIR/sense/    byte 0 = format selector (0: as sent) + sense data
--   OUTDIR/lua/      driver.lua input: op bytes and device answers
local out = assert(arg[1], "usage: make-seeds.lua OUTDIR")
local pack = string.pack

local function mkdir(d) assert(os.execute("mkdir -p '" .. d .. "'")) end
local function write(dir, name, bytes)
  mkdir(out .. "/" .. dir)
  local f = assert(io.open(out .. "/" .. dir .. "/" .. name, "wb"))
  f:write(bytes)
  f:close()
end

-- ---- GET PERFORMANCE ----------------------------------------------------------------------
local function perf(descs, flags, data_length)
  local body = table.concat(descs)
  return pack(">I4BBBB", data_length or 4 + #body, flags or 0, 0, 0, 0) .. body
end
local function ws(flags, end_lba, r, w) return pack(">BBBBI4I4I4", flags, 0, 0, 0, end_lba, r, w) end
local function nominal(a, b, c, d) return pack(">I4I4I4I4", a, b, c, d) end
local function exception(lba, time) return pack(">I4I2", lba, time) end

local write_speed_captures = {
  -- I: LG WH16NS40 BD-R, blank and written (CAV 08h above 4x)
  I_blank = { { 8, 12219391, 26976, 53952 }, { 8, 12219391, 26976, 44960 }, { 8, 12219391, 26976, 35968 },
              { 8, 12219391, 26976, 26976 }, { 0, 12219391, 26976, 17984 } },
  I_written = { { 8, 12088319, 26976, 53952 }, { 8, 12088319, 26976, 44960 }, { 8, 12088319, 26976, 35968 },
                { 8, 12088319, 26976, 26976 }, { 0, 12088319, 26976, 17984 } },
  A = { { 2, 2254431, 4584, 2770 } },
  B = { { 0, 0, 4432, 22160 }, { 0, 0, 4432, 16620 }, { 0, 0, 4432, 11080 }, { 0, 0, 4432, 8310 } },
  C = { { 0, 2295104, 6925, 5540 }, { 0, 2295104, 6925, 3324 } },
  D = { { 0, 2236703, 4155, 4155 }, { 0, 2236703, 4155, 2770 }, { 0, 2236703, 4155, 2770 } },
  E = { { 0, 4173824, 8310, 8310 }, { 0, 4173824, 8310, 5540 }, { 0, 4173824, 8310, 3324 } },
  F = { { 0, 2295103, 8310, 16620 }, { 0, 2295103, 8310, 13850 }, { 0, 2295103, 8310, 11080 },
        { 0, 2295103, 8310, 8310 }, { 0, 2295103, 8310, 5540 } },
}
local ws_responses = {}
for name, list in pairs(write_speed_captures) do
  local descs = {}
  for i, d in ipairs(list) do descs[i] = ws(d[1], d[2], d[3], d[4]) end
  ws_responses[name] = perf(descs)
  write("perf", "ws_" .. name, "\0" .. ws_responses[name])
end
-- Lying headers on Capture I: long, short, odd, huge, zero.
local i_descs = {}
for i, d in ipairs(write_speed_captures.I_blank) do i_descs[i] = ws(d[1], d[2], d[3], d[4]) end
write("perf", "ws_I_long", "\0" .. perf(i_descs, 0, 4 + 16 * 7))
write("perf", "ws_I_short", "\0" .. perf(i_descs, 0, 4 + 16 * 4))
write("perf", "ws_I_odd", "\0" .. perf(i_descs, 0, 4 + 16 * 5 + 3) .. "\0\0\0")
write("perf", "ws_I_huge", "\0" .. perf(i_descs, 0, 0xFFFFFFFF))
write("perf", "ws_I_zero", "\0" .. perf(i_descs, 0, 0))
write("perf", "ws_empty", "\0" .. perf({}))
-- Nominal write curves: E (three zones, ZCLV) and F (CAV ramp from 6924), write bit set.
local curve_E = perf({ nominal(0, 3324, 393215, 3324), nominal(393216, 5540, 1114111, 5540),
                       nominal(1114112, 8310, 4173824, 8310) }, 2)
local curve_F = perf({ nominal(0, 6924, 2295103, 16620) }, 2)
for sel, tag in pairs { [4] = "nominal", [5] = "entire" } do
  write("perf", "curve_E_" .. tag, string.char(sel) .. curve_E)
  write("perf", "curve_F_" .. tag, string.char(sel) .. curve_F)
end
write("perf", "curve_F_read", "\1" .. perf({ nominal(0, 8310, 2295103, 8310) }))
-- Exceptions (6-byte descriptors, Except bit), and the two mismatches.
local exc = perf({ exception(1000, 2500), exception(393216, 120), exception(0xFFFFFFFF, 0xFFFF) }, 1)
write("perf", "exceptions_only", "\3" .. exc)
write("perf", "exceptions_entire", "\2" .. exc)
write("perf", "exceptions_on_nominal", "\1" .. exc)
write("perf", "nominal_on_exceptions", "\6" .. curve_E)
write("perf", "short", "\0\0\0\0")

-- ---- MODE SENSE(10) page 2Ah --------------------------------------------------------------
-- fields: max read @8, buffer @12, current read @14, max write @18, current write @20,
-- rotation @27, selected @28, count @30, descriptors from @32 (rotation byte 1, speed 2-3).
local function page_2a(f, speeds, opts)
  opts = opts or {}
  local descs = {}
  for i, s in ipairs(speeds) do descs[i] = pack(">BBI2", 0, s[2] or 0, s[1]) end
  local page = pack(">BBBBBBBBI2I2I2I2I2I2I2BBBBBBI2I2",
    0x2A, 0, 0x3F, 0x37, 0xF1, 0x77, 0x29, 0x23,
    f.max_read, 0, f.buffer or 2048, f.cur_read, 0, f.max_write, f.cur_write, 0, 0, 0, 0, 0,
    f.rotation or 0, f.cur_write, #speeds) .. table.concat(descs)
  if opts.short then page = page:sub(1, opts.short) end
  page = page:sub(1, 1) .. string.char(math.min(#page - 2, 255)) .. page:sub(3)
  local bd = opts.block_descriptor and ("\0"):rep(8) or ""
  local body = pack(">BBBBBB", 0, 0, 0, 0, 0, #bd) .. bd .. page
  return pack(">I2", #body) .. body
end
local caps = {
  G = page_2a({ max_read = 7056, cur_read = 7056, max_write = 7056, cur_write = 7056 },
    { { 7056 }, { 5645 }, { 4234 }, { 2822 }, { 1411 }, { 706 } }),
  E = page_2a({ max_read = 8310, cur_read = 8310, max_write = 8310, cur_write = 8310 },
    { { 8310 }, { 5540 }, { 3324 } }),
  H = page_2a({ max_read = 8468, cur_read = 8468, max_write = 8467, cur_write = 8468 },
    { { 8467, 1 }, { 7056 }, { 5645 }, { 4234 }, { 2822 } }),
  C = page_2a({ max_read = 8467, cur_read = 8467, max_write = 8467, cur_write = 1411 },
    { { 8467 }, { 7056 }, { 5645 }, { 4234 }, { 2822 }, { 1411 } }),
  I = page_2a({ max_read = 53952, cur_read = 26976, max_write = 53952, cur_write = 53952, rotation = 1 },
    { { 53952, 1 }, { 44960, 1 }, { 35968, 1 }, { 26976, 1 }, { 17984 } }),
  G_block_descriptor = page_2a({ max_read = 7056, cur_read = 7056, max_write = 7056, cur_write = 7056 },
    { { 7056 }, { 5645 } }, { block_descriptor = true }),
  mmc1_20_bytes = page_2a({ max_read = 7056, cur_read = 7056, max_write = 7056, cur_write = 7056 }, {},
    { short = 20 }),
  old_22_bytes = page_2a({ max_read = 7056, cur_read = 7056, max_write = 7056, cur_write = 7056 }, {},
    { short = 22 }),
}
for name, bytes in pairs(caps) do write("page2a", name, bytes) end
write("page2a", "G_truncated", caps.G:sub(1, 50))
write("page2a", "wrong_page", (caps.G:gsub("^(........)\42", "%1\5")))
local many = {}
for i = 1, 70 do many[i] = { 10000 - i } end
write("page2a", "seventy_speeds", page_2a({ max_read = 1, cur_read = 1, max_write = 1, cur_write = 1 }, many))

-- ---- GET CONFIGURATION ----------------------------------------------------------------------
for _, p in ipairs { 0x41, 0x1B, 0x14, 0x12, 0x2B, 0x1A, 0x09, 0x0A, 0x08, 0x00, 0x43, 0xFFFF } do
  write("profile", ("profile_%04X"):format(p), pack(">I4I2I2", 4, 0, p))
end
write("profile", "with_profile_list", pack(">I4I2I2", 4 + 4 + 8, 0, 0x1B) ..
  pack(">I2BB", 0, 3, 8) .. pack(">I2BBI2BB", 0x1B, 1, 0, 0x10, 0, 0))

-- ---- INQUIRY ---------------------------------------------------------------------------------
local function inquiry(vendor, product, rev, ptype)
  return pack(">BBBBBBBB", ptype or 5, 0x80, 0, 0x32, 31, 0, 0, 0) ..
    pack("c8c16c4", vendor, product, rev)
end
local drives = {
  A = { "HL-DT-ST", "DVDRAM GSA-4083N", "1.00" }, B = { "LITE-ON ", "DVDRW SOHW-1673S", "JS02" },
  C = { "_NEC    ", "DVD_RW ND-3540A ", "1.04" }, D = { "TSSTcorp", "CD/DVDW SH-S182M", "SB00" },
  E = { "Optiarc ", "DVD RW AD-7590S ", "1.00" }, F = { "TSSTcorp", "CDDVDW SH-224DB ", "SB00" },
  G = { "HL-DT-ST", "DVDRAM GSA-4163B", "A101" }, H = { "ATAPI   ", "iHAS124   F     ", "CL9P" },
  I = { "HL-DT-ST", "BD-RE  WH16NS40 ", "1.00" },
}
for name, d in pairs(drives) do write("inquiry", name, inquiry(d[1], d[2], d[3])) end
write("inquiry", "short_5", inquiry("A", "B", "C"):sub(1, 5))
write("inquiry", "short_20", inquiry(drives.I[1], drives.I[2], drives.I[3]):sub(1, 20))
write("inquiry", "garbage_text", pack(">BBBBBBBB", 0x25, 0, 0, 0, 31, 0, 0, 0) .. "\0\1\255 \127x  " ..
  ("\0"):rep(16) .. "\t\n\r ")

-- ---- sense --------------------------------------------------------------------------------------
local function fixed(key, asc, ascq, code)
  return pack(">BBBI4BI4BBBBBB", code or 0x70, 0, key, 0, 10, 0, asc, ascq, 0, 0, 0, 0)
end
local function descriptor(key, asc, ascq, code, descs)
  descs = descs or ""
  return pack("BBBBBBBB", code or 0x72, key, asc, ascq, 0, 0, 0, #descs) .. descs
end
local info_desc = pack(">BBBBI4I4", 0, 10, 0x80, 0, 0, 2295103)
local senses = {
  fixed_05_20_00 = fixed(5, 0x20, 0), fixed_02_3A_00 = fixed(2, 0x3A, 0),
  descriptor_05_20_00 = descriptor(5, 0x20, 0), descriptor_02_3A_00 = descriptor(2, 0x3A, 0),
  deferred_fixed = fixed(3, 0x0C, 0x09, 0x71), deferred_descriptor = descriptor(4, 0x09, 0x01, 0x73),
  descriptor_information = descriptor(3, 0x11, 0, 0x72, info_desc),
  fixed_information = (fixed(3, 0x11, 0, 0xF0):gsub("^(...)....", "%1\0\35\5\63")),
  fixed_05_24_00_sks = fixed(5, 0x24, 0):sub(1, 15) .. "\192\0\2",
  fixed_short = fixed(6, 0x28, 0):sub(1, 8),
}
for name, bytes in pairs(senses) do write("sense", name, "\0" .. bytes) end

-- ---- the Lua-facing path (fuzz/driver.lua input) ------------------------------------------------
-- head byte (bit 0: use an emulator, then a model byte), device byte (bit 0: callable table),
-- then steps: op byte (op % 17 picks the call, 16 with op odd the raw pass-through; bit 7
-- runs it in a coroutine) and, for every command the call sends, the device's control byte
-- + payload (mode 0: length hi, lo, bytes).
local function bytes_answer(s) return pack(">BI2", 0, #s) .. s end
local function sense_answer(s) return string.char(8, #s) .. s end
local OP = { ws = 0, read_nominal = 1, inquiry = 7, profile = 8, caps = 9, set_speed = 10,
             streaming = 11, tur = 12, request_sense = 13, command = 33 }
local lua_seeds = {
  capture_I = string.char(0, 0, OP.ws) .. bytes_answer(ws_responses.I_blank) ..
    string.char(OP.inquiry) .. bytes_answer(inquiry(drives.I[1], drives.I[2], drives.I[3])) ..
    string.char(OP.caps) .. bytes_answer(caps.I) ..
    string.char(OP.profile) .. bytes_answer(pack(">I4I2I2", 4, 0, 0x41)),
  curves = string.char(0, 1, 4) .. bytes_answer(curve_E) .. string.char(5) .. bytes_answer(curve_F) ..
    string.char(3) .. bytes_answer(exc),
  senses = string.char(0, 0, OP.ws) .. sense_answer(senses.fixed_05_20_00) ..
    string.char(OP.caps) .. sense_answer(senses.descriptor_02_3A_00) ..
    string.char(OP.tur) .. sense_answer(senses.fixed_02_3A_00) ..
    string.char(OP.request_sense) .. bytes_answer(senses.fixed_02_3A_00),
  control = string.char(0, 0, OP.set_speed, 0x03, 15, OP.streaming, 0x04, 15, OP.tur, 15),
  misbehaving = string.char(0, 0, OP.ws, 9, 3) .. "abc" .. string.char(OP.inquiry, 10, OP.caps, 11, 2, 3,
    OP.profile, 12, OP.ws, 14, 65, OP.ws | 0x80, 13, 15, 0, 16, 1, 15, 2),
  -- command: direction byte (0 in, 1 out, 2 none), CDB length - 6, the CDB, then the argument
  command = string.char(0, 0, OP.command, 0, 0) .. "\18\0\0\0\36\0" .. string.char(0, 36) ..
    bytes_answer(inquiry(drives.I[1], drives.I[2], drives.I[3])) ..
    string.char(OP.command, 1, 6) .. ("\182"):rep(12) .. string.char(28) .. ("\0"):rep(28) .. string.char(15, 0) ..
    string.char(OP.command, 2, 0) .. ("\0"):rep(6) .. sense_answer(senses.fixed_02_3A_00),
  decoders = string.char(0, 0, 14, 0, #ws_responses.A) .. ws_responses.A .. string.char(0, 0, 0) ..
    string.char(14, 1, #caps.G) .. caps.G .. string.char(0, 0, 0) ..
    string.char(14, 3, #senses.fixed_05_20_00) .. senses.fixed_05_20_00 .. string.char(133, 48, 0),
}
-- Emulator-backed: every model, each command answered by the emulator (mode 6).
for m = 0, 11 do
  local steps = {}
  for _, op in ipairs { OP.inquiry, OP.profile, OP.ws, 5, OP.caps, OP.set_speed, OP.ws, OP.request_sense } do
    steps[#steps + 1] = op == OP.set_speed and string.char(op, 0x03, 6) or string.char(op, 6)
  end
  lua_seeds["emulator_" .. m] = string.char(1, m, 0) .. table.concat(steps)
end
for name, bytes in pairs(lua_seeds) do write("lua", name, bytes) end
print("seeds written to " .. out)
