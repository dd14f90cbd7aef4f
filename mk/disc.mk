# The disc itself (lua/cdperf/disc.lua): libFuzzer on its decoders (GET CONFIGURATION
# features, ADIP, pre-pit data, BD Disc Information, ATIP), its readers on a drive that
# answers with the input, and the encoders the emulator answers with (round trips), in
# fuzz_lua.c's interpreter with fuzz/disc_driver.lua.
#   make fuzz-disc [FUZZ_SECONDS=10]   seeded with the emulator's answers for the models

.PHONY: fuzz-disc fuzz-disc-ci fuzz-disc-seeds

# this file is read before mk/hardening.mk (which sets the same), and rule targets expand now
FUZZ_DIR ?= build/fuzz

$(FUZZ_DIR)/fuzz_disc: fuzz/fuzz_lua.c fuzz/fuzz.h fuzz/disc_driver.lua lua/cdperf/disc.lua $(SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(LUA_CFLAGS) -DFUZZ_LUA_DIR='"$(CURDIR)/lua"' \
	  -DFUZZ_DRIVER='"$(CURDIR)/fuzz/disc_driver.lua"' -o $@ $< $(LUA_LIBS) -lm

fuzz-disc-seeds:
	@mkdir -p $(FUZZ_DIR)/seeds/disc
	$(LUA) fuzz/disc_driver.lua --seeds $(FUZZ_DIR)/seeds/disc

fuzz-disc: $(FUZZ_DIR)/fuzz_disc fuzz-disc-seeds
	FUZZ_ARGS="-detect_leaks=0 $(FUZZ_ARGS)" sh fuzz/run.sh $(FUZZ_SECONDS) disc

fuzz-disc-ci: $(FUZZ_DIR)/fuzz_disc fuzz-disc-seeds
	FUZZ_ARGS="-detect_leaks=0 $(FUZZ_ARGS)" sh fuzz/run.sh $(FUZZ_CI_SECONDS) disc

# CI's fuzz step runs this harness too.
fuzz-ci: fuzz-disc-ci
