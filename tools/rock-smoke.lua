-- Loads cdperf from a LuaRocks tree only (argument: the tree) and queries an emulated drive.
local tree = assert(arg[1], "usage: rock-smoke.lua TREE")
package.path = tree .. "/share/lua/5.4/?.lua;" .. tree .. "/share/lua/5.4/?/init.lua"
package.cpath = tree .. "/lib/lua/5.4/?.so"
local cdperf = require "cdperf"
local drive <close> = assert(cdperf.open("emulated:lg_wh16ns40_bdr"))
local speeds = assert(drive:write_speeds())
assert(#speeds == 5 and speeds[1].write_speed == 53952, "unexpected write speeds")
print(("rock-smoke: cdperf %s loads from %s"):format(cdperf._VERSION,
  assert(package.searchpath("cdperf.core", package.cpath))))
