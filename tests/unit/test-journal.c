/* test-journal: replaying a0-submit's journal after every kind of stop. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
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
	long bad, pid;

	a0_journal_close(j);
	if (a0_journal_open(path, 0, &j, &bad, &pid) == -1) {
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

/*
 * A child that opens the journal, says so on ready, then on its word from
 * go either appends an intent and closes (w), or dies holding it (k).
 */
static pid_t
holder(int ready[2], int go[2])
{
	struct a0_journal *j;
	char c[65];
	long bad, pid;
	pid_t p;

	/* The child must not write out a copy of what is buffered. */
	fflush(stdout);
	if (pipe(ready) == -1 || pipe(go) == -1 || (p = fork()) == -1)
		exit(1);
	if (p > 0) {
		close(ready[1]);
		close(go[0]);
		return p;
	}
	close(ready[0]);
	close(go[1]);
	if (a0_journal_open(path, 0, &j, &bad, &pid) == -1)
		_exit(1);
	if (write(ready[1], "r", 1) != 1 || read(go[0], c, 1) != 1)
		_exit(1);
	if (c[0] == 'k')
		kill(getpid(), SIGKILL);
	sha(7, c);
	if (a0_journal_intent(j, c, "child.json", 300) == -1)
		_exit(1);
	a0_journal_close(j);
	_exit(0);
}

/* Entries in the journal's directory (2: itself, and . or ..) */
static int
entries(void)
{
	struct dirent *d;
	DIR *dp;
	int n = 0;

	if ((dp = opendir(dir)) == NULL)
		return -1;
	while ((d = readdir(dp)) != NULL)
		n += strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
	closedir(dp);
	return n;
}

/* One run at a time, another process waited for, no stale lock. */
static void
locking(void)
{
	struct a0_journal *j = NULL, *j2 = NULL;
	int ready[2], go[2], st;
	char c, s7[65];
	long bad, pid;
	pid_t p;

	p = holder(ready, go);
	ok(read(ready[0], &c, 1) == 1, "a child holds the journal");
	errno = 0;
	ok(a0_journal_open(path, 0, &j, &bad, &pid) == -1 && errno == EAGAIN,
	    "in use by another process: EAGAIN");
	ok(pid == (long)p, "the holder's pid (%ld, child %ld)", pid, (long)p);
	ok(write(go[1], "w", 1) == 1, "the child may finish");
	ok(a0_journal_open(path, 1, &j, &bad, &pid) == 0, "waited for it");
	sha(7, s7);
	ok(j != NULL && a0_journal_get(j, s7) != NULL,
	    "its last line was written before the lock was released");
	ok(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the child ended well");
	if (j == NULL && a0_journal_open(path, 0, &j, &bad, &pid) == -1)
		exit(1);
	ok(a0_journal_is(j, path), "a0_journal_is: the journal's path");
	ok(!a0_journal_is(j, dir), "a0_journal_is: another path");
	a0_journal_close(j);
	close(ready[0]);
	close(go[1]);

	p = holder(ready, go);
	ok(read(ready[0], &c, 1) == 1 && write(go[1], "k", 1) == 1 &&
	    waitpid(p, &st, 0) == p && WIFSIGNALED(st), "a holder killed -9");
	ok(a0_journal_open(path, 0, &j2, &bad, &pid) == 0,
	    "no lock left behind by the dead process");
	ok(entries() == 1, "and no other file beside the journal");
	a0_journal_close(j2);
	close(ready[0]);
	close(go[1]);
}

int
main(void)
{
	struct a0_journal *j;
	struct a0_jentry *e, out;
	struct stat st;
	char s[4][65], big[65];
	long bad, pid;
	int i, allok;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/state", dir);
	for (i = 0; i < 4; i++)
		sha(i, s[i]);

	umask(022);
	ok(a0_journal_open(path, 0, &j, &bad, &pid) == 0, "new journal");
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
	ok(a0_journal_open(path, 0, &j, &bad, &pid) == -1 && errno == EINVAL,
	    "a bad line is refused");
	ok(bad == 1013, "at line %ld", bad);

	unlink(path);
	locking();
	unlink(path);
	rmdir(dir);
	return done_testing();
}
