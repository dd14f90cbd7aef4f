/*
 * error.h - what went wrong, as every layer reports it: a kind (which becomes
 * info.kind in Lua), a code with its name where one exists, and one line of
 * text a person can act on (the command's name is put in front by the binding).
 * No Lua, no OS calls.
 */
#ifndef CDPERF_ERROR_H
#define CDPERF_ERROR_H

#include "hidden.h"

CDPERF_HIDDEN_BEGIN

enum cdperf_err_kind {
  CDPERF_ERR_NONE = 0,  /* a reply that cannot be decoded ("decode") */
  CDPERF_ERR_OS,        /* errno */
  CDPERF_ERR_WIN32,     /* GetLastError() */
  CDPERF_ERR_SCSI,      /* the device's status and sense (device.c classifies them) */
  CDPERF_ERR_HOST,      /* SG_IO host or driver status (transport_linux.c) */
  CDPERF_ERR_DEVICE,    /* a Lua-function device misbehaved */
  CDPERF_ERR_ISCSI,     /* libiscsi */
  CDPERF_ERR_UNSUPPORTED,
  CDPERF_ERR_CREDENTIALS  /* missing, half or unsafe CHAP credentials; code: errno or 0 */
};

struct cdperf_error {
  enum cdperf_err_kind kind;
  int code;             /* errno, Win32 error, iSCSI status, SCSI status, host status */
  const char *name;     /* the code's name ("ENODEV", "DID_TIME_OUT"), or NULL */
  char message[256];    /* one line a person can act on */
};

/* Fills err; an OS or credentials error with an errno gets the errno's name too. */
void cdperf_error_set(struct cdperf_error *err, enum cdperf_err_kind kind, int code,
                      const char *fmt, ...) CDPERF_PRINTF(4, 5);

/* "ENOENT" for ENOENT; NULL for an errno the table lacks. */
const char *cdperf_errno_name(int e);

CDPERF_HIDDEN_END

#endif
