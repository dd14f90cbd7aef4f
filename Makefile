# cdperf - build, test, lint, demo, bench, install, cross-build for Windows.
LUA        ?= lua5.4
LUAC       ?= luac5.4
LUA_PC     ?= lua5.4
BUSTED     ?= $(LUA) /usr/bin/busted
LUACHECK   ?= luacheck
CC         ?= cc
CFLAGS     ?= -O2 -g
WARNINGS    = -std=c99 -Wall -Wextra -Werror -pedantic
LUA_CFLAGS ?= $(shell pkg-config --cflags $(LUA_PC) 2>/dev/null || echo -I/usr/include/lua5.4)
PREFIX     ?= /usr/local
LUA_VER     = 5.4
INSTALL_LMOD = $(DESTDIR)$(PREFIX)/share/lua/$(LUA_VER)
INSTALL_CMOD = $(DESTDIR)$(PREFIX)/lib/lua/$(LUA_VER)
INSTALL_MAN1 = $(DESTDIR)$(PREFIX)/share/man/man1
MODEL      ?= lg_wh16ns40_bdr

# The sources of cdperf.core: the portable ones, one OS file and the iSCSI transport or
# its stand-in. The build picks them (the rockspec does the same per platform), so no C
# file chooses what to compile; an OS without a transport stops the build.
UNAME_S   := $(shell uname -s)
CORE_SRC   = src/cdperf.c src/tables.c src/device.c src/error.c src/name.c src/mmc.c src/sense.c \
             src/transport_lua.c
ifeq ($(UNAME_S),Linux)
OS_SRC     = src/transport_linux.c
OS_DEFINES = -D_POSIX_C_SOURCE=200809L
endif

# libiscsi is optional: found by pkg-config, or left out (iscsi_none.c says so at open).
HAVE_ISCSI := $(shell pkg-config --exists libiscsi 2>/dev/null && echo 1)
ifeq ($(HAVE_ISCSI),1)
ISCSI_SRC    = src/transport_iscsi.c
ISCSI_CFLAGS = $(shell pkg-config --cflags libiscsi)
ISCSI_LIBS   = $(shell pkg-config --libs libiscsi)
else
ISCSI_SRC    = src/iscsi_none.c
endif

MODULE_SRC = $(CORE_SRC) $(OS_SRC) $(ISCSI_SRC)
SRC     = $(wildcard src/*.c) $(wildcard src/*.h)
MODULE  = build/cdperf/core.so
NO_OS   = $(error cdperf has no transport for $(UNAME_S): Linux (SG_IO) and Windows (make windows) only)

# LPeg's warning list, and -Wconversion: make check-warnings (gcc, clang, mingw-w64).
STRICT  = $(WARNINGS) -Waggregate-return -Wcast-align -Wcast-qual -Wdisabled-optimization \
          -Wpointer-arith -Wshadow -Wredundant-decls -Wsign-compare -Wundef -Wwrite-strings \
          -Wbad-function-cast -Wdeclaration-after-statement -Wmissing-prototypes \
          -Wmissing-declarations -Wnested-externs -Wstrict-prototypes -Wc++-compat \
          -Wconversion -Wformat=2

.PHONY: all deps test busted check check-warnings check-symbols check-rockspec lint demo install uninstall env clean

all: $(MODULE)

# Link-time optimization, where the compiler can: the files are separate units for the
# walls between layers, LTO gives back the inlining across them (decoders, device layer).
LTO ?= $(shell echo 'int x;' | $(CC) -flto -fPIC -shared -x c -o /dev/null - 2>/dev/null && echo -flto)

$(MODULE): $(SRC)
	$(if $(OS_SRC),,$(NO_OS))
	@mkdir -p $(dir $@)
	$(CC) $(WARNINGS) $(CFLAGS) $(LTO) -fPIC -shared -fvisibility=hidden -Isrc $(OS_DEFINES) \
	  $(LUA_CFLAGS) $(ISCSI_CFLAGS) -o $@ $(MODULE_SRC) $(ISCSI_LIBS) $(LDFLAGS)

# Installs what the build and the tests need on Debian (only what is missing).
deps:
	@sh tools/install-deps.sh base

# busted and luacheck only; `make check` runs everything CI runs.
test: deps lint busted

busted: all build/faults/fault_shim.so
	$(BUSTED) $(BUSTED_FLAGS)

check: deps all
	@sh tools/install-deps.sh base windows peers hardening
	bash tools/check.sh

# The core compiles warning-free under STRICT with gcc and clang (with and without
# libiscsi) and mingw-w64, one translation unit per file; the module exports one symbol.
check-warnings: check-symbols check-warnings-mingw
	@mkdir -p build/warnings
	for cc in gcc clang; do \
	  for f in $(CORE_SRC) $(OS_SRC) src/iscsi_none.c $(if $(HAVE_ISCSI),src/transport_iscsi.c); do \
	    $$cc $(STRICT) -O2 -fPIC -Isrc $(OS_DEFINES) $(LUA_CFLAGS) $(ISCSI_CFLAGS) \
	      -c -o build/warnings/$$cc.o $$f || exit 1; \
	  done; \
	done
	@echo "check-warnings: gcc, clang and mingw-w64 clean"

# Everything but luaopen_cdperf_core stays hidden.
check-symbols: $(MODULE)
	@syms=$$(nm -D --defined-only $(MODULE) | awk '{ print $$3 }' | grep -v '^_' | sort | tr '\n' ' '); \
	if [ "$$syms" != "luaopen_cdperf_core " ]; then \
	  echo "check-symbols: $(MODULE) exports: $$syms" >&2; exit 1; fi; \
	echo "check-symbols: $(MODULE) exports luaopen_cdperf_core only"

# The rockspec builds offline into a scratch tree (its C files compiled without
# -fvisibility=hidden: the headers hide them), the module loads from it and exports one
# symbol; with libiscsi here, the rockspec's iSCSI switch is tried on too.
ROCK_SO = build/rock/lib/lua/5.4/cdperf/core.so
check-rockspec:
	rm -rf build/rock && mkdir -p build/rock
	luarocks --lua-version 5.4 make --tree build/rock cdperf-scm-1.rockspec
	rm -rf cdperf src/*.o
	$(LUA) tools/rock-smoke.lua build/rock
	$(MAKE) -s check-symbols MODULE=$(ROCK_SO)
ifeq ($(HAVE_ISCSI),1)
	mkdir -p build/iscsi-rockspec && sed 's/^local ISCSI = false/local ISCSI = true/' cdperf-scm-1.rockspec > build/iscsi-rockspec/cdperf-scm-1.rockspec
	rm -rf build/rock && mkdir -p build/rock
	luarocks --lua-version 5.4 make --tree build/rock build/iscsi-rockspec/cdperf-scm-1.rockspec
	rm -rf cdperf src/*.o
	$(LUA) tools/rock-smoke.lua build/rock iscsi
	$(MAKE) -s check-symbols MODULE=$(ROCK_SO)
endif

lint: deps
	$(LUACHECK) lua spec bin bench test fuzz cdperf-scm-1.rockspec .luacheckrc .busted

# The report on this machine's drives; with none present, on a built-in emulated drive.
demo: deps all
	$(LUA) bin/cdperf $(if $(wildcard /sys/class/block/sr*),,--emulate $(MODEL))

# Lua modules go in precompiled (luac keeps the debug information): a report's start is
# mostly compiling Lua, and bytecode skips the parser (BENCHMARKS.md section 4).
install: all
	install -d $(INSTALL_LMOD)/cdperf/models $(INSTALL_CMOD)/cdperf $(DESTDIR)$(PREFIX)/bin $(INSTALL_MAN1)
	@for f in lua/cdperf/*.lua lua/cdperf/models/*.lua; do \
	  dest=$(INSTALL_LMOD)/$${f#lua/}; \
	  if command -v $(LUAC) >/dev/null 2>&1; then $(LUAC) -o "$$dest" "$$f" || exit 1; \
	  else cp "$$f" "$$dest" || exit 1; fi; chmod 644 "$$dest"; \
	done
	install -m 755 $(MODULE) $(INSTALL_CMOD)/cdperf/core.so
	install -m 755 bin/cdperf $(DESTDIR)$(PREFIX)/bin/cdperf
	install -m 644 docs/cdperf.1 $(INSTALL_MAN1)/cdperf.1

uninstall:
	rm -rf $(INSTALL_LMOD)/cdperf $(INSTALL_CMOD)/cdperf $(DESTDIR)$(PREFIX)/bin/cdperf $(INSTALL_MAN1)/cdperf.1

# Scripts run from the build tree: eval "$$(make env)" puts its modules first on Lua's
# paths and bin/ on PATH (after `make`).
env:
	@echo "export LUA_PATH='$(CURDIR)/lua/?.lua;$(CURDIR)/lua/?/init.lua;'\"\$${LUA_PATH:-;}\""
	@echo "export LUA_CPATH='$(CURDIR)/build/?.so;'\"\$${LUA_CPATH:-;}\""
	@echo "export PATH='$(CURDIR)/bin:'\"\$$PATH\""

clean:
	rm -rf build

# Targets for the cross-build, hardening, peers and benchmarks, one file each.
include $(sort $(wildcard mk/*.mk))
