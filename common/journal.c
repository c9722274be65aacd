/*
 * journal.c: a0-submit's state file.  An append-only text file, one
 * tab-separated line per step, each flushed to disk before the step it
 * records is relied on, so that a run killed at any moment can be resumed:
 *
 *	TIME intent SHA PATH
 *	TIME lost   SHA PATH
 *	TIME posted SHA PATH JOB
 *	TIME done   SHA PATH JOB STATUS INSERTED UPDATED FAILED TOTAL
 *	            EARLIER UNCERTAIN
 *
 * TIME is in epoch seconds; PATH, JOB and STATUS have backslash, tab and
 * newline escaped as \\, \t and \n; JOB is "-" for a chunk refused
 * before a job was created.  Lines starting with '#' are comments.
 *
 * One run at a time: the open file carries a POSIX record lock, which the
 * kernel drops when the process ends, however it ends, so no crash leaves
 * a stale lock behind.  Such a lock is also dropped when the process
 * closes any descriptor of the file, so a run must not open the journal a
 * second time (a0_journal_is tells a path that names it).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "a0.h"

#define MAXFIELDS	12

struct a0_journal {
	int		  fd;
	struct a0_jentry *ent;		/* in the order first seen */
	size_t		  n, cap;
	size_t		 *idx;		/* open addressing: entry + 1, 0 free */
	size_t		  idxcap;	/* a power of two, > 2 n */
};

static size_t
shahash(const char *sha)
{
	size_t h = 0;
	int i;

	for (i = 0; i < 16 && sha[i] != '\0'; i++)
		h = h * 16 + (size_t)(sha[i] <= '9' ? sha[i] - '0' :
		    (sha[i] | 0x20) - 'a' + 10);
	return h;
}

static void
reindex(struct a0_journal *j)
{
	size_t i, h;

	free(j->idx);
	j->idxcap = j->idxcap ? j->idxcap * 2 : 64;
	j->idx = xcalloc(j->idxcap, sizeof(*j->idx));
	for (i = 0; i < j->n; i++) {
		h = shahash(j->ent[i].sha) & (j->idxcap - 1);
		while (j->idx[h] != 0)
			h = (h + 1) & (j->idxcap - 1);
		j->idx[h] = i + 1;
	}
}

struct a0_jentry *
a0_journal_get(struct a0_journal *j, const char *sha)
{
	size_t h;

	if (j->idxcap == 0)
		return NULL;
	h = shahash(sha) & (j->idxcap - 1);
	for (; j->idx[h] != 0; h = (h + 1) & (j->idxcap - 1))
		if (strcmp(j->ent[j->idx[h] - 1].sha, sha) == 0)
			return &j->ent[j->idx[h] - 1];
	return NULL;
}

struct a0_jentry *
a0_journal_entry(struct a0_journal *j, size_t i)
{
	return i < j->n ? &j->ent[i] : NULL;
}

/* The entry for sha, made when new. */
static struct a0_jentry *
entry(struct a0_journal *j, const char *sha)
{
	struct a0_jentry *e;

	if ((e = a0_journal_get(j, sha)) != NULL)
		return e;
	if (j->n == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 32;
		j->ent = xrealloc(j->ent, j->cap * sizeof(*j->ent));
	}
	e = &j->ent[j->n++];
	memset(e, 0, sizeof(*e));
	memcpy(e->sha, sha, 64);
	e->sha[64] = '\0';
	if (2 * j->n >= j->idxcap)
		reindex(j);
	else {
		size_t h = shahash(sha) & (j->idxcap - 1);

		while (j->idx[h] != 0)
			h = (h + 1) & (j->idxcap - 1);
		j->idx[h] = j->n;
	}
	return e;
}

static int
issha(const char *s)
{
	int i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

/* Undo the escapes of field s in place; -1 on a bad escape. */
static int
unescape(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++) {
		if (*s != '\\') {
			*o++ = *s;
			continue;
		}
		switch (*++s) {
		case '\\': *o++ = '\\'; break;
		case 't': *o++ = '\t'; break;
		case 'n': *o++ = '\n'; break;
		default: return -1;
		}
	}
	*o = '\0';
	return 0;
}

static int
num(const char *s, long long *out)
{
	const char *why;

	return a0_parse_num(s, 0, (long long)1 << 53, 0, out, &why);
}

static void
setstr(char **dst, const char *s)
{
	free(*dst);
	*dst = xstrdup(s);
}

/*
 * Lock the whole file for writing, waiting for it when wait is set.  0, or
 * -1 with errno: EAGAIN when another process holds it (*holder set to its
 * pid), EINTR when a signal came while waiting.
 */
static int
lock(int fd, int wait, long *holder)
{
	struct flock fl;

	for (;;) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl) == 0)
			return 0;
		if (errno != EACCES && errno != EAGAIN)
			return -1;
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_GETLK, &fl) == -1)
			return -1;
		/* Released between the two calls: try again. */
		if (fl.l_type == F_UNLCK)
			continue;
		*holder = (long)fl.l_pid;
		errno = EAGAIN;
		return -1;
	}
}

/* Apply one line (NUL-terminated, no newline); -1 if it is not one. */
static int
replay(struct a0_journal *j, char *line)
{
	char *f[MAXFIELDS], *p = line;
	struct a0_jentry *e;
	long long t, v[6];
	int n = 0, i;

	if (*line == '#' || *line == '\0')
		return 0;
	for (;;) {
		if (n == MAXFIELDS)
			return -1;
		f[n++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			break;
		*p++ = '\0';
	}
	if (n < 4 || num(f[0], &t) == -1 || !issha(f[2]))
		return -1;
	for (i = 3; i < n; i++)
		if (unescape(f[i]) == -1)
			return -1;
	if (strcmp(f[1], "intent") == 0 && n == 4) {
		e = entry(j, f[2]);
		/* An intent never resolved: that post may have happened. */
		if (e->state == A0_J_INTENT)
			e->uncertain++;
		e->state = A0_J_INTENT;
	} else if (strcmp(f[1], "lost") == 0 && n == 4) {
		e = entry(j, f[2]);
		e->uncertain++;
	} else if (strcmp(f[1], "posted") == 0 && n == 5) {
		e = entry(j, f[2]);
		e->state = A0_J_POSTED;
		e->time = t;
		setstr(&e->job, f[4]);
	} else if (strcmp(f[1], "done") == 0 && n == 12) {
		for (i = 0; i < 6; i++)
			if (num(f[6 + i], &v[i]) == -1)
				return -1;
		e = entry(j, f[2]);
		e->state = A0_J_DONE;
		if (strcmp(f[4], "-") != 0)
			setstr(&e->job, f[4]);
		setstr(&e->status, f[5]);
		e->inserted = v[0];
		e->updated = v[1];
		e->failed = v[2];
		e->total = v[3];
		e->earlier = v[4];
		e->uncertain = (int)v[5];
	} else
		return -1;
	setstr(&e->path, f[3]);
	return 0;
}

int
a0_journal_open(const char *path, int wait, struct a0_journal **jp,
    long *badline, long *holder)
{
	struct a0_journal *j;
	char *buf = NULL, *line, *nl;
	size_t len = 0, cap = 0, end;
	ssize_t r;
	long lineno = 0;
	int save;

	*badline = 0;
	*holder = 0;
	j = xcalloc(1, sizeof(*j));
	/* Locked before it is read: another run may be appending. */
	if ((j->fd = a0_open_private(path, O_RDWR | O_APPEND)) == -1 ||
	    lock(j->fd, wait, holder) == -1)
		goto fail;
	for (;;) {
		if (len + 1 >= cap) {
			cap = cap ? cap * 2 : 65536;
			buf = xrealloc(buf, cap);
		}
		if ((r = read(j->fd, buf + len, cap - len - 1)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	/* Cut a line torn by a crash: its step never completed. */
	for (end = len; end > 0 && buf[end - 1] != '\n'; end--)
		;
	if (end < len && ftruncate(j->fd, (off_t)end) == -1)
		goto fail;
	buf[end] = '\0';
	for (line = buf; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		*nl = '\0';
		lineno++;
		if (replay(j, line) == -1) {
			*badline = lineno;
			errno = EINVAL;
			goto fail;
		}
	}
	if (end == 0) {
		static const char head[] = "# a0-submit journal: TIME STEP "
		    "SHA256 PATH [JOB [STATUS INSERTED UPDATED FAILED TOTAL "
		    "EARLIER UNCERTAIN]]\n";

		if (a0_write_all(j->fd, head, sizeof(head) - 1) == -1 ||
		    fsync(j->fd) == -1)
			goto fail;
	}
	free(buf);
	*jp = j;
	return 0;
fail:
	save = errno;
	free(buf);
	a0_journal_close(j);
	errno = save;
	return -1;
}

int
a0_journal_is(const struct a0_journal *j, const char *path)
{
	struct stat a, b;

	return stat(path, &a) == 0 && fstat(j->fd, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void
a0_journal_close(struct a0_journal *j)
{
	size_t i;

	if (j == NULL)
		return;
	for (i = 0; i < j->n; i++) {
		free(j->ent[i].job);
		free(j->ent[i].path);
		free(j->ent[i].status);
	}
	free(j->ent);
	free(j->idx);
	if (j->fd != -1)
		close(j->fd);
	free(j);
}

/* Append s to the line being built, escaped. */
static void
put(char **b, size_t *len, size_t *cap, const char *s, int esc)
{
	size_t need = strlen(s) * 2 + 2;

	if (*len + need >= *cap) {
		*cap = (*len + need) * 2;
		*b = xrealloc(*b, *cap);
	}
	(*b)[(*len)++] = '\t';
	for (; *s != '\0'; s++) {
		if (esc && (*s == '\\' || *s == '\t' || *s == '\n')) {
			(*b)[(*len)++] = '\\';
			(*b)[(*len)++] = *s == '\t' ? 't' : *s == '\n' ? 'n' :
			    '\\';
		} else
			(*b)[(*len)++] = *s;
	}
}

/* Write one record: its fields after TIME, then fsync; apply it. */
static int
record(struct a0_journal *j, long long now, const char **f, int n)
{
	char *b = NULL, t[32];
	size_t len = 0, cap = 0;
	int i, rv = -1;

	snprintf(t, sizeof(t), "%lld", now);
	put(&b, &len, &cap, t, 0);
	for (i = 0; i < n; i++)
		put(&b, &len, &cap, f[i], i == 2 || i == 3 || i == 4);
	b[len++] = '\n';
	if (a0_write_all(j->fd, b + 1, len - 1) == 0 && fsync(j->fd) == 0) {
		b[len - 1] = '\0';
		rv = replay(j, b + 1);
	}
	free(b);
	return rv;
}

int
a0_journal_intent(struct a0_journal *j, const char *sha, const char *path,
    long long now)
{
	const char *f[] = { "intent", sha, path };

	return record(j, now, f, 3);
}

int
a0_journal_lost(struct a0_journal *j, const char *sha, const char *path,
    long long now)
{
	const char *f[] = { "lost", sha, path };

	return record(j, now, f, 3);
}

int
a0_journal_posted(struct a0_journal *j, const char *sha, const char *path,
    const char *job, long long now)
{
	const char *f[] = { "posted", sha, path, job };

	return record(j, now, f, 4);
}

int
a0_journal_done(struct a0_journal *j, const struct a0_jentry *e,
    long long now)
{
	char v[6][24];
	const char *f[] = { "done", e->sha, e->path, e->job ? e->job : "-",
	    e->status, v[0], v[1], v[2], v[3], v[4], v[5] };

	snprintf(v[0], sizeof(v[0]), "%lld", e->inserted);
	snprintf(v[1], sizeof(v[1]), "%lld", e->updated);
	snprintf(v[2], sizeof(v[2]), "%lld", e->failed);
	snprintf(v[3], sizeof(v[3]), "%lld", e->total);
	snprintf(v[4], sizeof(v[4]), "%lld", e->earlier);
	snprintf(v[5], sizeof(v[5]), "%d", e->uncertain);
	return record(j, now, f, 11);
}
