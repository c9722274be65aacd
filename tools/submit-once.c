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
	double until = a0_now_ms() + ms;

	while (a0_now_ms() < until)
		pump(r, (long)(until - a0_now_ms()) + 1);
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
	q->elapsed_ms = (long)(a0_now_ms() - first);
	q->max_attempts = r->retry.max_attempts;
	q->max_ms = r->retry.max_ms;
	q->max_connect_ms = r->retry.max_connect_ms;
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
	double first = a0_now_ms();
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
			retry_note(r, what, a, d, attempt + 1);
			sleep_ms(r, (double)d);
			continue;
		case A0_RETRY_GIVEUP:
			giveup(r, what, a, attempt, first);
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

	if (r->api.client_id == NULL)
		errx(A0_EXIT_API, "%s: the token in AUTH0_API_TOKEN was "
		    "refused or has expired", r->api.base);
	a = once(r, s, "POST /oauth/token", start_token);
	if (a0_take_token(&r->api, a, epoch()) == -1)
		fatal(r, A0_EXIT_API, "POST /oauth/token", a);
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
	return a0_req_connections(s->h, &r->api, NULL, r->o->cflag, 0);
}

static int
start_clients(struct run *r, struct slot *s)
{
	return a0_req_conn_clients(s->h, &r->api, r->imp.con_id);
}

/* once(), the token renewed if it was refused. */
static const struct a0_resp *
once_renewed(struct run *r, struct slot *s, const char *what,
    int (*start)(struct run *, struct slot *))
{
	const struct a0_resp *a = once(r, s, what, start);

	if (a->status != 401)
		return a;
	renew_token(r, s);
	return once(r, s, what, start);
}

static void __attribute__((noreturn))
refused(struct run *r, const char *name, const char *why)
{
	note(r, "%s: %s", name, why);
	leave(r, A0_EXIT_API);
}

/*
 * Before the first post: the connection named by -c must be a database
 * connection enabled for an application, or Auth0 refuses the import;
 * said here, in Auth0's words, before a chunk is sent.  (-C asks
 * nothing: the caller knows its connection.)
 */
void
lookup_connection(struct run *r, struct slot *s)
{
	const struct a0_resp *a;
	struct a0_conn *l;
	const char *name = r->o->cflag;
	long long total;
	size_t i, n;
	char what[128];

	a = once_renewed(r, s, "GET /api/v2/connections", start_connection);
	if (a0_take_connections(a, &l, &n, &total) == -1)
		fatal(r, A0_EXIT_API, "GET /api/v2/connections", a);
	for (i = 0; i < n; i++)
		if (strcmp(l[i].name, name) == 0)
			break;
	if (i == n)
		refused(r, name, "no such connection");
	if (l[i].strategy != NULL && strcmp(l[i].strategy, "auth0") != 0)
		refused(r, name, A0_MSG_NOT_DATABASE);
	r->imp.con_id = xstrdup(l[i].id);
	a0_conns_free(l, n);
	snprintf(what, sizeof(what), "GET /api/v2/connections/%.64s/clients",
	    r->imp.con_id);
	a = once_renewed(r, s, what, start_clients);
	switch (a0_take_conn_clients(a)) {
	case 1:
		return;
	case 0:
		refused(r, name, A0_MSG_NOT_ENABLED);
	default:
		fatal(r, A0_EXIT_API, what, a);
	}
}
