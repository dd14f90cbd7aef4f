/*
 * transport_win32.c - reaching a drive on Windows with DeviceIoControl.
 *
 * The native IOCTLs (IOCTL_CDROM_GET_PERFORMANCE, IOCTL_CDROM_SET_SPEED with
 * CDROM_SET_SPEED or CDROM_SET_STREAMING) where Windows has one, so that the
 * class driver builds the CDB exactly as it does for every other program;
 * IOCTL_SCSI_PASS_THROUGH (buffered) for everything else. The OS file of Windows
 * builds (cdperf_os_open, cdperf_os_drives, cdperf_os_platform, the clock:
 * cdperf_os_sleep_ms, cdperf_os_monotonic); Win32 error codes
 * get their names and texts here and nowhere else.
 */
#include <windows.h>
#include <winioctl.h>
#include <ntddscsi.h>

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport.h"
#include "cdperf_ntddcdrm.h"

/* The SCSI pass-through request, sense area and data share one heap block:
 * [SCSI_PASS_THROUGH][pad][sense: WIN32_SENSE_LEN][pad][data] */
#define WIN32_SENSE_LEN 32
#define WIN32_ALIGN(n) (((n) + 7u) & ~(size_t)7u)
#define WIN32_SENSE_OFFSET WIN32_ALIGN(sizeof(SCSI_PASS_THROUGH))
#define WIN32_DATA_OFFSET WIN32_ALIGN(WIN32_SENSE_OFFSET + WIN32_SENSE_LEN)
/* Bigger than anything MMC asks of a burner, and well inside ULONG/DWORD. */
#define WIN32_MAX_TRANSFER (16u * 1024u * 1024u)

const char cdperf_os_platform[] = "win32";

/* cdperf_os_open's write for "read-write where permitted, else read-only" (issue 15 item 3);
 * the binding passes it when open() has no write field. */
#define CDPERF_WIN32_WRITE_IF_PERMITTED 2
const int cdperf_os_default_write = CDPERF_WIN32_WRITE_IF_PERMITTED;

CDPERF_STATIC_ASSERT(WIN32_SENSE_LEN <= MMC_SENSE_LEN, "the sense area fits cmd->sense");
CDPERF_STATIC_ASSERT(WIN32_SENSE_LEN <= 255, "SenseInfoLength is a UCHAR");
/* SCSI_PASS_THROUGH's layout (the toolchain's <ntddscsi.h>) is checked in cdperf_ntddcdrm.h. */

struct win32_transport {
  struct cdperf_transport base;   /* first: the cdperf_transport pointer is this */
  HANDLE handle;
  char name[64];                  /* "D:" or "\\.\CdRom0", for messages */
  DWORD rw_refused;               /* read-only because opening read-write failed with this */
};

/* ---- errors ------------------------------------------------------------- */

struct win32_error_name {
  DWORD code;
  const char *name;
  const char *text;   /* %s: the operation */
};

static const struct win32_error_name win32_error_names[] = {
  { ERROR_INVALID_FUNCTION, "ERROR_INVALID_FUNCTION", "the device does not accept %s" },
  { ERROR_FILE_NOT_FOUND, "ERROR_FILE_NOT_FOUND", "no such device (%s)" },
  { ERROR_PATH_NOT_FOUND, "ERROR_PATH_NOT_FOUND", "no such device (%s)" },
  { ERROR_ACCESS_DENIED, "ERROR_ACCESS_DENIED", "access denied (%s)" },
  { ERROR_INVALID_HANDLE, "ERROR_INVALID_HANDLE", "invalid handle (%s)" },
  { ERROR_NOT_ENOUGH_MEMORY, "ERROR_NOT_ENOUGH_MEMORY", "out of memory (%s)" },
  { ERROR_OUTOFMEMORY, "ERROR_OUTOFMEMORY", "out of memory (%s)" },
  { ERROR_INVALID_DRIVE, "ERROR_INVALID_DRIVE", "no such drive (%s)" },
  { ERROR_WRITE_PROTECT, "ERROR_WRITE_PROTECT", "the medium is write-protected (%s)" },
  { ERROR_NOT_READY, "ERROR_NOT_READY",
    "no medium, or the drive is not ready (%s); load a disc or wait and retry" },
  { ERROR_CRC, "ERROR_CRC", "data error (%s)" },
  { ERROR_GEN_FAILURE, "ERROR_GEN_FAILURE", "the device is not functioning (%s)" },
  { ERROR_SHARING_VIOLATION, "ERROR_SHARING_VIOLATION",
    "another program has the device open exclusively (%s)" },
  { ERROR_NOT_SUPPORTED, "ERROR_NOT_SUPPORTED", "the driver does not implement %s" },
  { ERROR_INVALID_PARAMETER, "ERROR_INVALID_PARAMETER", "the driver rejected the request (%s)" },
  { ERROR_SEM_TIMEOUT, "ERROR_SEM_TIMEOUT", "the device timed out (%s)" },
  { ERROR_INSUFFICIENT_BUFFER, "ERROR_INSUFFICIENT_BUFFER", "buffer too small (%s)" },
  { ERROR_INVALID_NAME, "ERROR_INVALID_NAME", "invalid device name (%s)" },
  { ERROR_BUSY, "ERROR_BUSY", "the device is busy (%s)" },
  { ERROR_MORE_DATA, "ERROR_MORE_DATA", "more data than the buffer holds (%s)" },
  { ERROR_MEDIA_CHANGED, "ERROR_MEDIA_CHANGED", "the medium was changed (%s); retry" },
  { ERROR_NO_MEDIA_IN_DRIVE, "ERROR_NO_MEDIA_IN_DRIVE", "no medium (%s)" },
  { ERROR_IO_DEVICE, "ERROR_IO_DEVICE",
    "I/O error talking to the device (%s); check its cable or connection and retry" },
  { ERROR_DEVICE_NOT_CONNECTED, "ERROR_DEVICE_NOT_CONNECTED",
    "the device is not connected (%s): unplugged or powered off; close it and open it again "
    "once it is back" },
  { ERROR_DEV_NOT_EXIST, "ERROR_DEV_NOT_EXIST",
    "the device is gone (%s): unplugged or powered off; close it and open it again once it "
    "is back" },
  { ERROR_UNRECOGNIZED_MEDIA, "ERROR_UNRECOGNIZED_MEDIA", "unrecognized medium (%s)" },
};

/* The system's text for code, on one line without the final period. */
static void win32_system_text(DWORD code, char *buf, size_t size) {
  DWORD n;
  size_t len;
  if (size == 0) return;
  buf[0] = '\0';
  n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code,
                     MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), buf,
                     size > 0xFFFFu ? 0xFFFFu : (DWORD)size, NULL);
  if (n == 0) {
    buf[0] = '\0';
    return;
  }
  buf[size - 1] = '\0';
  for (len = 0; buf[len] != '\0'; len++) {
    if (buf[len] == '\r' || buf[len] == '\n' || buf[len] == '\t') buf[len] = ' ';
  }
  while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '.')) buf[--len] = '\0';
}

/* err <- the Win32 error code met while doing op ("IOCTL_CDROM_GET_PERFORMANCE"). */
static int win32_fail(struct cdperf_error *err, DWORD code, const char *op) {
  size_t i;
  char text[160];
  for (i = 0; i < sizeof win32_error_names / sizeof win32_error_names[0]; i++) {
    if (win32_error_names[i].code == code) {
      /* the entry's "%s" stands for the operation: put in here, not used as a format */
      const char *what = win32_error_names[i].text, *at = strstr(what, "%s");
      int head = at != NULL ? (int)(at - what) : (int)strlen(what);
      cdperf_error_set(err, CDPERF_ERR_WIN32, (int)code, "%s: %.*s%s%s",
                       win32_error_names[i].name, head, what, at != NULL ? op : "",
                       at != NULL ? at + 2 : "");
      err->name = win32_error_names[i].name;
      return -1;
    }
  }
  win32_system_text(code, text, sizeof text);
  if (text[0] != '\0')
    cdperf_error_set(err, CDPERF_ERR_WIN32, (int)code, "Win32 error %lu: %s (%s)",
                     (unsigned long)code, text, op);
  else
    cdperf_error_set(err, CDPERF_ERR_WIN32, (int)code, "Win32 error %lu (%s)",
                     (unsigned long)code, op);
  return -1;
}

/* ---- device names ------------------------------------------------------- */

static const char *win32_drive_type_name(UINT type) {
  switch (type) {
  case DRIVE_UNKNOWN: return "unknown";
  case DRIVE_NO_ROOT_DIR: return "no such drive";
  case DRIVE_REMOVABLE: return "removable disk";
  case DRIVE_FIXED: return "fixed disk";
  case DRIVE_REMOTE: return "network drive";
  case DRIVE_CDROM: return "CD/DVD drive";
  case DRIVE_RAMDISK: return "RAM disk";
  default: return "unknown";
  }
}

static int win32_is_letter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static char win32_upper(char c) {
  return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* "D:", "d:", "D:\", "D:/", "\\.\D:" -> 'D'; 0 when path is not a drive letter. */
static char win32_drive_letter(const char *path) {
  if (strncmp(path, "\\\\.\\", 4) == 0 || strncmp(path, "//./", 4) == 0) {
    path += 4;
    if (win32_is_letter(path[0]) && path[1] == ':' && path[2] == '\0') return win32_upper(path[0]);
    return 0;
  }
  if (win32_is_letter(path[0]) && path[1] == ':' &&
      (path[2] == '\0' || ((path[2] == '\\' || path[2] == '/') && path[3] == '\0')))
    return win32_upper(path[0]);
  return 0;
}

/* A failed DeviceIoControl on t. ERROR_ACCESS_DENIED says why: rights are checked once, at
 * CreateFile, against the access bits of the IOCTL code (IOCTL_SCSI_PASS_THROUGH is defined
 * with FILE_READ_ACCESS | FILE_WRITE_ACCESS, the CD-ROM IOCTLs with FILE_READ_ACCESS). A
 * handle that has them is refused only while another handle holds the drive through
 * IOCTL_CDROM_EXCLUSIVE_ACCESS (Windows-driver-samples storage/class/cdrom/src/cdrom.c,
 * RequestIsIoctlBlockedByExclusiveAccess blocks every SCSI and CD-ROM IOCTL then): a burner
 * running, not missing rights. needs_write: the IOCTL wants a read-write handle. */
static int win32_ioctl_fail(const struct win32_transport *t, struct cdperf_error *err,
                            DWORD code, const char *op, int needs_write) {
  char why[256];
  if (code != ERROR_ACCESS_DENIED) return win32_fail(err, code, op);
  snprintf(why, sizeof why, "%s; %s", op,
           t->base.writable || !needs_write
               ? "another program holds the drive exclusively (a burner running?); "
                 "retry when it is done"
           : t->rw_refused != 0
               ? "SCSI pass-through needs a read-write handle, and this account may not "
                 "open the drive read-write (run as administrator)"
               : "SCSI pass-through needs a read-write handle (open with write = true)");
  return win32_fail(err, code, why);
}

/* ---- close -------------------------------------------------------------- */

static int transport_win32_close(struct cdperf_transport *base, struct cdperf_error *err) {
  struct win32_transport *t = (struct win32_transport *)base;
  int rc = 0;
  if (t == NULL) return 0;
  if (t->handle != INVALID_HANDLE_VALUE && t->handle != NULL && !CloseHandle(t->handle))
    rc = win32_fail(err, GetLastError(), "CloseHandle; the handle is closed");
  t->handle = INVALID_HANDLE_VALUE;
  free(t);
  return rc;
}

/* ---- SCSI pass-through -------------------------------------------------- */

static ULONG win32_timeout_seconds(unsigned timeout_ms) {
  unsigned ms = timeout_ms != 0 ? timeout_ms : CDPERF_DEFAULT_TIMEOUT_MS;
  return (ULONG)(ms / 1000u + (ms % 1000u != 0 ? 1u : 0u));
}

static int transport_win32_exec(struct cdperf_transport *base, struct cdperf_cmd *cmd,
                                struct cdperf_error *err) {
  struct win32_transport *t = (struct win32_transport *)base;
  SCSI_PASS_THROUGH *spt;
  unsigned char *block;
  size_t xfer, total;
  DWORD returned = 0;
  BOOL ok;
  char op[64];

  memset(cmd->sense, 0, sizeof cmd->sense);

  if (cmd->cdb == NULL || cmd->cdb_len == 0 || cmd->cdb_len > 16) {
    cdperf_error_set(err, CDPERF_ERR_WIN32, ERROR_INVALID_PARAMETER,
                     "ERROR_INVALID_PARAMETER: a CDB of %lu bytes (SCSI pass-through takes 1 to 16)",
                     (unsigned long)cmd->cdb_len);
    return -1;
  }
  snprintf(op, sizeof op, "IOCTL_SCSI_PASS_THROUGH, opcode %02Xh", (unsigned)cmd->cdb[0]);

  xfer = cmd->dir == CDPERF_DIR_NONE ? 0 : cmd->data_len;
  if (xfer > 0 && (cmd->dir == CDPERF_DIR_IN ? (const void *)cmd->data : (const void *)cmd->out) == NULL) {
    cdperf_error_set(err, CDPERF_ERR_WIN32, ERROR_INVALID_PARAMETER,
                     "ERROR_INVALID_PARAMETER: no data buffer (%s)", op);
    return -1;
  }
  if (xfer > WIN32_MAX_TRANSFER || xfer > (size_t)ULONG_MAX - WIN32_DATA_OFFSET ||
      xfer > SIZE_MAX - WIN32_DATA_OFFSET) {
    cdperf_error_set(err, CDPERF_ERR_WIN32, ERROR_INVALID_PARAMETER,
                     "ERROR_INVALID_PARAMETER: a transfer of %lu bytes is too large (%s)",
                     (unsigned long)xfer, op);
    return -1;
  }
  total = WIN32_DATA_OFFSET + xfer;

  block = (unsigned char *)calloc(1, total);
  if (block == NULL) return win32_fail(err, ERROR_NOT_ENOUGH_MEMORY, op);
  spt = (SCSI_PASS_THROUGH *)block;
  spt->Length = (USHORT)sizeof(SCSI_PASS_THROUGH);
  spt->CdbLength = (UCHAR)cmd->cdb_len;
  spt->SenseInfoLength = (UCHAR)WIN32_SENSE_LEN;
  spt->SenseInfoOffset = (ULONG)WIN32_SENSE_OFFSET;
  spt->DataBufferOffset = (ULONG_PTR)WIN32_DATA_OFFSET;
  spt->DataTransferLength = (ULONG)xfer;
  spt->TimeOutValue =
      win32_timeout_seconds(cmd->timeout_ms != 0 ? cmd->timeout_ms : t->base.timeout_ms);
  memcpy(spt->Cdb, cmd->cdb, cmd->cdb_len);
  switch (cmd->dir) {
  case CDPERF_DIR_IN:
    spt->DataIn = SCSI_IOCTL_DATA_IN;
    break;
  case CDPERF_DIR_OUT:
    spt->DataIn = SCSI_IOCTL_DATA_OUT;
    if (xfer > 0) memcpy(block + WIN32_DATA_OFFSET, cmd->out, xfer);
    break;
  default:
    spt->DataIn = SCSI_IOCTL_DATA_UNSPECIFIED;
    break;
  }

  ok = DeviceIoControl(t->handle, IOCTL_SCSI_PASS_THROUGH, block, (DWORD)total, block,
                       (DWORD)total, &returned, NULL);
  if (!ok) {
    DWORD code = GetLastError();
    free(block);
    return win32_ioctl_fail(t, err, code, op, 1);
  }

  cmd->status = spt->ScsiStatus;
  {
    size_t sl = spt->SenseInfoLength;
    if (sl > WIN32_SENSE_LEN) sl = WIN32_SENSE_LEN;
    if (sl > sizeof cmd->sense) sl = sizeof cmd->sense;
    if (cmd->status == 0 && sl > 0) {
      /* Some drivers leave SenseInfoLength as sent on success: keep sense
       * only when it holds a response code. */
      if ((block[WIN32_SENSE_OFFSET] & 0x70) != 0x70) sl = 0;
    }
    memcpy(cmd->sense, block + WIN32_SENSE_OFFSET, sl);
    cmd->sense_len = sl;
  }
  {
    size_t got = spt->DataTransferLength;
    if (got > xfer) got = xfer;
    if (cmd->dir == CDPERF_DIR_IN && got > 0) memcpy(cmd->data, block + WIN32_DATA_OFFSET, got);
    cmd->received = cmd->dir == CDPERF_DIR_NONE ? 0 : got;
    cmd->resid = (int)((xfer - got) > (size_t)INT_MAX ? INT_MAX : (xfer - got));
  }
  free(block);
  return 0;
}

/* ---- native IOCTLs ------------------------------------------------------ */

static int transport_win32_get_performance(struct cdperf_transport *base,
                                           const struct mmc_perf_request *r, uint8_t *out,
                                           size_t out_len, size_t *received,
                                           struct cdperf_error *err) {
  struct win32_transport *t = (struct win32_transport *)base;
  CDROM_PERFORMANCE_REQUEST perf;
  CDROM_WRITE_SPEED_REQUEST ws;
  void *in;
  DWORD in_len, returned = 0;

  *received = 0;
  if (out == NULL || out_len > 0xFFFFFFFFu) {
    cdperf_error_set(err, CDPERF_ERR_WIN32, ERROR_INVALID_PARAMETER,
                     "ERROR_INVALID_PARAMETER: output buffer of %lu bytes "
                     "(IOCTL_CDROM_GET_PERFORMANCE)", (unsigned long)out_len);
    return -1;
  }
  if (r->request_type == MMC_REQ_WRITE_SPEED) {
    memset(&ws, 0, sizeof ws);
    ws.RequestType = CdromWriteSpeedRequest;
    in = &ws;
    in_len = (DWORD)sizeof ws;
  } else {
    /* The values of struct mmc_perf_request are the Windows enum values;
     * the driver validates them (ERROR_INVALID_PARAMETER). */
    memset(&perf, 0, sizeof perf);
    perf.RequestType = (CDROM_PERFORMANCE_REQUEST_TYPE)r->request_type;
    perf.PerformanceType = (CDROM_PERFORMANCE_TYPE)r->performance_type;
    perf.Exceptions = (CDROM_PERFORMANCE_EXCEPTION_TYPE)r->exceptions;
    perf.Tolerance = (CDROM_PERFORMANCE_TOLERANCE_TYPE)r->tolerance;
    perf.StaringLba = (ULONG)r->starting_lba;
    in = &perf;
    in_len = (DWORD)sizeof perf;
  }
  if (!DeviceIoControl(t->handle, IOCTL_CDROM_GET_PERFORMANCE, in, in_len, out, (DWORD)out_len,
                       &returned, NULL))
    return win32_ioctl_fail(t, err, GetLastError(), "IOCTL_CDROM_GET_PERFORMANCE", 0);
  *received = (size_t)returned > out_len ? out_len : (size_t)returned;
  return 0;
}

static int transport_win32_set_speed(struct cdperf_transport *base, unsigned read_speed,
                                     unsigned write_speed, int rotation,
                                     struct cdperf_error *err) {
  struct win32_transport *t = (struct win32_transport *)base;
  CDROM_SET_SPEED s;
  DWORD returned = 0;

  memset(&s, 0, sizeof s);
  s.RequestType = CdromSetSpeed;
  /* 0xFFFF asks for the maximum; anything above it can only mean that too. */
  s.ReadSpeed = (USHORT)(read_speed > 0xFFFFu ? 0xFFFFu : read_speed);
  s.WriteSpeed = (USHORT)(write_speed > 0xFFFFu ? 0xFFFFu : write_speed);
  s.RotationControl = (WRITE_ROTATION)rotation;
  if (!DeviceIoControl(t->handle, IOCTL_CDROM_SET_SPEED, &s, (DWORD)sizeof s, NULL, 0, &returned,
                       NULL))
    return win32_ioctl_fail(t, err, GetLastError(), "IOCTL_CDROM_SET_SPEED (CdromSetSpeed)", 0);
  return 0;
}

static int transport_win32_set_streaming(struct cdperf_transport *base,
                                         const struct mmc_streaming *st, int persistent,
                                         struct cdperf_error *err) {
  struct win32_transport *t = (struct win32_transport *)base;
  CDROM_SET_STREAMING s;
  DWORD returned = 0;

  memset(&s, 0, sizeof s);
  s.RequestType = CdromSetStreaming;
  s.ReadSize = (ULONG)st->read_size;
  s.ReadTime = (ULONG)st->read_time;
  s.WriteSize = (ULONG)st->write_size;
  s.WriteTime = (ULONG)st->write_time;
  s.StartLba = (ULONG)st->start_lba;
  s.EndLba = (ULONG)st->end_lba;
  s.RotationControl = (WRITE_ROTATION)st->rotation;
  s.RestoreDefaults = st->restore_defaults ? TRUE : FALSE;
  s.SetExact = st->exact ? TRUE : FALSE;
  s.RandomAccess = st->random_access ? TRUE : FALSE;
  s.Persistent = persistent ? TRUE : FALSE;
  if (!DeviceIoControl(t->handle, IOCTL_CDROM_SET_SPEED, &s, (DWORD)sizeof s, NULL, 0, &returned,
                       NULL))
    return win32_ioctl_fail(t, err, GetLastError(), "IOCTL_CDROM_SET_SPEED (CdromSetStreaming)",
                            0);
  return 0;
}

static const struct cdperf_transport_ops transport_win32_ops = {
  "win32",
  transport_win32_exec,
  transport_win32_get_performance,
  transport_win32_set_speed,
  transport_win32_set_streaming,
  transport_win32_close,
};

/* ---- open --------------------------------------------------------------- */

int cdperf_os_open(const char *path, int write, unsigned timeout_ms,
                   struct cdperf_transport **out, struct cdperf_error *err) {
  char device[80];
  char name[64];
  char letter;
  struct win32_transport *t;
  HANDLE h;
  DWORD rw_refused = 0;

  *out = NULL;
  if (path == NULL || path[0] == '\0') {
    cdperf_error_set(err, CDPERF_ERR_WIN32, ERROR_INVALID_NAME,
                     "ERROR_INVALID_NAME: empty device name (expected D:, \\\\.\\D: or \\\\.\\CdRom0)");
    return -1;
  }

  letter = win32_drive_letter(path);
  if (letter != 0) {
    char root[4] = { letter, ':', '\\', '\0' };
    UINT type = GetDriveTypeA(root);
    snprintf(name, sizeof name, "%c:", letter);
    if (type == DRIVE_NO_ROOT_DIR) {
      cdperf_error_set(err, CDPERF_ERR_WIN32, ERROR_INVALID_DRIVE,
                       "%s is not a CD/DVD drive (drive type: no such drive)", name);
      return -1;
    }
    if (type != DRIVE_CDROM) {
      cdperf_error_set(err, CDPERF_ERR_UNSUPPORTED, (int)type,
                       "%s is not a CD/DVD drive (drive type: %s)", name,
                       win32_drive_type_name(type));
      return -1;
    }
    snprintf(device, sizeof device, "\\\\.\\%c:", letter);
  } else if ((strncmp(path, "\\\\.\\", 4) == 0 || strncmp(path, "//./", 4) == 0) &&
             path[4] != '\0' && strlen(path) < 64 && strpbrk(path + 4, "\\/") == NULL) {
    /* \\.\CdRom0 and other device names, passed through as they are */
    snprintf(device, sizeof device, "\\\\.\\%s", path + 4);
    snprintf(name, sizeof name, "%s", device);
  } else {
    cdperf_error_set(err, CDPERF_ERR_WIN32, ERROR_INVALID_NAME,
                     "ERROR_INVALID_NAME: '%.80s' is not a Windows CD/DVD device name "
                     "(expected D:, \\\\.\\D: or \\\\.\\CdRom0)", path);
    return -1;
  }

  /* SCSI pass-through needs GENERIC_READ | GENERIC_WRITE (IOCTL_SCSI_PASS_THROUGH is
   * defined with FILE_READ_ACCESS | FILE_WRITE_ACCESS; Windows-driver-samples
   * storage/tools/spti/src/spti.c opens the drive so); the native IOCTLs need read access
   * only. write: 0 read-only, 1 read-write or fail, CDPERF_WIN32_WRITE_IF_PERMITTED (2)
   * read-write where the account has the right, else read-only (rw_refused says so). */
  h = CreateFileA(device, GENERIC_READ | (write ? GENERIC_WRITE : 0),
                  FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
  if (h == INVALID_HANDLE_VALUE && write == CDPERF_WIN32_WRITE_IF_PERMITTED &&
      GetLastError() == ERROR_ACCESS_DENIED) {
    rw_refused = ERROR_ACCESS_DENIED;
    write = 0;
    h = CreateFileA(device, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                    OPEN_EXISTING, 0, NULL);
  }
  if (h == INVALID_HANDLE_VALUE) {
    char op[200];
    DWORD code = GetLastError();
    if (code == ERROR_ACCESS_DENIED && write)
      snprintf(op, sizeof op, "opening %s read-write: this account may not (run as "
               "administrator), or open with write = false for the native IOCTLs only", device);
    else if (code == ERROR_SHARING_VIOLATION)
      snprintf(op, sizeof op, "opening %s%s: another program opened it without sharing", device,
               write ? " read-write" : "");
    else
      snprintf(op, sizeof op, "opening %s%s", device, write ? " read-write" : "");
    return win32_fail(err, code, op);
  }

  t = (struct win32_transport *)calloc(1, sizeof *t);
  if (t == NULL) {
    CloseHandle(h);
    return win32_fail(err, ERROR_NOT_ENOUGH_MEMORY, "opening the device");
  }
  t->base.ops = &transport_win32_ops;
  t->base.timeout_ms = timeout_ms != 0 ? timeout_ms : CDPERF_DEFAULT_TIMEOUT_MS;
  t->base.writable = write != 0;
  t->rw_refused = rw_refused;
  t->handle = h;
  snprintf(t->name, sizeof t->name, "%s", name);
  *out = &t->base;
  return 0;
}

/* ---- listing drives ----------------------------------------------------- */

void cdperf_os_drives(cdperf_drive_cb cb, void *ctx) {
  DWORD mask = GetLogicalDrives();
  int i;
  for (i = 0; i < 26; i++) {
    char root[4], name[3];
    if ((mask & ((DWORD)1 << i)) == 0) continue;
    root[0] = (char)('A' + i);
    root[1] = ':';
    root[2] = '\\';
    root[3] = '\0';
    if (GetDriveTypeA(root) != DRIVE_CDROM) continue;
    name[0] = root[0];
    name[1] = ':';
    name[2] = '\0';
    cb(ctx, name);
  }
}

/* Sleep: ms rounded up to a whole millisecond, as precise as the system's timer tick. */
void cdperf_os_sleep_ms(double ms)
{
  DWORD whole = (DWORD)ms;

  Sleep((double)whole < ms ? whole + 1 : whole);
}

/* QueryPerformanceCounter: never fails on Windows XP and later. */
double cdperf_os_monotonic(double *resolution)
{
  LARGE_INTEGER freq, now;

  if (!QueryPerformanceFrequency(&freq) || freq.QuadPart <= 0 || !QueryPerformanceCounter(&now)) {
    ULONGLONG ms = GetTickCount64();
    *resolution = 1e-3;
    return (double)ms / 1e3;
  }
  *resolution = 1.0 / (double)freq.QuadPart;
  return (double)now.QuadPart / (double)freq.QuadPart;
}
