/*
 * tool.c: what every tool's main() does the same way: the flags every
 * tool has (-h/--help, -V/--version), usage and help, SIGPIPE, opening an
 * input, and the reader's errors.  Unlike the rest of common/, it prints
 * and exits, as a tool's main() would.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "a0.h"

/* The most flags a tool may have, -h and -V included. */
#define MAXOPTS	32

/* The flags every tool has, after its own. */
static const struct a0_opt common_opts[] = {
	{ 'h', A0_ARG_NONE, "help", NULL, "print this help and exit" },
	{ 'V', A0_ARG_NONE, "version", NULL, "print the version and exit" },
};

void
a0_tool_start(void)
{
	/* A filter whose reader has gone dies quietly, as cat does. */
	signal(SIGPIPE, SIG_DFL);
	/* As a stage of a0-import, in its name. */
	a0_progname();
}

static void
flush_or_die(void)
{
	if (a0_flush_stdout() == -1)
		err(A0_EXIT_IO, "stdout");
}

void
a0_usage(const struct a0_tool *t)
{
	fprintf(stderr, "usage: %s %s\n", t->name, t->synopsis);
	exit(A0_EXIT_USAGE);
}

/* The forms of a flag, as --help shows them: "-b, --bytes bytes". */
static int
forms(char *s, size_t sz, const struct a0_opt *o)
{
	int n;

	if (o->ch < 256)
		n = snprintf(s, sz, "-%c, --%s", o->ch, o->name);
	else
		n = snprintf(s, sz, "    --%s", o->name);
	if (o->argname != NULL && n > 0 && (size_t)n < sz)
		n += snprintf(s + n, sz - (size_t)n,
		    o->arg == A0_ARG_OPTIONAL ? "[=%s]" : " %s", o->argname);
	return n;
}

/* -h: the usage, then a line a flag, on stdout, the help in a column. */
static void __attribute__((noreturn))
help(const struct a0_tool *t)
{
	const struct a0_opt *o;
	char f[80];
	int w = 24;
	size_t i;

	for (o = t->opts; o->name != NULL; o++)
		if (forms(f, sizeof(f), o) > w)
			w = forms(f, sizeof(f), o);
	printf("usage: %s %s\n\n", t->name, t->synopsis);
	for (o = t->opts; o->name != NULL; o++) {
		forms(f, sizeof(f), o);
		printf("  %-*s %s\n", w, f, o->help);
	}
	for (i = 0; i < nitems(common_opts); i++) {
		forms(f, sizeof(f), &common_opts[i]);
		printf("  %-*s %s\n", w, f, common_opts[i].help);
	}
	flush_or_die();
	exit(A0_EXIT_OK);
}

/* Add o to getopt_long's tables. */
static void
add_opt(const struct a0_opt *o, struct option *lo, char **sp)
{
	static const int has[] = { no_argument, required_argument,
	    optional_argument };

	lo->name = o->name;
	lo->has_arg = has[o->arg];
	lo->flag = NULL;
	lo->val = o->ch;
	if (o->ch >= 256)
		return;
	*(*sp)++ = (char)o->ch;
	if (o->arg == A0_ARG_REQUIRED)
		*(*sp)++ = ':';
	else if (o->arg == A0_ARG_OPTIONAL) {
		*(*sp)++ = ':';
		*(*sp)++ = ':';
	}
}

int
a0_getopt(const struct a0_tool *t, int argc, char *argv[])
{
	struct option lo[MAXOPTS + 1];
	char so[3 * MAXOPTS + 1], *sp = so;
	size_t n = 0, i;
	int ch;

	/* Built anew on each call: getopt_long keeps no pointer to them. */
	for (; t->opts[n].name != NULL; n++) {
		if (n + nitems(common_opts) == MAXOPTS)
			abort();	/* more flags than MAXOPTS allows */
		add_opt(&t->opts[n], &lo[n], &sp);
	}
	for (i = 0; i < nitems(common_opts); i++, n++)
		add_opt(&common_opts[i], &lo[n], &sp);
	*sp = '\0';
	memset(&lo[n], 0, sizeof(lo[n]));
	switch ((ch = getopt_long(argc, argv, so, lo, NULL))) {
	case 'h':
		help(t);
	case 'V':
		printf("%s %s\n", t->name, A0_VERSION);
		flush_or_die();
		exit(A0_EXIT_OK);
	case '?':
	case ':':
		a0_usage(t);
	default:
		return ch;
	}
}

long long
a0_optnum(const struct a0_tool *t, int ch, long long min, long long max,
    int suffixes)
{
	const char *errstr;
	long long n;

	if (a0_parse_num(optarg, min, max, suffixes, &n, &errstr) == -1) {
		warnx("-%c %s: %s", ch, optarg, errstr);
		a0_usage(t);
	}
	return n;
}

int
a0_open_input(const char *name)
{
	struct stat st;
	int fd;

	if (strcmp(name, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(name, O_RDONLY)) == -1)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (fd != STDIN_FILENO)
			close(fd);
		errno = EISDIR;
		return -1;
	}
	return fd;
}

void
a0_input_error(const struct jstream *js, const char *fname)
{
	char msg[512];

	jstream_strerror(js, fname, msg, sizeof(msg));
	errx(A0_EXIT_IO, "%s", msg);
}

long long
a0_envnum(const char *name, long long min, long long max, long long dflt)
{
	const char *v = getenv(name), *why;
	long long n;

	if (v == NULL || *v == '\0')
		return dflt;
	if (a0_parse_num(v, min, max, 0, &n, &why) == -1)
		errx(A0_EXIT_USAGE, "%s: %s: %s", name, v, why);
	return n;
}
