/*
 * jstream.c: the streaming record reader.  Splits a JSON array of objects,
 * or a sequence of objects, read from a descriptor in large blocks, into
 * records handed out one at a time as contiguous byte ranges, and checks
 * the whole input against RFC 8259 on the way.
 *
 * The buffer holds the unread input; a record is always contiguous in it.
 * When the scanner reaches the end of the buffered bytes inside a record,
 * the partial record is moved to the front and more is read behind it, so
 * the buffer never grows past the caller's record limit plus one block.
 * The scanner keeps its state (grammar state, nesting stack, position)
 * in the reader and resumes at the last token boundary, or at the last
 * safe byte inside a string, so a long token is not rescanned per block.
 *
 * A NUL byte is kept after the buffered bytes: every scanning loop stops
 * on it (NUL is neither whitespace nor part of any token, and a control
 * character inside a string), so the loops need no bounds checks; a stop
 * exactly at the end means "read more", anywhere else it is an error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "a0.h"

#define JS_BLOCK	(256 * 1024)
#define JS_SLACK	16	/* zeroed after the data: sentinel, SSE2 */

/*
 * Bytes asked of each read(2).  Not static: the unit test lowers it to
 * make every token straddle two reads.
 */
size_t	jstream_blocksize = JS_BLOCK;

/* Where the reader is between records. */
enum ostate {
	O_START,	/* nothing seen yet */
	O_AFIRST,	/* after '[': a record or ']' */
	O_ANEXT,	/* after a record in an array: ',' or ']' */
	O_ACOMMA,	/* after ',' in the array: a record */
	O_TAIL,		/* after the closing ']': only whitespace */
	O_SEQ,		/* in a sequence: a record or the end */
	O_RECORD,	/* inside a record: see the scanner state */
	O_DONE,
	O_ERROR
};

/* Where the scanner is inside a record, at a point it can resume from. */
enum sstate {
	S_VALUE,	/* a value */
	S_OBJ_FIRST,	/* after '{': a key or '}' */
	S_ARR_FIRST,	/* after '[': a value or ']' */
	S_KEY,		/* after ',' in an object: a key */
	S_ELEM,		/* after ',' in an array: a value */
	S_COLON,	/* after a key */
	S_AFTER,	/* after a value: ',' or a closing bracket */
	S_STR_KEY,	/* inside a key string */
	S_STR_VAL	/* inside a value string */
};

struct jstream {
	int		 fd;
	ssize_t		(*rd)(void *, void *, size_t);	/* or read(fd) */
	void		*rdarg;
	int		 eof;
	size_t		 maxrec;
	size_t		 block;
	unsigned char	*buf;
	size_t		 cap;		/* room for data (+ JS_SLACK) */
	size_t		 pos;		/* next byte to look at */
	size_t		 end;		/* end of the data read */
	uint64_t	 base;		/* input offset of buf[0] */
	uint64_t	 line;		/* line of buf[pos] */
	uint64_t	 ls;		/* input offset of that line */

	enum ostate	 ostate;
	int		 array;		/* an array, else a sequence */
	int		 bomchecked;
	uint64_t	 nrec;		/* records started */
	uint64_t	 comma_line, comma_ls, comma_off; /* last ',' seen */

	/* The record being scanned. */
	size_t		 rec;		/* its first byte in buf */
	uint64_t	 rec_line, rec_col;
	enum sstate	 sstate;
	uint64_t	 blank;		/* input offset of its first blank
					   between tokens, or NOBLANK */
	unsigned	 depth;
	unsigned char	 stack[A0_MAX_DEPTH]; /* 1 object, 0 array */

	/* Where jstream_copy puts the record (NULL: jstream_next). */
	unsigned char	*dst;
	int		 squeeze;	/* without blanks between tokens */
	unsigned char	*out;		/* next byte of the copy */
	size_t		 span;		/* first byte not copied */

	struct jerror	 err;
};

#define NOBLANK	UINT64_MAX

#define C_WS	1
#define C_DIGIT	2
static const unsigned char cls[256] = {
	[' '] = C_WS, ['\t'] = C_WS, ['\n'] = C_WS, ['\r'] = C_WS,
	['0'] = C_DIGIT, ['1'] = C_DIGIT, ['2'] = C_DIGIT, ['3'] = C_DIGIT,
	['4'] = C_DIGIT, ['5'] = C_DIGIT, ['6'] = C_DIGIT, ['7'] = C_DIGIT,
	['8'] = C_DIGIT, ['9'] = C_DIGIT
};
#define ISWS(c)		(cls[(c)] == C_WS)
#define ISDIGIT(c)	(cls[(c)] == C_DIGIT)

/* Value of a hex digit + 1, 0 for anything else. */
static const unsigned char hexv[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15,
	['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14,
	['E'] = 15, ['F'] = 16
};

static void
seterr(struct jstream *js, uint64_t line, uint64_t col, uint64_t num,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
seterr(struct jstream *js, uint64_t line, uint64_t col, uint64_t num,
    const char *fmt, ...)
{
	va_list ap;

	js->err.line = line;
	js->err.col = col;
	js->err.num = num;
	js->err.sys = 0;
	va_start(ap, fmt);
	vsnprintf(js->err.msg, sizeof(js->err.msg), fmt, ap);
	va_end(ap);
	js->ostate = O_ERROR;
}

/* Describe the byte at p for a message: 'x', byte 0xNN, or end of input. */
static const char *
found(char *s, size_t sz, const unsigned char *p, const unsigned char *end)
{
	if (p >= end)
		snprintf(s, sz, "end of input");
	else if (*p > ' ' && *p < 0x7f)
		snprintf(s, sz, "'%c'", *p);
	else
		snprintf(s, sz, "byte 0x%02X", *p);
	return s;
}

/*
 * Sixteen bytes at a time with SSE2 (every x86-64 has it: a0-chunk runs
 * about 20% faster with it on bench/gen-users input); -DJS_PORTABLE, or a
 * machine without it, builds the byte loops.  "make check" tests both.
 */
#if defined(__SSE2__) && !defined(JS_PORTABLE)
#define JS_SSE2	1
#include <emmintrin.h>
#else
/* Does a string byte need a closer look (quote, backslash, control, 8 bit)? */
static const unsigned char strspecial[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1,
	[0x80] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
};
#endif

/*
 * Skip to the first byte of a string body that is not plain ASCII text.
 * It reads up to 15 bytes past the byte it returns: the sentinel and the
 * zeroed slack after the data stop it in time.
 */
static inline const unsigned char *
strskip(const unsigned char *p)
{
#ifdef JS_SSE2
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(' ');
	__m128i v;
	unsigned m;

	/* A signed compare below ' ' marks controls and bytes >= 0x80. */
	for (;;) {
		v = _mm_loadu_si128((const __m128i *)(const void *)p);
		m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(v, quote),
		    _mm_cmpeq_epi8(v, bslash)), _mm_cmplt_epi8(v, space)));
		if (m != 0)
			return p + __builtin_ctz(m);
		p += 16;
	}
#else
	while (!strspecial[*p])
		p++;
	return p;
#endif
}

/*
 * Copy [a, b) to out for jstream_copy; returns the byte after the copy.
 * Short runs go sixteen bytes at a time, so up to 15 bytes past the copy
 * are written (JSTREAM_COPY_SLACK) and read (the buffer's slack).
 */
static inline unsigned char *
copyspan(unsigned char *out, const unsigned char *a, const unsigned char *b)
{
	size_t n = (size_t)(b - a);
#ifdef JS_SSE2
	size_t i;

	if (n <= 64) {
		for (i = 0; i < n; i += 16)
			_mm_storeu_si128((__m128i *)(void *)(out + i),
			    _mm_loadu_si128((const __m128i *)(const void *)
			    (a + i)));
		return out + n;
	}
#endif
	memcpy(out, a, n);
	return out + n;
}

/* Skip blanks from p, counting lines; base is the input offset of buf. */
static inline const unsigned char *
skipblanks(const unsigned char *p, const unsigned char *buf, uint64_t base,
    uint64_t *line, uint64_t *ls)
{
	for (; ISWS(*p); p++) {
		if (*p != '\n')
			continue;
		(*line)++;
		*ls = base + (uint64_t)(p - buf) + 1;
	}
	return p;
}

/*
 * What a piece of a token turned out to be: complete, cut short by the
 * end of the buffered input, or wrong (the reader's message then set).
 */
enum { TOK_DONE, TOK_MORE, TOK_BAD };

static int
bad(struct jstream *js, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
bad(struct jstream *js, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(js->err.msg, sizeof(js->err.msg), fmt, ap);
	va_end(ap);
	return TOK_BAD;
}

/* The value of the four hex digits at p, or -1 with *at on the first
 * byte that is not one. */
static inline long
hex4(const unsigned char *p, const unsigned char **at)
{
	unsigned h0 = hexv[p[0]], h1 = hexv[p[1]], h2 = hexv[p[2]],
	    h3 = hexv[p[3]];

	if (h0 && h1 && h2 && h3)
		return (long)((h0 - 1) << 12 | (h1 - 1) << 8 | (h2 - 1) << 4 |
		    (h3 - 1));
	for (*at = p; hexv[**at] != 0; (*at)++)
		;
	return -1;
}

/*
 * The escape at *pp (a backslash): TOK_DONE with *pp after it; TOK_MORE
 * with *pp left on the backslash; TOK_BAD with *pp on the wrong byte.
 * The buffer's slack keeps the twelve bytes of a surrogate pair readable.
 */
static int
escape(struct jstream *js, const unsigned char **pp, const unsigned char *end)
{
	const unsigned char *p = *pp, *at;
	unsigned c = p[1];
	long u, v;
	char fb[32];

	switch (c) {
	case '"': case '\\': case '/': case 'b':
	case 'f': case 'n': case 'r': case 't':
		*pp = p + 2;
		return TOK_DONE;
	case 'u':
		break;
	default:
		if (p + 1 == end)
			return TOK_MORE;
		if (c > ' ' && c < 0x7f)
			return bad(js, "invalid escape \\%c in string", c);
		return bad(js, "invalid escape in string: byte 0x%02X after \\",
		    c);
	}
	if ((u = hex4(p + 2, &at)) < 0) {
		if (at == end)
			return TOK_MORE;
		*pp = at;
		return bad(js, "invalid \\u escape in string: expected 4 hex "
		    "digits, found %s", found(fb, sizeof(fb), at, end));
	}
	if (u >= 0xdc00 && u <= 0xdfff)
		return bad(js, "lone surrogate \\u%04lX in string", u);
	if (u < 0xd800 || u > 0xdbff) {
		*pp = p + 6;
		return TOK_DONE;
	}
	/* A high surrogate needs a low one next: \uDC00 to \uDFFF. */
	at = p + 6;
	if (*at == '\\' && *++at == 'u') {
		if ((v = hex4(p + 8, &at)) >= 0xdc00 && v <= 0xdfff) {
			*pp = p + 12;
			return TOK_DONE;
		}
		if (v >= 0)
			return bad(js, "lone surrogate \\u%04lX in string", u);
	}
	/* at: the first byte that does not match. */
	if (at == end)
		return TOK_MORE;
	return bad(js, "lone surrogate \\u%04lX in string", u);
}

/*
 * The run of UTF-8 sequences at *pp: the second byte's range depends on
 * the first (no overlongs, no UTF-16 surrogates, nothing past U+10FFFF).
 * TOK_DONE with *pp after the run; TOK_MORE or TOK_BAD with *pp on the
 * sequence cut short or wrong.
 */
static int
utf8(struct jstream *js, const unsigned char **pp, const unsigned char *end)
{
	const unsigned char *p = *pp;
	unsigned c, lo, hi, n, i;

	for (; (c = *p) >= 0x80; p += n) {
		*pp = p;
		if (c < 0xc2 || c > 0xf4)
			return bad(js, "invalid UTF-8 byte 0x%02X", c);
		n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
		if (p[1] < lo || p[1] > hi)
			i = 1;
		else if (n > 2 && (p[2] & 0xc0) != 0x80)
			i = 2;
		else if (n > 3 && (p[3] & 0xc0) != 0x80)
			i = 3;
		else
			continue;
		if (p + i == end)
			return TOK_MORE;
		return bad(js, "invalid UTF-8 sequence: byte 0x%02X after "
		    "0x%02X", p[i], c);
	}
	*pp = p;
	return TOK_DONE;
}

/* A literal at *pp, as strbody: TOK_MORE leaves *pp where it was. */
static inline int
literal(struct jstream *js, const unsigned char **pp,
    const unsigned char *end)
{
	const unsigned char *p = *pp;
	const char *lit = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
	size_t i, n = strlen(lit);

	for (i = 0; i < n && p[i] == (unsigned char)lit[i]; i++)
		;
	if (i == n) {
		*pp = p + n;
		return TOK_DONE;
	}
	if (p + i == end)
		return TOK_MORE;
	*pp = p + i;
	return bad(js, "invalid literal, expected %s", lit);
}

/* A number that stops at p, short of what; TOK_MORE at the end of the
 * buffered input. */
static int
numbad(struct jstream *js, const unsigned char **pp, const unsigned char *p,
    const unsigned char *end, const char *what)
{
	char fb[32];

	*pp = p;
	if (p == end)
		return TOK_MORE;
	return bad(js, "expected a digit %s, found %s", what,
	    found(fb, sizeof(fb), p, end));
}

/* A number at *pp, as strbody: TOK_MORE when the buffered input ends in
 * it or just after it (it is scanned again from its start). */
static inline int
number(struct jstream *js, const unsigned char **pp, const unsigned char *end)
{
	const unsigned char *p = *pp;

	if (*p == '-')
		p++;
	if (*p == '0' && ISDIGIT(p[1])) {
		*pp = p + 1;
		return bad(js, "leading zero in number");
	}
	if (!ISDIGIT(*p))
		return numbad(js, pp, p, end, "after '-'");
	while (ISDIGIT(*p))
		p++;
	if (*p == '.' && !ISDIGIT(*++p))
		return numbad(js, pp, p, end, "after '.' in number");
	while (ISDIGIT(*p))
		p++;
	if (*p == 'e' || *p == 'E') {
		p += p[1] == '+' || p[1] == '-' ? 2 : 1;
		if (!ISDIGIT(*p))
			return numbad(js, pp, p, end, "in exponent");
		while (ISDIGIT(*p))
			p++;
	}
	*pp = p;
	return p == end ? TOK_MORE : TOK_DONE;
}

/*
 * A string body from *pp (after the opening quote) to its closing quote:
 * TOK_DONE with *pp after the quote; TOK_MORE with *pp where to resume
 * (the body before it is checked); TOK_BAD with *pp on the wrong byte.
 */
static inline int
strbody(struct jstream *js, const unsigned char **pp, const unsigned char *end)
{
	const unsigned char *p = *pp;
	int r = TOK_DONE;

	while (r == TOK_DONE) {
		p = strskip(p);
		if (*p == '"') {
			*pp = p + 1;
			return TOK_DONE;
		}
		if (*p == '\\')
			r = escape(js, &p, end);
		else if (*p >= 0x80)
			r = utf8(js, &p, end);
		else if (p == end)
			r = TOK_MORE;
		else
			r = bad(js, "unescaped control character 0x%02X in "
			    "string", *p);
	}
	*pp = p;
	return r;
}
static int	scan(struct jstream *);
static int	next(struct jstream *, struct jrecord *);

/* A maxrec of 0 means no limit (memory then grows with the record). */
struct jstream *
jstream_open(int fd, size_t maxrec)
{
	struct jstream *js;

	js = xcalloc(1, sizeof(*js));
	js->fd = fd;
	js->maxrec = maxrec ? maxrec : SIZE_MAX;
	js->block = jstream_blocksize ? jstream_blocksize : 1;
	js->cap = js->block;
	js->buf = xmalloc(js->cap + JS_SLACK);
	memset(js->buf, 0, JS_SLACK);
	js->line = 1;
	js->ostate = O_START;
	return js;
}

struct jstream *
jstream_open_fn(ssize_t (*rd)(void *, void *, size_t), void *arg,
    size_t maxrec)
{
	struct jstream *js = jstream_open(-1, maxrec);

	js->rd = rd;
	js->rdarg = arg;
	return js;
}

void
jstream_close(struct jstream *js)
{
	if (js == NULL)
		return;
	free(js->buf);
	free(js);
}

const struct jerror *
jstream_error(const struct jstream *js)
{
	return &js->err;
}

char *
jstream_strerror(const struct jstream *js, const char *fname, char *buf,
    size_t sz)
{
	const struct jerror *e = &js->err;
	const char *f = fname != NULL ? fname : "";
	const char *sep = fname == NULL ? "" : e->sys != 0 ? ": " : ":";

	if (e->sys != 0)
		snprintf(buf, sz, "%s%s%s", f, sep, strerror(e->sys));
	else if (e->num > 0)
		snprintf(buf, sz, "%s%s%llu:%llu: record %llu: %s", f, sep,
		    (unsigned long long)e->line, (unsigned long long)e->col,
		    (unsigned long long)e->num, e->msg);
	else
		snprintf(buf, sz, "%s%s%llu:%llu: %s", f, sep,
		    (unsigned long long)e->line, (unsigned long long)e->col,
		    e->msg);
	return buf;
}

/* Column of buffer index i, on the current line. */
static uint64_t
colof(const struct jstream *js, size_t i)
{
	return js->base + i - js->ls + 1;
}

/*
 * Read more input behind buf[end], first dropping the bytes before keep
 * (the first byte still needed) when room is short.  Returns 0 (eof set
 * at the end of input), or -1 with the error set.
 */
static int
refill(struct jstream *js, size_t keep)
{
	size_t n, want, limit;
	ssize_t r;

	if (js->cap - js->end < js->block && keep > 0) {
		memmove(js->buf, js->buf + keep, js->end - keep);
		js->base += keep;
		js->end -= keep;
		js->pos -= keep;
		js->rec -= keep < js->rec ? keep : js->rec;
		js->span -= keep < js->span ? keep : js->span;
	}
	if (js->cap - js->end < js->block) {
		/* The kept bytes are at most maxrec: grow to maxrec + block. */
		if (js->maxrec > SIZE_MAX / 2 - js->block - JS_SLACK)
			limit = SIZE_MAX / 2;
		else
			limit = js->maxrec + js->block;
		n = js->cap < limit / 2 ? js->cap * 2 : limit;
		if (n < js->end + js->block)
			n = js->end + js->block;
		js->buf = xrealloc(js->buf, n + JS_SLACK);
		js->cap = n;
	}
	want = js->cap - js->end;
	if (want > js->block)
		want = js->block;
	do
		r = js->rd != NULL ? js->rd(js->rdarg, js->buf + js->end,
		    want) : read(js->fd, js->buf + js->end, want);
	while (r == -1 && errno == EINTR);
	if (r == -1) {
		seterr(js, js->line, colof(js, js->pos),
		    js->ostate == O_RECORD ? js->nrec : 0,
		    "read error: %s", strerror(errno));
		js->err.sys = errno;
		memset(js->buf + js->end, 0, JS_SLACK);
		return -1;
	}
	if (r == 0)
		js->eof = 1;
	js->end += r;
	memset(js->buf + js->end, 0, JS_SLACK);
	return 0;
}

/* The record being read is longer than the caller allows. */
static int
toolong(struct jstream *js)
{
	seterr(js, js->rec_line, js->rec_col, js->nrec,
	    "longer than %zu bytes", js->maxrec);
	return -1;
}

/* The input ended inside a record. */
static int
eof_in_record(struct jstream *js)
{
	const char *what;
	unsigned char c;

	if (js->sstate == S_STR_KEY || js->sstate == S_STR_VAL)
		what = " in string";
	else if (js->pos < js->end) {
		c = js->buf[js->pos];
		what = c == '-' || ISDIGIT(c) ? " in number" : " in literal";
	} else if (js->depth > 0 && js->stack[js->depth - 1])
		what = " in object";
	else
		what = " in array";
	seterr(js, js->line, colof(js, js->end), js->nrec,
	    "unexpected end of input%s", what);
	return -1;
}

int
jstream_next(struct jstream *js, struct jrecord *rec)
{
	js->dst = NULL;
	return next(js, rec);
}

int
jstream_copy(struct jstream *js, struct jrecord *rec, char *dst, int squeeze)
{
	js->dst = (unsigned char *)dst;
	js->squeeze = squeeze;
	return next(js, rec);
}

/* next()'s pieces return one of these, or what next() returns. */
#define AGAIN	2

/* The record just scanned, handed out. */
static int
give(struct jstream *js, struct jrecord *rec)
{
	rec->len = js->pos - js->rec;
	if (rec->len > js->maxrec)
		return toolong(js);
	rec->buf = (const char *)js->buf + js->rec;
	rec->num = js->nrec;
	rec->line = js->rec_line;
	rec->col = js->rec_col;
	rec->offset = js->base + js->rec;
	rec->blank = js->blank == NOBLANK ? rec->len :
	    (size_t)(js->blank - rec->offset);
	if (js->dst != NULL) {
		rec->buf = (const char *)js->dst;
		rec->len = (size_t)(js->out - js->dst);
		if (js->squeeze)
			rec->blank = rec->len;
	}
	js->ostate = js->array ? O_ANEXT : O_SEQ;
	return 1;
}

/* Inside a record: scan on, reading more input as it is needed. */
static int
in_record(struct jstream *js, struct jrecord *rec)
{
	int r;

	if ((r = scan(js)) == 1)
		return give(js, rec);
	if (r == -1) {
		js->ostate = O_ERROR;
		return -1;
	}
	if (js->eof)
		return eof_in_record(js);
	if (js->end - js->rec > js->maxrec)
		return toolong(js);
	return refill(js, js->rec) == -1 ? -1 : AGAIN;
}

/*
 * A UTF-8 byte order mark opening the input is skipped (RFC 8259 section
 * 8.1 lets a parser ignore it; some Windows tools write one); its bytes
 * count in offsets but not in columns.  Anywhere else those bytes are an
 * error.  Returns 0, AGAIN after reading more, or -1.
 */
static int
skip_bom(struct jstream *js)
{
	static const char bom[] = "\xef\xbb\xbf";
	size_t have = js->end - js->pos;

	if (have < 3 && !js->eof &&
	    memcmp(js->buf + js->pos, bom, have) == 0)
		return refill(js, js->pos) == -1 ? -1 : AGAIN;
	js->bomchecked = 1;
	if (have >= 3 && memcmp(js->buf + js->pos, bom, 3) == 0) {
		js->pos += 3;
		js->ls = js->base + js->pos;
	}
	return 0;
}

/* Nothing but blanks is left of the buffered input between records. */
static int
at_end(struct jstream *js)
{
	if (!js->eof)
		return refill(js, js->pos) == -1 ? -1 : AGAIN;
	switch (js->ostate) {
	case O_START:
	case O_TAIL:
	case O_SEQ:
		js->ostate = O_DONE;
		return 0;
	case O_AFIRST:
	case O_ACOMMA:
		seterr(js, js->line, colof(js, js->pos), 0,
		    "unexpected end of input, expected an object");
		return -1;
	default:
		seterr(js, js->line, colof(js, js->pos), 0, "unexpected end "
		    "of input, expected ',' or ']' after record");
		return -1;
	}
}

/* Move past the byte at pos into state o. */
static int
step(struct jstream *js, enum ostate o)
{
	js->ostate = o;
	js->pos++;
	return AGAIN;
}

/* A record starts at pos. */
static int
start(struct jstream *js)
{
	js->nrec++;
	js->rec = js->pos;
	js->rec_line = js->line;
	js->rec_col = colof(js, js->pos);
	js->sstate = S_VALUE;
	js->blank = NOBLANK;
	js->depth = 0;
	js->out = js->dst;
	js->span = js->pos;
	js->ostate = O_RECORD;
	return AGAIN;
}

/* The byte at pos, between records: what it starts or ends. */
static int
between(struct jstream *js)
{
	const unsigned char *p = js->buf + js->pos, *end = js->buf + js->end;
	uint64_t col = colof(js, js->pos);
	char fb[32];

	switch (js->ostate) {
	case O_START:
		if (*p == '[') {
			js->array = 1;
			return step(js, O_AFIRST);
		}
		if (*p == '{')
			return start(js);
		seterr(js, js->line, col, 0, "expected an array of objects "
		    "or a sequence of objects, found %s",
		    found(fb, sizeof(fb), p, end));
		return -1;
	case O_AFIRST:
		if (*p == ']')
			return step(js, O_TAIL);
		break;
	case O_ACOMMA:
		if (*p != ']')
			break;
		seterr(js, js->comma_line, js->comma_off - js->comma_ls + 1, 0,
		    "trailing comma");
		return -1;
	case O_ANEXT:
		if (*p == ']')
			return step(js, O_TAIL);
		if (*p == ',') {
			js->comma_line = js->line;
			js->comma_ls = js->ls;
			js->comma_off = js->base + js->pos;
			return step(js, O_ACOMMA);
		}
		seterr(js, js->line, col, 0, "expected ',' or ']' after "
		    "record, found %s", found(fb, sizeof(fb), p, end));
		return -1;
	case O_TAIL:
		seterr(js, js->line, col, 0, "expected end of input after "
		    "']', found %s", found(fb, sizeof(fb), p, end));
		return -1;
	default:
		break;
	}
	/* O_AFIRST, O_ACOMMA, O_SEQ: a record. */
	if (*p == '{')
		return start(js);
	seterr(js, js->line, col, js->nrec + 1, "expected an object, found %s",
	    found(fb, sizeof(fb), p, end));
	return -1;
}

/* The body of jstream_next and jstream_copy. */
static int
next(struct jstream *js, struct jrecord *rec)
{
	const unsigned char *p;
	int r = AGAIN;

	while (r == AGAIN) {
		if (js->ostate == O_ERROR)
			return -1;
		if (js->ostate == O_DONE)
			return 0;
		if (js->ostate == O_RECORD) {
			r = in_record(js, rec);
			continue;
		}
		if (!js->bomchecked && (r = skip_bom(js)) != 0)
			continue;
		/* Blanks between records. */
		p = skipblanks(js->buf + js->pos, js->buf, js->base,
		    &js->line, &js->ls);
		js->pos = (size_t)(p - js->buf);
		r = js->pos == js->end ? at_end(js) : between(js);
	}
	return r;
}

/*
 * Scan the record from the saved state on.  Returns 1 when it is complete
 * (js->pos just after it), 0 when more input is needed (the state saved to
 * resume), -1 on an error (set).
 */
static int
scan(struct jstream *js)
{
	unsigned char *const buf = js->buf;
	unsigned char *const stack = js->stack;
	const unsigned char *p = buf + js->pos;
	const unsigned char *const end = buf + js->end;
	const unsigned char *tok = p, *resume = p, *errp = p;
	const uint64_t base = js->base;
	uint64_t line = js->line, ls = js->ls, blank = js->blank;
	unsigned depth = js->depth;
	unsigned char *out = js->out;
	const unsigned char *span = buf + js->span;
	const unsigned char *const recp = buf + js->rec;
	const int squeeze = js->squeeze && out != NULL;
	enum sstate st = S_VALUE;
	int key;
	char fb[32];

/*
 * Copy the record up to to, for jstream_copy.  No more than maxrec bytes
 * of it are copied (dst has room for no more): a record longer is refused
 * once it is complete, or when the buffer must grow for it.
 */
#define COPY(to) do {							\
	if ((size_t)((to) - recp) <= js->maxrec)			\
		out = copyspan(out, span, (to));			\
} while (0)
/* Blanks between tokens: noted, counted, and left out of a squeeze. */
#define SKIPWS() do {							\
	if (*p > ' ' || !ISWS(*p))					\
		break;							\
	if (blank == NOBLANK)						\
		blank = base + (uint64_t)(p - buf);			\
	if (squeeze)							\
		COPY(p);						\
	p = skipblanks(p, buf, base, &line, &ls);			\
	if (squeeze)							\
		span = p;						\
} while (0)
#define NEED(s, at)	do { st = (s); resume = (at); goto need; } while (0)
#define FAIL(at, ...) do {						\
	errp = (at);							\
	snprintf(js->err.msg, sizeof(js->err.msg), __VA_ARGS__);	\
	goto fail;							\
} while (0)
#define FOUND()		found(fb, sizeof(fb), p, end)
/* A token scanned by a function of its own; at: where to resume. */
#define TOKEN(r, s, at) do {						\
	switch (r) {							\
	case TOK_MORE:							\
		NEED((s), (at));					\
	case TOK_BAD:	/* the message is set */			\
		errp = p;						\
		goto fail;						\
	default:							\
		break;							\
	}								\
} while (0)
#define COMMA() do {							\
	js->comma_line = line;						\
	js->comma_ls = ls;						\
	js->comma_off = base + (uint64_t)(p - buf);			\
} while (0)

	key = 0;
	switch (js->sstate) {
	case S_VALUE:
		goto value;
	case S_OBJ_FIRST:
		goto obj_first;
	case S_ARR_FIRST:
		goto arr_first;
	case S_KEY:
		goto key_next;
	case S_ELEM:
		goto elem_next;
	case S_COLON:
		goto colon;
	case S_AFTER:
		goto after;
	case S_STR_KEY:
		key = 1;
		goto string;
	case S_STR_VAL:
		goto string;
	}

value:
	SKIPWS();
	tok = p;
	switch (*p) {
	case '{':
	case '[':
		if (depth == A0_MAX_DEPTH)
			FAIL(p, "nesting deeper than %d", A0_MAX_DEPTH);
		stack[depth++] = *p == '{';
		if (*p++ == '{')
			goto obj_first;
		goto arr_first;
	case '"':
		p++;
		goto string;
	case 't': case 'f': case 'n':
		goto literal;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		goto number;
	default:
		if (p == end)
			NEED(S_VALUE, p);
		if (*p >= 0x80)
			FAIL(p, "expected a value, found byte 0x%02X "
			    "(non-ASCII outside a string)", *p);
		FAIL(p, "expected a value, found %s", FOUND());
	}

obj_first:
	SKIPWS();
	if (*p == '"') {
		p++;
		key = 1;
		goto string;
	}
	if (*p == '}') {
		p++;
		depth--;
		goto after;
	}
	if (p == end)
		NEED(S_OBJ_FIRST, p);
	FAIL(p, "expected a string key or '}', found %s", FOUND());

arr_first:
	SKIPWS();
	if (*p == ']') {
		p++;
		depth--;
		goto after;
	}
	if (p == end)
		NEED(S_ARR_FIRST, p);
	goto value;

key_next:
	SKIPWS();
	if (*p == '"') {
		p++;
		key = 1;
		goto string;
	}
	if (p == end)
		NEED(S_KEY, p);
	if (*p == '}')
		FAIL(NULL, "trailing comma");
	FAIL(p, "expected a string key, found %s", FOUND());

elem_next:
	SKIPWS();
	if (p == end)
		NEED(S_ELEM, p);
	if (*p == ']')
		FAIL(NULL, "trailing comma");
	goto value;

colon:
	SKIPWS();
	if (*p == ':') {
		p++;
		goto value;
	}
	if (p == end)
		NEED(S_COLON, p);
	FAIL(p, "expected ':' after key, found %s", FOUND());

after:
	if (depth == 0)
		goto done;
	SKIPWS();
	if (*p == ',') {
		COMMA();
		p++;
		if (stack[depth - 1])
			goto key_next;
		goto elem_next;
	}
	if (*p == (stack[depth - 1] ? '}' : ']')) {
		p++;
		depth--;
		goto after;
	}
	if (p == end)
		NEED(S_AFTER, p);
	if (stack[depth - 1])
		FAIL(p, "expected ',' or '}' after object member, found %s",
		    FOUND());
	FAIL(p, "expected ',' or ']' after array element, found %s",
	    FOUND());

literal:
	TOKEN(literal(js, &p, end), S_VALUE, tok);
	goto after;

number:
	TOKEN(number(js, &p, end), S_VALUE, tok);
	goto after;

string:
	/* p is inside the string body, after the opening quote. */
	TOKEN(strbody(js, &p, end), key ? S_STR_KEY : S_STR_VAL, p);
	if (!key)
		goto after;
	key = 0;
	goto colon;

done:
	if (out != NULL) {
		COPY(p);
		js->out = out;
	}
	js->pos = (size_t)(p - buf);
	js->line = line;
	js->ls = ls;
	js->blank = blank;
	js->depth = 0;
	return 1;

need:
	js->out = out;
	js->span = (size_t)(span - buf);
	js->pos = (size_t)(resume - buf);
	js->sstate = st;
	js->line = line;
	js->ls = ls;
	js->blank = blank;
	js->depth = depth;
	return 0;

fail:
	js->err.sys = 0;
	js->err.num = js->nrec;
	js->err.line = errp == NULL ? js->comma_line : line;
	/* errp NULL: a trailing comma, pointed at. */
	js->err.col = errp == NULL ? js->comma_off - js->comma_ls + 1 :
	    base + (uint64_t)(errp - buf) - ls + 1;
	js->ostate = O_ERROR;
	return -1;
#undef SKIPWS
#undef COPY
#undef NEED
#undef FAIL
#undef FOUND
#undef COMMA
#undef TOKEN
}

/*
 * Copy a valid JSON text without the whitespace between tokens (strings
 * untouched).  Used on Auth0's answers, off the hot path: a byte at a
 * time.
 */
size_t
json_compact(const char *in, size_t len, char *out)
{
	const unsigned char *p = (const unsigned char *)in, *end = p + len;
	unsigned char *o = (unsigned char *)out;
	int str = 0, esc = 0;

	for (; p < end; p++) {
		if (!str && ISWS(*p))
			continue;
		*o++ = *p;
		if (!str)
			str = *p == '"';
		else if (esc)
			esc = 0;
		else if (*p == '\\')
			esc = 1;
		else if (*p == '"')
			str = 0;
	}
	return (size_t)(o - (unsigned char *)out);
}
