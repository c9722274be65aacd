/*
 * a0-chunk: split a stream of user records into files of at most -b bytes
 * (and -n records), each a JSON array of whole records in input order,
 * small enough for one Auth0 import job.  A file appears under its final
 * name only once complete, and its path is printed only then.
 */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "a0.h"

/* The smallest chunk holds one empty record: "[{}]\n". */
#define MIN_CHUNK	5
#define MAX_CHUNK	(1024LL * 1024 * 1024)

static int zflag, kflag;
static long long bflag = A0_CHUNK_MAX;
static long long nflag;			/* 0: no limit */
static const char *dflag, *pflag = "chunk-";

/* Where chunk files go: "DIR/PREFIX", and the path being written. */
static char *base, *path;
static size_t pathsz;
static unsigned long long nchunks;

static const struct a0_opt opts[] = {
	{ '0', A0_ARG_NONE, "null", NULL,
	    "end each path with a NUL (default: a newline)" },
	{ 'k', A0_ARG_NONE, "keep", NULL,
	    "keep the blanks inside records (default: removed)" },
	{ 'b', A0_ARG_REQUIRED, "bytes", "bytes",
	    "largest chunk, K or M suffix (default: 509952)" },
	{ 'n', A0_ARG_REQUIRED, "count", "count",
	    "most records a chunk (default: no limit)" },
	{ 'd', A0_ARG_REQUIRED, "directory", "dir",
	    "where chunks go, made if missing (default: .)" },
	{ 'p', A0_ARG_REQUIRED, "prefix", "prefix",
	    "start of chunk names (default: chunk-)" },
	{ 0, A0_ARG_NONE, NULL, NULL, NULL }
};

static const struct a0_tool tool = {
	"a0-chunk", "[-0k] [-b bytes] [-n count] [-d dir] [-p prefix] [file]",
	opts
};

/* Create the -d directory when it is missing (mode 0700: chunks hold
 * users); an existing one is used as it is. */
static void
make_dir(void)
{
	struct stat st;

	if (dflag == NULL || stat(dflag, &st) == 0)
		return;
	if (mkdir(dflag, 0700) == -1 && errno != EEXIST)
		err(A0_EXIT_IO, "%s", dflag);
}

/*
 * Write buf[0..len) as the next chunk file: under a temporary name, then
 * renamed.  Signals that end the program are held meanwhile, so that no
 * temporary file is left behind; the path is printed once the file has
 * its final name.
 */
static void
emit(const char *buf, size_t len)
{
	sigset_t set, oset;
	char *tmp;
	int fd, save;

	if (nchunks++ == 0)
		make_dir();
	snprintf(path, pathsz, "%s%06llu.json", base, nchunks);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &oset);
	if ((fd = a0_tmpfile(path, &tmp)) == -1)
		err(A0_EXIT_IO, "%s", path);
	if (a0_write_all(fd, buf, len) == -1) {
		save = errno;
		close(fd);
		unlink(tmp);
		errno = save;
		err(A0_EXIT_IO, "%s", path);
	}
	/*
	 * Renamed without fsync: a chunk is derived data that a rerun
	 * writes again byte for byte, and a flush per chunk would cost
	 * more than all the rest of the work (see CAVEATS in the manual).
	 */
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		save = errno;
		unlink(tmp);
		errno = save;
		err(A0_EXIT_IO, "%s", path);
	}
	free(tmp);
	sigprocmask(SIG_SETMASK, &oset, NULL);
	fputs(path, stdout);
	putchar(zflag ? '\0' : '\n');
	if (a0_flush_stdout() == -1)
		err(A0_EXIT_IO, "stdout");
}

/* Close the chunk buf[0..pos) with "]\n" and write it; buf[pos] and
 * buf[pos + 1] are put back as they were. */
static void
close_chunk(char *buf, size_t pos)
{
	char save[2];

	memcpy(save, buf + pos, 2);
	memcpy(buf + pos, "]\n", 2);
	emit(buf, pos + 2);
	memcpy(buf + pos, save, 2);
}

/*
 * Pack the records of fd into chunks, greedily.  buf holds the chunk
 * being built, "[" rec "," rec ...; the reader copies each record
 * (compacted unless -k) just behind it, and when it does not fit the
 * chunk is written and the record moved to the front of the next one.
 * The reader refuses a record that could not fit even alone, so memory
 * is one chunk plus one record, whatever the input.
 */
static void
chunk(int fd, const char *fname)
{
	/* File-static so that an exit on an error leaves them reachable. */
	static struct jstream *js;
	static char *buf;
	struct jrecord rec;
	size_t limit = (size_t)bflag, maxrec = limit - 3;
	size_t pos, off;
	long long n = 0;
	int r;

	js = jstream_open(fd, maxrec);
	buf = xmalloc(limit + maxrec + JSTREAM_COPY_SLACK);
	buf[0] = '[';
	pos = 1;
	for (;;) {
		off = pos + (n > 0);
		if ((r = jstream_copy(js, &rec, buf + off, !kflag)) != 1)
			break;
		if (n > 0 && off + rec.len + 2 > limit) {
			close_chunk(buf, pos);
			memmove(buf + 1, buf + off, rec.len);
			off = 1;
			n = 0;
		}
		if (n > 0)
			buf[pos] = ',';
		pos = off + rec.len;
		/* A chunk of -n records goes out as soon as it is full. */
		if (++n == nflag) {
			close_chunk(buf, pos);
			pos = 1;
			n = 0;
		}
	}
	if (r == -1)
		a0_input_error(js, fname);
	if (n > 0)
		close_chunk(buf, pos);
	jstream_close(js);
	free(buf);
	js = NULL;
	buf = NULL;
}

int
main(int argc, char *argv[])
{
	const char *fname = "-";
	size_t n;
	int ch, fd;

	a0_tool_start();
	while ((ch = a0_getopt(&tool, argc, argv)) != -1) {
		switch (ch) {
		case '0':
			zflag = 1;
			break;
		case 'k':
			kflag = 1;
			break;
		case 'b':
			bflag = a0_optnum(&tool, ch, MIN_CHUNK, MAX_CHUNK, 1);
			break;
		case 'n':
			nflag = a0_optnum(&tool, ch, 1, 0x7fffffffffffffffLL,
			    1);
			break;
		case 'd':
			dflag = optarg;
			break;
		case 'p':
			pflag = optarg;
			break;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1 || (dflag != NULL && *dflag == '\0'))
		a0_usage(&tool);
	if (argc == 1)
		fname = argv[0];
	if ((fd = a0_open_input(fname)) == -1)
		err(A0_EXIT_IO, "%s", fname);

	n = (dflag ? strlen(dflag) + 1 : 0) + strlen(pflag);
	base = xmalloc(n + 1);
	snprintf(base, n + 1, "%s%s%s", dflag ? dflag : "",
	    dflag && dflag[strlen(dflag) - 1] != '/' ? "/" : "", pflag);
	pathsz = n + sizeof("18446744073709551615.json");
	path = xmalloc(pathsz);

	chunk(fd, fname);
	if (a0_flush_stdout() == -1)
		err(A0_EXIT_IO, "stdout");
	return A0_EXIT_OK;
}
