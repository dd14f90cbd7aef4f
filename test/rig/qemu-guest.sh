#!/bin/bash
# test/rig/qemu-guest.sh [--keep] WORKDIR
#
# The kernel SG_IO test of cdperf (issue 5 items 3 and 4): boots the Debian
# kernel (linux-image-amd64, unpacked into WORKDIR, never installed) under
# QEMU/TCG with a busybox initramfs holding lua5.4, the built module
# (build/cdperf/core.so + lua/), test/kernel/*.lua, dvd+rw-mediainfo, wodim and
# xorriso, and these optical drives:
#
#   scsi-id 1  tgt LUN 1 (DVD-ROM)     iscsi:// + scsi-generic   virtio-scsi
#   scsi-id 2  tgt LUN 2 (blank DVD+R) iscsi:// + scsi-generic   virtio-scsi
#   scsi-id 3  tgt LUN 1 (DVD-ROM)     iscsi:// + scsi-block     virtio-scsi
#   scsi-id 4  tgt LUN 2 (blank DVD+R) iscsi:// + scsi-block     virtio-scsi
#   scsi-id 5  QEMU scsi-cd with an 80 MiB ISO, reads throttled   virtio-scsi
#   ide1.0     QEMU ide-cd with the same ISO, another throttle   ata_piix/libata
#
# test/kernel/check.lua runs inside (devices found by vendor/model in sysfs),
# hands its result files back over the serial console, and the host then runs
# test/kernel/side_by_side.lua, which compares the peers' outputs with cdperf's
# emitters and writes docs/side-by-side.md.
#
# Idempotent: downloads and the unpacked kernel are cached in WORKDIR; the
# initramfs is rebuilt every run.  tgtd (test/rig/tgt-start.sh, TGT_PORT
# default 3261 here, TGT_CONTROL_PORT default 5) is started fresh and stopped
# at the end; --keep leaves it running and keeps the initramfs tree.
#
# Environment: RIG_TGT=0 (debugging: attach only QEMU's own drives, no tgtd),
# QEMU_TIMEOUT (s, default 600), QEMU_SMP (default 2),
# CDPERF_TRACE=0 (turns off the core's CDB trace in the guest; on by default), SIDE_BY_SIDE_OUT (default
# docs/side-by-side.md; empty to skip writing it).
# Log: WORKDIR/guest.log.  Exit status non-zero on any failure.
set -euo pipefail

KEEP=0
if [ "${1:-}" = --keep ]; then KEEP=1; shift; fi
[ $# -eq 1 ] || { echo "usage: $0 [--keep] WORKDIR" >&2; exit 2; }

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$1"
W=$(cd "$1" && pwd)
LOG=$W/guest.log
export TGT_PORT=${TGT_PORT:-3261}
export TGT_CONTROL_PORT=${TGT_CONTROL_PORT:-5}
export TGT_IQN=${TGT_IQN:-iqn.2026-11.org.cdperf:rig}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-600}
QEMU_SMP=${QEMU_SMP:-2}
RIG_TGT=${RIG_TGT:-1}
SIDE_BY_SIDE_OUT=${SIDE_BY_SIDE_OUT-$ROOT/docs/side-by-side.md}
T_START=$(date +%s)

: > "$LOG"
log() { printf '%s\n' "rig: $*" | tee -a "$LOG" >&2; }
die() { log "FAIL: $*"; echo "0 passed, 1 failed" | tee -a "$LOG"; exit 1; }

# ---------------------------------------------------------------- packages
pkgs_missing=()
need_pkg() {   # need_pkg PACKAGE
  dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q 'install ok installed' ||
    pkgs_missing+=("$1")
}
for p in qemu-system-x86 qemu-block-extra busybox-static cpio gzip kmod lua5.4 \
         dvd+rw-tools wodim xorriso tgt; do
  need_pkg "$p"
done
if [ ${#pkgs_missing[@]} -gt 0 ]; then
  log "installing ${pkgs_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${pkgs_missing[@]}" >>"$LOG" 2>&1 || {
    apt-get update >>"$LOG" 2>&1
    apt-get install -y --no-install-recommends "${pkgs_missing[@]}" >>"$LOG" 2>&1
  } || die "apt-get install ${pkgs_missing[*]} failed (see $LOG)"
fi
[ -e /usr/lib/x86_64-linux-gnu/qemu/block-iscsi.so ] ||
  die "QEMU's iscsi block driver (qemu-block-extra) is missing"

# ---------------------------------------------------------------- kernel
# linux-image-amd64 is a metapackage: download the image package it depends on
# and unpack it into WORKDIR/kernel (cached; never installed on the host).
KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null |
       awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$KPKG" ] || die "cannot resolve linux-image-amd64 (apt-get update?)"
KROOT=$W/kernel
if [ "$(cat "$KROOT/.package" 2>/dev/null)" != "$KPKG" ]; then
  log "downloading and unpacking $KPKG"
  rm -rf "$KROOT" "$W/debs"; mkdir -p "$W/debs" "$KROOT"
  (cd "$W/debs" && apt-get download "$KPKG" >>"$LOG" 2>&1) ||
    die "apt-get download $KPKG failed"
  dpkg-deb -x "$W"/debs/"$KPKG"_*.deb "$KROOT"
  echo "$KPKG" > "$KROOT/.package"
fi
KVER=$(find "$KROOT/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | head -1)
VMLINUZ=$KROOT/boot/vmlinuz-$KVER
[ -f "$VMLINUZ" ] || die "no kernel image in $KROOT/boot"
[ -f "$KROOT/lib/modules/$KVER/modules.dep" ] || depmod -b "$KROOT" "$KVER"

# ---------------------------------------------------------------- initramfs
IR=$W/initramfs
rm -rf "$IR"
mkdir -p "$IR"/{bin,sbin,usr/bin,usr/sbin,lib/modules,lib64,proc,sys,dev,tmp,root,results,opt/cdperf/lib/cdperf,opt/cdperf/test}

# shellcheck source=test/rig/initramfs.sh
. "$ROOT/test/rig/initramfs.sh"
ir_busybox "$IR"
ir_modules "$IR" "$KROOT" "$KVER" scsi_mod cdrom sr_mod sg virtio_pci virtio_scsi ata_piix
[ -s "$IR/lib/modules/load.order" ] || die "no modules resolved from $KROOT"

copy_libs() {   # copy_libs FILE...: the ldd closure of each FILE, same paths
  local f l
  for f in "$@"; do
    for l in $(ldd "$f" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
      [ -e "$IR$l" ] && continue
      mkdir -p "$IR$(dirname "$l")"
      cp -L "$l" "$IR$l"
    done
  done
}
copy_with_libs() {   # copy_with_libs FILE...: FILE (same path) and its libraries
  local f
  for f in "$@"; do
    mkdir -p "$IR$(dirname "$f")"
    cp -L "$f" "$IR$f"
  done
  copy_libs "$@"
}
copy_with_libs "$(command -v lua5.4)" "$(command -v dvd+rw-mediainfo)" \
               "$(command -v wodim)" "$(command -v xorriso)"
[ -e "$IR/lib64/ld-linux-x86-64.so.2" ] || cp -L /lib64/ld-linux-x86-64.so.2 "$IR/lib64/"

cp -r "$ROOT/lua/." "$IR/opt/cdperf/lua/" 2>/dev/null || mkdir -p "$IR/opt/cdperf/lua"
if [ -f "$ROOT/build/cdperf/core.so" ]; then
  cp "$ROOT/build/cdperf/core.so" "$IR/opt/cdperf/lib/cdperf/core.so"
  copy_libs "$ROOT/build/cdperf/core.so"
else
  log "WARNING: $ROOT/build/cdperf/core.so not built (run make): the cdperf checks will fail"
fi
if [ -f "$ROOT/build/faults/fault_shim.so" ]; then   # test/kernel/faults.lua's LD_PRELOAD shim
  cp "$ROOT/build/faults/fault_shim.so" "$IR/opt/cdperf/lib/fault_shim.so"
  copy_libs "$ROOT/build/faults/fault_shim.so"
else
  log "WARNING: $ROOT/build/faults/fault_shim.so not built (make faults-shim): the fault checks will fail"
fi
cp "$ROOT"/test/kernel/*.lua "$ROOT/test/tap.lua" "$IR/opt/cdperf/test/"
cp "$ROOT/test/rig/guest/init" "$IR/init"
chmod 755 "$IR/init"

( cd "$IR" && find . -print0 | cpio --null -o -H newc --quiet ) | gzip -1 > "$W/initramfs.cpio.gz"
log "initramfs $(du -h "$W/initramfs.cpio.gz" | cut -f1) with modules: $(tr '\n' ' ' < "$IR/lib/modules/load.order")"

# the ISO for QEMU's own scsi-cd and ide-cd: 80 MiB (a CD-ROM to QEMU), large enough for
# test/kernel/measure.lua's 16 zones to read a tenth of it and for the throttle's burst
# (a tenth of a second) not to matter
ISO_MB=80
if [ "$(stat -c %s "$W/cd.iso" 2>/dev/null || echo 0)" -lt $((ISO_MB * 1048576)) ]; then
  rm -rf "$W/isoroot"; mkdir -p "$W/isoroot"; echo "cdperf test medium" > "$W/isoroot/README.TXT"
  head -c $((ISO_MB * 1048576)) /dev/urandom > "$W/isoroot/DATA.BIN"
  xorriso -as mkisofs -quiet -V CDPERF_RIG -o "$W/cd.iso" "$W/isoroot" >>"$LOG" 2>&1 ||
    die "xorriso could not make $W/cd.iso"
  rm -rf "$W/isoroot"
fi
# QEMU's block throttling (issue 18 item 7): user-data bytes per second of reads, one rate
# per drive so a run shows the measured rate follows the setting
THROTTLE_SCSI=${THROTTLE_SCSI:-2770000}
THROTTLE_IDE=${THROTTLE_IDE:-1385000}

# ---------------------------------------------------------------- tgtd
TGTDIR=$W/tgt
[ "$RIG_TGT" = 1 ] || log "RIG_TGT=$RIG_TGT: no tgtd, QEMU's own drives only (the tgt checks will fail)"
[ "$RIG_TGT" = 1 ] && for s in tgt-start.sh tgt-stop.sh; do
  [ -x "$ROOT/test/rig/$s" ] || [ -f "$ROOT/test/rig/$s" ] || die "test/rig/$s is missing"
done
cleanup() {
  local rc=$?
  if [ "$RIG_TGT" != 1 ]; then
    :
  elif [ "$KEEP" = 0 ]; then
    bash "$ROOT/test/rig/tgt-stop.sh" "$TGTDIR" >>"$LOG" 2>&1 || true
    rm -rf "$IR"
  else
    log "--keep: tgtd left running (pid file $TGTDIR/tgtd.pid, port $TGT_PORT), initramfs tree in $IR"
  fi
  exit $rc
}
trap cleanup EXIT
if [ "$RIG_TGT" = 1 ]; then
  bash "$ROOT/test/rig/tgt-stop.sh" "$TGTDIR" >>"$LOG" 2>&1 || true
  bash "$ROOT/test/rig/tgt-start.sh" "$TGTDIR" >>"$LOG" 2>&1 || die "tgt-start.sh failed (see $LOG)"
  log "tgtd on 127.0.0.1:$TGT_PORT, target $TGT_IQN"
fi

# ---------------------------------------------------------------- QEMU
ISCSI=iscsi://127.0.0.1:$TGT_PORT/$TGT_IQN
# (the commas below are QEMU's option syntax)
# shellcheck disable=SC2054
QARGS=(
  -machine pc,accel=tcg -cpu max -smp "$QEMU_SMP" -m 512
  -nodefaults -display none -no-reboot -monitor none -serial stdio
  -kernel "$VMLINUZ" -initrd "$W/initramfs.cpio.gz"
  -append "console=ttyS0 rdinit=/init panic=-1 quiet loglevel=3 cdperf.devices=$((RIG_TGT == 1 ? 6 : 2)) cdperf.tgt=$RIG_TGT cdperf.throttle.virtio=$THROTTLE_SCSI cdperf.throttle.ata=$THROTTLE_IDE${CDPERF_TRACE:+ cdperf.trace=$CDPERF_TRACE}"
  -iscsi initiator-name=iqn.2026-11.org.cdperf:qemu-guest
  -device virtio-scsi-pci,id=scsi0
)
# shellcheck disable=SC2054
[ "$RIG_TGT" = 1 ] && QARGS+=(
  -drive "file=$ISCSI/1,if=none,id=tgt1g,format=raw,cache=none"
  -device scsi-generic,drive=tgt1g,bus=scsi0.0,channel=0,scsi-id=1,lun=0
  -drive "file=$ISCSI/2,if=none,id=tgt2g,format=raw,cache=none"
  -device scsi-generic,drive=tgt2g,bus=scsi0.0,channel=0,scsi-id=2,lun=0
  -drive "file=$ISCSI/1,if=none,id=tgt1b,format=raw,cache=none"
  -device scsi-block,drive=tgt1b,bus=scsi0.0,channel=0,scsi-id=3,lun=0
  -drive "file=$ISCSI/2,if=none,id=tgt2b,format=raw,cache=none"
  -device scsi-block,drive=tgt2b,bus=scsi0.0,channel=0,scsi-id=4,lun=0
)
# shellcheck disable=SC2054
QARGS+=(
  -drive "if=none,id=cd1,media=cdrom,format=raw,readonly=on,file=$W/cd.iso,throttling.bps-read=$THROTTLE_SCSI"
  -device scsi-cd,drive=cd1,bus=scsi0.0,channel=0,scsi-id=5,lun=0
  -drive "if=none,id=cd2,media=cdrom,format=raw,readonly=on,file=$W/cd.iso,throttling.bps-read=$THROTTLE_IDE"
  -device ide-cd,drive=cd2,bus=ide.1,unit=0
)
[ "$RIG_TGT" != 1 ] || [ ! -f "$ROOT/test/kernel/burn-rig.sh" ] || mapfile -t -O "${#QARGS[@]}" QARGS < <(bash "$ROOT/test/kernel/burn-rig.sh" "$W" 2>>"$LOG" || true)   # issue 19: the burn test
log "qemu-system-x86_64 ${QARGS[*]}"
T_QEMU=$(date +%s)
set +e
timeout --kill-after=10 "$QEMU_TIMEOUT" qemu-system-x86_64 "${QARGS[@]}" </dev/null 2>&1 |
  stdbuf -oL tr -d '\r' | tee "$W/serial.log" |
  awk '/^----- END CDPERF RESULTS/ { skip = 0 } !skip { print; fflush() }
       /^----- BEGIN CDPERF RESULTS/ { skip = 1; print "(result files, base64)" }' |
  tee -a "$LOG"
qrc=${PIPESTATUS[0]}
set -e
T_END_QEMU=$(date +%s)
log "QEMU exited $qrc after $((T_END_QEMU - T_QEMU)) s"
[ "$qrc" = 124 ] && die "the guest did not finish within ${QEMU_TIMEOUT}s"

# ---------------------------------------------------------------- results
rm -rf "$W/results"; mkdir -p "$W/results"
sed -n '/^----- BEGIN CDPERF RESULTS -----$/,/^----- END CDPERF RESULTS -----$/p' "$W/serial.log" |
  sed '1d;$d' | base64 -d 2>/dev/null | tar -xzf - -C "$W/results" 2>>"$LOG" ||
  die "no result files came back from the guest (see $W/serial.log)"
grc=$(sed -n 's/^CDPERF-GUEST-DONE rc=\([0-9]*\)$/\1/p' "$W/serial.log" | tail -1)
[ -n "$grc" ] || die "the guest did not report (see $W/serial.log)"
# the guest's scripts: check.lua's "N passed, N failed" and the prefixed lines of the ones
# after it ("record: ...", "measure: ..."), each the last of its kind
gsum=$(grep -E '^([a-z-]+: )?[0-9]+ passed, [0-9]+ failed$' "$W/serial.log" |
       awk '{ k = ($1 ~ /:$/) ? $1 : "check:"; last[k] = $0 }
            END { for (k in last) { n = split(last[k], f, " "); p += f[n - 3]; x += f[n - 1] }
                  if (length(last) == 0) x = 1; printf "%d passed, %d failed\n", p, x }' || true)
[ -n "$gsum" ] || gsum="0 passed, 1 failed"
gpass=${gsum%% passed*}; gfail=${gsum#*, }; gfail=${gfail%% failed}
[ "$grc" = 0 ] || [ "$gfail" != 0 ] || gfail=1

log "side by side (host): lua5.4 test/kernel/side_by_side.lua $W/results ${SIDE_BY_SIDE_OUT:-(no file)}"
set +e
LUA_PATH_5_4="$ROOT/lua/?.lua;$ROOT/lua/?/init.lua;$ROOT/test/kernel/?.lua;;" \
LUA_CPATH_5_4="$ROOT/build/?.so;;" \
  lua5.4 "$ROOT/test/kernel/side_by_side.lua" "$W/results" "$SIDE_BY_SIDE_OUT" 2>&1 | tee -a "$LOG"
src=${PIPESTATUS[0]}
set -e
ssum=$(grep -E '^side-by-side: [0-9]+ passed, [0-9]+ failed$' "$LOG" | tail -1 | sed 's/^side-by-side: //')
[ -n "$ssum" ] || ssum="0 passed, 1 failed"
spass=${ssum%% passed*}; sfail=${ssum#*, }; sfail=${sfail%% failed}
[ "$src" = 0 ] || [ "$sfail" != 0 ] || sfail=1

T_END=$(date +%s)
log "timings: setup $((T_QEMU - T_START)) s, guest $((T_END_QEMU - T_QEMU)) s, total $((T_END - T_START)) s"
log "guest checks: $gsum; side-by-side: $ssum"
pass=$((gpass + spass)); fail=$((gfail + sfail))
echo "$pass passed, $fail failed" | tee -a "$LOG"
[ "$fail" = 0 ]
