/*
 * fuzz_lua.c - the whole Lua-facing path of cdperf.core against a hostile
 * device. One lua_State lives for the run, with cdperf.core opened by
 * luaL_requiref (the module's sources are compiled into this harness, below)
 * and the Lua layer (cdperf, its emulator) loaded from FUZZ_LUA_DIR. Each
 * input is handed to fuzz/driver.lua, which opens drives on Lua-function
 * devices that answer every command with bytes, sense, errors, wrong types,
 * huge strings or yields taken from the input (or with the emulator's answer,
 * mutated), calls every method under pcall and checks the shape of what
 * comes back; it calls fuzz_violation() (abort) when a contract is broken.
 * The collector closes every dropped drive (a full cycle every 256 inputs), and the state
 * is closed at exit, so LeakSanitizer's exit check sees any C allocation that
 * outlived its handle. (libFuzzer's per-input leak check is off for this
 * harness, -detect_leaks=0 in fuzz/run.sh: the persistent interpreter's heap
 * legitimately changes size between inputs, and LSan rescanning it after each
 * one cut the rate from hundreds to a few executions per second.)
 */
/* The Linux build's sources in one unit (mk/hostile.mk compiles this file alone). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "../src/cdperf.c"
#include "../src/device.c"
#include "../src/error.c"
#include "../src/iscsi_none.c"
#include "../src/mmc.c"
#include "../src/name.c"
#include "../src/sense.c"
#include "../src/tables.c"
#include "../src/transport_linux.c"
#include "../src/transport_lua.c"
#include "fuzz.h"

#include "lualib.h"

#ifndef FUZZ_LUA_DIR
#define FUZZ_LUA_DIR "lua"
#endif
#ifndef FUZZ_DRIVER
#define FUZZ_DRIVER "fuzz/driver.lua"
#endif

static lua_State *fuzz_L;
static int fuzz_run_ref = LUA_NOREF;
static unsigned long fuzz_inputs;

static int fuzz_violation(lua_State *L)
{
  fprintf(stderr, "cdperf fuzz: contract violated: %s\n", luaL_optstring(L, 1, "?"));
  abort();
  return 0;
}

static void fuzz_close(void)
{
  if (fuzz_L != NULL) {
    lua_close(fuzz_L);   /* runs every drive's __gc: their transports must all be freed */
    fuzz_L = NULL;
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  lua_State *L = luaL_newstate();
  (void)argc;
  (void)argv;
  if (L == NULL)
    abort();
  luaL_openlibs(L);
  luaL_requiref(L, "cdperf.core", luaopen_cdperf_core, 0);
  lua_pop(L, 1);
  /* The Lua layer from the source tree; never a second copy of the C module. */
  lua_getglobal(L, "package");
  lua_pushstring(L, FUZZ_LUA_DIR "/?.lua;" FUZZ_LUA_DIR "/?/init.lua");
  lua_setfield(L, -2, "path");
  lua_pushliteral(L, "");
  lua_setfield(L, -2, "cpath");
  lua_pop(L, 1);
  lua_pushcfunction(L, fuzz_violation);
  lua_setglobal(L, "fuzz_violation");
  if (luaL_dofile(L, FUZZ_DRIVER) != LUA_OK || lua_type(L, -1) != LUA_TFUNCTION) {
    fprintf(stderr, "cdperf fuzz: cannot load %s: %s\n", FUZZ_DRIVER,
            lua_isstring(L, -1) ? lua_tostring(L, -1) : "driver did not return a function");
    abort();
  }
  fuzz_run_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  fuzz_L = L;
  atexit(fuzz_close);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  lua_State *L = fuzz_L;
  int top = lua_gettop(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, fuzz_run_ref);
  lua_pushlstring(L, (const char *)data, size);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
    /* The driver protects every call it makes; anything escaping is a bug. */
    fprintf(stderr, "cdperf fuzz: driver raised: %s\n",
            lua_isstring(L, -1) ? lua_tostring(L, -1) : luaL_typename(L, -1));
    abort();
  }
  lua_settop(L, top);
  /* The collector closes dropped drives as it goes; a full cycle now and then keeps
   * the heap small (a full cycle per input halved the rate). */
  if (++fuzz_inputs % 256 == 0)
    lua_gc(L, LUA_GCCOLLECT);
  return 0;
}
