/*
 * submit-slot.c: a0-submit's job slots.  Each slot takes a chunk and
 * moves it through its requests (post, poll the job, fetch the failed
 * users), retrying as retry.c decides and looking at a running job as
 * poll.c decides, until the chunk is through: journaled, its result line
 * printed.  submit() runs the slots and stdin together in one loop.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "submit.h"

static int
ours_running(const struct run *r, const struct slot *except)
{
	int i, n = 0;

	for (i = 0; i < r->nslots; i++)
		if (&r->slots[i] != except && r->slots[i].c != NULL &&
		    r->slots[i].c->job != NULL)
			n++;
	return n;
}

/* ---- a slot's chunk, from start to end ---- */

static void
assign(struct run *r, struct slot *s, struct chunk *c)
{
	s->c = c;
	c->pct = -1;
	s->step = c->job ? ST_POLL : ST_POST;
	s->wake = a0_now_ms();
	s->attempt = 0;
	s->renewed = 0;
	s->waitjob = 0;
	s->quiet = 0;
	if (c->resumed) {
		say(r, "Job with ID '%s' resumed.", c->job);
		c->t0 = a0_now_ms() - 1000.0 * (double)(epoch() - c->posted);
		if (epoch() - c->posted > DAY)
			note(r, "%s: job %s was posted more than 24 hours ago; "
			    "Auth0 may have deleted its status and errors",
			    c->path, c->job);
	}
}

/* Give an idle slot its next chunk. */
static void
fill(struct run *r, struct slot *s)
{
	struct chunk *c;

	if (s->c == NULL && (c = next_chunk(r)) != NULL)
		assign(r, s, c);
}

/* A job of ours ended: the slots waiting for one may post now. */
static void
release(struct run *r, struct slot *s)
{
	int i;

	free_chunk(r, s->c);
	s->c = NULL;
	s->step = ST_IDLE;
	s->quiet = 0;
	for (i = 0; i < r->nslots; i++)
		if (r->slots[i].waitjob) {
			r->slots[i].waitjob = 0;
			r->slots[i].wake = a0_now_ms();
		}
}

/*
 * A job that failed as a whole says so on stderr, with Auth0's reason (its
 * control characters shown as '?'): its result line alone, with no failed
 * users to collect, would leave exit 1 unexplained.
 */
static void
failed_job(const struct chunk *c)
{
	char why[256];
	size_t i;

	snprintf(why, sizeof(why), "%s", c->ji.details != NULL &&
	    c->ji.details[0] != '\0' ? c->ji.details : "Auth0 gave no reason");
	for (i = 0; why[i] != '\0'; i++)
		if ((unsigned char)why[i] < 0x20 || why[i] == 0x7f)
			why[i] = '?';
	warnx("%s: job %s failed: %s", c->path, c->job, why);
}

/* The chunk is through: journal, result line, tally. */
static void
finish(struct run *r, struct slot *s, const char *status, const char *error)
{
	struct chunk *c = s->c;
	struct a0_jentry e;

	/* A refused chunk is journaled too: it made no job, and a rerun
	 * posts it again without doubt. */
	if (r->journal != NULL && (c->job != NULL || c->intent)) {
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
		jwrite(r, a0_journal_done(r->journal, &e, epoch()));
	}
	r->tally.done++;
	r->tally.jobs += c->job != NULL;
	r->tally.total += c->ji.total;
	r->tally.inserted += c->ji.inserted;
	r->tally.updated += c->ji.updated;
	r->tally.failed += c->ji.failed;
	if (strcmp(status, "refused") != 0 && (c->ji.failed > c->earlier ||
	    strcmp(status, "completed") != 0))
		r->tally.userfail = 1;
	/* -f text names each failed user already. */
	if (c->ji.failed > c->earlier && r->o->rflag == NULL && !r->o->text)
		note(r, "%s: %lld users failed (-r file collects them)",
		    c->path, c->ji.failed - c->earlier);
	if (strcmp(status, "failed") == 0)
		failed_job(c);
	result(r, c, status, error, 0);
	release(r, s);
}

/* The chunk was refused by the API; the run goes on. */
static void
refuse(struct run *r, struct slot *s, const struct a0_resp *a)
{
	char msg[512];

	a0_api_message(a, msg, sizeof(msg));
	note(r, "%s: %s", s->c->path, msg);
	r->tally.refused = 1;
	finish(r, s, "refused", msg);
}

/* Append the failed users to the rejects file, flushed. */
static void
write_rejects(struct run *r, struct chunk *c, const struct a0_usererr *l,
    size_t n)
{
	struct jbuf b = { NULL, 0, 0, 0 };
	struct stat st;
	char *tmp, *red;
	size_t i, m, len;

	for (i = 0; i < n; i++) {
		if (c->uncertain > 0 && l[i].existing) {
			c->earlier++;
			continue;
		}
		say_failed(r, c, &l[i]);
		if (r->rejfd == -1)
			continue;
		m = (size_t)(l[i].ulen > l[i].elen ? l[i].ulen : l[i].elen);
		tmp = xmalloc(m + 1);
		jb_begin(&b, '{');
		jb_kraw(&b, "user", tmp, json_compact(l[i].user,
		    (size_t)l[i].ulen, tmp));
		jb_kraw(&b, "errors", tmp, json_compact(l[i].errors,
		    (size_t)l[i].elen, tmp));
		free(tmp);
		jb_kstr(&b, "file", c->path);
		jb_kstr(&b, "job_id", c->job);
		jb_end(&b, '}');
		jb_add(&b, "\n", 1);
		b.comma = 0;
	}
	/* The users come from the server's answer: no echoed secret. */
	if (b.len > 0 && (red = a0_http_unsecret(b.p, b.len, &len)) != NULL) {
		jb_free(&b);
		b.p = red;
		b.len = len;
	}
	if (b.len > 0) {
		if (a0_write_all(r->rejfd, b.p, b.len) == -1 ||
		    (fstat(r->rejfd, &st) == 0 && S_ISREG(st.st_mode) &&
		    fsync(r->rejfd) == -1))
			err(A0_EXIT_IO, "%s", r->o->rflag);
	}
	jb_free(&b);
}

/* When to look at a running job again: poll.c's answer, from what the
 * job, the run and the rate limit say. */
static double
poll_delay(struct run *r, struct slot *s, const struct a0_resp *a)
{
	struct chunk *c = s->c;
	struct a0_poll p;
	double t = a0_now_ms();

	p.el = t - c->t0;
	p.percent = c->ji.percent;
	p.prev = c->pct;
	p.since_prev = t - c->tpct;
	p.time_left = c->ji.time_left;
	p.resumed = c->resumed;
	p.ends = r->ends;
	p.remaining = a->remaining;
	p.limit = a->limit;
	p.reset = a->reset;
	p.now = epoch();
	p.running = ours_running(r, NULL);
	if (c->ji.percent >= 0 && c->ji.percent != c->pct) {
		c->pct = c->ji.percent;
		c->tpct = t;
	}
	return a0_poll_delay(&p);
}

/* Try the request again later, or not: 1 if it will be. */
static int
again(struct run *r, struct slot *s, const struct a0_resp *a,
    const char *what)
{
	struct a0_retry q;
	long d;

	memset(&q, 0, sizeof(q));
	q.busy = s->step == ST_POST && a0_is_busy(a);
	q.ours = ours_running(r, s);
	q.renewed = s->renewed;
	q.attempt = ++s->attempt;
	switch (decide(r, a, s->first, &q, &d)) {
	case A0_RETRY_AFTER:
		retry_note(r, what, a, d, s->attempt + 1);
		s->wake = a0_now_ms() + (double)d;
		return 1;
	case A0_RETRY_RENEW:
		/* Renew unless another slot already did. */
		if (s->tokgen == r->tokgen) {
			renew_token(r, s);
			s->renewed = 1;
		}
		s->wake = a0_now_ms();
		return 1;
	case A0_RETRY_WAITJOB:
		s->waitjob = 1;
		s->attempt = 0;
		return 1;
	case A0_RETRY_GIVEUP:
		giveup(r, what, a, s->attempt, s->first);
	default:
		if (a->net == A0_NET_FATAL)
			fatal(r, A0_EXIT_TEMP, what, a);
		if (a->status == 401 || a->status == 403)
			fatal(r, A0_EXIT_API, what, a);
		return 0;
	}
}

/* Start the slot's next request. */
static void
send_request(struct run *r, struct slot *s)
{
	struct chunk *c = s->c;
	struct a0_api *api = &r->api;
	int rv;

	if (api->token == NULL || (api->expires > 0 &&
	    api->client_id != NULL && epoch() >= api->expires - r->tokmargin))
		renew_token(r, s);
	if (s->step == ST_POST && r->imp.con_id == NULL)
		lookup_connection(r, s);
	switch (s->step) {
	case ST_POST:
		if (c->body == NULL) {
			c->body = a0_import_frame(&r->imp, c->users, c->uoff,
			    c->ulen, &c->bodylen);
			c->pooled = c->body == c->users;
			c->users = NULL;
		}
		if (r->journal != NULL && !c->intent) {
			jwrite(r, a0_journal_intent(r->journal, c->sha,
			    c->path, epoch()));
			c->intent = 1;
		}
		rv = a0_req_import(s->h, api, &r->imp, c->body, c->bodylen);
		break;
	case ST_POLL:
		rv = a0_req_job(s->h, api, c->job);
		break;
	default:
		rv = a0_req_job_errors(s->h, api, c->job);
		break;
	}
	if (rv == -1)
		errx(A0_EXIT_TEMP, "%s: %s", c->path, a0_http_take(s->h)->err);
	s->sent = a0_now_ms();
	if (s->attempt == 0)
		s->first = s->sent;
	s->tokgen = r->tokgen;
	s->inflight = 1;
}

/* May a job slot still be needed (--no-wait holds one only then)? */
static int
more_to_come(const struct run *r)
{
	int i;

	for (i = 0; i < r->nslots; i++)
		if (r->slots[i].step == ST_POST)
			return 1;
	return r->qhead != NULL || !r->in.eof;
}

/* --no-wait: the job is posted, and that is the chunk's result. */
static void
pending_line(struct run *r, const struct chunk *c)
{
	struct jbuf b = { NULL, 0, 0, 0 };

	jb_begin(&b, '{');
	jb_kstr(&b, "file", c->path);
	jb_kstr(&b, "sha256", c->sha);
	jb_kstr(&b, "job_id", c->job);
	jb_kstr(&b, "status", "pending");
	if (c->uncertain > 0)
		jb_kint(&b, "uncertain_posts", c->uncertain);
	jb_end(&b, '}');
	r->tally.done++;
	emit(r, &b);
}

static void
posted(struct run *r, struct slot *s, const struct a0_resp *a)
{
	struct chunk *c = s->c;
	char what[64];

	if (a->resent) {
		/* libcurl sent it twice: the first may have made a job. */
		c->uncertain++;
		if (r->journal != NULL)
			jwrite(r, a0_journal_lost(r->journal, c->sha,
			    c->path, epoch()));
	}
	if ((c->job = a0_take_job_id(a)) == NULL) {
		snprintf(what, sizeof(what), "%s", "answer without a job id");
		note(r, "%s: %s", c->path, what);
		r->tally.refused = 1;
		finish(r, s, "refused", what);
		return;
	}
	c->posted = epoch();
	c->t0 = a0_now_ms();
	if (c->pooled)
		putbuf(r, c->body);
	else
		free(c->body);
	c->body = NULL;
	if (r->journal != NULL)
		jwrite(r, a0_journal_posted(r->journal, c->sha, c->path,
		    c->job, c->posted));
	s->step = ST_POLL;
	s->wake = c->t0 + a0_poll_first(&r->ends);
	say(r, "Job with ID '%s' successfully started.", c->job);
	if (!r->o->nowait)
		return;
	pending_line(r, c);
	/* Hold the job slot until the job ends only while more chunks may
	 * need it. */
	s->quiet = 1;
}

/* The answer to a post. */
static void
post_done(struct run *r, struct slot *s, const struct a0_resp *a)
{
	struct chunk *c = s->c;
	char what[96];

	if (a->net == A0_NET_OK && a->status / 100 == 2) {
		s->attempt = 0;
		s->renewed = 0;
		posted(r, s, a);
		return;
	}
	/* Sent, then no answer: the job may exist all the same. */
	if ((a->net == A0_NET_TIMEOUT || a->net == A0_NET_DROPPED) &&
	    (a->sent || a->resent)) {
		c->uncertain++;
		if (r->journal != NULL)
			jwrite(r, a0_journal_lost(r->journal, c->sha, c->path,
			    epoch()));
	}
	snprintf(what, sizeof(what), "%s: POST /api/v2/jobs/users-imports",
	    c->path);
	if (again(r, s, a, what))
		return;
	if (a->status == 400 && strstr(a->body, "onnection") != NULL)
		fatal(r, A0_EXIT_API, what, a);
	refuse(r, s, a);
}

/* A job seen: running still, or ended. */
static void
job_seen(struct run *r, struct slot *s, const struct a0_resp *a)
{
	struct chunk *c = s->c;

	s->attempt = 0;
	s->renewed = 0;
	if (strcmp(c->ji.status, "completed") != 0 &&
	    strcmp(c->ji.status, "failed") != 0 &&
	    strcmp(c->ji.status, "expired") != 0) {
		c->lo = s->sent - c->t0;
		s->wake = a0_now_ms() + poll_delay(r, s, a);
		return;
	}
	if (!c->resumed)
		a0_poll_learn(&r->ends, c->lo, s->sent - c->t0);
	if (s->quiet) {
		release(r, s);
		return;
	}
	if (c->ji.failed > 0) {
		s->step = ST_ERRORS;
		s->wake = a0_now_ms();
		return;
	}
	finish(r, s, c->ji.status, NULL);
}

/* The answer to a look at a job. */
static void
poll_done(struct run *r, struct slot *s, const struct a0_resp *a)
{
	struct chunk *c = s->c;
	char what[96];

	if (a->net == A0_NET_OK && a->status == 200 &&
	    a0_take_job(a, &c->ji) == 0) {
		job_seen(r, s, a);
		return;
	}
	snprintf(what, sizeof(what), "%s: GET /api/v2/jobs/%s", c->path,
	    c->job);
	if (a->net == A0_NET_OK && a->status == 200)
		fatal(r, A0_EXIT_API, what, a);
	if (again(r, s, a, what))
		return;
	if (a->status == 404 && epoch() - c->posted > DAY) {
		finish(r, s, "expired", "Auth0 deleted the job's data after "
		    "24 hours");
		return;
	}
	/* Restored, moved or lost: its users may or may not be there. */
	if (a->net == A0_NET_OK && a->status == 404) {
		unknown_job(r, c->path, c->job);
		r->tally.refused = 1;
		finish(r, s, "unknown", "the tenant does not know the job "
		    "(404): whether its users were imported is not known");
		return;
	}
	refuse(r, s, a);
}

/* The answer to a request for a job's failed users. */
static void
errors_done(struct run *r, struct slot *s, const struct a0_resp *a)
{
	struct chunk *c = s->c;
	struct a0_usererr *l;
	size_t n;
	char what[96];

	if (a->net == A0_NET_OK && a0_take_job_errors(a, &l, &n) == 0) {
		write_rejects(r, c, l, n);
		free(l);
		finish(r, s, c->ji.status, NULL);
		return;
	}
	snprintf(what, sizeof(what), "%s: GET /api/v2/jobs/%s/errors",
	    c->path, c->job);
	if (again(r, s, a, what))
		return;
	refuse(r, s, a);
}

/* ---- a polite stop ---- */

/* A post answered while the run stops: journal what it made. */
static void
post_stopped(struct run *r, struct slot *s, const struct a0_resp *a)
{
	struct chunk *c = s->c;
	struct a0_jentry e;
	int sent = a->sent || a->resent;

	if (a->net == A0_NET_OK && a->status / 100 == 2) {
		posted(r, s, a);
		return;
	}
	if ((a->net == A0_NET_TIMEOUT || a->net == A0_NET_DROPPED) && sent) {
		c->uncertain++;
		if (r->journal != NULL)
			jwrite(r, a0_journal_lost(r->journal, c->sha, c->path,
			    epoch()));
		return;
	}
	/* Refused (4xx), or not all sent: no job, and the rerun may post
	 * it without doubt.  Anything else (a 5xx of a proxy that may have
	 * passed it on) leaves the intent, a doubt. */
	if (r->journal == NULL || !c->intent || !((a->net == A0_NET_OK &&
	    a->status / 100 == 4) || a->net == A0_NET_CONNECT ||
	    a->net == A0_NET_TIMEOUT || a->net == A0_NET_DROPPED))
		return;
	memset(&e, 0, sizeof(e));
	memcpy(e.sha, c->sha, sizeof(e.sha));
	e.path = c->path;
	e.status = "stopped";
	e.uncertain = c->uncertain;
	jwrite(r, a0_journal_done(r->journal, &e, epoch()));
}

/* The posts still in flight are given up: say what that means. */
static void
abandon(struct run *r, const char *why)
{
	struct slot *s;
	int i;

	for (i = 0; i < r->nslots; i++) {
		s = &r->slots[i];
		if (!s->inflight)
			continue;
		note(r, "%s; %s: the post in flight may have made a job: a "
		    "rerun posts it again and reports it", why, s->c->path);
		a0_http_abort(s->h);
		s->inflight = 0;
	}
}

/*
 * After a signal, before the run ends: the posts in flight are waited
 * for and their jobs journaled, since a post abandoned after its body was
 * sent may have made a job that no journal names, to be posted again by
 * the rerun.  Other requests change nothing and are dropped.  A second
 * signal, or A0_TIMEOUT, abandons the posts.
 */
void
drain(struct run *r)
{
	struct pollfd fd = { 0, POLLIN, 0 };
	struct slot *s;
	double end = a0_now_ms() + 1000.0 * (double)r->stall;
	char b[16];
	int i, n = 0;

	if (r->pool == NULL)
		return;
	for (i = 0; i < r->nslots; i++) {
		s = &r->slots[i];
		if (s->inflight && s->step == ST_POST) {
			n++;
			continue;
		}
		if (a0_http_busy(s->h))
			a0_http_abort(s->h);
		s->inflight = 0;
	}
	if (n > 0)
		note(r, "finishing the requests in flight (a second signal "
		    "stops at once)");
	fd.fd = r->sigfd;
	while (n > 0) {
		if (*r->gotsig > 1) {
			abandon(r, "stopped at once");
			return;
		}
		if (a0_now_ms() >= end) {
			abandon(r, "no answer within A0_TIMEOUT");
			return;
		}
		if (a0_hpool_run(r->pool, 100, &fd, 1) == -1)
			errx(A0_EXIT_TEMP, "libcurl failed");
		/* The first signal's byte, so that poll waits again. */
		if (fd.revents && read(r->sigfd, b, sizeof(b)) == -1 &&
		    errno != EINTR)
			err(A0_EXIT_IO, "signal pipe");
		for (i = 0; i < r->nslots; i++) {
			s = &r->slots[i];
			if (s->inflight && a0_http_done(s->h)) {
				s->inflight = 0;
				n--;
				post_stopped(r, s, a0_http_take(s->h));
			}
		}
	}
}

/* A request of slot s is answered. */
static void
complete(struct run *r, struct slot *s)
{
	const struct a0_resp *a = a0_http_take(s->h);

	s->inflight = 0;
	switch (s->step) {
	case ST_POST:
		post_done(r, s, a);
		break;
	case ST_POLL:
		poll_done(r, s, a);
		break;
	case ST_ERRORS:
		errors_done(r, s, a);
		break;
	default:
		break;
	}
}

/* Start what is due; 1 if a slot has work, with *timeout cut to the
 * next slot's wake. */
static int
start_due(struct run *r, double *timeout)
{
	struct slot *s;
	double t = a0_now_ms();
	int i, busy = 0;

	for (i = 0; i < r->nslots; i++) {
		s = &r->slots[i];
		if (s->c == NULL || (s->quiet && !more_to_come(r)))
			continue;
		busy = 1;
		if (s->inflight || s->waitjob)
			continue;
		if (s->wake <= t)
			send_request(r, s);
		else if (s->wake - t < *timeout)
			*timeout = s->wake - t;
	}
	return busy;
}

/* Wait for the network, stdin or a signal, for timeout ms at most. */
static void
wait_io(struct run *r, double timeout)
{
	struct pollfd fds[2];
	int nfds = 0;

	fds[nfds].fd = r->sigfd;
	fds[nfds++].events = POLLIN;
	if (r->in.fd != -1) {
		fds[nfds].fd = r->in.fd;
		fds[nfds++].events = POLLIN;
	}
	/* --dry-run has no network: only stdin to wait for. */
	if (r->pool == NULL) {
		if (poll(fds, (nfds_t)nfds, (int)timeout + 1) == -1 &&
		    errno != EINTR)
			err(A0_EXIT_IO, "poll");
	} else if (a0_hpool_run(r->pool, (long)timeout + 1, fds, nfds) == -1)
		errx(A0_EXIT_TEMP, "libcurl failed");
	if (nfds > 1 && fds[1].revents)
		read_paths(r);
}

/* The main loop: until every chunk is through.  Returns the exit
 * status. */
int
submit(struct run *r)
{
	double timeout;
	int i, busy;

	for (;;) {
		/* A polite stop: the posts in flight are answered and
		 * journaled first (drain), so that no job goes
		 * unrecorded; a second signal stops at once. */
		if (*r->gotsig)
			interrupted(r);
		for (i = 0; i < r->nslots; i++)
			fill(r, &r->slots[i]);
		if (follow_leftovers(r))
			for (i = 0; i < r->nslots; i++)
				fill(r, &r->slots[i]);
		timeout = 1000;
		busy = start_due(r, &timeout);
		show_progress(r);
		if (!busy && r->qhead == NULL && r->in.eof)
			break;
		wait_io(r, timeout);
		for (i = 0; i < r->nslots; i++)
			if (r->slots[i].inflight &&
			    a0_http_done(r->slots[i].h))
				complete(r, &r->slots[i]);
	}
	if (r->tally.refused)
		return A0_EXIT_API;
	if (r->tally.bad)
		return A0_EXIT_IO;
	if (r->tally.userfail)
		return A0_EXIT_REJECT;
	return A0_EXIT_OK;
}
