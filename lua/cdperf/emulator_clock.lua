--- cdperf.emulator_clock: time for the emulated drive (cdperf.emulator).
--
-- The emulator answers at once; this module gives it a drive's sense of time, so that
-- cdperf.measure and cdperf.probe can be tested as they run on a real drive:
--   * a virtual clock: seconds from 0, advanced only by the work the drive does
--     (emu:now() reads it, emu:clock() is a function that reads it, emu:advance(s) moves it);
--   * READ(10) 28h and READ(12) A8h answered with zeros after the time the read takes;
--     (READ CAPACITY(10) 25h is cdperf.emulator's: on a timed model's disc, complete unless
--     model.disc says otherwise, capacity - 1 and 2048-byte blocks);
--   * a spindle with a limit (model.timing.limit_rpm, default physics.LIMIT_RPM) that turns
--     the medium by the rotation behaviour of the speed it is set to (cdperf.physics:
--     speed_at / write_time give the speed at each radius and exact times), spin-up from
--     rest, a spin change when the speed changes, an access time for each jump.
--
-- A model without `timing` answers no READ (INVALID COMMAND OPERATION CODE, as before
-- this module); `timing = {}` gives it the defaults.
-- model.timing (every field optional):
--   limit_rpm = 10000        the spindle's limit
--   read = "cav"             how the drive spins for reads: "auto" | "clv" | "pcav" | "cav" |
--                            "zclv" (physics.speed_at's strategies; "auto" = CLV up to the limit)
--   rotation = { [kBps] = strategy }   per speed the drive is set to, instead of `read`
--   spin_up = 1.5            seconds from rest to speed: the first read after power-on,
--                            emu:load() or emu:eject()
--   spin_change = 0.3        seconds to change speed: the first read after a new speed
--   access = 0.08            seconds for a read that does not continue the previous one
--   command = 0              seconds every READ takes besides the transfer (firmware, bus)
-- The speed reads run at: the current read speed (SET CD SPEED / SET STREAMING; page 2Ah's
-- current read speed), else page 2Ah's maximum, else the read curve's top, else 1x; then
-- the quirks below.  A CD sector counts 2352 bytes at the channel rate 1x counts (75
-- sectors/s), a DVD or BD sector 2048.
--
-- Quirks (model.quirks, next to the emulator's own; named after what real drives do):
--   caps_at = kBps           never reads faster than this, whatever it is set to (and
--                            page 2Ah still reports the speed that was set)
--   minimum_speed = kBps     a speed set below this is not applied: reads run at it
--                            ("speeds below 8x are silently not applied")
--   obeys_after_next_read    a new speed takes effect only after one more read
--   read_ahead = bytes       what the drive read ahead into its buffer while idle: after
--                            spin-up and after idle time (emu:advance), this many bytes
--                            of a sequential read come at once; a jump empties it (a
--                            throttle's burst looks the same)
--   (ignores_set_streaming, in cdperf.emulator: SET STREAMING changes nothing)
-- @module cdperf.emulator_clock

local physics = require "cdperf.physics"
local media = require "cdperf.media"

local clock = {}

local fmt, unpack = string.format, string.unpack
local max, min = math.max, math.min

--- The opcodes this module adds: `{ READ_CAPACITY = 0x25, READ10 = 0x28, READ12 = 0xA8 }`.
clock.OP = { READ_CAPACITY = 0x25, READ10 = 0x28, READ12 = 0xA8 }

--- The quirks this module adds to the emulator's list, with what each takes.
clock.QUIRKS = { caps_at = "speed", minimum_speed = "speed", obeys_after_next_read = "boolean",
  read_ahead = "bytes" }

--- The defaults of model.timing's fields.
clock.DEFAULTS = { spin_up = 1.5, spin_change = 0.3, access = 0.08, command = 0, read = "cav" }

local TIMING_FIELDS = { limit_rpm = "positive", read = "strategy", rotation = "rotation", spin_up = "seconds",
  spin_change = "seconds", access = "seconds", command = "seconds" }
local STRATEGY = { auto = true, clv = true, pcav = true, cav = true, zclv = true }

local function is_real(v) return type(v) == "number" and v == v and v > -math.huge and v < math.huge end

local function check_value(kind, v)
  if kind == "positive" or kind == "speed" then return is_real(v) and v > 0 end
  if kind == "seconds" then return is_real(v) and v >= 0 end
  if kind == "bytes" then return math.type(v) == "integer" and v >= 0 end
  if kind == "strategy" then return STRATEGY[v] == true end
  if kind == "boolean" then return type(v) == "boolean" end
  if kind == "rotation" then
    if type(v) ~= "table" then return false end
    for k, s in pairs(v) do
      if not (is_real(k) and k > 0 and STRATEGY[s]) then return false end
    end
    return true
  end
  return false
end

local EXPECTED = { positive = "a number > 0", speed = "a speed in kB/s > 0", seconds = "seconds >= 0",
  strategy = "auto|clv|pcav|cav|zclv", boolean = "a boolean", bytes = "an integer >= 0",
  rotation = "a table { [kBps] = auto|clv|pcav|cav|zclv }" }

--- Raise (at the caller of emulator.new) on a bad model.timing or timing quirk.
function clock.check(model, level)
  level = (level or 1) + 1
  local t = model.timing
  if t ~= nil then
    if type(t) ~= "table" then error(fmt("bad field 'timing' (expected a table, got %s)", type(t)), level) end
    for k, v in pairs(t) do
      local kind = TIMING_FIELDS[k]
      if not kind then error(fmt("unknown field 'timing.%s' in model", tostring(k)), level) end
      if not check_value(kind, v) then
        error(fmt("bad field 'timing.%s' (expected %s, got %s)", k, EXPECTED[kind], tostring(v)), level)
      end
    end
  end
  for k, kind in pairs(clock.QUIRKS) do
    local v = (model.quirks or {})[k]
    if v ~= nil and not check_value(kind, v) then
      error(fmt("bad quirk '%s' (expected %s, got %s)", k, EXPECTED[kind], tostring(v)), level)
    end
  end
end

-- The emulator's clock state, made on first use: now (s), spun_for (the speed and
-- strategy the spindle turns for, nil at rest), next_lba (where a read would continue),
-- effective (obeys_after_next_read: the speed the drive really uses).
local function state(self)
  local c = self._clock
  if not c then
    c = { now = 0 }
    self._clock = c
  end
  return c
end

local function timing(self, k)
  local t = self.model.timing
  local v = t and t[k]
  if v == nil then return clock.DEFAULTS[k] end
  return v
end

-- The speed the drive is set to read at (kB/s).
local function set_speed(self)
  local st, caps = self.st, self.model.capabilities or {}
  if is_real(st.current_read_speed) and st.current_read_speed > 0 then return st.current_read_speed end
  if is_real(caps.max_read_speed) and caps.max_read_speed > 0 then return caps.max_read_speed end
  local top = 0
  for _, d in ipairs((st.performance or {}).read or {}) do
    top = max(top, tonumber(d.start_performance) or 0, tonumber(d.end_performance) or 0)
  end
  if top > 0 then return top end
  return media.ONE_X[media.class(st.profile) or "cd"] or media.ONE_X.cd
end

-- The disc as physics sees it (cached per profile and capacity); nil when physics has no
-- geometry for it (then reads run at the flat speed).
local function geometry(self)
  local st, c = self.st, state(self)
  local key = tostring(st.profile) .. "/" .. tostring(st.capacity)
  if c.geometry_key ~= key then
    c.geometry_key = key
    local class = media.class(st.profile)
    local ok, g = false, nil
    if class == "cd" or class == "dvd" or class == "bd" then
      ok, g = pcall(physics.geometry, class, { capacity = st.capacity })
    end
    c.geometry = ok and g or nil
  end
  return c.geometry
end

--- Seconds the drive takes to read `n` sectors from `lba` at the speed it is set to, and
-- the speed it really used (kB/s); advances nothing.  Used by the READ handlers.
function clock.read_time(self, lba, n)
  local c, q = state(self), self.model.quirks or {}
  local asked = set_speed(self)
  local used = asked
  if q.obeys_after_next_read then
    used = c.effective or asked
    c.effective = asked
  end
  if q.minimum_speed then used = max(used, q.minimum_speed) end
  if q.caps_at then used = min(used, q.caps_at) end
  local rotation = timing(self, "rotation")
  local strategy = rotation and rotation[asked] or timing(self, "read")
  local spin = 0
  local key = fmt("%.17g/%s", used, strategy)
  local from_rest = c.spun_for == nil
  if from_rest then
    spin = timing(self, "spin_up")
  elseif c.spun_for ~= key then
    spin = timing(self, "spin_change")
  end
  c.spun_for = key
  local jump = c.next_lba ~= nil and c.next_lba ~= lba
  local access = jump and timing(self, "access") or 0
  c.next_lba = lba + n
  -- read_ahead: the buffer is full after spin-up or idle time, empty after a jump
  if q.read_ahead then
    if from_rest then c.ahead = q.read_ahead end
    if jump then c.ahead = 0 end
    local from_buffer = min(n, (c.ahead or 0) // 2048)
    c.ahead = max((c.ahead or 0) - from_buffer * 2048, 0)
    lba, n = lba + from_buffer, n - from_buffer
  end
  local data
  local g = geometry(self)
  if n == 0 then
    data = 0
  elseif g and lba + n <= g.capacity then
    local r = physics.write_time(g, lba, n, used, strategy,
      { overhead = false, limit_rpm = timing(self, "limit_rpm") })
    data = r.data_seconds
  else
    local class = media.class(self.st.profile)
    data = n * (class == "cd" and 2.352 or 2.048) / used
  end
  return timing(self, "command") + spin + access + data, used
end

local ZERO = {}
local function zeros(n)
  local z = ZERO[n]
  if not z then
    z = string.rep("\0", n)
    if n <= 65536 then ZERO[n] = z end
  end
  return z
end

local NOT_READY, ILLEGAL_REQUEST = 2, 5

-- A model without `timing` keeps the emulator as it was: it answers no READ.
local function untimed(self) return self.model.timing == nil end

local function read(self, lba, n, alloc)
  local st = self.st
  if untimed(self) then return nil, ILLEGAL_REQUEST, 0x20, 0x00 end
  if st.profile == 0 then return nil, NOT_READY, 0x3A, 0x00 end
  if lba + n > st.capacity then return nil, ILLEGAL_REQUEST, 0x21, 0x00 end
  local t = clock.read_time(self, lba, n)
  local c = state(self)
  c.now = c.now + t
  return zeros(min(alloc, n * 2048))
end

--- Add the READ handlers, the directions of READ and READ CAPACITY and the clock methods to
-- the emulator (called once by cdperf.emulator with its handler table, its table of
-- directions and its method table).
function clock.install(handlers, direction, Emu)
  local OP = clock.OP
  direction[OP.READ_CAPACITY], direction[OP.READ10], direction[OP.READ12] = "in", "in", "in"
  handlers[OP.READ10] = function(self, cdb, alloc)
    local lba, n = unpack(">I4", cdb, 3), unpack(">I2", cdb, 8)
    return read(self, lba, n, alloc)
  end
  handlers[OP.READ12] = function(self, cdb, alloc)
    local lba, n = unpack(">I4I4", cdb, 3)
    return read(self, lba, n, alloc)
  end
  -- READ CAPACITY is cdperf.emulator's (from the disc's layout: the whole capacity of a
  -- timed model's disc, which is complete unless the model says otherwise)

  -- Seconds on the emulator's clock (documented in cdperf.emulator).
  function Emu:now() return state(self).now end
  -- A function returning the emulator's clock (for cdperf.measure's clock option).
  function Emu:clock() return function() return state(self).now end end
  -- Move the clock on (idle time: the spindle keeps turning).
  function Emu:advance(seconds)
    if not (is_real(seconds) and seconds >= 0) then
      error(fmt("bad argument #1 to 'advance' (seconds >= 0 expected, got %s)", tostring(seconds)), 2)
    end
    local c = state(self)
    c.now = c.now + seconds
    if seconds > 0 and (self.model.quirks or {}).read_ahead then c.ahead = self.model.quirks.read_ahead end
  end
  -- A new medium, or none, stops the spindle.
  for _, name in ipairs { "load", "eject" } do
    local f = Emu[name]
    Emu[name] = function(self, ...)
      local c = state(self)
      c.spun_for, c.next_lba, c.effective = nil, nil, nil
      return f(self, ...)
    end
  end
end

return clock
