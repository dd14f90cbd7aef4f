#!/bin/bash
# test/kernel/wine-rig.sh WORKDIR
#
# Issue 14, first step: the Windows DLL through a real kernel. Boots the kernel that
# test/rig/qemu-guest.sh unpacked (WORKDIR/kernel, from make check-kernel) with QEMU's
# scsi-cd (the rig's small ISO) and tgt's two LUNs (scsi-generic and scsi-block) on
# virtio-scsi and the host's root shared read-only over
# virtio-9p; the guest's init (test/kernel/wine-init.sh) chroots into it, lays a tmpfs
# overlay on the Wine prefix (build/wine-prefix, made by test/rig/wine-run.sh), gives each
# /dev/srN a Wine drive letter of type cdrom from D: on (dosdevices "d::" link), runs
# test/kernel/wine.lua
# with the Windows lua.exe and build/win/cdperf/core.dll, then test/kernel/wine_compare.lua
# with the Linux module on the same devices: the same calls, the same tables. The guest
# writes its files (windows.lua, windows.log, windows-path.lua) to WORKDIR/out, a writable
# virtio-9p share; test/kernel/wine_table.lua then writes the Windows-path section of
# docs/side-by-side.md from windows-path.lua (the rest of that file is side_by_side.lua's).
#   WINE_RIG_TGT=0                  the scsi-cd only
#   WINE_RIG_TGT_PORT, WINE_RIG_TGT_CONTROL (or TGT_PORT, TGT_CONTROL_PORT)
#                                   tgtd's iSCSI port and control port (3263, 7): a rig
#                                   beside another one needs its own
#   WINE_RIG_DOC                    the file whose section is written (default
#                                   docs/side-by-side.md; empty: none)
# Prints the guest's "N passed, N failed" last; exit status non-zero on any failure.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 WORKDIR" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$1"
W=$(cd "$1" && pwd)
KW=${KERNEL_RIG:-$ROOT/build/kernel-rig}
KROOT=$KW/kernel
LOG=$W/wine-guest.log
OUT=$W/out
DOC=${WINE_RIG_DOC-$ROOT/docs/side-by-side.md}
die() { echo "wine-rig: FAIL: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

[ -d "$KROOT/lib/modules" ] || die "no kernel in $KROOT (run make check-kernel first)"
KVER=$(find "$KROOT/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | head -1)
VMLINUZ=$KROOT/boot/vmlinuz-$KVER
[ -f "$KW/cd.iso" ] || die "no $KW/cd.iso (run make check-kernel first)"
for f in build/win/cdperf/core.dll build/win-lua/lua.exe build/cdperf/core.so \
         build/wine-prefix/.cdperf-ready; do
  [ -e "$ROOT/$f" ] || die "$f missing (make, make windows, make check-wine)"
done

IR=$W/initramfs
rm -rf "$IR"
mkdir -p "$IR"/{bin,sbin,lib/modules,proc,sys,dev,tmp,host}
# shellcheck source=test/rig/initramfs.sh
. "$ROOT/test/rig/initramfs.sh"
ir_busybox "$IR"
ir_modules "$IR" "$KROOT" "$KVER" scsi_mod cdrom sr_mod sg virtio_pci virtio_scsi 9pnet_virtio 9p overlay
cp "$ROOT/test/kernel/wine-init.sh" "$IR/init"
chmod 755 "$IR/init"
printf '%s\n' "$ROOT" > "$IR/cdperf-root"
( cd "$IR" && find . -print0 | cpio --null -o -H newc --quiet ) | gzip -1 > "$W/initramfs.cpio.gz"

# tgt's two LUNs, each as scsi-generic and scsi-block (as test/rig/qemu-guest.sh attaches
# them), on its own ports so that it can run beside the other rigs.
export TGT_PORT=${WINE_RIG_TGT_PORT:-${TGT_PORT:-3263}}
export TGT_CONTROL_PORT=${WINE_RIG_TGT_CONTROL:-${TGT_CONTROL_PORT:-7}}
export TGT_IQN=${TGT_IQN:-iqn.2026-11.org.cdperf:rig}
TGTDIR=$W/tgt
TGT=${WINE_RIG_TGT:-1}
DEVICES=1
TGTARGS=()
# The guest's share for its files, and how each SCSI id is attached (for the table).
rm -rf "$OUT"
mkdir -p "$OUT"
echo "5 QEMU's scsi-cd (the rig's ISO)" > "$OUT/attach.txt"
if [ "$TGT" = 1 ]; then
  trap 'bash "$ROOT/test/rig/tgt-stop.sh" "$TGTDIR" >/dev/null 2>&1 || true' EXIT
  bash "$ROOT/test/rig/tgt-stop.sh" "$TGTDIR" >/dev/null 2>&1 || true
  bash "$ROOT/test/rig/tgt-start.sh" "$TGTDIR" > "$W/tgt-start.log" 2>&1 ||
    die "tgt-start.sh failed ($W/tgt-start.log)"
  ISCSI=iscsi://127.0.0.1:$TGT_PORT/$TGT_IQN
  id=1
  for kind in scsi-generic scsi-block; do
    for lun in 1 2; do
      TGTARGS+=(-drive "file=$ISCSI/$lun,if=none,id=t$id,format=raw,cache=none"
                -device "$kind,drive=t$id,bus=scsi0.0,channel=0,scsi-id=$id,lun=0")
      echo "$id tgt LUN $lun over iSCSI, QEMU $kind" >> "$OUT/attach.txt"
      id=$((id + 1))
    done
  done
  DEVICES=5
fi

ACCEL=tcg CPU=${WINE_RIG_CPU:-qemu64}
[ -w /dev/kvm ] && [ "${WINE_RIG_KVM:-0}" = 1 ] && ACCEL=kvm CPU=host
# shellcheck disable=SC2054
timeout "${QEMU_TIMEOUT:-600}" qemu-system-x86_64 -machine pc,accel=$ACCEL -cpu "$CPU" -smp 2 -m 2048 \
  -nodefaults -display none -no-reboot -monitor none -serial stdio \
  -kernel "$VMLINUZ" -initrd "$W/initramfs.cpio.gz" \
  -append "console=ttyS0 rdinit=/init panic=-1 quiet loglevel=3 cdperf.devices=$DEVICES" \
  -iscsi initiator-name=iqn.2026-11.org.cdperf:wine-guest \
  -device virtio-scsi-pci,id=scsi0 \
  -drive "file=$KW/cd.iso,if=none,id=cd,format=raw,media=cdrom,readonly=on" \
  -device scsi-cd,drive=cd,bus=scsi0.0,scsi-id=5,lun=0 "${TGTARGS[@]}" \
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on \
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
  -fsdev local,id=out,path="$OUT",security_model=none \
  -device virtio-9p-pci,fsdev=out,mount_tag=out \
  > "$LOG" 2>&1 || true
tr -d '\r' < "$LOG" | sed 's/^/  | /' | tail -n 60
# The table, whatever the outcome (a row that differs says so).
if [ -n "$DOC" ] && [ -s "$OUT/windows-path.lua" ]; then
  lua5.4 "$ROOT/test/kernel/wine_table.lua" "$OUT/windows-path.lua" "$DOC" ||
    die "wine_table.lua could not write $DOC"
fi
grep -q 'CDPERF-WINE-DONE rc=0' "$LOG" || die "guest run failed (log: $LOG)"
tr -d '\r' < "$LOG" | awk '/^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3 }
  END { printf "%d passed, %d failed\n", p, f }'
