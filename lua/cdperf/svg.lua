--- cdperf.svg: speed curves as an SVG picture a browser opens (pure: data in, text out).
-- @module cdperf.svg

local media = require "cdperf.media"

local svg = {}

local fmt = string.format

local W, H = 800, 480
local LEFT, RIGHT, TOP, BOTTOM = 125, 30, 75, 70
local COLORS = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd" }

local function esc(s)
  return (tostring(s):gsub("[&<>\"]", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;" }))
end

-- A "nice" step for about n ticks over 0..top.
local function step(top, n)
  local raw = top / n
  local p = 10 ^ math.floor(math.log(raw, 10))
  for _, m in ipairs { 1, 2, 2.5, 5, 10 } do
    if m * p >= raw then return m * p end
  end
  return 10 * p
end

local function num(v)
  if v == math.floor(v) and math.abs(v) < 1e15 then return fmt("%d", v) end
  return fmt("%.1f", v)
end

--- The SVG text of one or more speed curves.
-- x: LBA 0 .. capacity; y: speed from 0 to the top of every series, labelled in x of the
-- class (1x = media.ONE_X) with the kB/s beside; a legend names each series.
-- @tparam table spec `{ class = "dvd", capacity = sectors, title = "...", series = {
-- { name = "measured", points = { { lba =, kBps = }, ... } },
-- { name = "claimed", points = ..., dashed = true } } }`
-- @treturn string the SVG document
-- @raise without a series list
-- @usage local text = svg.curves { class = "dvd", capacity = 2295104,
--   series = { { name = "measured", points = r.points } } }
function svg.curves(spec)
  if type(spec) ~= "table" or type(spec.series) ~= "table" then
    error("bad argument #1 to 'curves' (table with series expected)", 2)
  end
  local class = spec.class
  local one = media.ONE_X[class]
  if not one then error(fmt("bad field 'class' (cd|dvd|bd|hddvd expected, got %s)", tostring(class)), 2) end
  local capacity = spec.capacity or 0
  local top = 0
  for _, s in ipairs(spec.series) do
    for _, p in ipairs(s.points or {}) do
      top = math.max(top, p.kBps or 0)
      capacity = math.max(capacity, p.lba or 0)
    end
  end
  if capacity <= 0 then capacity = 1 end
  local xstep = step(top / one > 0 and top / one or 1, 6)
  local ytop = math.max(xstep, math.ceil((top / one) * 1.04 / xstep - 1e-9) * xstep)
  local pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
  local function X(lba) return LEFT + pw * lba / capacity end
  local function Y(kBps) return TOP + ph * (1 - (kBps / one) / ytop) end
  local out = {}
  local function add(...) out[#out + 1] = fmt(...) end
  add('<?xml version="1.0" encoding="UTF-8"?>')
  add('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
    .. 'font-family="sans-serif" font-size="13">', W, H, W, H)
  add('<rect x="0" y="0" width="%d" height="%d" fill="white"/>', W, H)
  add('<text x="%d" y="28" font-size="16" font-weight="bold">%s</text>', LEFT,
    esc(spec.title or "Speed across the disc"))
  -- grid and y ticks
  local v = 0
  while v <= ytop + 1e-9 do
    local y = Y(v * one)
    add('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>', LEFT, y, W - RIGHT, y)
    add('<text x="%d" y="%.1f" text-anchor="end">%sx (%s)</text>', LEFT - 6, y + 4, num(v),
      num(math.floor(v * one + 0.5)))
    v = v + xstep
  end
  -- x ticks
  local lstep = step(capacity, 5)
  local l = 0
  while l <= capacity + 1e-9 do
    local x = X(l)
    add('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>', x, TOP, x, TOP + ph)
    add('<text x="%.1f" y="%d" text-anchor="middle">%s</text>', x, TOP + ph + 18, num(l))
    l = l + lstep
  end
  add('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>', LEFT, TOP + ph, W - RIGHT, TOP + ph)
  add('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>', LEFT, TOP, LEFT, TOP + ph)
  add('<text x="%d" y="%d" text-anchor="middle">LBA (sectors of 2048 bytes)</text>', LEFT + pw // 2, H - 22)
  add('<text x="18" y="%d" text-anchor="middle" transform="rotate(-90 18 %d)">speed (x %s, kB/s; 1x = %s kB/s)</text>',
    TOP + ph // 2, TOP + ph // 2, esc(media.LABEL[class]), num(one))
  -- series and legend
  for i, s in ipairs(spec.series) do
    local color = COLORS[(i - 1) % #COLORS + 1]
    local pts = {}
    for _, p in ipairs(s.points or {}) do pts[#pts + 1] = fmt("%.1f,%.1f", X(p.lba), Y(p.kBps)) end
    if #pts > 0 then
      add('<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>', color,
        s.dashed and ' stroke-dasharray="6 4"' or "", table.concat(pts, " "))
      if not s.dashed then
        for _, p in ipairs(s.points) do
          add('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>', X(p.lba), Y(p.kBps), color)
        end
      end
    end
    -- the legend: one row above the plot, each series in its own half
    local lx, ly = LEFT + (i - 1) * (pw // 2), TOP - 22
    add('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>', lx, ly, lx + 30, ly, color,
      s.dashed and ' stroke-dasharray="6 4"' or "")
    add('<text x="%d" y="%d">%s</text>', lx + 38, ly + 4, esc(s.name or ("series " .. i)))
  end
  add("</svg>")
  return table.concat(out, "\n") .. "\n"
end

return svg
