/*
 * cdperf.c - the Lua binding of cdperf.core: Lua tables <-> C structs, the
 * drive userdata, and errors. Wire formats live in mmc.c, device access in
 * the transport_*.c files.
 *
 * One translation unit: the other .c files are included here so that every
 * function but luaopen_cdperf_core stays static.
 */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua.h"
#include "lauxlib.h"

#include "mmc.h"
#include "sense.h"
#include "transport.h"

#include "mmc.c"
#include "sense.c"
#include "transport_lua.c"
#if defined(_WIN32)
#include "transport_win32.c"
#else
#include "transport_linux.c"
#endif
#if defined(CDPERF_HAVE_ISCSI)
#include "transport_iscsi.c"
#endif

#if defined(_WIN32)
#define CDPERF_EXPORT __declspec(dllexport)
#else
#define CDPERF_EXPORT __attribute__((visibility("default")))
#endif

#define DRIVE_MT "cdperf.drive"
#define CDPERF_VERSION "0.1.0"

static void cdperf_error_set(struct cdperf_error *err, enum cdperf_err_kind kind, int code,
                             const char *fmt, ...)
{
  va_list ap;
  err->kind = kind;
  err->code = code;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
}

/* ---- device names and their secrets ------------------------------------------------ */

/* Only names that reach libiscsi carry credentials; the scheme is matched in any case
 * so that a mistyped "ISCSI://" name, which goes to another transport, is hidden too. */
static size_t name_scheme(const char *s, size_t len)
{
  static const char *const schemes[] = { "iscsi://", "iser://", NULL };
  int i;
  for (i = 0; schemes[i] != NULL; i++) {
    size_t k, n = strlen(schemes[i]);
    if (len < n)
      continue;
    for (k = 0; k < n; k++) {
      char c = s[k];
      if (c >= 'A' && c <= 'Z')
        c = (char)(c - 'A' + 'a');
      if (c != schemes[i][k])
        break;
    }
    if (k == n)
      return n;
  }
  return 0;
}

static void cdperf_name_split(const char *s, size_t len, struct cdperf_name *n)
{
  const char *q, *at = NULL, *sep;
  size_t info, i;

  memset(n, 0, sizeof *n);
  n->end = len;
  n->scheme = name_scheme(s, len);
  n->host_off = n->scheme;
  if (n->scheme == 0)
    return;
  q = memchr(s + n->scheme, '?', len - n->scheme);
  if (q != NULL)
    n->end = (size_t)(q - s);
  /* The last '@': libiscsi takes the first, but cdperf hands libiscsi the name without
   * the user info, so a password may hold an '@' (hosts and iqns never do). */
  for (i = n->end; i > n->scheme; i--)
    if (s[i - 1] == '@') {
      at = s + i - 1;
      break;
    }
  if (at == NULL)
    return;
  n->has_user = 1;
  n->host_off = (size_t)(at - s) + 1;
  info = (size_t)(at - s) - n->scheme;
  n->user_len = info;
  /* libiscsi: the first '%', else the first ':' */
  sep = memchr(s + n->scheme, '%', info);
  if (sep == NULL)
    sep = memchr(s + n->scheme, ':', info);
  if (sep != NULL) {
    n->has_pass = 1;
    n->user_len = (size_t)(sep - s) - n->scheme;
    n->pass_off = (size_t)(sep - s) + 1;
    n->pass_len = (size_t)(at - sep) - 1;
  }
}

static int cdperf_name_next_arg(const char *s, size_t len, const struct cdperf_name *n,
                                size_t *pos, struct cdperf_name_arg *a)
{
  size_t p = *pos, stop;
  const char *amp, *eq;

  if (n->scheme == 0 || n->end >= len)
    return 0;
  if (p <= n->end)
    p = n->end + 1;
  if (p >= len)
    return 0;
  amp = memchr(s + p, '&', len - p);
  stop = amp != NULL ? (size_t)(amp - s) : len;
  *pos = amp != NULL ? stop + 1 : len;
  a->off = p;
  a->len = stop - p;
  eq = memchr(s + p, '=', a->len);
  a->has_value = eq != NULL;
  a->key_len = eq != NULL ? (size_t)(eq - s) - p : a->len;
  a->value_off = eq != NULL ? (size_t)(eq - s) + 1 : stop;
  a->value_len = stop - a->value_off;
  return 1;
}

static int cdperf_name_arg_is(const char *s, const struct cdperf_name_arg *a, const char *key)
{
  return a->key_len == strlen(key) && memcmp(s + a->off, key, a->key_len) == 0;
}

/* The next secret at or after *pos: the password, then each target_password value. */
static int name_next_secret(const char *s, size_t len, size_t *pos, size_t *off, size_t *n)
{
  struct cdperf_name nm;
  struct cdperf_name_arg a;
  size_t ap = 0;

  cdperf_name_split(s, len, &nm);
  if (nm.has_pass && nm.pass_len > 0 && nm.pass_off >= *pos) {
    *off = nm.pass_off;
    *n = nm.pass_len;
    *pos = nm.pass_off + nm.pass_len;
    return 1;
  }
  while (cdperf_name_next_arg(s, len, &nm, &ap, &a)) {
    if (a.value_off >= *pos && a.has_value && a.value_len > 0 &&
        cdperf_name_arg_is(s, &a, "target_password")) {
      *off = a.value_off;
      *n = a.value_len;
      *pos = a.value_off + a.value_len;
      return 1;
    }
  }
  return 0;
}

/* Appends p[0, n) to out at offset at (within size); returns the new offset. */
static size_t name_emit(char *out, size_t size, size_t at, const char *p, size_t n)
{
  if (at + 1 < size) {
    size_t room = size - 1 - at;
    memcpy(out + at, p, n < room ? n : room);
  }
  return at + n;
}

static size_t cdperf_display_name(const char *s, size_t len, char *out, size_t size)
{
  size_t at = 0, from = 0, pos = 0, off, n;

  while (name_next_secret(s, len, &pos, &off, &n)) {
    at = name_emit(out, size, at, s + from, off - from);
    at = name_emit(out, size, at, "***", 3);
    from = off + n;
  }
  at = name_emit(out, size, at, s + from, len - from);
  if (size > 0)
    out[at < size ? at : size - 1] = '\0';
  return at;
}

static void cdperf_scrub(char *buf, size_t size, const char *secret, size_t n)
{
  size_t len, i = 0, k;
  int full;

  if (buf == NULL || size == 0 || secret == NULL || n == 0)
    return;
  len = strlen(buf);
  full = len + 1 >= size;   /* maybe cut short by snprintf: check the tail too */
  while (i + n <= len) {
    size_t put = 3, rest;
    if (memcmp(buf + i, secret, n) != 0) {
      i++;
      continue;
    }
    rest = len - (i + n);
    if (put > size - 1 - i)
      put = size - 1 - i;
    if (rest > size - 1 - i - put) {
      rest = size - 1 - i - put;
      full = 1;
    }
    memmove(buf + i + put, buf + i + n, rest);
    memcpy(buf + i, "***", put);
    len = i + put + rest;
    buf[len] = '\0';
    i += put;
  }
  if (!full)
    return;
  /* A copy cut off at the end: hide the longest tail that starts the secret. */
  for (k = n - 1 < len ? n - 1 : len; k > 0; k--) {
    if (memcmp(buf + len - k, secret, k) == 0) {
      memcpy(buf + len - k, "***", k < 3 ? k : 3);
      buf[len - k + (k < 3 ? k : 3)] = '\0';
      return;
    }
  }
}

static void cdperf_scrub_name(char *buf, size_t size, const char *s, size_t len)
{
  size_t pos = 0, off, n;
  while (name_next_secret(s, len, &pos, &off, &n))
    cdperf_scrub(buf, size, s + off, n);
}

/* ---- names ---------------------------------------------------------------------- */

struct code_name { int code; const char *name; };

static const struct code_name errno_names[] = {
  { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" }, { ENXIO, "ENXIO" },
  { EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
  { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { ENODEV, "ENODEV" }, { ENOTDIR, "ENOTDIR" },
  { EISDIR, "EISDIR" }, { EINVAL, "EINVAL" }, { ENOTTY, "ENOTTY" }, { EROFS, "EROFS" },
  { EINTR, "EINTR" }, { ENOSYS, "ENOSYS" },
#ifdef ENOMEDIUM
  { ENOMEDIUM, "ENOMEDIUM" },
#endif
#ifdef ETIMEDOUT
  { ETIMEDOUT, "ETIMEDOUT" },
#endif
#ifdef EOVERFLOW
  { EOVERFLOW, "EOVERFLOW" },
#endif
  { 0, NULL }
};

/* Linux SCSI host and driver byte values (include/scsi/scsi_status.h). */
static const char *const host_status_names[] = {
  "DID_OK", "DID_NO_CONNECT", "DID_BUS_BUSY", "DID_TIME_OUT", "DID_BAD_TARGET", "DID_ABORT",
  "DID_PARITY", "DID_ERROR", "DID_RESET", "DID_BAD_INTR", "DID_PASSTHROUGH", "DID_SOFT_ERROR",
  "DID_IMM_RETRY", "DID_REQUEUE", "DID_TRANSPORT_DISRUPTED", "DID_TRANSPORT_FAILFAST",
  "DID_TARGET_FAILURE", "DID_NEXUS_FAILURE", "DID_ALLOC_FAILURE", "DID_MEDIUM_ERROR"
};
static const char *const driver_status_names[] = {
  "DRIVER_OK", "DRIVER_BUSY", "DRIVER_SOFT", "DRIVER_MEDIA", "DRIVER_ERROR",
  "DRIVER_INVALID", "DRIVER_TIMEOUT", "DRIVER_HARD", "DRIVER_SENSE"
};

static const struct code_name scsi_status_names[] = {
  { 0x00, "GOOD" }, { 0x02, "CHECK CONDITION" }, { 0x04, "CONDITION MET" }, { 0x08, "BUSY" },
  { 0x18, "RESERVATION CONFLICT" }, { 0x28, "TASK SET FULL" }, { 0x30, "ACA ACTIVE" },
  { 0x40, "TASK ABORTED" }, { 0, NULL }
};

static const char *code_name_find(const struct code_name *t, int code)
{
  for (; t->name != NULL; t++)
    if (t->code == code)
      return t->name;
  return NULL;
}

/* ---- the drive userdata ------------------------------------------------------------ */

struct drive {
  struct cdperf_transport *t;  /* NULL when closed */
  int is_lua;                  /* transport_lua: bind the running thread first */
  int trace;                   /* CDPERF_TRACE set: print each CDB to stderr */
};

static struct drive *drive_check(lua_State *L, int idx)
{
  struct drive *d = (struct drive *)luaL_checkudata(L, idx, DRIVE_MT);
  if (d->t == NULL)
    luaL_error(L, "attempt to use a closed drive");
  return d;
}

static const char *drive_label(lua_State *L, int idx)
{
  const char *s;
  lua_getiuservalue(L, idx, 1);
  s = lua_tostring(L, -1);
  lua_pop(L, 1); /* the string stays anchored in the uservalue */
  return s != NULL ? s : "?";
}

/* close(), __close and __gc share this; closing twice is fine. */
static int drive_close(lua_State *L)
{
  struct drive *d = (struct drive *)luaL_checkudata(L, 1, DRIVE_MT);
  if (d->t != NULL) {
    struct cdperf_transport *t = d->t;
    d->t = NULL;
    t->ops->close(t);
    lua_pushnil(L); /* let go of a callable device */
    lua_setiuservalue(L, 1, 2);
  }
  lua_pushboolean(L, 1);
  return 1;
}

static int drive_tostring(lua_State *L)
{
  struct drive *d = (struct drive *)luaL_checkudata(L, 1, DRIVE_MT);
  if (d->t == NULL)
    lua_pushliteral(L, "cdperf.drive (closed)");
  else
    lua_pushfstring(L, "cdperf.drive (%s)", drive_label(L, 1));
  return 1;
}

static int drive_is_open(lua_State *L)
{
  struct drive *d = (struct drive *)luaL_checkudata(L, 1, DRIVE_MT);
  lua_pushboolean(L, d->t != NULL);
  return 1;
}

/* ---- errors as nil, message, info ---------------------------------------------------- */

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

/* Pushes nil, "COMMAND: message", info; returns 3. */
static int push_failure(lua_State *L, const char *command, const struct cdperf_error *err)
{
  lua_pushnil(L);
  lua_pushfstring(L, "%s: %s", command, err->message);
  lua_createtable(L, 0, 5);
  set_string(L, "command", command);
  switch (err->kind) {
  case CDPERF_ERR_OS: {
    const char *name = code_name_find(errno_names, err->code);
    set_string(L, "kind", "os");
    set_int(L, "errno", err->code);
    if (name != NULL)
      set_string(L, "code", name);
    break;
  }
  case CDPERF_ERR_WIN32:
    set_string(L, "kind", "win32");
    set_int(L, "code", err->code);
    break;
  case CDPERF_ERR_ISCSI:
    set_string(L, "kind", "iscsi");
    set_int(L, "code", err->code);
    break;
  case CDPERF_ERR_DEVICE:
    set_string(L, "kind", "device");
    break;
  case CDPERF_ERR_UNSUPPORTED:
    set_string(L, "kind", "unsupported");
    break;
  case CDPERF_ERR_CREDENTIALS: {
    const char *name = code_name_find(errno_names, err->code);
    set_string(L, "kind", "credentials");
    if (err->code != 0)
      set_int(L, "errno", err->code);
    if (name != NULL)
      set_string(L, "code", name);
    break;
  }
  default:
    set_string(L, "kind", "decode");
    break;
  }
  return 3;
}

static int push_decode_failure(lua_State *L, const char *command, const char *fmt, ...)
{
  struct cdperf_error err;
  va_list ap;
  err.kind = CDPERF_ERR_NONE;
  err.code = 0;
  va_start(ap, fmt);
  vsnprintf(err.message, sizeof err.message, fmt, ap);
  va_end(ap);
  return push_failure(L, command, &err);
}

/* CHECK CONDITION and the other non-GOOD outcomes of a delivered command. */
static int push_scsi_failure(lua_State *L, const char *command, const struct cdperf_cmd *cmd)
{
  struct mmc_sense s;
  const char *text = NULL, *key = NULL;

  lua_pushnil(L);
  if (cmd->host_status != 0 || ((cmd->driver_status & 0x0F) != 0 &&
                                (cmd->driver_status & 0x0F) != 0x08)) {
    const char *h = (size_t)cmd->host_status <
                            sizeof host_status_names / sizeof host_status_names[0]
                        ? host_status_names[cmd->host_status] : "DID_UNKNOWN";
    const char *dn = (size_t)(cmd->driver_status & 0x0F) <
                             sizeof driver_status_names / sizeof driver_status_names[0]
                         ? driver_status_names[cmd->driver_status & 0x0F] : "DRIVER_UNKNOWN";
    if (cmd->host_status != 0)
      lua_pushfstring(L, "%s: host adapter error %s (0x%02x)", command, h, cmd->host_status);
    else
      lua_pushfstring(L, "%s: driver error %s (0x%02x)", command, dn, cmd->driver_status);
    lua_createtable(L, 0, 6);
    set_string(L, "kind", "host");
    set_string(L, "command", command);
    set_int(L, "host_status", cmd->host_status);
    set_int(L, "driver_status", cmd->driver_status);
    set_string(L, "code", cmd->host_status != 0 ? h : dn);
    set_int(L, "status", cmd->status);
    return 3;
  }
  if (cmd->status == 0x02 && mmc_decode_sense(cmd->sense, cmd->sense_len, &s)) {
    char hex[40];
    key = sense_key_name(s.key);
    text = sense_asc_text(s.asc, s.ascq);
    if (text == NULL) {
      snprintf(hex, sizeof hex, "ASC 0x%02X ASCQ 0x%02X", (unsigned)s.asc, (unsigned)s.ascq);
      lua_pushfstring(L, "%s: %s, %s", command, key, hex);
    } else {
      lua_pushfstring(L, "%s: %s, %s", command, key, text);
    }
    lua_createtable(L, 0, 10);
    set_string(L, "kind", "scsi");
    set_string(L, "command", command);
    set_int(L, "status", cmd->status);
    set_int(L, "sense_key", s.key);
    set_int(L, "asc", s.asc);
    set_int(L, "ascq", s.ascq);
    set_string(L, "sense", key);
    if (text != NULL)
      set_string(L, "text", text);
    if (s.information_valid)
      set_int(L, "information", (lua_Integer)s.information);
    if (s.deferred) {
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, "deferred");
    }
    lua_pushlstring(L, (const char *)cmd->sense, cmd->sense_len);
    lua_setfield(L, -2, "sense_bytes");
    return 3;
  }
  {
    const char *sn = code_name_find(scsi_status_names, cmd->status);
    if (cmd->status == 0x02)
      lua_pushfstring(L, "%s: CHECK CONDITION without usable sense data", command);
    else if (sn != NULL)
      lua_pushfstring(L, "%s: SCSI status %s", command, sn);
    else
      lua_pushfstring(L, "%s: SCSI status 0x%02x", command, cmd->status);
    lua_createtable(L, 0, 4);
    set_string(L, "kind", "scsi");
    set_string(L, "command", command);
    set_int(L, "status", cmd->status);
    lua_pushlstring(L, (const char *)cmd->sense, cmd->sense_len);
    lua_setfield(L, -2, "sense_bytes");
  }
  return 3;
}

/* Success for GOOD, and for CHECK CONDITION that only reports a recovered error. */
static int cmd_succeeded(const struct cdperf_cmd *cmd)
{
  struct mmc_sense s;
  if (cmd->host_status != 0)
    return 0;
  if ((cmd->driver_status & 0x0F) != 0 && (cmd->driver_status & 0x0F) != 0x08)
    return 0;
  if (cmd->status == 0x00)
    return 1;
  if (cmd->status == 0x02 && mmc_decode_sense(cmd->sense, cmd->sense_len, &s))
    return s.key == 0x01 || (s.key == 0x00 && s.asc == 0 && s.ascq == 0);
  return 0;
}

static void drive_trace(lua_State *L, struct drive *d, const struct cdperf_cmd *cmd)
{
  size_t i;
  fprintf(stderr, "cdperf: %s %s CDB", d->t->ops->name, drive_label(L, 1));
  for (i = 0; i < cmd->cdb_len; i++)
    fprintf(stderr, " %02X", cmd->cdb[i]);
  fprintf(stderr, "\n");
}

/* Runs cmd on the drive at stack index 1. 0 on success; otherwise pushes
 * nil, message, info and returns 3. */
static int drive_exec(lua_State *L, struct drive *d, struct cdperf_cmd *cmd, const char *command)
{
  struct cdperf_error err;
  memset(&err, 0, sizeof err);
  cdperf_cmd_clear_result(cmd);
  if (d->t == NULL) /* closed from inside its own device by an earlier command */
    return luaL_error(L, "attempt to use a closed drive");
  if (d->trace)
    drive_trace(L, d, cmd);
  if (d->is_lua) {
    int fn, rc;
    lua_getiuservalue(L, 1, 2);
    fn = lua_gettop(L);
    transport_lua_bind(d->t, L, fn);
    rc = d->t->ops->exec(d->t, cmd, &err);
    lua_remove(L, fn);
    if (rc != 0)
      return push_failure(L, command, &err);
  } else if (d->t->ops->exec(d->t, cmd, &err) != 0) {
    return push_failure(L, command, &err);
  }
  if (!cmd_succeeded(cmd))
    return push_scsi_failure(L, command, cmd);
  return 0;
}

/* Builds the command for drive_exec; *received (when wanted) gets the bytes that came in. */
static int drive_run(lua_State *L, struct drive *d, const uint8_t *cdb, size_t cdb_len,
                     enum cdperf_dir dir, uint8_t *data, size_t data_len, const char *command,
                     size_t *received)
{
  struct cdperf_cmd cmd;
  memset(&cmd, 0, sizeof cmd);
  cmd.cdb = cdb;
  cmd.cdb_len = cdb_len;
  cmd.dir = dir;
  cmd.data = data;
  cmd.data_len = data_len;
  if (drive_exec(L, d, &cmd, command) != 0)
    return 3;
  if (received != NULL)
    *received = cmd.received;
  return 0;
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
static void check_fields(lua_State *L, int idx, const char *const *allowed)
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

static uint32_t get_uint_field(lua_State *L, int idx, const char *field, lua_Integer dflt,
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

static int get_bool_field(lua_State *L, int idx, const char *field)
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
static void read_perf_request(lua_State *L, int idx, struct mmc_perf_request *r)
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
static int push_perf_result(lua_State *L, const uint8_t *buf, size_t len,
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

static int push_capabilities(lua_State *L, const uint8_t *buf, size_t len, const char *command)
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

static int push_inquiry(lua_State *L, const uint8_t *buf, size_t len, const char *command)
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

static int push_sense(lua_State *L, const uint8_t *buf, size_t len)
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

/* ---- drive methods -------------------------------------------------------------------- */

/* One GET PERFORMANCE into buf (len bytes, max descriptors n). 0 or pushed error. */
static int perf_command(lua_State *L, struct drive *d, const struct mmc_perf_request *r,
                        uint8_t *buf, size_t len, unsigned n, size_t *received)
{
  uint8_t cdb[12];
  if (d->t == NULL) /* a Lua device closed its own drive during the first command */
    return luaL_error(L, "attempt to use a closed drive");
  if (d->t->ops->get_performance != NULL) {
    struct cdperf_error err;
    memset(&err, 0, sizeof err);
    *received = 0;
    if (d->t->ops->get_performance(d->t, r, buf, len, received, &err) != 0)
      return push_failure(L, "GET PERFORMANCE", &err);
    if (*received > len)
      *received = len;
    return 0;
  }
  mmc_build_get_performance(cdb, r, n);
  return drive_run(L, d, cdb, sizeof cdb, CDPERF_DIR_IN, buf, len, "GET PERFORMANCE", received);
}

static int drive_get_performance(lua_State *L)
{
  struct drive *d = drive_check(L, 1);
  struct mmc_perf_request r;
  size_t size, len, received = 0;
  unsigned n = MMC_FIRST_DESCRIPTORS;
  uint8_t *buf;

  read_perf_request(L, 2, &r);
  size = mmc_perf_descriptor_size(&r);
  /* The allocation equals 8 + size x n exactly: virtio-scsi checks it. */
  len = MMC_PERF_HEADER_LEN + size * n;
  buf = (uint8_t *)lua_newuserdatauv(L, len, 0);
  if (perf_command(L, d, &r, buf, len, n, &received) != 0)
    return 3;
  if (received >= MMC_PERF_HEADER_LEN) {
    uint64_t claimed = (uint64_t)mmc_be32(buf) + 4u;
    if (claimed > len) {
      /* More exists: one second command sized for all of it, within 65535 bytes. */
      uint64_t want = claimed < MMC_MAX_TRANSFER ? claimed : MMC_MAX_TRANSFER;
      unsigned n2 = (unsigned)((want - MMC_PERF_HEADER_LEN + size - 1) / size);
      if (n2 > mmc_perf_max_descriptors(&r))
        n2 = mmc_perf_max_descriptors(&r);
      if (n2 > n) {
        n = n2;
        len = MMC_PERF_HEADER_LEN + size * n;
        buf = (uint8_t *)lua_newuserdatauv(L, len, 0);
        if (perf_command(L, d, &r, buf, len, n, &received) != 0)
          return 3;
      }
    }
  }
  return push_perf_result(L, buf, received, &r, "GET PERFORMANCE");
}

/* A data-in command of up to alloc bytes; on success leaves the buffer on
 * the stack and returns it. On failure returns NULL with 3 values pushed. */
static uint8_t *data_in(lua_State *L, struct drive *d, const uint8_t *cdb, size_t cdb_len,
                        size_t alloc, const char *command, size_t *received)
{
  uint8_t *buf = (uint8_t *)lua_newuserdatauv(L, alloc, 0);
  memset(buf, 0, alloc);
  if (drive_run(L, d, cdb, cdb_len, CDPERF_DIR_IN, buf, alloc, command, received) != 0)
    return NULL;
  return buf;
}

static int drive_inquiry(lua_State *L)
{
  struct drive *d = drive_check(L, 1);
  uint8_t cdb[6], *buf;
  size_t got = 0;
  mmc_build_inquiry(cdb, MMC_INQUIRY_LEN);
  if ((buf = data_in(L, d, cdb, sizeof cdb, MMC_INQUIRY_LEN, "INQUIRY", &got)) == NULL)
    return 3;
  return push_inquiry(L, buf, got, "INQUIRY");
}

static int drive_profile(lua_State *L)
{
  struct drive *d = drive_check(L, 1);
  uint8_t cdb[10], *buf;
  size_t got = 0;
  unsigned profile = 0;
  mmc_build_get_configuration(cdb, MMC_CONFIG_HEADER_LEN);
  buf = data_in(L, d, cdb, sizeof cdb, MMC_CONFIG_HEADER_LEN, "GET CONFIGURATION", &got);
  if (buf == NULL)
    return 3;
  if (!mmc_decode_current_profile(buf, got, &profile))
    return push_decode_failure(L, "GET CONFIGURATION", "feature header too short (%d bytes)",
                               (int)got);
  lua_createtable(L, 0, 1);
  set_int(L, "code", profile);
  return 1;
}

static int drive_capabilities(lua_State *L)
{
  struct drive *d = drive_check(L, 1);
  uint8_t cdb[10], *buf;
  size_t got = 0;
  mmc_build_mode_sense_2a(cdb, MMC_PAGE_2A_ALLOC);
  buf = data_in(L, d, cdb, sizeof cdb, MMC_PAGE_2A_ALLOC, "MODE SENSE", &got);
  if (buf == NULL)
    return 3;
  return push_capabilities(L, buf, got, "MODE SENSE");
}

static int drive_request_sense(lua_State *L)
{
  struct drive *d = drive_check(L, 1);
  uint8_t cdb[6], *buf;
  size_t got = 0;
  mmc_build_request_sense(cdb, 18);
  if ((buf = data_in(L, d, cdb, sizeof cdb, 18, "REQUEST SENSE", &got)) == NULL)
    return 3;
  return push_sense(L, buf, got);
}

static int drive_test_unit_ready(lua_State *L)
{
  struct drive *d = drive_check(L, 1);
  uint8_t cdb[6];
  mmc_build_test_unit_ready(cdb);
  if (drive_run(L, d, cdb, sizeof cdb, CDPERF_DIR_NONE, NULL, 0, "TEST UNIT READY", NULL) != 0)
    return 3;
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
  struct cdperf_cmd cmd;
  size_t cdb_len, out_len = 0;
  const uint8_t *cdb;
  enum cdperf_dir dir;
  lua_Integer alloc = 0, timeout = 0;
  const char *out = NULL;
  uint8_t *buf = NULL;
  char name[16];

  if (lua_type(L, 2) != LUA_TSTRING)   /* not a number turned into digits */
    return luaL_typeerror(L, 2, "string");
  cdb = (const uint8_t *)lua_tolstring(L, 2, &cdb_len);
  dir = dir_values[luaL_checkoption(L, 3, NULL, dirs)];
  if (cdb_len < 6 || cdb_len > 16)
    return luaL_argerror(L, 2, lua_pushfstring(L, "CDB of 6 to 16 bytes expected, got %d",
                                               (int)cdb_len));
  if (dir == CDPERF_DIR_IN) {
    alloc = luaL_checkinteger(L, 4);
    luaL_argcheck(L, alloc >= 0 && alloc <= (lua_Integer)MMC_MAX_TRANSFER, 4,
                  "allocation length 0..65535 expected");
  } else if (dir == CDPERF_DIR_OUT) {
    if (lua_type(L, 4) != LUA_TSTRING)
      return luaL_typeerror(L, 4, "string");
    out = lua_tolstring(L, 4, &out_len);
    luaL_argcheck(L, out_len <= MMC_MAX_TRANSFER, 4, "at most 65535 parameter bytes expected");
  } else if (!lua_isnoneornil(L, 4)) {
    return luaL_argerror(L, 4, "nil expected for direction \"none\"");
  }
  if (!lua_isnoneornil(L, 5)) {
    timeout = luaL_checkinteger(L, 5);
    luaL_argcheck(L, timeout >= 1 && timeout <= 86400000, 5, "timeout 1..86400000 ms expected");
  }
  snprintf(name, sizeof name, "CDB %02Xh", (unsigned)cdb[0]);
  if (dir == CDPERF_DIR_IN)
    buf = (uint8_t *)lua_newuserdatauv(L, (size_t)alloc, 0);
  memset(&cmd, 0, sizeof cmd);
  cmd.cdb = cdb;
  cmd.cdb_len = cdb_len;
  cmd.dir = dir;
  cmd.data = dir == CDPERF_DIR_IN ? buf : (uint8_t *)(uintptr_t)out;  /* OUT: only read */
  cmd.data_len = dir == CDPERF_DIR_IN ? (size_t)alloc : out_len;
  cmd.timeout_ms = (unsigned)timeout;
  if (drive_exec(L, d, &cmd, name) != 0)
    return 3;
  if (dir == CDPERF_DIR_IN)
    lua_pushlstring(L, (const char *)buf, cmd.received <= (size_t)alloc ? cmd.received : 0);
  else
    lua_pushliteral(L, "");
  return 1;
}

/* On Linux a read-only handle cannot send these; say so rather than EPERM. */
static int control_refused(lua_State *L, struct drive *d, const char *command)
{
  struct cdperf_error err;
  if (!d->t->control_needs_write || d->t->writable)
    return 0;
  cdperf_error_set(&err, CDPERF_ERR_OS, EPERM,
                   "needs write access: open the drive with cdperf.open(\"%s\", { write = true })",
                   drive_label(L, 1));
  return push_failure(L, command, &err);
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

static int drive_set_speed(lua_State *L)
{
  struct drive *d = drive_check(L, 1);
  unsigned rd, wr;
  int rot, n;
  uint8_t cdb[12];

  luaL_checktype(L, 2, LUA_TTABLE);
  check_fields(L, 2, set_speed_fields);
  rd = get_speed_field(L, 2, "read");
  wr = get_speed_field(L, 2, "write");
  rot = get_rotation_field(L, 2);
  if ((n = control_refused(L, d, "SET CD SPEED")) != 0)
    return n;
  if (d->t->ops->set_speed != NULL) {
    struct cdperf_error err;
    memset(&err, 0, sizeof err);
    if (d->t->ops->set_speed(d->t, rd, wr, rot, &err) != 0)
      return push_failure(L, "SET CD SPEED", &err);
  } else {
    mmc_build_set_cd_speed(cdb, rd, wr, rot);
    if (drive_run(L, d, cdb, sizeof cdb, CDPERF_DIR_NONE, NULL, 0, "SET CD SPEED", NULL) != 0)
      return 3;
  }
  lua_pushboolean(L, 1);
  return 1;
}

static const char *const set_streaming_fields[] = {
  "start_lba", "end_lba", "read_size", "read_time", "write_size", "write_time", "rotation",
  "restore_defaults", "exact", "random_access", "persistent", NULL
};

static int drive_set_streaming(lua_State *L)
{
  struct drive *d = drive_check(L, 1);
  struct mmc_streaming s;
  int persistent, n;
  uint8_t cdb[12], param[MMC_STREAMING_LEN];

  luaL_checktype(L, 2, LUA_TTABLE);
  check_fields(L, 2, set_streaming_fields);
  memset(&s, 0, sizeof s);
  s.restore_defaults = get_bool_field(L, 2, "restore_defaults");
  s.exact = get_bool_field(L, 2, "exact");
  s.random_access = get_bool_field(L, 2, "random_access");
  persistent = get_bool_field(L, 2, "persistent");
  s.start_lba = get_uint_field(L, 2, "start_lba", 0, 0xFFFFFFFF, 0);
  s.end_lba = get_uint_field(L, 2, "end_lba", 0, 0xFFFFFFFF, !s.restore_defaults);
  s.read_size = get_uint_field(L, 2, "read_size", 0, 0xFFFFFFFF, 0);
  s.read_time = get_uint_field(L, 2, "read_time", 1000, 0xFFFFFFFF, 0);
  s.write_size = get_uint_field(L, 2, "write_size", 0, 0xFFFFFFFF, 0);
  s.write_time = get_uint_field(L, 2, "write_time", 1000, 0xFFFFFFFF, 0);
  s.rotation = get_rotation_field(L, 2);
  if ((n = control_refused(L, d, "SET STREAMING")) != 0)
    return n;
  if (d->t->ops->set_streaming != NULL) {
    struct cdperf_error err;
    memset(&err, 0, sizeof err);
    if (d->t->ops->set_streaming(d->t, &s, persistent, &err) != 0)
      return push_failure(L, "SET STREAMING", &err);
  } else {
    mmc_build_set_streaming(cdb, param, &s);
    if (drive_run(L, d, cdb, sizeof cdb, CDPERF_DIR_OUT, param, sizeof param, "SET STREAMING",
                  NULL) != 0)
      return 3;
  }
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

/* open(device [, opts]) -> drive | nil, message, info */
static int core_open(lua_State *L)
{
  struct drive *d;
  struct cdperf_transport *t = NULL;
  struct cdperf_error err;
  int write = 0, rc, is_lua = 0;
  unsigned timeout_ms = CDPERF_DEFAULT_TIMEOUT_MS;
  const char *path = NULL, *credentials = NULL;
  size_t path_len = 0;

  memset(&err, 0, sizeof err);
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    check_fields(L, 2, open_fields);
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
  /* User values: 1 the label, 2 a callable device */
  d = (struct drive *)lua_newuserdatauv(L, sizeof *d, 2);
  d->t = NULL;
  d->is_lua = is_lua;
  d->trace = getenv("CDPERF_TRACE") != NULL && getenv("CDPERF_TRACE")[0] != '\0';
  luaL_setmetatable(L, DRIVE_MT);
  lua_pushvalue(L, -2);
  lua_setiuservalue(L, -2, 1);
  if (is_lua) {
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 2);
    rc = transport_lua_open(timeout_ms, &t, &err);
  } else {
    if (strncmp(path, "iscsi://", 8) == 0) {
#if defined(CDPERF_HAVE_ISCSI)
      rc = transport_iscsi_open(path, lua_tostring(L, -2), credentials, write, timeout_ms, &t,
                                &err);
#else
      (void)credentials;
      cdperf_error_set(&err, CDPERF_ERR_UNSUPPORTED, 0,
                       "this cdperf was built without libiscsi; install libiscsi-dev and rebuild");
      rc = -1;
#endif
    } else {
#if defined(_WIN32)
      rc = transport_win32_open(path, write, timeout_ms, &t, &err);
#else
      rc = transport_linux_open(path, write, timeout_ms, &t, &err);
#endif
    }
  }
  if (rc != 0) {
    if (path != NULL)   /* whatever the transport quoted, its secrets stay hidden */
      cdperf_scrub_name(err.message, sizeof err.message, path, path_len);
    return push_failure(L, "open", &err);
  }
  d->t = t;
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
#if defined(_WIN32)
  transport_win32_drives(drives_collect, L);
#else
  transport_linux_drives(drives_collect, L);
#endif
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
  { "__gc", drive_close },
  { "__close", drive_close },
  { "__tostring", drive_tostring },
  { NULL, NULL }
};

static const luaL_Reg core_functions[] = {
  { "open", core_open },
  { "drives", core_drives },
  { "decode_performance", core_decode_performance },
  { "decode_capabilities", core_decode_capabilities },
  { "decode_inquiry", core_decode_inquiry },
  { "decode_sense", core_decode_sense },
  { "sense_text", core_sense_text },
  { "display_name", core_display_name },
  { NULL, NULL }
};

/* The Windows enum and IOCTL names, with their values, on every platform. */
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
  luaL_newmetatable(L, DRIVE_MT);
  luaL_setfuncs(L, drive_meta, 0);
  luaL_newlib(L, drive_methods);
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "__index");
  /* stack: metatable, methods */
  luaL_newlib(L, core_functions);
  lua_pushvalue(L, -2);
  lua_setfield(L, -2, "Drive");
  for (i = 0; core_constants[i].name != NULL; i++) {
    lua_pushinteger(L, core_constants[i].value);
    lua_setfield(L, -2, core_constants[i].name);
  }
  lua_pushliteral(L, CDPERF_VERSION);
  lua_setfield(L, -2, "_VERSION");
#if defined(_WIN32)
  lua_pushliteral(L, "win32");
#else
  lua_pushliteral(L, "linux");
#endif
  lua_setfield(L, -2, "platform");
#if defined(CDPERF_HAVE_ISCSI)
  lua_pushboolean(L, 1);
#else
  lua_pushboolean(L, 0);
#endif
  lua_setfield(L, -2, "have_iscsi");
  return 1;
}
