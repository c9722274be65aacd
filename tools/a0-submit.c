/*
 * a0-submit: post each chunk file to Auth0 as one user import job, follow
 * the jobs to their end, and print one result line per chunk.
 *
 * One thread drives everything: up to -j job slots, each a small state
 * machine (post, poll, fetch errors) over its own reused libcurl handle,
 * the chunk paths read from stdin as they arrive, and the signal pipe.
 * This file reads the options, sets the run up and prints; the chunks
 * are read in submit-chunk.c, the slots driven in submit-slot.c.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "submit.h"

static struct opts opt = { .email = 1, .xflag = "", .jflag = 2 };
static volatile sig_atomic_t gotsig;
static int sigw = -1;		/* the signal pipe's write end */

static void
usage(FILE *f, int status)
{
	/* -h writes to stdout, which may fail like any output. */
	fprintf(f, "usage: a0-submit [-0] [-c name | -C con_id] "
	    "[--upsert[=bool]]\n"
	    "\t[--email-results[=bool]] [-x external_id] [-s state] "
	    "[-r rejects]\n"
	    "\t[-j jobs] [--no-wait] [--dry-run] [--tenant domain] "
	    "[--debug]\n"
	    "\t[--no-color] [file ...]\n");
	if (f == stdout && a0_flush_stdout() == -1)
		err(A0_EXIT_IO, "stdout");
	exit(status);
}

double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

long long
epoch(void)
{
	return (long long)time(NULL);
}

/* ---- output ---- */

/* Write a line to stdout now: a reader downstream acts on it at once. */
void
emit(struct run *r, struct jbuf *b)
{
	if (r->progress)
		fputs("\r\033[K", stderr);
	jb_add(b, "\n", 1);
	if (jb_write(b, stdout) == -1 || fflush(stdout) == EOF)
		err(A0_EXIT_IO, "stdout");
	jb_free(b);
}

/* One result line for a chunk. */
void
result(struct run *r, const struct chunk *c, const char *status,
    const char *error, int journaled)
{
	struct jbuf b = { NULL, 0, 0, 0 };

	jb_begin(&b, '{');
	jb_kstr(&b, "file", c->path);
	jb_kstr(&b, "sha256", c->sha[0] ? c->sha : NULL);
	jb_kstr(&b, "job_id", c->job);
	jb_kstr(&b, "status", status);
	jb_kint(&b, "inserted", c->ji.inserted);
	jb_kint(&b, "updated", c->ji.updated);
	jb_kint(&b, "failed", c->ji.failed);
	jb_kint(&b, "total", c->ji.total);
	if (c->uncertain > 0)
		jb_kint(&b, "uncertain_posts", c->uncertain);
	if (c->earlier > 0)
		jb_kint(&b, "earlier_duplicates", c->earlier);
	if (c->resumed)
		jb_kbool(&b, "resumed", 1);
	if (journaled)
		jb_kbool(&b, "from_journal", 1);
	if (c->ji.details != NULL)
		jb_kstr(&b, "details", c->ji.details);
	if (error != NULL)
		jb_kstr(&b, "error", error);
	jb_end(&b, '}');
	emit(r, &b);
}

/* The progress line, redrawn when it changes. */
void
show_progress(struct run *r)
{
	char line[256];
	int i, running = 0;

	if (!r->progress)
		return;
	for (i = 0; i < r->nslots; i++)
		running += r->slots[i].c != NULL && r->slots[i].c->job != NULL;
	snprintf(line, sizeof(line), "a0-submit: %lld/%lld%s chunks, "
	    "%d running, %lld inserted, %lld updated, %s%lld failed%s",
	    r->tally.done, r->tally.chunks, r->in.eof ? "" : "+", running,
	    r->tally.inserted, r->tally.updated, r->color && r->tally.failed ?
	    "\033[31m" : "", r->tally.failed, r->color && r->tally.failed ?
	    "\033[0m" : "");
	if (strcmp(line, r->shown) == 0)
		return;
	memcpy(r->shown, line, sizeof(r->shown));
	fprintf(stderr, "\r\033[K%s", line);
}

/* The --debug trace: http.c has scrubbed the secrets already. */
static void
trace(void *arg, const char *line)
{
	const struct run *r = arg;

	if (r->progress)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "a0-submit: debug: %s\n", line);
}

/* ---- the end of a run ---- */

void
leave(struct run *r, int status)
{
	if (r->progress)
		fputs("\r\033[K", stderr);
	if (a0_flush_stdout() == -1) {
		warn("stdout");
		status = A0_EXIT_IO;
	}
	a0_journal_close(r->journal);
	exit(status);
}

static const char *
resume_hint(void)
{
	static char s[256];

	if (opt.sflag != NULL)
		snprintf(s, sizeof(s), "run again with -s %s to resume",
		    opt.sflag);
	else
		snprintf(s, sizeof(s), "run again (with -s state to skip "
		    "the chunks already imported)");
	return s;
}

void
interrupted(struct run *r)
{
	warnx("interrupted; %s", resume_hint());
	leave(r, A0_EXIT_TEMP);
}

static void
on_signal(int sig)
{
	int save = errno;

	(void)sig;
	gotsig = 1;
	if (write(sigw, "x", 1) == -1)
		errno = save;
	errno = save;
}

/* A refusal that no other chunk can get past: stop now. */
void
fatal(struct run *r, int status, const char *what, const struct a0_resp *a)
{
	char msg[512];

	a0_api_message(a, msg, sizeof(msg));
	warnx("%s: %s", what, msg);
	leave(r, status);
}

/* Bounds spent: stop, naming what failed and how to go on. */
void
giveup(struct run *r, const char *what, const struct a0_resp *a, int tries)
{
	char msg[512];

	a0_api_message(a, msg, sizeof(msg));
	warnx("%s: %s: gave up after %d tries; %s", what, msg, tries,
	    resume_hint());
	leave(r, A0_EXIT_TEMP);
}

/* The result of a journal write: a journal that cannot be written ends
 * the run, as it could not be resumed. */
void
jwrite(struct run *r, int rv)
{
	if (rv == -1)
		err(A0_EXIT_IO, "%s", r->o->sflag);
}

/* ---- setup ---- */

static int
flagbool(const char *name, const char *arg)
{
	int v;

	if (arg == NULL)
		return 1;
	if (a0_parse_bool(arg, &v) == -1) {
		warnx("--%s: %s: not a boolean", name, arg);
		usage(stderr, A0_EXIT_USAGE);
	}
	return v;
}

static int
con_id_ok(const char *s)
{
	int i;

	if (strncmp(s, "con_", 4) != 0 || strlen(s) != 20)
		return 0;
	for (i = 4; i < 20; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return 1;
}

static long long
envnum(const char *name, long long min, long long max, long long dflt)
{
	const char *v = getenv(name), *why;
	long long n;

	if (v == NULL || *v == '\0')
		return dflt;
	if (a0_parse_num(v, min, max, 0, &n, &why) == -1)
		errx(A0_EXIT_USAGE, "%s: %s: %s", name, v, why);
	return n;
}

/* Credentials and tenant from the environment. */
static void
credentials(struct a0_api *api)
{
	const char *domain, *why, *tok;

	domain = opt.tenant ? opt.tenant : getenv("AUTH0_DOMAIN");
	if (domain == NULL || *domain == '\0')
		errx(A0_EXIT_USAGE, "AUTH0_DOMAIN is not set (nor --tenant)");
	if ((api->base = a0_api_base(domain, &why)) == NULL)
		errx(A0_EXIT_USAGE, "%s: %s", domain, why);
	if ((tok = getenv("AUTH0_API_TOKEN")) != NULL && *tok != '\0') {
		api->token = xstrdup(tok);
		return;
	}
	api->client_id = getenv("AUTH0_CLIENT_ID");
	api->client_secret = getenv("AUTH0_CLIENT_SECRET");
	if (api->client_id == NULL || *api->client_id == '\0' ||
	    api->client_secret == NULL || *api->client_secret == '\0')
		errx(A0_EXIT_USAGE, "set AUTH0_CLIENT_ID and "
		    "AUTH0_CLIENT_SECRET, or AUTH0_API_TOKEN");
}

/* The signal pipe, and SIGINT and SIGTERM written into it. */
static void
signals(struct run *r)
{
	struct sigaction sa;
	int fd[2];

	if (pipe(fd) == -1)
		err(A0_EXIT_IO, "pipe");
	r->sigfd = fd[0];
	sigw = fd[1];
	r->gotsig = &gotsig;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void
setup(struct run *r)
{
	long bad, stall;
	int i;

	r->o = &opt;
	r->nslots = (int)opt.jflag;
	r->qtail = &r->qhead;
	r->rejfd = -1;
	r->in.fd = -1;
	r->in.eof = 1;
	if (!opt.dryrun)
		credentials(&r->api);
	r->retry.max_attempts = (int)envnum("A0_RETRY_MAX", 1, 1000,
	    A0_RETRY_ATTEMPTS);
	r->retry.max_ms = (long)envnum("A0_RETRY_TIME", 1, 86400,
	    A0_RETRY_MS / 1000) * 1000;
	stall = (long)envnum("A0_TIMEOUT", 1, 86400, A0_HTTP_STALL);
	r->imp.con_id = opt.Cflag;
	r->imp.external_id = opt.xflag;
	r->imp.upsert = opt.upsert;
	r->imp.email = opt.email;
	a0_import_boundary(&r->imp);
	r->seen = dupset_new();
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	r->progress = isatty(STDERR_FILENO);
	r->color = r->progress && !opt.nocolor && getenv("NO_COLOR") == NULL;
	signals(r);
	if (opt.dryrun)
		return;
	if (opt.sflag != NULL &&
	    a0_journal_open(opt.sflag, &r->journal, &bad) == -1) {
		if (errno == EINVAL)
			errx(A0_EXIT_IO, "%s:%ld: not an a0-submit journal "
			    "line", opt.sflag, bad);
		err(A0_EXIT_IO, "%s", opt.sflag);
	}
	if (opt.rflag != NULL && (r->rejfd = a0_open_private(opt.rflag,
	    O_WRONLY | O_APPEND)) == -1)
		err(A0_EXIT_IO, "%s", opt.rflag);
	if (a0_http_global() == -1 || (r->pool = a0_hpool_new()) == NULL)
		errx(A0_EXIT_TEMP, "libcurl cannot start");
	for (i = 0; i < r->nslots; i++) {
		if ((r->slots[i].h = a0_http_new(r->pool, stall,
		    opt.debug ? trace : NULL, r)) == NULL)
			errx(A0_EXIT_TEMP, "libcurl cannot start");
		a0_http_hide(r->slots[i].h, r->api.client_secret);
		a0_http_hide(r->slots[i].h, r->api.token);
	}
}

/* Read the options into opt; returns optind. */
static int
options(int argc, char *argv[])
{
	enum { O_UPSERT = 256, O_EMAIL, O_NOWAIT, O_DRYRUN, O_TENANT,
	    O_DEBUG, O_NOCOLOR };
	static const struct option lopts[] = {
		{ "null",		no_argument, NULL, '0' },
		{ "connection-name",	required_argument, NULL, 'c' },
		{ "connection-id",	required_argument, NULL, 'C' },
		{ "upsert",		optional_argument, NULL, O_UPSERT },
		{ "email-results",	optional_argument, NULL, O_EMAIL },
		{ "external-id",	required_argument, NULL, 'x' },
		{ "state",		required_argument, NULL, 's' },
		{ "rejects",		required_argument, NULL, 'r' },
		{ "jobs",		required_argument, NULL, 'j' },
		{ "no-wait",		no_argument, NULL, O_NOWAIT },
		{ "dry-run",		no_argument, NULL, O_DRYRUN },
		{ "tenant",		required_argument, NULL, O_TENANT },
		{ "debug",		no_argument, NULL, O_DEBUG },
		{ "no-color",		no_argument, NULL, O_NOCOLOR },
		{ "help",		no_argument, NULL, 'h' },
		{ "version",		no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *why;
	int ch;

	while ((ch = getopt_long(argc, argv, "0c:C:x:s:r:j:hV", lopts,
	    NULL)) != -1) {
		switch (ch) {
		case '0':
			opt.zflag = 1;
			break;
		case 'c':
			opt.cflag = optarg;
			break;
		case 'C':
			opt.Cflag = optarg;
			break;
		case 'x':
			opt.xflag = optarg;
			break;
		case 's':
			opt.sflag = optarg;
			break;
		case 'r':
			opt.rflag = optarg;
			break;
		case 'j':
			if (a0_parse_num(optarg, 1, MAXSLOTS, 0, &opt.jflag,
			    &why) == -1) {
				warnx("-j %s: %s", optarg, why);
				usage(stderr, A0_EXIT_USAGE);
			}
			break;
		case O_UPSERT:
			opt.upsert = flagbool("upsert", optarg);
			break;
		case O_EMAIL:
			opt.email = flagbool("email-results", optarg);
			break;
		case O_NOWAIT:
			opt.nowait = 1;
			break;
		case O_DRYRUN:
			opt.dryrun = 1;
			break;
		case O_TENANT:
			opt.tenant = optarg;
			break;
		case O_DEBUG:
			opt.debug = 1;
			break;
		case O_NOCOLOR:
			opt.nocolor = 1;
			break;
		case 'h':
			usage(stdout, A0_EXIT_OK);
			break;
		case 'V':
			printf("a0-submit %s\n", A0_VERSION);
			if (a0_flush_stdout() == -1)
				err(A0_EXIT_IO, "stdout");
			exit(A0_EXIT_OK);
		default:
			usage(stderr, A0_EXIT_USAGE);
		}
	}
	return optind;
}

/* What the options may not say together. */
static void
check_options(void)
{
	const char *p;

	if ((opt.cflag == NULL) == (opt.Cflag == NULL)) {
		warnx("give one of -c name and -C con_id");
		usage(stderr, A0_EXIT_USAGE);
	}
	if (opt.Cflag != NULL && !con_id_ok(opt.Cflag))
		errx(A0_EXIT_USAGE, "-C %s: not a connection id "
		    "(con_ and 16 letters or digits)", opt.Cflag);
	if (strlen(opt.xflag) > A0_MAX_EXTERNAL_ID)
		errx(A0_EXIT_USAGE, "-x: longer than %d bytes",
		    A0_MAX_EXTERNAL_ID);
	for (p = opt.xflag; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			errx(A0_EXIT_USAGE, "-x: control characters are not "
			    "allowed");
}

int
main(int argc, char *argv[])
{
	static struct run run;
	int i, stdin_list = 0;

	i = options(argc, argv);
	argc -= i;
	argv += i;
	check_options();
	setup(&run);
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0)
			stdin_list = 1;
		else
			enqueue(&run, xstrdup(argv[i]), NULL);
	}
	if (argc == 0 || stdin_list) {
		run.in.fd = STDIN_FILENO;
		run.in.eof = 0;
	}
	leave(&run, submit(&run));
}
