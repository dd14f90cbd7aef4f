#!/usr/bin/env bash
# test/rig/windows-lua.sh OUT_DIR
#
# Builds Lua 5.4 for Windows (x86_64, mingw-w64) from Debian's lua5.4 source
# package and leaves in OUT_DIR:
#   lua.exe  lua54.dll  include/{lua.h,luaconf.h,lualib.h,lauxlib.h,lua.hpp}
# Modules link directly against lua54.dll (GNU ld needs no import library).
#
# Idempotent: does nothing when those files already exist. Installs what it
# needs (gcc-mingw-w64-x86-64, dpkg-dev, make) with apt-get when missing, and
# adds a deb-src entry (a copy of the machine's deb822 sources file with
# "Types: deb-src") when apt has none.
#
# Built from the package's pristine upstream tarball (lua5.4_*.orig.tar.gz)
# with upstream's `make mingw`, plus those Debian patches that only fix .c
# files (see below): Debian's build-system patch removes the mingw target.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi

OUT=$1
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

HEADERS="lua.h luaconf.h lualib.h lauxlib.h lua.hpp"
CROSS=x86_64-w64-mingw32

have_all() {
  [ -f "$OUT/lua.exe" ] && [ -f "$OUT/lua54.dll" ] || return 1
  for h in $HEADERS; do [ -f "$OUT/include/$h" ] || return 1; done
  return 0
}

if have_all; then
  echo "windows-lua: $OUT already has lua.exe, lua54.dll and the headers"
  exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

apt_updated=0
apt_update() {
  if [ $apt_updated -eq 0 ]; then
    $SUDO apt-get update -q
    apt_updated=1
  fi
}

need_pkgs=()
command -v "$CROSS-gcc" >/dev/null 2>&1 || need_pkgs+=(gcc-mingw-w64-x86-64)
command -v dpkg-source >/dev/null 2>&1 || need_pkgs+=(dpkg-dev)
command -v make >/dev/null 2>&1 || need_pkgs+=(make)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  apt_update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need_pkgs[@]}"
fi

# A deb-src entry for apt-get source (idempotent).
SRC_LIST=/etc/apt/sources.list.d/cdperf-deb-src.sources
has_deb_src() {
  grep -rqsE '^[[:space:]]*deb-src[[:space:]]|^Types:.*deb-src' \
    /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}
if ! has_deb_src; then
  BASE=/etc/apt/sources.list.d/debian.sources
  if [ ! -f "$BASE" ]; then
    echo "windows-lua: no deb-src entry and no $BASE to copy one from" >&2
    exit 1
  fi
  sed -E 's/^Types:.*/Types: deb-src/' "$BASE" | $SUDO tee "$SRC_LIST" >/dev/null
  apt_updated=0
  apt_update
elif ! apt-cache showsrc lua5.4 >/dev/null 2>&1 || [ -z "$(apt-cache showsrc lua5.4 2>/dev/null)" ]; then
  apt_updated=0
  apt_update
fi

WORK=$OUT/.src
mkdir -p "$WORK"
cd "$WORK"

# apt-get source downloads .dsc, .orig.tar.gz and .debian.tar.xz;
# --download-only skips dpkg-source -x, which would apply every patch.
if [ -z "$(find . -maxdepth 1 -name 'lua5.4_*.orig.tar.gz')" ] ||
   [ -z "$(find . -maxdepth 1 -name 'lua5.4_*.debian.tar.*')" ]; then
  apt-get source --download-only -q lua5.4
fi
ORIG=$(find . -maxdepth 1 -name 'lua5.4_*.orig.tar.gz' | sort -V | tail -n 1)
DEB=$(find . -maxdepth 1 -name 'lua5.4_*.debian.tar.*' | sort -V | tail -n 1)

rm -rf pristine
mkdir pristine
tar -xzf "$ORIG" -C pristine --strip-components=1
tar -xf "$DEB" -C pristine

# Debian's patches: 0001-build-system replaces src/Makefile with a libtool
# build for Linux (-ldl, version scripts, C++ objects; the mingw target is
# gone), 0002 points luaconf.h at Debian's paths (non-Windows branch only),
# 0003 is for C++. Those are skipped. Patches that touch only .c files
# (the security fixes, 0004-cve-2022-28805 and 0005-cve-2022-33099 in
# bookworm) are applied.
command -v patch >/dev/null 2>&1 || {
  apt_update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends patch
}
cd pristine
if [ -f debian/patches/series ]; then
  while read -r p _; do
    case "$p" in ''|'#'*) continue ;; esac
    files=$(grep -E '^\+\+\+ ' "debian/patches/$p" | awk '{print $2}' | sed -E 's#^[ab]/##')
    if [ -n "$files" ] && ! printf '%s\n' "$files" | grep -qvE '^src/[^/]+\.c$'; then
      echo "windows-lua: applying debian/patches/$p"
      patch -p1 --forward --quiet < "debian/patches/$p"
    else
      echo "windows-lua: skipping debian/patches/$p (build system or paths)"
    fi
  done < debian/patches/series
fi

cd src
# Upstream's mingw target: lua54.dll (LUA_BUILD_AS_DLL) and a lua.exe using it.
make mingw CC="$CROSS-gcc" >"$WORK/build.log" 2>&1 || {
  tail -n 30 "$WORK/build.log" >&2
  echo "windows-lua: make mingw failed (log: $WORK/build.log)" >&2
  exit 1
}

mkdir -p "$OUT/include"
cp lua.exe lua54.dll "$OUT/"
for h in $HEADERS; do cp "$h" "$OUT/include/"; done

cd "$OUT"
rm -rf "$WORK/pristine"

if ! have_all; then
  echo "windows-lua: build finished but files are missing in $OUT" >&2
  exit 1
fi
echo "windows-lua: built $OUT/lua.exe, $OUT/lua54.dll and $OUT/include"
