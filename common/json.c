/* json.c: jsmn, wrapped for reading one record or one API answer.  The
 * only file that includes <jsmn.h>. */
#define JSMN_PARENT_LINKS
#define JSMN_STRICT
#define JSMN_STATIC
#include <jsmn.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "a0.h"

/* struct jtok is handed out as a view of jsmntok_t: same members, same
 * order, enum values equal. */
#define SAME(a, b)	(sizeof(char[(int)(a) == (int)(b) ? 1 : -1]))
static void
layout_check(void)
{
	(void)SAME(sizeof(struct jtok), sizeof(jsmntok_t));
	(void)SAME(offsetof(struct jtok, parent), offsetof(jsmntok_t, parent));
	(void)SAME(offsetof(struct jtok, size), offsetof(jsmntok_t, size));
	(void)SAME(JT_OBJECT, JSMN_OBJECT);
	(void)SAME(JT_ARRAY, JSMN_ARRAY);
	(void)SAME(JT_STRING, JSMN_STRING);
	(void)SAME(JT_PRIMITIVE, JSMN_PRIMITIVE);
}

int
json_parse(struct jdoc *d, const char *text, size_t len)
{
	jsmn_parser p;
	int n;

	layout_check();
	d->text = text;
	d->len = len;
	d->ntok = 0;
	d->escn = 0;
	d->compact = 0;
	if (len > INT_MAX)
		return -1;
	if (d->cap == 0) {
		d->cap = 256;
		d->tok = xmalloc(sizeof(*d->tok) * (size_t)d->cap);
	}
	jsmn_init(&p);
	/* jsmn resumes where it stopped when given a larger array. */
	while ((n = jsmn_parse(&p, text, len, (jsmntok_t *)d->tok,
	    (unsigned)d->cap)) == JSMN_ERROR_NOMEM) {
		if (d->cap > INT_MAX / 2)
			return -1;
		d->cap *= 2;
		d->tok = xrealloc(d->tok, sizeof(*d->tok) * (size_t)d->cap);
	}
	if (n <= 0)
		return -1;
	/* One value, and nothing after it but whitespace. */
	d->ntok = n;
	if (json_skip(d, 0) != n) {
		d->ntok = 0;
		return -1;
	}
	return n;
}

void
json_free(struct jdoc *d)
{
	free(d->tok);
	free(d->esc);
	d->tok = NULL;
	d->esc = NULL;
	d->cap = d->ntok = d->escn = 0;
	d->compact = 0;
}

int
json_skip(const struct jdoc *d, int i)
{
	int end = d->tok[i].end, j = i + 1, n = d->ntok;

	/* Tokens are in document order: a token's descendants are the
	 * tokens that follow it and start before it ends. */
	if (d->tok[i].type == JT_STRING || d->tok[i].type == JT_PRIMITIVE)
		return j;
	while (j < n && d->tok[j].start < end)
		j++;
	return j;
}

/* Each hex digit's value + 1; 0 for other bytes. */
static const unsigned char hexv[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16
};

/* The value of 4 hex digits at p, or -1. */
static inline long
hex4(const char *p)
{
	long a = hexv[(unsigned char)p[0]], b = hexv[(unsigned char)p[1]];
	long c = hexv[(unsigned char)p[2]], d = hexv[(unsigned char)p[3]];

	if (a == 0 || b == 0 || c == 0 || d == 0)
		return -1;
	return (a - 1) << 12 | (b - 1) << 8 | (c - 1) << 4 | (d - 1);
}

/* Decode the next unescaped byte sequence of a JSON string body at *pp
 * (before end) into out; returns its length (1-4), 0 at the end, -1 on a
 * bad escape. */
static int
unesc_next(const char **pp, const char *end, char out[4])
{
	const char *p = *pp;
	long c, lo;

	if (p >= end)
		return 0;
	if (*p != '\\') {
		out[0] = *p;
		*pp = p + 1;
		return 1;
	}
	if (p + 1 >= end)
		return -1;
	switch (p[1]) {
	case '"': case '\\': case '/':
		out[0] = p[1];
		break;
	case 'b': out[0] = '\b'; break;
	case 'f': out[0] = '\f'; break;
	case 'n': out[0] = '\n'; break;
	case 'r': out[0] = '\r'; break;
	case 't': out[0] = '\t'; break;
	case 'u':
		if (end - p < 6)
			return -1;
		if ((c = hex4(p + 2)) < 0)
			return -1;
		p += 6;
		if (c >= 0xD800 && c <= 0xDBFF) {
			if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
				return -1;
			lo = hex4(p + 2);
			if (lo < 0xDC00 || lo > 0xDFFF)
				return -1;
			c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
			p += 6;
		} else if (c >= 0xDC00 && c <= 0xDFFF)
			return -1;
		*pp = p;
		if (c < 0x80) {
			out[0] = (char)c;
			return 1;
		}
		if (c < 0x800) {
			out[0] = (char)(0xC0 | (c >> 6));
			out[1] = (char)(0x80 | (c & 0x3F));
			return 2;
		}
		if (c < 0x10000) {
			out[0] = (char)(0xE0 | (c >> 12));
			out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
			out[2] = (char)(0x80 | (c & 0x3F));
			return 3;
		}
		out[0] = (char)(0xF0 | (c >> 18));
		out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[3] = (char)(0x80 | (c & 0x3F));
		return 4;
	default:
		return -1;
	}
	*pp = p + 2;
	return 1;
}

int
json_streq(const struct jdoc *d, int i, const char *s)
{
	const struct jtok *t = &d->tok[i];
	const char *p = d->text + t->start, *end = d->text + t->end;
	size_t slen = strlen(s);
	char buf[4];
	int n;

	if (t->type != JT_STRING)
		return 0;
	if (memchr(p, '\\', (size_t)(end - p)) == NULL)
		return (size_t)(end - p) == slen && memcmp(p, s, slen) == 0;
	while ((n = unesc_next(&p, end, buf)) > 0) {
		if (strlen(s) < (size_t)n || memcmp(s, buf, (size_t)n) != 0)
			return 0;
		s += n;
	}
	return n == 0 && *s == '\0';
}

int
json_get(const struct jdoc *d, int obj, const char *key)
{
	int i, k;

	if (obj < 0 || d->tok[obj].type != JT_OBJECT)
		return -1;
	/* jsmn lets a key go without a value: never step past the end. */
	for (i = obj + 1, k = 0; k < d->tok[obj].size && i + 1 < d->ntok;
	    k++) {
		if (json_streq(d, i, key))
			return i + 1;
		i = json_skip(d, i + 1);
	}
	return -1;
}

int
json_unescape(const struct jdoc *d, int i, char *out, size_t outsz)
{
	const struct jtok *t = &d->tok[i];
	const char *p = d->text + t->start, *end = d->text + t->end;
	size_t len = 0;
	char buf[4];
	int n, k;

	if (t->type != JT_STRING && t->type != JT_PRIMITIVE)
		return -1;
	if (t->type == JT_PRIMITIVE) {
		if ((size_t)(end - p) >= outsz)
			return -1;
		memcpy(out, p, (size_t)(end - p));
		out[end - p] = '\0';
		return (int)(end - p);
	}
	/* An unescaped string is never longer than its text. */
	if ((size_t)(end - p) < outsz) {
		while (p < end) {
			if (*p != '\\') {
				out[len++] = *p++;
				continue;
			}
			if ((n = unesc_next(&p, end, buf)) < 0)
				return -1;
			for (k = 0; k < n; k++)
				out[len++] = buf[k];
		}
		out[len] = '\0';
		return (int)len;
	}
	while ((n = unesc_next(&p, end, buf)) > 0) {
		if (len + (size_t)n >= outsz)
			return -1;
		memcpy(out + len, buf, (size_t)n);
		len += (size_t)n;
	}
	if (n < 0)
		return -1;
	out[len] = '\0';
	return (int)len;
}

long
json_u16len(const struct jdoc *d, int i)
{
	const struct jtok *t = &d->tok[i];
	const char *p = d->text + t->start, *end = d->text + t->end;
	long c = 0, u;
	unsigned char b;
	char buf[4];

	if (t->type != JT_STRING)
		return -1;
	while (p < end) {
		if (*p != '\\')
			b = (unsigned char)*p++;
		else if (end - p >= 6 && p[1] == 'u' &&
		    (u = hex4(p + 2)) >= 0 && (u < 0xD800 || u > 0xDFFF)) {
			c++;		/* one code unit, not a surrogate */
			p += 6;
			continue;
		} else if (unesc_next(&p, end, buf) < 0)
			return -1;
		else
			b = (unsigned char)buf[0];	/* a lead byte */
		c += (b & 0xC0) != 0x80;
		c += b >= 0xF0;
	}
	return c;
}

char *
json_strdup(const struct jdoc *d, int i)
{
	size_t sz;
	char *s;

	if (i < 0 || d->tok[i].type != JT_STRING)
		return NULL;
	sz = (size_t)(d->tok[i].end - d->tok[i].start) + 1;
	s = xmalloc(sz);
	if (json_unescape(d, i, s, sz) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

int
json_int(const struct jdoc *d, int i, long long *out)
{
	const struct jtok *t;
	char buf[32], *end;
	size_t n;

	if (i < 0)
		return -1;
	t = &d->tok[i];
	n = (size_t)(t->end - t->start);
	if (t->type != JT_PRIMITIVE || n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, d->text + t->start, n);
	buf[n] = '\0';
	errno = 0;
	*out = strtoll(buf, &end, 10);
	if (errno != 0 || *end != '\0' || !(buf[0] == '-' ||
	    (buf[0] >= '0' && buf[0] <= '9')))
		return -1;
	return 0;
}

#if defined(__SSE2__) && !defined(JS_PORTABLE)
#include <emmintrin.h>
#endif

/* Bytes that end a primitive: blanks, ',', ']', '}' and the NUL. */
static const unsigned char primend[256] = {
	[0] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1, [','] = 1,
	[']'] = 1, ['}'] = 1
};

/* The blanks JSON allows between tokens. */
static const unsigned char blank[256] = {
	['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1
};

/* The closing quote of the string body starting at p, before end; *esc
 * set when the body holds a backslash.  text is where the text starts:
 * near the end, the last sixteen bytes are read instead of bytes past it. */
static const char *
strend(const char *text, const char *p, const char *end, unsigned char *esc)
{
#if defined(__SSE2__) && !defined(JS_PORTABLE)
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	__m128i v;
	unsigned mq, m;

	/* mq: the quotes; m: quotes and backslashes; bit k is p[k]. */
	for (;;) {
		if (end - p >= 16) {
			v = _mm_loadu_si128((const __m128i *)(const void *)p);
			mq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
			    quote));
			m = mq | (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
			    bslash));
			if (m == 0) {
				p += 16;
				continue;
			}
		} else if (p >= end)
			return end;
		else if (end - text >= 16) {
			v = _mm_loadu_si128((const __m128i *)(const void *)
			    (end - 16));
			mq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
			    quote)) >> (16 - (end - p));
			m = mq | (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
			    bslash)) >> (16 - (end - p));
			if (m == 0)
				return end;
		} else {
			while (p < end && *p != '"' && *p != '\\')
				p++;
			if (p >= end)
				return end;
			if (*p == '"')
				return p;
			*esc = 1;
			p += 2;
			continue;
		}
		if ((m & -m & mq) != 0)		/* a quote comes first */
			return p + __builtin_ctz(m);
		*esc = 1;
		p += __builtin_ctz(m) + 2;
	}
#else
	(void)text;
	while (p < end && *p != '"') {
		if (*p == '\\') {
			*esc = 1;
			p++;
		}
		p++;
	}
	return p < end ? p : end;
#endif
}

/*
 * The tokens jsmn gives (strict, with parent links), for text the record
 * reader has already checked: one pass, no checks, string bodies skipped
 * sixteen bytes at a time.  sup is the token new tokens belong to: a
 * container, or the key whose value comes next.  A key's colon and the
 * blanks after a colon or a comma are taken with it, not by a turn of
 * the loop (one blank: the usual ", " and ": "); blanks outside strings
 * are counted on the way, which gives the length without them.
 */
int
json_parse_valid(struct jdoc *d, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *q, *b;
	struct jtok *tok, *t;
	unsigned char *esc;
	size_t most, blanks = 0;
	int n = 0, sup = -1, cap;

	d->text = text;
	d->len = len;
	d->ntok = 0;
	d->escn = 0;
	d->compact = 0;
	if (len > INT_MAX / 2 - 2)
		return -1;
	/*
	 * A token takes at least two bytes with what separates it from the
	 * next (a primitive and its comma, a string's quotes, a container's
	 * brackets): room for the most tokens valid text can hold, made
	 * once per record rather than checked token by token.
	 */
	most = len / 2 + 2;
	if ((size_t)d->cap < most || d->esc == NULL) {
		if ((size_t)d->cap < most)
			d->cap = most < 256 ? 256 : (int)most;
		d->tok = xrealloc(d->tok, sizeof(*d->tok) * (size_t)d->cap);
		d->esc = xrealloc(d->esc, (size_t)d->cap);
	}
	/* Locals, so that the stores to tokens need no reloads of d. */
	tok = d->tok;
	esc = d->esc;
	cap = d->cap;
#define NEWTOK(ty, s) do {	/* end: set by the caller */		\
	t = &tok[n];							\
	t->type = (ty);							\
	t->start = (s);							\
	t->size = 0;							\
	t->parent = sup;						\
	if (sup >= 0)							\
		tok[sup].size++;					\
	esc[n++] = 0;							\
	if (n == cap)	/* only text that is not valid */		\
		goto fail;						\
} while (0)
#define BLANK1() do {							\
	if (p < end && *p == ' ') {					\
		p++;							\
		blanks++;						\
	}								\
} while (0)
	while (p < end) {
		switch (*p) {
		case '"':
			NEWTOK(JT_STRING, (int)(p + 1 - text));
			q = strend(text, p + 1, end, &esc[n - 1]);
			t->end = (int)(q - text);
			p = q + 1;
			if (p < end && *p == ':') {
				sup = n - 1;
				p++;
				BLANK1();
			}
			break;
		case ':':
			sup = n - 1;
			p++;
			BLANK1();
			break;
		case ',':
			if (sup >= 0 && tok[sup].type == JT_STRING)
				sup = tok[sup].parent;
			p++;
			BLANK1();
			break;
		case '{':
		case '[':
			NEWTOK(*p == '{' ? JT_OBJECT : JT_ARRAY,
			    (int)(p - text));
			t->end = -1;	/* until it closes */
			sup = n - 1;
			p++;
			break;
		case '}':
		case ']':
			if (sup >= 0 && tok[sup].type == JT_STRING)
				sup = tok[sup].parent;
			if (sup < 0)
				goto fail;
			tok[sup].end = (int)(p - text) + 1;
			sup = tok[sup].parent;
			p++;
			break;
		case ' ': case '\t': case '\n': case '\r':
			b = p;
			while (++p < end && blank[(unsigned char)*p])
				;
			blanks += (size_t)(p - b);
			break;
		default:
			NEWTOK(JT_PRIMITIVE, (int)(p - text));
			while (++p < end && !primend[(unsigned char)*p])
				;
			t->end = (int)(p - text);
			break;
		}
	}
#undef NEWTOK
#undef BLANK1
	if (n == 0)
		goto fail;
	d->ntok = n;
	d->escn = n;
	d->compact = len - blanks;
	return n;
fail:
	d->ntok = 0;
	return -1;
}
