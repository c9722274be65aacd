/*
 * retry.c: the one place that decides whether a request is tried again,
 * and after how long.  A pure function of what happened, so that it can be
 * tested as a table.
 */
#include "a0.h"

#define BACKOFF_BASE_MS		500L	/* first delay after a 5xx or a drop */
#define BACKOFF_CAP_MS		30000L	/* longest delay between two tries */
#define BUSY_BASE_MS		1000L	/* first wait on someone else's jobs */
#define RATE_CAP_MS		60000L	/* longest wait a rate limit imposes */
#define JITTER_MS		250L	/* added to a wait the server named */

/* Exponential backoff with "equal jitter": half fixed, half random. */
static long
backoff(long base, int attempt, unsigned long rnd)
{
	long d = base;
	int i;

	for (i = 1; i < attempt && d < BACKOFF_CAP_MS; i++)
		d *= 2;
	if (d > BACKOFF_CAP_MS)
		d = BACKOFF_CAP_MS;
	return d / 2 + (long)(rnd % (unsigned long)(d / 2 + 1));
}

/* Statuses worth another try: the server or a proxy had a bad moment. */
static int
transient(long status)
{
	switch (status) {
	case 408:
	case 500:
	case 502:
	case 503:
	case 504:
	case 520:
	case 521:
	case 522:
	case 523:
	case 524:
		return 1;
	}
	return 0;
}

enum a0_retry_action
a0_retry_decide(const struct a0_retry *r, long *delay_ms)
{
	long d;

	*delay_ms = 0;
	switch (r->net) {
	case A0_NET_OK:
		break;
	case A0_NET_CONNECT:
		/* Nothing was sent: a name that does not resolve or a host
		 * that refuses is seldom a passing moment, so it is given
		 * less time than a lost answer. */
		d = backoff(BACKOFF_BASE_MS, r->attempt, r->rnd);
		if (r->max_connect_ms > 0 && r->max_connect_ms < r->max_ms &&
		    r->elapsed_ms + d > r->max_connect_ms)
			return A0_RETRY_GIVEUP;
		goto bounded;
	case A0_NET_TIMEOUT:
	case A0_NET_DROPPED:
		d = backoff(BACKOFF_BASE_MS, r->attempt, r->rnd);
		goto bounded;
	default:
		return A0_RETRY_NO;
	}

	if (r->status == 401)
		return r->renewed ? A0_RETRY_NO : A0_RETRY_RENEW;
	if (r->status == 429 && r->busy) {
		/* Our own job will end: wait for it, it costs nothing. */
		if (r->ours)
			return A0_RETRY_WAITJOB;
		d = backoff(BUSY_BASE_MS, r->attempt, r->rnd);
		if (r->elapsed_ms + d > r->max_ms)
			return A0_RETRY_GIVEUP;
		*delay_ms = d;
		return A0_RETRY_AFTER;
	}
	if (r->status == 429) {
		if (r->retry_after >= 0)
			d = r->retry_after * 1000L;
		else if (r->reset > 0)
			d = r->reset > r->now ?
			    (long)(r->reset - r->now) * 1000L : 0;
		else
			d = backoff(BACKOFF_BASE_MS, r->attempt, r->rnd);
		if (d > RATE_CAP_MS)
			d = RATE_CAP_MS;
		d += (long)(r->rnd % (JITTER_MS + 1));
		goto bounded;
	}
	if (transient(r->status)) {
		d = backoff(BACKOFF_BASE_MS, r->attempt, r->rnd);
		goto bounded;
	}
	return A0_RETRY_NO;

bounded:
	if (r->attempt >= r->max_attempts || r->elapsed_ms + d > r->max_ms)
		return A0_RETRY_GIVEUP;
	*delay_ms = d;
	return A0_RETRY_AFTER;
}

/* Whole seconds, rounded up, at least 1. */
static long
secs(long ms)
{
	return ms <= 1000 ? 1 : (ms + 999) / 1000;
}

void
a0_retry_note(char *out, size_t outsz, long delay_ms, int next, int max,
    const char *why)
{
	snprintf(out, outsz, "retrying in %ld s (%d/%d): %s", secs(delay_ms),
	    next, max, why);
}

void
a0_retry_gaveup(char *out, size_t outsz, int tries, long elapsed_ms,
    const char *why)
{
	snprintf(out, outsz, "%s (gave up after %d %s in %ld s)", why, tries,
	    tries == 1 ? "try" : "tries", elapsed_ms < 1000 ? 0 :
	    secs(elapsed_ms));
}
