/* test-util.c: the checked number parser, booleans and atomic files. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "a0.h"
#include "tap.h"

static const struct {
	const char	*s;
	int		 suffixes;
	int		 rc;
	long long	 v;
	const char	*err;
} nums[] = {
	{ "0", 0, 0, 0, NULL },
	{ "42", 0, 0, 42, NULL },
	{ "100", 0, -1, 0, "too large" },
	{ "", 0, -1, 0, "invalid" },
	{ "-1", 0, -1, 0, "invalid" },
	{ "+1", 0, -1, 0, "invalid" },
	{ " 1", 0, -1, 0, "invalid" },
	{ "1 ", 0, -1, 0, "invalid" },
	{ "1x", 0, -1, 0, "invalid" },
	{ "1K", 0, -1, 0, "invalid" },
	{ "1K", 1, -1, 0, "too large" },
	{ "0K", 1, 0, 0, NULL },
	{ "99999999999999999999", 0, -1, 0, "too large" },
};

/* The whole of a small file (malloc'd): 0, or -1. */
static int
slurp(const char *path, char **buf, size_t *len)
{
	ssize_t n;
	int fd;

	*buf = xmalloc(65536);
	*len = 0;
	if ((fd = open(path, O_RDONLY)) == -1)
		return -1;
	while ((n = read(fd, *buf + *len, 65536 - *len)) > 0)
		*len += (size_t)n;
	close(fd);
	return n == 0 ? 0 : -1;
}

/* a0_cut_torn on files of each shape, including a torn line longer
 * than its block and a file with no newline at all. */
static void
cut_torn(const char *path)
{
	static const struct {
		const char *in;
		long long cut;
	} cases[] = {
		{ "", 0 },
		{ "{\"a\":1}\n", 0 },
		{ "{\"a\":1}\n{\"user\":{\"email\":\"torn", 22 },
		{ "{\"user\":{\"email\":\"torn", 22 },
		{ "\n\n{", 1 },
	};
	char *buf, *big;
	size_t i, len;
	long long cut;
	int fd, pfd[2], rv;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0600);
		if (fd == -1 || a0_write_all(fd, cases[i].in,
		    strlen(cases[i].in)) == -1)
			exit(1);
		cut = -1;
		rv = a0_cut_torn(fd, &cut);
		ok(rv == 0 && cut == cases[i].cut &&
		    a0_write_all(fd, "x\n", 2) == 0,
		    "a0_cut_torn: %zu bytes, %lld cut", strlen(cases[i].in),
		    cut);
		close(fd);
		ok(slurp(path, &buf, &len) == 0 &&
		    len == strlen(cases[i].in) - (size_t)cases[i].cut + 2 &&
		    memcmp(buf, cases[i].in, len - 2) == 0 &&
		    memcmp(buf + len - 2, "x\n", 2) == 0,
		    "a0_cut_torn: the lines before kept, the next appended");
		free(buf);
	}
	/* A line of 3 blocks after 2 of whole lines. */
	big = xmalloc(5 * 4096);
	memset(big, 'a', 5 * 4096);
	for (i = 99; i < 2 * 4096; i += 100)
		big[i] = '\n';
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || a0_write_all(fd, big, 5 * 4096) == -1)
		exit(1);
	cut = -1;
	rv = a0_cut_torn(fd, &cut);
	ok(rv == 0 && cut == 5 * 4096 - 8100,
	    "a0_cut_torn: a torn line of several blocks (%lld cut)", cut);
	close(fd);
	fd = open(path, O_RDONLY);
	ok(a0_cut_torn(fd, &cut) == 0 && cut == 0,
	    "a0_cut_torn: nothing more to cut");
	close(fd);
	free(big);
	/* Open for writing only, as a shell's >> opens stdout. */
	fd = open(path, O_WRONLY | O_TRUNC | O_APPEND);
	if (fd == -1 || a0_write_all(fd, "{}\n{", 4) == -1)
		exit(1);
	cut = -1;
	rv = a0_cut_torn(fd, &cut);
	ok(rv == 0 && cut == 1 && a0_write_all(fd, "x\n", 2) == 0,
	    "a0_cut_torn: a file open for writing only (%lld cut)", cut);
	close(fd);
	ok(slurp(path, &buf, &len) == 0 && len == 5 &&
	    memcmp(buf, "{}\nx\n", 5) == 0, "a0_cut_torn: then appended");
	free(buf);
	ok(pipe(pfd) == 0 && a0_write_all(pfd[1], "torn", 4) == 0 &&
	    a0_cut_torn(pfd[1], &cut) == 0 && cut == 0,
	    "a0_cut_torn: a pipe is left alone");
	close(pfd[0]);
	close(pfd[1]);
}

int
main(void)
{
	char tmpl[] = "/tmp/a0-test-util.XXXXXX", path[64], *tmp;
	const char *errstr;
	struct stat st;
	long long v;
	size_t i;
	int fd, b;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		v = -7;
		int rc = a0_parse_num(nums[i].s, 0, 99, nums[i].suffixes, &v,
		    &errstr);
		ok(rc == nums[i].rc && (rc == -1 || v == nums[i].v) &&
		    (rc == 0 ? errstr == NULL : strcmp(errstr, nums[i].err) == 0),
		    "a0_parse_num \"%s\"%s", nums[i].s,
		    nums[i].suffixes ? " with suffixes" : "");
	}
	ok(a0_parse_num("2M", 0, 1LL << 30, 1, &v, &errstr) == 0 &&
	    v == 2097152, "2M is 2097152");
	ok(a0_parse_num("500K", 0, 1LL << 30, 1, &v, &errstr) == 0 &&
	    v == 512000, "500K is 512000");

	ok(a0_parse_bool("TRUE", &b) == 0 && b == 1, "TRUE");
	ok(a0_parse_bool("false", &b) == 0 && b == 0, "false");
	ok(a0_parse_bool("maybe", &b) == -1, "maybe is not a boolean");

	if (mkdtemp(tmpl) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/out.json", tmpl);
	fd = a0_tmpfile(path, &tmp);
	ok(fd >= 0, "a0_tmpfile");
	ok(fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "temporary file is 0600");
	ok(a0_write_all(fd, "[]\n", 3) == 0, "a0_write_all");
	ok(stat(path, &st) == -1 && errno == ENOENT,
	    "nothing under the final name before commit");
	ok(a0_commit(fd, tmp, path) == 0, "a0_commit");
	ok(stat(path, &st) == 0 && st.st_size == 3, "final name after commit");
	ok(stat(tmp, &st) == -1, "temporary name gone");
	ok(chmod(path, 0644) == 0 && (fd = a0_open_private(path, O_WRONLY |
	    O_APPEND)) >= 0 && fstat(fd, &st) == 0 &&
	    (st.st_mode & 0777) == 0600 && st.st_size == 3,
	    "a0_open_private narrows an existing file to 0600, keeps it");
	close(fd);
	unlink(path);
	ok((fd = a0_open_private(path, O_WRONLY)) >= 0 &&
	    fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "a0_open_private creates 0600");
	close(fd);
	cut_torn(path);
	free(tmp);
	unlink(path);
	rmdir(tmpl);
	return done_testing();
}
