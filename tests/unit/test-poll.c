/* test-poll: when a running job is looked at again, as a table. */
#include "a0.h"
#include "tap.h"

#define NOW	1700000000LL
#define NEAR(a, b)	((a) - (b) < 0.001 && (b) - (a) < 0.001)

/* el percent prev since_prev time_left resumed have lo hi remaining limit
 * reset(-1, or seconds from NOW) running -> delay */
static const struct {
	const char	*what;
	double		 el;
	long long	 percent, prev;
	double		 since_prev;
	long long	 time_left;
	int		 resumed, have;
	double		 lo, hi;
	long		 remaining, limit;
	long long	 reset;
	int		 running;
	double		 want;
} t[] = {
	{ "new job: the floor", 0, -1, -1, 0, -1, 0, 0, 0, 0, -1, -1, -1, 1,
	  200 },
	{ "a quarter of the time so far", 4000, -1, -1, 0, -1, 0, 0, 0, 0,
	  -1, -1, -1, 1, 1000 },
	{ "a long job: the ceiling", 200000, -1, -1, 0, -1, 0, 0, 0, 0, -1,
	  -1, -1, 1, 30000 },
	{ "time_left soon: just after it", 4000, -1, -1, 0, 1, 0, 0, 0, 0,
	  -1, -1, -1, 1, 1015 },
	{ "time_left far: the quarter", 4000, -1, -1, 0, 10, 0, 0, 0, 0, -1,
	  -1, -1, 1, 1000 },
	{ "80% from the start: just after the end", 4000, 80, -1, 0, -1, 0,
	  0, 0, 0, -1, -1, -1, 1, 1015 },
	{ "50% from the start: the quarter", 4000, 50, -1, 0, -1, 0, 0, 0,
	  0, -1, -1, -1, 1, 1000 },
	{ "progress rate: 80 to 90 in 500 ms", 4000, 90, 80, 500, -1, 0, 0,
	  0, 0, -1, -1, -1, 1, 515 },
	{ "progress rate: 40 to 60 in 1 s", 4000, 60, 40, 1000, -1, 0, 0, 0,
	  0, -1, -1, -1, 1, 1000 },
	{ "progress rate wins over time_left", 4000, 90, 80, 500, 100, 0, 0,
	  0, 0, -1, -1, -1, 1, 515 },
	{ "100%: no foretold end", 4000, 100, 90, 500, -1, 0, 0, 0, 0, -1,
	  -1, -1, 1, 1000 },
	{ "earlier jobs: a quarter of their life", 0, -1, -1, 0, -1, 0, 1,
	  3000, 4000, -1, -1, -1, 1, 968.75 },
	{ "earlier jobs: the last look at their end", 3000, -1, -1, 0, -1, 0,
	  1, 3000, 4000, -1, -1, -1, 1, 875 },
	{ "earlier jobs: past the end, at their latest", 3875, -1, -1, 0, -1,
	  0, 1, 3000, 4000, -1, -1, -1, 1, 125 },
	{ "earlier jobs: past their latest, the quarter", 5000, -1, -1, 0,
	  -1, 0, 1, 3000, 4000, -1, -1, -1, 1, 1250 },
	{ "earlier jobs, but progress says sooner", 400, 80, -1, 0, -1, 0, 1,
	  3000, 4000, -1, -1, -1, 1, 115 },
	{ "a resumed job ignores earlier jobs", 0, -1, -1, 0, -1, 1, 1, 3000,
	  4000, -1, -1, -1, 1, 200 },
	{ "rate budget over half left: no change", 0, -1, -1, 0, -1, 0, 0,
	  0, 0, 60, 100, 5, 2, 200 },
	{ "rate budget low: spread to the reset", 0, -1, -1, 0, -1, 0, 0, 0,
	  0, 9, 100, 5, 2, 1000 },
	{ "rate budget low, reset passed: counted as 1 s", 0, -1, -1, 0, -1,
	  0, 0, 0, 0, 1, 100, -5, 1, 500 },
	{ "rate budget spent, reset far: the ceiling", 0, -1, -1, 0, -1, 0,
	  0, 0, 0, 0, 100, 3600, 1, 30000 },
	{ "rate budget, no running job counts as one", 0, -1, -1, 0, -1, 0,
	  0, 0, 0, 9, 100, 5, 0, 500 },
};

int
main(void)
{
	struct a0_poll p;
	struct a0_ends e = { 0, 0, 0 };
	size_t i;
	double d;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		p.el = t[i].el;
		p.percent = t[i].percent;
		p.prev = t[i].prev;
		p.since_prev = t[i].since_prev;
		p.time_left = t[i].time_left;
		p.resumed = t[i].resumed;
		p.ends.have = t[i].have;
		p.ends.lo = t[i].lo;
		p.ends.hi = t[i].hi;
		p.remaining = t[i].remaining;
		p.limit = t[i].limit;
		p.reset = t[i].reset == -1 ? -1 : NOW + t[i].reset;
		p.now = NOW;
		p.running = t[i].running;
		d = a0_poll_delay(&p);
		if (!ok(NEAR(d, t[i].want), "%s", t[i].what))
			printf("#   got %.3f, want %.3f\n", d, t[i].want);
	}

	ok(a0_poll_first(&e) == 200, "first look, nothing known: 200 ms");
	a0_poll_learn(&e, 1000, 2000);
	ok(e.have && e.lo == 1000 && e.hi == 2000, "learn: the first span");
	a0_poll_learn(&e, 1500, 1800);
	ok(e.lo == 1500 && e.hi == 1800, "learn: a span within narrows");
	a0_poll_learn(&e, 1200, 1600);
	ok(e.lo == 1500 && e.hi == 1600, "learn: an overlap narrows");
	a0_poll_learn(&e, 3000, 4000);
	ok(e.lo == 3000 && e.hi == 4000, "learn: a span apart starts over");
	ok(NEAR(a0_poll_first(&e), 968.75),
	    "first look: a quarter of the earlier jobs' life");
	return done_testing();
}
