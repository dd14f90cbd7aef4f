# make bench: decoding speed, per-call overhead and commands per query (bench/), printed and
# written to BENCHMARKS.md. Section 5's throttled-drive rows come from make check-kernel's guest
# (build/kernel-rig/results/measure.lua), which runs first when that file is missing. BENCH_OUT names another output file.
BENCH_OUT ?= BENCHMARKS.md

bench: all
	@[ -f build/kernel-rig/results/measure.lua ] || $(MAKE) -s check-kernel || \
	  echo "bench: the QEMU guest did not run: no throttled-drive rows in section 5"
	rm -rf build/bench-install
	$(MAKE) -s install DESTDIR=$(CURDIR)/build/bench-install PREFIX=/usr/local
	CC="$(CC)" CFLAGS="$(CFLAGS)" $(LUA) bench/run.lua $(BENCH_OUT)
