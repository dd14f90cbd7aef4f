/*
 * transport_lua.c - a Lua function (or any callable) as the device:
 *   data = device(cdb, "in", allocation_length)
 *   ok   = device(cdb, "out", parameter_bytes)  /  device(cdb, "none")
 * returning data (or true) on success, or nil, sense_bytes for CHECK CONDITION.
 * Used by the emulator and by test doubles; it must survive hostile callables.
 *
 * The callable lives in the drive's user value, not in the registry, so that a device
 * that refers to its own drive does not keep it from being collected. Each command's
 * caller (struct cdperf_cmd) is the lua_State running the method -- a coroutine may be
 * the caller -- with the drive at stack index 1 and the callable in its user value
 * CDPERF_LUA_DEVICE_UV, as cdperf.c stores it.
 */
#include <stdlib.h>
#include <string.h>

#include "lua.h"
#include "lauxlib.h"

#include "transport.h"
#include "transport_lua.h"

static const char *lua_direction(enum cdperf_dir dir)
{
  switch (dir) {
  case CDPERF_DIR_IN: return "in";
  case CDPERF_DIR_OUT: return "out";
  default: return "none";
  }
}

static int transport_lua_exec(struct cdperf_transport *t, struct cdperf_cmd *cmd,
                              struct cdperf_error *err)
{
  lua_State *L = (lua_State *)cmd->caller;
  int top, rc;

  (void)t;
  if (L == NULL) {
    cdperf_error_set(err, CDPERF_ERR_DEVICE, 0, "no Lua state to call the device from");
    return -1;
  }
  top = lua_gettop(L);
  if (!lua_checkstack(L, 8)) {
    cdperf_error_set(err, CDPERF_ERR_DEVICE, 0, "Lua stack exhausted calling the device");
    return -1;
  }
  lua_getiuservalue(L, 1, CDPERF_LUA_DEVICE_UV);
  lua_pushlstring(L, (const char *)cmd->cdb, cmd->cdb_len);
  lua_pushstring(L, lua_direction(cmd->dir));
  if (cmd->dir == CDPERF_DIR_IN)
    lua_pushinteger(L, (lua_Integer)cmd->data_len);
  else if (cmd->dir == CDPERF_DIR_OUT)
    lua_pushlstring(L, (const char *)cmd->out, cmd->data_len);
  else
    lua_pushnil(L);
  rc = lua_pcall(L, 3, 2, 0);
  if (rc != LUA_OK) {
    if (lua_type(L, -1) == LUA_TSTRING)
      cdperf_error_set(err, CDPERF_ERR_DEVICE, rc, "device function failed: %s", lua_tostring(L, -1));
    else
      cdperf_error_set(err, CDPERF_ERR_DEVICE, rc, "device function failed with a %s error object",
                       luaL_typename(L, -1));
    lua_settop(L, top);
    return -1;
  }
  if (lua_isnil(L, -2)) {
    size_t n;
    const char *sense;
    if (lua_type(L, -1) != LUA_TSTRING) {
      cdperf_error_set(err, CDPERF_ERR_DEVICE, 0,
                       "device function returned nil without sense bytes (got %s)",
                       luaL_typename(L, -1));
      lua_settop(L, top);
      return -1;
    }
    sense = lua_tolstring(L, -1, &n);
    cmd->status = 0x02; /* CHECK CONDITION */
    cmd->sense_len = n < sizeof cmd->sense ? n : sizeof cmd->sense;
    memcpy(cmd->sense, sense, cmd->sense_len);
  } else if (lua_type(L, -2) == LUA_TSTRING) {
    size_t n;
    const char *data = lua_tolstring(L, -2, &n);
    if (cmd->dir == CDPERF_DIR_IN) {
      cmd->received = n < cmd->data_len ? n : cmd->data_len;
      memcpy(cmd->data, data, cmd->received);
      cmd->resid = (int)(cmd->data_len - cmd->received);
    }
  } else if (!(lua_type(L, -2) == LUA_TBOOLEAN && lua_toboolean(L, -2) &&
               cmd->dir != CDPERF_DIR_IN)) {
    cdperf_error_set(err, CDPERF_ERR_DEVICE, 0,
                     "device function returned %s, expected %s or nil, sense", luaL_typename(L, -2),
                     cmd->dir == CDPERF_DIR_IN ? "a string" : "a string, true");
    lua_settop(L, top);
    return -1;
  }
  lua_settop(L, top);
  return 0;
}

static int transport_lua_close(struct cdperf_transport *t, struct cdperf_error *err)
{
  (void)err;
  free(t);
  return 0;
}

static const struct cdperf_transport_ops transport_lua_ops = {
  "lua", transport_lua_exec, NULL, NULL, NULL, transport_lua_close
};

int cdperf_lua_open(unsigned timeout_ms, struct cdperf_transport **out, struct cdperf_error *err)
{
  struct cdperf_transport *t = (struct cdperf_transport *)calloc(1, sizeof *t);
  if (t == NULL) {
    cdperf_error_set(err, CDPERF_ERR_OS, 0, "out of memory");
    return -1;
  }
  t->ops = &transport_lua_ops;
  t->timeout_ms = timeout_ms;
  t->writable = 1;
  *out = t;
  return 0;
}
