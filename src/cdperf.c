/*
 * cdperf.c - the Lua binding of cdperf.core: the drive userdata, its methods and the
 * module's functions. Request tables and results go through tables.c, commands
 * through device.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua.h"
#include "lauxlib.h"

#include "device.h"
#include "mmc.h"
#include "name.h"
#include "sense.h"
#include "tables.h"
#include "transport_lua.h"

#if defined(_WIN32)
#define CDPERF_EXPORT __declspec(dllexport)
#else
#define CDPERF_EXPORT __attribute__((visibility("default")))
#endif

#define DRIVE_MT "cdperf.drive"
#define CDPERF_VERSION "0.1.0"

/* ---- the drive userdata ------------------------------------------------------------ */

/* User values of a drive: 1 the label (its name with passwords hidden), 2 a callable device. */
struct drive {
  struct cdperf_dev dev;
};

/* Every drive metatable (the core's and those of core.class) holds this key: it, not
 * one registry name, is what makes a userdata a drive. */
static const char drive_key = 0;

static struct drive *drive_test(lua_State *L, int idx)
{
  void *p = lua_touserdata(L, idx);
  int ok;
  if (p == NULL || !lua_getmetatable(L, idx))
    return NULL;
  ok = lua_rawgetp(L, -1, &drive_key) == LUA_TBOOLEAN;
  lua_pop(L, 2);
  return ok ? (struct drive *)p : NULL;
}

static struct drive *drive_arg(lua_State *L, int idx)
{
  struct drive *d = drive_test(L, idx);
  if (d == NULL)
    luaL_typeerror(L, idx, DRIVE_MT);
  return d;
}

static struct drive *drive_check(lua_State *L, int idx)
{
  struct drive *d = drive_arg(L, idx);
  if (d->dev.t == NULL)
    luaL_error(L, "attempt to use a closed drive");
  return d;
}

/* The result of a device-layer call that failed: raises for a drive closed meanwhile
 * (by its own device), else pushes the failure. Returns 3. */
static int push_outcome(lua_State *L, int rc, const char *command, const struct cdperf_outcome *o)
{
  if (rc == CDPERF_CLOSED)
    return luaL_error(L, "attempt to use a closed drive");
  return push_failure(L, command, o);
}

/* close(), __close and __gc share one idempotent close. A failing OS close is reported
 * by close() as nil, message, info; the drive is closed all the same. */
static int drive_close(lua_State *L)
{
  struct drive *d = drive_arg(L, 1);
  struct cdperf_outcome o;
  int rc;
  if (d->dev.t == NULL) {
    lua_pushboolean(L, 1);
    return 1;
  }
  rc = cdperf_dev_close(&d->dev, &o);
  lua_pushnil(L); /* let go of a callable device */
  lua_setiuservalue(L, 1, CDPERF_LUA_DEVICE_UV);
  if (rc != 0)
    return push_failure(L, "close", &o);
  lua_pushboolean(L, 1);
  return 1;
}

static int drive_gc(lua_State *L)
{
  struct drive *d = drive_arg(L, 1);
  struct cdperf_outcome o;
  (void)cdperf_dev_close(&d->dev, &o);   /* nobody to tell */
  return 0;
}

static int drive_tostring(lua_State *L)
{
  struct drive *d = drive_arg(L, 1);
  if (d->dev.t == NULL)
    lua_pushliteral(L, "cdperf.drive (closed)");
  else
    lua_pushfstring(L, "cdperf.drive (%s)", d->dev.label != NULL ? d->dev.label : "?");
  return 1;
}

static int drive_is_open(lua_State *L)
{
  struct drive *d = drive_arg(L, 1);
  lua_pushboolean(L, d->dev.t != NULL);
  return 1;
}

/* ---- drive methods -------------------------------------------------------------------- */

/* The device layer's allocator: a userdata on the stack, anchored until the method returns. */
static uint8_t *stack_buffer(void *ud, size_t size)
{
  return (uint8_t *)lua_newuserdatauv((lua_State *)ud, size, 0);
}

static int drive_get_performance(lua_State *L)
{
  struct drive *d = drive_check(L, 1);
  struct mmc_perf_request r;
  struct cdperf_outcome o;
  uint8_t *buf;
  size_t received;
  int rc;

  read_perf_request(L, 2, &r);
  rc = cdperf_dev_get_performance(&d->dev, L, &r, stack_buffer, L, &buf, &received, &o);
  if (rc != 0)
    return push_outcome(L, rc, CDPERF_NAME_GET_PERFORMANCE, &o);
  rc = push_perf_result(L, buf, received, &r, CDPERF_NAME_GET_PERFORMANCE);
  if (o.path != NULL && lua_istable(L, -1)) {   /* Windows: which way it went */
    lua_pushstring(L, o.path);
    lua_setfield(L, -2, "path");
  }
  return rc;
}

/* A fixed-size read; on success leaves the zeroed buffer on the stack and returns it. On
 * failure returns NULL with 3 values pushed. */
static uint8_t *query(lua_State *L, struct drive *d, enum cdperf_query q, size_t *received)
{
  size_t alloc = cdperf_query_alloc(q);
  uint8_t *buf = (uint8_t *)lua_newuserdatauv(L, alloc, 0);
  struct cdperf_outcome o;
  int rc;
  memset(buf, 0, alloc);
  if ((rc = cdperf_dev_query(&d->dev, L, q, buf, received, &o)) != 0) {
    push_outcome(L, rc, cdperf_query_name(q), &o);
    return NULL;
  }
  return buf;
}

static int drive_inquiry(lua_State *L)
{
  struct drive *d = drive_check(L, 1);
  uint8_t *buf;
  size_t got = 0;
  if ((buf = query(L, d, CDPERF_INQUIRY, &got)) == NULL)
    return 3;
  return push_inquiry(L, buf, got, cdperf_query_name(CDPERF_INQUIRY));
}

static int drive_profile(lua_State *L)
{
  struct drive *d = drive_check(L, 1);
  uint8_t *buf;
  size_t got = 0;
  if ((buf = query(L, d, CDPERF_PROFILE, &got)) == NULL)
    return 3;
  return push_profile(L, buf, got, cdperf_query_name(CDPERF_PROFILE));
}

static int drive_capabilities(lua_State *L)
{
  struct drive *d = drive_check(L, 1);
  uint8_t *buf;
  size_t got = 0;
  if ((buf = query(L, d, CDPERF_CAPABILITIES, &got)) == NULL)
    return 3;
  return push_capabilities(L, buf, got, cdperf_query_name(CDPERF_CAPABILITIES));
}

static int drive_request_sense(lua_State *L)
{
  struct drive *d = drive_check(L, 1);
  uint8_t *buf;
  size_t got = 0;
  if ((buf = query(L, d, CDPERF_REQUEST_SENSE, &got)) == NULL)
    return 3;
  return push_sense(L, buf, got);
}

static int drive_test_unit_ready(lua_State *L)
{
  struct drive *d = drive_check(L, 1);
  struct cdperf_outcome o;
  int rc = cdperf_dev_test_unit_ready(&d->dev, L, &o);
  if (rc != 0)
    return push_outcome(L, rc, CDPERF_NAME_TEST_UNIT_READY, &o);
  lua_pushboolean(L, 1);
  return 1;
}

/* command(cdb, direction, arg [, timeout_ms]) -> data | "" | nil, message, info.
 * A raw pass-through: the caller owns the CDB, so only the shape is checked. */
static int drive_command(lua_State *L)
{
  static const char *const dirs[] = { "none", "in", "out", NULL };
  static const enum cdperf_dir dir_values[] = { CDPERF_DIR_NONE, CDPERF_DIR_IN, CDPERF_DIR_OUT };
  struct drive *d = drive_check(L, 1);
  struct cdperf_outcome o;
  size_t cdb_len, len = 0, received = 0;
  const uint8_t *cdb, *out = NULL;
  enum cdperf_dir dir;
  lua_Integer timeout = 0;
  uint8_t *buf = NULL;
  char name[16];
  int rc;

  if (lua_type(L, 2) != LUA_TSTRING)   /* not a number turned into digits */
    return luaL_typeerror(L, 2, "string");
  cdb = (const uint8_t *)lua_tolstring(L, 2, &cdb_len);
  dir = dir_values[luaL_checkoption(L, 3, NULL, dirs)];
  if (cdb_len < 6 || cdb_len > 16)
    return luaL_argerror(L, 2, lua_pushfstring(L, "CDB of 6 to 16 bytes expected, got %d",
                                               (int)cdb_len));
  if (dir == CDPERF_DIR_IN) {
    lua_Integer alloc = luaL_checkinteger(L, 4);
    luaL_argcheck(L, alloc >= 0 && alloc <= (lua_Integer)MMC_MAX_TRANSFER, 4,
                  "allocation length 0..65535 expected");
    len = (size_t)alloc;
  } else if (dir == CDPERF_DIR_OUT) {
    if (lua_type(L, 4) != LUA_TSTRING)
      return luaL_typeerror(L, 4, "string");
    out = (const uint8_t *)lua_tolstring(L, 4, &len);
    luaL_argcheck(L, len <= MMC_MAX_TRANSFER, 4, "at most 65535 parameter bytes expected");
  } else if (!lua_isnoneornil(L, 4)) {
    return luaL_argerror(L, 4, "nil expected for direction \"none\"");
  }
  if (!lua_isnoneornil(L, 5)) {
    timeout = luaL_checkinteger(L, 5);
    luaL_argcheck(L, timeout >= 1 && timeout <= 86400000, 5, "timeout 1..86400000 ms expected");
  }
  snprintf(name, sizeof name, "CDB %02Xh", (unsigned)cdb[0]);
  if (dir == CDPERF_DIR_IN)
    buf = (uint8_t *)lua_newuserdatauv(L, len, 0);
  rc = cdperf_dev_command(&d->dev, L, cdb, cdb_len, dir, buf, out, len, (unsigned)timeout,
                          &received, &o);
  if (rc != 0)
    return push_outcome(L, rc, name, &o);
  if (dir == CDPERF_DIR_IN)
    lua_pushlstring(L, (const char *)buf, received);
  else
    lua_pushliteral(L, "");
  return 1;
}

static int drive_set_speed(lua_State *L)
{
  struct drive *d = drive_check(L, 1);
  struct cdperf_outcome o;
  unsigned rd, wr;
  int rot, rc;

  read_speed_request(L, 2, &rd, &wr, &rot);
  if ((rc = cdperf_dev_set_speed(&d->dev, L, rd, wr, rot, &o)) != 0)
    return push_outcome(L, rc, CDPERF_NAME_SET_CD_SPEED, &o);
  lua_pushboolean(L, 1);
  return 1;
}

static int drive_set_streaming(lua_State *L)
{
  struct drive *d = drive_check(L, 1);
  struct cdperf_outcome o;
  struct mmc_streaming s;
  int persistent, rc;

  read_streaming_request(L, 2, &s, &persistent);
  if ((rc = cdperf_dev_set_streaming(&d->dev, L, &s, persistent, &o)) != 0)
    return push_outcome(L, rc, CDPERF_NAME_SET_STREAMING, &o);
  lua_pushboolean(L, 1);
  return 1;
}

/* ---- module functions ------------------------------------------------------------------- */

static const char *const open_fields[] = { "write", "timeout_ms", "name", "credentials", NULL };

/* Pushes the display form of s[0, len) (see cdperf_display_name). */
static void push_display_name(lua_State *L, const char *s, size_t len)
{
  luaL_Buffer b;
  size_t need = cdperf_display_name(s, len, NULL, 0);
  char *p = luaL_buffinitsize(L, &b, need + 1);
  cdperf_display_name(s, len, p, need + 1);
  luaL_pushresultsize(&b, need);
}

static int is_callable(lua_State *L, int idx)
{
  if (lua_type(L, idx) == LUA_TFUNCTION)
    return 1;
  if (luaL_getmetafield(L, idx, "__call") == LUA_TNIL)
    return 0;
  lua_pop(L, 1);
  return 1;
}

/* open(device [, opts]) -> drive | nil, message, info; the drive's metatable is the
 * closure's upvalue (the core's, or a class's). */
static int core_open(lua_State *L)
{
  struct drive *d;
  struct cdperf_outcome o;
  int write = 0, write_given = 0, rc, is_lua = 0;
  unsigned timeout_ms = CDPERF_DEFAULT_TIMEOUT_MS;
  const char *path = NULL, *credentials = NULL;
  size_t path_len = 0;

  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    check_fields(L, 2, open_fields);
    lua_getfield(L, 2, "write");
    write_given = !lua_isnil(L, -1);
    lua_pop(L, 1);
    write = get_bool_field(L, 2, "write");
    timeout_ms = get_uint_field(L, 2, "timeout_ms", CDPERF_DEFAULT_TIMEOUT_MS, 86400000, 0);
    if (timeout_ms == 0)
      luaL_error(L, "bad field 'timeout_ms' (expected an integer 1..86400000, got 0)");
    lua_getfield(L, 2, "name");
    if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "bad field 'name' (expected a string, got %s)", luaL_typename(L, -1));
    lua_pop(L, 1);
    /* Stays on the stack (below the drive) while the transport reads it. */
    lua_getfield(L, 2, "credentials");
    if (!lua_isnil(L, -1)) {
      if (lua_type(L, -1) != LUA_TSTRING)
        luaL_error(L, "bad field 'credentials' (expected a file name, got %s)",
                   luaL_typename(L, -1));
      credentials = lua_tostring(L, -1);
      if (strlen(credentials) != lua_rawlen(L, -1))
        luaL_error(L, "bad field 'credentials' (file name contains a NUL byte)");
    }
  }
  if (lua_type(L, 1) == LUA_TSTRING) {
    path = lua_tolstring(L, 1, &path_len);
    if (strlen(path) != path_len)
      return luaL_argerror(L, 1, "device path contains a NUL byte");
  } else if (is_callable(L, 1)) {
    is_lua = 1;
  } else {
    return luaL_typeerror(L, 1, "device path or callable device");
  }

  /* The label: the name with its passwords hidden; the raw name goes only to the
   * transport. */
  if (is_lua) {
    size_t nlen = 0;
    const char *name = NULL;
    if (!lua_isnoneornil(L, 2)) {
      lua_getfield(L, 2, "name");
      name = lua_tolstring(L, -1, &nlen); /* anchored by opts */
      lua_pop(L, 1);
    }
    if (name == NULL) {
      name = luaL_typename(L, 1);
      nlen = strlen(name);
    }
    push_display_name(L, name, nlen);
  } else {
    push_display_name(L, path, path_len);
  }

  /* Created closed, then opened (as liolib does): a failed open leaves a
   * closed handle for the collector. */
  d = (struct drive *)lua_newuserdatauv(L, sizeof *d, 2);
  d->dev.t = NULL;
  d->dev.label = lua_tostring(L, -2);   /* anchored in user value 1 */
  d->dev.trace = getenv("CDPERF_TRACE") != NULL && getenv("CDPERF_TRACE")[0] != '\0';
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -2);
  lua_setiuservalue(L, -2, 1);
  if (is_lua) {
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, CDPERF_LUA_DEVICE_UV);
    rc = cdperf_dev_open_callable(&d->dev, timeout_ms, &o);
  } else {
    /* no `write` field: what the OS needs for pass-through (iSCSI: read-only) */
    if (!write_given && strncmp(path, "iscsi://", 8) != 0)
      write = cdperf_os_default_write;
    rc = cdperf_dev_open(&d->dev, path, path_len, credentials, write, timeout_ms, &o);
  }
  if (rc != 0)
    return push_failure(L, "open", &o);
  return 1;
}

/* type(x) -> "drive" | "closed drive" | nil, as io.type does for files. */
static int core_type(lua_State *L)
{
  struct drive *d;
  luaL_checkany(L, 1);
  d = drive_test(L, 1);
  if (d == NULL)
    luaL_pushfail(L);
  else if (d->dev.t == NULL)
    lua_pushliteral(L, "closed drive");
  else
    lua_pushliteral(L, "drive");
  return 1;
}

/* display_name(name) -> the name with its passwords replaced by "***" */
static int core_display_name(lua_State *L)
{
  size_t len;
  const char *s;
  if (lua_type(L, 1) != LUA_TSTRING)
    return luaL_typeerror(L, 1, "string");
  s = lua_tolstring(L, 1, &len);
  push_display_name(L, s, len);
  return 1;
}

static void drives_collect(void *ctx, const char *name)
{
  lua_State *L = (lua_State *)ctx;
  lua_pushstring(L, name);
  lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
}

static int core_drives(lua_State *L)
{
  lua_newtable(L);
  cdperf_os_drives(drives_collect, L);
  return 1;
}

static const uint8_t *check_bytes(lua_State *L, int idx, size_t *len)
{
  return (const uint8_t *)luaL_checklstring(L, idx, len);
}

/* decode_performance(raw [, request]) -> result | nil, message, info */
static int core_decode_performance(lua_State *L)
{
  struct mmc_perf_request r;
  size_t len;
  const uint8_t *buf = check_bytes(L, 1, &len);
  read_perf_request(L, 2, &r);
  return push_perf_result(L, buf, len, &r, "decode_performance");
}

static int core_decode_capabilities(lua_State *L)
{
  size_t len;
  const uint8_t *buf = check_bytes(L, 1, &len);
  return push_capabilities(L, buf, len, "decode_capabilities");
}

static int core_decode_inquiry(lua_State *L)
{
  size_t len;
  const uint8_t *buf = check_bytes(L, 1, &len);
  return push_inquiry(L, buf, len, "decode_inquiry");
}

static int core_decode_sense(lua_State *L)
{
  size_t len;
  const uint8_t *buf = check_bytes(L, 1, &len);
  return push_sense(L, buf, len);
}

/* sense_text(key, asc, ascq) -> "ILLEGAL REQUEST", "INVALID FIELD IN CDB" | nil */
static int core_sense_text(lua_State *L)
{
  int key = (int)luaL_checkinteger(L, 1);
  const char *text;
  /* read every argument before pushing results: index 3 must still be ascq */
  text = lua_isnoneornil(L, 2) ? NULL
                               : sense_asc_text((int)luaL_checkinteger(L, 2),
                                                (int)luaL_optinteger(L, 3, 0));
  lua_pushstring(L, sense_key_name(key));
  if (text != NULL)
    lua_pushstring(L, text);
  else
    lua_pushnil(L);
  return 2;
}

/* sleep_ms(ms): sleeps ms milliseconds (a number 0..86400000), then returns nothing; what
 * snapshot waits with instead of a shell's sleep (cdperf_os_sleep_ms: at least ms). */
#define SLEEP_MAX_MS 86400000
static int core_sleep_ms(lua_State *L)
{
  lua_Number ms = luaL_checknumber(L, 1);
  luaL_argcheck(L, ms >= 0 && ms <= SLEEP_MAX_MS, 1, "0..86400000 ms expected");
  cdperf_os_sleep_ms((double)ms);
  return 0;
}

/* monotonic(): seconds on a clock that never goes back, and its resolution (seconds);
 * what measure times reads with and snapshot waits by. */
static int core_monotonic(lua_State *L)
{
  double resolution = 0;
  lua_pushnumber(L, (lua_Number)cdperf_os_monotonic(&resolution));
  lua_pushnumber(L, (lua_Number)resolution);
  return 2;
}

static const luaL_Reg drive_methods[] = {
  { "close", drive_close },
  { "is_open", drive_is_open },
  { "get_performance", drive_get_performance },
  { "inquiry", drive_inquiry },
  { "profile", drive_profile },
  { "capabilities", drive_capabilities },
  { "set_speed", drive_set_speed },
  { "set_streaming", drive_set_streaming },
  { "test_unit_ready", drive_test_unit_ready },
  { "request_sense", drive_request_sense },
  { "command", drive_command },
  { NULL, NULL }
};

static const luaL_Reg drive_meta[] = {
  { "__gc", drive_gc },
  { "__close", drive_gc },
  { "__tostring", drive_tostring },
  { NULL, NULL }
};

/* Fills the metatable on top of the stack; its __index is the table at index. */
static void fill_metatable(lua_State *L, int methods)
{
  methods = lua_absindex(L, methods);
  luaL_setfuncs(L, drive_meta, 0);
  lua_pushliteral(L, DRIVE_MT);
  lua_setfield(L, -2, "__name");
  lua_pushboolean(L, 1);
  lua_rawsetp(L, -2, &drive_key);
  lua_pushvalue(L, methods);
  lua_setfield(L, -2, "__index");
}

/* methods() -> a new table holding the core's drive methods: a base for core.class,
 * which changing never reaches the drives of core.open. */
static int core_methods(lua_State *L)
{
  luaL_newlib(L, drive_methods);
  return 1;
}

/* class(methods) -> open: an opener like core.open whose drives look their methods up
 * in the table methods (start it from core.methods()). */
static int core_class(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_createtable(L, 0, 6);
  fill_metatable(L, 1);
  lua_pushcclosure(L, core_open, 1);
  return 1;
}

static const luaL_Reg core_functions[] = {
  { "drives", core_drives },
  { "type", core_type },
  { "methods", core_methods },
  { "class", core_class },
  { "decode_performance", core_decode_performance },
  { "decode_capabilities", core_decode_capabilities },
  { "decode_inquiry", core_decode_inquiry },
  { "decode_sense", core_decode_sense },
  { "sense_text", core_sense_text },
  { "display_name", core_display_name },
  { "sleep_ms", core_sleep_ms },
  { "monotonic", core_monotonic },
  { NULL, NULL }
};

static const struct { const char *name; lua_Integer value; } core_constants[] = {
  { "CdromPerformanceRequest", 1 }, { "CdromWriteSpeedRequest", 2 },
  { "CdromReadPerformance", 1 }, { "CdromWritePerformance", 2 },
  { "CdromNominalPerformance", 1 }, { "CdromEntirePerformanceList", 2 },
  { "CdromPerformanceExceptionsOnly", 3 }, { "Cdrom10Nominal20Exceptions", 1 },
  { "CdromDefaultRotation", 0 }, { "CdromCAVRotation", 1 },
  { "CdromSetSpeed", 0 }, { "CdromSetStreaming", 1 },
  { "IOCTL_CDROM_GET_PERFORMANCE", 0x00024070 }, { "IOCTL_CDROM_SET_SPEED", 0x00024060 },
  { NULL, 0 }
};

CDPERF_EXPORT int luaopen_cdperf_core(lua_State *L);
CDPERF_EXPORT int luaopen_cdperf_core(lua_State *L)
{
  int i;
  luaL_newlib(L, core_functions);
  /* the core's own drives: a private methods table, as liolib keeps its own */
  luaL_newlib(L, drive_methods);
  luaL_newmetatable(L, DRIVE_MT);
  fill_metatable(L, -2);
  lua_remove(L, -2);
  lua_pushcclosure(L, core_open, 1);
  lua_setfield(L, -2, "open");
  for (i = 0; core_constants[i].name != NULL; i++) {
    lua_pushinteger(L, core_constants[i].value);
    lua_setfield(L, -2, core_constants[i].name);
  }
  lua_pushliteral(L, CDPERF_VERSION);
  lua_setfield(L, -2, "_VERSION");
  lua_pushstring(L, cdperf_os_platform);
  lua_setfield(L, -2, "platform");
  lua_pushboolean(L, cdperf_have_iscsi);
  lua_setfield(L, -2, "have_iscsi");
  return 1;
}
