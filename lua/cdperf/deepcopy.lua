--- cdperf.deepcopy: a copy of a value with every table in it copied too (keys as they are).
-- Its own module so that model files can derive from one another without a require loop
-- through cdperf.emulator, which loads them; the emulator exports it as emulator.deepcopy.
local function deepcopy(v)
  if type(v) ~= "table" then return v end
  local t = {}
  for k, x in pairs(v) do t[k] = deepcopy(x) end
  return t
end

return deepcopy
