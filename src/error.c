/*
 * error.c - filling a cdperf_error, and the names of the errno values a drive
 * meets (errno.h is standard C plus POSIX, so this builds on every platform).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "error.h"

struct errno_name { int code; const char *name; };

static const struct errno_name errno_names[] = {
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

const char *cdperf_errno_name(int e)
{
  const struct errno_name *t;
  for (t = errno_names; t->name != NULL; t++)
    if (t->code == e)
      return t->name;
  return NULL;
}

void cdperf_error_set(struct cdperf_error *err, enum cdperf_err_kind kind, int code,
                      const char *fmt, ...)
{
  va_list ap;
  err->kind = kind;
  err->code = code;
  err->name = (kind == CDPERF_ERR_OS || kind == CDPERF_ERR_CREDENTIALS) && code != 0
                  ? cdperf_errno_name(code) : NULL;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
}
