# Hardening: libFuzzer harnesses, the suite under ASan+UBSan and under valgrind.
#   make fuzz [FUZZ_SECONDS=10] [FUZZ_JOBS=1]  build every harness, run each N seconds
#   make fuzz-ci                              the same, 20 s each (CI)
#   make fuzz-build                           build the harnesses and the seed corpus only
#   make check-asan                           whole busted suite, module built with ASan+UBSan
#   make check-valgrind                       whole busted suite under valgrind memcheck
# Needs: sh tools/install-deps.sh hardening (clang, libclang-rt-14-dev, valgrind).

FUZZ_CC         ?= clang
FUZZ_SECONDS    ?= 10
FUZZ_CI_SECONDS ?= 20
FUZZ_JOBS       ?= 1
FUZZ_DIR         = build/fuzz
FUZZ_DECODERS    = perf page2a profile inquiry sense
FUZZ_HARNESSES   = $(FUZZ_DECODERS) lua
FUZZ_BINS        = $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_HARNESSES))
FUZZ_CFLAGS      = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                   -fno-omit-frame-pointer $(WARNINGS) -Wno-unused-function
LUA_LIBS        ?= $(shell pkg-config --libs $(LUA_PC) 2>/dev/null || echo -llua5.4)

.PHONY: fuzz fuzz-ci fuzz-build fuzz-seeds check-asan check-valgrind

$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h src/mmc.c src/mmc.h src/sense.c src/sense.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $<

# The Lua-facing path: cdperf.c in the harness, liblua linked, the Lua layer
# and fuzz/driver.lua read from this tree.
$(FUZZ_DIR)/fuzz_lua: fuzz/fuzz_lua.c fuzz/fuzz.h fuzz/driver.lua $(SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(LUA_CFLAGS) -DFUZZ_LUA_DIR='"$(CURDIR)/lua"' \
	  -DFUZZ_DRIVER='"$(CURDIR)/fuzz/driver.lua"' -o $@ $< $(LUA_LIBS) -lm

fuzz-seeds: fuzz/make-seeds.lua
	$(LUA) fuzz/make-seeds.lua $(FUZZ_DIR)/seeds

fuzz-build: $(FUZZ_BINS) fuzz-seeds

fuzz: fuzz-build
	FUZZ_JOBS=$(FUZZ_JOBS) sh fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

fuzz-ci: fuzz-build
	FUZZ_JOBS=$(FUZZ_JOBS) sh fuzz/run.sh $(FUZZ_CI_SECONDS) $(FUZZ_HARNESSES)

# ---- the suite against a sanitized module ------------------------------------------------
# The module goes to build/asan/cdperf/core.so and busted's --cpath puts it first. lua5.4
# is not instrumented, so busted runs in build/asan/lua (fuzz/asan-lua.c: lua.c's job in
# 50 lines, linked with the same gcc sanitizers and the system liblua) instead of
# lua5.4 with libasan in LD_PRELOAD: a preloaded runtime is inherited by every child the
# specs start (rig scripts, tgtd, tgtadm) and LSan failed those peers. Leaks: the
# interpreter closes its state (lua_close) at exit, so anything LSan reports is real.
ASAN_CC      ?= gcc
ASAN_DIR      = build/asan
ASAN_MODULE   = $(ASAN_DIR)/cdperf/core.so
ASAN_LUA      = $(ASAN_DIR)/lua
ASAN_CFLAGS   = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_ENV      = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

$(ASAN_MODULE): $(SRC)
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(WARNINGS) $(ASAN_CFLAGS) -fPIC -shared -fvisibility=hidden -Isrc $(OS_DEFINES) \
	  $(LUA_CFLAGS) $(ISCSI_CFLAGS) -o $@ $(MODULE_SRC) $(ISCSI_LIBS)

$(ASAN_LUA): fuzz/asan-lua.c
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(WARNINGS) $(ASAN_CFLAGS) $(LUA_CFLAGS) -o $@ $< $(LUA_LIBS) -lm

# The fault children (spec/faults_spec.lua) run the same sanitized interpreter and module.
check-asan: $(ASAN_MODULE) $(ASAN_LUA) build/faults/fault_shim.so
	$(ASAN_ENV) CDPERF_FAULTS_LUA=$(ASAN_LUA) CDPERF_FAULTS_CPATH='./$(ASAN_DIR)/?.so' \
	  $(ASAN_LUA) /usr/bin/busted --cpath='./$(ASAN_DIR)/?.so;./build/?.so' -o utfTerminal

# ---- the suite under valgrind -------------------------------------------------------------
VALGRIND ?= valgrind
VALGRIND_FLAGS = --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
  --show-leak-kinds=definite --track-fds=no --quiet

# The fault children (spec/faults_spec.lua) run under valgrind too.
check-valgrind: $(MODULE) build/faults/fault_shim.so
	CDPERF_HOSTILE_SEEDS=200 CDPERF_FAULTS_UNDER='$(VALGRIND) $(VALGRIND_FLAGS)' $(VALGRIND) $(VALGRIND_FLAGS) $(BUSTED) -o utfTerminal
