/* test-journal: replaying a0-submit's journal after every kind of stop. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "a0.h"
#include "tap.h"

static char dir[] = "/tmp/test-journal.XXXXXX";
static char path[64];

static void
sha(int i, char out[65])
{
	char s[16];

	snprintf(s, sizeof(s), "chunk %d", i);
	a0_sha256(s, strlen(s), out);
}

static struct a0_journal *
reopen(struct a0_journal *j)
{
	long bad;

	a0_journal_close(j);
	if (a0_journal_open(path, &j, &bad) == -1) {
		printf("# reopen: %s (line %ld)\n", strerror(errno), bad);
		exit(1);
	}
	return j;
}

static void
append(const char *s)
{
	int fd = open(path, O_WRONLY | O_APPEND);

	if (fd == -1 || a0_write_all(fd, s, strlen(s)) == -1)
		exit(1);
	close(fd);
}

int
main(void)
{
	struct a0_journal *j;
	struct a0_jentry *e, out;
	struct stat st;
	char s[4][65], big[65];
	long bad;
	int i, allok;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/state", dir);
	for (i = 0; i < 4; i++)
		sha(i, s[i]);

	umask(022);
	ok(a0_journal_open(path, &j, &bad) == 0, "new journal");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "created mode 0600 (umask 022)");
	ok(a0_journal_get(j, s[0]) == NULL, "unknown chunk");

	/* Chunk 0 all the way, chunk 1 posted, chunk 2 intent only,
	 * chunk 3 lost once, then posted. */
	ok(a0_journal_intent(j, s[0], "out/a.json", 100) == 0, "intent");
	ok(a0_journal_posted(j, s[0], "out/a.json", "job_aaaaaaaaaaaaaaaa",
	    101) == 0, "posted");
	ok(a0_journal_intent(j, s[1], "out/b\tc\nd\\e.json", 102) == 0,
	    "intent, odd path");
	ok(a0_journal_posted(j, s[1], "out/b\tc\nd\\e.json",
	    "job_bbbbbbbbbbbbbbbb", 103) == 0, "posted, odd path");
	ok(a0_journal_intent(j, s[2], "out/c.json", 104) == 0, "intent only");
	ok(a0_journal_intent(j, s[3], "out/d.json", 105) == 0, "intent");
	ok(a0_journal_lost(j, s[3], "out/d.json", 106) == 0, "lost");
	ok(a0_journal_posted(j, s[3], "out/d.json", "job_dddddddddddddddd",
	    107) == 0, "posted after lost");
	e = a0_journal_get(j, s[0]);
	memset(&out, 0, sizeof(out));
	memcpy(out.sha, e->sha, sizeof(out.sha));
	out.path = "out/a.json";
	out.job = "job_aaaaaaaaaaaaaaaa";
	out.status = "completed";
	out.inserted = 7;
	out.updated = 1;
	out.failed = 2;
	out.total = 10;
	out.earlier = 1;
	out.uncertain = 1;
	ok(a0_journal_done(j, &out, 110) == 0, "done");

	j = reopen(j);
	e = a0_journal_get(j, s[0]);
	ok(e != NULL && e->state == A0_J_DONE && e->inserted == 7 &&
	    e->updated == 1 && e->failed == 2 && e->total == 10 &&
	    e->earlier == 1 && e->uncertain == 1 && e->time == 101,
	    "done replayed with its counts");
	is_str(e->status, "completed", "status replayed");
	is_str(e->job, "job_aaaaaaaaaaaaaaaa", "job replayed");
	e = a0_journal_get(j, s[1]);
	ok(e != NULL && e->state == A0_J_POSTED && e->time == 103 &&
	    e->uncertain == 0, "posted replayed");
	is_str(e->path, "out/b\tc\nd\\e.json", "escaped path replayed");
	e = a0_journal_get(j, s[2]);
	ok(e != NULL && e->state == A0_J_INTENT && e->job == NULL,
	    "intent replayed, no job");
	e = a0_journal_get(j, s[3]);
	ok(e != NULL && e->state == A0_J_POSTED && e->uncertain == 1,
	    "lost answer remembered");
	ok(a0_journal_entry(j, 0) == a0_journal_get(j, s[0]) &&
	    a0_journal_entry(j, 3) == a0_journal_get(j, s[3]) &&
	    a0_journal_entry(j, 4) == NULL, "entries in the order first seen");

	/* A second intent without an answer: the first post may exist. */
	ok(a0_journal_intent(j, s[2], "out/c.json", 120) == 0, "intent again");
	j = reopen(j);
	e = a0_journal_get(j, s[2]);
	ok(e->state == A0_J_INTENT && e->uncertain == 1,
	    "unresolved intent counted as uncertain");

	/* A line torn by kill -9 is cut off and appending goes on. */
	append("130\tposted\t");
	j = reopen(j);
	ok(a0_journal_get(j, s[2])->state == A0_J_INTENT, "torn line ignored");
	ok(a0_journal_posted(j, s[2], "out/c.json", "job_cccccccccccccccc",
	    131) == 0, "append after a torn line");
	j = reopen(j);
	ok(a0_journal_get(j, s[2])->state == A0_J_POSTED,
	    "record after a torn line replayed");

	/* Many chunks: the index grows. */
	for (i = 0, allok = 1; i < 1000; i++) {
		sha(1000 + i, big);
		if (a0_journal_intent(j, big, "x", 200) == -1)
			allok = 0;
	}
	j = reopen(j);
	for (i = 0; i < 1000; i++) {
		sha(1000 + i, big);
		if ((e = a0_journal_get(j, big)) == NULL ||
		    e->state != A0_J_INTENT)
			allok = 0;
	}
	ok(allok && a0_journal_get(j, s[1])->state == A0_J_POSTED,
	    "1004 chunks found again");
	a0_journal_close(j);

	/* Not a journal: refused with the line number. */
	append("this is not a journal line\n");
	ok(a0_journal_open(path, &j, &bad) == -1 && errno == EINVAL,
	    "a bad line is refused");
	ok(bad == 1013, "at line %ld", bad);

	unlink(path);
	rmdir(dir);
	return done_testing();
}
