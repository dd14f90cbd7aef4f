#!/bin/bash
# test/kernel/burn-rig.sh WORKDIR
#
# The burn test's part of the QEMU rig (issue 19 item 3).  test/rig/qemu-guest.sh runs
# it once, after tgtd is up and the initramfs is packed, just before QEMU starts, and
# adds what it prints (QEMU arguments, one a line) to QEMU's command line.  It
#   - makes tgt target 2 ($TGT_IQN-burn) with two blank DVD+R LUNs of its own (tgt
#     turns a blank into a DVD-ROM on CLOSE TRACK, so each burn that closes needs one),
#     attached to the guest as scsi-generic drives at SCSI targets 6 and 7;
#   - appends to WORKDIR/initramfs.cpio.gz a second archive (the kernel unpacks them
#     in turn) with growisofs and its libraries, build/sglog.so (mk/burn.mk), bin/cdperf
#     with argparse and dkjson, a 2 MiB image and its tree, and the rig's /init with
#     one line more: test/kernel/burn.lua runs after check.lua, and its failure fails
#     the guest.
# When any of that cannot be done it prints nothing, says why on stderr, and the rig
# runs as before.  Environment (exported by the rig): TGT_PORT, TGT_CONTROL_PORT, TGT_IQN.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 WORKDIR" >&2; exit 2; }
W=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$W/burn
IR=$B/initramfs
IQN=${TGT_IQN:-iqn.2026-11.org.cdperf:rig}-burn
PATH="$PATH:/usr/sbin:/sbin"

say() { echo "burn-rig: $*" >&2; }
skip() { say "no burn test: $*"; exit 0; }
adm() { tgtadm -C "${TGT_CONTROL_PORT:-0}" "$@"; }

[ -s "$W/initramfs.cpio.gz" ] || skip "no $W/initramfs.cpio.gz"
INIT=$W/initramfs/init
[ -f "$INIT" ] || INIT=$ROOT/test/rig/guest/init
MARK='echo "----- BEGIN CDPERF RESULTS -----"'
grep -qxF "$MARK" "$INIT" || skip "$INIT has no line $MARK"
command -v growisofs >/dev/null || skip "growisofs is not installed (dvd+rw-tools)"
adm --mode system --op show >/dev/null 2>&1 || skip "no tgtd on control port ${TGT_CONTROL_PORT:-0}"
make -C "$ROOT" -s build/sglog.so >&2 || skip "make build/sglog.so failed"

rm -rf "$B"
mkdir -p "$B/lun" "$IR/opt/cdperf/lib" "$IR/opt/cdperf/bin" "$IR/opt/cdperf/lua" "$IR/opt/cdperf/burn/tree"

# ------------------------------------------------------------------ tgt: two blank DVD+R
: > "$B/lun/a.iso"
: > "$B/lun/b.iso"
if adm --lld iscsi --mode target --op show | grep -q '^Target 2:'; then
  adm --lld iscsi --mode target --op delete --force --tid 2 >&2
fi
adm --lld iscsi --mode target --op new --tid 2 --targetname "$IQN" >&2
adm --lld iscsi --mode logicalunit --op new --tid 2 --lun 1 --device-type cd --backing-store "$B/lun/a.iso" >&2
adm --lld iscsi --mode logicalunit --op new --tid 2 --lun 2 --device-type cd --backing-store "$B/lun/b.iso" >&2
adm --lld iscsi --mode target --op bind --tid 2 -I ALL >&2

# ------------------------------------------------------------------ the second archive
copy_with_libs() {   # FILE...: each file and the ldd closure of it, at the same paths
  local f l
  for f in "$@"; do
    mkdir -p "$IR$(dirname "$f")"
    cp -L "$f" "$IR$f"
    for l in $(ldd "$f" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
      [ -e "$IR$l" ] && continue
      mkdir -p "$IR$(dirname "$l")"
      cp -L "$l" "$IR$l"
    done
  done
}
copy_with_libs "$(command -v growisofs)"
cp "$ROOT/build/sglog.so" "$IR/opt/cdperf/lib/sglog.so"
cp "$ROOT/bin/cdperf" "$IR/opt/cdperf/bin/cdperf"
mkdir -p "$IR/opt/cdperf/test"
cp "$ROOT/test/kernel/burn.lua" "$IR/opt/cdperf/test/burn.lua"
for m in argparse dkjson; do
  f=$(lua5.4 -e "print((package.searchpath('$m', package.path)))")
  [ -f "$f" ] || skip "the Lua module $m is not installed"
  cp "$f" "$IR/opt/cdperf/lua/$m.lua"
done
head -c 2097152 /dev/urandom > "$IR/opt/cdperf/burn/tree/data.bin"
xorriso -as mkisofs -quiet -V CDPERF_BURN -o "$IR/opt/cdperf/burn/img.iso" "$IR/opt/cdperf/burn/tree" >&2 ||
  skip "xorriso could not make the image"
# the rig's /init, with burn.lua after check.lua
awk -v mark="$MARK" '$0 == mark { print "lua5.4 /opt/cdperf/test/burn.lua /results 2>&1 || rc=1" } { print }' \
  "$INIT" > "$IR/init"
chmod 755 "$IR/init"
( cd "$IR" && find . -print0 | cpio --null -o -H newc --quiet ) | gzip -1 >> "$W/initramfs.cpio.gz"
say "target 2 $IQN (LUNs 1, 2: blank DVD+R) as SCSI targets 6, 7; $(du -sh "$IR" | cut -f1) more in the initramfs"

# ------------------------------------------------------------------ QEMU's arguments
for lun in 1 2; do
  printf '%s\n' -drive "file=iscsi://127.0.0.1:${TGT_PORT:-3260}/$IQN/$lun,if=none,id=burn$lun,format=raw,cache=none" \
    -device "scsi-generic,drive=burn$lun,bus=scsi0.0,channel=0,scsi-id=$((lun + 5)),lun=0"
done
