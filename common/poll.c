/*
 * poll.c: when to look at a running import job again.  A pure function
 * of what the job and the run's earlier jobs have shown, so that it can
 * be tested as a table, beside retry.c's decision.
 */
#include "a0.h"

#define POLL_FIRST_MS	200.0	/* first look at a new job */
#define POLL_MIN_MS	200.0	/* never poll one job more often */
#define POLL_MAX_MS	30000.0	/* nor less often */
#define POLL_LATE_MS	15.0	/* after the end a job's progress foretells */

/* The end that this run's earlier jobs foretell, in ms after a post was
 * answered, or -1: a little before the latest time they have been seen
 * done, so that a look there narrows the span either way. */
static double
foretold_end(const struct a0_ends *e, int resumed)
{
	if (!e->have || resumed)
		return -1;
	return e->hi - (e->hi - e->lo) / 8;
}

/* Looks a quarter of the foretold life apart, the last one at its end;
 * el ms after the post was answered, the delay to the next. */
static double
aimed(double end, double el)
{
	double q = end / 4 < POLL_MIN_MS ? POLL_MIN_MS : end / 4;

	return end - el < q * 1.5 ? end - el : q;
}

double
a0_poll_first(const struct a0_ends *e)
{
	double end = foretold_end(e, 0);

	return end >= 0 ? aimed(end, 0) : POLL_FIRST_MS;
}

void
a0_poll_learn(struct a0_ends *e, double lo, double hi)
{
	/* Unlike the jobs before (their spans do not meet): start over. */
	if (!e->have || lo >= e->hi || hi <= e->lo) {
		e->lo = lo;
		e->hi = hi;
	} else {
		if (lo > e->lo)
			e->lo = lo;
		if (hi < e->hi)
			e->hi = hi;
	}
	e->have = 1;
}

double
a0_poll_delay(const struct a0_poll *p)
{
	double el = p->el, d, eta = -1, win, end;

	/* A quarter of the time so far: completion is noticed within a
	 * quarter of the job's duration, in few requests. */
	d = el / 4;
	if (d < POLL_MIN_MS)
		d = POLL_MIN_MS;
	/* Or just after the end that the job's progress foretells, when
	 * that is not much later. */
	if (p->time_left > 0)
		eta = (double)p->time_left * 1000.0;
	if (p->percent > p->prev && p->prev >= 0 && p->percent < 100)
		eta = p->since_prev * (double)(100 - p->percent) /
		    (double)(p->percent - p->prev);
	else if (p->percent > 0 && p->percent < 100 && eta < 0)
		eta = el * (double)(100 - p->percent) / (double)p->percent;
	if (eta >= 0 && eta + POLL_LATE_MS < d * 1.5)
		d = eta + POLL_LATE_MS;
	/* The end the earlier jobs foretell rules: before it, looks a
	 * quarter of that life apart, the last at the end; past it, one
	 * more at the time they were seen done by, then the schedule
	 * above. */
	if ((end = foretold_end(&p->ends, p->resumed)) >= 0) {
		if (el < end - 1)
			d = aimed(end, el);
		else if (p->ends.hi > el + 1 && p->ends.hi - el < d)
			d = p->ends.hi - el;
		if (eta >= 0 && eta + POLL_LATE_MS < d)
			d = eta + POLL_LATE_MS;
	}
	if (d > POLL_MAX_MS)
		d = POLL_MAX_MS;
	/* Leave the tenant's rate budget to others: past half of it,
	 * spread what is left over the time until the bucket refills. */
	if (p->remaining >= 0 && p->limit > 0 &&
	    p->remaining < p->limit / 2 && p->reset > 0) {
		win = 1000.0 * (double)(p->reset - p->now);
		if (win < 1000.0)
			win = 1000.0;
		win = win * (p->running > 0 ? p->running : 1) /
		    (double)(p->remaining + 1);
		if (win > d)
			d = win < POLL_MAX_MS ? win : POLL_MAX_MS;
	}
	return d;
}
