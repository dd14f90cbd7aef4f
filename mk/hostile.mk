# Hostile drives above the core (fuzz/hostile.lua): generated drives from the whole quirk
# space drive snapshot, speeds, report, the emitters and JSON.
#   make fuzz-hostile [FUZZ_SECONDS=10]  libFuzzer on the choice stream (fuzz_lua.c's
#                                        interpreter with fuzz/hostile_driver.lua)
#   make hostile-run SEEDS="1 1000000"    a seeded run (the suite runs 2000 in spec/hostile_spec.lua)

HOSTILE_SEEDS ?= 1 100000

.PHONY: fuzz-hostile fuzz-hostile-ci hostile-run

$(FUZZ_DIR)/fuzz_hostile: fuzz/fuzz_lua.c fuzz/fuzz.h fuzz/hostile_driver.lua fuzz/hostile.lua $(SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(LUA_CFLAGS) -DFUZZ_LUA_DIR='"$(CURDIR)/lua"' \
	  -DFUZZ_DRIVER='"$(CURDIR)/fuzz/hostile_driver.lua"' -o $@ $< $(LUA_LIBS) -lm

fuzz-hostile: $(FUZZ_DIR)/fuzz_hostile
	FUZZ_ARGS="-detect_leaks=0 $(FUZZ_ARGS)" sh fuzz/run.sh $(FUZZ_SECONDS) hostile

fuzz-hostile-ci: $(FUZZ_DIR)/fuzz_hostile
	FUZZ_ARGS="-detect_leaks=0 $(FUZZ_ARGS)" sh fuzz/run.sh $(FUZZ_CI_SECONDS) hostile

# CI's fuzz step runs this harness too.
fuzz-ci: fuzz-hostile-ci

hostile-run: all
	$(LUA) fuzz/hostile-run.lua $(HOSTILE_SEEDS)
