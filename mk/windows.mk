# The Windows build: cdperf/core.dll cross-compiled with mingw-w64 against a Lua 5.4 DLL
# built the same way from Debian's lua5.4 source package; the checks run under Wine.
WIN_CC      ?= x86_64-w64-mingw32-gcc
WIN_OBJDUMP ?= x86_64-w64-mingw32-objdump
WIN_LUA     ?= build/win-lua
WIN_DLL      = build/win/cdperf/core.dll
WIN_SRC      = $(CORE_SRC) src/transport_win32.c src/iscsi_none.c
WIN_DEFINES  = -DWIN32_LEAN_AND_MEAN -D_WIN32_WINNT=0x0600

.PHONY: windows check-wine check-warnings-mingw

windows: $(WIN_DLL)
	@syms=$$($(WIN_OBJDUMP) -p $(WIN_DLL) | awk '/\[Ordinal\/Name Pointer\] Table/ { on = 1; next } \
	  on && NF == 0 { on = 0 } on { print $$NF }' | sort | tr '\n' ' '); \
	if [ "$$syms" != "luaopen_cdperf_core " ]; then \
	  echo "windows: $(WIN_DLL) exports: $$syms" >&2; exit 1; fi; \
	echo "windows: $(WIN_DLL) exports luaopen_cdperf_core only"

$(WIN_LUA)/lua54.dll:
	bash test/rig/windows-lua.sh $(WIN_LUA)

$(WIN_DLL): $(SRC) $(WIN_LUA)/lua54.dll
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WARNINGS) -O2 -shared -s $(WIN_DEFINES) -Isrc -I$(WIN_LUA)/include -o $@ \
	  $(WIN_SRC) $(WIN_LUA)/lua54.dll

# The strict warning set (Makefile's STRICT) under mingw-w64, one file at a time.
check-warnings-mingw: $(WIN_LUA)/lua54.dll
	@mkdir -p build/warnings
	for f in $(WIN_SRC); do \
	  $(WIN_CC) $(STRICT) -O2 $(WIN_DEFINES) -Isrc -I$(WIN_LUA)/include \
	    -c -o build/warnings/mingw.o $$f || exit 1; \
	done

check-wine: windows
	bash test/rig/wine-run.sh test/windows/check.lua
