/*
 * name.h - device names and their secrets. No Lua, no OS calls.
 */
#ifndef CDPERF_NAME_H
#define CDPERF_NAME_H

#include <stddef.h>

#include "hidden.h"

CDPERF_HIDDEN_BEGIN

/* An iSCSI name is split as libiscsi splits it, so that what is hidden is what would
 * be sent as a password:
 *   iscsi://[user[%password]@]host[:port]/iqn/lun[?key=value&...]
 * (the first '%', else the first ':', ends the user; the user info ends at the last
 * '@' before the first '?' -- libiscsi takes the first, but never sees the user info;
 * the target password is the value of every target_password argument). */
struct cdperf_name {
  size_t scheme;       /* length of "iscsi://" or "iser://" (any case); 0: no secrets */
  size_t end;          /* where the arguments start: the first '?', or the length */
  int has_user;        /* user info present (an '@' before end) */
  size_t user_len;     /* the user is s[scheme, scheme + user_len) */
  int has_pass;        /* a '%' or ':' in the user info */
  size_t pass_off, pass_len;
  size_t host_off;     /* just after the '@', or scheme */
};
struct cdperf_name_arg {
  size_t off, len;     /* the whole key[=value] */
  size_t key_len;
  int has_value;
  size_t value_off, value_len;
};
void cdperf_name_split(const char *s, size_t len, struct cdperf_name *n);
/* Arguments after the '?' one by one: *pos starts at 0; 1 while one is found. */
int cdperf_name_next_arg(const char *s, size_t len, const struct cdperf_name *n,
                         size_t *pos, struct cdperf_name_arg *a);
int cdperf_name_arg_is(const char *s, const struct cdperf_name_arg *a, const char *key);
/* The name with every password replaced by "***", as snprintf: writes at most size
 * bytes (NUL-terminated when size > 0), returns the full length. */
size_t cdperf_display_name(const char *s, size_t len, char *out, size_t size);
/* Replaces every copy of secret[0, n) in the C string buf (capacity size) with "***". */
void cdperf_scrub(char *buf, size_t size, const char *secret, size_t n);
/* cdperf_scrub for each secret of the device name s. */
void cdperf_scrub_name(char *buf, size_t size, const char *s, size_t len);

CDPERF_HIDDEN_END

#endif
