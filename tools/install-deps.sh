#!/bin/sh
# Installs, on Debian, the packages a cdperf job needs; only what is missing.
#   install-deps.sh base     build + tests + CLI (lua5.4, busted, luacheck, rsvg-convert for the SVG spec,
#                            LDoc and lua-markdown for make doc, ...)
#   install-deps.sh windows  mingw-w64 cross-compilers (x86_64, i686), dpkg-dev, wine64, Wine's headers
#   install-deps.sh peers    tgt, libiscsi, qemu, the comparison tools
#   install-deps.sh hardening  clang, libFuzzer runtime, valgrind
set -eu

base="lua5.4 liblua5.4-dev lua-busted lua-check lua-dkjson lua-argparse luarocks pkg-config gcc make libiscsi-dev librsvg2-bin lua-ldoc lua-markdown"
windows="gcc-mingw-w64-x86-64 gcc-mingw-w64-i686-win32 libwine-dev dpkg-dev wine64"
peers="tgt libiscsi-dev qemu-system-x86 qemu-block-extra busybox-static cpio xz-utils zstd dvd+rw-tools wodim xorriso"
hardening="clang libclang-rt-14-dev valgrind"

[ $# -gt 0 ] || set -- base
want=""
for s in "$@"; do
  case "$s" in
    base) want="$want $base" ;;
    windows) want="$want $windows" ;;
    peers) want="$want $peers" ;;
    hardening) want="$want $hardening" ;;
    *) echo "install-deps.sh: unknown set '$s'" >&2; exit 2 ;;
  esac
done

missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "installing:$missing" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# Lists go stale on a fresh machine; refresh once before installing.
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
