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
  unsigned timeout_ms;    /* this command's timeout; 0: the transport's */
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
  CDPERF_ERR_UNSUPPORTED,
  CDPERF_ERR_CREDENTIALS  /* missing, half or unsafe CHAP credentials; code: errno or 0 */
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
 * and the same shape for transport_win32_open; transport_iscsi_open also takes the
 * name to show (see cdperf_display_name) and a credentials file (or NULL) after the URL.
 * 0 on success. Listing drives: */
typedef void (*cdperf_drive_cb)(void *ctx, const char *name);

static void cdperf_error_set(struct cdperf_error *err, enum cdperf_err_kind kind, int code,
                             const char *fmt, ...);

/* Device names and their secrets (defined in cdperf.c). An iSCSI name is split as
 * libiscsi splits it, so that what is hidden is what would be sent as a password:
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
static void cdperf_name_split(const char *s, size_t len, struct cdperf_name *n);
/* Arguments after the '?' one by one: *pos starts at 0; 1 while one is found. */
static int cdperf_name_next_arg(const char *s, size_t len, const struct cdperf_name *n,
                                size_t *pos, struct cdperf_name_arg *a);
static int cdperf_name_arg_is(const char *s, const struct cdperf_name_arg *a, const char *key);
/* The name with every password replaced by "***", as snprintf: writes at most size
 * bytes (NUL-terminated when size > 0), returns the full length. */
static size_t cdperf_display_name(const char *s, size_t len, char *out, size_t size);
/* Replaces every copy of secret[0, n) in the C string buf (capacity size) with "***". */
static void cdperf_scrub(char *buf, size_t size, const char *secret, size_t n);
/* cdperf_scrub for each secret of the device name s. */
static void cdperf_scrub_name(char *buf, size_t size, const char *s, size_t len);

#endif
