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
	if (strcmp(e->status, "refused") == 0)
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

	c->path = xstrdup(path);
	c->uoff = a0_import_offset(&r->imp);
	if ((n = load_file(r, path, c->uoff, &buf, &len, &w)) == -1) {
		bad_chunk(r, c, buf, &w);
		return NULL;
	}
	a0_sha256(buf + c->uoff, len, c->sha);
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

/* Split what stdin gave into paths. */
void
read_paths(struct run *r)
{
	char sep = r->o->zflag ? '\0' : '\n', *p, *end;
	ssize_t n;

	if (r->in.len == r->in.cap) {
		r->in.cap = r->in.cap ? r->in.cap * 2 : 8192;
		r->in.buf = xrealloc(r->in.buf, r->in.cap + 1);
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
		if (r->in.len > 0) {
			r->in.buf[r->in.len] = '\0';
			enqueue(r, xstrdup(r->in.buf), NULL);
		}
		r->in.len = 0;
		return;
	}
	r->in.len += (size_t)n;
	p = r->in.buf;
	end = r->in.buf + r->in.len;
	for (;;) {
		char *q = memchr(p, sep, (size_t)(end - p));

		if (q == NULL)
			break;
		*q = '\0';
		if (q > p)
			enqueue(r, xstrdup(p), NULL);
		p = q + 1;
	}
	r->in.len = (size_t)(end - p);
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
