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
	return done_testing();
}
