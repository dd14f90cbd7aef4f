#!/bin/sh
# /init of the Wine guest (test/kernel/wine-rig.sh): the host's root over virtio-9p,
# a tmpfs overlay on the Wine prefix, Wine's D: on /dev/sr0, then the Windows and the
# Linux checks of test/kernel/wine.lua and wine_compare.lua in a chroot. Their files go to
# /tmp/out, the rig's writable share "out" (WORKDIR/out on the host).
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
  # a checkout under a directory that gets a fresh tmpfs above (CI may clone into /tmp)
  case $ROOT in
    /tmp/*|/run/*|/root/*) mkdir -p "/host$ROOT" && mount --bind "/hostfs$ROOT" "/host$ROOT" ;;
  esac
  mkdir -p /tmp/pfx-up /tmp/pfx-work
  P=/host$ROOT/build/wine-prefix
  mount -t overlay overlay -o "lowerdir=$P,upperdir=/tmp/pfx-up,workdir=/tmp/pfx-work" "$P" ||
    echo "GUEST: overlay on the Wine prefix failed"
  mkdir -p /host/tmp/out
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /host/tmp/out ||
    echo "GUEST: the writable share 'out' is missing: results stay in the guest"
  want=1
  read -r cmdline < /proc/cmdline
  for a in $cmdline; do case $a in cdperf.devices=*) want=${a#cdperf.devices=} ;; esac; done
  i=0
  while :; do
    n=0
    for dev in /dev/sr*; do [ -e "$dev" ] && n=$((n + 1)); done
    [ "$n" -ge "$want" ] || [ $i -ge 180 ] && break
    sleep 0.5; i=$((i + 1))
  done
  # each /dev/srN a Wine drive letter of type cdrom, from D: on ("d::" names the Unix
  # device, "d:" an empty mount point; the drive type goes into system.reg)
  links="" pairs="" letters=""
  set -- d e f g h i j k
  for dev in $(find /dev -maxdepth 1 -name 'sr*' | sort -V); do
    l=$1; shift
    L=$(echo "$l" | tr '[:lower:]' '[:upper:]')
    links="$links ln -sfn /tmp/cd \$P/dosdevices/$l: && ln -sfn $dev \$P/dosdevices/$l:: &&"
    [ "$l" = d ] || sed -i "s|^\"d:\"=\"cdrom\"\$|&\n\"$l:\"=\"cdrom\"|" "$P/system.reg"
    pairs="$pairs $L:=$dev" letters="$letters $L:"
    s=/sys/block/${dev#/dev/}/device
    hctl=$(basename "$(readlink "$s")")
    echo "$L: $dev $hctl" >> /host/tmp/out/devices.txt
    echo "GUEST: $L: is $dev ($hctl), $(cat "$s/vendor") $(cat "$s/model")"
  done
  # The Windows run's output goes through tee, so that Wine sees no terminal; CDPERF_TRACE
  # shows the path each call took (native IOCTL, refused, SCSI pass-through CDB), and
  # wine_compare.lua reads it back from windows.log for the table.
  chroot /host /bin/bash -c "set -o pipefail; cd '$ROOT' && export HOME=/root &&
    P=\$PWD/build/wine-prefix && mkdir -p /tmp/cd && $links
    CDPERF_TRACE=1 bash test/rig/wine-run.sh test/kernel/wine.lua /tmp/out/windows.lua $letters \
      < /dev/null 2>&1 | tee /tmp/out/windows.log &&
    lua5.4 test/kernel/wine_compare.lua /tmp/out $pairs" 2>&1
  rc=$?
fi
echo "CDPERF-WINE-DONE rc=$rc"
sync
poweroff -f
