/*
 * tables.h - Lua tables <-> C structs for the binding (cdperf.c): request tables read
 * and checked (misuse raises a Lua error that names the field), results and failures
 * pushed. Each push_* leaves its result (1 value) or nil, message, info (3) on the stack
 * and returns how many.
 */
#ifndef CDPERF_TABLES_H
#define CDPERF_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "lua.h"

#include "device.h"
#include "hidden.h"
#include "mmc.h"

CDPERF_HIDDEN_BEGIN

/* Every key of the table at idx must be one of allowed (NULL-terminated). */
void check_fields(lua_State *L, int idx, const char *const *allowed);
/* A boolean field (absent: 0). */
int get_bool_field(lua_State *L, int idx, const char *field);
/* An integer field in 0..max (absent: dflt, or an error when required). */
uint32_t get_uint_field(lua_State *L, int idx, const char *field, lua_Integer dflt,
                        lua_Integer max, int required);

/* CDROM_PERFORMANCE_REQUEST / CDROM_WRITE_SPEED_REQUEST (absent: the defaults), checked as
 * the Windows driver checks it. */
void read_perf_request(lua_State *L, int idx, struct mmc_perf_request *r);
/* set_speed{ read =, write =, rotation = }: speeds 0..65535 or "max" (0xFFFF). */
void read_speed_request(lua_State *L, int idx, unsigned *read_speed, unsigned *write_speed,
                        int *rotation);
/* set_streaming{ ... } */
void read_streaming_request(lua_State *L, int idx, struct mmc_streaming *s, int *persistent);

/* nil, "COMMAND: message", info for an outcome. */
int push_failure(lua_State *L, const char *command, const struct cdperf_outcome *o);
/* The same for a reply that cannot be decoded (info.kind "decode"). */
int push_decode_failure(lua_State *L, const char *command, const char *fmt, ...)
  CDPERF_PRINTF(3, 4);

int push_perf_result(lua_State *L, const uint8_t *buf, size_t len,
                     const struct mmc_perf_request *r, const char *command);
int push_capabilities(lua_State *L, const uint8_t *buf, size_t len, const char *command);
int push_inquiry(lua_State *L, const uint8_t *buf, size_t len, const char *command);
int push_profile(lua_State *L, const uint8_t *buf, size_t len, const char *command);
int push_sense(lua_State *L, const uint8_t *buf, size_t len);

CDPERF_HIDDEN_END

#endif
