/*
 * jsonw.c: the one JSON writer.  Output lines (results, diagnostics,
 * records made by a0-export and a0-convert) are built in a growing
 * buffer, then written whole, so that a line is never half-printed by
 * the code that makes it.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "a0.h"

static void
grow(struct jbuf *b, size_t n)
{
	size_t cap;

	if (b->len + n + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void
jb_add(struct jbuf *b, const void *s, size_t n)
{
	grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
jb_puts(struct jbuf *b, const char *s)
{
	jb_add(b, s, strlen(s));
}

void
jb_printf(struct jbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
jb_esc(struct jbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s, *end = s + n;
	char e[6];

	grow(b, n);
	for (; s < end; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7F)
			continue;
		jb_add(b, run, (size_t)(s - run));
		run = s + 1;
		e[0] = '\\';
		switch (c) {
		case '"': case '\\':
			e[1] = (char)c;
			jb_add(b, e, 2);
			continue;
		case '\n':
			jb_add(b, "\\n", 2);
			continue;
		case '\t':
			jb_add(b, "\\t", 2);
			continue;
		case '\r':
			jb_add(b, "\\r", 2);
			continue;
		}
		e[1] = 'u';
		e[2] = '0';
		e[3] = '0';
		e[4] = hex[c >> 4];
		e[5] = hex[c & 15];
		jb_add(b, e, 6);
	}
	jb_add(b, run, (size_t)(end - run));
}

/*
 * Does word w hold a byte jb_esc changes or a non-ASCII one?  On the low
 * seven bits of each byte (no carry crosses a byte): b + 0x60 has its
 * high bit clear when b < 0x20, b + 1 has it set when b is 0x7F, and
 * (b ^ c) + 0x7F has it clear when b is c.  K repeats a byte in a word.
 */
#define J_SPECIALK(w, K)	((((w) | ~((((w) & K(0x7F)) + K(0x60)) &	\
	((((w) & K(0x7F)) ^ K(0x22)) + K(0x7F)) &			\
	((((w) & K(0x7F)) ^ K(0x5C)) + K(0x7F))) |			\
	(((w) & K(0x7F)) + K(0x01)))) & K(0x80))
#define J_K8(b)		((uint64_t)(b) * 0x0101010101010101ULL)
#define J_K4(b)		((uint32_t)(b) * 0x01010101U)
#define J_SPECIAL(w)	J_SPECIALK(w, J_K8)
#define J_SPECIAL4(w)	J_SPECIALK(w, J_K4)

/* The length of the UTF-8 sequence at p (before end), or 0 if it is not
 * one: no overlongs, no UTF-16 surrogates, nothing past U+10FFFF. */
static size_t
u8seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0], lo, hi;
	size_t n;

	if (c < 0xc2 || c > 0xf4)
		return 0;
	n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if ((size_t)(end - p) < n)
		return 0;
	lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
	hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
	if (p[1] < lo || p[1] > hi || (n > 2 && (p[2] & 0xc0) != 0x80) ||
	    (n > 3 && (p[3] & 0xc0) != 0x80))
		return 0;
	return n;
}

/* What jb_esc_utf8 does with a byte: 0 copy, 1 escape, 2 a UTF-8 lead. */
static const unsigned char jclass[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2
};

int
jb_esc_utf8(struct jbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	const unsigned char *lim;
	char *d;
	uint64_t w;
	uint32_t v;
	size_t k, t;
	unsigned char c;

	if (n > (size_t)-1 / 8 || b->len > (size_t)-1 / 4)
		return -1;
	grow(b, n * 6);
	d = b->p + b->len;
	/*
	 * Words of 8 or 4 bytes with nothing to change are copied whole.
	 * The last, shorter, piece is read as the word that ends the
	 * string: when that word is plain ASCII, so are the bytes already
	 * copied that it overlaps, and they were copied as they are.
	 */
	while (p < end) {
		t = (size_t)(end - p);
		lim = end;
		if (t >= 8) {
			memcpy(&w, p, 8);
			if (!J_SPECIAL(w)) {
				memcpy(d, p, 8);
				d += 8;
				p += 8;
				continue;
			}
			lim = p + 8;
		} else if (n >= 8) {
			memcpy(&w, end - 8, 8);
			if (!J_SPECIAL(w)) {
				memcpy(d - (8 - t), end - 8, 8);
				d += t;
				break;
			}
		} else if (t >= 4) {
			memcpy(&v, p, 4);
			if (!J_SPECIAL4(v)) {
				memcpy(d, p, 4);
				d += 4;
				p += 4;
				continue;
			}
			lim = p + 4;
		} else if (n >= 4) {
			memcpy(&v, end - 4, 4);
			if (!J_SPECIAL4(v)) {
				memcpy(d - (4 - t), end - 4, 4);
				d += t;
				break;
			}
		}
		/* Byte by byte up to lim (a UTF-8 sequence may cross it). */
		while (p < lim) {
			c = *p;
			if (jclass[c] == 0) {
				*d++ = (char)c;
				p++;
				continue;
			}
			if (c >= 0x80) {
				if ((k = u8seq(p, end)) == 0) {
					b->p[b->len] = '\0';
					return -1;
				}
				memcpy(d, p, k);
				d += k;
				p += k;
				continue;
			}
			p++;
			*d++ = '\\';
			switch (c) {
			case '"': case '\\':
				*d++ = (char)c;
				continue;
			case '\n':
				*d++ = 'n';
				continue;
			case '\t':
				*d++ = 't';
				continue;
			case '\r':
				*d++ = 'r';
				continue;
			}
			*d++ = 'u';
			*d++ = '0';
			*d++ = '0';
			*d++ = hex[c >> 4];
			*d++ = hex[c & 15];
		}
	}
	b->len = (size_t)(d - b->p);
	b->p[b->len] = '\0';
	return 0;
}

int
jb_plain(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	const unsigned char *lim;
	uint64_t w;
	size_t k;

	while (p < end) {
		lim = end;
		if (end - p >= 8) {
			memcpy(&w, p, 8);
			if (!J_SPECIAL(w)) {
				p += 8;
				continue;
			}
			lim = p + 8;
		} else if (n >= 8) {
			/* The last word, overlapping bytes already seen. */
			memcpy(&w, end - 8, 8);
			if (!J_SPECIAL(w))
				return 1;
		}
		while (p < lim) {
			if (*p < 0x80) {
				if (jclass[*p] != 0)
					return 0;
				p++;
			} else if ((k = u8seq(p, end)) == 0)
				return 0;
			else
				p += k;
		}
	}
	return 1;
}

void
jb_reserve(struct jbuf *b, size_t n)
{
	grow(b, n);
}

void
jb_str(struct jbuf *b, const char *s, size_t n)
{
	jb_add(b, "\"", 1);
	jb_esc(b, s, n);
	jb_add(b, "\"", 1);
}

void
jb_cstr(struct jbuf *b, const char *s)
{
	if (s == NULL)
		jb_add(b, "null", 4);
	else
		jb_str(b, s, strlen(s));
}

void
jb_begin(struct jbuf *b, char c)
{
	jb_item(b);
	jb_add(b, &c, 1);
	b->comma = 0;
}

void
jb_end(struct jbuf *b, char c)
{
	jb_add(b, &c, 1);
	b->comma = 1;
}

void
jb_item(struct jbuf *b)
{
	if (b->comma)
		jb_add(b, ",", 1);
	b->comma = 1;
}

void
jb_key(struct jbuf *b, const char *k)
{
	jb_item(b);
	jb_cstr(b, k);
	jb_add(b, ":", 1);
	b->comma = 0;
}

void
jb_kstr(struct jbuf *b, const char *k, const char *s)
{
	jb_key(b, k);
	jb_cstr(b, s);
	b->comma = 1;
}

void
jb_kint(struct jbuf *b, const char *k, long long v)
{
	jb_key(b, k);
	jb_printf(b, "%lld", v);
	b->comma = 1;
}

void
jb_kbool(struct jbuf *b, const char *k, int v)
{
	jb_key(b, k);
	jb_puts(b, v ? "true" : "false");
	b->comma = 1;
}

void
jb_kraw(struct jbuf *b, const char *k, const char *json, size_t n)
{
	jb_key(b, k);
	jb_add(b, json, n);
	b->comma = 1;
}

int
jb_write(struct jbuf *b, FILE *f)
{
	if (b->len > 0 && fwrite(b->p, 1, b->len, f) != b->len)
		return -1;
	jb_reset(b);
	return 0;
}

void
jb_reset(struct jbuf *b)
{
	b->len = 0;
	b->comma = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

void
jb_free(struct jbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->comma = 0;
}
