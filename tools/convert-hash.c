/*
 * convert-hash.c: another system's stored password, rewritten as the
 * custom_password_hash Auth0 verifies the same way, or the reason it
 * cannot be (the user then goes to the reset list).  The facts behind
 * each mapping are in reference/password-hashes.md.
 */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "convert.h"

void
cph_clear(struct cph *h)
{
	h->alg = h->reason = h->enc = h->saltenc = h->pos = h->pwenc = NULL;
	h->salted = h->schema_ok = 0;
	h->keylen = h->cost = h->blocksize = h->par = 0;
	jb_reset(&h->value);
	jb_reset(&h->salt);
	jb_reset(&h->tmp);
}

void
cph_free(struct cph *h)
{
	jb_free(&h->value);
	jb_free(&h->salt);
	jb_free(&h->tmp);
}
static int
starts(struct cstr s, const char *pre)
{
	size_t n = strlen(pre);

	return s.n >= n && memcmp(s.p, pre, n) == 0;
}

static struct cstr
after(struct cstr s, size_t k)
{
	s.p += k;
	s.n -= k;
	return s;
}

/* Split s at the next '$': the field before, s moved past it. */
static struct cstr
field(struct cstr *s)
{
	struct cstr f = *s;
	const char *d = memchr(s->p, '$', s->n);

	if (d == NULL) {
		s->p += s->n;
		s->n = 0;
		return f;
	}
	f.n = (size_t)(d - s->p);
	s->p = d + 1;
	s->n -= f.n + 1;
	return f;
}

static int
alldigits(struct cstr s)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return 0;
	return s.n > 0 && s.n < 12;
}

static int
allhex(struct cstr s)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (hex_digit((unsigned char)s.p[i]) < 0)
			return 0;
	return s.n > 0;
}

static int
reset(struct cph *h, const char *why)
{
	h->alg = NULL;
	h->reason = why;
	return 0;
}

/* bcrypt as Auth0 takes it: $2a$, $2b$, $2y$, cost 04 to 31, then 53
 * characters of [./A-Za-z0-9]. */
static int
bcrypt(struct cph *h, struct cstr s)
{
	if (starts(s, "$2x$") || starts(s, "$2$"))
		return reset(h, "unsupported:bcrypt-2x");
	if (schema_bcrypt_bad(s.p, s.n) != NULL)
		return reset(h, R_BADHASH);
	h->alg = "bcrypt";
	h->enc = "utf8";
	h->schema_ok = 1;
	jb_add(&h->value, s.p, s.n);
	return 0;
}

/* argon2 as libsodium (Auth0's verifier) takes it: argon2i or argon2id,
 * version 19; s starts at "$argon2". */
static int
argon2(struct cph *h, struct cstr s)
{
	struct cstr t = s, f;

	field(&t);
	f = field(&t);
	if (f.n == 7 && memcmp(f.p, "argon2d", 7) == 0) {
		reset(h, "unsupported:argon2d");
		return 0;
	}
	if (!(f.n == 8 && memcmp(f.p, "argon2id", 8) == 0) &&
	    !(f.n == 7 && memcmp(f.p, "argon2i", 7) == 0)) {
		reset(h, R_BADHASH);
		return 0;
	}
	f = field(&t);
	if (f.n == 4 && memcmp(f.p, "v=16", 4) == 0) {
		reset(h, "unsupported:argon2-v16");
		return 0;
	}
	if (!(f.n == 4 && memcmp(f.p, "v=19", 4) == 0)) {
		reset(h, starts(f, "m=") ? "unsupported:argon2-no-version" :
		    R_BADHASH);
		return 0;
	}
	h->alg = "argon2";
	h->enc = "utf8";
	jb_add(&h->value, s.p, s.n);
	return 0;
}

/*
 * pbkdf2 as Auth0's PHC string: digest, iterations, raw salt and key
 * (h->tmp holds salt then key, split at saltlen).
 */
static int
pbkdf2(struct cph *h, const char *digest, long long iter, size_t saltlen)
{
	const unsigned char *p = (const unsigned char *)h->tmp.p;
	size_t keylen = h->tmp.len - saltlen;

	if (iter <= 0 || keylen == 0 || saltlen == 0) {
		reset(h, R_BADHASH);
		return 0;
	}
	h->alg = "pbkdf2";
	h->enc = "utf8";
	jb_printf(&h->value, "$pbkdf2-%s$i=%lld,l=%zu$", digest, iter, keylen);
	b64_encode(&h->value, p, saltlen);
	jb_add(&h->value, "$", 1);
	b64_encode(&h->value, p + saltlen, keylen);
	return 0;
}

/* A single digest of salt and password, hex or base64 by its look. */
static int
digest(struct cph *h, const char *alg, struct cstr v, struct cstr salt,
    const char *saltenc, const char *pos)
{
	size_t want = strcmp(alg, "md5") == 0 || strcmp(alg, "md4") == 0 ?
	    16 : strcmp(alg, "sha1") == 0 ? 20 :
	    strcmp(alg, "sha256") == 0 ? 32 : 64;

	jb_reset(&h->tmp);
	if (v.n == 2 * want && allhex(v))
		h->enc = "hex";
	else if (b64_decode(&h->tmp, v.p, v.n) == 0 && h->tmp.len == want)
		h->enc = "base64";
	else {
		reset(h, R_BADHASH);
		return 0;
	}
	h->alg = alg;
	jb_add(&h->value, v.p, v.n);
	if (salt.p != NULL && salt.n > 0) {
		h->salted = 1;
		jb_add(&h->salt, salt.p, salt.n);
		h->saltenc = saltenc;
		h->pos = pos;
	}
	return 0;
}

static long long
num(struct cstr s)
{
	long long v = 0;
	size_t i;

	if (!alldigits(s))
		return -1;
	for (i = 0; i < s.n; i++)
		v = v * 10 + (s.p[i] - '0');
	return v;
}

int
hash_django(struct cph *h, struct cstr pw)
{
	struct cstr s = pw, alg, a, b, c, d, e;
	const char *dg;
	long long iter;
	size_t saltlen;

	cph_clear(h);
	if (pw.p == NULL || pw.n == 0)
		return reset(h, R_NOHASH);
	if (pw.p[0] == '!')
		return reset(h, R_UNUSABLE);
	if (pw.n == 32 && allhex(pw))
		return digest(h, "md5", pw, (struct cstr){ NULL, 0 }, NULL,
		    NULL);
	alg = field(&s);
	if (starts(alg, "pbkdf2_sha256") || starts(alg, "pbkdf2_sha1")) {
		dg = alg.n == 13 ? "sha256" : "sha1";
		if (alg.n != 13 && alg.n != 11)
			return reset(h, R_UNKNOWN);
		iter = num(field(&s));
		a = field(&s);
		if (s.n == 0)
			return reset(h, R_BADHASH);
		jb_add(&h->tmp, a.p, a.n);
		saltlen = a.n;
		if (b64_decode(&h->tmp, s.p, s.n) == -1)
			return reset(h, R_BADHASH);
		return pbkdf2(h, dg, iter, saltlen);
	}
	if (alg.n == 6 && memcmp(alg.p, "argon2", 6) == 0)
		return argon2(h, after(pw, 6));
	if (alg.n == 6 && memcmp(alg.p, "bcrypt", 6) == 0)
		return bcrypt(h, after(pw, 7));
	if (alg.n == 13 && memcmp(alg.p, "bcrypt_sha256", 13) == 0)
		return reset(h, "unsupported:bcrypt_sha256");
	if (alg.n == 5 && memcmp(alg.p, "crypt", 5) == 0)
		return reset(h, "unsupported:crypt-des");
	if (alg.n == 6 && memcmp(alg.p, "scrypt", 6) == 0) {
		/* scrypt$N$salt$r$p$hash */
		a = field(&s);
		b = field(&s);
		c = field(&s);
		d = field(&s);
		e = s;
		if (num(a) < 2 || num(c) < 1 || num(d) < 1 || e.n == 0 ||
		    b64_decode(&h->tmp, e.p, e.n) == -1 || h->tmp.len == 0)
			return reset(h, R_BADHASH);
		h->alg = "scrypt";
		h->enc = "base64";
		jb_add(&h->value, e.p, e.n);
		h->salted = 1;
		jb_add(&h->salt, b.p, b.n);
		h->saltenc = "utf8";
		h->keylen = (long long)h->tmp.len;
		h->cost = num(a);
		h->blocksize = num(c);
		h->par = num(d);
		return 0;
	}
	if ((alg.n == 4 && memcmp(alg.p, "sha1", 4) == 0) ||
	    (alg.n == 3 && memcmp(alg.p, "md5", 3) == 0)) {
		a = field(&s);
		return digest(h, alg.n == 4 ? "sha1" : "md5", s, a, "utf8",
		    "prefix");
	}
	reset(h, R_UNKNOWN);
	return 0;
}

int
hash_keycloak(struct cph *h, struct cstr alg, long long iter,
    struct cstr value, struct cstr salt, const struct kcargon *ka)
{
	size_t saltlen;
	const char *dg = NULL;

	cph_clear(h);
	if (value.p == NULL || value.n == 0)
		return reset(h, R_NOHASH);
	if (alg.n == 6 && memcmp(alg.p, "pbkdf2", 6) == 0)
		dg = "sha1";
	else if (alg.n == 13 && memcmp(alg.p, "pbkdf2-sha256", 13) == 0)
		dg = "sha256";
	else if (alg.n == 13 && memcmp(alg.p, "pbkdf2-sha512", 13) == 0)
		dg = "sha512";
	if (dg != NULL) {
		if (salt.p == NULL ||
		    b64_decode(&h->tmp, salt.p, salt.n) == -1)
			return reset(h, R_BADHASH);
		saltlen = h->tmp.len;
		if (b64_decode(&h->tmp, value.p, value.n) == -1)
			return reset(h, R_BADHASH);
		return pbkdf2(h, dg, iter, saltlen);
	}
	if (!(alg.n == 6 && memcmp(alg.p, "argon2", 6) == 0))
		return reset(h, R_UNKNOWN);
	if (ka->type != NULL && strcmp(ka->type, "d") == 0)
		return reset(h, "unsupported:argon2d");
	if (ka->version != NULL && strcmp(ka->version, "1.3") != 0)
		return reset(h, "unsupported:argon2-v16");
	if (salt.p == NULL || iter <= 0 || b64_decode(&h->tmp, salt.p,
	    salt.n) == -1 || b64_decode(&h->tmp, value.p, value.n) == -1)
		return reset(h, R_BADHASH);
	h->alg = "argon2";
	h->enc = "utf8";
	jb_printf(&h->value, "$argon2%s$v=19$m=%s,t=%lld,p=%s$",
	    ka->type != NULL && strcmp(ka->type, "i") == 0 ? "i" : "id",
	    ka->memory != NULL ? ka->memory : "7168", iter,
	    ka->parallelism != NULL ? ka->parallelism : "1");
	jb_add(&h->value, salt.p, salt.n);
	while (h->value.len > 0 && h->value.p[h->value.len - 1] == '=')
		h->value.len--;
	jb_add(&h->value, "$", 1);
	jb_add(&h->value, value.p, value.n);
	while (h->value.len > 0 && h->value.p[h->value.len - 1] == '=')
		h->value.len--;
	h->value.p[h->value.len] = '\0';
	return 0;
}

int
hash_firebase(struct cph *h, struct cstr pw)
{
	cph_clear(h);
	reset(h, pw.p == NULL || pw.n == 0 ? R_NOHASH :
	    "unsupported:firebase-scrypt");
	return 0;
}

/* ASP.NET Core Identity: v2 (0x00) and v3 (0x01) base64 blobs. */
static int
aspnet(struct cph *h, struct cstr s)
{
	static const char *const prf[] = { "sha1", "sha256", "sha512" };
	const unsigned char *p;
	unsigned long v[3];
	size_t n, i;
	int k;

	if (b64_decode(&h->tmp, s.p, s.n) == -1 || h->tmp.len == 0)
		return reset(h, R_BADHASH);
	p = (const unsigned char *)h->tmp.p;
	n = h->tmp.len;
	if (p[0] == 0 && n == 49) {
		memmove(h->tmp.p, h->tmp.p + 1, 48);
		h->tmp.len = 48;
		return pbkdf2(h, "sha1", 1000, 16);
	}
	if (p[0] != 1 || n < 13)
		return reset(h, "unsupported:aspnet-format");
	for (k = 0; k < 3; k++)
		for (v[k] = 0, i = 0; i < 4; i++)
			v[k] = v[k] << 8 | p[1 + 4 * k + i];
	if (v[0] > 2 || v[2] == 0 || v[2] >= n - 13 || v[1] == 0)
		return reset(h, "unsupported:aspnet-format");
	memmove(h->tmp.p, h->tmp.p + 13, n - 13);
	h->tmp.len = n - 13;
	pbkdf2(h, prf[v[0]], (long long)v[1], v[2]);
	return 0;
}

/* Hash a plaintext locally as bcrypt, cost 10 (Spring's {noop}). */
static int
plaintext(struct cph *h, struct cstr s)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE], *pw;
	struct crypt_data *cd;
	const char *out;

	if (s.n == 0 || memchr(s.p, '\0', s.n) != NULL)
		return reset(h, R_BADHASH);
	if (crypt_gensalt_rn("$2b$", 10, NULL, 0, setting,
	    sizeof(setting)) == NULL)
		return reset(h, "unsupported:noop");
	cd = xcalloc(1, sizeof(*cd));
	pw = xmalloc(s.n + 1);
	memcpy(pw, s.p, s.n);
	pw[s.n] = '\0';
	out = crypt_rn(pw, setting, cd, (int)sizeof(*cd));
	if (out != NULL && out[0] == '$')
		bcrypt(h, (struct cstr){ out, strlen(out) });
	else
		reset(h, "unsupported:noop");
	sodium_memzero(pw, s.n);
	free(pw);
	free(cd);
	return 0;
}

/* Spring Security's DelegatingPasswordEncoder: {id}encoded. */
static int
spring(struct cph *h, struct cstr s)
{
	const char *e = memchr(s.p, '}', s.n);
	struct cstr id, rest, a, salt;
	unsigned long par;
	int isv58;

	if (s.n == 0 || s.p[0] != '{' || e == NULL)
		return reset(h, R_UNKNOWN);
	id = (struct cstr){ s.p + 1, (size_t)(e - s.p - 1) };
	rest = after(s, id.n + 2);
#define ID(x)	(id.n == sizeof(x) - 1 && memcmp(id.p, x, id.n) == 0)
	if (ID("bcrypt"))
		return bcrypt(h, rest);
	if (ID("noop"))
		return plaintext(h, rest);
	if (ID("argon2"))
		return argon2(h, rest);
	if (ID("ldap")) {
		if (starts(rest, "{CRYPT}") || !(starts(rest, "{SSHA") ||
		    starts(rest, "{SHA") || starts(rest, "{MD5}") ||
		    starts(rest, "{SMD5}")))
			return reset(h, "unsupported:ldap-crypt");
		h->alg = "ldap";
		h->enc = "utf8";
		jb_add(&h->value, rest.p, rest.n);
		return 0;
	}
	if (ID("pbkdf2") || ID("pbkdf2@SpringSecurity_v5_8")) {
		isv58 = !ID("pbkdf2");
		if (!allhex(rest) ||
		    hex_decode(&h->tmp, rest.p, rest.n) == -1) {
			jb_reset(&h->tmp);
			if (b64_decode(&h->tmp, rest.p, rest.n) == -1)
				return reset(h, R_BADHASH);
		}
		if (h->tmp.len != (isv58 ? 48u : 40u))
			return reset(h, R_BADHASH);
		return pbkdf2(h, isv58 ? "sha256" : "sha1",
		    isv58 ? 310000 : 185000, isv58 ? 16 : 8);
	}
	if (ID("scrypt")) {
		/* $params$salt$hash, params hex: log2 N << 16 | r << 8 | p */
		field(&rest);
		a = field(&rest);
		salt = field(&rest);
		if (!allhex(a) || a.n > 8 || salt.n == 0 || rest.n == 0 ||
		    b64_decode(&h->tmp, rest.p, rest.n) == -1)
			return reset(h, R_BADHASH);
		par = strtoul(a.p, NULL, 16);
		if ((par >> 16) < 1 || (par >> 16) > 40)
			return reset(h, R_BADHASH);
		h->alg = "scrypt";
		h->enc = "base64";
		jb_add(&h->value, rest.p, rest.n);
		h->salted = 1;
		jb_add(&h->salt, salt.p, salt.n);
		h->saltenc = "base64";
		h->keylen = (long long)h->tmp.len;
		h->cost = 1LL << (par >> 16);
		h->blocksize = (long long)((par >> 8) & 0xff);
		h->par = (long long)(par & 0xff);
		return 0;
	}
	if (ID("MD5") || ID("SHA-1")) {
		/* {salt}hex = digest(password + "{salt}") */
		salt = (struct cstr){ NULL, 0 };
		if (rest.n > 0 && rest.p[0] == '{' &&
		    (e = memchr(rest.p, '}', rest.n)) != NULL) {
			salt.p = rest.p;
			salt.n = (size_t)(e - rest.p + 1);
			rest = after(rest, salt.n);
		}
		return digest(h, ID("MD5") ? "md5" : "sha1", rest, salt,
		    "utf8", "suffix");
	}
	if (ID("sha256"))
		return reset(h, "unsupported:spring-sha256");
#undef ID
	reset(h, R_UNKNOWN);
	return 0;
}

/* crypt(3) strings: only bcrypt and the NT hash carry over. */
static int
cryptstr(struct cph *h, struct cstr s)
{
	if (starts(s, "$2"))
		return bcrypt(h, s);
	if (starts(s, "$1$"))
		return reset(h, "unsupported:md5-crypt");
	if (starts(s, "$5$"))
		return reset(h, "unsupported:sha256-crypt");
	if (starts(s, "$6$"))
		return reset(h, "unsupported:sha512-crypt");
	if (starts(s, "$y$") || starts(s, "$gy$"))
		return reset(h, "unsupported:yescrypt");
	if (starts(s, "$7$"))
		return reset(h, "unsupported:scrypt-crypt");
	if (starts(s, "$3$$")) {
		digest(h, "md4", after(s, 4), (struct cstr){ NULL, 0 }, NULL,
		    NULL);
		if (h->alg != NULL)
			h->pwenc = "utf16le";
		return 0;
	}
	if (s.n == 13 || (s.n == 20 && s.p[0] == '_'))
		return reset(h, "unsupported:crypt-des");
	reset(h, R_UNKNOWN);
	return 0;
}

/* WordPress and Drupal columns (phpass and what replaced it). */
static int
phpass(struct cph *h, struct cstr s)
{
	if (starts(s, "$P$") || starts(s, "$H$"))
		return reset(h, "unsupported:phpass");
	if (starts(s, "$S$") || starts(s, "U$S$") || starts(s, "U$P$"))
		return reset(h, "unsupported:drupal-sha512");
	if (starts(s, "$wp$"))
		return reset(h, "unsupported:wordpress-bcrypt");
	if (starts(s, "$2"))
		return bcrypt(h, s);
	if (starts(s, "$argon2"))
		return argon2(h, s);
	if (s.n == 32 && allhex(s))
		return digest(h, "md5", s, (struct cstr){ NULL, 0 }, NULL,
		    NULL);
	reset(h, R_UNKNOWN);
	return 0;
}

int
hash_csv(struct cph *h, const struct hashopt *o, struct cstr pw,
    struct cstr salt)
{
	cph_clear(h);
	if (o->scheme == S_NONE || pw.p == NULL || pw.n == 0)
		return reset(h, R_NOHASH);
	switch (o->scheme) {
	case S_BCRYPT:
		if (starts(pw, "$argon2"))
			return argon2(h, pw);
		return bcrypt(h, pw);
	case S_DEVISE:
		bcrypt(h, pw);
		if (h->alg != NULL && o->pepper != NULL && *o->pepper) {
			h->salted = 1;
			jb_puts(&h->salt, o->pepper);
			h->saltenc = "utf8";
			h->pos = "suffix";
		}
		return 0;
	case S_ASPNET:
		return aspnet(h, pw);
	case S_SPRING:
		return spring(h, pw);
	case S_PHPASS:
		return phpass(h, pw);
	case S_CRYPT:
		return cryptstr(h, pw);
	case S_DIGEST:
		return digest(h, o->digest, pw, salt, o->saltenc, o->pos);
	case S_NONE:
		break;
	}
	reset(h, R_NOHASH);
	return 0;
}
