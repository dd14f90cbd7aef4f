-- Every example in examples/ runs as the README says: after eval "$(make env)", from any
-- directory, with lua5.4 (and busted for examples/*_spec.lua); each exits 0 and prints
-- what it is for.  A new example must be added to EXPECTED.

local ROOT = assert(os.getenv("PWD"))

-- example -> { args, patterns its output must match }
local EXPECTED = {
  ["exact_or_cav.lua"] = {
    { "", { "chosen: 8x BD %(35968 kB/s%)", "Exact or CAV speeds only; at most 8x", "by set_streaming", ": obeyed" } },
    { "emulated:samsung_sh224db_dvdpr", { "chosen: 4x DVD", "fallback 2 %(no Exact or CAV speed%)" } },
  },
  ["fastest_burn.lua"] = {
    { "23G", { "speed:   12x BD", "time:    11:0%d", "growisofs  %-speed=12" } },
    { "IMAGE emulated:optiarc_ad7590s_dvdpr_dl", { "image:   3000000000 bytes on DVD%+R DL", "speed:   6x DVD",
      "xorriso    %-speed" } },
  },
  ["by_media_id.lua"] = {
    { "", { "media ID: VERBAT%-IMe%-000 %(DI%)", "speed:    6x BD", "matches VERBAT%-IMe%*" } },
    { "emulated:optiarc_ad7590s_dvdpr_dl", { "media ID: MKM%-003%-00 %(ADIP%)", "matches MKM%-003%*" } },
    { "emulated:samsung_sh224db_dvdpr", { "RITEK%-F16%-00", "fallback 4", "the fastest: 12x DVD" } },
  },
  ["policy_function.lua"] = {
    { "", { "%* 8x BD %(35968 kB/s%) +14:00", "the slowest within 15:00" } },
  },
  ["policy_spec.lua"] = {
    { "", { "4 successes / 0 failures / 0 errors" } },
  },
}

-- Run a shell command line from a scratch directory with the build tree's paths (make env).
local function run(cmdline)
  local tmp = os.tmpname()
  os.remove(tmp)
  assert(os.execute("mkdir -p " .. tmp))
  local sh = ("cd %q && eval \"$(make -s -C %q env)\" && cd %q && %s 2>&1"):format(ROOT, ROOT, tmp, cmdline)
  local p = assert(io.popen("sh -c '" .. sh:gsub("'", "'\\''") .. "'"))
  local out = p:read("a")
  local ok, _, code = p:close()
  os.execute("rm -rf " .. tmp)
  return out, ok and 0 or code, tmp
end

describe("examples/", function()
  it("has an expectation for every example", function()
    local p = assert(io.popen("ls " .. ROOT .. "/examples"))
    local names = {}
    for name in p:lines() do
      if name:match("%.lua$") then
        names[#names + 1] = name
        assert.is_truthy(EXPECTED[name], "spec/examples_spec.lua: no expectation for examples/" .. name)
      end
    end
    p:close()
    assert.is_true(#names >= 5)
  end)

  for _, name in ipairs { "exact_or_cav.lua", "fastest_burn.lua", "by_media_id.lua", "policy_function.lua",
      "policy_spec.lua" } do
    for _, case in ipairs(EXPECTED[name]) do
      local args, patterns = case[1], case[2]
      it(("%s %s runs"):format(name, args), function()
        local path = ROOT .. "/examples/" .. name
        local cmdline
        if name:match("_spec%.lua$") then
          cmdline = "lua5.4 /usr/bin/busted " .. path
        elseif args:match("^IMAGE") then
          -- an image file of 3 GB that takes no room (sparse)
          local make_image = [[lua5.4 -e 'local f = io.open("image.iso", "wb") f:seek("set", 3e9 - 1) ]]
            .. [[f:write("\0") f:close()']]
          cmdline = make_image .. " && lua5.4 " .. path .. " " .. args:gsub("^IMAGE", "image.iso")
        else
          cmdline = "lua5.4 " .. path .. " " .. args
        end
        local out, status = run(cmdline)
        assert.are.equal(0, status, out)
        for _, pat in ipairs(patterns) do
          assert.is_truthy(out:find(pat), ("%s: %q not in:\n%s"):format(name, pat, out))
        end
      end)
    end
  end

  it("fastest_burn.lua says so when the image does not fit", function()
    local out, status = run("lua5.4 " .. ROOT .. "/examples/fastest_burn.lua 30G")
    assert.are_not.equal(0, status)
    assert.matches("do not fit", out, 1, true)
  end)
end)
