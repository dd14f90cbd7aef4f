/*
 * device.h - the layer under the Lua binding: a drive handle and every command cdperf
 * sends through it. It opens the right transport for a name, runs the two-pass GET
 * PERFORMANCE, picks a native request or a CDB, refuses control commands on a
 * read-only Linux handle, traces CDBs, and sorts each outcome into sg3_utils' sg_pt
 * categories with its text. No Lua: buffers come from the caller (an allocator for the
 * second GET PERFORMANCE), the Lua transport's context passes through as `caller`.
 *
 * Every cdperf_dev_* that sends a command returns 0 on success, CDPERF_FAILED with the
 * outcome filled, or CDPERF_CLOSED when the handle was closed before the command --
 * by the drive's own Lua device, in the middle of a method (the binding raises then).
 */
#ifndef CDPERF_DEVICE_H
#define CDPERF_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "hidden.h"
#include "mmc.h"
#include "transport.h"

CDPERF_HIDDEN_BEGIN

#define CDPERF_FAILED (-1)
#define CDPERF_CLOSED (-2)

/* The names of the commands, as messages and info.command give them. */
#define CDPERF_NAME_GET_PERFORMANCE "GET PERFORMANCE"
#define CDPERF_NAME_SET_CD_SPEED "SET CD SPEED"
#define CDPERF_NAME_SET_STREAMING "SET STREAMING"
#define CDPERF_NAME_TEST_UNIT_READY "TEST UNIT READY"

/* A command's outcome, as sg_pt sorts it. */
enum cdperf_category {
  CDPERF_GOOD = 0,      /* GOOD, or CHECK CONDITION reporting only a recovered error */
  CDPERF_STATUS,        /* another SCSI status, or CHECK CONDITION without usable sense */
  CDPERF_SENSE,         /* CHECK CONDITION with sense data */
  CDPERF_TRANSPORT,     /* the command did not complete: host adapter, driver, iSCSI, Lua device */
  CDPERF_OS             /* the operating system refused (errno, Win32 error), or no such device */
};

struct cdperf_outcome {
  enum cdperf_category category;
  struct cdperf_error err;        /* kind, code and the text, for every category but GOOD */
  int status;                     /* SCSI status; host and driver status (Linux) */
  int host_status, driver_status;
  struct mmc_sense sense;         /* decoded, when category is CDPERF_SENSE */
  uint8_t sense_bytes[MMC_SENSE_LEN];
  size_t sense_len;
  /* Which way a request with a native OS request went (Windows): CDPERF_PATH_NATIVE or,
   * after the class driver refused it, CDPERF_PATH_PASS_THROUGH; NULL for plain CDBs. */
  const char *path;
};
#define CDPERF_PATH_NATIVE "native"
#define CDPERF_PATH_PASS_THROUGH "pass-through"

struct cdperf_dev {
  struct cdperf_transport *t;     /* NULL when closed */
  const char *label;              /* the name shown (passwords hidden); the caller keeps it */
  int trace;                      /* print every CDB on stderr (CDPERF_TRACE) */
};

/* The fixed-size reads the binding decodes. */
enum cdperf_query { CDPERF_INQUIRY, CDPERF_PROFILE, CDPERF_CAPABILITIES, CDPERF_REQUEST_SENSE };
const char *cdperf_query_name(enum cdperf_query q);
size_t cdperf_query_alloc(enum cdperf_query q);

/* A buffer of size bytes that lives as long as the caller needs it (may not return NULL). */
typedef uint8_t *(*cdperf_alloc_fn)(void *ud, size_t size);

/* Opens dev (its label and trace already set) on a device name: iscsi://, else the OS's
 * drives. Secrets of the name never reach the message. */
int cdperf_dev_open(struct cdperf_dev *dev, const char *name, size_t name_len,
                    const char *credentials, int write, unsigned timeout_ms,
                    struct cdperf_outcome *o);
/* Opens dev on a Lua-function device (transport_lua.c). */
int cdperf_dev_open_callable(struct cdperf_dev *dev, unsigned timeout_ms,
                             struct cdperf_outcome *o);
/* Closed afterwards whatever happens; CDPERF_FAILED when the OS reported the close failed.
 * Closing a closed handle does nothing. */
int cdperf_dev_close(struct cdperf_dev *dev, struct cdperf_outcome *o);

/* Any CDB: data in (data, len), out (out, len) or none. *received: bytes that came in. */
int cdperf_dev_command(struct cdperf_dev *dev, void *caller, const uint8_t *cdb, size_t cdb_len,
                       enum cdperf_dir dir, uint8_t *data, const uint8_t *out, size_t len,
                       unsigned timeout_ms, size_t *received, struct cdperf_outcome *o);
/* buf holds cdperf_query_alloc(q) bytes. */
int cdperf_dev_query(struct cdperf_dev *dev, void *caller, enum cdperf_query q, uint8_t *buf,
                     size_t *received, struct cdperf_outcome *o);
int cdperf_dev_test_unit_ready(struct cdperf_dev *dev, void *caller, struct cdperf_outcome *o);
/* GET PERFORMANCE as the Windows driver builds it: a first command for 64 descriptors,
 * and one more sized for all of them (within 65535 bytes) when the header says more
 * exist. *buf gets the answer used, *received its length. */
int cdperf_dev_get_performance(struct cdperf_dev *dev, void *caller,
                               const struct mmc_perf_request *r, cdperf_alloc_fn alloc,
                               void *ud, uint8_t **buf, size_t *received,
                               struct cdperf_outcome *o);
/* SET CD SPEED (0xFFFF: maximum) and SET STREAMING: native where the OS has a request. */
int cdperf_dev_set_speed(struct cdperf_dev *dev, void *caller, unsigned read_speed,
                         unsigned write_speed, int rotation, struct cdperf_outcome *o);
int cdperf_dev_set_streaming(struct cdperf_dev *dev, void *caller, const struct mmc_streaming *s,
                             int persistent, struct cdperf_outcome *o);

CDPERF_HIDDEN_END

#endif
