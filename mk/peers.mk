# The real tools against cdperf's emulated drives (test/peers/): build/peers/emu_shim.so is
# an LD_PRELOAD library (test/peers/emu_shim.c, Lua 5.4 embedded) that makes one path act
# as an optical drive answered by lua/cdperf/emulator.lua; test/peers/run.lua runs
# wodim -prcap, wodim -atip, dvd+rw-mediainfo and xorriso -list_speeds on every built-in
# model (and a few CD-R/RW models with an ATIP) under it, compares their lines with
# cdperf's emitters (test/kernel/peer_lines.lua, shared with side_by_side.lua) and writes
# docs/peers-emulated.md.
#   make check-peers [PEERS_OUT=docs/peers-emulated.md] [PEERS_MODELS="name ..."]
# Needs: wodim, dvd+rw-tools, xorriso, liblua5.4-dev.
EMU_SHIM   = build/peers/emu_shim.so
PEERS_OUT ?= docs/peers-emulated.md
PEERS_MODELS ?=

.PHONY: peers-shim check-peers

peers-shim: $(EMU_SHIM)

$(EMU_SHIM): test/peers/emu_shim.c
	@mkdir -p $(dir $@)
	$(CC) -std=c99 -Wall -Wextra -Werror -pedantic -O2 -fPIC -shared $(LUA_CFLAGS) -o $@ $< \
	  $(LUA_LIBS) -ldl -lpthread

check-peers: $(EMU_SHIM) all
	LUA_PATH_5_4="$(CURDIR)/lua/?.lua;$(CURDIR)/lua/?/init.lua;$(CURDIR)/test/kernel/?.lua;$(CURDIR)/test/peers/?.lua;;" \
	LUA_CPATH_5_4="$(CURDIR)/build/?.so;;" \
	  $(LUA) test/peers/run.lua $(EMU_SHIM) $(PEERS_OUT) $(PEERS_MODELS)
