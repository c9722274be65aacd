/*
 * a0-validate: check each user record against Auth0's import schema and
 * the rules Auth0 documents in prose; write the valid records, byte for
 * byte, as a JSON array, and one diagnostic line per problem.
 */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "a0.h"

static int nflag;		/* check only, nothing on stdout */
static int qflag;		/* a count, not every diagnostic */
static int jflag;		/* diagnostics as JSON Lines */
static int nodup;		/* no duplicate check */
static int erase;		/* stderr is a terminal, which a0-submit's
				   progress line may share */
static const char *rflag;	/* rejected records go here */

/* One input file; record numbers across the input start at first. */
struct input {
	const char	*name;
	uint64_t	 first;
};

/* What the run has seen, and where output goes. */
struct run {
	struct input	*in;
	int		 nin, cur;
	uint64_t	 seq;		/* records across the whole input */
	uint64_t	 nrec, nvalid, nreject, nwarn;
	struct schema	*sc;
	struct dupset	*ds;
	struct jdoc	 doc;
	const struct jrecord *rec;
	int		 bad;		/* errors in the current record */
	int		 nout;		/* records written to stdout */
	FILE		*rf;		/* rejects, under a temporary name */
	char		*rtmp;
	int		 nrej;		/* records written to rf */
};

static struct run R;

/*
 * stdout and stderr get buffers of ours: given none, glibc keeps one of
 * st_blksize bytes (4 KB on a pipe), and valid records left in 4 KB
 * writes.
 */
static char outbuf[1 << 17];
static char errbuf[1 << 14];

#define NODUP	A0_LONGONLY(0)

static const struct a0_opt opts[] = {
	{ 'n', A0_ARG_NONE, "no-output", NULL,
	    "check only, write no records (default: write them)" },
	{ 'q', A0_ARG_NONE, "quiet", NULL,
	    "a summary, not each problem (default: each problem)" },
	{ 'r', A0_ARG_REQUIRED, "rejects", "rejects",
	    "write rejected records to this file (default: none)" },
	{ 'f', A0_ARG_REQUIRED, "format", "text|json",
	    "diagnostics as text or JSON Lines (default: text)" },
	{ NODUP, A0_ARG_NONE, "no-dup", NULL,
	    "skip the duplicate check (default: check)" },
	{ 0, A0_ARG_NONE, NULL, NULL, NULL }
};

static const struct a0_tool tool = {
	"a0-validate", "[-nq] [-r rejects] [-f text|json] [--no-dup] "
	    "[file ...]", opts
};

/* Leave no partial rejects file behind when exiting on an error. */
static void
cleanup(void)
{
	if (R.rtmp != NULL)
		unlink(R.rtmp);
}

/* Write n bytes of p, escaped as in a JSON string (without quotes);
 * quotes too when json. */
static void
put_escaped(FILE *f, const char *p, size_t n, int json)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (c == '\\' || (json && c == '"')) {
			putc('\\', f);
			putc(c, f);
		} else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7F)
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);
	}
}

static void
put_string(FILE *f, const char *s)
{
	putc('"', f);
	put_escaped(f, s, strlen(s), 1);
	putc('"', f);
}

/* One diagnostic for the current record. */
static void
report(void *arg, const struct schema_diag *dg)
{
	const struct jrecord *rec = R.rec;
	const char *name = R.in[R.cur].name;

	(void)arg;
	if (dg->warning)
		R.nwarn++;
	else
		R.bad++;
	if (qflag)
		return;
	if (jflag) {
		fputs("{\"file\":", stderr);
		put_string(stderr, name);
		fprintf(stderr, ",\"line\":%" PRIu64 ",\"col\":%" PRIu64
		    ",\"record\":%" PRIu64 ",\"pointer\":\"",
		    rec->line, rec->col, rec->num);
		put_escaped(stderr, dg->ptr, dg->ptrlen, 1);
		fputs("\",\"code\":", stderr);
		put_string(stderr, dg->code);
		fputs(",\"message\":", stderr);
		put_string(stderr, dg->msg);
		fprintf(stderr, ",\"severity\":\"%s\"}\n",
		    dg->warning ? "warning" : "error");
		return;
	}
	if (erase)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "%s:%" PRIu64 ":%" PRIu64 ": %srecord %" PRIu64 ": ",
	    name, rec->line, rec->col, dg->warning ? "warning: " : "",
	    rec->num);
	put_escaped(stderr, dg->ptr, dg->ptrlen, 0);
	fprintf(stderr, ": %s: %s\n", dg->code, dg->msg);
}

/*
 * The duplicate check, first half: hash the record's keys and start
 * fetching their slots of the table, while the schema checks go on.
 */
static void
dup_hash(const struct schema_ids *ids, uint64_t h[3], int kind[3], int *nh)
{
	const char *p;
	size_t len;
	int tok[3], k;

	tok[DUP_EMAIL] = ids->email;
	tok[DUP_USERNAME] = ids->username;
	tok[DUP_USER_ID] = ids->user_id;
	*nh = 0;
	for (k = 0; k < 3; k++) {
		if (tok[k] < 0)
			continue;
		p = schema_str(R.sc, &R.doc, tok[k], &len);
		h[*nh] = dupset_hash(k, p, len);
		dupset_prefetch(R.ds, h[*nh]);
		kind[(*nh)++] = k;
	}
}

/* The second half: report keys seen in an earlier valid record. */
static void
dups(const uint64_t h[3], const int kind[3], int nh)
{
	static const char *const what[] = { "email", "username", "user_id" };
	struct schema_diag dg;
	char msg[256], ptr[16];
	uint32_t g;
	int i, k, f;

	for (i = 0; i < nh; i++) {
		k = kind[i];
		if ((g = dupset_find(R.ds, h[i])) == 0)
			continue;
		for (f = R.cur; f > 0 && R.in[f].first >= g; f--)
			;
		if (f == R.cur)
			snprintf(msg, sizeof(msg), "a user with this %s was "
			    "already provided (record %" PRIu64 ")", what[k],
			    (uint64_t)g - R.in[f].first);
		else
			snprintf(msg, sizeof(msg), "a user with this %s was "
			    "already provided (record %" PRIu64 " of %s)",
			    what[k], (uint64_t)g - R.in[f].first,
			    R.in[f].name);
		snprintf(ptr, sizeof(ptr), "/%s", what[k]);
		dg.ptr = ptr;
		dg.ptrlen = strlen(ptr);
		dg.code = "DUPLICATED_USER";
		dg.msg = msg;
		dg.warning = 0;
		report(NULL, &dg);
	}
}

static void
emit(FILE *f, int *count, const struct jrecord *rec)
{
	if (fputs(*count ? ",\n" : "[", f) == EOF ||
	    fwrite(rec->buf, 1, rec->len, f) != rec->len) {
		if (f == stdout)
			err(A0_EXIT_IO, "stdout");
		err(A0_EXIT_IO, "%s", rflag);
	}
	(*count)++;
}

/* Judge one record and send it to stdout or the rejects. */
static void
record(const struct jrecord *rec)
{
	struct schema_ids ids;
	uint64_t h[3];
	int kind[3], nh = 0, i;

	R.rec = rec;
	R.bad = 0;
	R.nrec++;
	R.seq++;
	if (json_parse_valid(&R.doc, rec->buf, rec->len) < 0)
		errx(A0_EXIT_IO, "%s:%" PRIu64 ":%" PRIu64 ": record %" PRIu64
		    ": cannot tokenize", R.in[R.cur].name, rec->line,
		    rec->col, rec->num);
	schema_begin(R.sc, &R.doc, &ids, report, NULL);
	if (!nodup)
		dup_hash(&ids, h, kind, &nh);
	schema_finish(R.sc);
	if (!nodup)
		dups(h, kind, nh);
	if (R.bad) {
		R.nreject++;
		if (R.rf != NULL)
			emit(R.rf, &R.nrej, rec);
		return;
	}
	R.nvalid++;
	/* Record numbers past 2^32 - 1 are not remembered. */
	if (!nodup && R.seq <= UINT32_MAX)
		for (i = 0; i < nh; i++)
			dupset_add(R.ds, h[i], (uint32_t)R.seq);
	if (!nflag)
		emit(stdout, &R.nout, rec);
}

/* Validate one input; exits 3 on a syntax or read error. */
static void
validate_stream(int fd)
{
	struct jstream *js;
	struct jrecord rec;
	const char *name = R.in[R.cur].name;
	int r;

	R.in[R.cur].first = R.seq;
	js = jstream_open(fd, A0_CHUNK_MAX);
	while ((r = jstream_next(js, &rec)) == 1)
		record(&rec);
	if (r < 0)
		a0_input_error(js, name);
	jstream_close(js);
}

static void
open_rejects(void)
{
	int fd;

	if ((fd = a0_tmpfile(rflag, &R.rtmp)) == -1)
		err(A0_EXIT_IO, "%s", rflag);
	if ((R.rf = fdopen(fd, "w")) == NULL)
		err(A0_EXIT_IO, "%s", rflag);
}

static void
close_rejects(void)
{
	int fd;

	if (fputs(R.nrej ? "]\n" : "[]\n", R.rf) == EOF ||
	    fflush(R.rf) == EOF || ferror(R.rf) ||
	    (fd = dup(fileno(R.rf))) == -1)
		err(A0_EXIT_IO, "%s", rflag);
	if (fclose(R.rf) == EOF || a0_commit(fd, R.rtmp, rflag) == -1)
		err(A0_EXIT_IO, "%s", rflag);
	free(R.rtmp);
	R.rtmp = NULL;
}

static void
summary(void)
{
	if (jflag)
		fprintf(stderr, "{\"records\":%" PRIu64 ",\"valid\":%" PRIu64
		    ",\"rejected\":%" PRIu64 ",\"warnings\":%" PRIu64 "}\n",
		    R.nrec, R.nvalid, R.nreject, R.nwarn);
	else
		fprintf(stderr, "a0-validate: %" PRIu64 " records, %" PRIu64
		    " valid, %" PRIu64 " rejected, %" PRIu64 " warnings\n",
		    R.nrec, R.nvalid, R.nreject, R.nwarn);
}

int
main(int argc, char *argv[])
{
	static char stdin_name[] = "-";
	static char *stdin_argv[] = { stdin_name, NULL };
	int ch, i, fd;

	a0_tool_start();
	while ((ch = a0_getopt(&tool, argc, argv)) != -1) {
		switch (ch) {
		case 'n':
			nflag = 1;
			break;
		case 'q':
			qflag = 1;
			break;
		case 'r':
			rflag = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				jflag = 1;
			else if (strcmp(optarg, "text") == 0)
				jflag = 0;
			else {
				warnx("-f: %s: must be text or json", optarg);
				a0_usage(&tool);
			}
			break;
		case NODUP:
			nodup = 1;
			break;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		argc = 1;
		argv = stdin_argv;
	}

	atexit(cleanup);
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	setvbuf(stderr, errbuf, _IOFBF, sizeof(errbuf));
	erase = isatty(STDERR_FILENO);
	R.in = xcalloc((size_t)argc, sizeof(*R.in));
	R.nin = argc;
	R.sc = schema_new();
	if (!nodup)
		R.ds = dupset_new();
	if (rflag != NULL)
		open_rejects();
	for (i = 0; i < argc; i++) {
		R.cur = i;
		R.in[i].name = argv[i];
		if ((fd = a0_open_input(argv[i])) == -1)
			err(A0_EXIT_IO, "%s", argv[i]);
		validate_stream(fd);
		if (fd != STDIN_FILENO)
			close(fd);
	}
	if (!nflag && fputs(R.nout ? "]\n" : "[]\n", stdout) == EOF)
		err(A0_EXIT_IO, "stdout");
	if (R.rf != NULL)
		close_rejects();
	if (qflag)
		summary();
	if (a0_flush_stdout() == -1)
		err(A0_EXIT_IO, "stdout");
	fflush(stderr);
	json_free(&R.doc);
	schema_free(R.sc);
	dupset_free(R.ds);
	free(R.in);
	return R.nreject ? A0_EXIT_REJECT : A0_EXIT_OK;
}
