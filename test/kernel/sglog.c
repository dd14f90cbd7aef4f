/* test/kernel/sglog.c: an LD_PRELOAD logger of SG_IO, for the burn test in the QEMU
 * guest (test/kernel/burn.lua).  It records what a burner (growisofs, xorriso, wodim)
 * sends a drive independently of cdperf: every ioctl(fd, SG_IO, hdr) the program makes
 * is passed on unchanged, then appended as one line to the file $SGLOG_FILE:
 *
 *   sglog comm=NAME pid=N dev=PATH cdb=HEX dir=D len=N status=S host=H driver=D
 *         sense=HEX out=HEX
 *
 * (one line; out = the first 64 bytes the program sent with the command, for SET
 * STREAMING its performance descriptor).  Only SG_IO is looked at; the old sg
 * read()/write() interface is not (the burners use SG_IO on /dev/srN).  Without
 * $SGLOG_FILE nothing is written.  Built by mk/burn.mk into build/sglog.so.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <scsi/sg.h>
#include <sys/ioctl.h>

typedef int (*ioctl_fn)(int, unsigned long, ...);

#define LINE_MAX_BYTES 2048
#define OUT_BYTES 64

static size_t hex(char *dst, size_t room, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i, w = 0;

	for (i = 0; i < n && w + 3 < room; i++) {
		dst[w++] = digits[p[i] >> 4];
		dst[w++] = digits[p[i] & 15];
	}
	dst[w] = '\0';
	return w;
}

static void log_sg_io(int fd, const sg_io_hdr_t *h, int rc)
{
	const char *path = getenv("SGLOG_FILE");
	char line[LINE_MAX_BYTES], dev[256], comm[64], link[64];
	char cdb[80], sense[160], out[2 * OUT_BYTES + 4];
	ssize_t n;
	int log_fd, len;
	FILE *f;

	if (path == NULL || *path == '\0' || h == NULL || h->interface_id != 'S')
		return;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, dev, sizeof dev - 1);
	dev[n > 0 ? n : 0] = '\0';
	comm[0] = '\0';
	f = fopen("/proc/self/comm", "r");
	if (f != NULL) {
		if (fgets(comm, sizeof comm, f) == NULL)
			comm[0] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	hex(cdb, sizeof cdb, h->cmdp, h->cmdp ? h->cmd_len : 0);
	hex(sense, sizeof sense, h->sbp, h->sbp ? h->sb_len_wr : 0);
	out[0] = '\0';
	if (h->dxfer_direction == SG_DXFER_TO_DEV && h->iovec_count == 0 && h->dxferp != NULL)
		hex(out, sizeof out, h->dxferp, h->dxfer_len < OUT_BYTES ? h->dxfer_len : OUT_BYTES);
	len = snprintf(line, sizeof line,
		"sglog comm=%s pid=%d dev=%s cdb=%s dir=%d len=%u status=%u host=%u driver=%u"
		" sense=%s out=%s rc=%d\n",
		comm[0] ? comm : "?", (int)getpid(), dev[0] ? dev : "?", cdb, h->dxfer_direction,
		h->dxfer_len, h->status, h->host_status, h->driver_status, sense, out, rc);
	if (len <= 0)
		return;
	if ((size_t)len >= sizeof line)
		len = (int)sizeof line - 1;
	log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (log_fd < 0)
		return;
	if (write(log_fd, line, (size_t)len) < 0) {
		/* nothing to do: the log is best effort, the command went through */
	}
	close(log_fd);
}

int ioctl(int fd, unsigned long request, ...)
{
	static ioctl_fn real;
	va_list ap;
	void *arg;
	int rc, saved;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (real == NULL) {
		void *sym = dlsym(RTLD_NEXT, "ioctl");
		memcpy(&real, &sym, sizeof real);
		if (real == NULL) {
			errno = ENOSYS;
			return -1;
		}
	}
	rc = real(fd, request, arg);
	if (request == SG_IO) {
		saved = errno;
		log_sg_io(fd, (const sg_io_hdr_t *)arg, rc);
		errno = saved;
	}
	return rc;
}
