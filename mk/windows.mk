# The Windows build: cdperf/core.dll cross-compiled with mingw-w64 against a Lua 5.4 DLL
# built the same way from Debian's lua5.4 source package; the checks run under Wine.
WIN_CC   ?= x86_64-w64-mingw32-gcc
WIN_LUA  ?= build/win-lua
WIN_DLL   = build/win/cdperf/core.dll

.PHONY: windows check-wine

windows: $(WIN_DLL)

$(WIN_LUA)/lua54.dll:
	bash test/rig/windows-lua.sh $(WIN_LUA)

$(WIN_DLL): $(SRC) $(WIN_LUA)/lua54.dll
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WARNINGS) -O2 -shared -s -Isrc -I$(WIN_LUA)/include -o $@ src/cdperf.c $(WIN_LUA)/lua54.dll

check-wine: windows
	bash test/rig/wine-run.sh test/windows/check.lua
