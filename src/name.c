/*
 * name.c - device names and the secrets in them: an iscsi:// name split the way
 * libiscsi splits it, its display form with every password replaced by "***", and
 * scrubbing a message of them. Pure string work: no Lua, no OS calls.
 */
#include <string.h>

#include "name.h"

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

void cdperf_name_split(const char *s, size_t len, struct cdperf_name *n)
{
  const char *q, *at = NULL, *sep;
  size_t info, i;

  memset(n, 0, sizeof *n);
  n->end = len;
  n->scheme = name_scheme(s, len);
  n->host_off = n->scheme;
  if (n->scheme == 0)
    return;
  q = (const char *)memchr(s + n->scheme, '?', len - n->scheme);
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
  sep = (const char *)memchr(s + n->scheme, '%', info);
  if (sep == NULL)
    sep = (const char *)memchr(s + n->scheme, ':', info);
  if (sep != NULL) {
    n->has_pass = 1;
    n->user_len = (size_t)(sep - s) - n->scheme;
    n->pass_off = (size_t)(sep - s) + 1;
    n->pass_len = (size_t)(at - sep) - 1;
  }
}

int cdperf_name_next_arg(const char *s, size_t len, const struct cdperf_name *n,
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
  amp = (const char *)memchr(s + p, '&', len - p);
  stop = amp != NULL ? (size_t)(amp - s) : len;
  *pos = amp != NULL ? stop + 1 : len;
  a->off = p;
  a->len = stop - p;
  eq = (const char *)memchr(s + p, '=', a->len);
  a->has_value = eq != NULL;
  a->key_len = eq != NULL ? (size_t)(eq - s) - p : a->len;
  a->value_off = eq != NULL ? (size_t)(eq - s) + 1 : stop;
  a->value_len = stop - a->value_off;
  return 1;
}

int cdperf_name_arg_is(const char *s, const struct cdperf_name_arg *a, const char *key)
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

size_t cdperf_display_name(const char *s, size_t len, char *out, size_t size)
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

void cdperf_scrub(char *buf, size_t size, const char *secret, size_t n)
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

void cdperf_scrub_name(char *buf, size_t size, const char *s, size_t len)
{
  size_t pos = 0, off, n;
  while (name_next_secret(s, len, &pos, &off, &n))
    cdperf_scrub(buf, size, s + off, n);
}
