#!/bin/sh
# /init of the Wine guest (test/kernel/wine-rig.sh): the host's root over virtio-9p,
# a tmpfs overlay on the Wine prefix, Wine's D: on /dev/sr0, then the Windows and the
# Linux checks of test/kernel/wine.lua and wine_compare.lua in a chroot.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
dmesg -n 1
while read -r m; do
  [ -n "$m" ] && { insmod "/lib/modules/$m.ko" || echo "GUEST: insmod $m failed"; }
done < /lib/modules/load.order
ROOT=$(cat /cdperf-root)
rc=1
# The new root: a tmpfs with the host's directories bound in from 9p (a mount on a 9p
# directory is not seen through it), fresh /proc, /sys, /dev, /tmp, /run, /root.
mkdir -p /hostfs /host
mount -t tmpfs tmpfs /host
if mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /hostfs; then
  for e in /hostfs/*; do
    n=${e#/hostfs/}
    case $n in proc|sys|dev|tmp|run|root|lost+found) continue ;; esac
    if [ -L "$e" ]; then ln -s "$(readlink "$e")" "/host/$n"
    elif [ -d "$e" ]; then mkdir -p "/host/$n" && mount --bind "$e" "/host/$n"
    fi
  done
  mkdir -p /host/proc /host/sys /host/dev /host/tmp /host/run /host/root
  mount -t proc proc /host/proc
  mount -t sysfs sysfs /host/sys
  mount -t devtmpfs devtmpfs /host/dev
  mount -t tmpfs tmpfs /host/tmp
  mount -t tmpfs tmpfs /host/run
  mkdir -p /tmp/pfx-up /tmp/pfx-work
  P=/host$ROOT/build/wine-prefix
  mount -t overlay overlay -o "lowerdir=$P,upperdir=/tmp/pfx-up,workdir=/tmp/pfx-work" "$P" ||
    echo "GUEST: overlay on the Wine prefix failed"
  mkdir -p /host/tmp/out
  # the ISO shows up as sr0 once sr_mod is in
  i=0; while [ ! -e /dev/sr0 ] && [ $i -lt 60 ]; do sleep 0.5; i=$((i + 1)); done
  echo "GUEST: /dev/sr0 $(ls -l /dev/sr0 2>&1)"
  # Wine's D: is the drive (d:: names its Unix device; d: an empty mount point); the
  # Windows run's output goes through cat, so that Wine sees no terminal; CDPERF_TRACE
  # shows the path each call took (native IOCTL, refused, SCSI pass-through CDB).
  chroot /host /bin/bash -c "set -o pipefail; cd '$ROOT' && export HOME=/root &&
    P=\$PWD/build/wine-prefix && mkdir -p /tmp/cd &&
    ln -sfn /tmp/cd \$P/dosdevices/d: && ln -sfn /dev/sr0 \$P/dosdevices/d:: &&
    CDPERF_TRACE=1 bash test/rig/wine-run.sh test/kernel/wine.lua /tmp/out/windows.lua \
      < /dev/null 2>&1 | cat &&
    lua5.4 test/kernel/wine_compare.lua /dev/sr0 /tmp/out/windows.lua" 2>&1
  rc=$?
fi
echo "CDPERF-WINE-DONE rc=$rc"
sync
poweroff -f
