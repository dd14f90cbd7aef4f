/*
 * fuzz/asan-lua.c - a minimal lua5.4 for `make check-asan`: the interpreter
 * itself linked with -fsanitize=address,undefined, so the ASan runtime is in the
 * executable and nothing needs LD_PRELOAD. (Preloading libasan into the stock
 * lua5.4 works for busted, but LD_PRELOAD is inherited by every child process
 * the specs start - bash rig scripts, tgtd, tgtadm - and ASan/LSan in those
 * uninstrumented peers made spec/tgt_spec.lua fail for reasons not cdperf's.)
 * Usage as lua5.4 with a script: asan-lua SCRIPT [ARGS...]; arg[0] = SCRIPT.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"

static int traceback(lua_State *L)
{
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL && !lua_isnoneornil(L, 1))
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  luaL_traceback(L, L, msg, 1);
  return 1;
}

int main(int argc, char **argv)
{
  lua_State *L;
  int i, status;

  if (argc < 2) {
    fprintf(stderr, "usage: %s SCRIPT [ARGS...]\n", argv[0]);
    return 2;
  }
  L = luaL_newstate();
  if (L == NULL)
    return 1;
  luaL_openlibs(L);
  lua_createtable(L, argc - 2, 2);
  for (i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - 1);
  }
  lua_setglobal(L, "arg");
  lua_pushcfunction(L, traceback);
  status = luaL_loadfile(L, argv[1]);
  if (status == LUA_OK) {
    for (i = 2; i < argc; i++)
      lua_pushstring(L, argv[i]);
    status = lua_pcall(L, argc - 2, 0, 1);
  }
  if (status != LUA_OK)
    fprintf(stderr, "%s: %s\n", argv[0], lua_tostring(L, -1));
  lua_close(L);
  return status == LUA_OK ? 0 : 1;
}
