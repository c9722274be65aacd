/*
 * convert-check.c: proof that a conversion is right, for known test
 * accounts.  From each account's plaintext, recompute what Auth0 would
 * compute from the converted record (read back from the JSON written),
 * with the libraries that behave as Auth0's verifiers do: libxcrypt for
 * bcrypt, libsodium for argon2, OpenSSL 3 for the rest.
 */
#include <crypt.h>
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/provider.h>
#include <sodium.h>

#include "convert.h"

struct acct {
	char		*email;		/* lower-cased */
	const char	*pw;
	size_t		 pwlen;
	unsigned long	 line;
	int		 seen;
};

struct check {
	const char	*path;
	char		*buf;
	size_t		 len;
	struct acct	*a;
	size_t		 n;
	unsigned long	 fail;
	struct jdoc	 d;
	OSSL_PROVIDER	*legacy, *deflt;
};

/* What Auth0 reads from custom_password_hash, as NUL-terminated text. */
struct vp {
	char	*alg, *value, *enc, *digest, *key, *keyenc;
	char	*salt, *saltenc, *pos, *pwenc;
	long long keylen, cost, blocksize, par;
};

static int
cmp_acct(const void *x, const void *y)
{
	return strcmp(((const struct acct *)x)->email,
	    ((const struct acct *)y)->email);
}

struct check *
check_open(const char *path)
{
	struct check *ck;
	char *p, *nl, *tab;
	size_t len;
	unsigned long line = 0;

	ck = xcalloc(1, sizeof(*ck));
	ck->path = path;
	if (read_small(path, 16 << 20, &ck->buf, &len) == -1) {
		warn("%s", path);
		goto fail;
	}
	ck->len = len;
	for (p = ck->buf; p < ck->buf + len; p = nl + 1) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(ck->buf + len - p))) == NULL)
			nl = ck->buf + len;
		*nl = '\0';
		if (*p == '\0')
			continue;
		if ((tab = strchr(p, '\t')) == NULL || tab == p) {
			warnx("%s:%lu: not email<TAB>plaintext", path, line);
			goto fail;
		}
		*tab = '\0';
		ck->a = xrealloc(ck->a, (ck->n + 1) * sizeof(*ck->a));
		ck->a[ck->n].email = p;
		for (; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		ck->a[ck->n].pw = tab + 1;
		ck->a[ck->n].pwlen = (size_t)(nl - tab - 1);
		ck->a[ck->n].line = line;
		ck->a[ck->n].seen = 0;
		ck->n++;
	}
	if (ck->n > 0)
		qsort(ck->a, ck->n, sizeof(*ck->a), cmp_acct);
	if (sodium_init() < 0) {
		warnx("libsodium: cannot initialise");
		goto fail;
	}
	/* md4 and whirlpool live in the legacy provider; loading it alone
	 * would switch the default algorithms off. */
	ck->legacy = OSSL_PROVIDER_load(NULL, "legacy");
	ck->deflt = OSSL_PROVIDER_load(NULL, "default");
	return ck;
fail:
	free(ck->buf);
	free(ck->a);
	free(ck);
	return NULL;
}

int
read_small(const char *path, size_t max, char **buf, size_t *len)
{
	char *b = NULL;
	size_t n = 0, cap = 0;
	ssize_t r;
	int fd, save;

	if ((fd = a0_open_input(path)) == -1)
		return -1;
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > max) {
				errno = EFBIG;
				goto fail;
			}
			cap = cap ? cap * 2 : 4096;
			b = xrealloc(b, cap);
		}
		r = read(fd, b + n, cap - n - 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			goto fail;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
fail:
	save = errno;
	if (fd != STDIN_FILENO)
		close(fd);
	free(b);
	errno = save;
	return -1;
}

static char *
vstr(const struct jdoc *d, int obj, const char *k)
{
	int t = obj < 0 ? -1 : json_get(d, obj, k);

	return t < 0 ? NULL : json_strdup(d, t);
}

static long long
vint(const struct jdoc *d, int obj, const char *k)
{
	long long v = 0;
	int t = json_get(d, obj, k);

	if (t < 0 || json_int(d, t, &v) == -1)
		return 0;
	return v;
}

/* Decode s by encoding enc (utf8 when NULL) into out. */
static int
decode(struct jbuf *out, const char *s, const char *enc)
{
	jb_reset(out);
	if (s == NULL)
		return 0;
	if (enc == NULL || strcmp(enc, "utf8") == 0) {
		jb_puts(out, s);
		return 0;
	}
	if (strcmp(enc, "hex") == 0)
		return hex_decode(out, s, strlen(s));
	return b64_decode(out, s, strlen(s));
}

/* The password's bytes as password.encoding says Auth0 hashed it. */
static void
transcode(struct jbuf *out, const char *pw, size_t n, const char *enc)
{
	const unsigned char *p = (const unsigned char *)pw;
	unsigned long c;
	size_t i = 0, k;
	char u[4];

	jb_reset(out);
	if (enc == NULL || strcmp(enc, "utf8") == 0 ||
	    strcmp(enc, "ascii") == 0) {
		jb_add(out, pw, n);
		return;
	}
	while (i < n) {
		c = p[i];
		k = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		if (k > 1)
			c &= 0x3f >> (k - 1);
		for (i++; --k > 0 && i < n; i++)
			c = c << 6 | (p[i] & 0x3f);
		if (strcmp(enc, "latin1") == 0 || strcmp(enc, "binary") == 0) {
			u[0] = (char)(c & 0xff);
			jb_add(out, u, 1);
			continue;
		}
		if (c >= 0x10000) {
			c -= 0x10000;
			u[0] = (char)((0xd800 | (c >> 10)) & 0xff);
			u[1] = (char)((0xd800 | (c >> 10)) >> 8);
			jb_add(out, u, 2);
			c = 0xdc00 | (c & 0x3ff);
		}
		u[0] = (char)(c & 0xff);
		u[1] = (char)(c >> 8);
		jb_add(out, u, 2);
	}
}

static int
same(const struct jbuf *a, const unsigned char *b, size_t n)
{
	return a->len == n && CRYPTO_memcmp(a->p, b, n) == 0;
}

/* digest(data) into md; its length, or 0 when the digest is unknown. */
static unsigned int
md(const char *name, const void *data, size_t n, unsigned char *out)
{
	EVP_MD *m = EVP_MD_fetch(NULL, name, NULL);
	unsigned int len = 0;

	if (m != NULL && EVP_Digest(data, n, out, &len, m, NULL) != 1)
		len = 0;
	EVP_MD_free(m);
	return len;
}

/* A number of PHC parameter text [s, e); -1 if it is not one. */
static long long
phc_num(const char *s, const char *e, long long max)
{
	char buf[24];
	const char *errstr;
	long long v;

	if (e - s <= 0 || e - s >= (long)sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	if (a0_parse_num(buf, 1, max, 0, &v, &errstr) == -1)
		return -1;
	return v;
}

/*
 * Split $pbkdf2-DIGEST$i=N,l=N$SALT$HASH: the digest's name into name,
 * *salt and *hash pointing at their fields (the salt ends at *hash - 1).
 * 0, or -1 if it is not that shape.
 */
static int
pbkdf2_phc(const char *v, char *name, size_t namesz, long long *iter,
    long long *l, const char **salt, const char **hash)
{
	const char *d, *c, *p;

	if (strncmp(v, "$pbkdf2-", 8) != 0 ||
	    (d = strchr(v + 8, '$')) == NULL || (size_t)(d - v - 8) >= namesz)
		return -1;
	memcpy(name, v + 8, (size_t)(d - v - 8));
	name[d - v - 8] = '\0';
	if (strncmp(d, "$i=", 3) != 0 || (c = strchr(d, ',')) == NULL ||
	    strncmp(c, ",l=", 3) != 0 || (p = strchr(c, '$')) == NULL ||
	    (*iter = phc_num(d + 3, c, 0x7fffffff)) == -1 ||
	    (*l = phc_num(c + 3, p, 4096)) == -1)
		return -1;
	*salt = p + 1;
	if ((*hash = strchr(*salt, '$')) == NULL)
		return -1;
	(*hash)++;
	return 0;
}

/* 1: the plaintext gives the hash; 0: it does not; -1: not computable. */
static int
verify(const struct vp *v, const char *pw, size_t pwn)
{
	struct jbuf in = { 0 }, salt = { 0 }, want = { 0 }, key = { 0 };
	unsigned char out[EVP_MAX_MD_SIZE + 1024], *dk = NULL;
	struct crypt_data *cd = NULL;
	const char *r, *dg;
	char name[32];
	long long iter, l;
	unsigned int n;
	int ok = -1;
	EVP_MD *m = NULL;

	transcode(&in, pw, pwn, v->pwenc);
	if (decode(&salt, v->salt, v->saltenc) == -1)
		goto done;
	if (v->salt != NULL && v->pos != NULL &&
	    strcmp(v->pos, "suffix") == 0) {
		jb_add(&in, salt.p, salt.len);
	} else if (v->salt != NULL && strcmp(v->alg, "scrypt") != 0) {
		jb_add(&salt, in.p, in.len);
		jb_reset(&in);
		jb_add(&in, salt.p, salt.len);
	}
	if (v->alg == NULL || v->value == NULL)
		goto done;
	if (strcmp(v->alg, "bcrypt") == 0) {
		cd = xcalloc(1, sizeof(*cd));
		r = crypt_rn(in.p ? in.p : "", v->value, cd, (int)sizeof(*cd));
		ok = r != NULL && strcmp(r, v->value) == 0;
	} else if (strcmp(v->alg, "argon2") == 0) {
		ok = crypto_pwhash_str_verify(v->value, in.p ? in.p : "",
		    in.len) == 0;
	} else if (strcmp(v->alg, "pbkdf2") == 0) {
		if (pbkdf2_phc(v->value, name, sizeof(name), &iter, &l, &dg,
		    &r) == -1)
			goto done;
		jb_reset(&salt);
		if (b64_decode(&salt, dg, (size_t)(r - dg - 1)) == -1 ||
		    b64_decode(&want, r, strlen(r)) == -1 ||
		    (m = EVP_MD_fetch(NULL, name, NULL)) == NULL)
			goto done;
		dk = xmalloc((size_t)l);
		if (PKCS5_PBKDF2_HMAC(in.p ? in.p : "", (int)in.len,
		    (unsigned char *)salt.p, (int)salt.len, (int)iter, m,
		    (int)l, dk) == 1)
			ok = same(&want, dk, (size_t)l);
	} else if (strcmp(v->alg, "scrypt") == 0) {
		if (v->keylen <= 0 || v->keylen > 4096 ||
		    decode(&want, v->value, v->enc) == -1)
			goto done;
		dk = xmalloc((size_t)v->keylen);
		if (EVP_PBE_scrypt(in.p ? in.p : "", in.len,
		    (unsigned char *)salt.p, salt.len,
		    (uint64_t)(v->cost ? v->cost : 16384),
		    (uint64_t)(v->blocksize ? v->blocksize : 8),
		    (uint64_t)(v->par ? v->par : 1), 1ULL << 30, dk,
		    (size_t)v->keylen) == 1)
			ok = same(&want, dk, (size_t)v->keylen);
	} else if (strcmp(v->alg, "hmac") == 0) {
		if (v->digest == NULL || decode(&key, v->key, v->keyenc) ==
		    -1 || decode(&want, v->value, v->enc) == -1 ||
		    (m = EVP_MD_fetch(NULL, v->digest, NULL)) == NULL)
			goto done;
		if (HMAC(m, key.p ? key.p : "", (int)key.len,
		    (unsigned char *)(in.p ? in.p : ""), in.len, out, &n) !=
		    NULL)
			ok = same(&want, out, n);
	} else if (strcmp(v->alg, "ldap") == 0) {
		/* {SCHEME}base64(digest || salt) */
		static const char *const sch[][2] = {
			{ "{MD5}", "md5" }, { "{SMD5}", "md5" },
			{ "{SHA}", "sha1" }, { "{SSHA}", "sha1" },
			{ "{SHA256}", "sha256" }, { "{SSHA256}", "sha256" },
			{ "{SHA384}", "sha384" }, { "{SSHA384}", "sha384" },
			{ "{SHA512}", "sha512" }, { "{SSHA512}", "sha512" }
		};
		size_t i, k;

		for (i = 0; i < sizeof(sch) / sizeof(sch[0]); i++)
			if (strncmp(v->value, sch[i][0],
			    strlen(sch[i][0])) == 0)
				break;
		if (i == sizeof(sch) / sizeof(sch[0]) || b64_decode(&want,
		    v->value + strlen(sch[i][0]), strlen(v->value +
		    strlen(sch[i][0]))) == -1 || (n = md(sch[i][1], "", 0,
		    out)) == 0 || want.len < n)
			goto done;
		k = n;
		jb_add(&in, want.p + k, want.len - k);
		n = md(sch[i][1], in.p, in.len, out);
		ok = n == k && CRYPTO_memcmp(out, want.p, k) == 0;
	} else {
		if (decode(&want, v->value, v->enc) == -1 ||
		    (n = md(v->alg, in.p ? in.p : "", in.len, out)) == 0)
			goto done;
		ok = same(&want, out, n);
	}
done:
	EVP_MD_free(m);
	if (in.p != NULL)
		OPENSSL_cleanse(in.p, in.len);
	jb_free(&in);
	jb_free(&salt);
	jb_free(&want);
	jb_free(&key);
	free(dk);
	free(cd);
	return ok;
}

/* The field most likely at fault: the one whose other value matches. */
static const char *
fault(struct vp *v, const char *pw, size_t n)
{
	static const char *const encs[] = { "utf8", "hex", "base64" };
	static const char *const pwencs[] = { "utf16le", "latin1" };
	char *save;
	size_t i;

	if (v->salt != NULL && strcmp(v->alg, "scrypt") != 0) {
		save = v->pos;
		v->pos = save != NULL && strcmp(save, "suffix") == 0 ?
		    "prefix" : "suffix";
		i = verify(v, pw, n) == 1;
		v->pos = save;
		if (i)
			return "custom_password_hash.salt.position";
	}
	if (v->salt != NULL) {
		save = v->saltenc;
		for (i = 0; i < 3; i++) {
			v->saltenc = (char *)encs[i];
			if (verify(v, pw, n) == 1) {
				v->saltenc = save;
				return "custom_password_hash.salt.encoding";
			}
		}
		v->saltenc = save;
	}
	save = v->pwenc;
	for (i = 0; i < 2; i++) {
		v->pwenc = (char *)pwencs[i];
		if (verify(v, pw, n) == 1) {
			v->pwenc = save;
			return "custom_password_hash.password.encoding";
		}
	}
	v->pwenc = save;
	return "custom_password_hash.hash.value";
}

void
check_record(struct check *ck, struct cstr email, const char *rec,
    size_t len, const char *reason)
{
	struct acct key = { NULL, NULL, 0, 0, 0 }, *a;
	struct vp v;
	char *e;
	int c, h, s, p, k, ok;
	size_t i;

	e = xmalloc(email.n + 1);
	for (i = 0; i < email.n; i++)
		e[i] = (char)tolower((unsigned char)email.p[i]);
	e[email.n] = '\0';
	key.email = e;
	a = ck->n ? bsearch(&key, ck->a, ck->n, sizeof(*ck->a), cmp_acct) :
	    NULL;
	free(e);
	if (a == NULL)
		return;
	a->seen = 1;
	if (reason != NULL) {
		warnx("%s:%lu: %s: no hash to check (%s): the user must "
		    "reset the password", ck->path, a->line, a->email, reason);
		ck->fail++;
		return;
	}
	memset(&v, 0, sizeof(v));
	if (json_parse(&ck->d, rec, len) <= 0 ||
	    (c = json_get(&ck->d, 0, "custom_password_hash")) < 0)
		errx(A0_EXIT_IO, "%s: a record without its hash", a->email);
	h = json_get(&ck->d, c, "hash");
	s = json_get(&ck->d, c, "salt");
	p = json_get(&ck->d, c, "password");
	k = h < 0 ? -1 : json_get(&ck->d, h, "key");
	v.alg = vstr(&ck->d, c, "algorithm");
	v.value = vstr(&ck->d, h, "value");
	v.enc = vstr(&ck->d, h, "encoding");
	v.digest = vstr(&ck->d, h, "digest");
	v.key = vstr(&ck->d, k, "value");
	v.keyenc = vstr(&ck->d, k, "encoding");
	v.salt = vstr(&ck->d, s, "value");
	v.saltenc = vstr(&ck->d, s, "encoding");
	v.pos = vstr(&ck->d, s, "position");
	v.pwenc = vstr(&ck->d, p, "encoding");
	v.keylen = vint(&ck->d, c, "keylen");
	v.cost = vint(&ck->d, c, "cost");
	v.blocksize = vint(&ck->d, c, "blockSize");
	v.par = vint(&ck->d, c, "parallelization");
	ok = verify(&v, a->pw, a->pwlen);
	if (ok == 1)
		warnx("%s:%lu: %s: ok", ck->path, a->line, a->email);
	else if (ok == 0)
		warnx("%s:%lu: %s: mismatch: %s", ck->path, a->line, a->email,
		    fault(&v, a->pw, a->pwlen));
	else
		warnx("%s:%lu: %s: cannot compute %s as Auth0 would: "
		    "custom_password_hash.hash.value", ck->path, a->line,
		    a->email, v.alg ? v.alg : "(no algorithm)");
	if (ok != 1)
		ck->fail++;
	free(v.alg);
	free(v.value);
	free(v.enc);
	free(v.digest);
	free(v.key);
	free(v.keyenc);
	free(v.salt);
	free(v.saltenc);
	free(v.pos);
	free(v.pwenc);
}

unsigned long
check_close(struct check *ck)
{
	unsigned long fail;
	size_t i;

	for (i = 0; i < ck->n; i++)
		if (!ck->a[i].seen) {
			warnx("%s:%lu: %s: not in the input", ck->path,
			    ck->a[i].line, ck->a[i].email);
			ck->fail++;
		}
	fail = ck->fail;
	OPENSSL_cleanse(ck->buf, ck->len);
	json_free(&ck->d);
	if (ck->legacy != NULL)
		OSSL_PROVIDER_unload(ck->legacy);
	if (ck->deflt != NULL)
		OSSL_PROVIDER_unload(ck->deflt);
	free(ck->buf);
	free(ck->a);
	free(ck);
	return fail;
}
