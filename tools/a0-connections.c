/*
 * a0-connections: the tenant's connections that users can be imported
 * into, one line each, with whether each is enabled for an application
 * (Auth0 imports only into a database connection that is).  What
 * a0-import's menu shows, and a script's check before an import.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "a0.h"

static int aflag, eflag, jflag, debug;
static const char *tenant;
static long long tokfd = -1;

/* The run: the tenant, the one handle, the retry bounds, the output. */
static struct {
	struct a0_api	 api;
	struct a0_hpool	*pool;
	struct a0_http	*h;
	int		 retry_max;
	long		 retry_ms, connect_ms, stall;
	int		 renewed;	/* the token was renewed this run */
	int		 progress;	/* stderr is a terminal */
	int		 shown;		/* a progress line is on it */
	long long	 listed, missing;
	struct jbuf	 out;
} run;

enum { O_TOKFD = A0_LONGONLY(0), O_TENANT, O_DEBUG };

static const struct a0_opt opts[] = {
	{ 'a', A0_ARG_NONE, "all", NULL,
	    "every connection (default: database ones)" },
	{ 'e', A0_ARG_NONE, "enabled", NULL,
	    "only those enabled for an app (default: all)" },
	{ 'j', A0_ARG_NONE, "json", NULL,
	    "JSON Lines (default: tab-separated text)" },
	{ O_TOKFD, A0_ARG_REQUIRED, "token-fd", "fd",
	    "hand the token over on fd (default: none)" },
	{ O_TENANT, A0_ARG_REQUIRED, "tenant", "domain",
	    "the tenant (default: $AUTH0_DOMAIN)" },
	{ O_DEBUG, A0_ARG_NONE, "debug", NULL,
	    "trace requests, secrets hidden (default: off)" },
	{ 0, A0_ARG_NONE, NULL, NULL, NULL }
};

static const struct a0_tool tool = {
	"a0-connections", "[-aej] [--token-fd fd] [--tenant domain] "
	    "[--debug]\n\t[name ...]", opts
};

/* Take the progress line off the terminal before another line. */
static void
unshow(void)
{
	if (run.shown)
		fputs("\r\033[K", stderr);
	run.shown = 0;
}

static void
trace(void *arg, const char *line)
{
	(void)arg;
	unshow();
	fprintf(stderr, "a0-connections: debug: %s\n", line);
}

/* A request that failed for good: say so, in the words of every tool. */
static void __attribute__((noreturn))
fail(int status, const char *what, const struct a0_resp *r)
{
	char msg[512];

	a0_api_message(r, msg, sizeof(msg));
	unshow();
	errx(status, "%s: %s", what, msg);
}

static void
sleep_ms(double ms)
{
	double until = a0_now_ms() + ms;

	while (a0_now_ms() < until)
		if (a0_hpool_run(run.pool, (long)(until - a0_now_ms()) + 1, NULL,
		    0) == -1)
			errx(A0_EXIT_TEMP, "libcurl failed");
}

static void renew(void);
static int start_token(const void *);

/*
 * One request, started by start(arg), tried until it has a final answer:
 * rate limits, 5xx and network failures are retried within the bounds
 * (each retry shown on a terminal), a refused token renewed once.
 */
static const struct a0_resp *
call(const char *what, int (*start)(const void *), const void *arg)
{
	const struct a0_resp *r;
	struct a0_retry q;
	char msg[512], line[700];
	double first = a0_now_ms();
	long d;
	int attempt;

	for (attempt = 1;; attempt++) {
		if (start(arg) == -1)
			errx(A0_EXIT_TEMP, "%s: %s", what,
			    a0_http_take(run.h)->err);
		while (!a0_http_done(run.h))
			if (a0_hpool_run(run.pool, 100, NULL, 0) == -1)
				errx(A0_EXIT_TEMP, "libcurl failed");
		r = a0_http_take(run.h);
		memset(&q, 0, sizeof(q));
		q.net = r->net;
		q.status = r->status;
		q.retry_after = r->retry_after;
		q.reset = r->reset;
		q.now = (long long)time(NULL);
		q.renewed = run.renewed || run.api.client_id == NULL ||
		    start == start_token;
		q.attempt = attempt;
		q.elapsed_ms = (long)(a0_now_ms() - first);
		q.max_attempts = run.retry_max;
		q.max_ms = run.retry_ms;
		q.max_connect_ms = run.connect_ms;
		q.rnd = (unsigned long)rand();
		switch (a0_retry_decide(&q, &d)) {
		case A0_RETRY_AFTER:
			if (run.progress || debug) {
				a0_api_message(r, msg, sizeof(msg));
				a0_retry_note(line, sizeof(line), d,
				    attempt + 1, run.retry_max, msg);
				unshow();
				warnx("%s: %s", what, line);
			}
			sleep_ms((double)d);
			continue;
		case A0_RETRY_RENEW:
			run.renewed = 1;
			renew();
			attempt = 0;
			continue;
		case A0_RETRY_GIVEUP:
			a0_api_message(r, msg, sizeof(msg));
			a0_retry_gaveup(line, sizeof(line), attempt,
			    (long)(a0_now_ms() - first), msg);
			unshow();
			errx(A0_EXIT_TEMP, "%s: %s", what, line);
		default:
			if (r->net != A0_NET_OK)
				fail(A0_EXIT_TEMP, what, r);
			return r;
		}
	}
}

static int
start_token(const void *arg)
{
	(void)arg;
	return a0_req_token(run.h, &run.api);
}

/* A token from the client credentials. */
static void
renew(void)
{
	const struct a0_resp *r;

	r = call("POST /oauth/token", start_token, NULL);
	if (a0_take_token(&run.api, r, (long long)time(NULL)) == -1)
		fail(A0_EXIT_API, "POST /oauth/token", r);
}

/* What a list request asks for. */
struct listreq {
	const char	*strategy, *name;
	long		 page;
};

static int
start_list(const void *arg)
{
	const struct listreq *l = arg;

	return a0_req_connections(run.h, &run.api, l->strategy, l->name,
	    l->page);
}

static int
start_clients(const void *arg)
{
	return a0_req_conn_clients(run.h, &run.api, arg);
}

/* A refusal: 401 and 403 say the credentials will not do. */
static void
refused(const char *what, const struct a0_resp *r)
{
	fail(r->status == 429 || r->status >= 500 ? A0_EXIT_TEMP :
	    A0_EXIT_API, what, r);
}

static void
show_progress(long long done, long long total)
{
	if (!run.progress)
		return;
	fprintf(stderr, "\r\033[Ka0-connections: %lld/%lld connections "
	    "checked", done, total);
	run.shown = 1;
}

/* Print one connection, asking Auth0 whether it is enabled. */
static void
one(const struct a0_conn *c)
{
	const struct a0_resp *r;
	char what[160];
	int on;

	snprintf(what, sizeof(what), "GET /api/v2/connections/%.64s/clients",
	    c->id);
	r = call(what, start_clients, c->id);
	if ((on = a0_take_conn_clients(r)) == -1)
		refused(what, r);
	run.listed++;
	if (eflag && !on)
		return;
	if (jflag) {
		jb_begin(&run.out, '{');
		jb_kstr(&run.out, "id", c->id);
		jb_kstr(&run.out, "name", c->name);
		jb_kstr(&run.out, "strategy", c->strategy);
		jb_kbool(&run.out, "enabled", on);
		jb_end(&run.out, '}');
		jb_puts(&run.out, "\n");
	} else
		jb_printf(&run.out, "%s\t%s\t%s\t%s\n", c->name, c->id,
		    c->strategy ? c->strategy : "-", on ? "enabled" :
		    "disabled");
	unshow();
	if (jb_write(&run.out, stdout) == -1 || fflush(stdout) == EOF)
		err(A0_EXIT_IO, "stdout");
}

/*
 * Every page of the connections asked for (name NULL: the database
 * connections, or all with -a), each printed; the number found.
 */
static long long
list(const char *name)
{
	const struct a0_resp *r;
	struct listreq l;
	struct a0_conn *c;
	long long total, seen = 0, found = 0;
	size_t i, n;

	l.strategy = name == NULL && !aflag ? "auth0" : NULL;
	l.name = name;
	for (l.page = 0;; l.page++) {
		r = call("GET /api/v2/connections", start_list, &l);
		if (a0_take_connections(r, &c, &n, &total) == -1)
			refused("GET /api/v2/connections", r);
		for (i = 0; i < n; i++) {
			/* The name filter is Auth0's; checked here again. */
			if (name != NULL && strcmp(c[i].name, name) != 0)
				continue;
			show_progress(seen + (long long)i, total >= 0 ?
			    total : seen + (long long)n);
			one(&c[i]);
			found++;
		}
		seen += (long long)n;
		a0_conns_free(c, n);
		if (n < A0_CONN_PAGE || (total >= 0 && seen >= total))
			break;
	}
	unshow();
	return found;
}

static void
setup(void)
{
	const char *t;
	char why[512];

	if (a0_api_env(&run.api, tenant, why, sizeof(why)) == -1)
		errx(A0_EXIT_USAGE, "%s", why);
	run.retry_max = (int)a0_envnum("A0_RETRY_MAX", 1, 1000,
	    A0_RETRY_ATTEMPTS);
	run.retry_ms = (long)a0_envnum("A0_RETRY_TIME", 1, 86400,
	    A0_RETRY_MS / 1000) * 1000;
	/* A0_RETRY_TIME, when given, bounds every retry alike. */
	t = getenv("A0_RETRY_TIME");
	run.connect_ms = t != NULL && *t != '\0' ? 0 : A0_RETRY_CONNECT_MS;
	run.stall = (long)a0_envnum("A0_TIMEOUT", 1, 86400, A0_HTTP_STALL);
	run.progress = isatty(STDERR_FILENO);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	if (a0_http_global() == -1 || (run.pool = a0_hpool_new()) == NULL ||
	    (run.h = a0_http_new(run.pool, run.stall, debug ? trace : NULL,
	    NULL)) == NULL)
		errx(A0_EXIT_TEMP, "libcurl cannot start");
}

/* Hand the token over on --token-fd: a pipe, never a terminal. */
static void
hand_token(void)
{
	size_t n;
	char *s;

	if (tokfd == -1)
		return;
	n = strlen(run.api.token);
	s = xmalloc(n + 2);
	memcpy(s, run.api.token, n);
	s[n++] = '\n';
	if (a0_write_all((int)tokfd, s, n) == -1)
		err(A0_EXIT_IO, "--token-fd %lld", tokfd);
	memset(s, 0, n);
	free(s);
	close((int)tokfd);
}

int
main(int argc, char *argv[])
{
	const char *why;
	int ch, i;

	a0_tool_start();
	while ((ch = a0_getopt(&tool, argc, argv)) != -1) {
		switch (ch) {
		case 'a':
			aflag = 1;
			break;
		case 'e':
			eflag = 1;
			break;
		case 'j':
			jflag = 1;
			break;
		case O_TOKFD:
			if (a0_parse_num(optarg, 3, 1023, 0, &tokfd,
			    &why) == -1) {
				warnx("--token-fd %s: %s", optarg, why);
				a0_usage(&tool);
			}
			if (fcntl((int)tokfd, F_GETFD) == -1)
				errx(A0_EXIT_USAGE, "--token-fd %lld: not "
				    "open", tokfd);
			if (isatty((int)tokfd))
				errx(A0_EXIT_USAGE, "--token-fd %lld: a "
				    "terminal, which would show the token",
				    tokfd);
			break;
		case O_TENANT:
			tenant = optarg;
			break;
		case O_DEBUG:
			debug = 1;
			break;
		}
	}
	argc -= optind;
	argv += optind;
	setup();
	if (run.api.token == NULL)
		renew();
	hand_token();
	if (argc == 0)
		list(NULL);
	for (i = 0; i < argc; i++)
		if (list(argv[i]) == 0) {
			warnx("%s: no such connection", argv[i]);
			run.missing++;
		}
	if (a0_flush_stdout() == -1)
		err(A0_EXIT_IO, "stdout");
	return run.missing > 0 ? A0_EXIT_API : A0_EXIT_OK;
}
