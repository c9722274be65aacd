/*
 * convert-json.c: users from JSON exports.  Django's dumpdata is an
 * array of records, read one at a time by the project's reader, so any
 * size streams; Keycloak's realm files and Firebase's auth:export are
 * each one object holding a "users" array, read whole (the reader still
 * checks it against RFC 8259 before jsmn tokenizes it).
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

#define MAXREC	(64 << 20)	/* one dumpdata record */
#define MAXDOC	(1024 << 20)	/* one realm or auth:export file */

enum { S_EMAIL, S_USERNAME, S_ID, S_GIVEN, S_FAMILY, S_NAME, S_PICTURE,
	S_PHONE, S_PASSWORD, S_SALT, S_ALG, S_TYPE, S_VERSION, S_MEMORY,
	S_PAR, NSLOT };

struct jsrc {
	const char	*file;
	struct jstream	*js;
	struct jrecord	 rec;
	struct jdoc	 d, d2, d3;	/* the record; Keycloak's secretData
					   and credentialData */
	struct jbuf	 s[NSLOT];	/* unescaped strings */
	struct jbuf	 sec, cred;	/* the two strings, to parse again */
	struct cph	 h;
	uint64_t	 num;		/* users so far */
	const char	*pp;		/* position reached in rec.buf */
	uint64_t	 pline, pcol;
};

/* Unescaped string member key of obj in d, or { NULL, 0 }. */
static struct cstr
jstr(struct jbuf *b, const struct jdoc *d, int obj, const char *key)
{
	struct cstr s = { NULL, 0 };
	size_t need;
	int t = obj < 0 ? -1 : json_get(d, obj, key), n;

	if (t < 0 || d->tok[t].type != JT_STRING)
		return s;
	need = (size_t)(d->tok[t].end - d->tok[t].start) + 1;
	if (b->cap < need) {
		b->p = xrealloc(b->p, need);
		b->cap = need;
	}
	if ((n = json_unescape(d, t, b->p, b->cap)) <= 0)
		return s;
	b->len = (size_t)n;
	s.p = b->p;
	s.n = (size_t)n;
	return s;
}

/* Is primitive token t the literal lit? */
static int
literal(const struct jdoc *d, int t, const char *lit)
{
	size_t n = strlen(lit);

	return d->tok[t].type == JT_PRIMITIVE &&
	    (size_t)(d->tok[t].end - d->tok[t].start) == n &&
	    memcmp(d->text + d->tok[t].start, lit, n) == 0;
}

/* A boolean member: 0, 1, or -1 when absent or not a boolean. */
static int
jbool(const struct jdoc *d, int obj, const char *key)
{
	int t = json_get(d, obj, key);

	if (t < 0 || d->tok[t].type != JT_PRIMITIVE)
		return -1;
	return literal(d, t, "true") ? 1 : literal(d, t, "false") ? 0 : -1;
}

/* Line and column of byte off of the record, counted on from the last
 * position asked for (users come in order). */
static void
where(struct jsrc *r, int off, struct cuser *u)
{
	const char *to = r->rec.buf + off, *nl;

	if (to < r->pp) {
		r->pp = r->rec.buf;
		r->pline = r->rec.line;
		r->pcol = r->rec.col;
	}
	while ((nl = memchr(r->pp, '\n', (size_t)(to - r->pp))) != NULL) {
		r->pline++;
		r->pcol = 1;
		r->pp = nl + 1;
	}
	r->pcol += (uint64_t)(to - r->pp);
	r->pp = to;
	u->file = r->file;
	u->line = r->pline;
	u->col = r->pcol;
	u->num = ++r->num;
}

static void
user_init(struct jsrc *r, int obj, struct cuser *u)
{
	memset(u, 0, sizeof(*u));
	u->email_verified = u->phone_verified = u->blocked = -1;
	where(r, r->d.tok[obj].start, u);
}

static int
need_email(const struct cuser *u)
{
	if (u->email.p != NULL)
		return 0;
	bad_row(u->file, u->line, u->col, u->num, "/email: no email");
	return -1;
}

static void
django_user(struct jsrc *r, int obj)
{
	const struct jdoc *d = &r->d;
	struct cuser u;
	int f, pk;

	user_init(r, obj, &u);
	f = json_get(d, obj, "fields");
	if (d->tok[obj].type != JT_OBJECT || f < 0 ||
	    d->tok[f].type != JT_OBJECT) {
		bad_row(u.file, u.line, u.col, u.num,
		    "not a dumpdata record (no \"fields\" object)");
		return;
	}
	u.email = jstr(&r->s[S_EMAIL], d, f, "email");
	if (need_email(&u) == -1)
		return;
	u.username = jstr(&r->s[S_USERNAME], d, f, "username");
	u.given_name = jstr(&r->s[S_GIVEN], d, f, "first_name");
	u.family_name = jstr(&r->s[S_FAMILY], d, f, "last_name");
	if (jbool(d, f, "is_active") == 0)
		u.blocked = 1;
	pk = json_get(d, obj, "pk");
	if (pk >= 0 && d->tok[pk].type == JT_PRIMITIVE &&
	    !literal(d, pk, "null")) {
		u.id.p = d->text + d->tok[pk].start;
		u.id.n = (size_t)(d->tok[pk].end - d->tok[pk].start);
	} else
		u.id = jstr(&r->s[S_ID], d, obj, "pk");
	hash_django(&r->h, jstr(&r->s[S_PASSWORD], d, f, "password"));
	emit(&u, &r->h);
}

/* A Keycloak additionalParameters entry: ["v"] or "v"; NULL if absent. */
static const char *
kcparam(struct jsrc *r, int slot, int obj, const char *key)
{
	const struct jdoc *d = &r->d3;
	int t = obj < 0 ? -1 : json_get(d, obj, key);
	struct cstr s;

	if (t >= 0 && d->tok[t].type == JT_ARRAY && d->tok[t].size > 0 &&
	    d->tok[t + 1].type == JT_STRING) {
		/* the first item, read as a member of a one-off view */
		s.n = (size_t)(d->tok[t + 1].end - d->tok[t + 1].start);
		if (s.n == 0 || s.n > 32)
			return NULL;
		jb_reset(&r->s[slot]);
		jb_add(&r->s[slot], d->text + d->tok[t + 1].start, s.n);
		return r->s[slot].p;
	}
	s = jstr(&r->s[slot], d, obj, key);
	return s.p;
}

/* Parse a JSON string member of d again, as Keycloak stores it. */
static int
reparse(struct jbuf *b, struct jdoc *out, const struct jdoc *d, int obj,
    const char *key)
{
	struct cstr s = jstr(b, d, obj, key);

	if (s.p == NULL || json_parse(out, s.p, s.n) <= 0 ||
	    out->tok[0].type != JT_OBJECT)
		return -1;
	return 0;
}

static void
keycloak_hash(struct jsrc *r, int cred)
{
	const struct jdoc *d = &r->d;
	struct kcargon ka = { NULL, NULL, NULL, NULL };
	struct cstr alg, value, salt;
	long long iter = 0;
	int t, ap;

	if (cred < 0) {
		hash_keycloak(&r->h, (struct cstr){ NULL, 0 }, 0,
		    (struct cstr){ NULL, 0 }, (struct cstr){ NULL, 0 }, &ka);
		return;
	}
	if (json_get(d, cred, "secretData") >= 0) {
		if (reparse(&r->sec, &r->d2, d, cred, "secretData") == -1 ||
		    reparse(&r->cred, &r->d3, d, cred, "credentialData") ==
		    -1) {
			cph_clear(&r->h);
			r->h.reason = R_BADHASH;
			return;
		}
		value = jstr(&r->s[S_PASSWORD], &r->d2, 0, "value");
		salt = jstr(&r->s[S_SALT], &r->d2, 0, "salt");
		alg = jstr(&r->s[S_ALG], &r->d3, 0, "algorithm");
		if ((t = json_get(&r->d3, 0, "hashIterations")) >= 0)
			json_int(&r->d3, t, &iter);
		ap = json_get(&r->d3, 0, "additionalParameters");
		if (ap >= 0 && r->d3.tok[ap].type == JT_OBJECT) {
			ka.type = kcparam(r, S_TYPE, ap, "type");
			ka.version = kcparam(r, S_VERSION, ap, "version");
			ka.memory = kcparam(r, S_MEMORY, ap, "memory");
			ka.parallelism = kcparam(r, S_PAR, ap, "parallelism");
		}
	} else {
		/* Exports before Keycloak 12: flat fields. */
		value = jstr(&r->s[S_PASSWORD], d, cred, "hashedSaltedValue");
		salt = jstr(&r->s[S_SALT], d, cred, "salt");
		alg = jstr(&r->s[S_ALG], d, cred, "algorithm");
		if ((t = json_get(d, cred, "hashIterations")) >= 0)
			json_int(d, t, &iter);
	}
	hash_keycloak(&r->h, alg, iter, value, salt, &ka);
}

static void
keycloak_user(struct jsrc *r, int obj)
{
	const struct jdoc *d = &r->d;
	struct cuser u;
	struct cstr ty;
	int c, i, k, cred = -1;

	user_init(r, obj, &u);
	if (d->tok[obj].type != JT_OBJECT) {
		bad_row(u.file, u.line, u.col, u.num, "a user is an object");
		return;
	}
	u.email = jstr(&r->s[S_EMAIL], d, obj, "email");
	if (need_email(&u) == -1)
		return;
	u.id = jstr(&r->s[S_ID], d, obj, "id");
	u.username = jstr(&r->s[S_USERNAME], d, obj, "username");
	u.given_name = jstr(&r->s[S_GIVEN], d, obj, "firstName");
	u.family_name = jstr(&r->s[S_FAMILY], d, obj, "lastName");
	u.email_verified = jbool(d, obj, "emailVerified");
	if (jbool(d, obj, "enabled") == 0)
		u.blocked = 1;
	c = json_get(d, obj, "credentials");
	if (c >= 0 && d->tok[c].type == JT_ARRAY)
		for (i = c + 1, k = 0; k < d->tok[c].size && cred < 0; k++,
		    i = json_skip(d, i)) {
			ty = jstr(&r->s[S_TYPE], d, i, "type");
			if (d->tok[i].type == JT_OBJECT && ty.n == 8 &&
			    memcmp(ty.p, "password", 8) == 0)
				cred = i;
		}
	keycloak_hash(r, cred);
	emit(&u, &r->h);
}

static void
firebase_user(struct jsrc *r, int obj)
{
	const struct jdoc *d = &r->d;
	struct cuser u;

	user_init(r, obj, &u);
	if (d->tok[obj].type != JT_OBJECT) {
		bad_row(u.file, u.line, u.col, u.num, "a user is an object");
		return;
	}
	u.email = jstr(&r->s[S_EMAIL], d, obj, "email");
	if (need_email(&u) == -1)
		return;
	u.id = jstr(&r->s[S_ID], d, obj, "localId");
	u.name = jstr(&r->s[S_NAME], d, obj, "displayName");
	u.picture = jstr(&r->s[S_PICTURE], d, obj, "photoUrl");
	u.phone_number = jstr(&r->s[S_PHONE], d, obj, "phoneNumber");
	u.email_verified = jbool(d, obj, "emailVerified");
	if (jbool(d, obj, "disabled") == 1)
		u.blocked = 1;
	hash_firebase(&r->h, jstr(&r->s[S_PASSWORD], d, obj,
	    "passwordHash"));
	emit(&u, &r->h);
}

/* Each record of fd: a user, or an object whose "users" array holds
 * them (container set). */
static int
read_json(int fd, const char *file, size_t max, int container,
    void (*user)(struct jsrc *, int))
{
	char msg[512];
	struct jsrc r;
	int st = 0, i, k, u;

	memset(&r, 0, sizeof(r));
	r.file = file;
	if ((r.js = jstream_open(fd, max)) == NULL)
		err(A0_EXIT_IO, "%s", file);
	while ((st = jstream_next(r.js, &r.rec)) == 1) {
		if (json_parse_valid(&r.d, r.rec.buf, r.rec.len) <= 0) {
			st = -2;
			break;
		}
		r.pp = r.rec.buf;
		r.pline = r.rec.line;
		r.pcol = r.rec.col;
		u = container ? json_get(&r.d, 0, "users") : -1;
		if (u < 0 || r.d.tok[u].type != JT_ARRAY) {
			user(&r, 0);
			continue;
		}
		for (i = u + 1, k = 0; k < r.d.tok[u].size; k++,
		    i = json_skip(&r.d, i))
			user(&r, i);
	}
	if (st == -1)
		warnx("%s", jstream_strerror(r.js, file, msg, sizeof(msg)));
	else if (st == -2)
		warnx("%s: record %llu: cannot be tokenized", file,
		    (unsigned long long)r.rec.num);
	jstream_close(r.js);
	json_free(&r.d);
	json_free(&r.d2);
	json_free(&r.d3);
	for (i = 0; i < NSLOT; i++)
		jb_free(&r.s[i]);
	jb_free(&r.sec);
	jb_free(&r.cred);
	cph_free(&r.h);
	return st < 0 ? -1 : 0;
}

int
read_django(int fd, const char *file)
{
	return read_json(fd, file, MAXREC, 0, django_user);
}

int
read_keycloak(int fd, const char *file)
{
	return read_json(fd, file, MAXDOC, 1, keycloak_user);
}

int
read_firebase(int fd, const char *file)
{
	return read_json(fd, file, MAXDOC, 1, firebase_user);
}
