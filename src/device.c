/*
 * device.c - the layer under the binding (see device.h): one handle, every command,
 * each outcome sorted and worded. No Lua; the transports do the talking.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "device.h"
#include "name.h"
#include "sense.h"

static const struct {
  const char *name;
  size_t alloc;
} queries[] = {
  { "INQUIRY", MMC_INQUIRY_LEN },
  { "GET CONFIGURATION", MMC_CONFIG_HEADER_LEN },
  { "MODE SENSE", MMC_PAGE_2A_ALLOC },
  { "REQUEST SENSE", 18 },
};

const char *cdperf_query_name(enum cdperf_query q) { return queries[q].name; }
size_t cdperf_query_alloc(enum cdperf_query q) { return queries[q].alloc; }

static const struct { int code; const char *name; } scsi_status_names[] = {
  { 0x00, "GOOD" }, { 0x02, "CHECK CONDITION" }, { 0x04, "CONDITION MET" }, { 0x08, "BUSY" },
  { 0x18, "RESERVATION CONFLICT" }, { 0x28, "TASK SET FULL" }, { 0x30, "ACA ACTIVE" },
  { 0x40, "TASK ABORTED" }, { 0, NULL }
};

static enum cdperf_category category_of(enum cdperf_err_kind kind)
{
  switch (kind) {
  case CDPERF_ERR_HOST:
  case CDPERF_ERR_DEVICE:
  case CDPERF_ERR_ISCSI:
    return CDPERF_TRANSPORT;
  case CDPERF_ERR_SCSI:
    return CDPERF_STATUS;
  default:
    return CDPERF_OS;
  }
}

/* An outcome that is only an error (no command reached the device). */
static int failed(struct cdperf_outcome *o)
{
  o->category = category_of(o->err.kind);
  o->status = o->host_status = o->driver_status = 0;
  o->sense_len = 0;
  return CDPERF_FAILED;
}

static void copy_status(struct cdperf_outcome *o, const struct cdperf_cmd *cmd)
{
  o->status = cmd->status;
  o->host_status = cmd->host_status;
  o->driver_status = cmd->driver_status;
  o->sense_len = cmd->sense_len <= sizeof o->sense_bytes ? cmd->sense_len : sizeof o->sense_bytes;
  memcpy(o->sense_bytes, cmd->sense, o->sense_len);
}

/* GOOD, or a CHECK CONDITION whose sense reports only a recovered error, is success;
 * anything else becomes a SENSE or STATUS outcome with its text. */
static int classify(const struct cdperf_cmd *cmd, struct cdperf_outcome *o)
{
  struct mmc_sense s;
  int have_sense;

  if (cmd->status == 0x00)
    return 0;
  have_sense = cmd->status == 0x02 && mmc_decode_sense(cmd->sense, cmd->sense_len, &s);
  if (have_sense && (s.key == 0x01 || (s.key == 0x00 && s.asc == 0 && s.ascq == 0)))
    return 0;
  copy_status(o, cmd);
  o->err.kind = CDPERF_ERR_SCSI;
  o->err.code = cmd->status;
  o->err.name = NULL;
  if (have_sense) {
    const char *text = s.has_asc ? sense_asc_text(s.asc, s.ascq) : NULL;
    o->category = CDPERF_SENSE;
    o->sense = s;
    if (!s.has_asc)   /* cut short: naming ASC 00h/00h would claim "no additional sense" */
      snprintf(o->err.message, sizeof o->err.message, "%s (sense data cut short: no ASC/ASCQ)",
               sense_key_name(s.key));
    else if (text != NULL)
      snprintf(o->err.message, sizeof o->err.message, "%s, %s", sense_key_name(s.key), text);
    else
      snprintf(o->err.message, sizeof o->err.message, "%s, ASC 0x%02X ASCQ 0x%02X",
               sense_key_name(s.key), (unsigned)s.asc, (unsigned)s.ascq);
    return CDPERF_FAILED;
  }
  o->category = CDPERF_STATUS;
  if (cmd->status == 0x02) {
    snprintf(o->err.message, sizeof o->err.message, "CHECK CONDITION without usable sense data");
  } else {
    int i;
    for (i = 0; scsi_status_names[i].name != NULL; i++)
      if (scsi_status_names[i].code == cmd->status)
        break;
    if (scsi_status_names[i].name != NULL)
      snprintf(o->err.message, sizeof o->err.message, "SCSI status %s",
               scsi_status_names[i].name);
    else
      snprintf(o->err.message, sizeof o->err.message, "SCSI status 0x%02x",
               (unsigned)cmd->status);
  }
  return CDPERF_FAILED;
}

static void trace(const struct cdperf_dev *dev, const struct cdperf_cmd *cmd)
{
  size_t i;
  fprintf(stderr, "cdperf: %s %s CDB", dev->t->ops->name, dev->label != NULL ? dev->label : "?");
  for (i = 0; i < cmd->cdb_len; i++)
    fprintf(stderr, " %02X", cmd->cdb[i]);
  fprintf(stderr, "\n");
}

/* Runs cmd; its result fields start clean. The transport may be freed by the time exec
 * returns (a Lua device that closes its own drive), so nothing here touches it after. */
static int exec(struct cdperf_dev *dev, void *caller, struct cdperf_cmd *cmd,
                struct cdperf_outcome *o)
{
  if (dev->t == NULL)
    return CDPERF_CLOSED;
  cmd->caller = caller;
  cmd->received = 0;
  cmd->status = 0;
  cmd->sense_len = 0;
  cmd->host_status = cmd->driver_status = 0;
  cmd->resid = 0;
  if (dev->trace)
    trace(dev, cmd);
  if (dev->t->ops->exec(dev->t, cmd, &o->err) != 0) {
    copy_status(o, cmd);
    o->category = category_of(o->err.kind);
    return CDPERF_FAILED;
  }
  return classify(cmd, o);
}

static int run(struct cdperf_dev *dev, void *caller, const uint8_t *cdb, size_t cdb_len,
               enum cdperf_dir dir, uint8_t *data, const uint8_t *out, size_t len,
               unsigned timeout_ms, size_t *received, struct cdperf_outcome *o)
{
  struct cdperf_cmd cmd;
  int rc;
  cmd.cdb = cdb;
  cmd.cdb_len = cdb_len;
  cmd.dir = dir;
  cmd.data = data;
  cmd.out = out;
  cmd.data_len = len;
  cmd.timeout_ms = timeout_ms;
  rc = exec(dev, caller, &cmd, o);
  if (received != NULL)
    *received = rc == 0 && cmd.received <= len ? cmd.received : 0;
  return rc;
}

/* ---- open and close ------------------------------------------------------------------ */

int cdperf_dev_open(struct cdperf_dev *dev, const char *name, size_t name_len,
                    const char *credentials, int write, unsigned timeout_ms,
                    struct cdperf_outcome *o)
{
  int rc;
  o->path = NULL;
  dev->t = NULL;
  if (strncmp(name, "iscsi://", 8) == 0)
    rc = cdperf_iscsi_open(name, dev->label, credentials, write, timeout_ms, &dev->t, &o->err);
  else
    rc = cdperf_os_open(name, write, timeout_ms, &dev->t, &o->err);
  if (rc == 0)
    return 0;
  dev->t = NULL;
  /* whatever the transport quoted, the name's secrets stay hidden */
  cdperf_scrub_name(o->err.message, sizeof o->err.message, name, name_len);
  return failed(o);
}

int cdperf_dev_open_callable(struct cdperf_dev *dev, unsigned timeout_ms,
                             struct cdperf_outcome *o)
{
  o->path = NULL;
  dev->t = NULL;
  if (cdperf_lua_open(timeout_ms, &dev->t, &o->err) == 0)
    return 0;
  dev->t = NULL;
  return failed(o);
}

int cdperf_dev_close(struct cdperf_dev *dev, struct cdperf_outcome *o)
{
  struct cdperf_transport *t = dev->t;
  o->path = NULL;
  if (t == NULL)
    return 0;
  dev->t = NULL;   /* closed before the transport goes: a re-entrant use sees it closed */
  if (t->ops->close(t, &o->err) != 0)
    return failed(o);
  return 0;
}

/* ---- commands ---------------------------------------------------------------------- */

int cdperf_dev_command(struct cdperf_dev *dev, void *caller, const uint8_t *cdb, size_t cdb_len,
                       enum cdperf_dir dir, uint8_t *data, const uint8_t *out, size_t len,
                       unsigned timeout_ms, size_t *received, struct cdperf_outcome *o)
{
  o->path = NULL;
  return run(dev, caller, cdb, cdb_len, dir, data, out, len, timeout_ms, received, o);
}

int cdperf_dev_query(struct cdperf_dev *dev, void *caller, enum cdperf_query q, uint8_t *buf,
                     size_t *received, struct cdperf_outcome *o)
{
  uint8_t cdb[10];
  size_t cdb_len = 10;
  unsigned alloc = (unsigned)queries[q].alloc;
  o->path = NULL;
  switch (q) {
  case CDPERF_INQUIRY:
    mmc_build_inquiry(cdb, alloc);
    cdb_len = 6;
    break;
  case CDPERF_PROFILE:
    mmc_build_get_configuration(cdb, alloc);
    break;
  case CDPERF_CAPABILITIES:
    mmc_build_mode_sense_2a(cdb, alloc);
    break;
  default:
    mmc_build_request_sense(cdb, alloc);
    cdb_len = 6;
    break;
  }
  return run(dev, caller, cdb, cdb_len, CDPERF_DIR_IN, buf, NULL, alloc, 0, received, o);
}

int cdperf_dev_test_unit_ready(struct cdperf_dev *dev, void *caller, struct cdperf_outcome *o)
{
  uint8_t cdb[6];
  o->path = NULL;
  mmc_build_test_unit_ready(cdb);
  return run(dev, caller, cdb, sizeof cdb, CDPERF_DIR_NONE, NULL, NULL, 0, 0, NULL, o);
}

/* ---- native IOCTL first, SCSI pass-through after (Windows) ----------------------------
 *
 * transport_win32.c answers GET PERFORMANCE, SET CD SPEED and SET STREAMING with the class
 * driver's own IOCTLs, so that the driver builds the CDB. When the driver refuses the IOCTL
 * itself, or its Win32 error stands for a sense key it swallowed, the same request goes again
 * as the CDB the driver would have built (mmc_build_*), through exec (IOCTL_SCSI_PASS_THROUGH
 * on Windows): the drive then answers for itself, and a refusal carries its sense
 * (kind "scsi") as on Linux. The codes, from Microsoft's cdrom class driver sample
 * (Windows-driver-samples, storage/class/cdrom/src):
 *   refusing the IOCTL itself -- ERROR_INVALID_FUNCTION (STATUS_INVALID_DEVICE_REQUEST: no
 *     IOCTL, or not MMC, ioctl.c RequestValidateSetSpeed), ERROR_NOT_SUPPORTED (Wine, filter
 *     drivers), ERROR_INVALID_PARAMETER (ioctl.c RequestValidateGetPerformance rejects any
 *     Tolerance but 10/20 and outputs over 65535 bytes), ERROR_CALL_NOT_IMPLEMENTED;
 *   a sense key turned into a status -- sense.c SenseInfoInterpretBySenseKey and
 *     SenseInfoInterpretByAdditionalSenseCode: ILLEGAL REQUEST -> STATUS_INVALID_DEVICE_REQUEST
 *     (ERROR_INVALID_FUNCTION), NOT READY -> STATUS_DEVICE_NOT_READY / STATUS_NO_MEDIA_IN_DEVICE
 *     (ERROR_NOT_READY), MEDIUM ERROR -> STATUS_DEVICE_DATA_ERROR (ERROR_CRC), HARDWARE ERROR and
 *     ABORTED COMMAND -> STATUS_IO_DEVICE_ERROR (ERROR_IO_DEVICE), UNIT ATTENTION ->
 *     STATUS_VERIFY_REQUIRED (ERROR_MEDIA_CHANGED), DATA PROTECT -> STATUS_MEDIA_WRITE_PROTECTED
 *     (ERROR_WRITE_PROTECT), BLANK CHECK -> STATUS_NO_DATA_DETECTED (ERROR_NO_DATA_DETECTED),
 *     STATUS_UNRECOGNIZED_MEDIA, STATUS_NONEXISTENT_SECTOR (ERROR_SECTOR_NOT_FOUND).
 * When pass-through cannot deliver the CDB either (a read-only handle: ERROR_ACCESS_DENIED;
 * the device gone), the native IOCTL's error stands, with what pass-through said after it
 * when that differs.
 * Numbers, not <winerror.h> names: this file is built on every OS. */
static int native_refused(const struct cdperf_outcome *o)
{
  static const int codes[] = {
    1 /* ERROR_INVALID_FUNCTION */, 50 /* ERROR_NOT_SUPPORTED */,
    87 /* ERROR_INVALID_PARAMETER */, 120 /* ERROR_CALL_NOT_IMPLEMENTED */,
    21 /* ERROR_NOT_READY */, 23 /* ERROR_CRC */, 1117 /* ERROR_IO_DEVICE */,
    1110 /* ERROR_MEDIA_CHANGED */, 19 /* ERROR_WRITE_PROTECT */,
    1104 /* ERROR_NO_DATA_DETECTED */, 1785 /* ERROR_UNRECOGNIZED_MEDIA */,
    27 /* ERROR_SECTOR_NOT_FOUND */, 1112 /* ERROR_NO_MEDIA_IN_DRIVE */,
  };
  size_t i;
  if (o->err.kind != CDPERF_ERR_WIN32)
    return 0;
  for (i = 0; i < sizeof codes / sizeof codes[0]; i++)
    if (codes[i] == o->err.code)
      return 1;
  return 0;
}

/* The CDB after a refused native request ran with result rc: a drive's answer (GOOD or a
 * SCSI outcome) stands; a CDB that never reached the drive gives back the native error. */
static int after_cdb(int rc, const struct cdperf_error *saved, struct cdperf_outcome *o)
{
  static const char head[] = "; SCSI pass-through after it: ";
  char note[sizeof o->err.message];
  size_t used, room, nl;
  if (rc != CDPERF_FAILED || o->err.kind == CDPERF_ERR_SCSI)
    return rc;
  if (o->err.kind == saved->kind && o->err.code == saved->code) {
    o->err = *saved;   /* pass-through met the same error: nothing more to say */
    return failed(o);
  }
  memcpy(note, o->err.message, sizeof note);
  note[sizeof note - 1] = '\0';
  o->err = *saved;
  used = strlen(o->err.message);
  room = sizeof o->err.message - 1 - used;
  if (room > sizeof head - 1) {
    memcpy(o->err.message + used, head, sizeof head - 1);
    used += sizeof head - 1;
    room -= sizeof head - 1;
    nl = strlen(note);
    if (nl > room)
      nl = room;
    memcpy(o->err.message + used, note, nl);
    o->err.message[used + nl] = '\0';
  }
  return failed(o);
}

/* A request the transport may answer natively. native: NULL when it has no native request
 * (the CDB goes as it is), else the request's name for the trace, with native_rc its result
 * (0 done; otherwise o->err holds its error). After a refusal (native_refused) the CDB goes
 * through exec and after_cdb judges its result. o->path says which way it went. */
static int native_or_cdb(struct cdperf_dev *dev, void *caller, const char *native, int native_rc,
                         const uint8_t cdb[12], enum cdperf_dir dir, uint8_t *data,
                         const uint8_t *out, size_t len, size_t *received,
                         struct cdperf_outcome *o)
{
  struct cdperf_error saved;
  int rc;
  if (native == NULL)
    return run(dev, caller, cdb, 12, dir, data, out, len, 0, received, o);
  o->path = CDPERF_PATH_NATIVE;
  if (native_rc == 0)
    return 0;
  if (!native_refused(o))
    return failed(o);
  saved = o->err;
  if (dev->trace)
    fprintf(stderr, "cdperf: %s %s native %s refused (%s): SCSI pass-through\n",
            dev->t->ops->name, dev->label != NULL ? dev->label : "?", native,
            o->err.name != NULL ? o->err.name : "Win32 error");
  o->path = CDPERF_PATH_PASS_THROUGH;
  rc = run(dev, caller, cdb, 12, dir, data, out, len, 0, received, o);
  return after_cdb(rc, &saved, o);
}

/* One GET PERFORMANCE for at most n descriptors into buf[0, len). */
static int perf_once(struct cdperf_dev *dev, void *caller, const struct mmc_perf_request *r,
                     uint8_t *buf, size_t len, unsigned n, size_t *received,
                     struct cdperf_outcome *o)
{
  uint8_t cdb[12];
  const char *native = NULL;
  int rc = 0;
  if (dev->t == NULL)
    return CDPERF_CLOSED;
  mmc_build_get_performance(cdb, r, n);
  if (dev->t->ops->get_performance != NULL) {
    native = "IOCTL_CDROM_GET_PERFORMANCE";
    *received = 0;
    rc = dev->t->ops->get_performance(dev->t, r, buf, len, received, &o->err);
    if (rc == 0 && *received > len)
      *received = len;
  }
  return native_or_cdb(dev, caller, native, rc, cdb, CDPERF_DIR_IN, buf, NULL, len, received, o);
}

int cdperf_dev_get_performance(struct cdperf_dev *dev, void *caller,
                               const struct mmc_perf_request *r, cdperf_alloc_fn alloc,
                               void *ud, uint8_t **buf, size_t *received,
                               struct cdperf_outcome *o)
{
  size_t size = mmc_perf_descriptor_size(r);
  unsigned n = MMC_FIRST_DESCRIPTORS;
  /* The allocation equals 8 + size x n exactly: virtio-scsi checks it. */
  size_t len = MMC_PERF_HEADER_LEN + size * n;
  int rc;
  o->path = NULL;

  *buf = alloc(ud, len);
  *received = 0;
  if ((rc = perf_once(dev, caller, r, *buf, len, n, received, o)) != 0)
    return rc;
  if (*received >= MMC_PERF_HEADER_LEN) {
    uint64_t claimed = (uint64_t)mmc_be32(*buf) + 4u;
    if (claimed > len) {
      /* More exists: one second command sized for all of it, within 65535 bytes. */
      uint64_t want = claimed < MMC_MAX_TRANSFER ? claimed : MMC_MAX_TRANSFER;
      unsigned n2 = (unsigned)((want - MMC_PERF_HEADER_LEN + size - 1) / size);
      if (n2 > mmc_perf_max_descriptors(r))
        n2 = mmc_perf_max_descriptors(r);
      if (n2 > n) {
        n = n2;
        len = MMC_PERF_HEADER_LEN + size * n;
        *buf = alloc(ud, len);
        if ((rc = perf_once(dev, caller, r, *buf, len, n, received, o)) != 0)
          return rc;
      }
    }
  }
  return 0;
}

/* On Linux a read-only handle cannot send these; say so rather than EPERM. */
static int control_refused(const struct cdperf_dev *dev, struct cdperf_outcome *o)
{
  if (!dev->t->control_needs_write || dev->t->writable)
    return 0;
  cdperf_error_set(&o->err, CDPERF_ERR_OS, EPERM,
                   "needs write access: open the drive with cdperf.open(\"%s\", { write = true })",
                   dev->label != NULL ? dev->label : "?");
  return failed(o);
}

int cdperf_dev_set_speed(struct cdperf_dev *dev, void *caller, unsigned read_speed,
                         unsigned write_speed, int rotation, struct cdperf_outcome *o)
{
  uint8_t cdb[12];
  const char *native = NULL;
  int rc;
  o->path = NULL;
  if (dev->t == NULL)
    return CDPERF_CLOSED;
  if ((rc = control_refused(dev, o)) != 0)
    return rc;
  mmc_build_set_cd_speed(cdb, read_speed, write_speed, rotation);
  if (dev->t->ops->set_speed != NULL) {
    native = "IOCTL_CDROM_SET_SPEED (CdromSetSpeed)";
    rc = dev->t->ops->set_speed(dev->t, read_speed, write_speed, rotation, &o->err);
  }
  return native_or_cdb(dev, caller, native, rc, cdb, CDPERF_DIR_NONE, NULL, NULL, 0, NULL, o);
}

int cdperf_dev_set_streaming(struct cdperf_dev *dev, void *caller, const struct mmc_streaming *s,
                             int persistent, struct cdperf_outcome *o)
{
  uint8_t cdb[12], param[MMC_STREAMING_LEN];
  const char *native = NULL;
  int rc;
  o->path = NULL;
  if (dev->t == NULL)
    return CDPERF_CLOSED;
  if ((rc = control_refused(dev, o)) != 0)
    return rc;
  mmc_build_set_streaming(cdb, param, s);
  if (dev->t->ops->set_streaming != NULL) {
    native = "IOCTL_CDROM_SET_SPEED (CdromSetStreaming)";
    rc = dev->t->ops->set_streaming(dev->t, s, persistent, &o->err);
  }
  return native_or_cdb(dev, caller, native, rc, cdb, CDPERF_DIR_OUT, NULL, param, sizeof param,
                       NULL, o);
}
