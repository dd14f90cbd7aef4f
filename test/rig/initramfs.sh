# shellcheck shell=bash
# test/rig/initramfs.sh: what test/rig/qemu-guest.sh and test/kernel/wine-rig.sh both put
# in their guest's initramfs (sourced by both).

# ir_busybox IR: busybox as IR/bin/busybox and a link for each of its applets
ir_busybox() {
  local a
  cp /bin/busybox "$1/bin/busybox"
  for a in $("$1/bin/busybox" --list); do
    [ -e "$1/bin/$a" ] || ln -s busybox "$1/bin/$a"
  done
}

# ir_modules IR KROOT KVER MODULE...: the modules and what they depend on, from the
# unpacked kernel KROOT, as IR/lib/modules/NAME.ko in load order (IR/lib/modules/load.order).
# modprobe --show-depends resolves the dependencies; built-in ones print as "builtin" and
# are skipped; .ko.xz/.ko.zst/.ko.gz are unpacked.
ir_modules() {
  local ir=$1 kroot=$2 kver=$3 m
  shift 3
  : > "$ir/lib/modules/load.order"
  for m in "$@"; do
    modprobe -d "$kroot" -S "$kver" --show-depends "$m"
  done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r ko; do
    name=$(basename "$ko"); name=${name%%.ko*}
    case $ko in
      *.ko)     cp "$ko" "$ir/lib/modules/$name.ko" ;;
      *.ko.xz)  xz -dc "$ko" > "$ir/lib/modules/$name.ko" ;;
      *.ko.zst) zstd -qdc "$ko" > "$ir/lib/modules/$name.ko" ;;
      *.ko.gz)  gzip -dc "$ko" > "$ir/lib/modules/$name.ko" ;;
    esac
    echo "$name" >> "$ir/lib/modules/load.order"
  done
}
