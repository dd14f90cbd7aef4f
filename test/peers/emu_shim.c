/*
 * emu_shim.c - an LD_PRELOAD library that makes one path behave like an optical drive
 * answered by cdperf's emulator (lua/cdperf/emulator.lua), so that the real tools
 * (wodim, dvd+rw-mediainfo, xorriso) can be run against cdperf's models on a host
 * without a drive (test/peers/run.lua, make check-peers).
 *
 *   CDPERF_EMU_PATH      the fake device, e.g. /dev/sr0 (it need not exist)
 *   CDPERF_EMU_MODEL     a built-in model's name (emulator.model_names(),
 *                        emulator.recorded_model_names()) or a model file (a path with '/')
 *   CDPERF_EMU_LUA_PATH  package.path for the embedded Lua 5.4 (the repo's lua/)
 *   CDPERF_EMU_LOG       optional: a file that gets one line per intercepted call
 *
 * open/open64/openat/openat64/__open_2/__open64_2 of the path return a real descriptor
 * (of /dev/null) that the shim remembers until close. On it:
 *   - SG_IO: the CDB goes to the emulator (data-out as its parameter bytes); the
 *     sg_io_hdr is filled in as the sg driver does: status 02h (CHECK CONDITION),
 *     masked_status 01h, driver_status 08h (DRIVER_SENSE), sb_len_wr and the sense
 *     bytes on failure; resid = dxfer_len - bytes sent; info SG_INFO_CHECK on failure
 *   - SG_GET_VERSION_NUM, SCSI_IOCTL_GET_IDLUN, SCSI_IOCTL_GET_BUS_NUMBER,
 *     SG_GET_SCSI_ID, SG_EMULATED_HOST, SG_GET/SET_RESERVED_SIZE, SG_GET/SET_TIMEOUT,
 *     CDROM_DRIVE_STATUS, CDROM_GET_CAPABILITY, CDROM_MEDIA_CHANGED, CDROM_LOCKDOOR
 *   - anything else: ENOTTY (and a log line)
 * The stat family (stat, lstat, fstat, fstatat, their 64 and __xstat forms, statx)
 * reports the path and the descriptors as a block device of major 11 (sr), minor N of
 * /dev/srN.
 * Everything is bounds-checked: data copies are cut to dxfer_len, sense to mx_sb_len.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/cdrom.h>
#include <scsi/scsi.h>
#include <scsi/scsi_ioctl.h>
#include <scsi/sg.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#ifndef SCSI_IOCTL_GET_IDLUN
#define SCSI_IOCTL_GET_IDLUN 0x5382
#endif
#ifndef SCSI_IOCTL_GET_BUS_NUMBER
#define SCSI_IOCTL_GET_BUS_NUMBER 0x5386
#endif

#define MAX_FDS 64
#define SR_MAJOR 11

/* the libc functions the shim wraps */
static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_close)(int);
static int (*real_ioctl)(int, unsigned long, ...);
static int (*real_stat)(const char *, struct stat *);
static int (*real_lstat)(const char *, struct stat *);
static int (*real_fstat)(int, struct stat *);
static int (*real_fstatat)(int, const char *, struct stat *, int);
static int (*real_xstat)(int, const char *, struct stat *);
static int (*real_lxstat)(int, const char *, struct stat *);
static int (*real_fxstat)(int, int, struct stat *);
static int (*real_fxstatat)(int, int, const char *, struct stat *, int);
static int (*real_statx)(int, const char *, int, unsigned int, struct statx *);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t bound = PTHREAD_ONCE_INIT;
static int fds[MAX_FDS];
static int nfds;
static lua_State *L;
static int lua_failed;
static int reserved_size = 32768;
static int timeout_ticks = 6000;

/* dlsym gives a data pointer; copied into a function pointer as POSIX allows. */
static void find(void *fn, size_t size, const char *name)
{
  void *p = dlsym(RTLD_NEXT, name);
  memcpy(fn, &p, size);
}

static void bind_real(void)
{
  find(&real_open, sizeof real_open, "open");
  find(&real_openat, sizeof real_openat, "openat");
  find(&real_close, sizeof real_close, "close");
  find(&real_ioctl, sizeof real_ioctl, "ioctl");
  find(&real_stat, sizeof real_stat, "stat");
  find(&real_lstat, sizeof real_lstat, "lstat");
  find(&real_fstat, sizeof real_fstat, "fstat");
  find(&real_fstatat, sizeof real_fstatat, "fstatat");
  find(&real_xstat, sizeof real_xstat, "__xstat");
  find(&real_lxstat, sizeof real_lxstat, "__lxstat");
  find(&real_fxstat, sizeof real_fxstat, "__fxstat");
  find(&real_fxstatat, sizeof real_fxstatat, "__fxstatat");
  find(&real_statx, sizeof real_statx, "statx");
}

static void bind(void) { pthread_once(&bound, bind_real); }

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
  const char *path = getenv("CDPERF_EMU_LOG");
  char line[1024];
  va_list ap;
  int n, fd;
  if (path == NULL || *path == '\0')
    return;
  bind();
  va_start(ap, fmt);
  n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n > sizeof line - 2)
    n = (int)sizeof line - 2;
  line[n++] = '\n';
  fd = real_open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return;
  if (write(fd, line, (size_t)n) < 0) { /* nothing to do about it */ }
  real_close(fd);
}

/* ---------------------------------------------------------------- the fake path */
static const char *emu_path(void)
{
  const char *p = getenv("CDPERF_EMU_PATH");
  return p != NULL && *p != '\0' ? p : NULL;
}

static int is_emu_path(const char *path)
{
  const char *p = emu_path();
  return p != NULL && path != NULL && strcmp(p, path) == 0;
}

static int is_emu_fd(int fd)
{
  int i, r = 0;
  pthread_mutex_lock(&lock);
  for (i = 0; i < nfds; i++)
    if (fds[i] == fd) { r = 1; break; }
  pthread_mutex_unlock(&lock);
  return r;
}

static void forget_fd(int fd)
{
  int i;
  pthread_mutex_lock(&lock);
  for (i = 0; i < nfds; i++)
    if (fds[i] == fd) { fds[i] = fds[--nfds]; break; }
  pthread_mutex_unlock(&lock);
}

static unsigned minor_of_path(void)
{
  const char *p = emu_path();
  size_t n = p ? strlen(p) : 0;
  unsigned v = 0, scale = 1;
  while (n > 0 && p[n - 1] >= '0' && p[n - 1] <= '9' && scale <= 100) {
    v += (unsigned)(p[n - 1] - '0') * scale;
    scale *= 10;
    n--;
  }
  return v & 0xFF;
}

static void fake_stat(struct stat *st)
{
  memset(st, 0, sizeof *st);
  st->st_mode = S_IFBLK | 0660;
  st->st_rdev = makedev(SR_MAJOR, minor_of_path());
  st->st_dev = makedev(0, 5);
  st->st_ino = 4242;
  st->st_nlink = 1;
  st->st_gid = 24;   /* cdrom */
  st->st_blksize = 2048;
}

static void fake_statx(struct statx *sx)
{
  memset(sx, 0, sizeof *sx);
  sx->stx_mask = STATX_BASIC_STATS;
  sx->stx_mode = S_IFBLK | 0660;
  sx->stx_rdev_major = SR_MAJOR;
  sx->stx_rdev_minor = minor_of_path();
  sx->stx_dev_minor = 5;
  sx->stx_ino = 4242;
  sx->stx_nlink = 1;
  sx->stx_gid = 24;
  sx->stx_blksize = 2048;
}

/* ---------------------------------------------------------------- the emulator */
/* Loads cdperf.emulator and the model; leaves the emulator at registry key "emu". */
static int lua_setup(void)
{
  const char *lp = getenv("CDPERF_EMU_LUA_PATH");
  const char *model = getenv("CDPERF_EMU_MODEL");
  static const char chunk[] =
    "local path, model = ...\n"
    "if path and path ~= '' then package.path = path .. ';' .. package.path end\n"
    "local emulator = require 'cdperf.emulator'\n"
    "local m, err\n"
    "if model:find('/', 1, true) then m, err = emulator.load(model)\n"
    "else m = emulator.models[model]; err = 'unknown model ' .. model end\n"
    "if not m then error(err, 0) end\n"
    "return emulator.new(m, { write = true })\n";
  if (L != NULL)
    return 1;
  if (lua_failed)
    return 0;
  if (model == NULL || *model == '\0') {
    logf_("LUA no CDPERF_EMU_MODEL");
    lua_failed = 1;
    return 0;
  }
  L = luaL_newstate();
  if (L == NULL) { lua_failed = 1; return 0; }
  luaL_openlibs(L);
  if (luaL_loadbuffer(L, chunk, sizeof chunk - 1, "=emu_shim") != LUA_OK) {
    logf_("LUA load: %s", lua_tostring(L, -1));
    goto fail;
  }
  lua_pushstring(L, lp != NULL ? lp : "");
  lua_pushstring(L, model);
  if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
    logf_("LUA setup: %s", lua_tostring(L, -1));
    fprintf(stderr, "emu_shim: %s\n", lua_tostring(L, -1));
    goto fail;
  }
  lua_setfield(L, LUA_REGISTRYINDEX, "cdperf_emu");
  logf_("LUA model %s loaded", model);
  return 1;
fail:
  lua_close(L);
  L = NULL;
  lua_failed = 1;
  return 0;
}

static void hex(char *out, size_t outlen, const unsigned char *p, size_t n)
{
  size_t i, o = 0;
  out[0] = '\0';
  for (i = 0; i < n && o + 3 < outlen; i++)
    o += (size_t)snprintf(out + o, outlen - o, "%02X", p[i]);
}

static void set_sense(sg_io_hdr_t *io, const unsigned char *sense, size_t n)
{
  size_t k = n < io->mx_sb_len ? n : io->mx_sb_len;
  io->status = 0x02;          /* CHECK CONDITION */
  io->masked_status = 0x01;   /* CHECK_CONDITION >> 1 */
  io->driver_status = 0x08;   /* DRIVER_SENSE */
  io->info |= SG_INFO_CHECK;
  if (io->sbp != NULL && k > 0) {
    memcpy(io->sbp, sense, k);
    io->sb_len_wr = (unsigned char)k;
  }
}

static int do_sg_io(sg_io_hdr_t *io)
{
  static const unsigned char invalid_field[18] = { 0x70, 0, 5, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x24 };
  const char *dir;
  char cdbhex[40 + 6 + 2 * 64 + 1];
  size_t len;
  const char *data;
  int top;
  struct timeval t0, t1;

  if (io->interface_id != 'S') { errno = ENOSYS; return -1; }
  if (io->cmdp == NULL || io->cmd_len < 6 || io->cmd_len > 16) { errno = EINVAL; return -1; }
  if (io->iovec_count != 0) { errno = EINVAL; logf_("SG_IO iovec_count %d refused", io->iovec_count); return -1; }
  if (io->dxfer_len > 0 && io->dxferp == NULL) { errno = EFAULT; return -1; }
  gettimeofday(&t0, NULL);
  io->status = io->masked_status = io->msg_status = 0;
  io->sb_len_wr = 0;
  io->host_status = io->driver_status = 0;
  io->info = 0;
  io->resid = (int)io->dxfer_len;
  hex(cdbhex, sizeof cdbhex, io->cmdp, io->cmd_len);

  switch (io->dxfer_direction) {
  case SG_DXFER_FROM_DEV: case SG_DXFER_TO_FROM_DEV: dir = "in"; break;
  case SG_DXFER_TO_DEV: dir = "out"; break;
  default: dir = "none"; break;
  }
  if (io->dxfer_len == 0 && io->dxfer_direction != SG_DXFER_TO_DEV)
    dir = "none";
  if (strcmp(dir, "out") == 0 && io->dxfer_len > 0) {
    /* the parameter bytes too (the first 64), so a refused MODE SELECT shows what it sent */
    size_t o = strlen(cdbhex);
    memcpy(cdbhex + o, " data ", 6);
    hex(cdbhex + o + 6, sizeof cdbhex - o - 6, io->dxferp, io->dxfer_len < 64 ? io->dxfer_len : 64);
  }

  pthread_mutex_lock(&lock);
  if (!lua_setup()) {
    pthread_mutex_unlock(&lock);
    errno = EIO;
    return -1;
  }
  top = lua_gettop(L);
  lua_getfield(L, LUA_REGISTRYINDEX, "cdperf_emu");
  lua_pushlstring(L, (const char *)io->cmdp, io->cmd_len);
  if (strcmp(dir, "in") == 0) {
    lua_pushstring(L, "in");
    lua_pushinteger(L, (lua_Integer)io->dxfer_len);
  } else if (strcmp(dir, "out") == 0) {
    lua_pushstring(L, "out");
    lua_pushlstring(L, (const char *)io->dxferp, io->dxfer_len);
  } else {
    lua_pushstring(L, "none");
    lua_pushnil(L);
  }
  /* emu(cdb, direction, arg): the emulator object is callable */
  if (lua_pcall(L, 3, 2, 0) != LUA_OK) {
    /* misuse in the emulator's eyes (e.g. a direction the opcode does not move data
       in): answered as a drive would a CDB it cannot make sense of, and logged */
    logf_("SG_IO %s %s %u -> RAISED %s", cdbhex, dir, io->dxfer_len, lua_tostring(L, -1));
    lua_settop(L, top);
    pthread_mutex_unlock(&lock);
    set_sense(io, invalid_field, sizeof invalid_field);
    return 0;
  }
  if (lua_type(L, -2) == LUA_TSTRING) {
    data = lua_tolstring(L, -2, &len);
    if (strcmp(dir, "in") == 0) {
      size_t k = len < io->dxfer_len ? len : io->dxfer_len;
      if (k > 0)
        memcpy(io->dxferp, data, k);
      io->resid = (int)(io->dxfer_len - k);
      logf_("SG_IO %s %s %u -> ok %zu", cdbhex, dir, io->dxfer_len, k);
    } else {
      io->resid = 0;
      logf_("SG_IO %s %s %u -> ok", cdbhex, dir, io->dxfer_len);
    }
  } else {
    size_t slen = 0;
    const char *sense = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &slen) : NULL;
    if (sense == NULL) { sense = (const char *)invalid_field; slen = sizeof invalid_field; }
    set_sense(io, (const unsigned char *)sense, slen);
    logf_("SG_IO %s %s %u -> sense %02X/%02X/%02X", cdbhex, dir, io->dxfer_len,
          slen > 2 ? (unsigned char)sense[2] & 0x0F : 0, slen > 12 ? (unsigned char)sense[12] : 0,
          slen > 13 ? (unsigned char)sense[13] : 0);
  }
  lua_settop(L, top);
  pthread_mutex_unlock(&lock);
  gettimeofday(&t1, NULL);
  io->duration = (unsigned)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000);
  return 0;
}

/* the medium's state for CDROM_DRIVE_STATUS: asks TEST UNIT READY */
static int drive_status(void)
{
  unsigned char cdb[6] = { 0 }, sense[32];
  sg_io_hdr_t io;
  memset(&io, 0, sizeof io);
  io.interface_id = 'S';
  io.cmd_len = 6;
  io.cmdp = cdb;
  io.dxfer_direction = SG_DXFER_NONE;
  io.mx_sb_len = sizeof sense;
  io.sbp = sense;
  if (do_sg_io(&io) != 0)
    return CDS_DRIVE_NOT_READY;
  if (io.status == 0)
    return CDS_DISC_OK;
  return io.sb_len_wr > 12 && sense[12] == 0x3A ? CDS_NO_DISC : CDS_DRIVE_NOT_READY;
}

static int emu_ioctl(int fd, unsigned long request, void *arg)
{
  switch (request) {
  case SG_IO:
    if (arg == NULL) { errno = EFAULT; return -1; }
    return do_sg_io(arg);
  case SG_GET_VERSION_NUM:
    if (arg == NULL) { errno = EFAULT; return -1; }
    *(int *)arg = 30527;
    return 0;
  case SCSI_IOCTL_GET_IDLUN: {
    int v[2];
    if (arg == NULL) { errno = EFAULT; return -1; }
    v[0] = 0;   /* target 0, lun 0, channel 0, host 0 */
    v[1] = 1;   /* host unique id */
    memcpy(arg, v, sizeof v);
    return 0;
  }
  case SCSI_IOCTL_GET_BUS_NUMBER:
    if (arg == NULL) { errno = EFAULT; return -1; }
    *(int *)arg = 0;
    return 0;
  case SG_GET_SCSI_ID: {
    struct sg_scsi_id id;
    if (arg == NULL) { errno = EFAULT; return -1; }
    memset(&id, 0, sizeof id);
    id.scsi_type = TYPE_ROM;
    id.h_cmd_per_lun = 1;
    id.d_queue_depth = 1;
    memcpy(arg, &id, sizeof id);
    return 0;
  }
  case SG_EMULATED_HOST:
    if (arg == NULL) { errno = EFAULT; return -1; }
    *(int *)arg = 0;
    return 0;
  case SG_GET_RESERVED_SIZE:
    if (arg == NULL) { errno = EFAULT; return -1; }
    *(int *)arg = reserved_size;
    return 0;
  case SG_SET_RESERVED_SIZE:
    if (arg == NULL) { errno = EFAULT; return -1; }
    reserved_size = *(int *)arg;
    return 0;
  case SG_GET_TIMEOUT:
    return timeout_ticks;
  case SG_SET_TIMEOUT:
    if (arg == NULL) { errno = EFAULT; return -1; }
    timeout_ticks = *(int *)arg;
    return 0;
  case CDROM_DRIVE_STATUS:
    return drive_status();
  case CDROM_GET_CAPABILITY:
    return CDC_CLOSE_TRAY | CDC_OPEN_TRAY | CDC_LOCK | CDC_SELECT_SPEED | CDC_MEDIA_CHANGED
      | CDC_GENERIC_PACKET | CDC_CD_R | CDC_CD_RW | CDC_DVD | CDC_DVD_R | CDC_DVD_RAM;
  case CDROM_MEDIA_CHANGED:
    return 0;
  case CDROM_LOCKDOOR:
    return 0;
  default:
    logf_("IOCTL fd %d 0x%lx -> ENOTTY", fd, request);
    errno = ENOTTY;
    return -1;
  }
}

/* ---------------------------------------------------------------- wrapped calls */
static int emu_open(const char *path, int flags)
{
  int fd;
  bind();
  fd = real_open("/dev/null", (flags & O_CLOEXEC) | O_RDWR);
  logf_("OPEN %s flags 0x%x -> fd %d", path, (unsigned)flags, fd);
  if (fd < 0)
    return fd;
  pthread_mutex_lock(&lock);
  if (nfds < MAX_FDS) {
    fds[nfds++] = fd;
  } else {
    pthread_mutex_unlock(&lock);
    real_close(fd);
    errno = EMFILE;
    return -1;
  }
  pthread_mutex_unlock(&lock);
  return fd;
}

static mode_t mode_arg(int flags, va_list ap)
{
  if (flags & (O_CREAT | O_TMPFILE))
    return (mode_t)va_arg(ap, int);
  return 0;
}

int open(const char *path, int flags, ...);
int open64(const char *path, int flags, ...);
int openat(int dirfd, const char *path, int flags, ...);
int openat64(int dirfd, const char *path, int flags, ...);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int close(int fd);
int ioctl(int fd, unsigned long request, ...);
int stat(const char *path, struct stat *st);
int stat64(const char *path, struct stat64 *st);
int lstat(const char *path, struct stat *st);
int lstat64(const char *path, struct stat64 *st);
int fstat(int fd, struct stat *st);
int fstat64(int fd, struct stat64 *st);
int fstatat(int dirfd, const char *path, struct stat *st, int flags);
int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags);
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstat(int ver, int fd, struct stat *st);
int __fxstat64(int ver, int fd, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);
int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *sx);

int open(const char *path, int flags, ...)
{
  va_list ap;
  mode_t mode;
  va_start(ap, flags);
  mode = mode_arg(flags, ap);
  va_end(ap);
  if (is_emu_path(path))
    return emu_open(path, flags);
  bind();
  return real_open(path, flags, mode);
}

/* the 64 variants are the same calls on the 64-bit ABIs this runs on (as stat64 below) */
int open64(const char *path, int flags, ...)
{
  va_list ap;
  mode_t mode;
  va_start(ap, flags);
  mode = mode_arg(flags, ap);
  va_end(ap);
  return open(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
  va_list ap;
  mode_t mode;
  va_start(ap, flags);
  mode = mode_arg(flags, ap);
  va_end(ap);
  if (is_emu_path(path))
    return emu_open(path, flags);
  bind();
  return real_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
  va_list ap;
  mode_t mode;
  va_start(ap, flags);
  mode = mode_arg(flags, ap);
  va_end(ap);
  return openat(dirfd, path, flags, mode);
}

int __open_2(const char *path, int flags)
{
  if (is_emu_path(path))
    return emu_open(path, flags);
  bind();
  return real_open(path, flags, 0);
}

int __open64_2(const char *path, int flags)
{
  return __open_2(path, flags);
}

int close(int fd)
{
  bind();
  if (is_emu_fd(fd)) {
    logf_("CLOSE fd %d", fd);
    forget_fd(fd);
  }
  return real_close(fd);
}

int ioctl(int fd, unsigned long request, ...)
{
  va_list ap;
  void *arg;
  va_start(ap, request);
  arg = va_arg(ap, void *);
  va_end(ap);
  bind();
  if (is_emu_fd(fd))
    return emu_ioctl(fd, request, arg);
  return real_ioctl(fd, request, arg);
}

/* stat and friends: struct stat64 is struct stat on the 64-bit ABIs this runs on */
#define STAT_PATH(path, st, call) \
  do { if (is_emu_path(path)) { fake_stat((struct stat *)(void *)(st)); return 0; } \
       bind(); return call; } while (0)
#define STAT_FD(fd, st, call) \
  do { bind(); if (is_emu_fd(fd)) { fake_stat((struct stat *)(void *)(st)); return 0; } \
       return call; } while (0)

int stat(const char *path, struct stat *st) { STAT_PATH(path, st, real_stat(path, st)); }
int stat64(const char *path, struct stat64 *st)
{ STAT_PATH(path, st, real_stat(path, (struct stat *)(void *)st)); }
int lstat(const char *path, struct stat *st) { STAT_PATH(path, st, real_lstat(path, st)); }
int lstat64(const char *path, struct stat64 *st)
{ STAT_PATH(path, st, real_lstat(path, (struct stat *)(void *)st)); }
int fstat(int fd, struct stat *st) { STAT_FD(fd, st, real_fstat(fd, st)); }
int fstat64(int fd, struct stat64 *st) { STAT_FD(fd, st, real_fstat(fd, (struct stat *)(void *)st)); }

static int at_emu(int dirfd, const char *path, int flags)
{
  if (path != NULL && *path == '\0' && (flags & AT_EMPTY_PATH))
    return is_emu_fd(dirfd);
  return is_emu_path(path);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
  if (at_emu(dirfd, path, flags)) { fake_stat(st); return 0; }
  bind();
  return real_fstatat(dirfd, path, st, flags);
}
int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
  return fstatat(dirfd, path, (struct stat *)(void *)st, flags);
}
int __xstat(int ver, const char *path, struct stat *st)
{ STAT_PATH(path, st, real_xstat ? real_xstat(ver, path, st) : real_stat(path, st)); }
int __xstat64(int ver, const char *path, struct stat64 *st)
{ return __xstat(ver, path, (struct stat *)(void *)st); }
int __lxstat(int ver, const char *path, struct stat *st)
{ STAT_PATH(path, st, real_lxstat ? real_lxstat(ver, path, st) : real_lstat(path, st)); }
int __lxstat64(int ver, const char *path, struct stat64 *st)
{ return __lxstat(ver, path, (struct stat *)(void *)st); }
int __fxstat(int ver, int fd, struct stat *st)
{ STAT_FD(fd, st, real_fxstat ? real_fxstat(ver, fd, st) : real_fstat(fd, st)); }
int __fxstat64(int ver, int fd, struct stat64 *st)
{ return __fxstat(ver, fd, (struct stat *)(void *)st); }
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
  if (at_emu(dirfd, path, flags)) { fake_stat(st); return 0; }
  bind();
  return real_fxstatat ? real_fxstatat(ver, dirfd, path, st, flags) : real_fstatat(dirfd, path, st, flags);
}
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags)
{ return __fxstatat(ver, dirfd, path, (struct stat *)(void *)st, flags); }

int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *sx)
{
  if (at_emu(dirfd, path, flags)) { fake_statx(sx); return 0; }
  bind();
  return real_statx(dirfd, path, flags, mask, sx);
}
