# The Windows build: cdperf/core.dll cross-compiled with mingw-w64 against a Lua 5.4 DLL
# built the same way from Debian's lua5.4 source package; the checks run under Wine.
# A second DLL, build/win-faults, is the same code with DeviceIoControl, CreateFileA and
# CloseHandle routed through test/windows/fault_win32.c, for the fault checks.
WIN_CC      ?= x86_64-w64-mingw32-gcc
WIN_OBJDUMP ?= x86_64-w64-mingw32-objdump
WIN_LUA     ?= build/win-lua
WIN_DLL      = build/win/cdperf/core.dll
WIN_FAULTS   = build/win-faults/cdperf/core.dll
# A third, build/win-fake, puts test/windows/fake_cdrom.c (a fake cdrom class driver over a
# Lua-function device, following Microsoft's driver sample) behind the same three calls.
WIN_FAKE     = build/win-fake/cdperf/core.dll
WIN_SRC      = $(CORE_SRC) src/transport_win32.c src/iscsi_none.c
WIN_DEFINES  = -DWIN32_LEAN_AND_MEAN -D_WIN32_WINNT=0x0600

.PHONY: windows check-wine check-warnings-mingw check-win-headers

windows: $(WIN_DLL) $(WIN_FAULTS) $(WIN_FAKE)
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

$(WIN_FAULTS): $(SRC) test/windows/fault_win32.c test/windows/fault_win32.h $(WIN_LUA)/lua54.dll
	@mkdir -p $(dir $@) build/win-faults/obj
	$(WIN_CC) $(WARNINGS) -O2 $(WIN_DEFINES) -c -o build/win-faults/obj/fault_win32.o \
	  test/windows/fault_win32.c
	$(WIN_CC) $(WARNINGS) -O2 -shared -s $(WIN_DEFINES) -Isrc -I$(WIN_LUA)/include \
	  -include test/windows/fault_win32.h -o $@ $(WIN_SRC) build/win-faults/obj/fault_win32.o \
	  $(WIN_LUA)/lua54.dll

$(WIN_FAKE): $(SRC) test/windows/fake_cdrom.c test/windows/fake_cdrom.h $(WIN_LUA)/lua54.dll
	@mkdir -p $(dir $@) build/win-fake/obj
	$(WIN_CC) $(WARNINGS) -O2 $(WIN_DEFINES) -Isrc -I$(WIN_LUA)/include -c \
	  -o build/win-fake/obj/fake_cdrom.o test/windows/fake_cdrom.c
	$(WIN_CC) $(WARNINGS) -O2 -shared -s $(WIN_DEFINES) -Isrc -I$(WIN_LUA)/include \
	  -include test/windows/fake_cdrom.h -o $@ $(WIN_SRC) build/win-fake/obj/fake_cdrom.o \
	  $(WIN_LUA)/lua54.dll

# The strict warning set (Makefile's STRICT) under mingw-w64, one file at a time.
check-warnings-mingw: $(WIN_LUA)/lua54.dll check-win-headers
	@mkdir -p build/warnings
	for f in $(WIN_SRC) test/windows/fake_cdrom.c; do \
	  $(WIN_CC) $(STRICT) -O2 $(WIN_DEFINES) -Isrc -I$(WIN_LUA)/include \
	    -c -o build/warnings/mingw.o $$f || exit 1; \
	done

# The three scripts under Wine (check.lua on build/win, faults.lua on build/win-faults,
# fake.lua on build/win-fake); one "N passed, N failed" line for them (tools/check.sh
# counts the last such line).
check-wine: windows
	@mkdir -p build/wine
	bash test/rig/wine-run.sh test/windows/check.lua > build/wine/check.out 2>&1; \
	  echo $$? > build/wine/check.rc; cat build/wine/check.out
	WIN_BUILD=build/win-faults bash test/rig/wine-run.sh test/windows/faults.lua \
	  > build/wine/faults.out 2>&1; echo $$? > build/wine/faults.rc; cat build/wine/faults.out
	WIN_BUILD=build/win-fake bash test/rig/wine-run.sh test/windows/fake.lua \
	  > build/wine/fake.out 2>&1; echo $$? > build/wine/fake.rc; cat build/wine/fake.out
	@cat build/wine/check.out build/wine/faults.out build/wine/fake.out | awk \
	  '{ sub(/\r$$/, "") } /^[0-9]+ passed, [0-9]+ failed$$/ { p += $$1; f += $$3 } \
	   END { printf "%d passed, %d failed\n", p, f }'
	@[ "$$(cat build/wine/check.rc)" = 0 ] && [ "$$(cat build/wine/faults.rc)" = 0 ] && \
	  [ "$$(cat build/wine/fake.rc)" = 0 ]

# Issue 14 item 3: cdperf's Windows IOCTL definitions (src/cdperf_ntddcdrm.h) beside
# independent SDKs' (test/windows/header_check.c): mingw-w64's headers and Wine's
# (libwine-dev), each with the x86_64 and the i686 cross compiler; any code, enum value,
# size or offset that differs stops the build. Part of check-warnings-mingw.
WIN_CC32     ?= i686-w64-mingw32-gcc
WINE_INCLUDE ?= /usr/include/wine/wine
HEADER_CHECK  = $(STRICT) -std=c11 $(WIN_DEFINES) -Isrc -fsyntax-only test/windows/header_check.c
check-win-headers:
	@[ -f $(WINE_INCLUDE)/windows/ntddscsi.h ] || { echo "check-win-headers: no Wine headers in" \
	  "$(WINE_INCLUDE) (libwine-dev: sh tools/install-deps.sh windows)" >&2; exit 1; }
	@for cc in $(WIN_CC) $(WIN_CC32); do \
	  command -v $$cc >/dev/null || { echo "check-win-headers: no $$cc" \
	    "(sh tools/install-deps.sh windows)" >&2; exit 1; }; \
	  $$cc $(HEADER_CHECK) -DHC_SDK_MINGW || exit 1; \
	  $$cc -nostdinc -isystem $(WINE_INCLUDE)/msvcrt -isystem $(WINE_INCLUDE)/windows \
	    $(HEADER_CHECK) -DHC_SDK_WINE || exit 1; \
	  echo "check-win-headers: $$cc: cdperf_ntddcdrm.h agrees with mingw-w64's and Wine's headers"; \
	done
