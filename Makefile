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

.PHONY: all deps test lint demo bench install uninstall windows clean check-asan \
	check-valgrind check-kernel fuzz rock

all: $(MODULE)

$(MODULE): $(SRC)
	@mkdir -p $(dir $@)
	$(CC) $(WARNINGS) $(CFLAGS) -fPIC -shared -fvisibility=hidden $(LUA_CFLAGS) $(ISCSI_CFLAGS) \
	  -o $@ src/cdperf.c $(ISCSI_LIBS) $(LDFLAGS)

# Installs what the build and the tests need on Debian (only what is missing).
deps:
	@sh tools/install-deps.sh base

test: deps all
	$(BUSTED)

lint: deps
	$(LUACHECK) .

demo: deps all
	$(LUA) bin/cdperf --emulate $(MODEL)

clean:
	rm -rf build

# Targets for the cross-build, hardening, peers and benchmarks, one file each.
include $(sort $(wildcard mk/*.mk))
