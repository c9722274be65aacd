/*
 * submit-once.c: the requests a0-submit makes for the run rather than
 * for a chunk (the access token, the connection's id), made while the
 * slots wait, and the retry decision they share with the slots.
 */
#include <err.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "submit.h"

/* ---- waiting for the network while a synchronous step runs ---- */

static void
pump(struct run *r, long timeout_ms)
{
	struct pollfd fd = { 0, POLLIN, 0 };

	fd.fd = r->sigfd;
	if (a0_hpool_run(r->pool, timeout_ms, &fd, 1) == -1)
		errx(A0_EXIT_TEMP, "libcurl failed");
	if (*r->gotsig)
		interrupted(r);
}

static const struct a0_resp *
perform(struct run *r, struct slot *s)
{
	while (!a0_http_done(s->h))
		pump(r, 100);
	return a0_http_take(s->h);
}

static void
sleep_ms(struct run *r, double ms)
{
	double until = now_ms() + ms;

	while (now_ms() < until)
		pump(r, (long)(until - now_ms()) + 1);
}

/*
 * Ask retry.c about an answer to a request first sent at first; q holds
 * what only the caller knows (attempt, renewed, busy, ours), the rest
 * is filled here, the bounds from the run's settings.
 */
enum a0_retry_action
decide(const struct run *r, const struct a0_resp *a, double first,
    struct a0_retry *q, long *delay)
{
	q->net = a->net;
	q->status = a->status;
	q->retry_after = a->retry_after;
	q->reset = a->reset;
	q->now = epoch();
	q->elapsed_ms = (long)(now_ms() - first);
	q->max_attempts = r->retry.max_attempts;
	q->max_ms = r->retry.max_ms;
	q->rnd = (unsigned long)rand();
	return a0_retry_decide(q, delay);
}

/* A request made once per run (token, connection), tried until it gets
 * a final answer. */
static const struct a0_resp *
once(struct run *r, struct slot *s, const char *what,
    int (*start)(struct run *, struct slot *))
{
	const struct a0_resp *a;
	struct a0_retry q;
	double first = now_ms();
	long d;
	int attempt;

	for (attempt = 1;; attempt++) {
		if (start(r, s) == -1)
			errx(A0_EXIT_TEMP, "%s: %s", what,
			    a0_http_take(s->h)->err);
		a = perform(r, s);
		memset(&q, 0, sizeof(q));
		q.renewed = 1;
		q.attempt = attempt;
		switch (decide(r, a, first, &q, &d)) {
		case A0_RETRY_AFTER:
			sleep_ms(r, (double)d);
			continue;
		case A0_RETRY_GIVEUP:
			giveup(r, what, a, attempt);
		default:
			if (a->net == A0_NET_FATAL)
				fatal(r, A0_EXIT_TEMP, what, a);
			return a;
		}
	}
}

static int
start_token(struct run *r, struct slot *s)
{
	return a0_req_token(s->h, &r->api);
}

void
renew_token(struct run *r, struct slot *s)
{
	const struct a0_resp *a;
	int i;

	if (r->api.client_id == NULL)
		errx(A0_EXIT_API, "%s: the token in AUTH0_API_TOKEN was "
		    "refused or has expired", r->api.base);
	a = once(r, s, "POST /oauth/token", start_token);
	if (a0_take_token(&r->api, a, epoch()) == -1)
		fatal(r, A0_EXIT_API, "POST /oauth/token", a);
	for (i = 0; i < r->nslots; i++)
		a0_http_hide(r->slots[i].h, r->api.token);
	/* Renew a little before it expires: 10% of its life, at most 60 s. */
	r->tokmargin = r->api.expires > 0 ?
	    (r->api.expires - epoch()) / 10 : 0;
	if (r->tokmargin > 60)
		r->tokmargin = 60;
	r->tokgen++;
}

static int
start_connection(struct run *r, struct slot *s)
{
	return a0_req_connection(s->h, &r->api, r->o->cflag);
}

void
lookup_connection(struct run *r, struct slot *s)
{
	const struct a0_resp *a;
	char *id;
	int i;

	for (i = 0;; i++) {
		a = once(r, s, "GET /api/v2/connections", start_connection);
		if (a->status == 401 && i == 0) {
			renew_token(r, s);
			continue;
		}
		break;
	}
	switch (a0_take_connection(a, r->o->cflag, &id)) {
	case 1:
		r->imp.con_id = id;
		return;
	case 0:
		errx(A0_EXIT_API, "%s: no such connection", r->o->cflag);
	default:
		fatal(r, A0_EXIT_API, "GET /api/v2/connections", a);
	}
}
