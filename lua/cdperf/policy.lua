--- cdperf.policy: the one policy grammar, shared by `cdperf -p` and speeds.pick.
--
-- Words (the same in a -p argument and in a Lua string): max, min, safe, exact, clv,
-- cav, nearest=X, at-most=X, at-least=X, fraction=F, source=KBPS, fastest-for=SIZE,
-- media=PATTERN, disc-rating.
-- "," narrows in turn ("exact,at-most=8,max"); "|" is a fallback: the first alternative
-- that picks something wins ("at-least=8,exact|max").  In Lua the same policy is a
-- string of words, a table of fields ({ at_most = 8 }), a list of policies (narrowing in
-- turn), { fallback = { p1, p2, ... } }, or a function(candidates, context).
--
-- Each word and its Lua field (X is a factor of the medium's 1x, e.g. 8 or 2.4):
--
-- * `max` / `"max"`: the fastest speed
-- * `min` / `"min"`: the slowest speed
-- * `safe` / `{ fraction = 0.5 }`: the speed nearest half the fastest
-- * `exact` / `{ exact_only = true }`: only speeds with the Exact bit set
-- * `clv`, `cav` / `{ rotation = "clv" }`: only speeds of that rotation control
-- * `nearest=X` / `{ nearest = X }`: the speed nearest X (ties go to the slower)
-- * `at-most=X` / `{ at_most = X }`: only speeds up to X
-- * `at-least=X` / `{ at_least = X }`: the slowest speed of at least X
-- * `fraction=F` / `{ fraction = F }`: the speed nearest F times the fastest (0 < F <= 1)
-- * `source=KBPS` / `{ source_kBps = KBPS }`: the fastest speed not above the rate the
--   data comes at (the slowest when every speed is faster)
-- * `fastest-for=SIZE` / `{ fastest_for = bytes }`: the speed that writes SIZE bytes
--   soonest by the drive's curve (within 1 % the slower wins); sizes take k M G T
--   (powers of 1000) or KiB MiB GiB TiB
-- * `media=PATTERN` / `{ media = "MKM-003*" }`: only when the disc's media ID (or a CD's
--   ATIP maker) matches PATTERN (`*` and `?` wildcards, any case); else this alternative fails
-- * `disc-rating` / `{ disc_rating = true }`: no faster than the disc's own rating
--   (a CD-RW's ATIP speed range; every speed when the disc states none)
-- * `A,B` / `{ A, B }`: A narrows, then B picks among what is left
-- * `A|B` / `{ fallback = { A, B } }`: A, or B when A picks nothing
--
-- Words are case-insensitive and take `_` for `-` (`at_most=8`). The fields of one table
-- apply in the order of `FIELD_ORDER` (filters first, then the choosers); several
-- entries left at the end: the fastest. A function `function(candidates, context)` gets
-- the entries left and `context = { class =, snapshot =, list = }`, and returns one of the
-- candidates (or a list of them), or `nil, why`; anything else raises an error that
-- names what was wrong.
-- @module cdperf.policy
-- @usage speeds.pick(list, "exact,at-most=8|min")
-- speeds.pick(list, { fallback = { { exact_only = true, at_most = 8 }, "min" } })   -- the same

local format = require "cdperf.format"

local policy = {}

local fmt = string.format

--- The grammar's one table (the command's help reads it): a list of `{ word =, field =,
-- kind =, help = }`, kind `"flag"` (no value), `"rotation"`, `"x"` (a positive factor),
-- `"fraction"`, `"kBps"`, `"size"`, `"pattern"` (a media ID pattern: * and ? wildcards);
-- max, min and safe have no field.
policy.WORDS = {
  { word = "max", help = "the fastest speed" },
  { word = "min", help = "the slowest speed" },
  { word = "safe", help = "the speed nearest half the fastest (fraction=0.5)" },
  { word = "exact", field = "exact_only", kind = "flag", help = "only speeds with the Exact bit set" },
  { word = "clv", field = "rotation", kind = "rotation", help = "only CLV speeds" },
  { word = "cav", field = "rotation", kind = "rotation", help = "only CAV speeds" },
  { word = "nearest", field = "nearest", kind = "x", help = "the speed nearest X (x factor of the medium)" },
  { word = "at-most", field = "at_most", kind = "x", help = "only speeds up to X" },
  { word = "at-least", field = "at_least", kind = "x", help = "the slowest speed of at least X" },
  { word = "fraction", field = "fraction", kind = "fraction", help = "the speed nearest F times the fastest" },
  { word = "source", field = "source_kBps", kind = "kBps",
    help = "the fastest speed not above KBPS, the rate the data comes at" },
  { word = "fastest-for", field = "fastest_for", kind = "size",
    help = "the speed that writes SIZE bytes soonest (by the performance curve); ties go to the slower" },
  { word = "media", field = "media", kind = "pattern",
    help = "only when the disc's media ID (MKM-003-00, MKM/003) or CD maker matches PATTERN (* and ? wildcards, "
      .. "any case); else this alternative fails: media=MKM-003*,at-most=8|max" },
  { word = "disc-rating", field = "disc_rating", kind = "flag",
    help = "no faster than the disc's own rating (a CD-RW's ATIP speed range; every speed when it states none)" },
}

local BY_WORD, BY_FIELD = {}, {}
for _, w in ipairs(policy.WORDS) do
  BY_WORD[w.word] = w
  if w.field then BY_FIELD[w.field] = w end
end

--- Order in which the fields of one policy table apply: filters, then choosers.
policy.FIELD_ORDER = { "media", "exact_only", "rotation", "disc_rating", "source_kBps", "at_most", "at_least",
  "nearest", "fraction", "fastest_for" }

local NAMED = { max = { "max" }, min = { "min" }, safe = { "fraction", 0.5 } }

--- The usage line of the grammar: "max|min|...|fastest-for=SIZE".
-- @treturn string
function policy.usage()
  local t = {}
  for i, w in ipairs(policy.WORDS) do
    local value = ({ x = "X", fraction = "F", kBps = "KBPS", size = "SIZE", pattern = "PATTERN" })[w.kind or ""]
    t[i] = value and (w.word .. "=" .. value) or w.word
  end
  return table.concat(t, "|")
end

local function bad(msg, level)
  error("bad argument #2 to 'pick' (" .. msg .. ")", level or 0)
end

local function finite_positive(v)
  return type(v) == "number" and v == v and v > 0 and v < math.huge
end

-- Check one field's value; returns the value to use.
local function check_field(field, v)
  local w = BY_FIELD[field]
  if field == "rotation" then
    if v ~= "clv" and v ~= "cav" then bad(fmt("policy field 'rotation' expects clv|cav, got %s", tostring(v))) end
  elseif field == "exact_only" or field == "disc_rating" then
    if type(v) ~= "boolean" then bad(fmt("policy field '%s' expects a boolean, got %s", field, type(v))) end
  elseif w.kind == "pattern" then
    if type(v) ~= "string" or v == "" or #v > 64 or v:find("[^%w%s%*%?%-%./_+#:&()!]") then
      bad(fmt("policy field 'media' expects a media ID pattern (letters, digits, * and ?), got %s",
        type(v) == "string" and fmt("%q", v) or type(v)))
    end
  elseif w.kind == "size" then
    if type(v) == "string" then
      local n, msg = format.parse_size(v)
      if not n then bad(fmt("policy field 'fastest_for': %s", msg)) end
      v = n
    end
    local judge = require "cdperf.judge"
    local why = judge.size(v)
    if why or v <= 0 then
      bad(fmt("policy field 'fastest_for' expects a byte count > 0, got %s%s", tostring(v),
        why and (": " .. why) or ""))
    end
  else
    if not finite_positive(v) then
      bad(fmt("policy field '%s' expects a positive number, got %s", field,
        type(v) == "number" and tostring(v) or type(v)))
    end
    if field == "fraction" and v > 1 then bad(fmt("policy field 'fraction' expects 0 < f <= 1, got %g", v)) end
  end
  return v
end

local parse_words

-- Turn one policy into { alternatives = { { step, ... }, ... } } where a step is
-- { name, arg } or { fn = f }.
local function compile_into(p, seq)
  local t = type(p)
  if t == "string" then
    local alts = parse_words(p)
    if #alts.alternatives == 1 then
      for _, s in ipairs(alts.alternatives[1]) do seq[#seq + 1] = s end
    else
      seq[#seq + 1] = alts
    end
  elseif t == "function" then
    seq[#seq + 1] = { fn = p }
  elseif t == "table" then
    if p.fallback ~= nil then
      if type(p.fallback) ~= "table" or #p.fallback == 0 then
        bad("policy field 'fallback' expects a non-empty list of policies")
      end
      for k in pairs(p) do
        if k ~= "fallback" then bad(fmt("policy field 'fallback' stands alone, found %q too", tostring(k))) end
      end
      local alts = { alternatives = {} }
      for i, q in ipairs(p.fallback) do alts.alternatives[i] = compile_into(q, {}) end
      seq[#seq + 1] = alts
      return seq
    end
    if #p > 0 then
      for _, q in ipairs(p) do compile_into(q, seq) end
      return seq
    end
    local any = false
    for k in pairs(p) do
      if not BY_FIELD[k] then bad(fmt("unknown policy field %q", tostring(k))) end
      any = true
    end
    if not any then bad("empty policy table") end
    for _, k in ipairs(policy.FIELD_ORDER) do
      if p[k] ~= nil then
        local v = check_field(k, p[k])
        if not ((k == "exact_only" or k == "disc_rating") and v == false) then seq[#seq + 1] = { k, v } end
      end
    end
  else
    bad(fmt("policy expected (string, table or function), got %s", t))
  end
  return seq
end

-- "at-least=8,exact|max" -> { alternatives = { {steps}, {steps} } }
function parse_words(text)
  local alts = { alternatives = {} }
  for alt in (text .. "|"):gmatch("([^|]*)|") do
    local seq = {}
    for item in alt:gmatch("[^,]+") do
      item = item:match("^%s*(.-)%s*$")
      local key, value = item:match("^([%a_-]+)%s*=%s*(.+)$")
      -- words are case-insensitive and take _ for -; values keep their case ("700M")
      if key then key = key:lower():gsub("_", "-") else item = item:lower():gsub("_", "-") end
      local w = BY_WORD[key or item]
      if item == "" then  -- luacheck: ignore 542 (an empty item, as in "max,", says nothing)
      elseif NAMED[item] then
        seq[#seq + 1] = { NAMED[item][1], NAMED[item][2] }
      elseif w and w.kind == "rotation" and not key then
        seq[#seq + 1] = { "rotation", item }
      elseif w and w.kind == "flag" and not key then
        seq[#seq + 1] = { w.field, true }
      elseif w and key and w.kind ~= "flag" and w.kind ~= "rotation" then
        local v
        if w.kind == "size" or w.kind == "pattern" then
          v = value
        else
          v = tonumber((value:gsub("x$", "")))
          if v == nil then bad(fmt("policy word '%s' expects a number, got %q", key, value)) end
        end
        seq[#seq + 1] = { w.field, check_field(w.field, v) }
      elseif w then
        bad(fmt("policy word '%s' %s", w.word, w.kind and w.kind ~= "flag" and w.kind ~= "rotation"
          and "needs a value (" .. w.word .. "=...)" or "takes no value"))
      else
        bad(fmt("unknown policy %q (use %s)", item, policy.usage()))
      end
    end
    if #seq == 0 then bad(fmt("empty policy in %q", text)) end
    alts.alternatives[#alts.alternatives + 1] = seq
  end
  return alts
end

--- Compile a policy (string, table, list or function) into steps; raises on misuse with
-- "bad argument #2 to 'pick' (...)" naming the field.
-- @param[opt="max"] p the policy
-- @treturn table the steps (`speeds.pick` runs them)
-- @raise on a bad policy
function policy.compile(p)
  if p == nil then p = "max" end
  return compile_into(p, {})
end

--- Check a -p argument; it is itself the Lua policy it means (raises on a bad word).
-- @tparam string text
-- @treturn string text
-- @raise on a bad word
function policy.parse(text)
  if type(text) ~= "string" then bad(fmt("policy text expected, got %s", type(text))) end
  parse_words(text)
  return text
end

return policy
