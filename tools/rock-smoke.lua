-- Loads cdperf from a LuaRocks tree only (argument: the tree) and queries an emulated drive;
-- a second argument "iscsi" also wants the iSCSI transport built in.
local tree = assert(arg[1], "usage: rock-smoke.lua TREE [iscsi]")
package.path = tree .. "/share/lua/5.4/?.lua;" .. tree .. "/share/lua/5.4/?/init.lua"
package.cpath = tree .. "/lib/lua/5.4/?.so"
local cdperf = require "cdperf"
local drive <close> = assert(cdperf.open("emulated:lg_wh16ns40_bdr"))
local speeds = assert(drive:write_speeds())
assert(#speeds == 5 and speeds[1].write_speed == 53952, "unexpected write speeds")
assert(cdperf.core.platform == "linux", "platform " .. tostring(cdperf.core.platform))
assert(cdperf.core.have_iscsi == (arg[2] == "iscsi"), "have_iscsi " .. tostring(cdperf.core.have_iscsi))
print(("rock-smoke: cdperf %s loads from %s (iSCSI %s)"):format(cdperf._VERSION,
  assert(package.searchpath("cdperf.core", package.cpath)), cdperf.core.have_iscsi and "in" or "out"))
