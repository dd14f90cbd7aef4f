/*
 * fault_shim.c - an LD_PRELOAD library that injects transport faults under cdperf, so
 * that test/kernel/faults.lua can watch each one instead of hoping for it.
 *
 *   CDPERF_FAULT_FILE  a file holding the fault to inject now, read at every call it
 *                      affects (a script changes it between commands): one word and a
 *                      number, e.g. "eintr 2" (see faults[] below); "none" or no file:
 *                      nothing injected
 *   CDPERF_FAULT_FAKE  a path (e.g. /dev/null) whose descriptors act as an SG device
 *                      answering a few commands itself: a host without a drive runs the
 *                      Linux transport too. Descriptors of other devices reach the kernel.
 *
 * Wraps ioctl (SG_IO, SG_GET_VERSION_NUM), close (of SG devices) and send/writev (of
 * sockets: the iSCSI connection).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <scsi/sg.h>

int ioctl(int fd, unsigned long request, ...);
int close(int fd);
ssize_t send(int fd, const void *buf, size_t len, int flags);
ssize_t writev(int fd, const struct iovec *iov, int iovcnt);

static int (*real_ioctl)(int, unsigned long, ...);
static int (*real_close)(int);
static ssize_t (*real_send)(int, const void *, size_t, int);
static ssize_t (*real_writev)(int, const struct iovec *, int);

/* dlsym gives a data pointer; copied into a function pointer as POSIX allows. */
static void find(void *fn, size_t size, const char *name)
{
  void *p = dlsym(RTLD_NEXT, name);
  memcpy(fn, &p, size);
}

static void bind_real(void)
{
  if (real_ioctl != NULL)
    return;
  find(&real_close, sizeof real_close, "close");
  find(&real_send, sizeof real_send, "send");
  find(&real_writev, sizeof real_writev, "writev");
  find(&real_ioctl, sizeof real_ioctl, "ioctl");
}

/* The fault now: its word and number. A changed file restarts the countdown. */
static char last[64];
static long countdown;

static const char *fault(long *n)
{
  static char word[32];
  char text[64];
  const char *path = getenv("CDPERF_FAULT_FILE");
  ssize_t got = -1;
  int fd;

  bind_real();
  text[0] = '\0';
  if (path != NULL && (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
    got = read(fd, text, sizeof text - 1);
    real_close(fd);   /* not our close: no fault for the control file */
  }
  text[got > 0 ? got : 0] = '\0';
  if (strcmp(text, last) != 0) {
    memcpy(last, text, sizeof last);
    countdown = -1;
  }
  word[0] = '\0';
  *n = 0;
  if (sscanf(text, "%31s %ld", word, n) < 1)
    return "none";
  if (countdown < 0)
    countdown = *n;
  return word;
}

static int path_of(int fd, char *buf, size_t size)
{
  char link[64];
  ssize_t n;
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  n = readlink(link, buf, size - 1);
  if (n < 0)
    return -1;
  buf[n] = '\0';
  return 0;
}

static int is_fake(int fd)
{
  const char *fake = getenv("CDPERF_FAULT_FAKE");
  char path[256];
  return fake != NULL && path_of(fd, path, sizeof path) == 0 && strcmp(path, fake) == 0;
}

static int is_sg_device(int fd)
{
  char path[256];
  if (is_fake(fd))
    return 1;
  return path_of(fd, path, sizeof path) == 0 &&
         (strncmp(path, "/dev/sr", 7) == 0 || strncmp(path, "/dev/sg", 7) == 0);
}

/* The fake drive: INQUIRY, GET CONFIGURATION (DVD+R), GET PERFORMANCE 03h (one
 * descriptor), TEST UNIT READY; anything else ILLEGAL REQUEST 20h/00h. */
static void fake_answer(struct sg_io_hdr *io)
{
  static const unsigned char inquiry[36] = {
    5, 0x80, 5, 0x32, 31, 0, 0, 0, 'C', 'D', 'P', 'E', 'R', 'F', ' ', ' ',
    'F', 'A', 'U', 'L', 'T', ' ', 'S', 'H', 'I', 'M', ' ', ' ', ' ', ' ', ' ', ' ',
    '0', '0', '0', '1' };
  static const unsigned char config[8] = { 0, 0, 0, 4, 0, 0, 0, 0x1B };
  static const unsigned char perf[24] = {
    0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x23, 0x05, 0x3F, 0, 0, 0x40, 0xEC, 0, 0, 0x81, 0xD8 };
  static const unsigned char illegal[18] = { 0x70, 0, 5, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x20, 0 };
  const unsigned char *cdb = io->cmdp, *data = NULL;
  size_t n = 0;

  io->status = 0;
  io->host_status = io->driver_status = 0;
  io->sb_len_wr = 0;
  switch (cdb[0]) {
  case 0x12: data = inquiry; n = sizeof inquiry; break;
  case 0x46: data = config; n = sizeof config; break;
  case 0xAC: data = perf; n = sizeof perf; break;
  case 0x00: break;
  default:
    io->status = 2;
    io->driver_status = 0x08;
    io->sb_len_wr = (unsigned char)(io->mx_sb_len < sizeof illegal ? io->mx_sb_len : sizeof illegal);
    memcpy(io->sbp, illegal, io->sb_len_wr);
  }
  if (n > io->dxfer_len)
    n = io->dxfer_len;
  if (data != NULL && io->dxfer_direction == SG_DXFER_FROM_DEV)
    memcpy(io->dxferp, data, n);
  io->resid = (int)(io->dxfer_len - n);
}

int ioctl(int fd, unsigned long request, ...)
{
  struct sg_io_hdr *io;
  const char *f;
  long n;
  void *arg;
  va_list ap;

  va_start(ap, request);
  arg = va_arg(ap, void *);
  va_end(ap);
  bind_real();
  if (request != SG_IO && request != SG_GET_VERSION_NUM)
    return real_ioctl(fd, request, arg);
  if (request == SG_GET_VERSION_NUM) {
    if (!is_fake(fd))
      return real_ioctl(fd, request, arg);
    *(int *)arg = 30527;
    return 0;
  }
  io = (struct sg_io_hdr *)arg;
  f = fault(&n);
  if (strcmp(f, "enodev") == 0 || strcmp(f, "enxio") == 0 || strcmp(f, "eio") == 0) {
    errno = f[1] == 'n' ? (f[2] == 'o' ? ENODEV : ENXIO) : EIO;
    return -1;
  }
  if (strcmp(f, "eintr") == 0 && countdown > 0) {
    countdown--;
    errno = EINTR;
    return -1;
  }
  if (is_fake(fd))
    fake_answer(io);
  else if (real_ioctl(fd, request, arg) < 0)
    return -1;
  if (strcmp(f, "timeout") == 0) {            /* the kernel's view of a lost command */
    io->host_status = 0x03;                   /* DID_TIME_OUT */
    io->status = 0;
    io->sb_len_wr = 0;
    io->resid = (int)io->dxfer_len;
  } else if (strcmp(f, "driver_timeout") == 0) {
    io->driver_status = 0x06;                 /* DRIVER_TIMEOUT */
  } else if (strcmp(f, "resid") == 0) {       /* the device sent only n bytes */
    if ((long)io->dxfer_len > n)
      io->resid = (int)(io->dxfer_len - (unsigned)n);
  } else if (strcmp(f, "resid_bogus") == 0) {
    io->resid = (int)io->dxfer_len + 100;
  } else if (strcmp(f, "short_sense") == 0) { /* CHECK CONDITION with 3 bytes of sense */
    io->status = 2;
    io->driver_status = 0x08;
    io->sb_len_wr = 3;
    io->sbp[0] = 0x70;
    io->sbp[1] = 0;
    io->sbp[2] = 5;
    io->resid = (int)io->dxfer_len;
  } else if (strcmp(f, "busy") == 0) {
    io->status = 0x08;
    io->sb_len_wr = 0;
  }
  return 0;
}

int close(int fd)
{
  long n;
  bind_real();
  if (strcmp(fault(&n), "close_eio") == 0 && is_sg_device(fd)) {
    real_close(fd);   /* released all the same, as Linux does */
    errno = EIO;
    return -1;
  }
  return real_close(fd);
}

/* "net_cut": the connection breaks as the next request goes out. */
static int cut(int fd)
{
  struct stat st;
  long n;
  if (strcmp(fault(&n), "net_cut") != 0 || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode))
    return 0;
  shutdown(fd, SHUT_RDWR);
  errno = ECONNRESET;
  return 1;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
  bind_real();
  if (cut(fd))
    return -1;
  return real_send(fd, buf, len, flags);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
  bind_real();
  if (cut(fd))
    return -1;
  return real_writev(fd, iov, iovcnt);
}
