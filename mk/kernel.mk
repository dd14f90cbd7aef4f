# The Linux SG_IO path against a real kernel: a QEMU (TCG) guest sees tgt's LUNs and QEMU's
# own scsi-cd and ide-cd as /dev/srN and /dev/sgN, and runs cdperf and dvd+rw-mediainfo,
# wodim and xorriso on them; docs/side-by-side.md is written from that run.
.PHONY: check-kernel

check-kernel: all build/faults/fault_shim.so
	bash test/rig/qemu-guest.sh build/kernel-rig

# Issue 14: the Windows DLL through a real kernel. test/kernel/wine-rig.sh boots check-kernel's
# kernel with QEMU's scsi-cd and the host's root over virtio-9p; Windows lua.exe under Wine
# reaches the drive through Wine's IOCTL_SCSI_PASS_THROUGH (SG_IO), and the Linux module must
# give the same tables. Makes build/wine-prefix (check-wine) and build/kernel-rig
# (check-kernel) first when they are missing.
.PHONY: check-wine-kernel
check-wine-kernel: all windows
	@[ -f build/wine-prefix/.cdperf-ready ] || $(MAKE) -s check-wine >/dev/null
	@[ -d build/kernel-rig/kernel/lib/modules ] || $(MAKE) -s check-kernel >/dev/null
	bash test/kernel/wine-rig.sh build/wine-kernel
