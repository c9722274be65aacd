/*
 * a0-export: a tenant's users as import records.  Runs a users-export
 * job, follows it to its end, and downloads its gzip'd NDJSON while
 * decompressing it (export-download.c): the bytes go from libcurl
 * through zlib straight into the record reader, so memory stays bounded
 * by a record, whatever the export's size.  Each user comes out as one
 * line of NDJSON, ready for a0-validate, or with --raw as Auth0 wrote it.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "export.h"

#define MAXREC		(4L << 20)	/* the largest record read */
#define POLL_MIN_MS	500.0		/* job polling, first and fastest */
#define POLL_MAX_MS	30000.0		/* and slowest */
#define EXPORT_TIMEOUT	32400		/* s; Auth0 fails a job after 8 h */

static int rawflag, debug, nocolor;
static const char *cflag, *Cflag, *hflag, *tenant;

/* Fields asked for: the import schema's, and more for an archive. */
static const char *import_fields[] = {
	"user_id", "email", "email_verified", "username", "phone_number",
	"phone_verified", "given_name", "family_name", "name", "nickname",
	"picture", "blocked", "app_metadata", "user_metadata", NULL
};
static const char *raw_fields[] = {
	"user_id", "email", "email_verified", "username", "phone_number",
	"phone_verified", "given_name", "family_name", "name", "nickname",
	"picture", "blocked", "app_metadata", "user_metadata", "identities",
	"created_at", "updated_at", "last_login", "last_ip", "logins_count",
	"last_password_reset", "multifactor", NULL
};

static int	summary(void);

/* The run: the tenant, the job, the download and what came of it. */
static struct {
	struct a0_api	 api;
	struct a0_hpool	*pool;
	struct a0_http	*h;		/* the Management API */
	struct a0_http	*dl;		/* the download */
	struct jbuf	 req;		/* the export request's body */
	char		*con_id;
	char		*conname;	/* the connection's name, if one */
	struct a0_expjob job;
	long long	 timeout;	/* s, for the job to end */
	int		 retry_max;
	long		 retry_ms;

	/* The download. */
	struct download	*d;
	int		 downloading;	/* it has begun */

	/* Records. */
	struct hashes	*hs;
	struct xrecord	*xr;
	struct jbuf	 out;
	uint64_t	 nrec, nout, nskip, ndrop, nhash;

	int		 progress, color;
	double		 shown;
} R;

static volatile sig_atomic_t gotsig;

/* stdout gets a buffer of ours: glibc's for a pipe is 4 KB. */
static char outbuf[1 << 16];

enum { O_HASHES = A0_LONGONLY(0), O_RAW, O_TENANT, O_DEBUG, O_NOCOLOR };

static const struct a0_opt opts[] = {
	{ 'c', A0_ARG_REQUIRED, "connection-name", "name",
	    "the connection, by name (default: all, or -C)" },
	{ 'C', A0_ARG_REQUIRED, "connection-id", "con_id",
	    "the connection, by id (default: all, or -c)" },
	{ O_HASHES, A0_ARG_REQUIRED, "hashes", "file",
	    "join the support's password hashes (default: none)" },
	{ O_RAW, A0_ARG_NONE, "raw", NULL,
	    "users as Auth0 wrote them (default: import records)" },
	{ O_TENANT, A0_ARG_REQUIRED, "tenant", "domain",
	    "the tenant (default: $AUTH0_DOMAIN)" },
	{ O_DEBUG, A0_ARG_NONE, "debug", NULL,
	    "trace requests, secrets hidden (default: off)" },
	{ O_NOCOLOR, A0_ARG_NONE, "no-color", NULL,
	    "no colour in progress (default: colour)" },
	{ 0, A0_ARG_NONE, NULL, NULL, NULL }
};

static const struct a0_tool tool = {
	"a0-export", "[-c name | -C con_id] [--hashes file] [--raw]\n"
	    "\t[--tenant domain] [--debug] [--no-color]", opts
};

static void
on_signal(int sig)
{
	(void)sig;
	gotsig = 1;
}

static void
clearline(void)
{
	if (R.progress && R.shown > 0) {
		fputs("\r\033[K", stderr);
		R.shown = 0;
	}
}

/* One progress line on a terminal, at most five times a second. */
static void
progress(const char *what, const char *word, int force)
{
	double t = a0_now_ms();

	if (!R.progress || (!force && t - R.shown < 200))
		return;
	R.shown = t;
	fprintf(stderr, "\r\033[Ka0-export: %s%s%s%s", what,
	    R.color && *word ? "\033[1m" : "", word,
	    R.color && *word ? "\033[0m" : "");
}

/* The --debug trace; http.c has hidden the secrets. */
static void
trace(void *arg, const char *line)
{
	(void)arg;
	clearline();
	fprintf(stderr, "a0-export: debug: %s\n", line);
}

/* Keep the secrets out of the trace and the messages. */
static void
hide(void)
{
	a0_http_secret(R.api.client_secret);
	a0_http_secret(R.api.token);
}

/* Stop: nothing more is written, and stdout holds whole records only. */
static void
leave(int status)
{
	clearline();
	if (a0_flush_stdout() == -1) {
		warn("stdout");
		status = A0_EXIT_IO;
	}
	exit(status);
}

static void
fail(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
fail(int status, const char *fmt, ...)
{
	va_list ap;

	clearline();
	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	if (R.downloading)
		warnx("the export is incomplete: %" PRIu64 " users written",
		    R.nout);
	leave(status);
}

/* ---- the Management API ---- */

/* Move the transfers on for up to ms. */
static void
pump(long ms)
{
	if (a0_hpool_run(R.pool, ms, NULL, 0) == -1)
		fail(A0_EXIT_TEMP, "libcurl failed");
	if (gotsig)
		fail(A0_EXIT_TEMP, "interrupted");
}

static const struct a0_resp *
perform(void)
{
	while (!a0_http_done(R.h))
		pump(100);
	return a0_http_take(R.h);
}

static void
sleep_ms(double ms)
{
	double until = a0_now_ms() + ms;

	while (a0_now_ms() < until)
		pump((long)(until - a0_now_ms()) + 1);
}

static void
refusal(int status, const char *what, const struct a0_resp *r)
{
	char msg[512];

	a0_api_message(r, msg, sizeof(msg));
	fail(status, "%s: %s", what, msg);
}

static int
start_token(const void *arg)
{
	(void)arg;
	return a0_req_token(R.h, &R.api);
}

/*
 * A request, tried until it has a final answer: rate limits, 5xx and
 * network errors are retried within the bounds (A0_RETRY_MAX,
 * A0_RETRY_TIME); a 401 renews the token once.
 */
static const struct a0_resp *
call(const char *what, int (*start)(const void *), const void *arg)
{
	const struct a0_resp *r;
	struct a0_retry q;
	double first = a0_now_ms();
	long d;
	int attempt, renewed = start == start_token;

	for (attempt = 1;; attempt++) {
		if (start(arg) == -1)
			fail(A0_EXIT_TEMP, "%s: %s", what,
			    a0_http_take(R.h)->err);
		r = perform();
		memset(&q, 0, sizeof(q));
		q.net = r->net;
		q.status = r->status;
		q.retry_after = r->retry_after;
		q.reset = r->reset;
		q.now = (long long)time(NULL);
		q.renewed = renewed;
		q.attempt = attempt;
		q.elapsed_ms = (long)(a0_now_ms() - first);
		q.max_attempts = R.retry_max;
		q.max_ms = R.retry_ms;
		q.rnd = (unsigned long)rand();
		switch (a0_retry_decide(&q, &d)) {
		case A0_RETRY_AFTER:
			sleep_ms((double)d);
			continue;
		case A0_RETRY_RENEW:
			if (R.api.client_id == NULL)
				refusal(A0_EXIT_API, what, r);
			renewed = 1;
			r = call("POST /oauth/token", start_token, NULL);
			if (a0_take_token(&R.api, r, (long long)time(NULL)) ==
			    -1)
				refusal(A0_EXIT_API, "POST /oauth/token", r);
			hide();
			continue;
		case A0_RETRY_GIVEUP:
			refusal(A0_EXIT_TEMP, what, r);
			break;
		default:
			if (r->net != A0_NET_OK)
				refusal(A0_EXIT_TEMP, what, r);
			return r;
		}
	}
}

static int
start_connection(const void *arg)
{
	(void)arg;
	return a0_req_connection(R.h, &R.api, cflag);
}

static int
start_export(const void *arg)
{
	return a0_req_export(R.h, &R.api, arg, &R.req);
}

static int
start_job(const void *arg)
{
	(void)arg;
	return a0_req_job(R.h, &R.api, R.job.id);
}

/* Status 4xx or 5xx: the exit status for a refusal. */
static int
refused_status(const struct a0_resp *r)
{
	return r->status >= 500 ? A0_EXIT_TEMP : A0_EXIT_API;
}

/* Get a token and the connection's id. */
static void
login(void)
{
	const struct a0_resp *r;

	if (R.api.token == NULL) {
		r = call("POST /oauth/token", start_token, NULL);
		if (a0_take_token(&R.api, r, (long long)time(NULL)) == -1)
			refusal(A0_EXIT_API, "POST /oauth/token", r);
		hide();
	}
	if (cflag == NULL) {
		R.con_id = Cflag ? xstrdup(Cflag) : NULL;
		return;
	}
	r = call("GET /api/v2/connections", start_connection, NULL);
	switch (a0_take_connection(r, cflag, &R.con_id)) {
	case 1:
		return;
	case 0:
		fail(A0_EXIT_API, "%s: no such connection", cflag);
		break;
	default:
		refusal(refused_status(r), "GET /api/v2/connections", r);
	}
}

/* Read a job answer into R.job, or stop. */
static void
take_job(const char *what, const struct a0_resp *r)
{
	if (r->status != 200)
		refusal(refused_status(r), what, r);
	if (a0_take_export(r, &R.job) == -1)
		fail(A0_EXIT_API, "%s: the answer is not an export job", what);
}

/* Create the export job and follow it until it has completed. */
static void
run_job(void)
{
	struct a0_export e;
	const struct a0_resp *r;
	double t0, wait = POLL_MIN_MS;
	char what[64], pct[32];

	memset(&e, 0, sizeof(e));
	e.con_id = R.con_id;
	e.fields = rawflag ? raw_fields : import_fields;
	r = call("POST /api/v2/jobs/users-exports", start_export, &e);
	take_job("POST /api/v2/jobs/users-exports", r);
	/* The connection's name, as hash files name it. */
	if (R.con_id != NULL && (R.job.connection != NULL || cflag != NULL))
		R.conname = xstrdup(R.job.connection ? R.job.connection :
		    cflag);
	if (R.hs != NULL)
		hashes_connection(R.hs, R.conname);
	t0 = a0_now_ms();
	for (;;) {
		snprintf(what, sizeof(what), "%s: ", R.job.id);
		pct[0] = '\0';
		if (R.job.percent >= 0)
			snprintf(pct, sizeof(pct), " %lld%%", R.job.percent);
		progress(what, R.job.status, 1);
		if (R.progress && pct[0] != '\0')
			fputs(pct, stderr);
		if (strcmp(R.job.status, "completed") == 0)
			break;
		if (strcmp(R.job.status, "failed") == 0)
			fail(A0_EXIT_API, "%s: the export job failed%s%s",
			    R.job.id, R.job.details ? ": " : "",
			    R.job.details ? R.job.details : "");
		if (strcmp(R.job.status, "pending") != 0 &&
		    strcmp(R.job.status, "processing") != 0)
			fail(A0_EXIT_API, "%s: unknown job status \"%s\"",
			    R.job.id, R.job.status);
		if (a0_now_ms() - t0 >= R.timeout * 1000.0)
			fail(A0_EXIT_TEMP, "%s: still %s after %lld s "
			    "(A0_EXPORT_TIMEOUT)", R.job.id, R.job.status,
			    R.timeout);
		/* Poll as the job's estimate says, within bounds. */
		if (R.job.time_left > 0 &&
		    R.job.time_left * 1000.0 < POLL_MAX_MS)
			wait = R.job.time_left * 1000.0;
		if (wait > R.timeout * 1000.0 - (a0_now_ms() - t0))
			wait = R.timeout * 1000.0 - (a0_now_ms() - t0) + 1;
		sleep_ms(wait);
		wait = wait * 1.5 > POLL_MAX_MS ? POLL_MAX_MS : wait * 1.5;
		r = call("GET /api/v2/jobs", start_job, NULL);
		take_job("GET /api/v2/jobs", r);
	}
	clearline();
	if (R.job.location == NULL)
		fail(A0_EXIT_API, "%s: completed without a location",
		    R.job.id);
}

/* ---- the download ---- */

static void
show_download(void)
{
	char what[160];

	snprintf(what, sizeof(what), "%s: %" PRIu64 " users, %.1f MB "
	    "downloaded", R.job.id, R.nrec, download_bytes(R.d) / 1e6);
	progress(what, "", 0);
}

/* The download waits: move the transfers on, show how far it got. */
static void
dl_pump(long ms)
{
	pump(ms);
	show_download();
}

/* The link expired: the job again, for a fresh one. */
static char *
dl_fresh(void *arg)
{
	(void)arg;
	take_job("GET /api/v2/jobs", call("GET /api/v2/jobs", start_job,
	    NULL));
	if (strcmp(R.job.status, "completed") != 0 || R.job.location == NULL)
		fail(A0_EXIT_API, "%s: no longer completed (%s)", R.job.id,
		    R.job.status);
	return xstrdup(R.job.location);
}

/* ---- the records ---- */

/* What was done, on stderr; the exit status. */
static int
summary(void)
{
	uint64_t lines, unused, other, bad;

	if (R.progress || R.nskip > 0 || R.ndrop > 0)
		warnx("%" PRIu64 " users exported, %" PRIu64 " left out, %"
		    PRIu64 " without a field the import schema refused",
		    R.nout, R.nskip, R.ndrop);
	if (R.hs == NULL)
		return R.nskip > 0 || R.ndrop > 0 ? A0_EXIT_REJECT : A0_EXIT_OK;
	hashes_summary(R.hs, &lines, &unused, &other, &bad);
	warnx("%s: %" PRIu64 " users with a password hash, %" PRIu64
	    " without; %" PRIu64 " of %" PRIu64 " hash lines matched no "
	    "user, %" PRIu64 " were for another connection, %" PRIu64
	    " unusable", hashes_path(R.hs), R.nhash, R.nout - R.nhash,
	    unused + other, lines, other, bad);
	return R.nskip > 0 || R.ndrop > 0 || bad > 0 ? A0_EXIT_REJECT :
	    A0_EXIT_OK;
}

static void
put(const char *p, size_t len)
{
	if (fwrite(p, 1, len, stdout) != len || putchar('\n') == EOF)
		fail(A0_EXIT_IO, "stdout: %s", strerror(errno));
	R.nout++;
}

/* Download the export and write its users; returns the exit status. */
static int
export(void)
{
	const struct jerror *e;
	struct jstream *js;
	struct jrecord rec;
	int r, hashed, dropped;

	static const struct dl_hooks hooks = { dl_pump, dl_fresh, NULL };
	const char *why;
	int st;

	if ((R.d = download_new(R.dl, &hooks)) == NULL)
		fail(A0_EXIT_IO, "zlib cannot start");
	R.downloading = 1;
	if (download_start(R.d, R.job.location) == -1) {
		why = download_error(R.d, &st);
		fail(st, "%s: %s", R.job.id, why);
	}
	js = jstream_open_fn(download_read, R.d, MAXREC);
	while ((r = jstream_next(js, &rec)) == 1) {
		R.nrec++;
		if (rawflag) {
			put(rec.buf, rec.len);
			continue;
		}
		if (xrecord_make(R.xr, &rec, &R.out, &hashed, &dropped) ==
		    XR_SKIP) {
			R.nskip++;
			continue;
		}
		R.ndrop += dropped != 0;
		R.nhash += hashed;
		put(R.out.p, R.out.len);
	}
	if (r < 0) {
		e = jstream_error(js);
		if ((why = download_error(R.d, &st)) != NULL)
			fail(st, "%s: %s", R.job.id, why);
		if (e->sys != 0)
			fail(A0_EXIT_IO, "%s: %s", R.job.id,
			    strerror(e->sys));
		fail(A0_EXIT_IO, "%s: export line %" PRIu64 ", column %"
		    PRIu64 ": %s", R.job.id, e->line, e->col, e->msg);
	}
	jstream_close(js);
	clearline();
	return summary();
}

/* ---- setup ---- */

static void
setup(void)
{
	struct sigaction sa;
	char why[512];
	long stall;

	if (a0_api_env(&R.api, tenant, why, sizeof(why)) == -1)
		errx(A0_EXIT_USAGE, "%s", why);
	R.retry_max = (int)a0_envnum("A0_RETRY_MAX", 1, 1000, A0_RETRY_ATTEMPTS);
	R.retry_ms = (long)a0_envnum("A0_RETRY_TIME", 1, 86400,
	    A0_RETRY_MS / 1000) * 1000;
	stall = (long)a0_envnum("A0_TIMEOUT", 1, 86400, A0_HTTP_STALL);
	R.timeout = a0_envnum("A0_EXPORT_TIMEOUT", 1, 7 * 86400LL,
	    EXPORT_TIMEOUT);
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	R.progress = isatty(STDERR_FILENO);
	R.color = R.progress && !nocolor && getenv("NO_COLOR") == NULL;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (hflag != NULL)
		R.hs = hashes_load(hflag);
	R.xr = xrecord_new(R.hs);
	if (a0_http_global() == -1 || (R.pool = a0_hpool_new()) == NULL ||
	    (R.h = a0_http_new(R.pool, stall, debug ? trace : NULL,
	    NULL)) == NULL || (R.dl = a0_http_new(R.pool, stall,
	    debug ? trace : NULL, NULL)) == NULL)
		errx(A0_EXIT_TEMP, "libcurl cannot start");
	hide();
}

/* Free what the run holds, for leak checkers. */
static void
teardown(void)
{
	download_free(R.d);
	a0_http_free(R.h);
	a0_http_free(R.dl);
	a0_expjob_free(&R.job);
	hashes_free(R.hs);
	xrecord_free(R.xr);
	jb_free(&R.out);
	jb_free(&R.req);
	free(R.con_id);
	free(R.conname);
	free(R.api.token);
	free(R.api.form);
}

int
main(int argc, char *argv[])
{
	int ch, status;

	a0_tool_start();
	while ((ch = a0_getopt(&tool, argc, argv)) != -1) {
		switch (ch) {
		case 'c':
			cflag = optarg;
			break;
		case 'C':
			Cflag = optarg;
			break;
		case O_HASHES:
			hflag = optarg;
			break;
		case O_RAW:
			rawflag = 1;
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
		}
	}
	if (optind != argc) {
		warnx("%s: unexpected argument", argv[optind]);
		a0_usage(&tool);
	}
	if (cflag != NULL && Cflag != NULL) {
		warnx("give one of -c name and -C con_id");
		a0_usage(&tool);
	}
	if (Cflag != NULL && !a0_con_id_ok(Cflag))
		errx(A0_EXIT_USAGE, "-C %s: not a connection id "
		    "(con_ and 16 letters or digits)", Cflag);
	if (rawflag && hflag != NULL)
		errx(A0_EXIT_USAGE, "--raw and --hashes: a raw export has "
		    "no hashes joined");
	setup();
	login();
	run_job();
	status = export();
	teardown();
	leave(status);
}
