-- LuaRocks: `luarocks make` builds cdperf.core from src/ and installs the Lua layer and bin/cdperf.
-- The command-line report also needs argparse and dkjson (Debian: lua-argparse, lua-dkjson);
-- they are not listed as dependencies so that an offline `luarocks make` works.
rockspec_format = "3.0"
package = "cdperf"
version = "scm-1"
source = {
  url = "git+file:///cdperf",
}
description = {
  summary = "Know, choose and set the speed of an optical drive from Lua",
  detailed = [[
cdperf binds MMC GET PERFORMANCE (Windows: IOCTL_CDROM_GET_PERFORMANCE), SET CD SPEED,
SET STREAMING, mode page 2Ah and friends into Lua 5.4 tables, on Linux (SG_IO), Windows
(DeviceIoControl) and emulated drives, with helpers for picking the best write speed.]],
  license = "MIT",
}
dependencies = {
  "lua >= 5.4, < 5.5",
}

-- The iSCSI switch: true builds in iscsi:// drives (Linux; needs libiscsi-dev, i.e.
-- iscsi/iscsi.h and libiscsi.so); false answers them with "built without libiscsi".
local ISCSI = false

-- cdperf.core for one platform, as luasystem's rockspec does: the portable sources, the
-- OS file (transport_none.c stops the build on an OS without a transport) and the iSCSI
-- transport or its stand-in. Every list has the same length, so that LuaRocks' merge of
-- a platform over "unix" replaces it entry for entry.
local function core_for(os_file, defines, iscsi)
  return {
    modules = {
      ["cdperf.core"] = {
        sources = { "src/cdperf.c", "src/tables.c", "src/device.c", "src/error.c", "src/name.c",
                    "src/mmc.c", "src/sense.c", "src/transport_lua.c", os_file,
                    iscsi and "src/transport_iscsi.c" or "src/iscsi_none.c" },
        incdirs = { "src" },
        defines = defines,
        libraries = iscsi and { "iscsi" } or {},
      },
    },
  }
end
build = {
  type = "builtin",
  modules = {
    ["cdperf"] = "lua/cdperf/init.lua",
    ["cdperf.media"] = "lua/cdperf/media.lua",
    ["cdperf.format"] = "lua/cdperf/format.lua",
    ["cdperf.speeds"] = "lua/cdperf/speeds.lua",
    ["cdperf.emulator"] = "lua/cdperf/emulator.lua",
    ["cdperf.deepcopy"] = "lua/cdperf/deepcopy.lua",
    ["cdperf.judge"] = "lua/cdperf/judge.lua",
    ["cdperf.policy"] = "lua/cdperf/policy.lua",
    ["cdperf.snapshot"] = "lua/cdperf/snapshot.lua",
    ["cdperf.disc"] = "lua/cdperf/disc.lua",
    ["cdperf.report"] = "lua/cdperf/report.lua",
    ["cdperf.cli"] = "lua/cdperf/cli.lua",
    ["cdperf.cli_report"] = "lua/cdperf/cli_report.lua",
    ["cdperf.record"] = "lua/cdperf/record.lua",
    ["cdperf.model_check"] = "lua/cdperf/model_check.lua",
    ["cdperf.cli_record"] = "lua/cdperf/cli_record.lua",
    ["cdperf.burners"] = "lua/cdperf/burners.lua",
    ["cdperf.handoff"] = "lua/cdperf/handoff.lua",
    ["cdperf.progress"] = "lua/cdperf/progress.lua",
    ["cdperf.cli_burn"] = "lua/cdperf/cli_burn.lua",
    ["cdperf.physics"] = "lua/cdperf/physics.lua",
    ["cdperf.estimate"] = "lua/cdperf/estimate.lua",
    ["cdperf.measure"] = "lua/cdperf/measure.lua",
    ["cdperf.emulator_clock"] = "lua/cdperf/emulator_clock.lua",
    ["cdperf.svg"] = "lua/cdperf/svg.lua",
    ["cdperf.cli_test"] = "lua/cdperf/cli_test.lua",
    ["cdperf.models.ihas124f_cdr"] = "lua/cdperf/models/ihas124f_cdr.lua",
    ["cdperf.models.lg_gsa4083n_dvdrw"] = "lua/cdperf/models/lg_gsa4083n_dvdrw.lua",
    ["cdperf.models.lg_gsa4120b_no_getperf"] = "lua/cdperf/models/lg_gsa4120b_no_getperf.lua",
    ["cdperf.models.lg_gsa4163b_cdr"] = "lua/cdperf/models/lg_gsa4163b_cdr.lua",
    ["cdperf.models.lg_wh16ns40_bdr"] = "lua/cdperf/models/lg_wh16ns40_bdr.lua",
    ["cdperf.models.lg_wh16ns40_bdr_written"] = "lua/cdperf/models/lg_wh16ns40_bdr_written.lua",
    ["cdperf.models.lg_wh16ns40_empty"] = "lua/cdperf/models/lg_wh16ns40_empty.lua",
    ["cdperf.models.liteon_sohw1673s_dvdpr"] = "lua/cdperf/models/liteon_sohw1673s_dvdpr.lua",
    ["cdperf.models.nec_nd3540a_dvdprw"] = "lua/cdperf/models/nec_nd3540a_dvdprw.lua",
    ["cdperf.models.optiarc_ad7590s_dvdpr_dl"] = "lua/cdperf/models/optiarc_ad7590s_dvdpr_dl.lua",
    ["cdperf.models.samsung_sh224db_dvdpr"] = "lua/cdperf/models/samsung_sh224db_dvdpr.lua",
    ["cdperf.models.samsung_shs182m_dvdram"] = "lua/cdperf/models/samsung_shs182m_dvdram.lua",
    ["cdperf.models.tgt_dvdrom_scsi_generic"] = "lua/cdperf/models/tgt_dvdrom_scsi_generic.lua",
    ["cdperf.models.tgt_dvdpr_blank_scsi_generic"] = "lua/cdperf/models/tgt_dvdpr_blank_scsi_generic.lua",
    ["cdperf.models.tgt_dvdrom_scsi_block"] = "lua/cdperf/models/tgt_dvdrom_scsi_block.lua",
    ["cdperf.models.tgt_dvdpr_blank_scsi_block"] = "lua/cdperf/models/tgt_dvdpr_blank_scsi_block.lua",
    ["cdperf.models.qemu_scsi_cd"] = "lua/cdperf/models/qemu_scsi_cd.lua",
    ["cdperf.models.qemu_ide_cd"] = "lua/cdperf/models/qemu_ide_cd.lua",
  },
  -- cdperf.core comes from here, per platform (unix first, then linux, overrides it).
  platforms = {
    unix = core_for("src/transport_none.c", {}),
    linux = core_for("src/transport_linux.c", { "_POSIX_C_SOURCE=200809L" }, ISCSI),
    -- MSVC (LuaRocks' default Windows toolchain) as much as mingw: the defines become /D
    -- flags; _CRT_SECURE_NO_WARNINGS keeps cl quiet about snprintf/fopen (C4996); kernel32
    -- (DeviceIoControl, CreateFileA) is in every link; src/cdperf_ntddcdrm.h never shadows
    -- the SDK's <ntddcdrm.h>.
    windows = core_for("src/transport_win32.c",
                       { "WIN32_LEAN_AND_MEAN", "_WIN32_WINNT=0x0600", "_CRT_SECURE_NO_WARNINGS" }),
  },
  install = {
    bin = { cdperf = "bin/cdperf" },
    -- LuaRocks has no man directory: the page goes with the rock, to
    -- $(luarocks show --rock-dir cdperf)/conf/man/man1/cdperf.1 (man -l that file)
    conf = { ["man/man1/cdperf.1"] = "docs/cdperf.1" },
  },
}
