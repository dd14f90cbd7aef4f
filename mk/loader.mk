# The loader of models, snapshots and recordings (cdperf.record.parse, cdperf.model_check,
# cdperf.emulator.load): their files come from strangers.  fuzz_lua.c's interpreter with
# fuzz/loader_driver.lua: nothing raises, no code from the file runs, every refusal names
# the file and the field, and whatever the checks accept the emulator and replay accept.
#   make fuzz-loader [FUZZ_SECONDS=10]   libFuzzer on file texts, seeded with recordings,
#                                        snapshots and model files of the built-in models

.PHONY: fuzz-loader fuzz-loader-ci fuzz-loader-seeds

LOADER_DICT = $(FUZZ_DIR)/loader.dict

$(FUZZ_DIR)/fuzz_loader: fuzz/fuzz_lua.c fuzz/fuzz.h fuzz/loader_driver.lua $(SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(LUA_CFLAGS) -DFUZZ_LUA_DIR='"$(CURDIR)/lua"' \
	  -DFUZZ_DRIVER='"$(CURDIR)/fuzz/loader_driver.lua"' -o $@ $< $(LUA_LIBS) -lm

# The seeds need the module (recordings are made through it); the dictionary comes with them.
fuzz-loader-seeds: $(MODULE)
	LUA_PATH_5_4='$(CURDIR)/lua/?.lua;$(CURDIR)/lua/?/init.lua;;' LUA_CPATH_5_4='$(CURDIR)/build/?.so;;' \
	  $(LUA) fuzz/loader_driver.lua --seeds $(FUZZ_DIR)/seeds/loader $(LOADER_DICT)

fuzz-loader: $(FUZZ_DIR)/fuzz_loader fuzz-loader-seeds
	FUZZ_ARGS="-detect_leaks=0 -dict=$(LOADER_DICT) $(FUZZ_ARGS)" sh fuzz/run.sh $(FUZZ_SECONDS) loader

fuzz-loader-ci: $(FUZZ_DIR)/fuzz_loader fuzz-loader-seeds
	FUZZ_ARGS="-detect_leaks=0 -dict=$(LOADER_DICT) $(FUZZ_ARGS)" sh fuzz/run.sh $(FUZZ_CI_SECONDS) loader

# CI's fuzz step runs this harness too.
fuzz-ci: fuzz-loader-ci
