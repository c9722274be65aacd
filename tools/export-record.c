/*
 * export-record.c: one exported user made into an import record: the
 * members the import schema knows are kept byte for byte and in their
 * order, "auth0|" comes off user_id, "true"/"false" strings become
 * booleans, the support's password hash is joined, and the result is
 * checked against the schema as a0-validate checks it, a member it
 * refuses being left out (with a diagnostic) rather than the user.
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"

/* The members carried over, as named in the import schema. */
static const char *const keep[] = {
	"email", "email_verified", "phone_number", "phone_verified",
	"user_id", "username", "given_name", "family_name", "name",
	"nickname", "picture", "blocked", "app_metadata", "user_metadata",
	"password_hash", "custom_password_hash", NULL
};
static const size_t keylen[] = { 5, 14, 12, 14, 7, 8, 10, 11, 4, 8, 7, 7,
	12, 13, 13, 20 };
#define NKEEP		16
#define K_EMAIL		0
#define K_USER_ID	4
#define K_HASH		14	/* password_hash and custom_password_hash:
				   from the hash file only */
#define K_CUSTOM	15

struct xrecord {
	struct hashes	*hs;
	struct schema	*sc;
	struct jdoc	 in, chk;
	char		*uid;		/* user_id unescaped, "auth0|" on */
	size_t		 uidcap;
	const struct jrecord *rec;
	unsigned	 bad;		/* members the schema refused */
	int		 root;		/* the record itself was refused */
};

struct xrecord *
xrecord_new(struct hashes *hs)
{
	struct xrecord *x = xcalloc(1, sizeof(*x));

	x->hs = hs;
	x->sc = schema_new();
	return x;
}

void
xrecord_free(struct xrecord *x)
{
	if (x == NULL)
		return;
	schema_free(x->sc);
	json_free(&x->in);
	json_free(&x->chk);
	free(x->uid);
	free(x);
}

/*
 * Which kept member key token i names, or -1.  Keys almost never hold an
 * escape: their bytes are compared first, and unescaped only then.
 */
static int
which(const struct jdoc *d, int i)
{
	const char *p = d->text + d->tok[i].start;
	size_t n = (size_t)(d->tok[i].end - d->tok[i].start);
	int k;

	if (memchr(p, '\\', n) == NULL) {
		for (k = 0; keep[k] != NULL; k++)
			if (keylen[k] == n && memcmp(keep[k], p, n) == 0)
				return k;
		return -1;
	}
	for (k = 0; keep[k] != NULL; k++)
		if (json_streq(d, i, keep[k]))
			return k;
	return -1;
}

/* A member's key, as "key": after a comma if one is due. */
static void
putkey(struct jbuf *out, int k)
{
	jb_item(out);
	jb_add(out, "\"", 1);
	jb_add(out, keep[k], keylen[k]);
	jb_add(out, "\":", 2);
}

/* "user auth0|x" or "record N", to name a user in a diagnostic. */
static const char *
who(const struct xrecord *x)
{
	static char s[160];

	if (x->uid != NULL && x->uid[0] != '\0')
		snprintf(s, sizeof(s), "record %" PRIu64 " (%.120s)",
		    x->rec->num, x->uid);
	else
		snprintf(s, sizeof(s), "record %" PRIu64, x->rec->num);
	return s;
}

/* A schema error in the record made: which member it is about. */
static void
refused(void *arg, const struct schema_diag *dg)
{
	struct xrecord *x = arg;
	const char *p = dg->ptr, *end;
	size_t n;
	int k;

	if (dg->warning)
		return;
	k = -1;
	if (dg->ptrlen > 1 && p[0] == '/') {
		end = memchr(p + 1, '/', dg->ptrlen - 1);
		n = end ? (size_t)(end - p - 1) : dg->ptrlen - 1;
		for (k = 0; keep[k] != NULL; k++)
			if (strlen(keep[k]) == n &&
			    memcmp(keep[k], p + 1, n) == 0)
				break;
		if (keep[k] == NULL)
			k = -1;
	}
	if (k == -1 || k == K_EMAIL)
		x->root = 1;
	else
		x->bad |= 1u << k;
	warnx("%s: %.*s: %s: %s; %s left out", who(x), (int)dg->ptrlen,
	    dg->ptr, dg->code, dg->msg, k == -1 || k == K_EMAIL ? "user" :
	    "field");
}

/* The record, without the members in skip, into out. */
static void
build(struct xrecord *x, struct jbuf *out, unsigned skip, const char *hash)
{
	const struct jdoc *d = &x->in;
	const char *t = d->text, *v;
	unsigned seen = 0;
	int i, k, n, vi, vl;

	jb_reset(out);
	jb_begin(out, '{');
	n = d->tok[0].size;
	for (i = 1; n > 0; n--, i = json_skip(d, i + 1)) {
		if ((k = which(d, i)) == -1 || k >= K_HASH ||
		    (seen & (1u << k)) || (skip & (1u << k)))
			continue;
		vi = i + 1;
		if (d->tok[vi].type == JT_PRIMITIVE && t[d->tok[vi].start] == 'n')
			continue;	/* null */
		seen |= 1u << k;
		v = t + d->tok[vi].start;
		vl = d->tok[vi].end - d->tok[vi].start;
		putkey(out, k);
		if (k == K_USER_ID)
			/* xrecord_make has checked the prefix. */
			jb_str(out, x->uid + 6, strlen(x->uid + 6));
		else if (d->tok[vi].type == JT_STRING &&
		    (k == 1 || k == 3 || k == 11) &&
		    (json_streq(d, vi, "true") || json_streq(d, vi, "false")))
			/* Booleans that arrive as strings. */
			jb_puts(out, json_streq(d, vi, "true") ? "true" :
			    "false");
		else if (d->tok[vi].type == JT_STRING)
			jb_add(out, v - 1, (size_t)vl + 2);
		else
			jb_add(out, v, (size_t)vl);
		out->comma = 1;
	}
	if (hash != NULL && !(skip & (1u << K_HASH)) &&
	    !(skip & (1u << K_CUSTOM))) {
		/* Auth0 takes bcrypt $2a$/$2b$ of cost 10 as password_hash;
		 * any other bcrypt as custom_password_hash. */
		if ((hash[2] == 'a' || hash[2] == 'b') && hash[4] == '1' &&
		    hash[5] == '0')
			jb_kstr(out, keep[K_HASH], hash);
		else {
			jb_key(out, keep[K_CUSTOM]);
			jb_begin(out, '{');
			jb_kstr(out, "algorithm", "bcrypt");
			jb_key(out, "hash");
			jb_begin(out, '{');
			jb_kstr(out, "value", hash);
			jb_kstr(out, "encoding", "utf8");
			jb_end(out, '}');
			jb_end(out, '}');
		}
	}
	jb_end(out, '}');
}

/* Check the record made; 0 valid, -1 refused (x->bad, x->root set). */
static int
check(struct xrecord *x, const struct jbuf *out)
{
	x->bad = 0;
	x->root = 0;
	if (json_parse_valid(&x->chk, out->p, out->len) <= 0)
		errx(A0_EXIT_IO, "%s: cannot tokenize the record made",
		    who(x));
	return schema_check(x->sc, &x->chk, NULL, refused, x) == 0 ? 0 : -1;
}

enum xresult
xrecord_make(struct xrecord *x, const struct jrecord *rec, struct jbuf *out,
    int *hashed, int *dropped)
{
	const struct jdoc *d = &x->in;
	const char *hash = NULL;
	unsigned skip;
	int i, n, k, len;

	x->rec = rec;
	*hashed = 0;
	*dropped = 0;
	if (x->uid != NULL)
		x->uid[0] = '\0';
	if (json_parse_valid(&x->in, rec->buf, rec->len) <= 0 ||
	    d->tok[0].type != JT_OBJECT)
		errx(A0_EXIT_IO, "record %" PRIu64 ": not an object",
		    rec->num);
	/* The user id first: it decides whether the user is ours. */
	n = d->tok[0].size;
	for (i = 1; n > 0; n--, i = json_skip(d, i + 1)) {
		if ((k = which(d, i)) != K_USER_ID)
			continue;
		if (d->tok[i + 1].type != JT_STRING)
			break;
		if (rec->len + 1 > x->uidcap) {
			x->uidcap = rec->len + 1;
			x->uid = xrealloc(x->uid, x->uidcap);
		}
		len = json_unescape(d, i + 1, x->uid, x->uidcap);
		if (len < 0 || memchr(x->uid, '\0', (size_t)len) != NULL)
			x->uid[0] = '\0';
		break;
	}
	if (x->uid == NULL || x->uid[0] == '\0') {
		warnx("%s: no user_id string; user left out", who(x));
		return XR_SKIP;
	}
	if (strncmp(x->uid, "auth0|", 6) != 0 || x->uid[6] == '\0') {
		warnx("%s: not a database user (only auth0| ids can be "
		    "imported); user left out", who(x));
		return XR_SKIP;
	}
	if (x->hs != NULL && (hash = hashes_find(x->hs, x->uid + 6,
	    strlen(x->uid + 6))) != NULL)
		*hashed = 1;
	build(x, out, 0, hash);
	if (check(x, out) == 0)
		return XR_OK;
	if (x->root)
		return XR_SKIP;
	skip = x->bad;
	for (k = 0; k < NKEEP; k++)
		*dropped += (skip >> k) & 1;
	if (skip & ((1u << K_HASH) | (1u << K_CUSTOM)))
		*hashed = 0;
	build(x, out, skip, hash);
	if (check(x, out) == 0)
		return XR_OK;
	return XR_SKIP;
}
