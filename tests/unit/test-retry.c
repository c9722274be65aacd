/* test-retry: the retry decision, as a table. */
#include "a0.h"
#include "tap.h"

#define NOW	1700000000LL

/* net status retry_after reset busy ours renewed attempt elapsed rnd
 * -> action delay (-1: any delay in [lo, hi]) */
static const struct {
	const char	*what;
	int		 net;
	long		 status, retry_after;
	long long	 reset;
	int		 busy, ours, renewed, attempt;
	long		 elapsed;
	unsigned long	 rnd;
	int		 action;
	long		 lo, hi;
} t[] = {
	{ "202 accepted", A0_NET_OK, 202, -1, -1, 0, 0, 0, 1, 0, 0,
	  A0_RETRY_NO, 0, 0 },
	{ "200 job", A0_NET_OK, 200, -1, -1, 0, 0, 0, 1, 0, 0,
	  A0_RETRY_NO, 0, 0 },
	{ "204 no errors", A0_NET_OK, 204, -1, -1, 0, 0, 0, 1, 0, 0,
	  A0_RETRY_NO, 0, 0 },
	{ "400 refused", A0_NET_OK, 400, -1, -1, 0, 0, 0, 1, 0, 0,
	  A0_RETRY_NO, 0, 0 },
	{ "403 refused", A0_NET_OK, 403, -1, -1, 0, 0, 0, 1, 0, 0,
	  A0_RETRY_NO, 0, 0 },
	{ "404 refused", A0_NET_OK, 404, -1, -1, 0, 0, 0, 1, 0, 0,
	  A0_RETRY_NO, 0, 0 },
	{ "413 refused", A0_NET_OK, 413, -1, -1, 0, 0, 0, 1, 0, 0,
	  A0_RETRY_NO, 0, 0 },
	{ "501 not retried", A0_NET_OK, 501, -1, -1, 0, 0, 0, 1, 0, 0,
	  A0_RETRY_NO, 0, 0 },
	{ "401 renews", A0_NET_OK, 401, -1, -1, 0, 0, 0, 1, 0, 0,
	  A0_RETRY_RENEW, 0, 0 },
	{ "401 after renewal is final", A0_NET_OK, 401, -1, -1, 0, 0, 1, 1,
	  0, 0, A0_RETRY_NO, 0, 0 },
	{ "429 Retry-After 3", A0_NET_OK, 429, 3, NOW + 10, 0, 0, 0, 1, 0, 0,
	  A0_RETRY_AFTER, 3000, 3000 },
	{ "429 Retry-After 3, jitter", A0_NET_OK, 429, 3, -1, 0, 0, 0, 1, 0,
	  100, A0_RETRY_AFTER, 3100, 3100 },
	{ "429 reset in 2 s", A0_NET_OK, 429, -1, NOW + 2, 0, 0, 0, 1, 0, 0,
	  A0_RETRY_AFTER, 2000, 2000 },
	{ "429 reset passed", A0_NET_OK, 429, -1, NOW - 5, 0, 0, 0, 1, 0, 7,
	  A0_RETRY_AFTER, 7, 7 },
	{ "429 reset far away is capped", A0_NET_OK, 429, -1, NOW + 86400,
	  0, 0, 0, 1, 0, 0, A0_RETRY_AFTER, 60000, 60000 },
	{ "429 no headers: backoff", A0_NET_OK, 429, -1, -1, 0, 0, 0, 1, 0, 0,
	  A0_RETRY_AFTER, 250, 250 },
	{ "429 busy, ours running: wait", A0_NET_OK, 429, -1, -1, 1, 1, 0, 1,
	  0, 0, A0_RETRY_WAITJOB, 0, 0 },
	{ "429 busy, ours running, many tries", A0_NET_OK, 429, -1, -1, 1, 1,
	  0, 50, 0, 0, A0_RETRY_WAITJOB, 0, 0 },
	{ "429 busy, not ours: back off", A0_NET_OK, 429, -1, -1, 1, 0, 0, 1,
	  0, 0, A0_RETRY_AFTER, 500, 500 },
	{ "429 busy, not ours, many tries: capped", A0_NET_OK, 429, -1, -1, 1,
	  0, 0, 40, 0, 0, A0_RETRY_AFTER, 15000, 15000 },
	{ "429 busy, not ours, out of time", A0_NET_OK, 429, -1, -1, 1, 0, 0,
	  3, 599000, 0, A0_RETRY_GIVEUP, 0, 0 },
	{ "500 first", A0_NET_OK, 500, -1, -1, 0, 0, 0, 1, 0, 0,
	  A0_RETRY_AFTER, 250, 250 },
	{ "500 first, full jitter", A0_NET_OK, 500, -1, -1, 0, 0, 0, 1, 0, 250,
	  A0_RETRY_AFTER, 500, 500 },
	{ "502 second", A0_NET_OK, 502, -1, -1, 0, 0, 0, 2, 0, 0,
	  A0_RETRY_AFTER, 500, 500 },
	{ "503 fourth", A0_NET_OK, 503, -1, -1, 0, 0, 0, 4, 0, 0,
	  A0_RETRY_AFTER, 2000, 2000 },
	{ "504 capped at 30 s", A0_NET_OK, 504, -1, -1, 0, 0, 0, 7, 0, 0,
	  A0_RETRY_AFTER, 15000, 15000 },
	{ "500 out of tries", A0_NET_OK, 500, -1, -1, 0, 0, 0, 8, 0, 0,
	  A0_RETRY_GIVEUP, 0, 0 },
	{ "500 out of time", A0_NET_OK, 500, -1, -1, 0, 0, 0, 2, 599900, 0,
	  A0_RETRY_GIVEUP, 0, 0 },
	{ "429 out of tries", A0_NET_OK, 429, 1, -1, 0, 0, 0, 8, 0, 0,
	  A0_RETRY_GIVEUP, 0, 0 },
	{ "408 retried", A0_NET_OK, 408, -1, -1, 0, 0, 0, 1, 0, 0,
	  A0_RETRY_AFTER, 250, 250 },
	{ "connect failed", A0_NET_CONNECT, 0, -1, -1, 0, 0, 0, 1, 0, 0,
	  A0_RETRY_AFTER, 250, 250 },
	{ "timeout", A0_NET_TIMEOUT, 0, -1, -1, 0, 0, 0, 3, 0, 0,
	  A0_RETRY_AFTER, 1000, 1000 },
	{ "dropped", A0_NET_DROPPED, 0, -1, -1, 0, 0, 0, 1, 0, 0,
	  A0_RETRY_AFTER, 250, 250 },
	{ "dropped, out of tries", A0_NET_DROPPED, 0, -1, -1, 0, 0, 0, 8, 0,
	  0, A0_RETRY_GIVEUP, 0, 0 },
	{ "TLS failure is final", A0_NET_FATAL, 0, -1, -1, 0, 0, 0, 1, 0, 0,
	  A0_RETRY_NO, 0, 0 },
	{ "aborted is final", A0_NET_ABORTED, 0, -1, -1, 0, 0, 0, 1, 0, 0,
	  A0_RETRY_NO, 0, 0 },
	{ "connect failed, 5th, within 15 s", A0_NET_CONNECT, 0, -1, -1, 0,
	  0, 0, 5, 10000, 0, A0_RETRY_AFTER, 4000, 4000 },
	{ "connect failed, 15 s spent: give up", A0_NET_CONNECT, 0, -1, -1,
	  0, 0, 0, 5, 11001, 0, A0_RETRY_GIVEUP, 0, 0 },
	{ "dropped, 15 s spent: still retried", A0_NET_DROPPED, 0, -1, -1, 0,
	  0, 0, 5, 11001, 0, A0_RETRY_AFTER, 4000, 4000 },
	{ "timeout, 15 s spent: still retried", A0_NET_TIMEOUT, 0, -1, -1, 0,
	  0, 0, 5, 11001, 0, A0_RETRY_AFTER, 4000, 4000 },
	{ "503, 15 s spent: still retried", A0_NET_OK, 503, -1, -1, 0, 0, 0,
	  5, 11001, 0, A0_RETRY_AFTER, 4000, 4000 },
};

int
main(void)
{
	struct a0_retry r;
	size_t i;
	long d;
	int a;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		r.net = t[i].net;
		r.status = t[i].status;
		r.retry_after = t[i].retry_after;
		r.reset = t[i].reset;
		r.now = NOW;
		r.busy = t[i].busy;
		r.ours = t[i].ours;
		r.renewed = t[i].renewed;
		r.attempt = t[i].attempt;
		r.elapsed_ms = t[i].elapsed;
		r.max_attempts = A0_RETRY_ATTEMPTS;
		r.max_ms = A0_RETRY_MS;
		r.max_connect_ms = A0_RETRY_CONNECT_MS;
		r.rnd = t[i].rnd;
		a = a0_retry_decide(&r, &d);
		if (!ok(a == t[i].action && d >= t[i].lo && d <= t[i].hi,
		    "%s", t[i].what))
			printf("#   got action %d delay %ld, "
			    "want %d [%ld, %ld]\n", a, d, t[i].action,
			    t[i].lo, t[i].hi);
	}

	/* Jitter keeps every delay within [d/2, d]. */
	for (i = 0, a = 1; i < 1000; i++) {
		r.net = A0_NET_OK;
		r.status = 503;
		r.attempt = 1 + (int)(i % 6);
		r.elapsed_ms = 0;
		r.rnd = (unsigned long)i * 2654435761UL;
		if (a0_retry_decide(&r, &d) != A0_RETRY_AFTER ||
		    d < (250L << (r.attempt - 1)) ||
		    d > (500L << (r.attempt - 1)))
			a = 0;
	}
	ok(a, "backoff jitter stays within [d/2, d]");

	/* A host that cannot be reached, each try failing at once, with the
	 * longest delays: the default bounds end it within 20 s. */
	r.net = A0_NET_CONNECT;
	r.status = 0;
	r.max_attempts = A0_RETRY_ATTEMPTS;
	r.max_ms = A0_RETRY_MS;
	r.max_connect_ms = A0_RETRY_CONNECT_MS;
	r.rnd = ~0UL;
	r.elapsed_ms = 0;
	for (r.attempt = 1; a0_retry_decide(&r, &d) == A0_RETRY_AFTER;
	    r.attempt++)
		r.elapsed_ms += d;
	if (!ok(a0_retry_decide(&r, &d) == A0_RETRY_GIVEUP &&
	    r.elapsed_ms <= 15000 && r.attempt >= 4,
	    "a host that cannot be reached: given up within 15 s"))
		printf("#   %d tries, %ld ms\n", r.attempt, r.elapsed_ms);
	/* A0_RETRY_TIME given: it bounds connection failures too. */
	r.max_connect_ms = 0;
	r.max_ms = 5000;
	r.elapsed_ms = 0;
	for (r.attempt = 1; a0_retry_decide(&r, &d) == A0_RETRY_AFTER;
	    r.attempt++)
		r.elapsed_ms += d;
	ok(r.elapsed_ms <= 5000 && r.attempt >= 3,
	    "without a connect bound, max_ms bounds it");
	r.max_ms = A0_RETRY_MS;
	r.max_connect_ms = 60000;
	r.elapsed_ms = 0;
	for (r.attempt = 1; a0_retry_decide(&r, &d) == A0_RETRY_AFTER;
	    r.attempt++)
		r.elapsed_ms += d;
	ok(r.attempt == A0_RETRY_ATTEMPTS && r.elapsed_ms > 15000,
	    "a longer connect bound: the tries bound it");

	{
		char s[128];

		a0_retry_note(s, sizeof(s), 3500, 3, 8,
		    "Could not resolve host: x.invalid");
		ok(strcmp(s, "retrying in 4 s (3/8): Could not resolve host: "
		    "x.invalid") == 0, "retry note: %s", s);
		a0_retry_note(s, sizeof(s), 250, 2, 8, "503 Service "
		    "Unavailable");
		ok(strcmp(s, "retrying in 1 s (2/8): 503 Service Unavailable")
		    == 0, "retry note under a second: %s", s);
		a0_retry_gaveup(s, sizeof(s), 5, 14200, "Could not resolve "
		    "host: x.invalid");
		ok(strcmp(s, "Could not resolve host: x.invalid (gave up "
		    "after 5 tries in 15 s)") == 0, "gave up: %s", s);
		a0_retry_gaveup(s, sizeof(s), 1, 20, "Failed to connect");
		ok(strcmp(s, "Failed to connect (gave up after 1 try in 0 s)")
		    == 0, "gave up at once: %s", s);
	}
	return done_testing();
}
