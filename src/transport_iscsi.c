/*
 * transport_iscsi.c - drives exported over iSCSI, through libiscsi.
 *
 * Devices are named iscsi://[user[%password]@]host[:port]/target-iqn/lun
 * (libiscsi's own URL syntax; ':' in the iqn may be written as is or as %3A).
 * Compiled only when CDPERF_HAVE_ISCSI is defined (pkg-config libiscsi).
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
 * The clock is CLOCK_MONOTONIC when <time.h> declares it (the translation
 * unit defines _POSIX_C_SOURCE >= 199309L before its first include);
 * otherwise time(), to the second.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/socket.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "transport.h"

#define CDPERF_ISCSI_INITIATOR "iqn.2026-11.org.cdperf:initiator"

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
  struct iscsi_wait *w = private_data;
  (void)ctx;
  if (w == NULL)
    return;
  w->status = status;
  w->done = 1;
  /* For SCSI commands command_data is the task; for connect/logout, NULL. */
  if (w->task != NULL && command_data != NULL)
    w->task = command_data;
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

  if (t->timeout_ms == 0)
    t->timeout_ms = CDPERF_DEFAULT_TIMEOUT_MS;

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
  if (xfer_len > 0 && cmd->data == NULL) {
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
  out.data = cmd->data;
  iscsi_set_timeout(it->ctx, iscsi_timeout_s(t->timeout_ms));
  if (iscsi_scsi_command_async(it->ctx, it->lun, task, iscsi_wait_cb,
                               xfer_dir == SCSI_XFER_WRITE ? &out : NULL, &w) != 0) {
    iscsi_error_from(err, it->ctx, 0, "command", "send");
    scsi_free_scsi_task(task);
    return -1;
  }

  r = iscsi_run_until(it->ctx, &w, iscsi_now_ms() + (long long)t->timeout_ms, NULL);
  if (r != 0) {
    if (!w.done)
      iscsi_scsi_cancel_task(it->ctx, task);   /* runs our callback: CANCELLED */
    if (r > 0)
      cdperf_error_set(err, CDPERF_ERR_ISCSI, SCSI_STATUS_TIMEOUT,
                       "iSCSI command 0x%02X timed out after %u ms on %s LUN %d; session dropped",
                       (unsigned)cmd->cdb[0], t->timeout_ms, it->target, it->lun);
    else
      iscsi_error_from(err, it->ctx, SCSI_STATUS_ERROR, "connection", "to the target");
    iscsi_drop(it);
    scsi_free_scsi_task(task);
    return -1;
  }

  if (w.status == SCSI_STATUS_TIMEOUT) {
    /* libiscsi's own timeout (whole seconds) fired before our deadline. */
    cdperf_error_set(err, CDPERF_ERR_ISCSI, w.status,
                     "iSCSI command 0x%02X timed out after %u ms on %s LUN %d; session dropped",
                     (unsigned)cmd->cdb[0], t->timeout_ms, it->target, it->lun);
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
                     "iSCSI command 0x%02X to %s on %s LUN %d did not complete: %s",
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

static void transport_iscsi_close(struct cdperf_transport *t)
{
  struct iscsi_transport *it = (struct iscsi_transport *)t;
  if (it == NULL)
    return;
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
}

static const struct cdperf_transport_ops transport_iscsi_ops = {
  "iscsi", transport_iscsi_exec, NULL, NULL, NULL, transport_iscsi_close
};

static int transport_iscsi_open(const char *url, int write, unsigned timeout_ms,
                                struct cdperf_transport **out, struct cdperf_error *err)
{
  struct iscsi_transport *it;
  struct iscsi_url *u;
  int r, sock_err = 0;
  char line[200];

  *out = NULL;
  if (timeout_ms == 0)
    timeout_ms = CDPERF_DEFAULT_TIMEOUT_MS;
  it = calloc(1, sizeof *it);
  if (it == NULL) {
    cdperf_error_set(err, CDPERF_ERR_OS, ENOMEM, "iSCSI: out of memory");
    return -1;
  }
  it->base.ops = &transport_iscsi_ops;
  it->base.timeout_ms = timeout_ms;
  it->base.writable = write;

  it->ctx = iscsi_create_context(CDPERF_ISCSI_INITIATOR);
  if (it->ctx == NULL) {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, 0, "iSCSI: could not create a libiscsi context");
    free(it);
    return -1;
  }
  u = iscsi_parse_full_url(it->ctx, url);
  if (u == NULL) {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, 0,
                     "bad iSCSI device '%s' (expected iscsi://host[:port]/target-iqn/lun): %s",
                     url, iscsi_error_line(it->ctx, line, sizeof line, 1));
    transport_iscsi_close(&it->base);
    return -1;
  }
  snprintf(it->portal, sizeof it->portal, "%s", u->portal);
  snprintf(it->target, sizeof it->target, "%s", u->target);
  it->lun = u->lun;

  r = iscsi_set_targetname(it->ctx, u->target) != 0 ||
      iscsi_set_session_type(it->ctx, ISCSI_SESSION_NORMAL) != 0 ||
      iscsi_set_header_digest(it->ctx, ISCSI_HEADER_DIGEST_NONE_CRC32C) != 0 ||
      (u->user[0] != '\0' &&
       iscsi_set_initiator_username_pwd(it->ctx, u->user, u->passwd) != 0) ||
      (u->target_user[0] != '\0' &&
       iscsi_set_target_username_pwd(it->ctx, u->target_user, u->target_passwd) != 0);
  iscsi_destroy_url(u);
  if (r) {
    iscsi_error_from(err, it->ctx, 0, "session set-up for", it->target);
    transport_iscsi_close(&it->base);
    return -1;
  }
  iscsi_set_timeout(it->ctx, iscsi_timeout_s(timeout_ms));

  if (iscsi_full_connect_async(it->ctx, it->portal, it->lun, iscsi_wait_cb,
                               &it->connect_wait) != 0) {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, 0, "iSCSI connect to %s (target %s, LUN %d) failed: %s",
                     it->portal, it->target, it->lun, iscsi_error_line(it->ctx, line, sizeof line, 0));
    transport_iscsi_close(&it->base);
    return -1;
  }
  r = iscsi_run_until(it->ctx, &it->connect_wait, iscsi_now_ms() + (long long)timeout_ms,
                      &sock_err);
  if (r > 0) {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, SCSI_STATUS_TIMEOUT,
                     "iSCSI connect to %s (target %s, LUN %d) timed out after %u ms",
                     it->portal, it->target, it->lun, timeout_ms);
    transport_iscsi_close(&it->base);
    return -1;
  }
  if (sock_err != 0) {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, sock_err, "iSCSI connect to %s (target %s, LUN %d) failed: %s",
                     it->portal, it->target, it->lun, strerror(sock_err));
    transport_iscsi_close(&it->base);
    return -1;
  }
  if (r < 0 || it->connect_wait.status != SCSI_STATUS_GOOD) {
    cdperf_error_set(err, CDPERF_ERR_ISCSI, r < 0 ? SCSI_STATUS_ERROR : it->connect_wait.status,
                     "iSCSI login to %s (target %s, LUN %d) failed: %s", it->portal, it->target,
                     it->lun, iscsi_error_line(it->ctx, line, sizeof line, 0));
    transport_iscsi_close(&it->base);
    return -1;
  }
  /* From now on a dropped connection must fail the command, not reconnect
   * behind our back (libiscsi retries forever by default). Set only after the
   * login: before it, the option garbles connect errors. */
  iscsi_set_noautoreconnect(it->ctx, 1);
  it->logged_in = 1;
  *out = &it->base;
  return 0;
}
