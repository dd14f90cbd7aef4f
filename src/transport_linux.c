/*
 * transport_linux.c - SG_IO on /dev/srN (the block device) or /dev/sgN.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <scsi/sg.h>

#include "transport.h"

struct linux_transport {
  struct cdperf_transport base;
  int fd;
};

static int transport_linux_exec(struct cdperf_transport *t, struct cdperf_cmd *cmd,
                                struct cdperf_error *err)
{
  struct linux_transport *lt = (struct linux_transport *)t;
  struct sg_io_hdr io;

  memset(&io, 0, sizeof io);
  io.interface_id = 'S';
  switch (cmd->dir) {
  case CDPERF_DIR_IN: io.dxfer_direction = SG_DXFER_FROM_DEV; break;
  case CDPERF_DIR_OUT: io.dxfer_direction = SG_DXFER_TO_DEV; break;
  default: io.dxfer_direction = SG_DXFER_NONE; break;
  }
  io.cmd_len = (unsigned char)cmd->cdb_len;
  io.cmdp = (unsigned char *)cmd->cdb;
  io.mx_sb_len = (unsigned char)sizeof cmd->sense;
  io.sbp = cmd->sense;
  io.dxfer_len = cmd->dir == CDPERF_DIR_NONE ? 0 : (unsigned int)cmd->data_len;
  io.dxferp = cmd->dir == CDPERF_DIR_NONE ? NULL : cmd->data;
  io.timeout = cmd->timeout_ms != 0 ? cmd->timeout_ms : t->timeout_ms;

  if (ioctl(lt->fd, SG_IO, &io) < 0) {
    int e = errno;
    cdperf_error_set(err, CDPERF_ERR_OS, e, "SG_IO failed: %s", strerror(e));
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
  return 0;
}

static void transport_linux_close(struct cdperf_transport *t)
{
  struct linux_transport *lt = (struct linux_transport *)t;
  if (lt->fd >= 0)
    close(lt->fd);
  free(lt);
}

static const struct cdperf_transport_ops transport_linux_ops = {
  "sg_io", transport_linux_exec, NULL, NULL, NULL, transport_linux_close
};

static int transport_linux_open(const char *path, int write, unsigned timeout_ms,
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
  lt = calloc(1, sizeof *lt);
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
static void transport_linux_drives(cdperf_drive_cb cb, void *ctx)
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
