/*
 * a0-submit: post each chunk file to Auth0 as one user import job, follow
 * the jobs to their end, and print one result line per chunk.
 *
 * One thread drives everything: up to -j job slots, each a small state
 * machine (post, poll, fetch errors) over its own reused libcurl handle,
 * the chunk paths read from stdin as they arrive, and the signal pipe.
 * This file reads the options, sets the run up and ends it; the chunks
 * are read in submit-chunk.c, the slots driven in submit-slot.c, the
 * lines printed in submit-out.c.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "submit.h"

static struct opts opt = { .email = 1, .xflag = "", .jflag = 2 };
static volatile sig_atomic_t gotsig;
static int sigw = -1;		/* the signal pipe's write end */

enum { O_UPSERT = A0_LONGONLY(0), O_EMAIL, O_NOWAIT, O_DRYRUN, O_TENANT,
    O_DEBUG, O_NOCOLOR, O_WAITLOCK };

static const struct a0_opt opts[] = {
	{ '0', A0_ARG_NONE, "null", NULL,
	    "paths on stdin end with a NUL (default: newline)" },
	{ 'c', A0_ARG_REQUIRED, "connection-name", "name",
	    "the connection, by name (default: none, or -C)" },
	{ 'C', A0_ARG_REQUIRED, "connection-id", "con_id",
	    "the connection, by id (default: none, or -c)" },
	{ 'f', A0_ARG_REQUIRED, "format", "json|text",
	    "results as JSON Lines, or for a person (default: json)" },
	{ O_UPSERT, A0_ARG_OPTIONAL, "upsert", "bool",
	    "update users that exist (default: false)" },
	{ O_EMAIL, A0_ARG_OPTIONAL, "email-results", "bool",
	    "email the admins as jobs end (default: true)" },
	{ 'x', A0_ARG_REQUIRED, "external-id", "external_id",
	    "Auth0's job tag (default: none)" },
	{ 's', A0_ARG_REQUIRED, "state", "state",
	    "keep a journal in this file (default: none)" },
	{ O_WAITLOCK, A0_ARG_NONE, "wait-lock", NULL,
	    "wait if the journal is in use (default: exit 5)" },
	{ 'r', A0_ARG_REQUIRED, "rejects", "rejects",
	    "append the failed users here (default: none)" },
	{ 'j', A0_ARG_REQUIRED, "jobs", "jobs",
	    "jobs at once, 1 to 16 (default: 2)" },
	{ O_NOWAIT, A0_ARG_NONE, "no-wait", NULL,
	    "print job ids, do not wait (default: wait)" },
	{ O_DRYRUN, A0_ARG_NONE, "dry-run", NULL,
	    "show what would be posted (default: post)" },
	{ O_TENANT, A0_ARG_REQUIRED, "tenant", "domain",
	    "the tenant (default: $AUTH0_DOMAIN)" },
	{ O_DEBUG, A0_ARG_NONE, "debug", NULL,
	    "trace requests, secrets hidden (default: off)" },
	{ O_NOCOLOR, A0_ARG_NONE, "no-color", NULL,
	    "no colour in progress (default: colour)" },
	{ 0, A0_ARG_NONE, NULL, NULL, NULL }
};

static const struct a0_tool tool = {
	"a0-submit", "[-0] [-c name | -C con_id] [-f json|text] "
	    "[--upsert[=bool]]\n"
	    "\t[--email-results[=bool]] [-x external_id] [-s state] "
	    "[--wait-lock]\n"
	    "\t[-r rejects] [-j jobs] [--no-wait] [--dry-run] "
	    "[--tenant domain]\n"
	    "\t[--debug] [--no-color] [file ...]", opts
};

long long
epoch(void)
{
	return (long long)time(NULL);
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

/* A polite stop: the posts in flight are finished first. */
void
interrupted(struct run *r)
{
	drain(r);
	note(r, "interrupted; %s", resume_hint());
	leave(r, A0_EXIT_TEMP);
}

/* Count the signals: the first stops the run politely, the second at
 * once. */
static void
on_signal(int sig)
{
	int save = errno;

	(void)sig;
	if (gotsig < 2)
		gotsig++;
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
	note(r, "%s: %s", what, msg);
	leave(r, status);
}

/* Bounds spent: stop, naming what failed and how to go on. */
void
giveup(struct run *r, const char *what, const struct a0_resp *a, int tries,
    double first)
{
	char msg[512], line[700];

	a0_api_message(a, msg, sizeof(msg));
	a0_retry_gaveup(line, sizeof(line), tries, (long)(a0_now_ms() - first),
	    msg);
	note(r, "%s: %s; %s", what, line, resume_hint());
	leave(r, A0_EXIT_TEMP);
}

void
unknown_job(struct run *r, const char *path, const char *job)
{
	note(r, "%s: job %s is not known to the tenant (404): whether its "
	    "users were imported is not known; a0-export of the connection "
	    "tells, or post the chunk again with --upsert and a new -s state",
	    path, job);
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
		a0_usage(&tool);
	}
	return v;
}

/*
 * The tenant and its credentials: the environment's, or the credentials
 * file's line for the tenant (a0(7) says which, in which order).
 */
static void
credentials(struct a0_api *api)
{
	char why[512];

	if (a0_api_env(api, opt.tenant, why, sizeof(why)) == -1)
		errx(A0_EXIT_USAGE, "%s", why);
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
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/*
 * The journal, locked for this run: when another run holds it, exit 5
 * (a later run will do), or with --wait-lock wait for it to end.  Opened
 * before the signals are caught, so that a signal ends the wait.
 */
static void
open_journal(struct run *r)
{
	long bad, pid;
	int wait = 0;

	while (a0_journal_open(opt.sflag, wait, &r->journal, &bad,
	    &pid) == -1) {
		if (errno == EAGAIN && !wait && opt.waitlock) {
			note(r, "%s: in use by process %ld; waiting for it to "
			    "end", opt.sflag, pid);
			wait = 1;
			continue;
		}
		if (errno == EAGAIN)
			errx(A0_EXIT_TEMP, "%s: in use by process %ld; run "
			    "again when it ends, or add --wait-lock",
			    opt.sflag, pid);
		if (errno == EINVAL)
			errx(A0_EXIT_IO, "%s:%ld: not an a0-submit journal "
			    "line", opt.sflag, bad);
		err(A0_EXIT_IO, "%s", opt.sflag);
	}
}

/* Cut the line an earlier stop left torn at the end of a JSON Lines
 * file that this run appends to, so that every line parses. */
static void
cut_torn(struct run *r, int fd, const char *name, const char *why)
{
	long long cut;

	if (a0_cut_torn(fd, &cut) == -1)
		err(A0_EXIT_IO, "%s", name);
	if (cut > 0)
		note(r, "%s: %lld bytes after the last line cut off: a line "
		    "torn by an earlier stop; %s", name, cut, why);
}

/* The files the run writes, besides the journal. */
static void
open_outputs(struct run *r)
{
	int fl;

	/* Results appended to a file (>>): a torn line there too. */
	if ((fl = fcntl(STDOUT_FILENO, F_GETFL)) != -1 && (fl & O_APPEND))
		cut_torn(r, STDOUT_FILENO, "stdout", "a rerun with the same "
		    "-s journal prints every chunk's line again");
	if (opt.rflag == NULL || opt.dryrun)
		return;
	/* Its lock would go when the file is closed through another
	 * descriptor. */
	if (r->journal != NULL && a0_journal_is(r->journal, opt.rflag))
		errx(A0_EXIT_USAGE, "-r %s: is the journal (-s)", opt.rflag);
	if ((r->rejfd = a0_open_private(opt.rflag, O_RDWR | O_APPEND)) == -1)
		err(A0_EXIT_IO, "%s", opt.rflag);
	/* Those users were written before their job's "done" line. */
	cut_torn(r, r->rejfd, opt.rflag, r->journal != NULL ? "its job is "
	    "not done in the journal, so its failed users are fetched again" :
	    "its job's failed users are fetched again by a run with the -s "
	    "journal that posted it");
}

static void
setup(struct run *r)
{
	const char *p;
	int i;

	r->o = &opt;
	r->nslots = (int)opt.jflag;
	r->qtail = &r->qhead;
	r->rejfd = -1;
	r->in.fd = -1;
	r->in.eof = 1;
	if (!opt.dryrun)
		credentials(&r->api);
	r->retry.max_attempts = (int)a0_envnum("A0_RETRY_MAX", 1, 1000,
	    A0_RETRY_ATTEMPTS);
	r->retry.max_ms = (long)a0_envnum("A0_RETRY_TIME", 1, 86400,
	    A0_RETRY_MS / 1000) * 1000;
	/* A0_RETRY_TIME, when given, bounds every retry alike. */
	p = getenv("A0_RETRY_TIME");
	r->retry.max_connect_ms = p != NULL && *p != '\0' ? 0 :
	    A0_RETRY_CONNECT_MS;
	r->stall = (long)a0_envnum("A0_TIMEOUT", 1, 86400, A0_HTTP_STALL);
	r->imp.con_id = opt.Cflag;
	r->imp.external_id = opt.xflag;
	r->imp.upsert = opt.upsert;
	r->imp.email = opt.email;
	a0_import_boundary(&r->imp);
	r->seen = dupset_new();
	r->paths.set = dupset_new();
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	r->progress = isatty(STDERR_FILENO);
	r->color = r->progress && !opt.nocolor && getenv("NO_COLOR") == NULL;
	r->tcolor = isatty(STDOUT_FILENO) && !opt.nocolor &&
	    getenv("NO_COLOR") == NULL;
	if (opt.sflag != NULL && !opt.dryrun)
		open_journal(r);
	open_outputs(r);
	signals(r);
	if (opt.dryrun)
		return;
	a0_http_secret(r->api.client_secret);
	a0_http_secret(r->api.token);
	if (a0_http_global() == -1 || (r->pool = a0_hpool_new()) == NULL)
		errx(A0_EXIT_TEMP, "libcurl cannot start");
	for (i = 0; i < r->nslots; i++) {
		if ((r->slots[i].h = a0_http_new(r->pool, r->stall,
		    opt.debug ? trace : NULL, r)) == NULL)
			errx(A0_EXIT_TEMP, "libcurl cannot start");
	}
}

/* Read the options into opt; returns optind. */
static int
options(int argc, char *argv[])
{
	int ch;

	while ((ch = a0_getopt(&tool, argc, argv)) != -1) {
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
		case 'f':
			if (strcmp(optarg, "text") != 0 &&
			    strcmp(optarg, "json") != 0) {
				warnx("-f %s: not json or text", optarg);
				a0_usage(&tool);
			}
			opt.text = strcmp(optarg, "text") == 0;
			break;
		case 's':
			opt.sflag = optarg;
			break;
		case 'r':
			opt.rflag = optarg;
			break;
		case 'j':
			opt.jflag = a0_optnum(&tool, ch, 1, MAXSLOTS, 0);
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
		case O_WAITLOCK:
			opt.waitlock = 1;
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
		a0_usage(&tool);
	}
	if (opt.Cflag != NULL && !a0_con_id_ok(opt.Cflag))
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

	a0_tool_start();
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
	i = submit(&run);
	text_summary(&run);
	leave(&run, i);
}
