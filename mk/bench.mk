# make bench: decoding speed, per-call overhead and commands per query (bench/), printed and
# written to BENCHMARKS.md. BENCH_OUT names another output file.
BENCH_OUT ?= BENCHMARKS.md

bench: all
	rm -rf build/bench-install
	$(MAKE) -s install DESTDIR=$(CURDIR)/build/bench-install PREFIX=/usr/local
	CC="$(CC)" CFLAGS="$(CFLAGS)" $(LUA) bench/run.lua $(BENCH_OUT)
