/*
 * a0-convert: users exported from another system (Django, Keycloak,
 * Firebase, or any CSV) as Auth0 import records, NDJSON on stdout, their
 * password hashes rewritten into custom_password_hash.  A user whose hash
 * cannot be carried over is still imported, without one, and listed in
 * the reset file so that a password reset can be sent; nothing is lost
 * without a word.
 */
#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "convert.h"

/* The reasons seen, with their counts, in the order first seen. */
#define MAXREASON	64

/* What the run has done, and where its output goes. */
struct run {
	const char	*source;	/* the -f format */
	const char	*file;		/* the input being read */
	unsigned long	 nuser, nhash, nreset, nbad;
	const char	*reason[MAXREASON];
	unsigned long	 nreason[MAXREASON];
	struct jbuf	 rec, line;	/* records not yet written, a line */
	struct jbuf	 app;		/* ,"app_metadata":{"source":... */
	struct jdoc	 doc;
	struct schema	*sc;
	const char	*diag;		/* non-NULL: the record has an error */
	struct jbuf	 dptr;		/* the first: pointer, code, message */
	FILE		*rf;		/* the reset file, under rtmp */
	char		*rtmp;
	struct check	*ck;
};

static struct run R;
#define RECBUF		(1 << 17)	/* records written at once */
static char outbuf[1 << 16];

/* Leave no partial reset file behind when exiting on an error. */
static void
cleanup(void)
{
	/* What stdio would have written at exit. */
	if (R.rec.len > 0 && fflush(stdout) != EOF)
		(void)a0_write_all(STDOUT_FILENO, R.rec.p, R.rec.len);
	if (R.rtmp != NULL)
		unlink(R.rtmp);
}

/* The reset file is written under a temporary name, renamed when the
 * run has read all its input. */
static void
close_resets(const char *path)
{
	int fd;

	if (fflush(R.rf) == EOF || ferror(R.rf) ||
	    (fd = dup(fileno(R.rf))) == -1)
		err(A0_EXIT_IO, "%s", path);
	if (fclose(R.rf) == EOF || a0_commit(fd, R.rtmp, path) == -1)
		err(A0_EXIT_IO, "%s", path);
	free(R.rtmp);
	R.rtmp = NULL;
}

#define O_MAP		A0_LONGONLY(1)
#define O_HASH		A0_LONGONLY(2)
#define O_PEPPER	A0_LONGONLY(3)
#define O_CHECK		A0_LONGONLY(4)

static const struct a0_opt opts[] = {
	{ 'f', A0_ARG_REQUIRED, "format", "format",
	    "django, keycloak, firebase or csv (default: none: required)" },
	{ O_MAP, A0_ARG_REQUIRED, "map", "FIELD=COLUMN,...",
	    "csv: each field's column (default: the column of that name)" },
	{ O_HASH, A0_ARG_REQUIRED, "hash", "SCHEME",
	    "csv: the password column's format (default: none)" },
	{ O_PEPPER, A0_ARG_REQUIRED, "pepper", "file",
	    "devise: the pepper's file (default: $A0_PEPPER)" },
	{ 'R', A0_ARG_REQUIRED, "resets", "resets",
	    "list users to reset there, mode 0600 (default: none)" },
	{ O_CHECK, A0_ARG_REQUIRED, "check", "accounts",
	    "email<TAB>plaintext accounts to prove (default: none)" },
	{ 0, A0_ARG_NONE, NULL, NULL, NULL }
};

static const struct a0_tool tool = {
	"a0-convert", "-f django|keycloak|firebase|csv "
	    "[--map FIELD=COLUMN,...] [--hash SCHEME] [--pepper file] "
	    "[-R resets] [--check accounts] [file ...]",
	opts
};

void
bad_row(const char *file, uint64_t line, uint64_t col, uint64_t num,
    const char *fmt, ...)
{
	va_list ap;

	R.nbad++;
	if (col > 0)
		fprintf(stderr, "%s:%llu:%llu: record %llu: ", file,
		    (unsigned long long)line, (unsigned long long)col,
		    (unsigned long long)num);
	else
		fprintf(stderr, "%s:%llu: row %llu: ", file,
		    (unsigned long long)line, (unsigned long long)num);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Does s fit Auth0's rules for a user_id (the import adds "auth0|")? */
static int
good_id(struct cstr s)
{
	size_t i;

	if (s.p == NULL || s.n == 0 || s.n > 255 ||
	    (s.n >= 6 && memcmp(s.p, "auth0|", 6) == 0))
		return 0;
	for (i = 0; i < s.n; i++)
		if (s.p[i] == ' ' || (s.p[i] >= '\t' && s.p[i] <= '\r'))
			return 0;
	return 1;
}

/* Does s fit Auth0's username rules (and is it not an email)? */
static int
good_username(struct cstr s)
{
	size_t i;
	unsigned char c;

	if (s.p == NULL || s.n == 0 || s.n > 128)
		return 0;
	for (i = 0; i < s.n; i++) {
		c = (unsigned char)s.p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("`^$!-#.+'~_", c)) ||
		    c == '\0')
			return 0;
	}
	return 1;
}

/*
 * The record is written with its keys as constant text: the writer's
 * generic member calls cost more than the rest of a CSV row's work.
 * Every member but the first ("email") starts with its comma.  A string
 * from the source that is not UTF-8 sets *bad to its pointer.
 */
#define RAW(b, s)	put((b), (s), sizeof(s) - 1)
#define KSTR(b, k, s)	do {						\
	if ((s).p != NULL) {						\
		RAW((b), ",\"" k "\":\"");					\
		if (ESC((b), (s)) == -1 && bad == NULL)			\
			bad = "/" k;					\
		RAW((b), "\"");						\
	}								\
} while (0)
/* A string from the source, escaped unless the reader found that
 * none of its strings need it (u->plain). */
#define ESC(b, s)	(u->plain ? (put((b), (s).p, (s).n), 0) :	\
	jb_esc_utf8((b), (s).p, (s).n))
#define KBOOL(b, k, v)	\
	kbool((b), ",\"" k "\":", sizeof(",\"" k "\":") - 1, (v))

/* jb_add, inlined for the record's many short pieces; the record is
 * NUL-terminated when it is done (see emit). */
static inline void
put(struct jbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
		jb_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

/* One of a0-convert's own names as a string (nothing to escape), or
 * null. */
static void
name(struct jbuf *b, const char *s)
{
	if (s == NULL) {
		RAW(b, "null");
		return;
	}
	RAW(b, "\"");
	put(b, s, strlen(s));
	RAW(b, "\"");
}

/* s as a JSON string; -1 when it is not UTF-8. */
static int
ustr(struct jbuf *b, const char *s, size_t n)
{
	int r;

	RAW(b, "\"");
	r = jb_esc_utf8(b, s, n);
	RAW(b, "\"");
	return r;
}

static void
kbool(struct jbuf *b, const char *k, size_t kn, int v)
{
	if (v < 0)
		return;
	put(b, k, kn);
	if (v)
		RAW(b, "true");
	else
		RAW(b, "false");
}

/* h as custom_password_hash; NULL, or the pointer of a string from the
 * source that is not UTF-8. */
static const char *
write_hash(struct jbuf *b, const struct cph *h)
{
	const char *bad = NULL;

	if (h->schema_ok && !h->salted && h->pwenc == NULL &&
	    h->keylen == 0) {
		/* bcrypt, its value [./A-Za-z0-9$]: nothing to escape. */
		RAW(b, ",\"custom_password_hash\":{\"algorithm\":\"bcrypt\","
		    "\"hash\":{\"value\":\"");
		put(b, h->value.p, h->value.len);
		RAW(b, "\",\"encoding\":\"utf8\"}}");
		return NULL;
	}
	RAW(b, ",\"custom_password_hash\":{\"algorithm\":");
	name(b, h->alg);
	RAW(b, ",\"hash\":{\"value\":");
	if (h->schema_ok) {
		/* [./A-Za-z0-9$]: nothing to escape. */
		RAW(b, "\"");
		put(b, h->value.p, h->value.len);
		RAW(b, "\"");
	} else if (ustr(b, h->value.p, h->value.len) == -1)
		bad = "/custom_password_hash/hash/value";
	RAW(b, ",\"encoding\":");
	name(b, h->enc);
	RAW(b, "}");
	if (h->salted) {
		RAW(b, ",\"salt\":{\"value\":");
		if (ustr(b, h->salt.p, h->salt.len) == -1 && bad == NULL)
			bad = "/custom_password_hash/salt/value";
		RAW(b, ",\"encoding\":");
		name(b, h->saltenc);
		if (h->pos != NULL) {
			RAW(b, ",\"position\":");
			name(b, h->pos);
		}
		RAW(b, "}");
	}
	if (h->pwenc != NULL) {
		RAW(b, ",\"password\":{\"encoding\":");
		name(b, h->pwenc);
		RAW(b, "}");
	}
	if (h->keylen > 0)
		jb_printf(b, ",\"keylen\":%lld,\"cost\":%lld,"
		    "\"blockSize\":%lld,\"parallelization\":%lld", h->keylen,
		    h->cost, h->blocksize, h->par);
	RAW(b, "}");
	return bad;
}

/*
 * The record for u, without its hash, after the records in R.rec (left
 * open).  NULL, or
 * the pointer of the first of its strings that is not UTF-8.
 */
static const char *
record(const struct cuser *u)
{
	struct jbuf *b = &R.rec;
	const char *bad = NULL;
	size_t i, k, id = 0, idlen = 0;
	int kbad;

	RAW(b, "{\"email\":\"");
	if (ESC(b, u->email) == -1)
		bad = "/email";
	RAW(b, "\"");
	KBOOL(b, "email_verified", u->email_verified);
	if (good_username(u->username))
		KSTR(b, "username", u->username);
	KSTR(b, "given_name", u->given_name);
	KSTR(b, "family_name", u->family_name);
	KSTR(b, "name", u->name);
	KSTR(b, "nickname", u->nickname);
	KSTR(b, "picture", u->picture);
	KSTR(b, "phone_number", u->phone_number);
	KBOOL(b, "phone_verified", u->phone_verified);
	KBOOL(b, "blocked", u->blocked);
	if (good_id(u->id)) {
		RAW(b, ",\"user_id\":\"");
		id = b->len;
		if (ESC(b, u->id) == -1 && bad == NULL)
			bad = "/user_id";
		idlen = b->len - id;
		RAW(b, "\"");
	}
	for (i = 0, k = 0; i < u->nmeta; i++) {
		if (u->meta[i].val.n == 0)
			continue;
		if (k++ == 0)
			RAW(b, ",\"user_metadata\":{");
		else
			RAW(b, ",");
		kbad = ustr(b, u->meta[i].key, strlen(u->meta[i].key));
		RAW(b, ":\"");
		if ((ESC(b, u->meta[i].val) == -1 || kbad == -1) &&
		    bad == NULL) {
			jb_reset(&R.dptr);
			jb_puts(&R.dptr, "/user_metadata/");
			jb_puts(&R.dptr, u->meta[i].key);
			bad = R.dptr.p;
		}
		RAW(b, "\"");
	}
	if (k > 0)
		RAW(b, "}");
	put(b, R.app.p, R.app.len);
	if (id > 0) {
		/* The user_id again, as escaped above. */
		RAW(b, ",\"source_id\":\"");
		jb_reserve(b, idlen);
		memcpy(b->p + b->len, b->p + id, idlen);
		b->len += idlen;
		RAW(b, "\"");
	} else
		KSTR(b, "source_id", u->id);
	if (u->username.p != NULL && !good_username(u->username))
		KSTR(b, "source_username", u->username);
	RAW(b, "}");
	return bad;
}

/* A name-like string: absent, or 1 to max UTF-16 units (never more
 * units than bytes). */
static int
fits(struct cstr s, size_t max)
{
	return s.p == NULL || (s.n > 0 && (s.n <= max ||
	    schema_u16len(s.p, s.n) <= max));
}

/*
 * Does the record made of u and h plainly pass schema_check?  Its shape
 * is a0-convert's, valid by construction; what comes from the source is
 * checked here by the schema's own rules for each value.  0 when in any
 * doubt: the whole record is then checked, which finds the diagnostic.
 */
static int
plainly_valid(const struct cuser *u, const struct cph *h)
{
	size_t i, j;

	if (u->email.p == NULL ||
	    schema_email_bad(u->email.p, u->email.n) != NULL ||
	    !fits(u->given_name, 150) || !fits(u->family_name, 150) ||
	    !fits(u->name, 300) || !fits(u->nickname, 350) ||
	    (u->phone_number.p != NULL &&
	    !schema_e164(u->phone_number.p, u->phone_number.n)))
		return 0;
	for (i = 0; i < u->nmeta; i++) {
		if (u->meta[i].val.n == 0)
			continue;
		if (u->meta[i].key[0] == '\0' ||
		    u->meta[i].key[strcspn(u->meta[i].key, ".$")] != '\0')
			return 0;
		for (j = 0; j < i; j++)
			if (u->meta[j].val.n > 0 &&
			    strcmp(u->meta[i].key, u->meta[j].key) == 0)
				return 0;
	}
	if (h->alg == NULL)
		return 1;
	return !h->salted && h->pwenc == NULL && h->keylen == 0 &&
	    (h->schema_ok || (strcmp(h->alg, "bcrypt") == 0 &&
	    strcmp(h->enc, "utf8") == 0 &&
	    schema_bcrypt_bad(h->value.p, h->value.len) == NULL));
}

static void
report(void *arg, const struct schema_diag *dg)
{
	(void)arg;
	if (dg->warning || R.diag != NULL)
		return;
	/* The texts are the checker's scratch space: copied. */
	R.diag = "";
	jb_reset(&R.dptr);
	jb_add(&R.dptr, dg->ptr, dg->ptrlen);
	jb_printf(&R.dptr, ": %s: %s", dg->code, dg->msg);
}

static void
count_reason(const char *why)
{
	int i;

	for (i = 0; i < MAXREASON && R.reason[i] != NULL; i++)
		if (strcmp(R.reason[i], why) == 0)
			break;
	if (i == MAXREASON)
		i = MAXREASON - 1;
	R.reason[i] = why;
	R.nreason[i]++;
}

/* Records are written to stdout many at a time, past stdio (which holds
 * nothing: a0-convert writes nothing else there). */
static void
flush_records(void)
{
	if (fflush(stdout) == EOF ||
	    a0_write_all(STDOUT_FILENO, R.rec.p, R.rec.len) == -1)
		err(A0_EXIT_IO, "stdout");
	jb_reset(&R.rec);
}

/* Forget the record begun at start. */
static void
drop(size_t start)
{
	R.rec.len = start;
	R.rec.p[start] = '\0';
}

void
emit(const struct cuser *u, struct cph *h)
{
	const char *bad;
	size_t start = R.rec.len, open;

	if ((bad = record(u)) != NULL || (h->alg != NULL &&
	    (bad = write_hash(&R.rec, h)) != NULL)) {
		drop(start);
		bad_row(u->file, u->line, u->col, u->num,
		    "%s: not valid UTF-8", bad);
		return;
	}
	open = R.rec.len;
	RAW(&R.rec, "}");
	R.rec.p[R.rec.len] = '\0';
	if (!plainly_valid(u, h)) {
		R.diag = NULL;
		if (json_parse_valid(&R.doc, R.rec.p + start,
		    R.rec.len - start) <= 0)
			errx(A0_EXIT_IO, "%s: record %llu: cannot tokenize "
			    "what was written", u->file,
			    (unsigned long long)u->num);
		schema_check(R.sc, &R.doc, NULL, report, NULL);
		if (R.diag != NULL) {
			drop(start);
			bad_row(u->file, u->line, u->col, u->num, "%s",
			    R.dptr.p);
			return;
		}
	}
	R.nuser++;
	if (R.ck != NULL)
		check_record(R.ck, u->email, R.rec.p + start,
		    R.rec.len - start,
		    h->alg == NULL ? h->reason : NULL);
	if (h->alg != NULL)
		R.nhash++;
	else {
		R.nreset++;
		count_reason(h->reason);
	}
	if (h->alg == NULL && R.rf != NULL) {
		/* The record as written, its hash left out: it has none. */
		jb_reset(&R.line);
		jb_puts(&R.line, "{\"user\":");
		jb_add(&R.line, R.rec.p + start, open - start);
		jb_puts(&R.line, "}");
		R.line.comma = 1;
		jb_kstr(&R.line, "reason", h->reason);
		jb_puts(&R.line, "}\n");
		if (jb_write(&R.line, R.rf) == -1)
			err(A0_EXIT_IO, "reset file");
	}
	RAW(&R.rec, "\n");
	R.rec.p[R.rec.len] = '\0';
	if (R.rec.len >= RECBUF)
		flush_records();
}

static void
summary(void)
{
	int i;

	fprintf(stderr, "a0-convert: %lu user%s: %lu with a password hash, "
	    "%lu to reset", R.nuser, R.nuser == 1 ? "" : "s", R.nhash,
	    R.nreset);
	for (i = 0; i < MAXREASON && R.reason[i] != NULL; i++)
		fprintf(stderr, "%s%lu %s", i ? ", " : " (", R.nreason[i],
		    R.reason[i]);
	fprintf(stderr, "%s; %lu bad row%s\n", i ? ")" : "", R.nbad,
	    R.nbad == 1 ? "" : "s");
}

/* Parse --hash: "bcrypt", "sha256:suffix:hex", ...; 0, or -1 if unknown. */
static int
hash_scheme(const char *s, struct hashopt *o)
{
	static const struct {
		const char	*name;
		enum scheme	 scheme;
	} tab[] = {
		{ "none", S_NONE }, { "bcrypt", S_BCRYPT },
		{ "devise", S_DEVISE }, { "aspnet", S_ASPNET },
		{ "spring", S_SPRING }, { "phpass", S_PHPASS },
		{ "crypt", S_CRYPT }, { "md5", S_DIGEST },
		{ "sha1", S_DIGEST }, { "sha256", S_DIGEST },
		{ "sha512", S_DIGEST }
	};
	const char *c = strchr(s, ':'), *c2;
	size_t n = c ? (size_t)(c - s) : strlen(s), i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strlen(tab[i].name) == n && memcmp(tab[i].name, s, n) == 0)
			break;
	if (i == sizeof(tab) / sizeof(tab[0]))
		return -1;
	o->scheme = tab[i].scheme;
	o->digest = tab[i].name;
	o->pos = "prefix";
	o->saltenc = "utf8";
	if (c == NULL)
		return 0;
	if (o->scheme != S_DIGEST)
		return -1;
	c++;
	c2 = strchr(c, ':');
	n = c2 ? (size_t)(c2 - c) : strlen(c);
	if (n == 6 && memcmp(c, "prefix", 6) == 0)
		o->pos = "prefix";
	else if (n == 6 && memcmp(c, "suffix", 6) == 0)
		o->pos = "suffix";
	else
		return -1;
	if (c2 == NULL)
		return 0;
	c = c2 + 1;
	if (strcmp(c, "utf8") == 0 || strcmp(c, "hex") == 0 ||
	    strcmp(c, "base64") == 0) {
		o->saltenc = strcmp(c, "utf8") == 0 ? "utf8" :
		    strcmp(c, "hex") == 0 ? "hex" : "base64";
		return 0;
	}
	return -1;
}

/* The pepper from a file (its first line), or A0_PEPPER. */
static char *
pepper(const char *path)
{
	char *buf = NULL;
	size_t len;
	const char *env;

	if (path == NULL)
		return (env = getenv("A0_PEPPER")) != NULL ? xstrdup(env) :
		    NULL;
	if (read_small(path, 4096, &buf, &len) == -1)
		err(A0_EXIT_USAGE, "%s", path);
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf;
}

static int
convert(int fd, const char *name, const char *fmt, char **map, size_t nmap,
    const struct hashopt *ho)
{
	if (strcmp(fmt, "csv") == 0)
		return read_csv(fd, name, map, nmap, ho);
	if (strcmp(fmt, "django") == 0)
		return read_django(fd, name);
	if (strcmp(fmt, "keycloak") == 0)
		return read_keycloak(fd, name);
	return read_firebase(fd, name);
}

int
main(int argc, char *argv[])
{
	struct hashopt ho = { S_NONE, NULL, NULL, NULL, NULL };
	const char *fflag = NULL, *rflag = NULL, *cflag = NULL, *pflag = NULL;
	char **map = NULL, *pep;
	size_t nmap = 0;
	int ch, fd, i, st = 0;

	a0_tool_start();
	while ((ch = a0_getopt(&tool, argc, argv)) != -1)
		switch (ch) {
		case 'f':
			fflag = optarg;
			break;
		case O_MAP:
			map = xrealloc(map, (nmap + 1) * sizeof(*map));
			map[nmap++] = optarg;
			break;
		case O_HASH:
			if (hash_scheme(optarg, &ho) == -1) {
				warnx("--hash %s: unknown scheme", optarg);
				a0_usage(&tool);
			}
			break;
		case O_PEPPER:
			pflag = optarg;
			break;
		case 'R':
			rflag = optarg;
			break;
		case O_CHECK:
			cflag = optarg;
			break;
		}
	argc -= optind;
	argv += optind;
	if (fflag == NULL || (strcmp(fflag, "csv") != 0 &&
	    strcmp(fflag, "django") != 0 && strcmp(fflag, "keycloak") != 0 &&
	    strcmp(fflag, "firebase") != 0)) {
		warnx(fflag ? "-f %s: not django, keycloak, firebase or csv" :
		    "-f is needed%s", fflag ? fflag : "");
		a0_usage(&tool);
	}
	if (strcmp(fflag, "csv") != 0 && (nmap > 0 || ho.digest != NULL)) {
		warnx("--map and --hash are for -f csv");
		a0_usage(&tool);
	}
	if (pflag != NULL && ho.scheme != S_DEVISE) {
		warnx("--pepper is for --hash devise");
		a0_usage(&tool);
	}
	if (ho.scheme == S_DEVISE)
		ho.pepper = pep = pepper(pflag);
	else
		pep = NULL;
	if (cflag != NULL && (R.ck = check_open(cflag)) == NULL)
		exit(A0_EXIT_USAGE);
	atexit(cleanup);
	if (rflag != NULL) {
		if ((fd = a0_tmpfile(rflag, &R.rtmp)) == -1 ||
		    (R.rf = fdopen(fd, "w")) == NULL)
			err(A0_EXIT_IO, "%s", rflag);
	}
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	R.source = fflag;
	RAW(&R.app, ",\"app_metadata\":{\"source\":");
	name(&R.app, R.source);
	R.sc = schema_new();
	for (i = 0; i < (argc ? argc : 1) && st == 0; i++) {
		R.file = argc ? argv[i] : "-";
		if ((fd = a0_open_input(R.file)) == -1)
			err(A0_EXIT_IO, "%s", R.file);
		st = convert(fd, R.file, fflag, map, nmap, &ho);
		if (fd != STDIN_FILENO)
			close(fd);
	}
	flush_records();
	if (a0_flush_stdout() == -1)
		err(A0_EXIT_IO, "stdout");
	if (R.rf != NULL && st == 0)
		close_resets(rflag);
	if (st == -2)
		a0_usage(&tool);
	summary();
	if (R.ck != NULL && check_close(R.ck) > 0 && st == 0)
		st = 1;
	schema_free(R.sc);
	json_free(&R.doc);
	jb_free(&R.rec);
	jb_free(&R.line);
	jb_free(&R.app);
	jb_free(&R.dptr);
	free(map);
	if (pep != NULL) {
		sodium_memzero(pep, strlen(pep));
		free(pep);
	}
	if (st < 0)
		return A0_EXIT_IO;
	return st > 0 || R.nbad > 0 ? A0_EXIT_REJECT : A0_EXIT_OK;
}
