/*
 * transport.h - the one interface every way of reaching a drive implements.
 * A transport runs one CDB (or, on Windows, one native IOCTL) and reports
 * what happened; it never sees Lua (transport_lua.c excepted: its job is to
 * call a Lua function) and never decodes responses.
 */
#ifndef CDPERF_TRANSPORT_H
#define CDPERF_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "mmc.h"

#define CDPERF_DEFAULT_TIMEOUT_MS 20000u

enum cdperf_dir { CDPERF_DIR_NONE, CDPERF_DIR_IN, CDPERF_DIR_OUT };

struct cdperf_cmd {
  const uint8_t *cdb;
  size_t cdb_len;
  enum cdperf_dir dir;
  uint8_t *data;          /* IN: filled by the device; OUT: sent */
  size_t data_len;        /* buffer size (IN) or bytes to send (OUT) */
  /* filled in by exec */
  size_t received;        /* bytes the device really transferred (IN) */
  int status;             /* SCSI status byte (0 good, 2 CHECK CONDITION, ...) */
  uint8_t sense[MMC_SENSE_LEN];
  size_t sense_len;
  int host_status, driver_status;  /* Linux SG_IO; 0 elsewhere */
  int resid;
};

/* Zeroes what exec fills in (but the sense bytes). cdperf.c calls it before every
 * exec, so a transport starts from a clean result. */
static inline void cdperf_cmd_clear_result(struct cdperf_cmd *cmd)
{
  cmd->received = 0;
  cmd->status = 0;
  cmd->sense_len = 0;
  cmd->host_status = 0;
  cmd->driver_status = 0;
  cmd->resid = 0;
}

enum cdperf_err_kind {
  CDPERF_ERR_NONE = 0,
  CDPERF_ERR_OS,        /* errno */
  CDPERF_ERR_WIN32,     /* GetLastError() */
  CDPERF_ERR_SCSI,      /* status/sense: filled by cdperf.c from cdperf_cmd */
  CDPERF_ERR_HOST,      /* SG_IO host or driver status */
  CDPERF_ERR_DEVICE,    /* a Lua-function device misbehaved */
  CDPERF_ERR_ISCSI,     /* libiscsi */
  CDPERF_ERR_UNSUPPORTED
};

struct cdperf_error {
  enum cdperf_err_kind kind;
  int code;             /* errno, Win32 error, iSCSI status */
  char message[256];    /* one line a person can act on */
};

struct cdperf_transport;

struct cdperf_transport_ops {
  const char *name;
  /* Run one command. 0 when the command was delivered (the SCSI status may
   * still be CHECK CONDITION: see cmd->status), -1 with err filled when not. */
  int (*exec)(struct cdperf_transport *t, struct cdperf_cmd *cmd, struct cdperf_error *err);
  /* Optional native requests (Windows IOCTLs). NULL: cdperf.c builds the CDB.
   * get_performance fills out[0..out_len) and sets *received. */
  int (*get_performance)(struct cdperf_transport *t, const struct mmc_perf_request *r,
                         uint8_t *out, size_t out_len, size_t *received,
                         struct cdperf_error *err);
  int (*set_speed)(struct cdperf_transport *t, unsigned read_speed, unsigned write_speed,
                   int rotation, struct cdperf_error *err);
  int (*set_streaming)(struct cdperf_transport *t, const struct mmc_streaming *s,
                       int persistent, struct cdperf_error *err);
  void (*close)(struct cdperf_transport *t);   /* frees t */
};

struct cdperf_transport {
  const struct cdperf_transport_ops *ops;
  unsigned timeout_ms;
  int writable;
  int control_needs_write;  /* SET CD SPEED/STREAMING refused on a read-only handle (Linux) */
};

/* Each transport file provides its opener (static, one translation unit):
 *   static int transport_linux_open(const char *path, int write, unsigned timeout_ms,
 *                                   struct cdperf_transport **out, struct cdperf_error *err);
 * and the same shape for transport_win32_open and transport_iscsi_open;
 * 0 on success. Listing drives: */
typedef void (*cdperf_drive_cb)(void *ctx, const char *name);

static void cdperf_error_set(struct cdperf_error *err, enum cdperf_err_kind kind, int code,
                             const char *fmt, ...);

#endif
