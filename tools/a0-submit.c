/*
 * a0-submit: post each chunk file to Auth0 as one user import job, follow
 * the jobs to their end, and print one result line per chunk.
 *
 * One thread drives everything: up to -j job slots, each a small state
 * machine (post, poll, fetch errors) over its own reused libcurl handle,
 * the chunk paths read from stdin as they arrive, and the signal pipe.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "a0.h"

#define MAXSLOTS	16
#define POLL_FIRST_MS	200.0	/* first look at a new job */
#define POLL_MIN_MS	200.0	/* never poll one job more often */
#define POLL_MAX_MS	30000.0	/* nor less often */
#define POLL_LATE_MS	15.0	/* after the end a job's progress foretells */
#define ROOM		64	/* bytes after the users: the last boundary */
/* A chunk's buffer: the largest request and the multipart text. */
#define BUFCAP		(A0_MAX_REQUEST + A0_ENVELOPE_RESERVE + ROOM)
#define DAY		86400	/* Auth0 deletes job data after a day */

/* One chunk on its way through a slot. */
struct chunk {
	char		*path;
	char		 sha[65];
	char		*users;		/* the users file, at uoff, with room
					   for the multipart text around */
	size_t		 uoff, ulen;
	int		 pooled;	/* body is a buffer of the pool */
	char		*body;		/* the request, made when first sent */
	size_t		 bodylen;
	char		*job;
	long long	 posted;	/* epoch seconds */
	double		 t0;		/* monotonic ms when posted */
	int		 intent;	/* the journal has our intent */
	int		 uncertain;	/* posts whose answer was lost */
	int		 resumed;	/* a job an earlier run posted */
	long long	 earlier;	/* failures from such a post */
	struct a0_jobinfo ji;
	double		 tpct;		/* when percentage_done was pct */
	long long	 pct;		/* the last percentage_done, or -1 */
	double		 lo;		/* ms after t0 of the last look that
					   found the job running */
};

enum step { ST_IDLE, ST_POST, ST_POLL, ST_ERRORS };

struct slot {
	struct a0_http	*h;
	struct chunk	*c;
	enum step	 step;
	int		 inflight;
	int		 waitjob;	/* until one of our jobs ends */
	int		 quiet;		/* --no-wait: only holding a job slot */
	double		 wake;		/* monotonic ms of the next request */
	double		 first;		/* of the current request's first try */
	double		 sent;		/* when the current request went out */
	int		 attempt;	/* failed tries of this request */
	int		 renewed;	/* the token was renewed for it */
	unsigned	 tokgen;	/* the token it was sent with */
};

/* A path to post, or a job of an earlier run to follow. */
struct item {
	char		*path;
	struct a0_jentry *follow;
	struct item	*next;
};

static int zflag, nowait, dryrun, debug, nocolor, upsert, email = 1;
static const char *cflag, *Cflag, *xflag = "", *sflag, *rflag, *tenant;
static long long jflag = 2;

static struct a0_api api;
static struct a0_import imp;
static struct a0_hpool *pool;
static struct slot slots[MAXSLOTS];
static struct a0_journal *journal;
static struct dupset *seen;
static struct item *qhead, **qtail = &qhead;
static unsigned tokgen;
static long long tokmargin;
static int rejfd = -1, sigfd[2] = { -1, -1 }, progress, color;
static int retry_max = A0_RETRY_ATTEMPTS;
static long retry_ms = A0_RETRY_MS;
static long stall = A0_HTTP_STALL;
static volatile sig_atomic_t gotsig;

/*
 * When this run's jobs end, in ms after their post was answered: each
 * ended after the last look that found it running (lo) and by the look
 * that found it done (hi).  The jobs of a run are alike, so the next
 * one is looked at near that end instead of at guesses spread over its
 * life, and each look there narrows the span.
 */
static struct {
	int	 have;
	double	 lo, hi;
} ends;

/* Reading chunk paths from stdin as they come. */
static struct {
	int	 fd;
	char	*buf;
	size_t	 len, cap;
	int	 eof;
} in = { -1, NULL, 0, 0, 1 };

/* What the run has seen, for the exit status and the progress line. */
static struct {
	long long	 chunks, done, inserted, updated, failed;
	int		 refused, bad, userfail;
} tally;

static void
usage(FILE *f, int status)
{
	/* -h writes to stdout, which may fail like any output. */
	fprintf(f, "usage: a0-submit [-0] [-c name | -C con_id] "
	    "[--upsert[=bool]]\n"
	    "\t[--email-results[=bool]] [-x external_id] [-s state] "
	    "[-r rejects]\n"
	    "\t[-j jobs] [--no-wait] [--dry-run] [--tenant domain] "
	    "[--debug]\n"
	    "\t[--no-color] [file ...]\n");
	if (f == stdout && a0_flush_stdout() == -1)
		err(A0_EXIT_IO, "stdout");
	exit(status);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static long long
epoch(void)
{
	return (long long)time(NULL);
}

/* ---- output ---- */

struct sbuf {
	char	*p;
	size_t	 len, cap;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_fmt(struct sbuf *b, const char *fmt, ...)
{
	char s[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	sb_add(b, s, n < 0 ? 0 : (size_t)n >= sizeof(s) ? sizeof(s) - 1 :
	    (size_t)n);
}

/* s as a JSON string, or null. */
static void
sb_str(struct sbuf *b, const char *s)
{
	const char *p;
	char e[8];

	if (s == NULL) {
		sb_add(b, "null", 4);
		return;
	}
	sb_add(b, "\"", 1);
	for (p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\') {
			e[0] = '\\';
			e[1] = (char)c;
			sb_add(b, e, 2);
		} else if (c < 0x20) {
			snprintf(e, sizeof(e), "\\u%04x", c);
			sb_add(b, e, 6);
		} else
			sb_add(b, p, 1);
	}
	sb_add(b, "\"", 1);
}

/* Write a line to stdout now: a reader downstream acts on it at once. */
static void
emit(struct sbuf *b)
{
	if (progress)
		fputs("\r\033[K", stderr);
	sb_add(b, "\n", 1);
	if (fwrite(b->p, 1, b->len, stdout) != b->len || fflush(stdout) == EOF)
		err(A0_EXIT_IO, "stdout");
	free(b->p);
}

/* One result line for a chunk. */
static void
result(const struct chunk *c, const char *status, const char *error,
    int journaled)
{
	struct sbuf b = { NULL, 0, 0 };

	sb_add(&b, "{\"file\":", 8);
	sb_str(&b, c->path);
	sb_add(&b, ",\"sha256\":", 10);
	sb_str(&b, c->sha[0] ? c->sha : NULL);
	sb_add(&b, ",\"job_id\":", 10);
	sb_str(&b, c->job);
	sb_add(&b, ",\"status\":", 10);
	sb_str(&b, status);
	sb_fmt(&b, ",\"inserted\":%lld,\"updated\":%lld,\"failed\":%lld,"
	    "\"total\":%lld", c->ji.inserted, c->ji.updated, c->ji.failed,
	    c->ji.total);
	if (c->uncertain > 0)
		sb_fmt(&b, ",\"uncertain_posts\":%d", c->uncertain);
	if (c->earlier > 0)
		sb_fmt(&b, ",\"earlier_duplicates\":%lld", c->earlier);
	if (c->resumed)
		sb_add(&b, ",\"resumed\":true", 15);
	if (journaled)
		sb_add(&b, ",\"from_journal\":true", 20);
	if (c->ji.details != NULL) {
		sb_add(&b, ",\"details\":", 11);
		sb_str(&b, c->ji.details);
	}
	if (error != NULL) {
		sb_add(&b, ",\"error\":", 9);
		sb_str(&b, error);
	}
	sb_add(&b, "}", 1);
	emit(&b);
}

/* The progress line, redrawn when it changes. */
static void
show_progress(void)
{
	static char last[256];
	char line[256];
	int i, running = 0;

	if (!progress)
		return;
	for (i = 0; i < jflag; i++)
		running += slots[i].c != NULL && slots[i].c->job != NULL;
	snprintf(line, sizeof(line), "a0-submit: %lld/%lld%s chunks, "
	    "%d running, %lld inserted, %lld updated, %s%lld failed%s",
	    tally.done, tally.chunks, in.eof ? "" : "+", running,
	    tally.inserted, tally.updated, color && tally.failed ?
	    "\033[31m" : "", tally.failed, color && tally.failed ?
	    "\033[0m" : "");
	if (strcmp(line, last) == 0)
		return;
	memcpy(last, line, sizeof(last));
	fprintf(stderr, "\r\033[K%s", line);
}

/* The --debug trace, with the secrets scrubbed once more. */
static void
trace(void *arg, const char *line)
{
	const char *secrets[2];
	char *s = xstrdup(line), *p, *n;
	int i;

	(void)arg;
	secrets[0] = api.client_secret;
	secrets[1] = api.token;
	for (i = 0; i < 2; i++) {
		if (secrets[i] == NULL || strlen(secrets[i]) < 4)
			continue;
		while ((p = strstr(s, secrets[i])) != NULL) {
			n = xmalloc(strlen(s) + 16);
			snprintf(n, strlen(s) + 16, "%.*s[redacted]%s",
			    (int)(p - s), s, p + strlen(secrets[i]));
			free(s);
			s = n;
		}
	}
	if (progress)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "a0-submit: debug: %s\n", s);
	free(s);
}

/* ---- the end of a run ---- */

static void
leave(int status)
{
	if (progress)
		fputs("\r\033[K", stderr);
	if (a0_flush_stdout() == -1) {
		warn("stdout");
		status = A0_EXIT_IO;
	}
	a0_journal_close(journal);
	exit(status);
}

static const char *
resume_hint(void)
{
	static char s[256];

	if (sflag != NULL)
		snprintf(s, sizeof(s), "run again with -s %s to resume",
		    sflag);
	else
		snprintf(s, sizeof(s), "run again (with -s state to skip "
		    "the chunks already imported)");
	return s;
}

static void
interrupted(void)
{
	warnx("interrupted; %s", resume_hint());
	leave(A0_EXIT_TEMP);
}

static void
on_signal(int sig)
{
	int save = errno;

	(void)sig;
	gotsig = 1;
	if (write(sigfd[1], "x", 1) == -1)
		errno = save;
	errno = save;
}

/* A refusal that no other chunk can get past: stop now. */
static void
fatal(int status, const char *what, const struct a0_resp *r)
{
	char msg[512];

	a0_api_message(r, msg, sizeof(msg));
	warnx("%s: %s", what, msg);
	leave(status);
}

/* ---- waiting for the network while a synchronous step runs ---- */

static void
pump(long timeout_ms)
{
	struct pollfd fd = { 0, POLLIN, 0 };

	fd.fd = sigfd[0];
	if (a0_hpool_run(pool, timeout_ms, &fd, 1) == -1)
		errx(A0_EXIT_TEMP, "libcurl failed");
	if (gotsig)
		interrupted();
}

static const struct a0_resp *
perform(struct slot *s)
{
	while (!a0_http_done(s->h))
		pump(100);
	return a0_http_take(s->h);
}

static void
sleep_ms(double ms)
{
	double until = now_ms() + ms;

	while (now_ms() < until)
		pump((long)(until - now_ms()) + 1);
}

/* Bounds spent: stop, naming what failed and how to go on. */
static void
giveup(const char *what, const struct a0_resp *r, int tries)
{
	char msg[512];

	a0_api_message(r, msg, sizeof(msg));
	warnx("%s: %s: gave up after %d tries; %s", what, msg, tries,
	    resume_hint());
	leave(A0_EXIT_TEMP);
}

/* A request made once per run (token, connection), tried until it gets
 * a final answer. */
static const struct a0_resp *
once(struct slot *s, const char *what, int (*start)(struct slot *))
{
	const struct a0_resp *r;
	struct a0_retry q;
	double first = now_ms();
	long d;
	int attempt;

	for (attempt = 1;; attempt++) {
		if (start(s) == -1)
			errx(A0_EXIT_TEMP, "%s: %s", what,
			    a0_http_take(s->h)->err);
		r = perform(s);
		memset(&q, 0, sizeof(q));
		q.net = r->net;
		q.status = r->status;
		q.retry_after = r->retry_after;
		q.reset = r->reset;
		q.now = epoch();
		q.renewed = 1;
		q.attempt = attempt;
		q.elapsed_ms = (long)(now_ms() - first);
		q.max_attempts = retry_max;
		q.max_ms = retry_ms;
		q.rnd = (unsigned long)rand();
		switch (a0_retry_decide(&q, &d)) {
		case A0_RETRY_AFTER:
			sleep_ms((double)d);
			continue;
		case A0_RETRY_GIVEUP:
			giveup(what, r, attempt);
			break;
		default:
			if (r->net == A0_NET_FATAL)
				fatal(A0_EXIT_TEMP, what, r);
			return r;
		}
	}
}

static int
start_token(struct slot *s)
{
	return a0_req_token(s->h, &api);
}

static void
renew_token(struct slot *s)
{
	const struct a0_resp *r;

	if (api.client_id == NULL)
		errx(A0_EXIT_API, "%s: the token in AUTH0_API_TOKEN was "
		    "refused or has expired", api.base);
	r = once(s, "POST /oauth/token", start_token);
	if (a0_take_token(&api, r, epoch()) == -1)
		fatal(A0_EXIT_API, "POST /oauth/token", r);
	/* Renew a little before it expires: 10% of its life, at most 60 s. */
	tokmargin = api.expires > 0 ? (api.expires - epoch()) / 10 : 0;
	if (tokmargin > 60)
		tokmargin = 60;
	tokgen++;
}

static int
start_connection(struct slot *s)
{
	return a0_req_connection(s->h, &api, cflag);
}

static void
lookup_connection(struct slot *s)
{
	const struct a0_resp *r;
	char *id;
	int i;

	for (i = 0;; i++) {
		r = once(s, "GET /api/v2/connections", start_connection);
		if (r->status == 401 && i == 0) {
			renew_token(s);
			continue;
		}
		break;
	}
	switch (a0_take_connection(r, cflag, &id)) {
	case 1:
		imp.con_id = id;
		return;
	case 0:
		errx(A0_EXIT_API, "%s: no such connection", cflag);
	default:
		fatal(A0_EXIT_API, "GET /api/v2/connections", r);
	}
}

/* ---- chunks ---- */

/*
 * Chunk buffers are kept for the next chunk: a run touches the same
 * few pages instead of faulting in fresh ones for each chunk.
 */
static char *spare[MAXSLOTS + 1];
static int nspare;

static char *
getbuf(void)
{
	return nspare > 0 ? spare[--nspare] : xmalloc(BUFCAP);
}

static void
putbuf(char *b)
{
	if (b == NULL)
		return;
	if (nspare < MAXSLOTS + 1)
		spare[nspare++] = b;
	else
		free(b);
}

static void
free_chunk(struct chunk *c)
{
	if (c == NULL)
		return;
	free(c->path);
	putbuf(c->users);
	if (c->pooled)
		putbuf(c->body);
	else
		free(c->body);
	free(c->job);
	free(c->ji.details);
	free(c);
}

static void
jwrite(int rv)
{
	if (rv == -1)
		err(A0_EXIT_IO, "%s", sflag);
}

/* A chunk that needs no request: report it and forget it. */
static void
drop(struct chunk *c, const char *status, const char *error, int journaled)
{
	tally.done++;
	result(c, status, error, journaled);
	free_chunk(c);
}

/*
 * Read a chunk's records with the strict reader and join them into the
 * users file to send: "[", the records byte for byte separated by ",",
 * "]" and a newline, which is a0-chunk's file byte for byte.  It is put
 * at off in *buf, with room left around it for the rest of the request.
 * Returns the number of records, or -1 with why set; *buf and *len are
 * set either way.
 */
static long long
load(const char *path, size_t off, char **buf, size_t *len, char *why,
    size_t whysz)
{
	struct jstream *js;
	struct jrecord rec;
	const struct jerror *je;
	struct stat st;
	size_t n = 1;
	long long count = 0;
	char *b;
	int fd, r;

	*buf = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &st) == -1) {
		snprintf(why, whysz, "%s", strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(why, whysz, "%s", strerror(EISDIR));
		close(fd);
		return -1;
	}
	b = getbuf();
	b[off] = '[';
	js = jstream_open(fd, A0_MAX_REQUEST);
	while ((r = jstream_next(js, &rec)) == 1) {
		/* Past the limit already: the rest need not be read. */
		if (n + rec.len + 3 > A0_MAX_REQUEST ||
		    off + n + rec.len + 3 + ROOM > BUFCAP) {
			snprintf(why, whysz, "larger than Auth0's limit of %d "
			    "bytes a request", A0_MAX_REQUEST);
			r = -2;
			break;
		}
		if (count++ > 0)
			b[off + n++] = ',';
		memcpy(b + off + n, rec.buf, rec.len);
		n += rec.len;
	}
	if (r == -1) {
		je = jstream_error(js);
		if (je->sys != 0)
			snprintf(why, whysz, "%s", strerror(je->sys));
		else
			snprintf(why, whysz, "%llu:%llu: %s",
			    (unsigned long long)je->line,
			    (unsigned long long)je->col, je->msg);
	}
	jstream_close(js);
	close(fd);
	b[off + n++] = ']';
	b[off + n++] = '\n';
	*buf = b;
	*len = n;
	return r < 0 ? -1 : count;
}

/* A chunk that cannot be sent: say why, and go on with the others. */
static void
bad_chunk(struct chunk *c, char *buf, const char *why)
{
	/* Compiler style when why has a place ("LINE:COL: ..."). */
	warnx("%s%s%s", c->path, why[0] >= '0' && why[0] <= '9' ? ":" : ": ",
	    why);
	putbuf(buf);
	tally.bad = 1;
	drop(c, "error", why, 0);
}

/* --dry-run: what would be posted. */
static void
dry_line(const struct chunk *c, long long n, size_t size)
{
	struct sbuf b = { NULL, 0, 0 };

	sb_add(&b, "{\"file\":", 8);
	sb_str(&b, c->path);
	sb_fmt(&b, ",\"sha256\":\"%s\",\"job_id\":null,\"status\":"
	    "\"dry-run\",\"inserted\":0,\"updated\":0,\"failed\":0,"
	    "\"total\":%lld,\"request_bytes\":%zu,\"connection\":", c->sha, n,
	    size);
	sb_str(&b, Cflag ? Cflag : cflag);
	sb_fmt(&b, ",\"upsert\":%s,\"send_completion_email\":%s,"
	    "\"external_id\":", upsert ? "true" : "false",
	    email ? "true" : "false");
	sb_str(&b, xflag);
	sb_add(&b, "}", 1);
	tally.done++;
	emit(&b);
}

/*
 * What the journal knows of a chunk: 1 when it needs nothing more (its
 * line printed from the journal), else 0 with c set to follow its job
 * or to post it.
 */
static int
from_journal(struct chunk *c, const struct a0_jentry *e)
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
		tally.inserted += e->inserted;
		tally.updated += e->updated;
		tally.failed += e->failed;
		if (strcmp(e->status, "refused") == 0)
			tally.refused = 1;
		else if (e->failed > e->earlier ||
		    strcmp(e->status, "completed") != 0)
			tally.userfail = 1;
		drop(c, e->status, NULL, 1);
		return 1;
	case A0_J_POSTED:
		c->job = xstrdup(e->job);
		c->posted = e->time;
		c->resumed = 1;
		if (nowait) {
			drop(c, "pending", NULL, 0);
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

/* Read a chunk and decide what it needs: NULL when nothing. */
static struct chunk *
prepare(const char *path)
{
	struct chunk *c = xcalloc(1, sizeof(*c));
	char *buf, why[256] = "";
	size_t len, size;
	long long n;
	uint64_t h;

	c->path = xstrdup(path);
	c->uoff = a0_import_offset(&imp);
	if ((n = load(path, c->uoff, &buf, &len, why, sizeof(why))) == -1) {
		bad_chunk(c, buf, why);
		return NULL;
	}
	a0_sha256(buf + c->uoff, len, c->sha);
	if ((size = a0_import_size(&imp, len)) > A0_MAX_REQUEST) {
		snprintf(why, sizeof(why), "the request would be %zu bytes, "
		    "over Auth0's limit of %d (split it with a0-chunk)", size,
		    A0_MAX_REQUEST);
		bad_chunk(c, buf, why);
		return NULL;
	}
	h = dupset_hash(DUP_USER_ID, c->sha, 64);
	if (dupset_find(seen, h) != 0) {
		warnx("%s: same content as an earlier chunk, skipped", path);
		putbuf(buf);
		drop(c, "duplicate", NULL, 0);
		return NULL;
	}
	dupset_add(seen, h, 1);
	if (n == 0) {
		warnx("%s: no records, skipped", path);
		putbuf(buf);
		drop(c, "skipped", NULL, 0);
		return NULL;
	}
	if (dryrun) {
		dry_line(c, n, size);
		putbuf(buf);
		free_chunk(c);
		return NULL;
	}
	if (journal != NULL &&
	    from_journal(c, a0_journal_get(journal, c->sha))) {
		putbuf(buf);
		return NULL;
	}
	if (c->job != NULL) {			/* follow it */
		putbuf(buf);
		return c;
	}
	c->users = buf;
	c->ulen = len;
	return c;
}

/* ---- the queue of work ---- */

static void
enqueue(char *path, struct a0_jentry *follow)
{
	struct item *it = xcalloc(1, sizeof(*it));

	it->path = path;
	it->follow = follow;
	tally.chunks++;
	*qtail = it;
	qtail = &it->next;
}

static struct item *
dequeue(void)
{
	struct item *it = qhead;

	if (it != NULL && (qhead = it->next) == NULL)
		qtail = &qhead;
	return it;
}

/* Split what stdin gave into paths. */
static void
read_paths(void)
{
	char sep = zflag ? '\0' : '\n', *p, *end;
	ssize_t r;

	if (in.len == in.cap) {
		in.cap = in.cap ? in.cap * 2 : 8192;
		in.buf = xrealloc(in.buf, in.cap + 1);
	}
	if ((r = read(in.fd, in.buf + in.len, in.cap - in.len)) == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		err(A0_EXIT_IO, "stdin");
	}
	if (r == 0) {
		in.eof = 1;
		in.fd = -1;
		if (in.len > 0) {
			in.buf[in.len] = '\0';
			enqueue(xstrdup(in.buf), NULL);
		}
		in.len = 0;
		return;
	}
	in.len += (size_t)r;
	p = in.buf;
	end = in.buf + in.len;
	for (;;) {
		char *q = memchr(p, sep, (size_t)(end - p));

		if (q == NULL)
			break;
		*q = '\0';
		if (q > p)
			enqueue(xstrdup(p), NULL);
		p = q + 1;
	}
	in.len = (size_t)(end - p);
	memmove(in.buf, p, in.len);
}

/* Jobs of earlier runs that this run's input did not name. */
static void
follow_leftovers(void)
{
	static int done;
	struct a0_jentry *e;
	size_t i;

	if (done || journal == NULL || nowait)
		return;
	done = 1;
	for (i = 0; (e = a0_journal_entry(journal, i)) != NULL; i++)
		if (e->state == A0_J_POSTED && dupset_find(seen,
		    dupset_hash(DUP_USER_ID, e->sha, 64)) == 0)
			enqueue(NULL, e);
}

static int
ours_running(const struct slot *except)
{
	int i, n = 0;

	for (i = 0; i < jflag; i++)
		if (&slots[i] != except && slots[i].c != NULL &&
		    slots[i].c->job != NULL)
			n++;
	return n;
}

static void
assign(struct slot *s, struct chunk *c)
{
	s->c = c;
	c->pct = -1;
	s->step = c->job ? ST_POLL : ST_POST;
	s->wake = now_ms();
	s->attempt = 0;
	s->renewed = 0;
	s->waitjob = 0;
	s->quiet = 0;
	if (c->resumed) {
		c->t0 = now_ms() - 1000.0 * (double)(epoch() - c->posted);
		if (epoch() - c->posted > DAY)
			warnx("%s: job %s was posted more than 24 hours ago; "
			    "Auth0 may have deleted its status and errors",
			    c->path, c->job);
	}
}

/* Give an idle slot its next chunk. */
static void
fill(struct slot *s)
{
	struct item *it;
	struct chunk *c;

	while (s->c == NULL && (it = dequeue()) != NULL) {
		if (it->follow != NULL) {
			c = xcalloc(1, sizeof(*c));
			c->path = xstrdup(it->follow->path);
			memcpy(c->sha, it->follow->sha, sizeof(c->sha));
			c->job = xstrdup(it->follow->job);
			c->posted = it->follow->time;
			c->uncertain = it->follow->uncertain;
			c->resumed = 1;
		} else
			c = prepare(it->path);
		free(it->path);
		free(it);
		if (c != NULL)
			assign(s, c);
	}
}

/* A job of ours ended: the slots waiting for one may post now. */
static void
release(struct slot *s)
{
	int i;

	free_chunk(s->c);
	s->c = NULL;
	s->step = ST_IDLE;
	s->quiet = 0;
	for (i = 0; i < jflag; i++)
		if (slots[i].waitjob) {
			slots[i].waitjob = 0;
			slots[i].wake = now_ms();
		}
}

/* The chunk is through: journal, result line, tally. */
static void
finish(struct slot *s, const char *status, const char *error)
{
	struct chunk *c = s->c;
	struct a0_jentry e;

	/* A refused chunk is journaled too: it made no job, and a rerun
	 * posts it again without doubt. */
	if (journal != NULL && (c->job != NULL || c->intent)) {
		memset(&e, 0, sizeof(e));
		memcpy(e.sha, c->sha, sizeof(e.sha));
		e.path = c->path;
		e.job = c->job;
		e.status = (char *)status;
		e.inserted = c->ji.inserted;
		e.updated = c->ji.updated;
		e.failed = c->ji.failed;
		e.total = c->ji.total;
		e.earlier = c->earlier;
		e.uncertain = c->uncertain;
		jwrite(a0_journal_done(journal, &e, epoch()));
	}
	tally.done++;
	tally.inserted += c->ji.inserted;
	tally.updated += c->ji.updated;
	tally.failed += c->ji.failed;
	if (strcmp(status, "refused") != 0 && (c->ji.failed > c->earlier ||
	    strcmp(status, "completed") != 0))
		tally.userfail = 1;
	if (c->ji.failed > c->earlier && rflag == NULL)
		warnx("%s: %lld users failed (-r file collects them)",
		    c->path, c->ji.failed - c->earlier);
	result(c, status, error, 0);
	release(s);
}

/* The chunk was refused by the API; the run goes on. */
static void
refuse(struct slot *s, const struct a0_resp *r)
{
	char msg[512];

	a0_api_message(r, msg, sizeof(msg));
	warnx("%s: %s", s->c->path, msg);
	tally.refused = 1;
	finish(s, "refused", msg);
}

/* Append the failed users to the rejects file, flushed. */
static void
write_rejects(struct chunk *c, const struct a0_usererr *l, size_t n)
{
	struct sbuf b = { NULL, 0, 0 };
	struct stat st;
	char *tmp;
	size_t i, m;

	for (i = 0; i < n; i++) {
		if (c->uncertain > 0 && l[i].existing) {
			c->earlier++;
			continue;
		}
		if (rejfd == -1)
			continue;
		m = (size_t)(l[i].ulen > l[i].elen ? l[i].ulen : l[i].elen);
		tmp = xmalloc(m + 1);
		sb_add(&b, "{\"user\":", 8);
		sb_add(&b, tmp, json_compact(l[i].user, (size_t)l[i].ulen,
		    tmp));
		sb_add(&b, ",\"errors\":", 10);
		sb_add(&b, tmp, json_compact(l[i].errors, (size_t)l[i].elen,
		    tmp));
		free(tmp);
		sb_add(&b, ",\"file\":", 8);
		sb_str(&b, c->path);
		sb_add(&b, ",\"job_id\":", 10);
		sb_str(&b, c->job);
		sb_add(&b, "}\n", 2);
	}
	if (b.len > 0) {
		if (a0_write_all(rejfd, b.p, b.len) == -1 ||
		    (fstat(rejfd, &st) == 0 && S_ISREG(st.st_mode) &&
		    fsync(rejfd) == -1))
			err(A0_EXIT_IO, "%s", rflag);
	}
	free(b.p);
}

/* The end that this run's earlier jobs foretell for c, in ms after its
 * post was answered, or -1: a little before the latest time they have
 * been seen done, so that a look there narrows the span either way. */
static double
foretold_end(const struct chunk *c)
{
	if (!ends.have || c->resumed)
		return -1;
	return ends.hi - (ends.hi - ends.lo) / 8;
}

/* A job seen done at hi ms after its post was answered. */
static void
learn(const struct chunk *c, double hi)
{
	if (c->resumed)
		return;
	/* Unlike the jobs before (their spans do not meet): start over. */
	if (!ends.have || c->lo >= ends.hi || hi <= ends.lo) {
		ends.lo = c->lo;
		ends.hi = hi;
	} else {
		if (c->lo > ends.lo)
			ends.lo = c->lo;
		if (hi < ends.hi)
			ends.hi = hi;
	}
	ends.have = 1;
}

/* Looks a quarter of the foretold life apart, the last one at its end;
 * el ms after the post was answered, the delay to the next. */
static double
aimed(double end, double el)
{
	double q = end / 4 < POLL_MIN_MS ? POLL_MIN_MS : end / 4;

	return end - el < q * 1.5 ? end - el : q;
}

/* When to look at a running job again. */
static double
poll_delay(struct slot *s, const struct a0_resp *r)
{
	struct chunk *c = s->c;
	const struct a0_jobinfo *ji = &c->ji;
	double t = now_ms(), el = t - c->t0, d, eta = -1, win, end;
	int n;

	/* A quarter of the time so far: completion is noticed within a
	 * quarter of the job's duration, in few requests. */
	d = el / 4;
	if (d < POLL_MIN_MS)
		d = POLL_MIN_MS;
	/* Or just after the end that the job's progress foretells, when
	 * that is not much later. */
	if (ji->time_left > 0)
		eta = ji->time_left * 1000.0;
	if (ji->percent > c->pct && c->pct >= 0 && ji->percent < 100)
		eta = (t - c->tpct) * (double)(100 - ji->percent) /
		    (double)(ji->percent - c->pct);
	else if (ji->percent > 0 && ji->percent < 100 && eta < 0)
		eta = el * (double)(100 - ji->percent) / (double)ji->percent;
	if (ji->percent >= 0 && ji->percent != c->pct) {
		c->pct = ji->percent;
		c->tpct = t;
	}
	if (eta >= 0 && eta + POLL_LATE_MS < d * 1.5)
		d = eta + POLL_LATE_MS;
	/* The end the earlier jobs foretell rules: before it, looks a
	 * quarter of that life apart, the last at the end; past it, one
	 * more at the time they were seen done by, then the schedule
	 * above. */
	if ((end = foretold_end(c)) >= 0) {
		if (el < end - 1)
			d = aimed(end, el);
		else if (ends.hi > el + 1 && ends.hi - el < d)
			d = ends.hi - el;
		if (eta >= 0 && eta + POLL_LATE_MS < d)
			d = eta + POLL_LATE_MS;
	}
	if (d > POLL_MAX_MS)
		d = POLL_MAX_MS;
	/* Leave the tenant's rate budget to others: past half of it,
	 * spread what is left over the time until the bucket refills. */
	if (r->remaining >= 0 && r->limit > 0 && r->remaining < r->limit / 2 &&
	    r->reset > 0) {
		n = ours_running(NULL);
		win = 1000.0 * (double)(r->reset - epoch());
		if (win < 1000.0)
			win = 1000.0;
		win = win * (n > 0 ? n : 1) / (double)(r->remaining + 1);
		if (win > d)
			d = win < POLL_MAX_MS ? win : POLL_MAX_MS;
	}
	return d;
}

/* Try the request again later, or not: 1 if it will be. */
static int
again(struct slot *s, const struct a0_resp *r, const char *what)
{
	struct a0_retry q;
	long d;

	memset(&q, 0, sizeof(q));
	q.net = r->net;
	q.status = r->status;
	q.retry_after = r->retry_after;
	q.reset = r->reset;
	q.now = epoch();
	q.busy = s->step == ST_POST && a0_is_busy(r);
	q.ours = ours_running(s);
	q.renewed = s->renewed;
	q.attempt = ++s->attempt;
	q.elapsed_ms = (long)(now_ms() - s->first);
	q.max_attempts = retry_max;
	q.max_ms = retry_ms;
	q.rnd = (unsigned long)rand();
	switch (a0_retry_decide(&q, &d)) {
	case A0_RETRY_AFTER:
		s->wake = now_ms() + (double)d;
		return 1;
	case A0_RETRY_RENEW:
		/* Renew unless another slot already did. */
		if (s->tokgen == tokgen) {
			renew_token(s);
			s->renewed = 1;
		}
		s->wake = now_ms();
		return 1;
	case A0_RETRY_WAITJOB:
		s->waitjob = 1;
		s->attempt = 0;
		return 1;
	case A0_RETRY_GIVEUP:
		giveup(what, r, s->attempt);
		return 0;
	default:
		if (r->net == A0_NET_FATAL)
			fatal(A0_EXIT_TEMP, what, r);
		if (r->status == 401 || r->status == 403)
			fatal(A0_EXIT_API, what, r);
		return 0;
	}
}

/* Start the slot's next request. */
static void
send_request(struct slot *s)
{
	struct chunk *c = s->c;
	int rv;

	if (api.token == NULL || (api.expires > 0 && api.client_id != NULL &&
	    epoch() >= api.expires - tokmargin))
		renew_token(s);
	if (s->step == ST_POST && imp.con_id == NULL)
		lookup_connection(s);
	switch (s->step) {
	case ST_POST:
		if (c->body == NULL) {
			c->body = a0_import_frame(&imp, c->users, c->uoff,
			    c->ulen, &c->bodylen);
			c->pooled = c->body == c->users;
			c->users = NULL;
		}
		if (journal != NULL && !c->intent) {
			jwrite(a0_journal_intent(journal, c->sha, c->path,
			    epoch()));
			c->intent = 1;
		}
		rv = a0_req_import(s->h, &api, &imp, c->body, c->bodylen);
		break;
	case ST_POLL:
		rv = a0_req_job(s->h, &api, c->job);
		break;
	default:
		rv = a0_req_job_errors(s->h, &api, c->job);
		break;
	}
	if (rv == -1)
		errx(A0_EXIT_TEMP, "%s: %s", c->path, a0_http_take(s->h)->err);
	s->sent = now_ms();
	if (s->attempt == 0)
		s->first = s->sent;
	s->tokgen = tokgen;
	s->inflight = 1;
}

/* May a job slot still be needed (--no-wait holds one only then)? */
static int
more_to_come(void)
{
	int i;

	for (i = 0; i < jflag; i++)
		if (slots[i].step == ST_POST)
			return 1;
	return qhead != NULL || !in.eof;
}

static void
posted(struct slot *s, const struct a0_resp *r)
{
	struct chunk *c = s->c;
	struct sbuf b = { NULL, 0, 0 };
	char what[64];

	if (r->resent) {
		/* libcurl sent it twice: the first may have made a job. */
		c->uncertain++;
		if (journal != NULL)
			jwrite(a0_journal_lost(journal, c->sha, c->path,
			    epoch()));
	}
	if ((c->job = a0_take_job_id(r)) == NULL) {
		snprintf(what, sizeof(what), "%s", "answer without a job id");
		warnx("%s: %s", c->path, what);
		tally.refused = 1;
		finish(s, "refused", what);
		return;
	}
	c->posted = epoch();
	c->t0 = now_ms();
	if (c->pooled)
		putbuf(c->body);
	else
		free(c->body);
	c->body = NULL;
	if (journal != NULL)
		jwrite(a0_journal_posted(journal, c->sha, c->path, c->job,
		    c->posted));
	s->step = ST_POLL;
	s->wake = c->t0 + (foretold_end(c) >= 0 ? aimed(foretold_end(c), 0) :
	    POLL_FIRST_MS);
	if (!nowait)
		return;
	sb_add(&b, "{\"file\":", 8);
	sb_str(&b, c->path);
	sb_fmt(&b, ",\"sha256\":\"%s\",\"job_id\":", c->sha);
	sb_str(&b, c->job);
	sb_add(&b, ",\"status\":\"pending\"", 19);
	if (c->uncertain > 0)
		sb_fmt(&b, ",\"uncertain_posts\":%d", c->uncertain);
	sb_add(&b, "}", 1);
	tally.done++;
	emit(&b);
	/* Hold the job slot until the job ends only while more chunks may
	 * need it. */
	s->quiet = 1;
}

/* A request of slot s is answered. */
static void
complete(struct slot *s)
{
	const struct a0_resp *r = a0_http_take(s->h);
	struct chunk *c = s->c;
	struct a0_usererr *l;
	size_t n;
	char what[96];

	s->inflight = 0;
	switch (s->step) {
	case ST_POST:
		if (r->net == A0_NET_OK && r->status / 100 == 2) {
			s->attempt = 0;
			s->renewed = 0;
			posted(s, r);
			return;
		}
		/* Sent, then no answer: the job may exist all the same. */
		if ((r->net == A0_NET_TIMEOUT || r->net == A0_NET_DROPPED) &&
		    (r->sent || r->resent)) {
			c->uncertain++;
			if (journal != NULL)
				jwrite(a0_journal_lost(journal, c->sha,
				    c->path, epoch()));
		}
		snprintf(what, sizeof(what), "%s: POST "
		    "/api/v2/jobs/users-imports", c->path);
		if (again(s, r, what))
			return;
		if (r->status == 400 && strstr(r->body, "onnection") != NULL)
			fatal(A0_EXIT_API, what, r);
		refuse(s, r);
		return;
	case ST_POLL:
		if (r->net == A0_NET_OK && r->status == 200 &&
		    a0_take_job(r, &c->ji) == 0) {
			s->attempt = 0;
			s->renewed = 0;
			if (strcmp(c->ji.status, "completed") != 0 &&
			    strcmp(c->ji.status, "failed") != 0 &&
			    strcmp(c->ji.status, "expired") != 0) {
				c->lo = s->sent - c->t0;
				s->wake = now_ms() + poll_delay(s, r);
				return;
			}
			learn(c, s->sent - c->t0);
			if (s->quiet) {
				release(s);
				return;
			}
			if (c->ji.failed > 0) {
				s->step = ST_ERRORS;
				s->wake = now_ms();
				return;
			}
			finish(s, c->ji.status, NULL);
			return;
		}
		snprintf(what, sizeof(what), "%s: GET /api/v2/jobs/%s",
		    c->path, c->job);
		if (r->net == A0_NET_OK && r->status == 200)
			fatal(A0_EXIT_API, what, r);
		if (again(s, r, what))
			return;
		if (r->status == 404 && epoch() - c->posted > DAY) {
			finish(s, "expired", "Auth0 deleted the job's data "
			    "after 24 hours");
			return;
		}
		refuse(s, r);
		return;
	case ST_ERRORS:
		if (r->net == A0_NET_OK &&
		    a0_take_job_errors(r, &l, &n) == 0) {
			write_rejects(c, l, n);
			free(l);
			finish(s, c->ji.status, NULL);
			return;
		}
		snprintf(what, sizeof(what), "%s: GET /api/v2/jobs/%s/errors",
		    c->path, c->job);
		if (again(s, r, what))
			return;
		refuse(s, r);
		return;
	default:
		return;
	}
}

/* The main loop: until every chunk is through. */
static int
submit(void)
{
	struct pollfd fds[2];
	struct slot *s;
	double t, timeout;
	int i, nfds, busy;

	for (;;) {
		if (gotsig)
			interrupted();
		for (i = 0; i < jflag; i++)
			fill(&slots[i]);
		if (qhead == NULL && in.eof) {
			follow_leftovers();
			for (i = 0; i < jflag; i++)
				fill(&slots[i]);
		}
		busy = 0;
		t = now_ms();
		timeout = 1000;
		for (i = 0; i < jflag; i++) {
			s = &slots[i];
			if (s->c == NULL || (s->quiet && !more_to_come()))
				continue;
			busy = 1;
			if (s->inflight || s->waitjob)
				continue;
			if (s->wake <= t)
				send_request(s);
			else if (s->wake - t < timeout)
				timeout = s->wake - t;
		}
		show_progress();
		if (!busy && qhead == NULL && in.eof)
			break;
		nfds = 0;
		fds[nfds].fd = sigfd[0];
		fds[nfds++].events = POLLIN;
		if (in.fd != -1) {
			fds[nfds].fd = in.fd;
			fds[nfds++].events = POLLIN;
		}
		/* --dry-run has no network: only stdin to wait for. */
		if (pool == NULL) {
			if (poll(fds, (nfds_t)nfds, (int)timeout + 1) == -1 &&
			    errno != EINTR)
				err(A0_EXIT_IO, "poll");
		} else if (a0_hpool_run(pool, (long)timeout + 1, fds,
		    nfds) == -1)
			errx(A0_EXIT_TEMP, "libcurl failed");
		if (nfds > 1 && fds[1].revents)
			read_paths();
		for (i = 0; i < jflag; i++)
			if (slots[i].inflight && a0_http_done(slots[i].h))
				complete(&slots[i]);
	}
	if (tally.refused)
		return A0_EXIT_API;
	if (tally.bad)
		return A0_EXIT_IO;
	if (tally.userfail)
		return A0_EXIT_REJECT;
	return A0_EXIT_OK;
}

/* ---- setup ---- */

static int
flagbool(const char *name, const char *arg)
{
	int v;

	if (arg == NULL)
		return 1;
	if (a0_parse_bool(arg, &v) == -1) {
		warnx("--%s: %s: not a boolean", name, arg);
		usage(stderr, A0_EXIT_USAGE);
	}
	return v;
}

static int
con_id_ok(const char *s)
{
	int i;

	if (strncmp(s, "con_", 4) != 0 || strlen(s) != 20)
		return 0;
	for (i = 4; i < 20; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return 1;
}

static long long
envnum(const char *name, long long min, long long max, long long dflt)
{
	const char *v = getenv(name), *why;
	long long n;

	if (v == NULL || *v == '\0')
		return dflt;
	if (a0_parse_num(v, min, max, 0, &n, &why) == -1)
		errx(A0_EXIT_USAGE, "%s: %s: %s", name, v, why);
	return n;
}

/* Credentials and tenant from the environment. */
static void
credentials(void)
{
	const char *domain, *why, *tok;

	domain = tenant ? tenant : getenv("AUTH0_DOMAIN");
	if (domain == NULL || *domain == '\0')
		errx(A0_EXIT_USAGE, "AUTH0_DOMAIN is not set (nor --tenant)");
	if ((api.base = a0_api_base(domain, &why)) == NULL)
		errx(A0_EXIT_USAGE, "%s: %s", domain, why);
	if ((tok = getenv("AUTH0_API_TOKEN")) != NULL && *tok != '\0') {
		api.token = xstrdup(tok);
		return;
	}
	api.client_id = getenv("AUTH0_CLIENT_ID");
	api.client_secret = getenv("AUTH0_CLIENT_SECRET");
	if (api.client_id == NULL || *api.client_id == '\0' ||
	    api.client_secret == NULL || *api.client_secret == '\0')
		errx(A0_EXIT_USAGE, "set AUTH0_CLIENT_ID and "
		    "AUTH0_CLIENT_SECRET, or AUTH0_API_TOKEN");
}

static void
setup(void)
{
	struct sigaction sa;
	long bad;
	int i;

	if (!dryrun)
		credentials();
	retry_max = (int)envnum("A0_RETRY_MAX", 1, 1000, A0_RETRY_ATTEMPTS);
	retry_ms = (long)envnum("A0_RETRY_TIME", 1, 86400,
	    A0_RETRY_MS / 1000) * 1000;
	stall = (long)envnum("A0_TIMEOUT", 1, 86400, A0_HTTP_STALL);
	imp.con_id = Cflag;
	imp.external_id = xflag;
	imp.upsert = upsert;
	imp.email = email;
	a0_import_boundary(&imp);
	seen = dupset_new();
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	progress = isatty(STDERR_FILENO);
	color = progress && !nocolor && getenv("NO_COLOR") == NULL;
	if (pipe(sigfd) == -1)
		err(A0_EXIT_IO, "pipe");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (dryrun)
		return;
	if (sflag != NULL && a0_journal_open(sflag, &journal, &bad) == -1) {
		if (errno == EINVAL)
			errx(A0_EXIT_IO, "%s:%ld: not an a0-submit journal "
			    "line", sflag, bad);
		err(A0_EXIT_IO, "%s", sflag);
	}
	if (rflag != NULL && (rejfd = a0_open_private(rflag,
	    O_WRONLY | O_APPEND)) == -1)
		err(A0_EXIT_IO, "%s", rflag);
	if (a0_http_global() == -1 || (pool = a0_hpool_new()) == NULL)
		errx(A0_EXIT_TEMP, "libcurl cannot start");
	for (i = 0; i < jflag; i++)
		if ((slots[i].h = a0_http_new(pool, stall,
		    debug ? trace : NULL, NULL)) == NULL)
			errx(A0_EXIT_TEMP, "libcurl cannot start");
}

int
main(int argc, char *argv[])
{
	enum { O_UPSERT = 256, O_EMAIL, O_NOWAIT, O_DRYRUN, O_TENANT,
	    O_DEBUG, O_NOCOLOR };
	static const struct option lopts[] = {
		{ "null",		no_argument, NULL, '0' },
		{ "connection-name",	required_argument, NULL, 'c' },
		{ "connection-id",	required_argument, NULL, 'C' },
		{ "upsert",		optional_argument, NULL, O_UPSERT },
		{ "email-results",	optional_argument, NULL, O_EMAIL },
		{ "external-id",	required_argument, NULL, 'x' },
		{ "state",		required_argument, NULL, 's' },
		{ "rejects",		required_argument, NULL, 'r' },
		{ "jobs",		required_argument, NULL, 'j' },
		{ "no-wait",		no_argument, NULL, O_NOWAIT },
		{ "dry-run",		no_argument, NULL, O_DRYRUN },
		{ "tenant",		required_argument, NULL, O_TENANT },
		{ "debug",		no_argument, NULL, O_DEBUG },
		{ "no-color",		no_argument, NULL, O_NOCOLOR },
		{ "help",		no_argument, NULL, 'h' },
		{ "version",		no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *why;
	const char *p;
	int ch, i, stdin_list = 0;

	while ((ch = getopt_long(argc, argv, "0c:C:x:s:r:j:hV", lopts,
	    NULL)) != -1) {
		switch (ch) {
		case '0':
			zflag = 1;
			break;
		case 'c':
			cflag = optarg;
			break;
		case 'C':
			Cflag = optarg;
			break;
		case 'x':
			xflag = optarg;
			break;
		case 's':
			sflag = optarg;
			break;
		case 'r':
			rflag = optarg;
			break;
		case 'j':
			if (a0_parse_num(optarg, 1, MAXSLOTS, 0, &jflag,
			    &why) == -1) {
				warnx("-j %s: %s", optarg, why);
				usage(stderr, A0_EXIT_USAGE);
			}
			break;
		case O_UPSERT:
			upsert = flagbool("upsert", optarg);
			break;
		case O_EMAIL:
			email = flagbool("email-results", optarg);
			break;
		case O_NOWAIT:
			nowait = 1;
			break;
		case O_DRYRUN:
			dryrun = 1;
			break;
		case O_TENANT:
			tenant = optarg;
			break;
		case O_DEBUG:
			debug = 1;
			break;
		case O_NOCOLOR:
			nocolor = 1;
			break;
		case 'h':
			usage(stdout, A0_EXIT_OK);
			break;
		case 'V':
			printf("a0-submit %s\n", A0_VERSION);
			if (a0_flush_stdout() == -1)
				err(A0_EXIT_IO, "stdout");
			return A0_EXIT_OK;
		default:
			usage(stderr, A0_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if ((cflag == NULL) == (Cflag == NULL)) {
		warnx("give one of -c name and -C con_id");
		usage(stderr, A0_EXIT_USAGE);
	}
	if (Cflag != NULL && !con_id_ok(Cflag))
		errx(A0_EXIT_USAGE, "-C %s: not a connection id "
		    "(con_ and 16 letters or digits)", Cflag);
	if (strlen(xflag) > A0_MAX_EXTERNAL_ID)
		errx(A0_EXIT_USAGE, "-x: longer than %d bytes",
		    A0_MAX_EXTERNAL_ID);
	for (p = xflag; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			errx(A0_EXIT_USAGE, "-x: control characters are not "
			    "allowed");
	setup();
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0)
			stdin_list = 1;
		else
			enqueue(xstrdup(argv[i]), NULL);
	}
	if (argc == 0 || stdin_list) {
		in.fd = STDIN_FILENO;
		in.eof = 0;
	}
	leave(submit());
}
