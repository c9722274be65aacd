/*
 * submit-chunk.c: a0-submit's work, before any request.  Chunk paths
 * come from the command line and stdin into one queue; each is read
 * with the strict reader, checked, looked up in the journal of an
 * earlier run, and handed to a slot as a chunk to post or a job to
 * follow, or reported at once when it needs no request.
 */

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "submit.h"

/* Longer than any path open(2) takes (Linux's PATH_MAX): a line of stdin
 * that long is not a path. */
#define PATHMAX		4096
#define SHOWN		64	/* bytes of such a line a message shows */

static char *
getbuf(struct run *r)
{
	return r->nspare > 0 ? r->spare[--r->nspare] : xmalloc(BUFCAP);
}

void
putbuf(struct run *r, char *b)
{
	if (b == NULL)
		return;
	if (r->nspare < MAXSLOTS + 1)
		r->spare[r->nspare++] = b;
	else
		free(b);
}

void
free_chunk(struct run *r, struct chunk *c)
{
	if (c == NULL)
		return;
	free(c->path);
	putbuf(r, c->users);
	if (c->pooled)
		putbuf(r, c->body);
	else
		free(c->body);
	free(c->job);
	free(c->ji.details);
	jb_free(&c->why);
	free(c);
}

/* A chunk that needs no request: report it and forget it. */
static void
drop(struct run *r, struct chunk *c, const char *status, const char *error,
    int journaled)
{
	r->tally.done++;
	result(r, c, status, error, journaled);
	free_chunk(r, c);
}

/* Why a chunk cannot be sent: for its result line, and for stderr. */
struct why {
	char	 line[256];	/* without the path (the line names it) */
	char	 msg[512];	/* "PATH: what", or "PATH:LINE:COL: ..." */
};

static void
why_set(struct why *w, const char *path, const char *what)
{
	snprintf(w->line, sizeof(w->line), "%s", what);
	snprintf(w->msg, sizeof(w->msg), "%s: %s", path, what);
}

/*
 * Read a chunk's records with the strict reader and join them into the
 * users file to send: "[", the records byte for byte separated by ",",
 * "]" and a newline, which is a0-chunk's file byte for byte.  It is put
 * at off in b, a buffer of BUFCAP bytes, with room left around it for
 * the rest of the request.  Returns the number of records, or -1 with
 * w set; *len is set either way.
 */
static long long
load(int fd, const char *path, size_t off, char *b, size_t *len,
    struct why *w)
{
	struct jstream *js;
	struct jrecord rec;
	char what[128];
	size_t n = 1;
	long long count = 0;
	int r;

	b[off] = '[';
	js = jstream_open(fd, A0_MAX_REQUEST);
	while ((r = jstream_next(js, &rec)) == 1) {
		/* Past the limit already: the rest need not be read. */
		if (n + rec.len + 3 > A0_MAX_REQUEST ||
		    off + n + rec.len + 3 + ROOM > BUFCAP) {
			snprintf(what, sizeof(what), "larger than Auth0's "
			    "limit of %d bytes a request", A0_MAX_REQUEST);
			why_set(w, path, what);
			r = -2;
			break;
		}
		if (count++ > 0)
			b[off + n++] = ',';
		memcpy(b + off + n, rec.buf, rec.len);
		n += rec.len;
	}
	if (r == -1) {
		jstream_strerror(js, NULL, w->line, sizeof(w->line));
		jstream_strerror(js, path, w->msg, sizeof(w->msg));
	}
	jstream_close(js);
	b[off + n++] = ']';
	b[off + n++] = '\n';
	*len = n;
	return r < 0 ? -1 : count;
}

/* Open path and load it into a buffer of the pool, set in *buf (NULL
 * when the file could not be opened); as load().  A path "-" is a file
 * of that name, not standard input: it came from the list of chunks. */
static long long
load_file(struct run *r, const char *path, size_t off, char **buf,
    size_t *len, struct why *w)
{
	long long n;
	int fd;

	*buf = NULL;
	*len = 0;
	/* Opened and closed here, it would lose its lock. */
	if (r->journal != NULL && a0_journal_is(r->journal, path)) {
		why_set(w, path, "is the journal (-s), not a chunk");
		return -1;
	}
	if ((fd = a0_open_input(strcmp(path, "-") == 0 ? "./-" : path)) ==
	    -1) {
		why_set(w, path, strerror(errno));
		return -1;
	}
	*buf = getbuf(r);
	n = load(fd, path, off, *buf, len, w);
	close(fd);
	return n;
}

/* A chunk that cannot be sent: say why, and go on with the others. */
static void
bad_chunk(struct run *r, struct chunk *c, char *buf, const struct why *w)
{
	note(r, "%s", w->msg);
	putbuf(r, buf);
	r->tally.bad = 1;
	drop(r, c, "error", w->line, 0);
}

/* --dry-run: what would be posted. */
static void
dry_line(struct run *r, const struct chunk *c, long long n, size_t size)
{
	const struct opts *o = r->o;
	struct jbuf b = { NULL, 0, 0, 0 };

	jb_begin(&b, '{');
	jb_kstr(&b, "file", c->path);
	jb_kstr(&b, "sha256", c->sha);
	jb_kstr(&b, "job_id", NULL);
	jb_kstr(&b, "status", "dry-run");
	jb_kint(&b, "inserted", 0);
	jb_kint(&b, "updated", 0);
	jb_kint(&b, "failed", 0);
	jb_kint(&b, "total", n);
	jb_kint(&b, "request_bytes", (long long)size);
	jb_kstr(&b, "connection", o->Cflag ? o->Cflag : o->cflag);
	jb_kbool(&b, "upsert", o->upsert);
	jb_kbool(&b, "send_completion_email", o->email);
	jb_kstr(&b, "external_id", o->xflag);
	jb_end(&b, '}');
	r->tally.done++;
	emit(r, &b);
}

/* The tally of a chunk the journal says is through. */
static void
count_done(struct run *r, const struct a0_jentry *e)
{
	r->tally.jobs++;
	r->tally.total += e->total;
	r->tally.inserted += e->inserted;
	r->tally.updated += e->updated;
	r->tally.failed += e->failed;
	if (strcmp(e->status, "refused") == 0 ||
	    strcmp(e->status, "unknown") == 0)
		r->tally.refused = 1;
	else if (e->failed > e->earlier ||
	    strcmp(e->status, "completed") != 0)
		r->tally.userfail = 1;
}

/*
 * What the journal knows of a chunk: 1 when it needs nothing more (its
 * line printed from the journal), else 0 with c set to follow its job
 * or to post it.
 */
static int
from_journal(struct run *r, struct chunk *c, const struct a0_jentry *e)
{
	if (e == NULL)
		return 0;
	c->uncertain = e->uncertain;
	switch (e->state) {
	case A0_J_DONE:
		if (e->job == NULL)		/* refused: post it again */
			return 0;
		c->job = xstrdup(e->job);
		c->ji.inserted = e->inserted;
		c->ji.updated = e->updated;
		c->ji.failed = e->failed;
		c->ji.total = e->total;
		c->earlier = e->earlier;
		if (strcmp(e->status, "unknown") == 0)
			unknown_job(r, c->path, c->job);
		count_done(r, e);
		drop(r, c, e->status, NULL, 1);
		return 1;
	case A0_J_POSTED:
		c->job = xstrdup(e->job);
		c->posted = e->time;
		c->resumed = 1;
		if (r->o->nowait) {
			drop(r, c, "pending", NULL, 0);
			return 1;
		}
		return 0;
	case A0_J_INTENT:
		/* Posted, maybe, by a run that stopped before the answer. */
		c->uncertain++;
		return 0;
	default:
		return 0;
	}
}

/* Skip a chunk for a reason that is no error: 1 if it was. */
static int
skipped(struct run *r, struct chunk *c, char *buf, long long n)
{
	uint64_t h = dupset_hash(DUP_USER_ID, c->sha, 64);

	if (dupset_find(r->seen, h) != 0) {
		note(r, "%s: same content as an earlier chunk, skipped",
		    c->path);
		putbuf(r, buf);
		drop(r, c, "duplicate", NULL, 0);
		return 1;
	}
	dupset_add(r->seen, h, 1);
	if (n == 0) {
		note(r, "%s: no records, skipped", c->path);
		putbuf(r, buf);
		drop(r, c, "skipped", NULL, 0);
		return 1;
	}
	return 0;
}

/*
 * The index of path among those read, or -1 when it is new: then it is
 * added, as index *added.  A path whose hash another path has is not
 * remembered, and only read again.
 */
static long
path_seen(struct run *r, const char *path, long *added)
{
	uint64_t h = dupset_hash(DUP_USER_ID, path, strlen(path));
	uint32_t i;

	*added = -1;
	if ((i = dupset_find(r->paths.set, h)) != 0)
		return strcmp(r->paths.v[i - 1].path, path) == 0 ?
		    (long)i - 1 : -1;
	if (r->paths.n == r->paths.cap) {
		r->paths.cap = r->paths.cap ? r->paths.cap * 2 : 64;
		r->paths.v = xrealloc(r->paths.v, r->paths.cap *
		    sizeof(*r->paths.v));
	}
	r->paths.v[r->paths.n].path = xstrdup(path);
	r->paths.v[r->paths.n].sha[0] = '\0';
	r->paths.v[r->paths.n].again = 0;
	*added = (long)r->paths.n++;
	dupset_add(r->paths.set, h, (uint32_t)r->paths.n);
	return -1;
}

/* A path given again: the same file, not read again. */
static void
repeated(struct run *r, struct chunk *c, struct seenpath *p)
{
	if (!p->again)
		warnx("%s: given again; read once, its repeats skipped",
		    c->path);
	p->again = 1;
	memcpy(c->sha, p->sha, sizeof(c->sha));
	drop(r, c, "duplicate", NULL, 0);
}

/* Read a chunk and decide what it needs: NULL when nothing. */
static struct chunk *
prepare(struct run *r, const char *path)
{
	struct chunk *c = xcalloc(1, sizeof(*c));
	struct why w = { "", "" };
	char what[128];
	size_t len, size;
	long long n;
	char *buf;
	long i, added;

	c->path = xstrdup(path);
	if ((i = path_seen(r, path, &added)) != -1) {
		repeated(r, c, &r->paths.v[i]);
		return NULL;
	}
	c->uoff = a0_import_offset(&r->imp);
	if ((n = load_file(r, path, c->uoff, &buf, &len, &w)) == -1) {
		bad_chunk(r, c, buf, &w);
		return NULL;
	}
	a0_sha256(buf + c->uoff, len, c->sha);
	if (added != -1)
		memcpy(r->paths.v[added].sha, c->sha, sizeof(c->sha));
	if ((size = a0_import_size(&r->imp, len)) > A0_MAX_REQUEST) {
		snprintf(what, sizeof(what), "the request would be %zu bytes, "
		    "over Auth0's limit of %d (split it with a0-chunk)", size,
		    A0_MAX_REQUEST);
		why_set(&w, path, what);
		bad_chunk(r, c, buf, &w);
		return NULL;
	}
	if (skipped(r, c, buf, n))
		return NULL;
	if (r->o->dryrun) {
		dry_line(r, c, n, size);
		putbuf(r, buf);
		free_chunk(r, c);
		return NULL;
	}
	if (r->journal != NULL &&
	    from_journal(r, c, a0_journal_get(r->journal, c->sha))) {
		putbuf(r, buf);
		return NULL;
	}
	if (c->job != NULL) {			/* follow it */
		putbuf(r, buf);
		return c;
	}
	c->users = buf;
	c->ulen = len;
	return c;
}

/* A job of an earlier run, to follow. */
static struct chunk *
follow(const struct a0_jentry *e)
{
	struct chunk *c = xcalloc(1, sizeof(*c));

	c->path = xstrdup(e->path);
	memcpy(c->sha, e->sha, sizeof(c->sha));
	c->job = xstrdup(e->job);
	c->posted = e->time;
	c->uncertain = e->uncertain;
	c->resumed = 1;
	return c;
}

/* ---- the queue of work ---- */

void
enqueue(struct run *r, char *path, struct a0_jentry *e)
{
	struct item *it = xcalloc(1, sizeof(*it));

	it->path = path;
	it->follow = e;
	r->tally.chunks++;
	*r->qtail = it;
	r->qtail = &it->next;
}

static struct item *
dequeue(struct run *r)
{
	struct item *it = r->qhead;

	if (it != NULL && (r->qhead = it->next) == NULL)
		r->qtail = &r->qhead;
	return it;
}

/* A line of stdin too long to be a path (at p, PATHMAX bytes at least):
 * said in a few words, and skipped. */
static void
long_line(struct run *r, const char *p)
{
	int n = SHOWN;

	/* Not in the middle of a UTF-8 character. */
	while (n > 0 && ((unsigned char)p[n] & 0xc0) == 0x80)
		n--;
	warnx("stdin:%lld: a line of more than %d bytes, not a path: "
	    "%.*s\xe2\x80\xa6", r->in.line, PATHMAX, n, p);
	r->tally.bad = 1;
}

/* One path from stdin (s, n bytes, NUL-terminated), or the end of a line
 * too long to be one. */
static void
one_path(struct run *r, char *s, size_t n)
{
	if (r->in.skip) {
		r->in.skip = 0;
		return;
	}
	r->in.line++;
	if (n == 0)
		return;
	if (n >= PATHMAX)
		long_line(r, s);
	else
		enqueue(r, xstrdup(s), NULL);
}

/* Split what stdin gave into paths.  The buffer holds one partial line
 * at most, never more than PATHMAX bytes of it: the rest of a longer
 * one is read and dropped. */
void
read_paths(struct run *r)
{
	char sep = r->o->zflag ? '\0' : '\n', *p, *end, *q;
	ssize_t n;

	if (r->in.cap == 0) {
		r->in.cap = 2 * PATHMAX;
		r->in.buf = xmalloc(r->in.cap + 1);
	}
	if ((n = read(r->in.fd, r->in.buf + r->in.len,
	    r->in.cap - r->in.len)) == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		err(A0_EXIT_IO, "stdin");
	}
	if (n == 0) {
		r->in.eof = 1;
		r->in.fd = -1;
		r->in.buf[r->in.len] = '\0';
		if (r->in.len > 0 || r->in.skip)
			one_path(r, r->in.buf, r->in.len);
		r->in.len = 0;
		return;
	}
	r->in.len += (size_t)n;
	p = r->in.buf;
	end = r->in.buf + r->in.len;
	while ((q = memchr(p, sep, (size_t)(end - p))) != NULL) {
		*q = '\0';
		one_path(r, p, (size_t)(q - p));
		p = q + 1;
	}
	r->in.len = (size_t)(end - p);
	if (r->in.skip)
		r->in.len = 0;
	else if (r->in.len >= PATHMAX) {
		r->in.line++;
		long_line(r, p);
		r->in.skip = 1;
		r->in.len = 0;
	}
	memmove(r->in.buf, p, r->in.len);
}

int
follow_leftovers(struct run *r)
{
	struct a0_jentry *e;
	size_t i;

	if (r->qhead != NULL || !r->in.eof || r->leftovers ||
	    r->journal == NULL || r->o->nowait)
		return 0;
	r->leftovers = 1;
	for (i = 0; (e = a0_journal_entry(r->journal, i)) != NULL; i++)
		if (e->state == A0_J_POSTED && dupset_find(r->seen,
		    dupset_hash(DUP_USER_ID, e->sha, 64)) == 0)
			enqueue(r, NULL, e);
	return 1;
}

struct chunk *
next_chunk(struct run *r)
{
	struct item *it;
	struct chunk *c = NULL;

	while (c == NULL) {
		if ((it = dequeue(r)) == NULL)
			return NULL;
		c = it->follow != NULL ? follow(it->follow) :
		    prepare(r, it->path);
		free(it->path);
		free(it);
	}
	return c;
}
