# The Linux SG_IO path against a real kernel: a QEMU (TCG) guest sees tgt's LUNs and QEMU's
# own scsi-cd and ide-cd as /dev/srN and /dev/sgN, and runs cdperf and dvd+rw-mediainfo,
# wodim and xorriso on them; docs/side-by-side.md is written from that run.
.PHONY: check-kernel

check-kernel: all build/faults/fault_shim.so
	bash test/rig/qemu-guest.sh build/kernel-rig
