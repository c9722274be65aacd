/*
 * schema.c: Auth0's user import schema (user-import-schema.json) and the
 * rules its documentation leaves in prose, checked on one tokenized
 * record.  Every problem is handed to the caller with a JSON Pointer, an
 * Auth0 error code where Auth0 has one (else a code of ours in the same
 * style) and a message.  The walk is iterative and linear in the number
 * of tokens; scratch space is kept between records.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "a0.h"

/* One key in the duplicate-key table. */
struct kslot {
	int		 key;	/* key token */
	uint32_t	 hash;
	uint32_t	 gen;	/* empty unless the current generation */
};

enum { P_EMAIL, P_EMAIL_VERIFIED, P_PHONE_NUMBER, P_PHONE_VERIFIED,
	P_USER_ID, P_USERNAME, P_GIVEN_NAME, P_FAMILY_NAME, P_NAME,
	P_NICKNAME, P_PICTURE, P_BLOCKED, P_PASSWORD_HASH,
	P_CUSTOM_PASSWORD_HASH, P_APP_METADATA, P_USER_METADATA,
	P_MFA_FACTORS, P_N };

struct schema {
	const struct jdoc	*d;
	const struct jtok	*tok;	/* d->tok */
	int			 cap;	/* of kp, kn, kbad */
	struct kslot		*kt;
	size_t			 ktsize;
	uint32_t		 ktgen;	/* the record's generation */
	char			*ubuf[2];	/* unescaped strings */
	size_t			 ubufsz;
	const char		**kp;	/* each key, unescaped */
	size_t			*kn;
	unsigned char		*kbad;	/* a key holding '.' or '$' */
	char			*arena;	/* where escaped keys are unescaped */
	size_t			 arenasz, arenaused;
	char			*ptr;		/* pointer being reported */
	size_t			 ptrsz, ptrlen;
	int			*chain;
	int			 chaincap;
	size_t			 compact;	/* record size without blanks */
	int			 errors;
	int			 top[P_N];	/* the record's members */
	int			 begun;	/* schema_begin left the rest */
	void			(*report)(void *, const struct schema_diag *);
	void			*arg;
};

enum want { W_STRING, W_BOOL, W_OBJECT, W_ARRAY, W_INTEGER };

/* A member name the schema knows, with its length. */
struct name {
	const char	*s;
	size_t		 n;
};
#define NAME(x)		{ x, sizeof(x) - 1 }
static const char *const want_name[] = {
	"string", "boolean", "object", "array", "integer"
};

/* Classes of bytes, for the loops over every byte of a value. */
enum {
	CC_LOCAL = 1,		/* in an email's local part, but '.' */
	CC_LETTER = 2,		/* ASCII letters, and every byte >= 0x80 */
	CC_DIGIT_HYPHEN = 4,
	CC_BCRYPT = 8		/* [./A-Za-z0-9] */
};
static unsigned char cclass[256];

static void
cclass_init(void)
{
	const char *p;
	int c;

	for (c = 0; c < 256; c++) {
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			cclass[c] |= CC_BCRYPT;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c >= 0x80)
			cclass[c] |= CC_LETTER | CC_LOCAL;
		if (c >= '0' && c <= '9')
			cclass[c] |= CC_DIGIT_HYPHEN | CC_LOCAL | CC_BCRYPT;
	}
	cclass['-'] |= CC_DIGIT_HYPHEN;
	cclass['.'] |= CC_BCRYPT;
	cclass['/'] |= CC_BCRYPT;
	for (p = "!#$%&'*+-/=?^_`{|}~"; *p != '\0'; p++)
		cclass[(unsigned char)*p] |= CC_LOCAL;
}

struct schema *
schema_new(void)
{
	struct schema *s;

	s = xcalloc(1, sizeof(*s));
	if (cclass['a'] == 0)
		cclass_init();
	return s;
}

void
schema_free(struct schema *s)
{
	if (s == NULL)
		return;
	free(s->kbad);
	free(s->kt);
	free(s->ubuf[0]);
	free(s->ubuf[1]);
	free(s->kp);
	free(s->kn);
	free(s->arena);
	free(s->ptr);
	free(s->chain);
	free(s);
}

/* ---- token helpers ---- */

static const struct jtok *
T(const struct schema *s, int i)
{
	return &s->tok[i];
}

/*
 * The token token i belongs to: a key's object, a value's key, an item's
 * array; -1 for the root.  The tokenizer's parent links are exactly that.
 */
static int
up(const struct schema *s, int i)
{
	return s->tok[i].parent;
}

/* The token after container token i and all it contains (binary search
 * on the start offsets, which increase in document order). */
static int
skip_container(const struct schema *s, int i)
{
	const struct jtok *t = T(s, i);
	int lo, hi, mid;

	lo = i + 1;
	hi = s->d->ntok;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (T(s, mid)->start < t->end)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The token after token i and all it contains. */
static inline int
skip(const struct schema *s, int i)
{
	const struct jtok *t = T(s, i);

	if (t->type == JT_STRING || t->type == JT_PRIMITIVE || t->size == 0)
		return i + 1;
	return skip_container(s, i);
}

static int
is_key(const struct schema *s, int i)
{
	return i > 0 && T(s, i)->type == JT_STRING && up(s, i) >= 0 &&
	    T(s, up(s, i))->type == JT_OBJECT;
}

/* Might string token i hold an escape?  The tokenizer may know. */
static int
escaped(const struct schema *s, int i, const char *p, size_t n)
{
	if (i < s->d->escn)
		return s->d->esc[i];
	return memchr(p, '\\', n) != NULL;
}

/* Unescaped bytes of string token i in scratch slot 'slot'. */
static const char *
str(struct schema *s, int i, int slot, size_t *len)
{
	const struct jtok *t = T(s, i);
	const char *p = s->d->text + t->start;
	size_t n = (size_t)(t->end - t->start);
	int r;

	if (!escaped(s, i, p, n)) {
		*len = n;
		return p;
	}
	if ((r = json_unescape(s->d, i, s->ubuf[slot], s->ubufsz)) < 0) {
		/* A lone surrogate escape: compare the bytes as written. */
		*len = n;
		return p;
	}
	*len = (size_t)r;
	return s->ubuf[slot];
}

const char *
schema_str(struct schema *s, const struct jdoc *d, int i, size_t *len)
{
	s->d = d;
	s->tok = d->tok;
	return str(s, i, 0, len);
}

/* Is c a byte of set (never NUL)? */
static int
inset(const char *set, int c)
{
	return c != 0 && strchr(set, c) != NULL;
}

/* Unescape key k once, into the arena; kept for the whole record. */
static void
key_cache(struct schema *s, int k)
{
	const struct jtok *t = T(s, k);
	const char *p = s->d->text + t->start;
	size_t n = (size_t)(t->end - t->start);
	int r;

	s->kp[k] = p;
	s->kn[k] = n;
	if (!escaped(s, k, p, n))
		return;
	r = json_unescape(s->d, k, s->arena + s->arenaused, n + 1);
	if (r < 0)
		return;		/* a lone surrogate: the bytes as written */
	s->kp[k] = s->arena + s->arenaused;
	s->kn[k] = (size_t)r;
	s->arenaused += (size_t)r + 1;
}

/* The unescaped bytes of key token k (cached by the first pass). */
static const char *
key(const struct schema *s, int k, size_t *len)
{
	*len = s->kn[k];
	return s->kp[k];
}

/*
 * Is number token i an integer as Auth0 reads it: a finite double with
 * no fraction (JavaScript's JSON.parse, then z-schema's n % 1 === 0), so
 * that 32.0 and 1e4 are integers and 1e400 is not?  Its value, clamped
 * to the range of long long, in *n when n is not NULL.  Inside the text a
 * number is followed by a byte that is no part of one, so strtod stops
 * at its end; a number that ends the text is copied first.
 */
static int
integral(const struct schema *s, int i, long long *n)
{
	const struct jtok *t = T(s, i);
	const char *p = s->d->text + t->start;
	size_t len = (size_t)(t->end - t->start);
	char *end, *copy;
	double x;

	if ((size_t)t->end < s->d->len) {
		x = strtod(p, &end);
		len = (size_t)(end - p);
	} else {			/* the number ends the text */
		copy = xmalloc(len + 1);
		memcpy(copy, p, len);
		copy[len] = '\0';
		x = strtod(copy, &end);
		len = (size_t)(end - copy);
		free(copy);
	}
	if (len != (size_t)(t->end - t->start) || x - x != 0) /* inf, nan */
		return 0;
	/* From 2^53 on every double is an integer. */
	if (x > -9007199254740992.0 && x < 9007199254740992.0 &&
	    x != (double)(long long)x)
		return 0;
	if (n != NULL)
		*n = x >= 9223372036854775807.0 ? LLONG_MAX :
		    x <= -9223372036854775808.0 ? LLONG_MIN : (long long)x;
	return 1;
}

/* JSON type of token i, as JSON Schema names it. */
static const char *
type_name(const struct schema *s, int i)
{
	const struct jtok *t = T(s, i);
	const char *p = s->d->text + t->start;
	int k;

	switch (t->type) {
	case JT_OBJECT:
		return "object";
	case JT_ARRAY:
		return "array";
	case JT_STRING:
		return "string";
	default:
		break;
	}
	if (*p == 't' || *p == 'f')
		return "boolean";
	if (*p == 'n')
		return "null";
	for (k = t->start; k < t->end; k++)
		if (s->d->text[k] == '.' || s->d->text[k] == 'e' ||
		    s->d->text[k] == 'E')
			return integral(s, i, NULL) ? "integer" : "number";
	return "integer";
}

/* ---- reporting ---- */

static void
ptr_add(struct schema *s, const char *p, size_t n)
{
	if (s->ptrlen + n + 1 > s->ptrsz) {
		s->ptrsz = (s->ptrlen + n + 1) * 2;
		s->ptr = xrealloc(s->ptr, s->ptrsz);
	}
	memcpy(s->ptr + s->ptrlen, p, n);
	s->ptrlen += n;
	s->ptr[s->ptrlen] = '\0';
}

/* Append "/" and a reference token, escaping ~ and / (RFC 6901). */
static void
ptr_seg(struct schema *s, const char *p, size_t n)
{
	size_t i, start = 0;

	ptr_add(s, "/", 1);
	for (i = 0; i < n; i++) {
		if (p[i] != '~' && p[i] != '/')
			continue;
		ptr_add(s, p + start, i - start);
		ptr_add(s, p[i] == '~' ? "~0" : "~1", 2);
		start = i + 1;
	}
	ptr_add(s, p + start, n - start);
}

/* Build the pointer of value token v, then "/extra" if extra. */
static void
ptr_build(struct schema *s, int v, const char *extra)
{
	int n = 0, x, p, j, idx;
	char num[24];
	const char *kp;
	size_t kn;

	for (x = v; x > 0; ) {
		if (n == s->chaincap) {
			s->chaincap = s->chaincap ? s->chaincap * 2 : 64;
			s->chain = xrealloc(s->chain,
			    sizeof(*s->chain) * (size_t)s->chaincap);
		}
		s->chain[n++] = x;
		p = up(s, x);
		x = T(s, p)->type == JT_STRING ? up(s, p) : p;
	}
	s->ptrlen = 0;
	ptr_add(s, "", 0);
	while (n-- > 0) {
		x = s->chain[n];
		p = up(s, x);
		if (T(s, p)->type == JT_STRING) {
			kp = key(s, p, &kn);
			ptr_seg(s, kp, kn);
		} else {
			for (j = p + 1, idx = 0; j < x; j = skip(s, j))
				idx++;
			snprintf(num, sizeof(num), "%d", idx);
			ptr_seg(s, num, strlen(num));
		}
	}
	if (extra != NULL)
		ptr_seg(s, extra, strlen(extra));
}

static void
diag(struct schema *s, int v, const char *extra, int warning,
    const char *code, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Report a problem at value token v (and member extra, if not NULL). */
static void
diag(struct schema *s, int v, const char *extra, int warning,
    const char *code, const char *fmt, ...)
{
	struct schema_diag dg;
	char msg[256];
	va_list ap;

	ptr_build(s, v, extra);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dg.ptr = s->ptr;
	dg.ptrlen = s->ptrlen;
	dg.code = code;
	dg.msg = msg;
	dg.warning = warning;
	if (!warning)
		s->errors++;
	if (s->report != NULL)
		s->report(s->arg, &dg);
}

#define ERR(s, v, x, code, ...)		diag(s, v, x, 0, code, __VA_ARGS__)
#define WARN(s, v, x, code, ...)	diag(s, v, x, 1, code, __VA_ARGS__)

/* ---- first pass: structure, duplicate keys, size ---- */

static void
grow_scratch(struct schema *s, const struct jdoc *d)
{
	size_t need, i;

	if (d->ntok > s->cap) {
		s->cap = d->ntok;
		s->kbad = xrealloc(s->kbad, (size_t)s->cap);
		s->kp = xrealloc(s->kp, sizeof(*s->kp) * (size_t)s->cap);
		s->kn = xrealloc(s->kn, sizeof(*s->kn) * (size_t)s->cap);
	}
	need = d->len + (size_t)d->ntok + 1;
	if (need > s->arenasz) {
		s->arenasz = need < 4096 ? 4096 : need;
		s->arena = xrealloc(s->arena, s->arenasz);
	}
	s->arenaused = 0;
	need = d->len + 1;
	if (need > s->ubufsz) {
		s->ubufsz = need < 4096 ? 4096 : need;
		for (i = 0; i < 2; i++)
			s->ubuf[i] = xrealloc(s->ubuf[i], s->ubufsz);
	}
	for (need = 16; need < (size_t)d->ntok; need *= 2)
		;
	if (need > s->ktsize) {
		s->ktsize = need;
		free(s->kt);
		s->kt = xcalloc(s->ktsize, sizeof(*s->kt));
		s->ktgen = 0;
	}
}

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
/*
 * Non-zero when word w may hold '.' or '$': with 0x0A or-ed in, those
 * two, '&' and ',' alone become '.'; and x has a zero byte exactly when
 * (x - ONES) & ~x & HIGHS is not 0.
 */
static uint64_t
maybe_dot_dollar(uint64_t w)
{
	uint64_t x = (w | ONES * 0x0A) ^ ONES * '.';

	return (x - ONES) & ~x & HIGHS;
}

/*
 * Hash of key p[0..n) in object obj, every byte counted, eight at a
 * time: a key of up to 8 bytes is one or two loads (overlapping when
 * shorter than 8), not a loop.  *bad set when the key holds '.' or '$'
 * (what metadata keys must not), looked for in the same words.
 */
static uint32_t
khash(const char *p, size_t n, int obj, unsigned char *bad)
{
	const uint64_t m = 0x9E3779B97F4A7C15ULL;
	uint64_t h = (uint64_t)n * 0xC2B2AE3D27D4EB4FULL ^ (uint32_t)obj, w;
	uint64_t seen = 0;
	uint32_t a, b;
	const char *key = p;
	size_t len = n;

	for (; n > 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		seen |= maybe_dot_dollar(w);
		h = (h ^ w) * m;
		h ^= h >> 29;
	}
	if (n >= 4) {
		memcpy(&a, p, 4);
		memcpy(&b, p + n - 4, 4);
		w = (uint64_t)a << 32 | b;
	} else if (n > 0)	/* the high bytes, 0, are neither */
		w = (uint64_t)(unsigned char)p[0] << 16 |
		    (uint64_t)(unsigned char)p[n / 2] << 8 |
		    (unsigned char)p[n - 1];
	else
		w = 0;
	seen |= maybe_dot_dollar(w);
	*bad = seen != 0 && (memchr(key, '.', len) != NULL ||
	    memchr(key, '$', len) != NULL);
	h = (h ^ w) * m;
	return (uint32_t)(h ^ h >> 32);
}

/* Is key k a key already given in its object?  Then report it. */
static void
key_once(struct schema *s, int k, int obj, size_t mask)
{
	const char *p, *q;
	size_t n, m, i;
	uint32_t h;
	int o;

	key_cache(s, k);
	p = key(s, k, &n);
	h = khash(p, n, obj, &s->kbad[k]);
	for (i = h & mask; s->kt[i].gen == s->ktgen; i = (i + 1) & mask) {
		o = s->kt[i].key;
		if (s->kt[i].hash != h || up(s, o) != obj)
			continue;
		q = key(s, o, &m);
		if (m == n && memcmp(p, q, n) == 0) {
			ERR(s, k + 1, NULL, "DUPLICATE_KEY",
			    "key given twice in one object");
			return;
		}
	}
	s->kt[i].key = k;
	s->kt[i].hash = h;
	s->kt[i].gen = s->ktgen;
}

/*
 * Find keys given twice in one object, note keys holding '.' or '$', and
 * measure the record without blanks (the tokenizer may know already).
 */
static void
pass1(struct schema *s)
{
	const struct jdoc *d = s->d;
	const struct jtok *tok = d->tok, *t;
	size_t mask = s->ktsize - 1, compact = 0;
	int k, o, n = d->ntok;

	/* A new generation empties the key table. */
	if (++s->ktgen == 0) {
		memset(s->kt, 0, sizeof(*s->kt) * s->ktsize);
		s->ktgen = 1;
	}
	memset(s->kbad, 0, (size_t)n);
	for (k = 0; k < n; k++) {
		if (tok[k].type == JT_STRING && (o = tok[k].parent) >= 0 &&
		    tok[o].type == JT_OBJECT)
			key_once(s, k, o, mask);
	}
	if (d->compact != 0) {
		s->compact = d->compact;
		return;
	}
	for (k = 0; k < n; k++) {
		t = &tok[k];
		switch (t->type) {
		case JT_OBJECT:
			compact += 2 + (size_t)t->size * 2 - (t->size > 0);
			break;
		case JT_ARRAY:
			compact += 2 + (size_t)t->size - (t->size > 0);
			break;
		case JT_STRING:
			compact += (size_t)(t->end - t->start) + 2;
			break;
		default:
			compact += (size_t)(t->end - t->start);
			break;
		}
	}
	s->compact = compact;
}

/* ---- generic checks ---- */

/* Is value v of the wanted type?  Else report INVALID_TYPE. */
static int
want_type(struct schema *s, int v, enum want w)
{
	const struct jtok *t = T(s, v);
	char c;
	int okay;

	switch (w) {
	case W_STRING:
		okay = t->type == JT_STRING;
		break;
	case W_OBJECT:
		okay = t->type == JT_OBJECT;
		break;
	case W_ARRAY:
		okay = t->type == JT_ARRAY;
		break;
	case W_BOOL:
		c = s->d->text[t->start];
		okay = t->type != JT_OBJECT && t->type != JT_ARRAY &&
		    t->type != JT_STRING && (c == 't' || c == 'f');
		break;
	default:
		okay = strcmp(type_name(s, v), "integer") == 0;
		break;
	}
	if (!okay)
		ERR(s, v, NULL, "INVALID_TYPE",
		    "expected type %s but found type %s", want_name[w],
		    type_name(s, v));
	return okay;
}

/* want_type(), with the usual answer found without a call. */
static inline int
want(struct schema *s, int v, enum want w)
{
	enum jtype ty = T(s, v)->type;

	if ((w == W_STRING && ty == JT_STRING) ||
	    (w == W_OBJECT && ty == JT_OBJECT) ||
	    (w == W_ARRAY && ty == JT_ARRAY))
		return 1;
	return want_type(s, v, w);
}

/* one_of() and members() over a whole array. */
#define ONE_OF(s, v, list)	one_of((s), (v), (list), (int)nitems(list))
#define MEMBERS(s, o, names, v, req) \
	members((s), (o), (names), (int)nitems(names), (v), (req))

/*
 * Is string value v one of the n values in list?  Returns its index, or
 * -1 after reporting ENUM_MISMATCH (or INVALID_TYPE).
 */
static int
one_of(struct schema *s, int v, const char *const *list, int n)
{
	char msg[200];
	size_t len, used = 0;
	const char *p;
	int i;

	if (!want(s, v, W_STRING))
		return -1;
	p = str(s, v, 0, &len);
	for (i = 0; i < n; i++)
		if (strlen(list[i]) == len && memcmp(list[i], p, len) == 0)
			return i;
	msg[0] = '\0';
	for (i = 0; i < n && used < sizeof(msg); i++)
		used += (size_t)snprintf(msg + used, sizeof(msg) - used,
		    "%s%s", i ? ", " : "", list[i]);
	ERR(s, v, NULL, "ENUM_MISMATCH", "must be one of %s", msg);
	return -1;
}

/*
 * Are a[0..n) and b[0..n) the same?  memcmp, for the short keys of a
 * record: eight bytes at a time, the last load overlapping the one
 * before it, and no call.
 */
static int
same(const char *a, const char *b, size_t n)
{
	uint64_t x, y;
	uint32_t u, v, w, z;

	if (n >= 8) {
		for (; n > 8; a += 8, b += 8, n -= 8) {
			memcpy(&x, a, 8);
			memcpy(&y, b, 8);
			if (x != y)
				return 0;
		}
		memcpy(&x, a + n - 8, 8);
		memcpy(&y, b + n - 8, 8);
		return x == y;
	}
	if (n >= 4) {
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		memcpy(&w, a + n - 4, 4);
		memcpy(&z, b + n - 4, 4);
		return u == v && w == z;
	}
	for (; n > 0; a++, b++, n--)
		if (*a != *b)
			return 0;
	return 1;
}

/*
 * Walk the members of object o: the value of each key named in names is
 * stored in vals (first occurrence; -1 when absent).  Other keys are
 * OBJECT_ADDITIONAL_PROPERTIES when strict, else warnings.  Keys mostly
 * come in the schema's order, so each search starts after the name the
 * last key matched: names are distinct, a key matches at most one.
 */
static void
members(struct schema *s, int o, const struct name *names, int n,
    int *vals, int strict)
{
	const char *p;
	size_t len;
	int i, j, c, k, m;

	for (i = 0; i < n; i++)
		vals[i] = -1;
	for (k = o + 1, m = 0, j = 0; m < T(s, o)->size;
	    m++, k = skip(s, k + 1)) {
		p = key(s, k, &len);
		for (c = 0, i = j; c < n; c++, i = i + 1 < n ? i + 1 : 0)
			if (names[i].n == len && names[i].s[0] == p[0] &&
			    same(names[i].s, p, len))
				break;
		if (c < n) {
			j = i + 1 < n ? i + 1 : 0;
			if (vals[i] < 0)
				vals[i] = k + 1;
		} else if (strict)
			ERR(s, k + 1, NULL, "OBJECT_ADDITIONAL_PROPERTIES",
			    "property not allowed here");
		else
			WARN(s, k + 1, NULL, "UNKNOWN_PROPERTY",
			    "not part of Auth0's schema; ignored by Auth0");
	}
}

/* How many bytes of word w have their high bit set (w & HIGHS == w). */
#define HIGHCOUNT(w)	((size_t)((((w) >> 7) * ONES) >> 56))

/*
 * Length of UTF-8 bytes in UTF-16 code units, as JavaScript counts:
 * every byte but continuation bytes (10xxxxxx), and one more for a
 * four-byte sequence's lead (11110xxx); eight bytes at a time.
 */
static size_t
ulen(const char *p, size_t n)
{
	size_t i = 0, c = n;
	uint64_t w;
	unsigned char b;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		c -= HIGHCOUNT(w & ~(w << 1) & HIGHS);
		c += HIGHCOUNT(w & w << 1 & w << 2 & w << 3 & HIGHS);
	}
	for (; i < n; i++) {
		b = (unsigned char)p[i];
		c -= (b & 0xC0) == 0x80;
		c += b >= 0xF0;
	}
	return c;
}

/* ulen() of string token v unescaped, without unescaping it. */
static size_t
u16len(struct schema *s, int v)
{
	const struct jtok *t = T(s, v);
	const char *p = s->d->text + t->start;
	size_t n = (size_t)(t->end - t->start);
	long c;

	if (escaped(s, v, p, n)) {
		if ((c = json_u16len(s->d, v)) >= 0)
			return (size_t)c;
		p = str(s, v, 0, &n);	/* the bytes as written */
	}
	return ulen(p, n);
}

/*
 * Length rules: an error outside [1, hard], a warning above soft (a
 * limit another Auth0 source gives), 0 for none.
 */
static void
length(struct schema *s, int v, size_t soft, size_t hard)
{
	size_t c = u16len(s, v);

	if (c == 0)
		ERR(s, v, NULL, "MIN_LENGTH", "must not be empty");
	else if (c > hard)
		ERR(s, v, NULL, "MAX_LENGTH",
		    "%zu characters, more than %zu", c, hard);
	else if (soft && c > soft)
		WARN(s, v, NULL, "MAX_LENGTH", "%zu characters, more than "
		    "%zu (one Auth0 source allows %zu)", c, soft, hard);
}

static int
isalnum_ascii(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/*
 * An email address as Auth0 validates it: a dot-atom local part of at
 * most 64 bytes, '@', a domain of letter-digit-hyphen labels (UTF-8
 * allowed) whose last label is alphabetic, at most 254 bytes in all.
 * Returns NULL or what is wrong; *toolong set for length problems.
 */
static const char *
email_bad(const char *p, size_t n, int *toolong)
{
	const char *at, *lab, *end = p + n, *q;
	size_t llen;
	unsigned char c;
	int labels = 0, alpha;

	*toolong = 0;
	if ((at = memchr(p, '@', n)) == NULL)
		return "no '@'";
	if (memchr(at + 1, '@', (size_t)(end - at - 1)) != NULL)
		return "more than one '@'";
	if (at == p)
		return "empty local part";
	if (at - p > 64) {
		*toolong = 1;
		return "local part longer than 64 bytes";
	}
	if (n > 254) {
		*toolong = 1;
		return "longer than 254 bytes";
	}
	for (q = p; q < at; q++) {
		c = (unsigned char)*q;
		if (c == '.') {
			if (q == p || q + 1 == at || q[1] == '.')
				return "misplaced '.' in the local part";
		} else if (!(cclass[c] & CC_LOCAL))
			return "character not allowed in the local part";
	}
	for (lab = at + 1; ; lab = q + 1) {
		alpha = 1;
		for (q = lab; q < end && *q != '.'; q++) {
			c = cclass[(unsigned char)*q];
			if (c & CC_DIGIT_HYPHEN)
				alpha = 0;
			else if (!(c & CC_LETTER))
				return "character not allowed in the domain";
		}
		llen = (size_t)(q - lab);
		if (llen == 0)
			return "empty domain label";
		if (llen > 63)
			return "domain label longer than 63 bytes";
		if (*lab == '-' || q[-1] == '-')
			return "domain label starts or ends with '-'";
		labels++;
		if (q == end)
			break;
	}
	if (labels < 2)
		return "domain has no top-level domain";
	if (!alpha && !(llen > 4 && memcmp(lab, "xn--", 4) == 0))
		return "top-level domain is not alphabetic";
	if (llen < 2)
		return "top-level domain shorter than 2 characters";
	return NULL;
}

/* The format of string value v, an email address. */
static void
email_format(struct schema *s, int v)
{
	const char *p, *why;
	size_t n;
	int toolong;

	p = str(s, v, 0, &n);
	if ((why = email_bad(p, n, &toolong)) == NULL)
		return;
	if (toolong)
		ERR(s, v, NULL, "MAX_LENGTH", "email address %s", why);
	else
		ERR(s, v, NULL, "FORMAT", "not a valid email address: %s",
		    why);
}

static void
email(struct schema *s, int v)
{
	if (want(s, v, W_STRING))
		email_format(s, v);
}

/* ^\+[0-9]{1,15}$ */
static int
e164(const char *p, size_t n)
{
	size_t i;

	if (n < 2 || n > 16 || p[0] != '+')
		return 0;
	for (i = 1; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

/* ^[A-Z2-7]+$ */
static int
base32(const char *p, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!((p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= '2' && p[i] <= '7')))
			return 0;
	return 1;
}

/* ---- encodings and hash shapes ---- */

enum { ENC_BASE64, ENC_HEX, ENC_UTF8 };
static const char *const encodings[] = { "base64", "hex", "utf8" };

static int
b64char(int c, int urlsafe_ok)
{
	return isalnum_ascii(c) || c == '+' || c == '/' ||
	    (urlsafe_ok && (c == '-' || c == '_'));
}

/* Bytes that base64 text decodes to (standard or URL-safe, padding
 * optional), or -1. */
static long
b64len(const char *p, size_t n, int urlsafe_ok, int pad_ok)
{
	size_t i, pad = 0;

	while (pad < n && p[n - 1 - pad] == '=')
		pad++;
	if (pad > 2 || (pad && (!pad_ok || n % 4 != 0)))
		return -1;
	n -= pad;
	for (i = 0; i < n; i++)
		if (!b64char((unsigned char)p[i], urlsafe_ok))
			return -1;
	if (n % 4 == 1)
		return -1;
	return (long)(n / 4 * 3 + (n % 4 == 2 ? 1 : n % 4 == 3 ? 2 : 0));
}

static long
hexlen(const char *p, size_t n)
{
	size_t i;

	if (n % 2)
		return -1;
	for (i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		    (p[i] >= 'a' && p[i] <= 'f') ||
		    (p[i] >= 'A' && p[i] <= 'F')))
			return -1;
	return (long)(n / 2);
}

/* Decoded length of string v in encoding enc (-1: not valid). */
static long
declen(struct schema *s, int v, int enc)
{
	size_t n;
	const char *p = str(s, v, 0, &n);

	if (enc == ENC_HEX)
		return hexlen(p, n);
	if (enc == ENC_BASE64)
		return b64len(p, n, 1, 1);
	return (long)n;
}

/* A positive decimal number, the whole of p[0..n). */
static int
decimal(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > 10 || (p[0] == '0' && n > 1))
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return p[0] != '0';
}

/* bcrypt: $2a$/$2b$/$2y$, cost 04-31, 53 characters of [./A-Za-z0-9].
 * Returns NULL or what is wrong; *cost set. */
static const char *
bcrypt_bad(const char *p, size_t n, int *cost)
{
	size_t i;
	unsigned all;

	*cost = -1;
	if (n < 4 || p[0] != '$' || p[1] != '2')
		return "not a bcrypt hash (no $2a$, $2b$ or $2y$ prefix)";
	if (p[2] == '$' || p[2] == 'x')
		return "bcrypt $2$ and $2x$ hashes are not supported";
	if ((p[2] != 'a' && p[2] != 'b' && p[2] != 'y') || p[3] != '$')
		return "not a bcrypt hash (no $2a$, $2b$ or $2y$ prefix)";
	if (n != 60)
		return "bcrypt hashes are 60 characters";
	if (p[4] < '0' || p[4] > '9' || p[5] < '0' || p[5] > '9' ||
	    p[6] != '$')
		return "bcrypt cost is two digits then '$'";
	*cost = (p[4] - '0') * 10 + (p[5] - '0');
	if (*cost < 4 || *cost > 31)
		return "bcrypt cost must be 04 to 31";
	for (i = 7, all = CC_BCRYPT; i + 4 <= n; i += 4)
		all &= cclass[(unsigned char)p[i]] &
		    cclass[(unsigned char)p[i + 1]] &
		    cclass[(unsigned char)p[i + 2]] &
		    cclass[(unsigned char)p[i + 3]];
	for (; i < n; i++)
		all &= cclass[(unsigned char)p[i]];
	if (!(all & CC_BCRYPT))
		return "bcrypt salt and hash use only [./A-Za-z0-9]";
	return NULL;
}

/* password_hash: bcrypt as for custom_password_hash, but $2a$ or $2b$
 * only, as the schema says ($2y$ only in custom_password_hash). */
static const char *
password_hash_bad(const char *p, size_t n, int *cost)
{
	const char *why = bcrypt_bad(p, n, cost);

	if (why == NULL && p[2] == 'y') {
		*cost = -1;
		return "password_hash takes $2a$ or $2b$ only; give a $2y$ "
		    "hash as custom_password_hash";
	}
	return why;
}

/* Next '$'-separated field of [*pp, end); NULL when none is left. */
static const char *
field(const char **pp, const char *end, size_t *n)
{
	const char *p = *pp, *q;

	if (p == NULL)
		return NULL;
	q = memchr(p, '$', (size_t)(end - p));
	*n = (size_t)((q != NULL ? q : end) - p);
	*pp = q != NULL ? q + 1 : NULL;
	return p;
}

/* "k=N" with N decimal: returns 1 and *v. */
static int
param(const char *p, size_t n, char k, long *v)
{
	if (n < 3 || p[0] != k || p[1] != '=' || !decimal(p + 2, n - 2))
		return 0;
	*v = strtol(p + 2, NULL, 10);
	return 1;
}

/* $argon2id$v=19$m=65536,t=2,p=1$<b64 salt>$<b64 hash> (libsodium). */
static const char *
argon2_bad(const char *p, size_t n)
{
	const char *end = p + n, *f, *c, *q;
	size_t len;
	long v;

	if (n == 0 || *p != '$')
		return "not a PHC string ($argon2id$v=19$m=..,t=..,p=..$salt$"
		    "hash)";
	q = p + 1;
	f = field(&q, end, &len);
	if (f == NULL || !((len == 8 && memcmp(f, "argon2id", 8) == 0) ||
	    (len == 7 && memcmp(f, "argon2i", 7) == 0)))
		return "not argon2id or argon2i";
	f = field(&q, end, &len);
	if (f != NULL && len > 2 && f[0] == 'v' && f[1] == '=') {
		if (!param(f, len, 'v', &v) || v != 19)
			return "argon2 version must be v=19";
		f = field(&q, end, &len);
	}
	if (f == NULL || (c = memchr(f, ',', len)) == NULL ||
	    !param(f, (size_t)(c - f), 'm', &v))
		return "argon2 parameters must be m=N,t=N,p=N";
	len -= (size_t)(c + 1 - f);
	f = c + 1;
	if ((c = memchr(f, ',', len)) == NULL ||
	    !param(f, (size_t)(c - f), 't', &v) ||
	    !param(c + 1, len - (size_t)(c + 1 - f), 'p', &v))
		return "argon2 parameters must be m=N,t=N,p=N";
	f = field(&q, end, &len);
	if (f == NULL || len == 0 || b64len(f, len, 0, 0) < 0)
		return "argon2 salt must be unpadded base64";
	f = field(&q, end, &len);
	if (f == NULL || len == 0 || b64len(f, len, 0, 0) < 0 || q != NULL)
		return "argon2 hash must be unpadded base64, and last";
	return NULL;
}

/* The 33 digests Auth0's import schema page lists for pbkdf2, exactly. */
static const char *const pbkdf2_digests[] = {
	"RSA-MD4", "RSA-MD5", "RSA-MDC2", "RSA-RIPEMD160", "RSA-SHA1",
	"RSA-SHA1-2", "RSA-SHA224", "RSA-SHA256", "RSA-SHA384", "RSA-SHA512",
	"md4", "md4WithRSAEncryption", "md5", "md5WithRSAEncryption", "mdc2",
	"mdc2WithRSA", "ripemd", "ripemd160", "ripemd160WithRSA", "rmd160",
	"sha1", "sha1WithRSAEncryption", "sha224", "sha224WithRSAEncryption",
	"sha256", "sha256WithRSAEncryption", "sha384",
	"sha384WithRSAEncryption", "sha512", "sha512WithRSAEncryption",
	"ssl3-md5", "ssl3-sha1", "whirlpool", NULL
};

/* $pbkdf2-<digest>$i=<iter>,l=<keylen>$<B64 salt>$<B64 hash>; the
 * parameters may be left out (i=100000, l=64).  *unknown set for a
 * digest Auth0 does not list. */
static const char *
pbkdf2_bad(const char *p, size_t n, int *unknown)
{
	const char *end = p + n, *f, *q, *c, *salt, *hash;
	size_t len, i, slen, hlen;
	long iter, l = -1, hl;
	const char *const *dg;

	*unknown = 0;
	if (n == 0 || *p != '$')
		return "not a PHC string ($pbkdf2-<digest>$i=N,l=N$salt$hash)";
	q = p + 1;
	f = field(&q, end, &len);
	if (f == NULL || len < 8 || memcmp(f, "pbkdf2-", 7) != 0)
		return "not a $pbkdf2-<digest>$ string";
	for (i = 7; i < len; i++)
		if (!isalnum_ascii((unsigned char)f[i]) && f[i] != '-')
			return "bad pbkdf2 digest name";
	*unknown = 1;
	for (dg = pbkdf2_digests; *dg != NULL; dg++)
		if (strlen(*dg) == len - 7 && memcmp(*dg, f + 7, len - 7) == 0)
			*unknown = 0;
	f = field(&q, end, &len);
	if (f != NULL && len > 2 && f[1] == '=') {
		c = memchr(f, ',', len);
		if (c == NULL) {
			if (!param(f, len, 'i', &iter) &&
			    !param(f, len, 'l', &l))
				return "pbkdf2 parameters must be i=N,l=N";
		} else if (!param(f, (size_t)(c - f), 'i', &iter) ||
		    !param(c + 1, len - (size_t)(c + 1 - f), 'l', &l))
			return "pbkdf2 parameters must be i=N,l=N";
		f = field(&q, end, &len);
	}
	salt = f;
	slen = len;
	hash = field(&q, end, &hlen);
	if (salt == NULL || hash == NULL || q != NULL)
		return "pbkdf2 needs a salt and a hash field, and no more";
	if (slen == 0 || b64len(salt, slen, 0, 0) < 0)
		return "pbkdf2 salt must be unpadded base64";
	if (hlen == 0 || (hl = b64len(hash, hlen, 0, 0)) < 0)
		return "pbkdf2 hash must be unpadded base64";
	if (l > 0 && hl != l)
		return "pbkdf2 hash length differs from l=";
	return NULL;
}

/* {SCHEME}base64 (RFC 2307); scheme md5, smd5, sha, ssha, sha256,
 * ssha256, sha384, ssha384, sha512 or ssha512; not {CRYPT}. */
static const char *
ldap_bad(const char *p, size_t n)
{
	static const struct {
		const char	*name;
		long		 len;
	} sch[] = {
		{ "md5", 16 }, { "sha", 20 }, { "sha1", 20 },
		{ "sha256", 32 }, { "sha384", 48 }, { "sha512", 64 }
	};
	const char *c;
	size_t sl, i, k;
	long dl;
	int salted;
	char name[16];

	if (n < 3 || p[0] != '{' || (c = memchr(p, '}', n)) == NULL)
		return "not an RFC 2307 {SCHEME}base64 value";
	sl = (size_t)(c - p - 1);
	if (sl == 0 || sl >= sizeof(name))
		return "unknown {SCHEME}";
	for (i = 0; i < sl; i++)
		name[i] = (char)(p[1 + i] >= 'A' && p[1 + i] <= 'Z' ?
		    p[1 + i] + 'a' - 'A' : p[1 + i]);
	name[sl] = '\0';
	if (strcmp(name, "crypt") == 0)
		return "{CRYPT} is not supported";
	salted = name[0] == 's' && (name[1] == 's' || name[1] == 'm');
	for (k = 0; k < nitems(sch); k++)
		if (strcmp(name + salted, sch[k].name) == 0)
			break;
	if (k == nitems(sch))
		return "unknown {SCHEME}: use md5, smd5, sha*, ssha*";
	dl = b64len(c + 1, n - (size_t)(c + 1 - p), 0, 1);
	if (dl < 0)
		return "not base64 after the {SCHEME}";
	if (salted ? dl <= sch[k].len : dl != sch[k].len)
		return "base64 does not decode to this scheme's digest length";
	return NULL;
}

/* ---- custom_password_hash ---- */

enum { A_ARGON2, A_BCRYPT, A_HMAC, A_LDAP, A_MD4, A_MD5, A_SHA1,
	A_SHA256, A_SHA512, A_PBKDF2, A_SCRYPT };
static const char *const algorithms[] = {
	"argon2", "bcrypt", "hmac", "ldap", "md4", "md5", "sha1", "sha256",
	"sha512", "pbkdf2", "scrypt"
};
/* Digest bytes of md4 .. sha512; 0 for the others. */
static const int alg_digest[] = { 0, 0, 0, 0, 16, 16, 20, 32, 64, 0, 0 };

static const char *const digests[] = {
	"md4", "md5", "ripemd160", "sha1", "sha224", "sha256", "sha384",
	"sha512", "whirlpool"
};
static const int digest_len[] = { 16, 16, 20, 20, 28, 32, 48, 64, 64 };

enum { C_ALGORITHM, C_HASH, C_SALT, C_PASSWORD, C_KEYLEN, C_COST,
	C_BLOCKSIZE, C_PARALLELIZATION, C_N };
static const struct name cph_names[] = {
	NAME("algorithm"), NAME("hash"), NAME("salt"), NAME("password"),
	NAME("keylen"), NAME("cost"), NAME("blockSize"),
	NAME("parallelization")
};
enum { H_VALUE, H_ENCODING, H_DIGEST, H_KEY, H_N };
static const struct name hash_names[] = {
	NAME("value"), NAME("encoding"), NAME("digest"), NAME("key")
};
enum { S_VALUE, S_ENCODING, S_POSITION, S_N };
static const struct name salt_names[] = {
	NAME("value"), NAME("encoding"), NAME("position")
};
static const char *const positions[] = { "prefix", "suffix" };
static const struct name pw_names[] = { NAME("encoding") };
static const char *const pw_encodings[] = {
	"ascii", "utf8", "utf16le", "ucs2", "latin1", "binary"
};

/* A {value, encoding} pair whose value must be valid in its encoding. */
static void
encoded(struct schema *s, int val, int enc, const char *what)
{
	int e = ENC_UTF8;

	if (enc >= 0 && (e = ONE_OF(s, enc, encodings)) < 0)
		return;
	if (val < 0 || T(s, val)->type != JT_STRING || e == ENC_UTF8)
		return;
	if (declen(s, val, e) < 0)
		ERR(s, val, NULL, "ENCODING_FORMAT", "%s is not valid %s",
		    what, encodings[e]);
}

/* The value of integer token v (32.0 is 32), clamped to long long. */
static long long
int_value(struct schema *s, int v)
{
	long long n;

	if (json_int(s->d, v, &n) == 0 || integral(s, v, &n))
		return n;
	/* Digits only, too many for long long. */
	return s->d->text[T(s, v)->start] == '-' ? LLONG_MIN : LLONG_MAX;
}

/* An integer that must be > 0; returns it, or 0. */
static long long
positive(struct schema *s, int v)
{
	long long n;

	if (!want(s, v, W_INTEGER))
		return 0;
	n = int_value(s, v);
	if (n > 0)
		return n;
	ERR(s, v, NULL, "MINIMUM", "must be greater than 0");
	return 0;
}

static void
hash_value(struct schema *s, int alg, int val, int enc, int digest,
    long long keylen)
{
	const char *p, *why = NULL;
	size_t n;
	long dl, want_len = 0;
	int cost, unknown = 0;

	p = str(s, val, 0, &n);
	switch (alg) {
	case A_BCRYPT:
		why = bcrypt_bad(p, n, &cost);
		break;
	case A_ARGON2:
		why = argon2_bad(p, n);
		break;
	case A_PBKDF2:
		why = pbkdf2_bad(p, n, &unknown);
		break;
	case A_LDAP:
		why = ldap_bad(p, n);
		break;
	default:
		if (enc != ENC_HEX && enc != ENC_BASE64)
			return;
		if (alg == A_HMAC)
			want_len = digest >= 0 ? digest_len[digest] : 0;
		else if (alg == A_SCRYPT)
			want_len = (long)keylen;
		else
			want_len = alg_digest[alg];
		if ((dl = declen(s, val, enc)) < 0)
			why = enc == ENC_HEX ? "not valid hex" :
			    "not valid base64";
		else if (want_len > 0 && dl != want_len) {
			ERR(s, val, NULL, "HASH_FORMAT", "decodes to %ld "
			    "bytes; a %s%s hash has %ld", dl,
			    alg == A_HMAC ? "hmac-" : "",
			    alg == A_HMAC ? digests[digest] :
			    alg == A_SCRYPT ? "scrypt keylen" :
			    algorithms[alg], want_len);
			return;
		}
		break;
	}
	if (why != NULL)
		ERR(s, val, NULL, "HASH_FORMAT", "%s", why);
	else if (unknown)
		ERR(s, val, NULL, "HASH_FORMAT", "not a pbkdf2 digest Auth0 "
		    "supports (md5, sha1, sha256, sha512, ...)");
}

static void
custom_hash(struct schema *s, int o)
{
	int c[C_N], h[H_N] = { -1, -1, -1, -1 }, k[2] = { -1, -1 };
	int sa[S_N] = { -1, -1, -1 }, pw[1], alg = -1, enc = -1, dig = -1;
	int hashok = 0, i;
	long long keylen = 0, cost;
	static const struct name key_names[] = {
		NAME("value"), NAME("encoding")
	};

	members(s, o, cph_names, C_N, c, 1);
	if (c[C_ALGORITHM] < 0)
		ERR(s, o, "algorithm", "OBJECT_REQUIRED",
		    "missing required property");
	else
		alg = ONE_OF(s, c[C_ALGORITHM], algorithms);
	if (c[C_HASH] < 0)
		ERR(s, o, "hash", "OBJECT_REQUIRED",
		    "missing required property");
	else if ((hashok = want(s, c[C_HASH], W_OBJECT))) {
		members(s, c[C_HASH], hash_names, H_N, h, 0);
		if (h[H_VALUE] >= 0 && !want(s, h[H_VALUE], W_STRING))
			h[H_VALUE] = -2;
		if (h[H_ENCODING] >= 0)
			enc = ONE_OF(s, h[H_ENCODING], encodings);
		if (h[H_DIGEST] >= 0)
			dig = ONE_OF(s, h[H_DIGEST], digests);
		if (h[H_KEY] >= 0 && want(s, h[H_KEY], W_OBJECT)) {
			MEMBERS(s, h[H_KEY], key_names, k, 0);
			if (k[0] < 0)
				ERR(s, h[H_KEY], "value", "OBJECT_REQUIRED",
				    "missing required property");
			else if (!want(s, k[0], W_STRING))
				k[0] = -1;
			encoded(s, k[0], k[1], "key");
		}
	}
	if (c[C_SALT] >= 0 && want(s, c[C_SALT], W_OBJECT)) {
		members(s, c[C_SALT], salt_names, S_N, sa, 0);
		if (sa[S_VALUE] < 0)
			ERR(s, c[C_SALT], "value", "OBJECT_REQUIRED",
			    "missing required property");
		else if (!want(s, sa[S_VALUE], W_STRING))
			sa[S_VALUE] = -1;
		if (sa[S_POSITION] >= 0)
			ONE_OF(s, sa[S_POSITION], positions);
		encoded(s, sa[S_VALUE], sa[S_ENCODING], "salt");
	}
	if (c[C_PASSWORD] >= 0 && want(s, c[C_PASSWORD], W_OBJECT)) {
		MEMBERS(s, c[C_PASSWORD], pw_names, pw, 0);
		if (pw[0] >= 0)
			ONE_OF(s, pw[0], pw_encodings);
	}
	if (c[C_KEYLEN] >= 0)
		keylen = positive(s, c[C_KEYLEN]);
	if (c[C_COST] >= 0 && want(s, c[C_COST], W_INTEGER) &&
	    ((cost = int_value(s, c[C_COST])) < 2 || cost == LLONG_MAX ||
	    (cost & (cost - 1)) != 0))
		ERR(s, c[C_COST], NULL, "SCRYPT_COST",
		    "must be a power of two greater than 1");
	for (i = C_BLOCKSIZE; i <= C_PARALLELIZATION; i++)
		if (c[i] >= 0)
			positive(s, c[i]);

	if (alg < 0)
		return;
	/* The rules Auth0 states per algorithm. */
	if (alg != A_SCRYPT)
		for (i = C_KEYLEN; i <= C_PARALLELIZATION; i++)
			if (c[i] >= 0)
				WARN(s, c[i], NULL, "ALGORITHM_UNUSED",
				    "only used with scrypt");
	if (alg == A_SCRYPT && c[C_KEYLEN] < 0)
		ERR(s, o, "keylen", "ALGORITHM_REQUIRED",
		    "scrypt needs keylen");
	if ((alg == A_ARGON2 || alg == A_LDAP || alg == A_PBKDF2) &&
	    c[C_SALT] >= 0)
		ERR(s, c[C_SALT], NULL, "HASH_SALT",
		    "%s hashes carry their own salt; no salt allowed",
		    algorithms[alg]);
	if (!hashok)
		return;
	if (alg != A_HMAC) {
		if (h[H_DIGEST] >= 0)
			WARN(s, h[H_DIGEST], NULL, "ALGORITHM_UNUSED",
			    "only used with hmac");
		if (h[H_KEY] >= 0)
			WARN(s, h[H_KEY], NULL, "ALGORITHM_UNUSED",
			    "only used with hmac");
	} else {
		if (h[H_DIGEST] < 0)
			ERR(s, c[C_HASH], "digest", "ALGORITHM_REQUIRED",
			    "hmac needs hash.digest");
		if (h[H_KEY] < 0)
			ERR(s, c[C_HASH], "key", "ALGORITHM_REQUIRED",
			    "hmac needs hash.key.value");
	}
	if (h[H_VALUE] == -1)
		ERR(s, c[C_HASH], "value", "ALGORITHM_REQUIRED",
		    "%s needs hash.value", algorithms[alg]);
	if (h[H_ENCODING] >= 0 && enc < 0)
		return;
	switch (alg) {
	case A_ARGON2: case A_BCRYPT: case A_LDAP: case A_PBKDF2:
		if (enc >= 0 && enc != ENC_UTF8) {
			ERR(s, h[H_ENCODING], NULL, "HASH_ENCODING",
			    "%s hashes need encoding utf8", algorithms[alg]);
			return;
		}
		break;
	default:
		if (enc != ENC_HEX && enc != ENC_BASE64) {
			ERR(s, enc < 0 ? c[C_HASH] : h[H_ENCODING],
			    enc < 0 ? "encoding" : NULL, "HASH_ENCODING",
			    "%s hashes need encoding hex or base64",
			    algorithms[alg]);
			return;
		}
		break;
	}
	if (h[H_VALUE] >= 0)
		hash_value(s, alg, h[H_VALUE], enc, dig, keylen);
}

/* ---- mfa_factors ---- */

static const struct name mfa_names[] = {
	NAME("totp"), NAME("phone"), NAME("email")
};
static const struct name totp_names[] = { NAME("secret") };
static const struct name value_names[] = { NAME("value") };

static void
mfa(struct schema *s, int a)
{
	int n = T(s, a)->size, i, it, f[3], v[1], k;
	const char *p;
	size_t len;

	if (n == 0)
		ERR(s, a, NULL, "ARRAY_LENGTH_SHORT",
		    "must have at least 1 item");
	else if (n > 10)
		ERR(s, a, NULL, "ARRAY_LENGTH_LONG",
		    "%d items, at most 10 allowed", n);
	for (i = 0, it = a + 1; i < n; i++, it = skip(s, it)) {
		if (!want(s, it, W_OBJECT))
			continue;
		if (T(s, it)->size > 1)
			ERR(s, it, NULL, "OBJECT_PROPERTIES_MAXIMUM",
			    "%d properties; a factor has exactly one",
			    T(s, it)->size);
		else if (T(s, it)->size == 0)
			ERR(s, it, NULL, "MFA_FACTOR_EMPTY",
			    "a factor needs one of totp, phone, email");
		MEMBERS(s, it, mfa_names, f, 1);
		for (k = 0; k < 3; k++) {
			if (f[k] < 0 || !want(s, f[k], W_OBJECT))
				continue;
			members(s, f[k], k == 0 ? totp_names : value_names,
			    1, v, 1);
			if (v[0] < 0) {
				ERR(s, f[k], k == 0 ? "secret" : "value",
				    "OBJECT_REQUIRED",
				    "missing required property");
				continue;
			}
			if (k == 2) {
				email(s, v[0]);
				continue;
			}
			if (!want(s, v[0], W_STRING))
				continue;
			p = str(s, v[0], 0, &len);
			if (k == 0 && !base32(p, len))
				ERR(s, v[0], NULL, "PATTERN", "must match "
				    "^[A-Z2-7]+$ (unpadded Base32)");
			else if (k == 1 && !e164(p, len))
				ERR(s, v[0], NULL, "PATTERN", "must match "
				    "^\\+[0-9]{1,15}$ (E.164)");
		}
	}
}

/* ---- metadata ---- */

static const struct name reserved[] = {
	NAME("__tenant"), NAME("_id"), NAME("blocked"), NAME("clientID"),
	NAME("created_at"), NAME("email_verified"), NAME("email"),
	NAME("globalClientID"), NAME("global_client_id"), NAME("identities"),
	NAME("lastIP"), NAME("lastLogin"), NAME("loginsCount"),
	NAME("metadata"), NAME("multifactor_last_modified"),
	NAME("multifactor"), NAME("updated_at"), NAME("user_id")
};

/* The first bytes of the reserved keys, to pass most keys by quickly. */
static const unsigned char reserved_first[256] = {
	['_'] = 1, ['b'] = 1, ['c'] = 1, ['e'] = 1, ['g'] = 1, ['i'] = 1,
	['l'] = 1, ['m'] = 1, ['u'] = 1
};

/* Is the key p (n bytes) one app_metadata may not have? */
static int
is_reserved(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || !reserved_first[(unsigned char)p[0]])
		return 0;
	for (i = 0; i < nitems(reserved); i++)
		if (reserved[i].n == n && reserved[i].s[0] == p[0] &&
		    memcmp(reserved[i].s, p, n) == 0)
			return 1;
	return 0;
}

/* Keys at any depth of metadata object o: no '.' or '$' (noted by the
 * first pass). */
static void
metadata(struct schema *s, int o, int app)
{
	const char *p;
	size_t n;
	int k, m, end = skip(s, o);

	if (app)
		for (k = o + 1, m = 0; m < T(s, o)->size;
		    m++, k = skip(s, k + 1)) {
			p = key(s, k, &n);
			if (is_reserved(p, n))
				ERR(s, k + 1, NULL, "RESERVED_KEY",
				    "reserved key, not allowed in "
				    "app_metadata");
		}
	for (k = o + 1; k < end; k++)
		if (s->kbad[k] && is_key(s, k))
			ERR(s, k + 1, NULL, "METADATA_KEY",
			    "metadata keys must not contain '.' or '$'");
}

/* ---- the record ---- */

static const struct name top_names[] = {
	NAME("email"), NAME("email_verified"), NAME("phone_number"),
	NAME("phone_verified"), NAME("user_id"), NAME("username"),
	NAME("given_name"), NAME("family_name"), NAME("name"),
	NAME("nickname"), NAME("picture"), NAME("blocked"),
	NAME("password_hash"), NAME("custom_password_hash"),
	NAME("app_metadata"), NAME("user_metadata"), NAME("mfa_factors")
};

static void
username(struct schema *s, int v)
{
	const char *p;
	size_t n, i;
	unsigned char c;
	int toolong;

	length(s, v, 15, 128);
	p = str(s, v, 0, &n);
	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (!isalnum_ascii(c) && !inset("@`^$!-#.+'~_", c)) {
			WARN(s, v, NULL, "USERNAME_FORMAT", "Auth0 usernames "
			    "are letters, digits and @`^$!-#.+'~_");
			return;
		}
	}
	if (email_bad(p, n, &toolong) == NULL)
		WARN(s, v, NULL, "USERNAME_FORMAT",
		    "Auth0 does not allow an email address as username");
}

static void
user_id(struct schema *s, int v)
{
	const char *p;
	size_t n, i;

	p = str(s, v, 0, &n);
	if (ulen(p, n) > 255)
		WARN(s, v, NULL, "MAX_LENGTH", "longer than 255 characters");
	if (n == 0)
		WARN(s, v, NULL, "MIN_LENGTH", "empty user_id");
	if (n >= 6 && memcmp(p, "auth0|", 6) == 0)
		WARN(s, v, NULL, "USER_ID_FORMAT", "starts with auth0|: the "
		    "import prepends the strategy, giving auth0|auth0|...");
	for (i = 0; i < n; i++)
		if (p[i] == ' ' || (p[i] >= '\t' && p[i] <= '\r')) {
			WARN(s, v, NULL, "USER_ID_FORMAT",
			    "contains white space");
			break;
		}
}

static void
picture(struct schema *s, int v)
{
	const char *p;
	size_t n, i;

	p = str(s, v, 0, &n);
	for (i = 0; i < n && (isalnum_ascii((unsigned char)p[i]) ||
	    (i > 0 && inset("+-.", p[i]))); i++)
		;
	if (i == 0 || i == n || p[i] != ':' || i + 1 == n ||
	    !((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z')))
		WARN(s, v, NULL, "FORMAT", "not an absolute URL");
	else
		for (i = 0; i < n; i++)
			if ((unsigned char)p[i] <= ' ' || p[i] == 0x7F) {
				WARN(s, v, NULL, "FORMAT",
				    "URL contains white space or control "
				    "characters");
				break;
			}
}

int
schema_begin(struct schema *s, const struct jdoc *d, struct schema_ids *ids,
    void (*report)(void *, const struct schema_diag *), void *arg)
{
	int *v = s->top;

	s->d = d;
	s->tok = d->tok;
	s->report = report;
	s->arg = arg;
	s->errors = 0;
	s->begun = 0;
	if (ids != NULL)
		ids->email = ids->username = ids->user_id = -1;
	if (d->ntok < 1)
		return 0;
	grow_scratch(s, d);
	if (d->tok[0].type != JT_OBJECT) {
		ERR(s, 0, NULL, "INVALID_TYPE",
		    "expected type object but found type %s", type_name(s, 0));
		return s->errors;
	}
	pass1(s);
	members(s, 0, top_names, P_N, v, 1);
	if (ids != NULL) {
		if (v[P_EMAIL] >= 0 && T(s, v[P_EMAIL])->type == JT_STRING)
			ids->email = v[P_EMAIL];
		if (v[P_USERNAME] >= 0 &&
		    T(s, v[P_USERNAME])->type == JT_STRING)
			ids->username = v[P_USERNAME];
		if (v[P_USER_ID] >= 0 && T(s, v[P_USER_ID])->type == JT_STRING)
			ids->user_id = v[P_USER_ID];
	}
	s->begun = 1;
	return s->errors;
}

/* The checks of top-level values that take more than a type and a
 * length. */
static void
phone_number(struct schema *s, int v)
{
	const char *p;
	size_t n;

	p = str(s, v, 0, &n);
	if (!e164(p, n))
		ERR(s, v, NULL, "FORMAT", "not an "
		    "E.164 phone number (+, then 1 to 15 digits)");
}

static void
password_hash(struct schema *s, int v)
{
	const char *p, *why;
	size_t n;
	int cost;

	p = str(s, v, 0, &n);
	if ((why = password_hash_bad(p, n, &cost)) != NULL)
		ERR(s, v, NULL, "PASSWORD_HASH_FORMAT", "%s", why);
	else if (cost != 10)
		WARN(s, v, NULL, "BCRYPT_COST",
		    "cost %d; Auth0 documents 10 salt rounds", cost);
}

static void
custom_password_hash(struct schema *s, int v)
{
	custom_hash(s, v);
	if (s->top[P_PASSWORD_HASH] >= 0)
		ERR(s, v, NULL, "PASSWORD_HASH_CONFLICT", "password_hash and "
		    "custom_password_hash are mutually exclusive");
}

static void
app_metadata(struct schema *s, int v)
{
	metadata(s, v, 1);
}

static void
user_metadata(struct schema *s, int v)
{
	metadata(s, v, 0);
}

/*
 * The top-level properties in the order they are checked: the type a
 * value must have, its length limits (see length(); none when hard is
 * 0), and the check of a value of that type.
 */
static const struct prop_rule {
	int		 prop;		/* P_* */
	enum want	 type;
	size_t		 soft, hard;
	void		(*check)(struct schema *, int);
} prop_rules[] = {
	{ P_EMAIL,		W_STRING,	0,	0,	email_format },
	{ P_EMAIL_VERIFIED,	W_BOOL,		0,	0,	NULL },
	{ P_PHONE_VERIFIED,	W_BOOL,		0,	0,	NULL },
	{ P_BLOCKED,		W_BOOL,		0,	0,	NULL },
	{ P_PHONE_NUMBER,	W_STRING,	0,	0,	phone_number },
	{ P_USER_ID,		W_STRING,	0,	0,	user_id },
	{ P_USERNAME,		W_STRING,	0,	0,	username },
	{ P_GIVEN_NAME,		W_STRING,	0,	150,	NULL },
	{ P_FAMILY_NAME,	W_STRING,	0,	150,	NULL },
	{ P_NAME,		W_STRING,	150,	300,	NULL },
	{ P_NICKNAME,		W_STRING,	300,	350,	NULL },
	{ P_PICTURE,		W_STRING,	0,	0,	picture },
	{ P_PASSWORD_HASH,	W_STRING,	0,	0,	password_hash },
	{ P_CUSTOM_PASSWORD_HASH, W_OBJECT,	0,	0,
	    custom_password_hash },
	{ P_APP_METADATA,	W_OBJECT,	0,	0,	app_metadata },
	{ P_USER_METADATA,	W_OBJECT,	0,	0,	user_metadata },
	{ P_MFA_FACTORS,	W_ARRAY,	0,	0,	mfa },
};

int
schema_finish(struct schema *s)
{
	const struct prop_rule *r;
	size_t i;
	int v;

	if (!s->begun)
		return s->errors;
	s->begun = 0;
	if (s->top[P_EMAIL] < 0)
		ERR(s, 0, "email", "OBJECT_REQUIRED",
		    "missing required property");
	for (i = 0; i < nitems(prop_rules); i++) {
		r = &prop_rules[i];
		if ((v = s->top[r->prop]) < 0 || !want(s, v, r->type))
			continue;
		if (r->hard != 0)
			length(s, v, r->soft, r->hard);
		if (r->check != NULL)
			r->check(s, v);
	}
	if (s->compact > A0_PROFILE_MAX)
		WARN(s, 0, NULL, "PROFILE_SIZE_EXCEEDED", "profile is %zu "
		    "bytes, more than Auth0's %d (10 KB)", s->compact,
		    A0_PROFILE_MAX);
	return s->errors;
}

const char *
schema_email_bad(const char *p, size_t n)
{
	int toolong;

	if (cclass['a'] == 0)
		cclass_init();
	return email_bad(p, n, &toolong);
}

const char *
schema_bcrypt_bad(const char *p, size_t n)
{
	int cost;

	if (cclass['a'] == 0)
		cclass_init();
	return bcrypt_bad(p, n, &cost);
}

int
schema_e164(const char *p, size_t n)
{
	return e164(p, n);
}

size_t
schema_u16len(const char *p, size_t n)
{
	return ulen(p, n);
}

int
schema_check(struct schema *s, const struct jdoc *d, struct schema_ids *ids,
    void (*report)(void *, const struct schema_diag *), void *arg)
{
	schema_begin(s, d, ids, report, arg);
	return schema_finish(s);
}
