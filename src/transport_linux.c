/*
 * transport_linux.c - SG_IO on /dev/srN (the block device) or /dev/sgN: the OS file
 * of Linux builds (cdperf_os_open, cdperf_os_drives, cdperf_os_platform, and the clock:
 * cdperf_os_sleep_ms, cdperf_os_monotonic).
 *
 * Outcomes it reports itself, each with a text a person can act on: the ioctl failing
 * (the drive gone, I/O errors; EINTR is retried), and the host adapter and driver
 * errors of the SG_IO header, whose DID_* and DRIVER_* names live only here. The SCSI
 * status and sense it leaves to device.c.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <scsi/sg.h>

#include "transport.h"

#define LINUX_EINTR_TRIES 4   /* a signal during SG_IO: try again, but not forever */

const char cdperf_os_platform[] = "linux";
const int cdperf_os_default_write = 0;

struct linux_transport {
  struct cdperf_transport base;
  int fd;
};

/* Linux SCSI host and driver byte values (include/scsi/scsi_status.h). */
static const char *const host_status_names[] = {
  "DID_OK", "DID_NO_CONNECT", "DID_BUS_BUSY", "DID_TIME_OUT", "DID_BAD_TARGET", "DID_ABORT",
  "DID_PARITY", "DID_ERROR", "DID_RESET", "DID_BAD_INTR", "DID_PASSTHROUGH", "DID_SOFT_ERROR",
  "DID_IMM_RETRY", "DID_REQUEUE", "DID_TRANSPORT_DISRUPTED", "DID_TRANSPORT_FAILFAST",
  "DID_TARGET_FAILURE", "DID_NEXUS_FAILURE", "DID_ALLOC_FAILURE", "DID_MEDIUM_ERROR"
};
static const char *const driver_status_names[] = {
  "DRIVER_OK", "DRIVER_BUSY", "DRIVER_SOFT", "DRIVER_MEDIA", "DRIVER_ERROR",
  "DRIVER_INVALID", "DRIVER_TIMEOUT", "DRIVER_HARD", "DRIVER_SENSE"
};
#define LINUX_DID_TIME_OUT 0x03
#define LINUX_DRIVER_TIMEOUT 0x06
#define LINUX_DRIVER_SENSE 0x08

/* What the host or driver byte says; 0 when the command went through to the device. */
static int linux_host_error(const struct sg_io_hdr *io, unsigned timeout_ms,
                            struct cdperf_error *err)
{
  unsigned driver = io->driver_status & 0x0Fu;
  const char *name;

  if (io->host_status == 0 && (driver == 0 || driver == LINUX_DRIVER_SENSE))
    return 0;
  if (io->host_status != 0) {
    name = io->host_status < sizeof host_status_names / sizeof host_status_names[0]
               ? host_status_names[io->host_status] : "DID_UNKNOWN";
    if (io->host_status == LINUX_DID_TIME_OUT)
      cdperf_error_set(err, CDPERF_ERR_HOST, io->host_status,
                       "host adapter error %s (0x%02x): the drive did not answer within %u ms",
                       name, (unsigned)io->host_status, timeout_ms);
    else
      cdperf_error_set(err, CDPERF_ERR_HOST, io->host_status, "host adapter error %s (0x%02x)",
                       name, (unsigned)io->host_status);
  } else {
    name = driver < sizeof driver_status_names / sizeof driver_status_names[0]
               ? driver_status_names[driver] : "DRIVER_UNKNOWN";
    if (driver == LINUX_DRIVER_TIMEOUT)
      cdperf_error_set(err, CDPERF_ERR_HOST, io->driver_status,
                       "driver error %s (0x%02x): the drive did not answer within %u ms", name,
                       (unsigned)io->driver_status, timeout_ms);
    else
      cdperf_error_set(err, CDPERF_ERR_HOST, io->driver_status, "driver error %s (0x%02x)",
                       name, (unsigned)io->driver_status);
  }
  err->name = name;
  return -1;
}

/* The ioctl itself failed: say what that means for the drive. */
static void linux_ioctl_error(int e, struct cdperf_error *err)
{
  switch (e) {
  case ENODEV:
  case ENXIO:
    cdperf_error_set(err, CDPERF_ERR_OS, e,
                     "SG_IO failed: %s: the drive is gone (unplugged, powered off or its "
                     "connection lost); close it and open it again", strerror(e));
    break;
  case EIO:
    cdperf_error_set(err, CDPERF_ERR_OS, e,
                     "SG_IO failed: %s: the command did not reach the drive; check its cable "
                     "or connection and retry", strerror(e));
    break;
  case EINTR:
    cdperf_error_set(err, CDPERF_ERR_OS, e, "SG_IO failed: %s %d times in a row; retry",
                     strerror(e), LINUX_EINTR_TRIES);
    break;
  default:
    cdperf_error_set(err, CDPERF_ERR_OS, e, "SG_IO failed: %s", strerror(e));
  }
}

static int transport_linux_exec(struct cdperf_transport *t, struct cdperf_cmd *cmd,
                                struct cdperf_error *err)
{
  struct linux_transport *lt = (struct linux_transport *)t;
  struct sg_io_hdr io;
  int tries = 0, rc;

  memset(&io, 0, sizeof io);
  io.interface_id = 'S';
  switch (cmd->dir) {
  case CDPERF_DIR_IN:
    io.dxfer_direction = SG_DXFER_FROM_DEV;
    io.dxferp = cmd->data;
    break;
  case CDPERF_DIR_OUT:
    io.dxfer_direction = SG_DXFER_TO_DEV;
    io.dxferp = (void *)(uintptr_t)cmd->out;   /* the kernel only reads it */
    break;
  default:
    io.dxfer_direction = SG_DXFER_NONE;
    break;
  }
  io.cmd_len = (unsigned char)cmd->cdb_len;
  io.cmdp = (unsigned char *)(uintptr_t)cmd->cdb;
  io.mx_sb_len = (unsigned char)sizeof cmd->sense;
  io.sbp = cmd->sense;
  io.dxfer_len = cmd->dir == CDPERF_DIR_NONE ? 0 : (unsigned int)cmd->data_len;
  io.timeout = cmd->timeout_ms != 0 ? cmd->timeout_ms : t->timeout_ms;

  while ((rc = ioctl(lt->fd, SG_IO, &io)) < 0 && errno == EINTR && ++tries < LINUX_EINTR_TRIES)
    ;
  if (rc < 0) {
    linux_ioctl_error(errno, err);
    return -1;
  }
  cmd->status = io.status;
  cmd->sense_len = io.sb_len_wr < sizeof cmd->sense ? io.sb_len_wr : sizeof cmd->sense;
  cmd->host_status = io.host_status;
  cmd->driver_status = io.driver_status;
  cmd->resid = io.resid;
  if (cmd->dir == CDPERF_DIR_IN) {
    /* resid is what the device did not send; never trust it past the buffer. */
    if (io.resid > 0 && (size_t)io.resid <= cmd->data_len)
      cmd->received = cmd->data_len - (size_t)io.resid;
    else if (io.resid <= 0)
      cmd->received = cmd->data_len;
    else
      cmd->received = 0;
  }
  return linux_host_error(&io, io.timeout, err);
}

static int transport_linux_close(struct cdperf_transport *t, struct cdperf_error *err)
{
  struct linux_transport *lt = (struct linux_transport *)t;
  int rc = 0;
  /* No retry on EINTR: Linux has released the descriptor whatever close says. */
  if (lt->fd >= 0 && close(lt->fd) != 0 && errno != EINTR) {
    int e = errno;
    cdperf_error_set(err, CDPERF_ERR_OS, e, "closing the drive failed: %s (it is closed)",
                     strerror(e));
    rc = -1;
  }
  free(lt);
  return rc;
}

static const struct cdperf_transport_ops transport_linux_ops = {
  "sg_io", transport_linux_exec, NULL, NULL, NULL, transport_linux_close
};

int cdperf_os_open(const char *path, int write, unsigned timeout_ms,
                   struct cdperf_transport **out, struct cdperf_error *err)
{
  struct linux_transport *lt;
  struct stat st;
  int fd, version = 0;

  /* O_NONBLOCK: open works with no medium and does not wait for the tray. */
  fd = open(path, (write ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if ((e == EACCES || e == EROFS || e == EPERM) && write)
      cdperf_error_set(err, CDPERF_ERR_OS, e, "cannot open %s for writing: %s", path, strerror(e));
    else
      cdperf_error_set(err, CDPERF_ERR_OS, e, "cannot open %s: %s", path, strerror(e));
    return -1;
  }
  if (fstat(fd, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) ||
      ioctl(fd, SG_GET_VERSION_NUM, &version) < 0) {
    close(fd);
    cdperf_error_set(err, CDPERF_ERR_OS, ENOTTY,
                     "%s is not a SCSI device that accepts SG_IO (want /dev/srN or /dev/sgN)",
                     path);
    return -1;
  }
  lt = (struct linux_transport *)calloc(1, sizeof *lt);
  if (lt == NULL) {
    close(fd);
    cdperf_error_set(err, CDPERF_ERR_OS, ENOMEM, "out of memory");
    return -1;
  }
  lt->base.ops = &transport_linux_ops;
  lt->base.timeout_ms = timeout_ms;
  lt->base.writable = write;
  lt->base.control_needs_write = 1;
  lt->fd = fd;
  *out = &lt->base;
  return 0;
}

/* Optical drives are the sr block devices. */
void cdperf_os_drives(cdperf_drive_cb cb, void *ctx)
{
  DIR *dir = opendir("/sys/class/block");
  struct dirent *de;
  if (dir == NULL)
    return;
  while ((de = readdir(dir)) != NULL) {
    const char *n = de->d_name;
    char path[64];
    size_t i;
    if (strncmp(n, "sr", 2) != 0 || n[2] == '\0' || strlen(n) > 40)
      continue;
    for (i = 2; n[i] != '\0' && n[i] >= '0' && n[i] <= '9'; i++)
      ;
    if (n[i] != '\0')
      continue;
    snprintf(path, sizeof path, "/dev/%.40s", n);
    cb(ctx, path);
  }
  closedir(dir);
}

/* nanosleep: a signal does not cut the sleep short (the rest is slept). */
void cdperf_os_sleep_ms(double ms)
{
  struct timespec want, left;
  double ns = ms * 1e6;

  want.tv_sec = (time_t)(ns / 1e9);
  ns -= (double)want.tv_sec * 1e9;
  want.tv_nsec = ns < 0 ? 0 : ns > 999999999.0 ? 999999999L : (long)ns;
  while (nanosleep(&want, &left) != 0 && errno == EINTR)
    want = left;
}

double cdperf_os_monotonic(double *resolution)
{
  struct timespec now, res;

  if (clock_getres(CLOCK_MONOTONIC, &res) == 0)
    *resolution = (double)res.tv_sec + (double)res.tv_nsec / 1e9;
  else
    *resolution = 1e-9;
  if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
    return 0;   /* cannot fail for CLOCK_MONOTONIC on Linux */
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}
