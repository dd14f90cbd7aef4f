# cdperf - build, test, lint, demo, bench, install, cross-build for Windows.
LUA        ?= lua5.4
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
MODEL      ?= lg_wh16ns40_bdr

# libiscsi is optional: found by pkg-config, or left out.
HAVE_ISCSI := $(shell pkg-config --exists libiscsi 2>/dev/null && echo 1)
ifeq ($(HAVE_ISCSI),1)
ISCSI_CFLAGS = -DCDPERF_HAVE_ISCSI $(shell pkg-config --cflags libiscsi)
ISCSI_LIBS   = $(shell pkg-config --libs libiscsi)
endif

SRC     = $(wildcard src/*.c) $(wildcard src/*.h)
MODULE  = build/cdperf/core.so

.PHONY: all deps test busted check check-warnings check-rockspec lint demo install uninstall clean

all: $(MODULE)

$(MODULE): $(SRC)
	@mkdir -p $(dir $@)
	$(CC) $(WARNINGS) $(CFLAGS) -fPIC -shared -fvisibility=hidden $(LUA_CFLAGS) $(ISCSI_CFLAGS) \
	  -o $@ src/cdperf.c $(ISCSI_LIBS) $(LDFLAGS)

# Installs what the build and the tests need on Debian (only what is missing).
deps:
	@sh tools/install-deps.sh base

# busted and luacheck only; `make check` runs everything CI runs.
test: deps lint busted

busted: all
	$(BUSTED) $(BUSTED_FLAGS)

check: deps all
	@sh tools/install-deps.sh base windows peers hardening
	bash tools/check.sh

# The C core compiles warning-free with gcc and clang, with and without libiscsi.
check-warnings:
	@mkdir -p build/warnings
	for cc in gcc clang; do \
	  $$cc $(WARNINGS) -O2 -fPIC -c $(LUA_CFLAGS) -o build/warnings/$$cc.o src/cdperf.c || exit 1; \
	  $$cc $(WARNINGS) -O2 -fPIC -c $(LUA_CFLAGS) $(ISCSI_CFLAGS) -o build/warnings/$$cc-iscsi.o src/cdperf.c || exit 1; \
	done

# The rockspec builds and installs offline into a scratch tree, and the module loads from it.
check-rockspec:
	rm -rf build/rock && mkdir -p build/rock
	luarocks --lua-version 5.4 make --tree build/rock cdperf-scm-1.rockspec
	rm -rf cdperf src/*.o
	$(LUA) tools/rock-smoke.lua build/rock

lint: deps
	$(LUACHECK) lua spec bin bench test fuzz cdperf-scm-1.rockspec .luacheckrc .busted

# The report on this machine's drives; with none present, on a built-in emulated drive.
demo: deps all
	$(LUA) bin/cdperf $(if $(wildcard /sys/class/block/sr*),,--emulate $(MODEL))

install: all
	install -d $(INSTALL_LMOD)/cdperf/models $(INSTALL_CMOD)/cdperf $(DESTDIR)$(PREFIX)/bin
	install -m 644 lua/cdperf/*.lua $(INSTALL_LMOD)/cdperf/
	install -m 644 lua/cdperf/models/*.lua $(INSTALL_LMOD)/cdperf/models/
	install -m 755 $(MODULE) $(INSTALL_CMOD)/cdperf/core.so
	install -m 755 bin/cdperf $(DESTDIR)$(PREFIX)/bin/cdperf

uninstall:
	rm -rf $(INSTALL_LMOD)/cdperf $(INSTALL_CMOD)/cdperf $(DESTDIR)$(PREFIX)/bin/cdperf

clean:
	rm -rf build

# Targets for the cross-build, hardening, peers and benchmarks, one file each.
include $(sort $(wildcard mk/*.mk))
