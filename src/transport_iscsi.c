/*
 * transport_iscsi.c - drives exported over iSCSI, through libiscsi.
 *
 * Devices are named iscsi://[user[%password]@]host[:port]/target-iqn/lun
 * (libiscsi's own URL syntax; ':' in the iqn may be written as is or as %3A).
 * The build compiles this file when libiscsi is there (pkg-config libiscsi; the
 * rockspec's switch), else iscsi_none.c.
 *
 * CHAP credentials come from the name (user info, target_user and target_password
 * arguments), else a credentials file (key = value lines, mode 600), else libiscsi's
 * LIBISCSI_CHAP_* variables. libiscsi gets the name without them and the credentials
 * through its API, so none of its error texts can quote a password; messages show the
 * display name (cdperf_display_name) and are scrubbed of the passwords all the same.
 * Our copies of the passwords are wiped once libiscsi has its own (which it wipes
 * when the context is destroyed).
 *
 * This file drives libiscsi's asynchronous API with its own poll loop and a
 * deadline of timeout_ms for connect+login, every command and logout, rather
 * than the *_sync calls: libiscsi's own timeout (also set) counts whole
 * seconds, and the event loop of some libiscsi versions' *_sync calls skips
 * iscsi_service() when poll() times out, so their timeouts depend on the
 * version (1.19 does time out). The own loop also reads the socket error that
 * libiscsi hides (a refused connection is reported as "Can not reconnect right
 * now"). A command that times out is cancelled locally and the session is
 * dropped: the target may still answer it, and a reused session could not
 * tell that late answer from the next command's. Later commands fail cleanly.
 *
 * cdperf_error codes: ISCSI errors carry libiscsi's SCSI_STATUS_* value
 * (0x0f000000 cancelled, 0x0f000001 error, 0x0f000002 timeout), or the errno
 * of the socket for a failed connect (111 ECONNREFUSED), or 0.
 *
 * The clock is CLOCK_MONOTONIC when <time.h> declares it (_POSIX_C_SOURCE >=
 * 199309L, set here unless the build did); otherwise time(), to the second.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "name.h"
#include "transport.h"

#define CDPERF_ISCSI_INITIATOR "iqn.2026-11.org.cdperf:initiator"

const int cdperf_have_iscsi = 1;

/* One outstanding asynchronous request. */
struct iscsi_wait {
  int done;
  int status;
  struct scsi_task *task;
};

struct iscsi_transport {
  struct cdperf_transport base;
  struct iscsi_context *ctx;
  int lun;
  int logged_in;
  int broken;                 /* session dropped after a timeout or socket error */
  char portal[300];
  char target[300];
  /* libiscsi may call the connect callback a second time when the session is
   * torn down later, so its state lives as long as the context does. */
  struct iscsi_wait connect_wait;
};

static long long iscsi_now_ms(void)
{
#if defined(CLOCK_MONOTONIC)
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
#endif
  return (long long)time(NULL) * 1000;
}

/* libiscsi's timeout is in whole seconds (0 = none): round up. */
static int iscsi_timeout_s(unsigned timeout_ms)
{
  unsigned s = timeout_ms / 1000u + (timeout_ms % 1000u != 0);
  return s > (unsigned)INT_MAX ? INT_MAX : (int)s;
}

static void iscsi_wait_cb(struct iscsi_context *ctx, int status, void *command_data,
                          void *private_data)
{
  struct iscsi_wait *w = (struct iscsi_wait *)private_data;
  (void)ctx;
  if (w == NULL)
    return;
  w->status = status;
  w->done = 1;
  /* For SCSI commands command_data is the task; for connect/logout, NULL. */
  if (w->task != NULL && command_data != NULL)
    w->task = (struct scsi_task *)command_data;
}

/* Service the context until w->done or the deadline. 0 when done;
 * -1 on a socket error (iscsi_get_error() says which); 1 on timeout.
 * *sock_err (when not NULL) gets the socket's pending error, if any: libiscsi
 * reports a refused connection only as "Can not reconnect right now". */
static int iscsi_run_until(struct iscsi_context *ctx, struct iscsi_wait *w, long long deadline,
                           int *sock_err)
{
  while (!w->done) {
    struct pollfd pfd;
    long long left = deadline - iscsi_now_ms();
    int ret, slice;

    if (left <= 0)
      return 1;
    slice = left > 100 ? 100 : (int)left;   /* also lets libiscsi scan its own timeouts */
    pfd.fd = iscsi_get_fd(ctx);
    pfd.events = (short)iscsi_which_events(ctx);
    pfd.revents = 0;
    if (pfd.fd < 0 || pfd.events == 0) {
      /* Nothing to wait for right now (libiscsi asks for >= 100 ms). */
      ret = poll(NULL, 0, slice);
    } else {
      ret = poll(&pfd, 1, slice);
    }
    if (ret < 0)
      continue;   /* EINTR: the deadline still bounds the loop */
    if (sock_err != NULL && ret > 0 && (pfd.revents & (POLLERR | POLLHUP)) != 0) {
      int e = 0;
      socklen_t elen = sizeof e;
      if (getsockopt(pfd.fd, SOL_SOCKET, SO_ERROR, &e, &elen) == 0 && e != 0)
        *sock_err = e;
    }
    if (iscsi_service(ctx, pfd.fd < 0 ? 0 : pfd.revents) < 0)
      return w->done ? 0 : -1;
  }
  return 0;
}

/* libiscsi's last error as one line: newlines and runs of blanks become one
 * space; first_line keeps only the text before the first newline. */
static const char *iscsi_error_line(struct iscsi_context *ctx, char *buf, size_t size,
                                    int first_line)
{
  const char *e = ctx != NULL ? iscsi_get_error(ctx) : NULL;
  size_t n = 0;
  int blank = 1;   /* drops leading blanks too */

  if (size == 0)
    return "";
  for (; e != NULL && *e != '\0' && n + 1 < size; e++) {
    char c = *e;
    if (c == '\n' && first_line && n > 0)
      break;
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      if (blank)
        continue;
      c = ' ';
      blank = 1;
    } else if ((unsigned char)c < 0x20) {
      continue;
    } else {
      blank = 0;
    }
    buf[n++] = c;
  }
  while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '.'))
    n--;
  buf[n] = '\0';
  return n > 0 ? buf : "no details from libiscsi";
}

static void iscsi_error_from(struct cdperf_error *err, struct iscsi_context *ctx, int code,
                             const char *what, const char *where)
{
  char line[200];
  cdperf_error_set(err, CDPERF_ERR_ISCSI, code, "iSCSI %s %s failed: %s", what, where,
                   iscsi_error_line(ctx, line, sizeof line, 0));
}

/* Drop the session (after a timeout or a socket error); later commands fail. */
static void iscsi_drop(struct iscsi_transport *it)
{
  if (!it->broken && it->ctx != NULL)
    iscsi_disconnect(it->ctx);
  it->broken = 1;
  it->logged_in = 0;
}

static int transport_iscsi_exec(struct cdperf_transport *t, struct cdperf_cmd *cmd,
                                struct cdperf_error *err)
{
  struct iscsi_transport *it = (struct iscsi_transport *)t;
  struct iscsi_wait w;
  struct iscsi_data out;
  struct scsi_task *task;
  unsigned char cdb[SCSI_CDB_MAX_SIZE];
  char before[200], line0[200];
  int xfer_dir, r;
  size_t xfer_len = 0;
  unsigned timeout_ms;

  if (t->timeout_ms == 0)
    t->timeout_ms = CDPERF_DEFAULT_TIMEOUT_MS;
  timeout_ms = cmd->timeout_ms != 0 ? cmd->timeout_ms : t->timeout_ms;

  if (it->broken || !it->logged_in) {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, 0,
                     "iSCSI session to %s on %s was dropped (after a timeout or a connection "
                     "error); close and open the drive again", it->target, it->portal);
    return -1;
  }
  if (cmd->cdb == NULL || cmd->cdb_len == 0 || cmd->cdb_len > sizeof cdb) {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, 0, "iSCSI: CDB of %u bytes (expected 1..%u)",
                     (unsigned)cmd->cdb_len, (unsigned)sizeof cdb);
    return -1;
  }
  switch (cmd->dir) {
  case CDPERF_DIR_IN: xfer_dir = SCSI_XFER_READ; xfer_len = cmd->data_len; break;
  case CDPERF_DIR_OUT: xfer_dir = SCSI_XFER_WRITE; xfer_len = cmd->data_len; break;
  default: xfer_dir = SCSI_XFER_NONE; break;
  }
  if (xfer_len > 0 &&
      (cmd->dir == CDPERF_DIR_IN ? (const void *)cmd->data : (const void *)cmd->out) == NULL) {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, 0, "iSCSI: %u-byte transfer without a buffer",
                     (unsigned)xfer_len);
    return -1;
  }
  if (xfer_len > (size_t)INT_MAX) {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, 0, "iSCSI: transfer of %lu bytes is too large",
                     (unsigned long)xfer_len);
    return -1;
  }
  if (xfer_len == 0)
    xfer_dir = SCSI_XFER_NONE;

  memset(cdb, 0, sizeof cdb);
  memcpy(cdb, cmd->cdb, cmd->cdb_len);
  task = scsi_create_task((int)cmd->cdb_len, cdb, xfer_dir, (int)xfer_len);
  if (task == NULL) {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, 0, "iSCSI: out of memory creating a SCSI task");
    return -1;
  }

  /* libiscsi never clears its last error: remember it to spot a new one. */
  snprintf(before, sizeof before, "%s", iscsi_error_line(it->ctx, line0, sizeof line0, 0));
  memset(&w, 0, sizeof w);
  w.task = task;
  out.size = xfer_len;
  out.data = (unsigned char *)(uintptr_t)cmd->out;   /* libiscsi only sends it */
  iscsi_set_timeout(it->ctx, iscsi_timeout_s(timeout_ms));
  if (iscsi_scsi_command_async(it->ctx, it->lun, task, iscsi_wait_cb,
                               xfer_dir == SCSI_XFER_WRITE ? &out : NULL, &w) != 0) {
    iscsi_error_from(err, it->ctx, 0, "command", "send");
    scsi_free_scsi_task(task);
    return -1;
  }

  r = iscsi_run_until(it->ctx, &w, iscsi_now_ms() + (long long)timeout_ms, NULL);
  if (r != 0) {
    if (!w.done)
      iscsi_scsi_cancel_task(it->ctx, task);   /* runs our callback: CANCELLED */
    if (r > 0)
      cdperf_error_set(err, CDPERF_ERR_ISCSI, SCSI_STATUS_TIMEOUT,
                       "iSCSI command 0x%02X timed out after %u ms on %s LUN %d; session dropped "
                       "(close the drive and open it again)",
                       (unsigned)cmd->cdb[0], timeout_ms, it->target, it->lun);
    else
      cdperf_error_set(err, CDPERF_ERR_ISCSI, SCSI_STATUS_ERROR,
                       "iSCSI connection to %s on %s failed: %s; session dropped (close the "
                       "drive and open it again)", it->target, it->portal,
                       iscsi_error_line(it->ctx, before, sizeof before, 0));
    iscsi_drop(it);
    scsi_free_scsi_task(task);
    return -1;
  }

  if (w.status == SCSI_STATUS_TIMEOUT) {
    /* libiscsi's own timeout (whole seconds) fired before our deadline. */
    cdperf_error_set(err, CDPERF_ERR_ISCSI, w.status,
                     "iSCSI command 0x%02X timed out after %u ms on %s LUN %d; session dropped "
                     "(close the drive and open it again)",
                     (unsigned)cmd->cdb[0], timeout_ms, it->target, it->lun);
    iscsi_drop(it);
    scsi_free_scsi_task(task);
    return -1;
  }
  if (w.status == SCSI_STATUS_CANCELLED || w.status == SCSI_STATUS_ERROR) {
    /* Not a SCSI status: the command never completed on the target (the
     * connection went away, or libiscsi gave up on it). */
    char line[200];
    const char *why = iscsi_error_line(it->ctx, line, sizeof line, 0);
    if (strcmp(why, before) == 0)   /* libiscsi left an older, unrelated error */
      why = "libiscsi gave no reason (the connection was probably lost)";
    cdperf_error_set(err, CDPERF_ERR_ISCSI, w.status,
                     "iSCSI command 0x%02X to %s on %s LUN %d did not complete: %s; session "
                     "dropped (close the drive and open it again)",
                     (unsigned)cmd->cdb[0], it->target, it->portal, it->lun, why);
    iscsi_drop(it);
    scsi_free_scsi_task(task);
    return -1;
  }
  if (w.status < 0 || w.status > 0xff) {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, w.status,
                     "iSCSI command 0x%02X: unexpected status 0x%x from libiscsi",
                     (unsigned)cmd->cdb[0], (unsigned)w.status);
    scsi_free_scsi_task(task);
    return -1;
  }
  cmd->status = w.status;

  if (w.status == SCSI_STATUS_CHECK_CONDITION) {
    /* libiscsi keeps the response's data segment in datain: SenseLength
     * (2 bytes, big-endian) then the sense bytes as the target sent them. */
    const unsigned char *d = task->datain.data;
    size_t have = task->datain.size > 0 ? (size_t)task->datain.size : 0, n = 0;
    if (d != NULL && have >= 2) {
      n = ((size_t)d[0] << 8) | d[1];
      if (n > have - 2)
        n = have - 2;
      if (n > sizeof cmd->sense)
        n = sizeof cmd->sense;
      memcpy(cmd->sense, d + 2, n);
    }
    if (n == 0 && task->sense.key != 0) {
      /* No raw bytes: rebuild fixed-format sense from libiscsi's decoding. */
      memset(cmd->sense, 0, sizeof cmd->sense);
      cmd->sense[0] = 0x70;
      cmd->sense[2] = (uint8_t)(task->sense.key & 0x0f);
      cmd->sense[7] = 10;
      cmd->sense[12] = (uint8_t)((task->sense.ascq >> 8) & 0xff);
      cmd->sense[13] = (uint8_t)(task->sense.ascq & 0xff);
      n = 18;
    }
    cmd->sense_len = n;
  } else if (cmd->dir == CDPERF_DIR_IN && xfer_len > 0 && task->datain.data != NULL) {
    size_t n = task->datain.size > 0 ? (size_t)task->datain.size : 0;
    if (n > xfer_len)
      n = xfer_len;
    if (task->residual_status == SCSI_RESIDUAL_UNDERFLOW && task->residual <= xfer_len &&
        xfer_len - task->residual < n)
      n = xfer_len - task->residual;
    memcpy(cmd->data, task->datain.data, n);
    cmd->received = n;
  }
  if (task->residual_status == SCSI_RESIDUAL_UNDERFLOW)
    cmd->resid = task->residual > (size_t)INT_MAX ? INT_MAX : (int)task->residual;
  scsi_free_scsi_task(task);
  return 0;
}

/* A logout that gets no answer is not an error of the close: the socket goes anyway. */
static int transport_iscsi_close(struct cdperf_transport *t, struct cdperf_error *err)
{
  struct iscsi_transport *it = (struct iscsi_transport *)t;
  (void)err;
  if (it == NULL)
    return 0;
  if (it->ctx != NULL) {
    if (it->logged_in && !it->broken) {
      struct iscsi_wait w;
      memset(&w, 0, sizeof w);
      if (iscsi_logout_async(it->ctx, iscsi_wait_cb, &w) == 0 &&
          iscsi_run_until(it->ctx, &w, iscsi_now_ms() + (long long)t->timeout_ms, NULL) != 0 &&
          !w.done)
        iscsi_disconnect(it->ctx);   /* no answer: just drop the socket */
    }
    iscsi_destroy_context(it->ctx);
  }
  free(it);
  return 0;
}

static const struct cdperf_transport_ops transport_iscsi_ops = {
  "iscsi", transport_iscsi_exec, NULL, NULL, NULL, transport_iscsi_close
};

/* ---- CHAP credentials ------------------------------------------------------------------ */

/* Where each credential comes from, first found wins: the device name, the
 * credentials file, then libiscsi's own environment variables. */
struct iscsi_creds {
  char user[MAX_STRING_SIZE + 1];
  char password[MAX_STRING_SIZE + 1];
  char target_user[MAX_STRING_SIZE + 1];
  char target_password[MAX_STRING_SIZE + 1];
};

#define ISCSI_CRED_FILE_MAX 65536

/* memset that the compiler may not drop: the copies of passwords go away. */
static void iscsi_wipe(void *p, size_t n)
{
  volatile unsigned char *v = (volatile unsigned char *)p;
  while (n-- > 0)
    *v++ = 0;
}

/* Copies s[0, n) into a credential field when it is still empty; -1 when too long. */
static int iscsi_cred_fill(char *field, const char *s, size_t n)
{
  if (field[0] != '\0' || n == 0)
    return 0;
  if (n > MAX_STRING_SIZE)
    return -1;
  memcpy(field, s, n);
  field[n] = '\0';
  return 0;
}

static int iscsi_cred_too_long(struct cdperf_error *err, const char *what, const char *where)
{
  cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, 0, "iSCSI %s from %s is longer than %d bytes",
                   what, where, MAX_STRING_SIZE);
  return -1;
}

static const char *const iscsi_cred_keys[] = {
  "user", "password", "target_user", "target_password", NULL
};

static char *iscsi_cred_field(struct iscsi_creds *c, int key)
{
  switch (key) {
  case 0: return c->user;
  case 1: return c->password;
  case 2: return c->target_user;
  default: return c->target_password;
  }
}

/* key = value lines, '#' comments; blanks around keys and values are dropped. Values
 * are never quoted in messages. */
static int iscsi_parse_credentials(const char *file, char *text, size_t size,
                                   struct iscsi_creds *fc, struct cdperf_error *err)
{
  size_t i = 0;
  int line = 0, seen[4] = { 0, 0, 0, 0 };

  while (i < size) {
    size_t b = i, e, eq, ke, vb, ve;
    int key;
    line++;
    while (i < size && text[i] != '\n')
      i++;
    e = i++;                                   /* [b, e) is the line */
    while (b < e && (text[b] == ' ' || text[b] == '\t'))
      b++;
    while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r'))
      e--;
    if (b == e || text[b] == '#')
      continue;
    for (eq = b; eq < e && text[eq] != '='; eq++)
      ;
    if (eq == e) {
      cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, 0,
                       "credentials file %s line %d: expected key = value", file, line);
      return -1;
    }
    for (ke = eq; ke > b && (text[ke - 1] == ' ' || text[ke - 1] == '\t'); ke--)
      ;
    for (vb = eq + 1; vb < e && (text[vb] == ' ' || text[vb] == '\t'); vb++)
      ;
    ve = e;
    for (key = 0; iscsi_cred_keys[key] != NULL; key++)
      if (ke - b == strlen(iscsi_cred_keys[key]) &&
          memcmp(text + b, iscsi_cred_keys[key], ke - b) == 0)
        break;
    if (iscsi_cred_keys[key] == NULL) {
      /* not quoted: a mistyped line may be a password */
      cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, 0,
                       "credentials file %s line %d: unknown key (expected user, password, "
                       "target_user or target_password)", file, line);
      return -1;
    }
    if (seen[key]) {
      cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, 0,
                       "credentials file %s line %d: '%s' is given twice", file, line,
                       iscsi_cred_keys[key]);
      return -1;
    }
    seen[key] = 1;
    if (ve == vb)
      continue;
    if (ve - vb > MAX_STRING_SIZE) {
      cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, 0,
                       "credentials file %s line %d: the %s is longer than %d bytes", file,
                       line, iscsi_cred_keys[key], MAX_STRING_SIZE);
      return -1;
    }
    memcpy(iscsi_cred_field(fc, key), text + vb, ve - vb);
  }
  return 0;
}

/* Reads the credentials file into fc; refuses one that group or others may open. */
static int iscsi_read_credentials(const char *file, struct iscsi_creds *fc,
                                  struct cdperf_error *err)
{
  struct stat st;
  char *text;
  size_t got = 0;
  int fd, rc;

  fd = open(file, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    int e = errno;
    cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, e, "cannot open credentials file %s: %s",
                     file, strerror(e));
    return -1;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, 0,
                     "credentials file %s is not a regular file", file);
    close(fd);
    return -1;
  }
  if ((st.st_mode & 077) != 0) {
    cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, 0,
                     "credentials file %s is %s by group or others (mode 0%o); chmod 600 %s",
                     file, (st.st_mode & 044) != 0 ? "readable"
                           : (st.st_mode & 022) != 0 ? "writable" : "executable",
                     (unsigned)(st.st_mode & 07777), file);
    close(fd);
    return -1;
  }
  if (st.st_size > ISCSI_CRED_FILE_MAX) {
    cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, 0,
                     "credentials file %s is larger than %d bytes", file, ISCSI_CRED_FILE_MAX);
    close(fd);
    return -1;
  }
  text = (char *)malloc(ISCSI_CRED_FILE_MAX + 1);
  if (text == NULL) {
    cdperf_error_set(err, CDPERF_ERR_OS, ENOMEM, "out of memory");
    close(fd);
    return -1;
  }
  /* Up to one byte past the limit, to see a file that grew since fstat. */
  for (;;) {
    ssize_t n = read(fd, text + got, ISCSI_CRED_FILE_MAX + 1 - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int e = errno;
      cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, e, "cannot read credentials file %s: %s",
                       file, strerror(e));
      got = ISCSI_CRED_FILE_MAX + 1;
      rc = -1;
      goto done;
    }
    if (n == 0 || (got += (size_t)n) > ISCSI_CRED_FILE_MAX)
      break;
  }
  if (got > ISCSI_CRED_FILE_MAX) {
    cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, 0,
                     "credentials file %s is larger than %d bytes", file, ISCSI_CRED_FILE_MAX);
    rc = -1;
  } else if (memchr(text, '\0', got) != NULL) {
    cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, 0,
                     "credentials file %s contains a NUL byte", file);
    rc = -1;
  } else {
    rc = iscsi_parse_credentials(file, text, got, fc, err);
  }
done:
  iscsi_wipe(text, got < ISCSI_CRED_FILE_MAX + 1 ? got : ISCSI_CRED_FILE_MAX + 1);
  free(text);
  close(fd);
  return rc;
}

/* Fills c from the device name, the file and the environment, and builds in *bare the
 * URL for libiscsi: the name without its user info and without target_user and
 * target_password, so that libiscsi never holds a password in an error text. */
static int iscsi_gather_credentials(const char *url, const char *display, const char *file,
                                    struct iscsi_creds *c, char **bare,
                                    struct cdperf_error *err)
{
  struct cdperf_name n;
  struct cdperf_name_arg a;
  struct iscsi_creds fc;
  size_t len = strlen(url), pos = 0, at;
  const char *env;
  int first = 1, rc = -1;
  char *b;

  memset(c, 0, sizeof *c);
  memset(&fc, 0, sizeof fc);
  *bare = NULL;
  cdperf_name_split(url, len, &n);
  b = (char *)malloc(len + 1);
  if (b == NULL) {
    cdperf_error_set(err, CDPERF_ERR_OS, ENOMEM, "iSCSI: out of memory");
    return -1;
  }
  memcpy(b, url, n.scheme);
  at = n.scheme;
  memcpy(b + at, url + n.host_off, n.end - n.host_off);
  at += n.end - n.host_off;
  if (n.has_user) {
    if (iscsi_cred_fill(c->user, url + n.scheme, n.user_len) != 0) {
      iscsi_cred_too_long(err, "user", "the device name");
      goto out;
    }
    if (n.has_pass && iscsi_cred_fill(c->password, url + n.pass_off, n.pass_len) != 0) {
      iscsi_cred_too_long(err, "password", "the device name");
      goto out;
    }
  }
  while (cdperf_name_next_arg(url, len, &n, &pos, &a)) {
    int is_tu = cdperf_name_arg_is(url, &a, "target_user");
    int is_tp = cdperf_name_arg_is(url, &a, "target_password");
    if (!a.has_value) {
      /* libiscsi 1.19 crashes on "header_digest" without a value */
      cdperf_error_set(err, CDPERF_ERR_ISCSI, 0,
                       "bad iSCSI device '%s': argument '%.*s' has no value (key=value)",
                       display, (int)(a.key_len > 40 ? 40 : a.key_len), url + a.off);
      goto out;
    }
    if (is_tu || is_tp) {
      /* the last one wins, as in libiscsi */
      char *field = is_tu ? c->target_user : c->target_password;
      if (a.value_len > MAX_STRING_SIZE) {
        iscsi_cred_too_long(err, is_tu ? "target user" : "target password", "the device name");
        goto out;
      }
      memcpy(field, url + a.value_off, a.value_len);
      field[a.value_len] = '\0';
      continue;
    }
    b[at++] = first ? '?' : '&';
    first = 0;
    memcpy(b + at, url + a.off, a.len);
    at += a.len;
  }
  b[at] = '\0';

  if (file != NULL) {
    if (iscsi_read_credentials(file, &fc, err) != 0)
      goto out;
    if (c->user[0] != '\0' && fc.user[0] != '\0' && strcmp(fc.user, c->user) != 0) {
      cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, 0,
                       "credentials file %s is for user '%s' but the device names user '%s'",
                       file, fc.user, c->user);
      goto out;
    }
    if (c->target_user[0] != '\0' && fc.target_user[0] != '\0' &&
        strcmp(fc.target_user, c->target_user) != 0) {
      cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, 0,
                       "credentials file %s is for target user '%s' but the device names "
                       "target user '%s'", file, fc.target_user, c->target_user);
      goto out;
    }
    if (fc.password[0] != '\0' && fc.user[0] == '\0' && c->user[0] == '\0') {
      cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, 0,
                       "credentials file %s has a password but no user, and the device names "
                       "none (iscsi://USER@host/...)", file);
      goto out;
    }
    iscsi_cred_fill(c->user, fc.user, strlen(fc.user));
    iscsi_cred_fill(c->password, fc.password, strlen(fc.password));
    iscsi_cred_fill(c->target_user, fc.target_user, strlen(fc.target_user));
    iscsi_cred_fill(c->target_password, fc.target_password, strlen(fc.target_password));
  }
  /* libiscsi's variables; a password only goes with a user known by now. */
  if ((env = getenv("LIBISCSI_CHAP_USERNAME")) != NULL &&
      iscsi_cred_fill(c->user, env, strlen(env)) != 0) {
    iscsi_cred_too_long(err, "user", "LIBISCSI_CHAP_USERNAME");
    goto out;
  }
  if (c->user[0] != '\0' && (env = getenv("LIBISCSI_CHAP_PASSWORD")) != NULL &&
      iscsi_cred_fill(c->password, env, strlen(env)) != 0) {
    iscsi_cred_too_long(err, "password", "LIBISCSI_CHAP_PASSWORD");
    goto out;
  }
  if (c->user[0] != '\0' && (env = getenv("LIBISCSI_CHAP_TARGET_USERNAME")) != NULL &&
      iscsi_cred_fill(c->target_user, env, strlen(env)) != 0) {
    iscsi_cred_too_long(err, "target user", "LIBISCSI_CHAP_TARGET_USERNAME");
    goto out;
  }
  if (c->target_user[0] != '\0' && (env = getenv("LIBISCSI_CHAP_TARGET_PASSWORD")) != NULL &&
      iscsi_cred_fill(c->target_password, env, strlen(env)) != 0) {
    iscsi_cred_too_long(err, "target password", "LIBISCSI_CHAP_TARGET_PASSWORD");
    goto out;
  }

  if (c->user[0] != '\0' && c->password[0] == '\0') {
    cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, 0,
                     "iSCSI user '%s' has no CHAP password: set LIBISCSI_CHAP_PASSWORD or "
                     "give a credentials file", c->user);
    goto out;
  }
  if (c->target_user[0] != '\0' && c->target_password[0] == '\0') {
    cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, 0,
                     "iSCSI target user '%s' has no password: set "
                     "LIBISCSI_CHAP_TARGET_PASSWORD or give a credentials file", c->target_user);
    goto out;
  }
  if (c->target_password[0] != '\0' && c->target_user[0] == '\0') {
    cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, 0,
                     "iSCSI target password without a target user (target_user)");
    goto out;
  }
  if (c->target_user[0] != '\0' && c->user[0] == '\0') {
    cdperf_error_set(err, CDPERF_ERR_CREDENTIALS, 0,
                     "iSCSI target user '%s' (mutual CHAP) needs an initiator user and "
                     "password too", c->target_user);
    goto out;
  }
  rc = 0;
out:
  iscsi_wipe(&fc, sizeof fc);
  if (rc != 0) {
    iscsi_wipe(c, sizeof *c);
    free(b);
  } else {
    *bare = b;
  }
  return rc;
}

/* libiscsi's text about a URL it could not parse, without the lines that repeat the
 * URL (the message shows the display name) or the syntax (the message has its own). */
static const char *iscsi_parse_reason(struct iscsi_context *ctx, const char *bare, char *buf,
                                      size_t size)
{
  static const char invalid[] = "Invalid URL ", syntax[] = "iSCSI URL must be";
  const char *e = iscsi_get_error(ctx), *nl;
  size_t n = 0, blen = strlen(bare);

  if (size == 0)
    return "";
  for (; e != NULL && *e != '\0'; e = *nl != '\0' ? nl + 1 : nl) {
    size_t l, k, skip = sizeof invalid - 1;
    nl = strchr(e, '\n');
    if (nl == NULL)
      nl = e + strlen(e);
    l = (size_t)(nl - e);
    /* "Invalid URL <the URL, maybe cut short>" */
    if (l > skip && memcmp(e, invalid, skip) == 0 &&
        memcmp(e + skip, bare, l - skip < blen ? l - skip : blen) == 0)
      continue;
    if (l >= sizeof syntax - 1 && memcmp(e, syntax, sizeof syntax - 1) == 0)
      continue;
    while (l > 0 && (e[l - 1] == ' ' || e[l - 1] == '.' || e[l - 1] == '\r'))
      l--;
    if (l == 0)
      continue;
    if (n > 0 && n + 2 < size) {
      buf[n++] = ';';
      buf[n++] = ' ';
    }
    for (k = 0; k < l && n + 1 < size; k++)
      buf[n++] = (unsigned char)e[k] < 0x20 ? ' ' : e[k];
  }
  buf[n] = '\0';
  return n > 0 ? buf : "libiscsi cannot parse it";
}

static void iscsi_set_creds_error(struct cdperf_error *err, const struct iscsi_creds *c)
{
  cdperf_scrub(err->message, sizeof err->message, c->password, strlen(c->password));
  cdperf_scrub(err->message, sizeof err->message, c->target_password,
               strlen(c->target_password));
}

/* A login that failed: say which credentials were refused, by whom, without them. */
static void iscsi_login_error(struct iscsi_transport *it, const struct iscsi_creds *c, int code,
                              struct cdperf_error *err)
{
  char line[200];
  const char *why = iscsi_error_line(it->ctx, line, sizeof line, 0);

  if (strstr(why, "Authentication failure") != NULL) {
    if (c->user[0] != '\0')
      cdperf_error_set(err, CDPERF_ERR_ISCSI, code,
                       "iSCSI login to %s (target %s, LUN %d) failed: the target refused CHAP "
                       "user '%s' (wrong user or password?): %s", it->portal, it->target,
                       it->lun, c->user, why);
    else
      cdperf_error_set(err, CDPERF_ERR_ISCSI, code,
                       "iSCSI login to %s (target %s, LUN %d) failed: the target wants CHAP "
                       "(iscsi://USER@host/..., password from LIBISCSI_CHAP_PASSWORD or a "
                       "credentials file): %s", it->portal, it->target, it->lun, why);
  } else if (strstr(why, "CHAP_R") != NULL && c->target_user[0] != '\0') {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, code,
                     "iSCSI login to %s (target %s, LUN %d) failed: the target did not prove "
                     "it knows the password of target user '%s' (mutual CHAP): %s",
                     it->portal, it->target, it->lun, c->target_user, why);
  } else {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, code, "iSCSI login to %s (target %s, LUN %d) failed: %s",
                     it->portal, it->target, it->lun, why);
  }
  iscsi_set_creds_error(err, c);
}

int cdperf_iscsi_open(const char *url, const char *display, const char *credentials, int write,
                      unsigned timeout_ms, struct cdperf_transport **out,
                      struct cdperf_error *err)
{
  struct iscsi_transport *it;
  struct iscsi_url *u;
  struct iscsi_creds c;
  char *bare = NULL;
  int r, sock_err = 0, rc = -1;
  char line[200];

  *out = NULL;
  if (timeout_ms == 0)
    timeout_ms = CDPERF_DEFAULT_TIMEOUT_MS;
  if (iscsi_gather_credentials(url, display, credentials, &c, &bare, err) != 0)
    return -1;
  it = (struct iscsi_transport *)calloc(1, sizeof *it);
  if (it == NULL) {
    cdperf_error_set(err, CDPERF_ERR_OS, ENOMEM, "iSCSI: out of memory");
    goto done;
  }
  it->base.ops = &transport_iscsi_ops;
  it->base.timeout_ms = timeout_ms;
  it->base.writable = write;

  it->ctx = iscsi_create_context(CDPERF_ISCSI_INITIATOR);
  if (it->ctx == NULL) {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, 0, "iSCSI: could not create a libiscsi context");
    free(it);
    goto done;
  }
  u = iscsi_parse_full_url(it->ctx, bare);
  if (u == NULL) {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, 0,
                     "bad iSCSI device '%s' (expected iscsi://host[:port]/target-iqn/lun): %s",
                     display, iscsi_parse_reason(it->ctx, bare, line, sizeof line));
    goto fail;
  }
  snprintf(it->portal, sizeof it->portal, "%s", u->portal);
  snprintf(it->target, sizeof it->target, "%s", u->target);
  it->lun = u->lun;

  /* Set (or cleared) here in full: libiscsi's parser also reads its variables. */
  r = iscsi_set_targetname(it->ctx, u->target) != 0 ||
      iscsi_set_session_type(it->ctx, ISCSI_SESSION_NORMAL) != 0 ||
      iscsi_set_header_digest(it->ctx, ISCSI_HEADER_DIGEST_NONE_CRC32C) != 0 ||
      iscsi_set_initiator_username_pwd(it->ctx, c.user, c.password) != 0 ||
      iscsi_set_target_username_pwd(it->ctx, c.target_user, c.target_password) != 0;
  iscsi_destroy_url(u);
  if (r) {
    iscsi_error_from(err, it->ctx, 0, "session set-up for", it->target);
    goto fail;
  }
  iscsi_set_timeout(it->ctx, iscsi_timeout_s(timeout_ms));

  if (iscsi_full_connect_async(it->ctx, it->portal, it->lun, iscsi_wait_cb,
                               &it->connect_wait) != 0) {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, 0, "iSCSI connect to %s (target %s, LUN %d) failed: %s",
                     it->portal, it->target, it->lun, iscsi_error_line(it->ctx, line, sizeof line, 0));
    goto fail;
  }
  r = iscsi_run_until(it->ctx, &it->connect_wait, iscsi_now_ms() + (long long)timeout_ms,
                      &sock_err);
  if (r > 0) {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, SCSI_STATUS_TIMEOUT,
                     "iSCSI connect to %s (target %s, LUN %d) timed out after %u ms",
                     it->portal, it->target, it->lun, timeout_ms);
    goto fail;
  }
  if (sock_err != 0) {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, sock_err, "iSCSI connect to %s (target %s, LUN %d) failed: %s",
                     it->portal, it->target, it->lun, strerror(sock_err));
    goto fail;
  }
  if (r < 0 || it->connect_wait.status != SCSI_STATUS_GOOD) {
    iscsi_login_error(it, &c, r < 0 ? SCSI_STATUS_ERROR : it->connect_wait.status, err);
    goto fail;
  }
  /* From now on a dropped connection must fail the command, not reconnect
   * behind our back (libiscsi retries forever by default). Set only after the
   * login: before it, the option garbles connect errors. */
  iscsi_set_noautoreconnect(it->ctx, 1);
  it->logged_in = 1;
  *out = &it->base;
  rc = 0;
  goto done;

fail:
  iscsi_set_creds_error(err, &c);
  transport_iscsi_close(&it->base, err);   /* libiscsi wipes its copy with the context */
done:
  iscsi_wipe(&c, sizeof c);
  free(bare);
  return rc;
}
