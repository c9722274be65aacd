/*
 * submit.h: what the parts of a0-submit share.  a0-submit.c reads the
 * options and sets the run up, submit-chunk.c turns chunk paths into
 * work (reading, checking, resuming from the journal), submit-slot.c
 * drives the job slots until every chunk is through.
 */
#ifndef SUBMIT_H
#define SUBMIT_H

#include <signal.h>

#include "a0.h"

#define MAXSLOTS	16
#define ROOM		64	/* bytes after the users: the last boundary */
/* A chunk's buffer: the largest request and the multipart text. */
#define BUFCAP		(A0_MAX_REQUEST + A0_ENVELOPE_RESERVE + ROOM)
#define DAY		86400	/* Auth0 deletes job data after a day */

/* The command line, as read. */
struct opts {
	int		 zflag, nowait, dryrun, debug, nocolor, upsert, email;
	int		 text;		/* -f text: a person's lines */
	int		 waitlock;	/* --wait-lock */
	const char	*cflag, *Cflag, *xflag, *sflag, *rflag, *tenant;
	long long	 jflag;
};

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
	struct jbuf	 why;		/* -f text: its failed users' lines */
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

/* A chunk path read in this run, so that a repeat of it is not read. */
struct seenpath {
	char		*path;
	char		 sha[65];	/* "" when it could not be read */
	int		 again;		/* its repeat was reported */
};

/* Everything one run knows. */
struct run {
	const struct opts *o;
	struct a0_api	 api;
	struct a0_import imp;
	struct a0_hpool	*pool;		/* NULL for --dry-run */
	struct slot	 slots[MAXSLOTS];
	int		 nslots;
	struct a0_journal *journal;	/* -s, or NULL */
	struct dupset	*seen;		/* the chunks' digests */
	struct {
		struct dupset	*set;	/* a path's hash: its index + 1 */
		struct seenpath	*v;
		size_t		 n, cap;
	} paths;			/* the chunk paths read */
	struct item	*qhead, **qtail;
	int		 leftovers;	/* the journal's jobs are queued */
	unsigned	 tokgen;	/* bumped at each new token */
	long long	 tokmargin;	/* renew this many s before expiry */
	struct a0_retry	 retry;		/* max_attempts and max_ms */
	struct a0_ends	 ends;		/* when this run's jobs ended */
	int		 rejfd;		/* -r, or -1 */
	int		 sigfd;		/* the signal pipe's read end */
	long		 stall;		/* A0_TIMEOUT, in seconds */
	volatile sig_atomic_t *gotsig;
	int		 progress, color;
	int		 tcolor;	/* -f text in colour */
	int		 headed;	/* -f text: the heading is out */
	char		 shown[256];	/* the progress line on the screen */
	/* Chunk buffers kept for the next chunk: a run touches the same
	 * few pages instead of faulting in fresh ones for each chunk. */
	char		*spare[MAXSLOTS + 1];
	int		 nspare;
	/* Reading chunk paths from stdin as they come. */
	struct {
		int	 fd;
		char	*buf;
		size_t	 len, cap;
		int	 eof;
		long long line;		/* paths (lines) read so far */
		int	 skip;		/* in a line too long to be a path */
	} in;
	/* What the run has seen, for the exit status and progress. */
	struct {
		long long chunks, done, inserted, updated, failed;
		long long jobs, total;
		int	 refused, bad, userfail;
	} tally;
};

/* a0-submit.c: output and the ways a run ends. */
long long epoch(void);
void	 emit(struct run *, struct jbuf *);
void	 result(struct run *, const struct chunk *, const char *status,
	    const char *error, int journaled);
void	 show_progress(struct run *);
/* submit-out.c: the run's summary in text mode, the --debug trace. */
void	 text_summary(struct run *);
void	 trace(void *, const char *);
void	 leave(struct run *, int status) __attribute__((noreturn));
void	 interrupted(struct run *) __attribute__((noreturn));
void	 fatal(struct run *, int status, const char *what,
	    const struct a0_resp *) __attribute__((noreturn));
void	 giveup(struct run *, const char *what, const struct a0_resp *,
	    int tries, double first) __attribute__((noreturn));
void	 jwrite(struct run *, int rv);
/* warnx(3), the progress line erased first. */
void	 note(struct run *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* -f text: a line for a person, " > " and the text. */
void	 say(struct run *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* -f text: the failed users of a /errors answer, kept in c->why. */
void	 say_failed(struct run *, struct chunk *c, const struct a0_usererr *);
/* A retry about to happen, shown on a terminal or with --debug. */
void	 retry_note(struct run *, const char *what, const struct a0_resp *,
	    long delay, int next);
/* Say that the tenant does not know job, which a run posted for path,
 * and what that means. */
void	 unknown_job(struct run *, const char *path, const char *job);

/* submit-chunk.c: chunks, and the queue of work. */
void	 putbuf(struct run *, char *);
void	 free_chunk(struct run *, struct chunk *);
void	 enqueue(struct run *, char *path, struct a0_jentry *follow);
void	 read_paths(struct run *);
/* The next chunk that needs a slot, or NULL when the queue is empty. */
struct chunk *next_chunk(struct run *);
/* Once the input is all read and taken: queue the journal's jobs that it
 * did not name, to follow them.  1 if this call looked, else 0. */
int	 follow_leftovers(struct run *);

/* submit-once.c: the requests made once per run. */
/* Ask retry.c about answer a to a request first sent at first (monotonic
 * ms); q holds attempt, renewed, busy and ours, the rest is filled here.
 * Returns the action, *delay set for A0_RETRY_AFTER. */
enum a0_retry_action decide(const struct run *, const struct a0_resp *a,
	    double first, struct a0_retry *q, long *delay);
/* A new token from client credentials, over slot s's handle; exits when
 * none can be had. */
void	 renew_token(struct run *, struct slot *s);
/* The -c connection's id into the run's import settings; exits when
 * there is none. */
void	 lookup_connection(struct run *, struct slot *s);

/* submit-slot.c: the job slots. */
int	 submit(struct run *);
/* After a signal: finish the posts in flight and journal their jobs; a
 * second signal, or A0_TIMEOUT, cuts that short. */
void	 drain(struct run *);

#endif
