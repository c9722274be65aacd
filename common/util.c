/* util.c: allocation that cannot fail silently, checked number parsing,
 * and files written whole or not at all. */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "a0.h"

void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n ? n : 1)) == NULL)
		err(A0_EXIT_IO, "malloc %zu bytes", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n ? n : 1, size ? size : 1)) == NULL)
		err(A0_EXIT_IO, "calloc %zu x %zu bytes", n, size);
	return p;
}

void *
xrealloc(void *old, size_t n)
{
	void *p;

	if ((p = realloc(old, n ? n : 1)) == NULL)
		err(A0_EXIT_IO, "realloc %zu bytes", n);
	return p;
}

char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		err(A0_EXIT_IO, "strdup");
	return p;
}

int
a0_parse_num(const char *s, long long min, long long max, int suffixes,
    long long *out, const char **errstr)
{
	long long v, mul = 1;
	char *end;

	*errstr = "invalid";
	if (s == NULL || *s == '\0' || *s == '-' || *s == '+' ||
	    (*s < '0' || *s > '9'))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE) {
		*errstr = "too large";
		return -1;
	}
	if (suffixes && *end != '\0' && end[1] == '\0') {
		if (*end == 'K' || *end == 'k')
			mul = 1024;
		else if (*end == 'M' || *end == 'm')
			mul = 1024 * 1024;
		else
			return -1;
		end++;
	}
	if (*end != '\0')
		return -1;
	if (v > LLONG_MAX / mul) {
		*errstr = "too large";
		return -1;
	}
	v *= mul;
	if (v < min) {
		*errstr = "too small";
		return -1;
	}
	if (v > max) {
		*errstr = "too large";
		return -1;
	}
	*errstr = NULL;
	*out = v;
	return 0;
}

int
a0_parse_bool(const char *s, int *out)
{
	static const char *yes[] = { "true", "1", "yes", "t", NULL };
	static const char *no[] = { "false", "0", "no", "f", NULL };
	int i;

	for (i = 0; yes[i] != NULL; i++)
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
	for (i = 0; no[i] != NULL; i++)
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	return -1;
}

int
a0_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
a0_tmpfile(const char *path, char **tmp)
{
	size_t n;
	char *t;
	int fd;

	n = strlen(path) + sizeof(".tmp.XXXXXX");
	t = xmalloc(n);
	/* The temporary name starts with the final one, so that it is in
	 * the same directory (rename is atomic) and easy to recognise. */
	memcpy(t, path, strlen(path));
	memcpy(t + strlen(path), ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
	/* mkstemp creates the file with mode 0600. */
	if ((fd = mkstemp(t)) == -1) {
		free(t);
		return -1;
	}
	*tmp = t;
	return fd;
}

/* fsync the directory holding path, so that a rename survives a crash. */
static int
sync_dir(const char *path)
{
	const char *slash;
	char *dir;
	int fd, rc;

	if ((slash = strrchr(path, '/')) == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else {
		dir = xmalloc((size_t)(slash - path) + 1);
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	free(dir);
	if (fd == -1)
		return -1;
	/* Some file systems refuse fsync on a directory: not an error. */
	rc = fsync(fd);
	if (rc == -1 && (errno == EINVAL || errno == EBADF))
		rc = 0;
	close(fd);
	return rc;
}

int
a0_commit(int fd, const char *tmp, const char *path)
{
	int save;

	if (fsync(fd) == -1 && errno != EINVAL) {
		save = errno;
		close(fd);
		errno = save;
		return -1;
	}
	if (close(fd) == -1)
		return -1;
	if (rename(tmp, path) == -1)
		return -1;
	return sync_dir(path);
}

int
a0_open_private(const char *path, int flags)
{
	struct stat st;
	int fd, save;

	if ((fd = open(path, flags | O_CREAT, 0600)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 ||
	    ((st.st_mode & 077) != 0 && fchmod(fd, 0600) == -1)) {
		save = errno;
		close(fd);
		errno = save;
		return -1;
	}
	return fd;
}

int
a0_flush_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		return -1;
	return 0;
}

#ifdef __GLIBC__
/* glibc's name for messages, which err(3) prints. */
extern char *program_invocation_short_name;
#endif

const char *
a0_prog(const char *dflt)
{
	const char *p = getenv("A0_PROGNAME");

	return p != NULL && *p != '\0' && strchr(p, '/') == NULL ? p : dflt;
}

void
a0_progname(void)
{
	const char *p = a0_prog(NULL);

	if (p == NULL)
		return;
#ifdef __GLIBC__
	program_invocation_short_name = (char *)p;
#endif
}

/* Where the last line of the file open for reading at fd ends (after
 * its newline; 0 when there is none), or -1 with errno. */
static off_t
last_newline(int fd, off_t size)
{
	char b[4096];
	off_t end, at;
	ssize_t r;
	size_t n;

	/* Back from the end, a block at a time. */
	for (end = size; end > 0; end = at) {
		n = end > (off_t)sizeof(b) ? sizeof(b) : (size_t)end;
		at = end - (off_t)n;
		if ((r = pread(fd, b, n, at)) == -1) {
			if (errno == EINTR) {
				at = end;
				continue;
			}
			return -1;
		}
		if ((size_t)r != n) {
			errno = EIO;
			return -1;
		}
		while (n > 0 && b[n - 1] != '\n')
			n--;
		if (n > 0)
			return at + (off_t)n;
	}
	return 0;
}

int
a0_cut_torn(int fd, long long *cut)
{
	struct stat st;
	char dev[32];
	off_t end;
	int rfd;

	*cut = 0;
	if (fstat(fd, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		return 0;
	if ((end = last_newline(fd, st.st_size)) == -1) {
		if (errno != EBADF)
			return -1;
		/* Open for writing only (a shell's >>): read the file
		 * through /dev/fd where that opens it anew, as on Linux;
		 * elsewhere it cannot be looked at. */
		snprintf(dev, sizeof(dev), "/dev/fd/%d", fd);
		if ((rfd = open(dev, O_RDONLY)) == -1)
			return 0;
		end = last_newline(rfd, st.st_size);
		close(rfd);
		if (end == -1)
			return errno == EBADF ? 0 : -1;
	}
	if (end == st.st_size)
		return 0;
	if (ftruncate(fd, end) == -1)
		return -1;
	*cut = (long long)(st.st_size - end);
	return 0;
}

double
a0_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}
