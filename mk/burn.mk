# The burn test in the QEMU guest (issue 19 item 3): build/sglog.so is an LD_PRELOAD logger
# of SG_IO (test/kernel/sglog.c) that records what each burner sends the drive, apart from
# cdperf; test/kernel/burn-rig.sh puts it, growisofs and test/kernel/burn.lua into the
# guest of `make check-kernel`, with two blank DVD+R LUNs of their own.
.PHONY: sglog

SGLOG = build/sglog.so

sglog: $(SGLOG)

$(SGLOG): test/kernel/sglog.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu99 -Wall -Wextra -Werror -pedantic -O2 -fPIC -shared -o $@ test/kernel/sglog.c -ldl

check-kernel: $(SGLOG)
