/*
 * convert-csv.c: users from a CSV file with a header row, through
 * libcsv (quotes, embedded commas and newlines are its business), one
 * row at a time, so that any number of rows streams in constant memory.
 */
#include <csv.h>
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert.h"

/* The record fields a column can be mapped to, and the pseudo-fields. */
enum {
	F_EMAIL, F_EMAIL_VERIFIED, F_USERNAME, F_USER_ID, F_GIVEN_NAME,
	F_FAMILY_NAME, F_NAME, F_NICKNAME, F_PICTURE, F_PHONE_NUMBER,
	F_PHONE_VERIFIED, F_BLOCKED, F_PASSWORD, F_SALT, NFIELD
};

static const char *const fields[NFIELD] = {
	"email", "email_verified", "username", "user_id", "given_name",
	"family_name", "name", "nickname", "picture", "phone_number",
	"phone_verified", "blocked", "password", "salt"
};

#define META	"user_metadata."

struct csvrun {
	const char		*file;
	const struct hashopt	*ho;
	char *const		*map;
	size_t			 nmap;
	uint64_t		 line;		/* the line being read */
	uint64_t		 rowline;	/* first line of this row */
	uint64_t		 nrow;		/* data rows so far */
	struct jbuf		 data;		/* this row's fields */
	size_t			*off;		/* field i: off[i]..off[i+1] */
	size_t			 nf, cap;
	char			**head;		/* the header's names */
	size_t			 ncol;
	int			 col[NFIELD];	/* column of each field */
	struct cmeta		*meta;		/* user_metadata columns */
	size_t			*metacol, nmeta;
	int			 fatal;		/* a usage error in the map */
	struct cph		 h;
};

static void
cb_field(void *s, size_t len, void *arg)
{
	struct csvrun *r = arg;

	if (r->nf == 0)
		r->rowline = r->line;
	if (r->nf + 2 > r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->off = xrealloc(r->off, r->cap * sizeof(*r->off));
	}
	if (r->nf == 0) {
		jb_reset(&r->data);
		r->off[0] = 0;
	}
	if (r->data.len + len + 1 > r->data.cap)
		jb_reserve(&r->data, len);
	memcpy(r->data.p + r->data.len, s, len);
	r->data.len += len;
	r->off[++r->nf] = r->data.len;
}

/* The column named name (length n) in the header, or -1. */
static int
column(const struct csvrun *r, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < r->ncol; i++)
		if (strlen(r->head[i]) == n && memcmp(r->head[i], name, n) == 0)
			return (int)i;
	return -1;
}

static int
fieldno(const char *name, size_t n)
{
	int f;

	for (f = 0; f < NFIELD; f++)
		if (strlen(fields[f]) == n && memcmp(fields[f], name, n) == 0)
			return f;
	return -1;
}

/* Map a field to a column; 0, or -1 with a message. */
static int
assign(struct csvrun *r, const char *fld, size_t fn, int c)
{
	int f;

	if (fn > strlen(META) && memcmp(fld, META, strlen(META)) == 0) {
		if (memchr(fld + strlen(META), '.', fn - strlen(META)) ||
		    memchr(fld, '$', fn)) {
			warnx("--map: %.*s: metadata keys may not hold . or $",
			    (int)fn, fld);
			return -1;
		}
		r->meta = xrealloc(r->meta, (r->nmeta + 1) *
		    sizeof(*r->meta));
		r->metacol = xrealloc(r->metacol, (r->nmeta + 1) *
		    sizeof(*r->metacol));
		r->metacol[r->nmeta] = (size_t)c;
		r->meta[r->nmeta].key = xmalloc(fn - strlen(META) + 1);
		memcpy((char *)r->meta[r->nmeta].key, fld + strlen(META),
		    fn - strlen(META));
		((char *)r->meta[r->nmeta].key)[fn - strlen(META)] = '\0';
		r->nmeta++;
		return 0;
	}
	if ((f = fieldno(fld, fn)) < 0) {
		warnx("--map: %.*s: not a field a0-convert knows", (int)fn,
		    fld);
		return -1;
	}
	r->col[f] = c;
	return 0;
}

/* The header row: column names, then each field's column. */
static int
header(struct csvrun *r)
{
	const char *s, *e, *eq;
	size_t i, k;
	int c;

	r->ncol = r->nf;
	r->head = xcalloc(r->ncol, sizeof(*r->head));
	for (i = 0; i < r->ncol; i++) {
		k = r->off[i + 1] - r->off[i];
		r->head[i] = xmalloc(k + 1);
		memcpy(r->head[i], r->data.p + r->off[i], k);
		r->head[i][k] = '\0';
	}
	/* A byte order mark is not part of the first name. */
	if (r->ncol > 0 && strncmp(r->head[0], "\xef\xbb\xbf", 3) == 0)
		memmove(r->head[0], r->head[0] + 3, strlen(r->head[0]) - 2);
	for (c = 0; c < NFIELD; c++)
		r->col[c] = -1;
	if (r->nmap == 0) {
		for (i = 0; i < r->ncol; i++) {
			k = strlen(r->head[i]);
			if ((fieldno(r->head[i], k) < 0 && (k <= strlen(META) ||
			    strncmp(r->head[i], META, strlen(META)) != 0)) ||
			    assign(r, r->head[i], k, (int)i) == -1)
				warnx("%s: column %s is not mapped: left out",
				    r->file, r->head[i]);
		}
	}
	for (i = 0; i < r->nmap; i++)
		for (s = r->map[i]; *s != '\0'; s = *e ? e + 1 : e) {
			e = s + strcspn(s, ",");
			eq = memchr(s, '=', (size_t)(e - s));
			if (eq == NULL || eq == s) {
				warnx("--map: %.*s: not FIELD=COLUMN",
				    (int)(e - s), s);
				return -1;
			}
			if ((c = column(r, eq + 1, (size_t)(e - eq - 1))) < 0) {
				warnx("--map: %.*s: no column %.*s in %s",
				    (int)(e - s), s, (int)(e - eq - 1), eq + 1,
				    r->file);
				return -1;
			}
			if (assign(r, s, (size_t)(eq - s), c) == -1)
				return -1;
		}
	if (r->col[F_EMAIL] < 0) {
		warnx("%s: no email column (see --map)", r->file);
		return -1;
	}
	if (r->col[F_PASSWORD] >= 0 && r->ho->scheme == S_NONE &&
	    r->ho->digest == NULL) {
		warnx("%s: a password column needs --hash", r->file);
		return -1;
	}
	if (r->col[F_SALT] >= 0 && r->ho->scheme != S_DIGEST) {
		warnx("%s: a salt column needs --hash md5, sha1, sha256 or "
		    "sha512", r->file);
		return -1;
	}
	return 0;
}

static struct cstr
get(const struct csvrun *r, int f)
{
	struct cstr s = { NULL, 0 };
	int c = r->col[f];

	if (c >= 0 && r->off[c + 1] > r->off[c]) {
		s.p = r->data.p + r->off[c];
		s.n = r->off[c + 1] - r->off[c];
	}
	return s;
}

/* A boolean column: -1 when empty, else 0 or 1; -2 when it is neither. */
static int
boolean(const struct csvrun *r, int f)
{
	struct cstr s = get(r, f);
	char buf[8];
	int v;

	if (s.p == NULL)
		return -1;
	if (s.n == 4 && memcmp(s.p, "true", 4) == 0)
		return 1;
	if (s.n == 5 && memcmp(s.p, "false", 5) == 0)
		return 0;
	if (s.n >= sizeof(buf))
		return -2;
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	return a0_parse_bool(buf, &v) == 0 ? v : -2;
}

/*
 * Are the row's fields, but the password and salt (hash_csv's), UTF-8
 * that JSON takes as it is?  They are together in r->data: when each run
 * of them is, and no field starts inside a character (a sequence split
 * between fields), so is every field.
 */
static int
plain(const struct csvrun *r)
{
	size_t i, from = 0;

	for (i = 0; i <= r->nf; i++) {
		if (i < r->nf && (int)i != r->col[F_PASSWORD] &&
		    (int)i != r->col[F_SALT]) {
			if (r->off[i] < r->off[i + 1] && ((unsigned char)
			    r->data.p[r->off[i]] & 0xC0) == 0x80)
				return 0;
			continue;
		}
		if (!jb_plain(r->data.p + r->off[from], r->off[i] -
		    r->off[from]))
			return 0;
		from = i + 1;
	}
	return 1;
}

static void
row(struct csvrun *r)
{
	static const int bools[] = { F_EMAIL_VERIFIED, F_PHONE_VERIFIED,
	    F_BLOCKED };
	struct cuser u;
	int b[3];
	size_t i;

	r->nrow++;
	if (r->nf != r->ncol) {
		bad_row(r->file, r->rowline, 0, r->nrow,
		    "%zu fields, the header has %zu", r->nf, r->ncol);
		return;
	}
	memset(&u, 0, sizeof(u));
	u.file = r->file;
	u.line = r->rowline;
	u.num = r->nrow;
	u.email = get(r, F_EMAIL);
	if (u.email.p == NULL) {
		bad_row(r->file, r->rowline, 0, r->nrow, "/email: no email");
		return;
	}
	for (i = 0; i < 3; i++)
		if ((b[i] = boolean(r, bools[i])) == -2) {
			bad_row(r->file, r->rowline, 0, r->nrow,
			    "/%s: not true or false", fields[bools[i]]);
			return;
		}
	u.email_verified = b[0];
	u.phone_verified = b[1];
	u.blocked = b[2];
	u.username = get(r, F_USERNAME);
	u.id = get(r, F_USER_ID);
	u.given_name = get(r, F_GIVEN_NAME);
	u.family_name = get(r, F_FAMILY_NAME);
	u.name = get(r, F_NAME);
	u.nickname = get(r, F_NICKNAME);
	u.picture = get(r, F_PICTURE);
	u.phone_number = get(r, F_PHONE_NUMBER);
	for (i = 0; i < r->nmeta; i++) {
		r->meta[i].val.p = r->data.p + r->off[r->metacol[i]];
		r->meta[i].val.n = r->off[r->metacol[i] + 1] -
		    r->off[r->metacol[i]];
	}
	u.meta = r->meta;
	u.nmeta = r->nmeta;
	u.plain = plain(r);
	hash_csv(&r->h, r->ho, get(r, F_PASSWORD), get(r, F_SALT));
	emit(&u, &r->h);
}

/* Newlines in p[0..n). */
static uint64_t
newlines(const char *p, size_t n)
{
	const char *end = p + n;
	uint64_t k = 0;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		k++;
		p++;
	}
	return k;
}

static void
cb_row(int c, void *arg)
{
	struct csvrun *r = arg;

	/* The row's fields are together in r->data: the newlines of its
	 * quoted fields counted at once. */
	if (r->nf > 0)
		r->line += newlines(r->data.p, r->data.len);
	if (r->nf > 0 && !r->fatal) {
		if (r->head == NULL) {
			if (header(r) == -1)
				r->fatal = 1;
		} else
			row(r);
	}
	r->nf = 0;
	if (c == '\n')
		r->line++;
}

#define CSV_OPTS	(CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI)

/*
 * Parse buf[0..n), whose first byte follows *nl newlines of the input.
 * A quote out of place makes its row a bad row: the parser starts again
 * after the end of that line (*skip set while it is still to come).
 * 0, or -1 when the parser fails otherwise or the header is at fault.
 */
static int
parse(struct csv_parser *p, struct csvrun *r, const char *buf, size_t n,
    uint64_t *nl, int *skip)
{
	const char *eol;
	size_t off = 0, k;

	while (off < n && !r->fatal) {
		if (*skip) {
			if ((eol = memchr(buf + off, '\n', n - off)) == NULL)
				break;
			off = (size_t)(eol - buf) + 1;
			*skip = 0;
			r->line = *nl + newlines(buf, off) + 1;
			continue;
		}
		k = csv_parse(p, buf + off, n - off, cb_field, cb_row, r);
		if (k == n - off)
			break;
		if (csv_error(p) != CSV_EPARSE || r->head == NULL)
			return -1;
		off += k;
		bad_row(r->file, *nl + newlines(buf, off) + 1, 0, ++r->nrow,
		    "malformed CSV: a quote out of place");
		r->nf = 0;
		csv_free(p);
		if (csv_init(p, CSV_OPTS) != 0)
			errx(A0_EXIT_IO, "%s: libcsv: out of memory", r->file);
		*skip = 1;
	}
	*nl += newlines(buf, n);
	return 0;
}

int
read_csv(int fd, const char *file, char *const *map, size_t nmap,
    const struct hashopt *ho)
{
	static char buf[1 << 16];
	struct csv_parser p;
	struct csvrun r;
	uint64_t nl = 0;
	ssize_t n;
	size_t i;
	int ret = -1, skip = 0;

	memset(&r, 0, sizeof(r));
	r.file = file;
	r.map = map;
	r.nmap = nmap;
	r.ho = ho;
	r.line = 1;
	if (csv_init(&p, CSV_OPTS) != 0)
		errx(A0_EXIT_IO, "%s: libcsv: out of memory", file);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			warn("%s", file);
			goto done;
		}
		if (n == 0)
			break;
		if (parse(&p, &r, buf, (size_t)n, &nl, &skip) == -1)
			goto bad;
		if (r.fatal)
			goto usage;
	}
	if (!skip && csv_fini(&p, cb_field, cb_row, &r) != 0)
		goto bad;
	if (r.fatal)
		goto usage;
	ret = 0;
	goto done;
bad:
	warnx("%s:%llu: %s", file, (unsigned long long)r.line,
	    csv_error(&p) != CSV_EPARSE ? csv_strerror(csv_error(&p)) :
	    r.head == NULL ? "malformed CSV header" :
	    "malformed CSV: a quoted field never closed");
	goto done;
usage:
	ret = -2;
done:
	csv_free(&p);
	for (i = 0; r.head != NULL && i < r.ncol; i++)
		free(r.head[i]);
	for (i = 0; i < r.nmeta; i++)
		free((char *)r.meta[i].key);
	free(r.head);
	free(r.meta);
	free(r.metacol);
	free(r.off);
	jb_free(&r.data);
	cph_free(&r.h);
	return ret;
}
