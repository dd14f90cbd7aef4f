#!/usr/bin/env bash
# test/rig/wine-run.sh [SCRIPT [ARGS...]]
#
# Runs a Lua script (default test/windows/check.lua) with the Windows build of
# Lua 5.4 and cdperf under Wine, and exits with the script's exit status.
#
#   WIN_LUA     directory with lua.exe and lua54.dll   (default build/win-lua,
#               made by test/rig/windows-lua.sh)
#   WIN_BUILD   directory with cdperf/core.dll         (default build/win, made by
#               make windows)
#   WINEPREFIX  the private Wine prefix                (default build/wine-prefix)
#
# Installs wine64 from Debian when missing. The prefix is created on the first
# run (about 10 s) and gets a drive D: of type "cdrom" backed by an empty
# directory, so that opening D: reaches Wine's CD-ROM driver, which does not
# implement IOCTL_CDROM_GET_PERFORMANCE; check.lua is told about it through
# CDPERF_WINE_CDROM=D:.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

WIN_LUA=${WIN_LUA:-build/win-lua}
WIN_BUILD=${WIN_BUILD:-build/win}
export WINEPREFIX=${WINEPREFIX:-$ROOT/build/wine-prefix}
export WINEDEBUG=-all
export WINEARCH=win64
# No Mono or Gecko installer dialogs, no desktop integration.
export WINEDLLOVERRIDES="mscoree,mshtml,winemenubuilder.exe="
unset DISPLAY WAYLAND_DISPLAY

SCRIPT=${1:-test/windows/check.lua}
[ $# -gt 0 ] && shift

SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

find_wine() {
  WINE=
  local c
  for c in "$(command -v wine64 2>/dev/null || true)" /usr/lib/wine/wine64 \
           "$(command -v wine 2>/dev/null || true)"; do
    if [ -n "$c" ] && [ -x "$c" ]; then WINE=$c; break; fi
  done
  WINESERVER=
  for c in "$(dirname "${WINE:-/nonexistent}")/wineserver" /usr/lib/wine/wineserver \
           /usr/lib/wine/wineserver64 "$(command -v wineserver 2>/dev/null || true)"; do
    if [ -n "$c" ] && [ -x "$c" ]; then WINESERVER=$c; break; fi
  done
  [ -n "$WINE" ] && [ -n "$WINESERVER" ]
}

if ! find_wine; then
  echo "wine-run: installing wine64" >&2
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends wine64 >/dev/null
  if ! find_wine; then
    # Debian's wine64 ships the loader as /usr/lib/wine/wine64; "wine" adds the
    # /usr/bin wrappers on systems where that is not enough.
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends wine >/dev/null
    find_wine || { echo "wine-run: no wine64 after installing wine64 and wine" >&2; exit 1; }
  fi
fi

for f in "$WIN_LUA/lua.exe" "$WIN_LUA/lua54.dll"; do
  [ -f "$f" ] || { echo "wine-run: $f missing (run test/rig/windows-lua.sh $WIN_LUA)" >&2; exit 1; }
done
[ -f "$WIN_BUILD/cdperf/core.dll" ] || {
  echo "wine-run: $WIN_BUILD/cdperf/core.dll missing (run make windows)" >&2; exit 1; }
[ -f "$SCRIPT" ] || { echo "wine-run: no script $SCRIPT" >&2; exit 1; }

# Unix path -> the path Wine's Z: drive gives it.
winpath() {
  local p
  p=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
  p=${p%/.}
  printf 'Z:%s' "${p//\//\\}"
}

# ---- the prefix, with D: a CD-ROM drive ------------------------------------
CDROM_LETTER=d
CDROM_DIR=$WINEPREFIX/cdrom-$CDROM_LETTER
if [ ! -f "$WINEPREFIX/.cdperf-ready" ]; then
  mkdir -p "$WINEPREFIX"
  echo "wine-run: creating the Wine prefix $WINEPREFIX (first start takes a while)" >&2
  "$WINE" wineboot.exe --init >/dev/null 2>&1 || true
  "$WINESERVER" -w
  [ -d "$WINEPREFIX/dosdevices" ] || { echo "wine-run: wineboot did not create $WINEPREFIX" >&2; exit 1; }
  mkdir -p "$CDROM_DIR"
  ln -sfn "$CDROM_DIR" "$WINEPREFIX/dosdevices/$CDROM_LETTER:"
  "$WINE" reg.exe add 'HKLM\Software\Wine\Drives' /v "$CDROM_LETTER:" /t REG_SZ /d cdrom /f \
    >/dev/null 2>&1 || { echo "wine-run: could not set the drive type of $CDROM_LETTER:" >&2; exit 1; }
  # mountmgr reads the drive types when it starts: restart the server.
  "$WINESERVER" -k >/dev/null 2>&1 || true
  "$WINESERVER" -w
  touch "$WINEPREFIX/.cdperf-ready"
fi
export CDPERF_WINE_CDROM="${CDROM_LETTER^^}:"
# The fault-injecting build (build/win-faults) reads the fault to inject from this file.
FAULT_FILE=$WINEPREFIX/cdperf-fault
printf none > "$FAULT_FILE"
CDPERF_FAULT_FILE=$(winpath "$FAULT_FILE")
export CDPERF_FAULT_FILE

# ---- run ------------------------------------------------------------------
LUA_DIR=$(winpath lua)
TEST_DIR=$(winpath test)   # test/tap.lua
export LUA_PATH="$LUA_DIR\\?.lua;$LUA_DIR\\?\\init.lua;$TEST_DIR\\?.lua"
LUA_CPATH="$(winpath "$WIN_BUILD")\\?.dll"
export LUA_CPATH
unset LUA_PATH_5_4 LUA_CPATH_5_4 LUA_INIT LUA_INIT_5_4

set +e
"$WINE" "$WIN_LUA/lua.exe" "$SCRIPT" "$@"
rc=$?
set -e
# Let wineserver exit (3 s after its last client) so that it does not hold
# the caller's output pipe open.
"$WINESERVER" -w >/dev/null 2>&1 || true
exit $rc
