/*
 * transport.h - the one interface every way of reaching a drive implements.
 * A transport runs one CDB (or, on Windows, one native IOCTL) and reports what
 * happened, writing its own error text; it never decodes responses and never
 * sees Lua (transport_lua.c excepted: its job is to call a Lua function).
 *
 * Which files implement it is the build's choice: exactly one OS file
 * (transport_linux.c or transport_win32.c, the same three names in each),
 * transport_lua.c, and transport_iscsi.c or iscsi_none.c.
 */
#ifndef CDPERF_TRANSPORT_H
#define CDPERF_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "hidden.h"
#include "mmc.h"

CDPERF_HIDDEN_BEGIN

#define CDPERF_DEFAULT_TIMEOUT_MS 20000u

enum cdperf_dir { CDPERF_DIR_NONE, CDPERF_DIR_IN, CDPERF_DIR_OUT };

struct cdperf_cmd {
  const uint8_t *cdb;
  size_t cdb_len;
  enum cdperf_dir dir;
  uint8_t *data;          /* IN: filled by the device */
  const uint8_t *out;     /* OUT: sent */
  size_t data_len;        /* buffer size (IN) or bytes to send (OUT) */
  unsigned timeout_ms;    /* this command's timeout; 0: the transport's */
  /* Who runs the command. Only transport_lua.c looks: the lua_State running the
   * method, with the drive at stack index 1 (see transport_lua.c). */
  void *caller;
  /* filled in by exec */
  size_t received;        /* bytes the device really transferred (IN) */
  int status;             /* SCSI status byte (0 good, 2 CHECK CONDITION, ...) */
  uint8_t sense[MMC_SENSE_LEN];
  size_t sense_len;
  int host_status, driver_status;  /* Linux SG_IO; 0 elsewhere */
  int resid;
};

struct cdperf_transport;

struct cdperf_transport_ops {
  const char *name;
  /* Run one command. 0 when the command was delivered (the SCSI status may still be
   * CHECK CONDITION: see cmd->status); -1 with err filled when it was not, or when the
   * transport itself reports a failure (Linux: host adapter and driver errors). */
  int (*exec)(struct cdperf_transport *t, struct cdperf_cmd *cmd, struct cdperf_error *err);
  /* Optional native requests (Windows IOCTLs). NULL: device.c builds the CDB.
   * get_performance fills out[0..out_len) and sets *received. */
  int (*get_performance)(struct cdperf_transport *t, const struct mmc_perf_request *r,
                         uint8_t *out, size_t out_len, size_t *received,
                         struct cdperf_error *err);
  int (*set_speed)(struct cdperf_transport *t, unsigned read_speed, unsigned write_speed,
                   int rotation, struct cdperf_error *err);
  int (*set_streaming)(struct cdperf_transport *t, const struct mmc_streaming *s,
                       int persistent, struct cdperf_error *err);
  /* Frees t whatever happens; -1 with err filled when the OS reported the close failed. */
  int (*close)(struct cdperf_transport *t, struct cdperf_error *err);
};

struct cdperf_transport {
  const struct cdperf_transport_ops *ops;
  unsigned timeout_ms;
  int writable;
  int control_needs_write;  /* SET CD SPEED/STREAMING refused on a read-only handle (Linux) */
};

typedef void (*cdperf_drive_cb)(void *ctx, const char *name);

/* ---- the OS file: transport_linux.c or transport_win32.c -------------------------- */

/* "linux" or "win32": what cdperf.core.platform says. */
extern const char cdperf_os_platform[];
/* What open() without a `write` field asks of cdperf_os_open: Linux 0 (read-only, O_NONBLOCK:
 * works with no medium and needs no rights); Windows "read-write where permitted, else
 * read-only", because its SCSI pass-through needs a read-write handle. */
extern const int cdperf_os_default_write;
/* Opens /dev/srN, D:, ... 0 on success. */
int cdperf_os_open(const char *path, int write, unsigned timeout_ms,
                   struct cdperf_transport **out, struct cdperf_error *err);
/* Calls cb once per optical drive of this machine. */
void cdperf_os_drives(cdperf_drive_cb cb, void *ctx);
/* Sleeps at least ms milliseconds (0 <= ms <= 86400000, checked by the caller). */
void cdperf_os_sleep_ms(double ms);
/* Seconds on a clock that never goes back (its zero is arbitrary); *resolution gets its
 * tick in seconds. */
double cdperf_os_monotonic(double *resolution);

/* ---- transport_lua.c ---------------------------------------------------------------- */

int cdperf_lua_open(unsigned timeout_ms, struct cdperf_transport **out, struct cdperf_error *err);

/* ---- transport_iscsi.c, or iscsi_none.c when built without libiscsi ---------------- */

extern const int cdperf_have_iscsi;
/* display: the name to show (passwords hidden); credentials: a file name or NULL. */
int cdperf_iscsi_open(const char *url, const char *display, const char *credentials, int write,
                      unsigned timeout_ms, struct cdperf_transport **out,
                      struct cdperf_error *err);

CDPERF_HIDDEN_END

#endif
