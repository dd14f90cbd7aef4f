/*
 * tables.c - Lua tables <-> C structs for the binding: request tables read and checked
 * (misuse raises, naming the field), results and failures pushed as Lua values.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lua.h"
#include "lauxlib.h"

#include "sense.h"
#include "tables.h"

/* ---- failures ------------------------------------------------------------------------ */

/* Fields of the table on top of the stack. */
static void set_string(lua_State *L, const char *k, const char *v)
{
  lua_pushstring(L, v);
  lua_setfield(L, -2, k);
}

static void set_int(lua_State *L, const char *k, lua_Integer v)
{
  lua_pushinteger(L, v);
  lua_setfield(L, -2, k);
}

static void set_bool(lua_State *L, const char *k, int v)
{
  lua_pushboolean(L, v);
  lua_setfield(L, -2, k);
}

static const char *const kind_names[] = {
  "decode", "os", "win32", "scsi", "host", "device", "iscsi", "unsupported", "credentials"
};

/* Pushes nil, "COMMAND: message", info; returns 3. */
int push_failure(lua_State *L, const char *command, const struct cdperf_outcome *o)
{
  const struct cdperf_error *err = &o->err;
  lua_pushnil(L);
  lua_pushfstring(L, "%s: %s", command, err->message);
  lua_createtable(L, 0, 8);
  set_string(L, "command", command);
  set_string(L, "kind", kind_names[err->kind]);
  if (o->path != NULL)
    set_string(L, "path", o->path);
  switch (err->kind) {
  case CDPERF_ERR_OS:
  case CDPERF_ERR_CREDENTIALS:
    if (err->kind == CDPERF_ERR_OS || err->code != 0)
      set_int(L, "errno", err->code);
    if (err->name != NULL)
      set_string(L, "code", err->name);
    break;
  case CDPERF_ERR_WIN32:
  case CDPERF_ERR_ISCSI:
    set_int(L, "code", err->code);
    break;
  case CDPERF_ERR_HOST:
    set_int(L, "host_status", o->host_status);
    set_int(L, "driver_status", o->driver_status);
    set_string(L, "code", err->name != NULL ? err->name : "?");
    set_int(L, "status", o->status);
    break;
  case CDPERF_ERR_SCSI:
    set_int(L, "status", o->status);
    if (o->category == CDPERF_SENSE) {
      const char *text = o->sense.has_asc ? sense_asc_text(o->sense.asc, o->sense.ascq) : NULL;
      set_int(L, "sense_key", o->sense.key);
      set_int(L, "asc", o->sense.asc);
      set_int(L, "ascq", o->sense.ascq);
      set_string(L, "sense", sense_key_name(o->sense.key));
      if (text != NULL)
        set_string(L, "text", text);
      if (o->sense.information_valid)
        set_int(L, "information", (lua_Integer)o->sense.information);
      if (o->sense.deferred)
        set_bool(L, "deferred", 1);
    }
    lua_pushlstring(L, (const char *)o->sense_bytes, o->sense_len);
    lua_setfield(L, -2, "sense_bytes");
    break;
  default:
    break;
  }
  return 3;
}

int push_decode_failure(lua_State *L, const char *command, const char *fmt, ...)
{
  struct cdperf_outcome o;
  va_list ap;
  o.category = CDPERF_STATUS;
  o.path = NULL;
  o.err.kind = CDPERF_ERR_NONE;
  o.err.code = 0;
  o.err.name = NULL;
  va_start(ap, fmt);
  vsnprintf(o.err.message, sizeof o.err.message, fmt, ap);
  va_end(ap);
  return push_failure(L, command, &o);
}

/* ---- reading request tables -------------------------------------------------------- */

/* "a|b|c" from a NULL-terminated list of names. */
static void push_names(lua_State *L, const char *const *names)
{
  luaL_Buffer b;
  int i;
  luaL_buffinit(L, &b);
  for (i = 0; names[i] != NULL; i++) {
    if (i > 0)
      luaL_addchar(&b, '|');
    luaL_addstring(&b, names[i]);
  }
  luaL_pushresult(&b);
}

/* Misuse: every key must be a known field. */
void check_fields(lua_State *L, int idx, const char *const *allowed)
{
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    int i, ok = 0;
    for (i = 0; k != NULL && allowed[i] != NULL; i++)
      if (strcmp(k, allowed[i]) == 0)
        ok = 1;
    if (!ok) {
      push_names(L, allowed);
      if (k != NULL)
        luaL_error(L, "bad field '%s' (unknown field; expected %s)", k, lua_tostring(L, -1));
      luaL_error(L, "bad field of type %s (unknown field; expected %s)",
                 luaL_typename(L, -3), lua_tostring(L, -1));
    }
    lua_pop(L, 1);
  }
}

/* A field naming one of names (value first_value + index) or an integer.
 * Integers are returned as given: range checks belong to the caller. */
static lua_Integer get_enum_field(lua_State *L, int idx, const char *field,
                                  const char *const *names, lua_Integer first_value,
                                  lua_Integer dflt)
{
  lua_Integer v = dflt;
  int isint;
  lua_getfield(L, idx, field);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return dflt;
  }
  if (lua_type(L, -1) == LUA_TSTRING) {
    const char *s = lua_tostring(L, -1);
    int i;
    for (i = 0; names[i] != NULL; i++)
      if (strcmp(s, names[i]) == 0) {
        lua_pop(L, 1);
        return first_value + i;
      }
    push_names(L, names);
    luaL_error(L, "bad field '%s' (expected %s, got \"%s\")", field, lua_tostring(L, -1), s);
  }
  v = lua_tointegerx(L, -1, &isint);
  if (!isint) {
    push_names(L, names);
    luaL_error(L, "bad field '%s' (expected %s or an integer, got %s)", field,
               lua_tostring(L, -1), luaL_typename(L, -2));
  }
  lua_pop(L, 1);
  return v;
}

static void enum_range_error(lua_State *L, const char *field, const char *const *names,
                             lua_Integer first, lua_Integer got)
{
  int n = 0;
  while (names[n] != NULL)
    n++;
  push_names(L, names);
  luaL_error(L, "bad field '%s' (expected %s or %d..%d, got %d)", field, lua_tostring(L, -1),
             (int)first, (int)(first + n - 1), (int)got);
}

uint32_t get_uint_field(lua_State *L, int idx, const char *field, lua_Integer dflt,
                               lua_Integer max, int required)
{
  lua_Integer v;
  int isint;
  lua_getfield(L, idx, field);
  if (lua_isnil(L, -1)) {
    if (required)
      luaL_error(L, "bad field '%s' (expected an integer 0..%I, got nil)", field, max);
    lua_pop(L, 1);
    return (uint32_t)dflt;
  }
  v = lua_tointegerx(L, -1, &isint);
  if (!isint || lua_type(L, -1) != LUA_TNUMBER) {
    if (lua_type(L, -1) == LUA_TNUMBER)
      luaL_error(L, "bad field '%s' (expected an integer 0..%I, got %s)", field, max,
                 lua_tostring(L, -1));
    luaL_error(L, "bad field '%s' (expected an integer 0..%I, got %s)", field, max,
               luaL_typename(L, -1));
  }
  if (v < 0 || v > max)
    luaL_error(L, "bad field '%s' (expected an integer 0..%I, got %I)", field, max, v);
  lua_pop(L, 1);
  return (uint32_t)v;
}

int get_bool_field(lua_State *L, int idx, const char *field)
{
  int v;
  lua_getfield(L, idx, field);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return 0;
  }
  if (!lua_isboolean(L, -1))
    luaL_error(L, "bad field '%s' (expected a boolean, got %s)", field, luaL_typename(L, -1));
  v = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

static const char *const request_type_names[] = { "performance", "write_speed", NULL };
static const char *const performance_type_names[] = { "read", "write", NULL };
static const char *const exceptions_names[] = { "nominal", "entire", "exceptions_only", NULL };
static const char *const tolerance_names[] = { "10_nominal_20_exceptions", NULL };
static const char *const rotation_names[] = { "clv", "cav", NULL };
static const char *const perf_request_fields[] = {
  "request_type", "performance_type", "exceptions", "tolerance", "starting_lba", NULL
};

/* Reads CDROM_PERFORMANCE_REQUEST / CDROM_WRITE_SPEED_REQUEST from the table
 * at idx (absent = all defaults) and validates it as the Windows driver does. */
void read_perf_request(lua_State *L, int idx, struct mmc_perf_request *r)
{
  const char *bad;
  r->request_type = MMC_REQ_PERFORMANCE;
  r->performance_type = MMC_PERF_READ;
  r->exceptions = MMC_EXC_NOMINAL;
  r->tolerance = MMC_TOL_10_20;
  r->starting_lba = 0;
  if (lua_isnoneornil(L, idx))
    return;
  luaL_checktype(L, idx, LUA_TTABLE);
  check_fields(L, idx, perf_request_fields);
  r->request_type = (int)get_enum_field(L, idx, "request_type", request_type_names, 1, 1);
  r->performance_type = (int)get_enum_field(L, idx, "performance_type",
                                            performance_type_names, 1, 1);
  r->exceptions = (int)get_enum_field(L, idx, "exceptions", exceptions_names, 1, 1);
  r->tolerance = (int)get_enum_field(L, idx, "tolerance", tolerance_names, 1, 1);
  r->starting_lba = get_uint_field(L, idx, "starting_lba", 0, 0xFFFFFFFF, 0);
  bad = mmc_perf_request_invalid_field(r);
  if (bad == NULL)
    return;
  if (strcmp(bad, "request_type") == 0)
    enum_range_error(L, bad, request_type_names, 1, r->request_type);
  if (strcmp(bad, "performance_type") == 0)
    enum_range_error(L, bad, performance_type_names, 1, r->performance_type);
  if (strcmp(bad, "exceptions") == 0)
    enum_range_error(L, bad, exceptions_names, 1, r->exceptions);
  enum_range_error(L, bad, tolerance_names, 1, r->tolerance);
}

/* ---- results as tables ---------------------------------------------------------------- */

/* Descriptor field names, in the order the decoders fill values[]; a
 * leading '?' marks a boolean. */
static const char *const nominal_fields[] = {
  "start_lba", "start_performance", "end_lba", "end_performance", NULL
};
static const char *const exception_fields[] = { "lba", "time", NULL };
static const char *const write_speed_fields[] = {
  "?mixed_read_write", "?exact", "?restore_drive_defaults", "write_rotation_control",
  "end_lba", "read_speed", "write_speed", NULL
};

/* Descriptor i as values in field order; 0 when it lies outside the response. */
static int decode_descriptor(const uint8_t *buf, const struct mmc_perf_layout *lay, size_t i,
                             lua_Integer values[7])
{
  if (lay->kind == MMC_DESC_NOMINAL) {
    struct mmc_nominal d;
    if (!mmc_decode_nominal(buf, lay->used, i, &d))
      return 0;
    values[0] = d.start_lba;
    values[1] = d.start_performance;
    values[2] = d.end_lba;
    values[3] = d.end_performance;
  } else if (lay->kind == MMC_DESC_EXCEPTION) {
    struct mmc_exception d;
    if (!mmc_decode_exception(buf, lay->used, i, &d))
      return 0;
    values[0] = d.lba;
    values[1] = d.time;
  } else {
    struct mmc_write_speed d;
    if (!mmc_decode_write_speed(buf, lay->used, i, &d))
      return 0;
    values[0] = d.mrw;
    values[1] = d.exact;
    values[2] = d.rdd;
    values[3] = d.wrc;
    values[4] = d.end_lba;
    values[5] = d.read_speed;
    values[6] = d.write_speed;
  }
  return 1;
}

/* Pushes the list of descriptor tables. The key strings are pushed once and
 * set with lua_rawset: this loop is the hot path for large responses. */
static int push_descriptors(lua_State *L, const uint8_t *buf, const struct mmc_perf_layout *lay)
{
  const char *const *fields = lay->kind == MMC_DESC_NOMINAL     ? nominal_fields
                              : lay->kind == MMC_DESC_EXCEPTION ? exception_fields
                                                                : write_speed_fields;
  int nfields = 0, keys, f;
  size_t i;
  lua_Integer values[7];

  while (fields[nfields] != NULL)
    nfields++;
  if (!lua_checkstack(L, nfields + 4))
    return 0;
  keys = lua_gettop(L) + 1;
  for (f = 0; f < nfields; f++)
    lua_pushstring(L, fields[f][0] == '?' ? fields[f] + 1 : fields[f]);
  lua_createtable(L, (int)(lay->count < INT_MAX ? lay->count : INT_MAX), 0);
  for (i = 0; i < lay->count && decode_descriptor(buf, lay, i, values); i++) {
    lua_createtable(L, 0, nfields);
    for (f = 0; f < nfields; f++) {
      lua_pushvalue(L, keys + f);
      if (fields[f][0] == '?')
        lua_pushboolean(L, values[f] != 0);
      else
        lua_pushinteger(L, values[f]);
      lua_rawset(L, -3);
    }
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_replace(L, keys); /* the list takes the first key's slot */
  lua_settop(L, keys);
  return 1;
}

/* Pushes the result table for a performance response, or nil, message, info.
 * Returns the number of values pushed. */
int push_perf_result(lua_State *L, const uint8_t *buf, size_t len,
                            const struct mmc_perf_request *r, const char *command)
{
  struct mmc_perf_layout lay;
  enum mmc_parse_result pr = mmc_perf_parse(buf, len, r, &lay);

  if (pr == MMC_PARSE_SHORT)
    return push_decode_failure(L, command, "%s (got %d bytes)", mmc_parse_message(pr), (int)len);
  if (pr != MMC_PARSE_OK)
    return push_decode_failure(L, command, "%s", mmc_parse_message(pr));

  lua_createtable(L, 0, 4);
  lua_createtable(L, 0, 3);
  set_int(L, "data_length", (lua_Integer)lay.data_length);
  set_bool(L, "except", lay.except);
  set_bool(L, "write", lay.write);
  lua_setfield(L, -2, "header");

  if (!push_descriptors(L, buf, &lay))
    return luaL_error(L, "not enough Lua stack to decode descriptors");
  lua_setfield(L, -2, "descriptors");
  lua_pushstring(L, lay.kind == MMC_DESC_NOMINAL ? "nominal"
                    : lay.kind == MMC_DESC_EXCEPTION ? "exception" : "write_speed");
  lua_setfield(L, -2, "kind");
  lua_pushlstring(L, (const char *)buf, lay.used);
  lua_setfield(L, -2, "raw");
  set_bool(L, "truncated", lay.truncated);
  return 1;
}

int push_capabilities(lua_State *L, const uint8_t *buf, size_t len, const char *command)
{
  struct mmc_capabilities caps, *c = &caps; /* on the stack: a Lua error must not leak it */
  enum mmc_page_result pr;
  size_t i;

  pr = mmc_decode_page_2a(buf, len, c);
  if (pr != MMC_PAGE_OK) {
    int wrong = pr == MMC_PAGE_WRONG_PAGE;
    size_t off = c->page_offset;
    if (wrong && off < len)
      return push_decode_failure(L, command, "expected mode page 2Ah, got page %02Xh",
                                 (unsigned)(buf[off] & 0x3F));
    return push_decode_failure(L, command, "mode page 2Ah too short (%d bytes)", (int)len);
  }
  lua_createtable(L, 0, 12);
  set_int(L, "max_read_speed", c->max_read_speed);
  set_int(L, "current_read_speed", c->current_read_speed);
  /* Fields a short (MMC-1) page lacks stay absent rather than reading 0. */
  if (c->has_max_write)
    set_int(L, "max_write_speed", c->max_write_speed);
  if (c->has_current_write)
    set_int(L, "current_write_speed", c->current_write_speed);
  if (c->has_selected) {
    set_int(L, "current_write_speed_selected", c->current_write_speed_selected);
    set_int(L, "rotation_control", c->rotation_control);
  }
  set_int(L, "buffer_size_kb", c->buffer_size_kb);
  if (c->has_copy_management)
    set_int(L, "copy_management_revision", c->copy_management_revision);
  set_int(L, "page_length", (lua_Integer)c->page_length);
  set_bool(L, "truncated", c->truncated);
  /* Only an MMC-3 page has the write speed table; an older one has none, not an empty one. */
  if (c->has_selected) {
    set_int(L, "claimed_write_speeds", c->claimed_speeds);
    lua_createtable(L, (int)c->n_speeds, 0);
    for (i = 0; i < c->n_speeds; i++) {
      lua_createtable(L, 0, 2);
      set_int(L, "speed", c->speeds[i].speed);
      set_int(L, "rotation_control", c->speeds[i].rotation);
      lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "write_speeds");
  }
  return 1;
}

int push_inquiry(lua_State *L, const uint8_t *buf, size_t len, const char *command)
{
  struct mmc_inquiry q;
  if (!mmc_decode_inquiry(buf, len, &q))
    return push_decode_failure(L, command, "INQUIRY data too short (%d bytes)", (int)len);
  lua_createtable(L, 0, 5);
  set_int(L, "peripheral_type", q.peripheral_type);
  set_int(L, "peripheral_qualifier", q.peripheral_qualifier);
  set_string(L, "vendor", q.vendor);
  set_string(L, "product", q.product);
  set_string(L, "revision", q.revision);
  return 1;
}

int push_sense(lua_State *L, const uint8_t *buf, size_t len)
{
  struct mmc_sense s;
  const char *text;
  if (!mmc_decode_sense(buf, len, &s))
    return push_decode_failure(L, "sense", "not fixed or descriptor format sense data (%d bytes)",
                               (int)len);
  text = sense_asc_text(s.asc, s.ascq);
  lua_createtable(L, 0, 9);
  set_int(L, "response_code", s.response_code);
  set_bool(L, "descriptor_format", s.descriptor_format);
  set_bool(L, "deferred", s.deferred);
  set_int(L, "sense_key", s.key);
  set_int(L, "asc", s.asc);
  set_int(L, "ascq", s.ascq);
  set_string(L, "sense", sense_key_name(s.key));
  if (text != NULL)
    set_string(L, "text", text);
  if (s.information_valid)
    set_int(L, "information", s.information);
  return 1;
}

static unsigned get_speed_field(lua_State *L, int idx, const char *field)
{
  lua_getfield(L, idx, field);
  if (lua_isnil(L, -1) || (lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "max") == 0)) {
    lua_pop(L, 1);
    return 0xFFFF;
  }
  if (lua_type(L, -1) == LUA_TSTRING)
    luaL_error(L, "bad field '%s' (expected \"max\" or an integer 0..65535, got \"%s\")", field,
               lua_tostring(L, -1));
  if (lua_type(L, -1) != LUA_TNUMBER)
    luaL_error(L, "bad field '%s' (expected \"max\" or an integer 0..65535, got %s)", field,
               luaL_typename(L, -1));
  lua_pop(L, 1);
  return get_uint_field(L, idx, field, 0xFFFF, 0xFFFF, 0);
}

static int get_rotation_field(lua_State *L, int idx)
{
  lua_Integer v = get_enum_field(L, idx, "rotation", rotation_names, 0, 0);
  if (v < 0 || v > 3) /* the 2-bit field: clv 0, cav 1, and the reserved 2 and 3 */
    luaL_error(L, "bad field 'rotation' (expected clv|cav or 0..3, got %I)", v);
  return (int)v;
}

static const char *const set_speed_fields[] = { "read", "write", "rotation", NULL };

void read_speed_request(lua_State *L, int idx, unsigned *read_speed, unsigned *write_speed,
                        int *rotation)
{
  luaL_checktype(L, idx, LUA_TTABLE);
  check_fields(L, idx, set_speed_fields);
  *read_speed = get_speed_field(L, idx, "read");
  *write_speed = get_speed_field(L, idx, "write");
  *rotation = get_rotation_field(L, idx);
}

static const char *const set_streaming_fields[] = {
  "start_lba", "end_lba", "read_size", "read_time", "write_size", "write_time", "rotation",
  "restore_defaults", "exact", "random_access", "persistent", NULL
};

void read_streaming_request(lua_State *L, int idx, struct mmc_streaming *s, int *persistent)
{
  luaL_checktype(L, idx, LUA_TTABLE);
  check_fields(L, idx, set_streaming_fields);
  memset(s, 0, sizeof *s);
  s->restore_defaults = get_bool_field(L, idx, "restore_defaults");
  s->exact = get_bool_field(L, idx, "exact");
  s->random_access = get_bool_field(L, idx, "random_access");
  *persistent = get_bool_field(L, idx, "persistent");
  s->start_lba = get_uint_field(L, idx, "start_lba", 0, 0xFFFFFFFF, 0);
  s->end_lba = get_uint_field(L, idx, "end_lba", 0, 0xFFFFFFFF, !s->restore_defaults);
  s->read_size = get_uint_field(L, idx, "read_size", 0, 0xFFFFFFFF, 0);
  s->read_time = get_uint_field(L, idx, "read_time", 1000, 0xFFFFFFFF, 0);
  s->write_size = get_uint_field(L, idx, "write_size", 0, 0xFFFFFFFF, 0);
  s->write_time = get_uint_field(L, idx, "write_time", 1000, 0xFFFFFFFF, 0);
  s->rotation = get_rotation_field(L, idx);
}

int push_profile(lua_State *L, const uint8_t *buf, size_t len, const char *command)
{
  unsigned profile = 0;
  if (!mmc_decode_current_profile(buf, len, &profile))
    return push_decode_failure(L, command, "feature header too short (%d bytes)", (int)len);
  lua_createtable(L, 0, 1);
  set_int(L, "code", profile);
  return 1;
}
