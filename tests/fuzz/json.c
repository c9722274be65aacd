/*
 * json.c: libFuzzer target for the jsmn wrapper (json.c) on arbitrary
 * bytes, the way a0-submit reads API answers: tokenize, then walk every
 * token with json_skip, json_get, json_streq, json_unescape, json_strdup,
 * json_int.  jsmn does not validate, so the checks that the functions
 * agree with one another apply when the strict record reader
 * (jstream.c) finds the text to be one valid JSON value; on anything
 * else they must only stay within the text and the token array.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "a0.h"

int	LLVMFuzzerTestOneInput(const unsigned char *, size_t);

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "json: check failed: %s (line %d)\n",	\
		    #c, __LINE__);					\
		abort();						\
	}								\
} while (0)

static const char *const keys[] = {
	"id", "status", "user", "errors", "code", "message", "summary",
	"access_token", "expires_in", "connections", "name", "", NULL
};

/* Is text one valid JSON value?  Asked of the reader as {"v":TEXT}. */
static int
valid(const char *text, size_t len)
{
	static FILE *f;
	struct jstream *js;
	struct jrecord rec;
	int fd, ok;

	if (f == NULL && (f = tmpfile()) == NULL)
		abort();
	fd = fileno(f);
	if (ftruncate(fd, 0) == -1 || pwrite(fd, "{\"v\":", 5, 0) != 5 ||
	    (len > 0 && pwrite(fd, text, len, 5) != (ssize_t)len) ||
	    pwrite(fd, "}", 1, 5 + (off_t)len) != 1 ||
	    lseek(fd, 0, SEEK_SET) == -1)
		abort();
	js = jstream_open(fd, 0);
	ok = jstream_next(js, &rec) == 1 && rec.len == len + 6 &&
	    jstream_next(js, &rec) == 0;
	jstream_close(js);
	return ok;
}

/* A string token: unescaping agrees with strdup, streq and json_get. */
static void
check_string(const struct jdoc *d, int i, int obj, int first, int strict)
{
	const struct jtok *t = &d->tok[i];
	size_t sz = (size_t)(t->end - t->start) + 1;
	char *u, *s;
	int n, v;

	u = xmalloc(sz);
	n = json_unescape(d, i, u, sz);
	s = json_strdup(d, i);
	CHECK((n < 0) == (s == NULL));
	if (n >= 0) {
		CHECK((size_t)n < sz && u[n] == '\0');
		CHECK(memcmp(u, s, (size_t)n + 1) == 0);
		/* One byte less of room must not fit (or overrun). */
		if (n > 0)
			CHECK(json_unescape(d, i, s, (size_t)n) == -1);
		if (strict && memchr(u, '\0', (size_t)n) == NULL) {
			CHECK(json_streq(d, i, u));
			/* The first member with this key is found. */
			if (obj >= 0 && first) {
				v = json_get(d, obj, u);
				CHECK(v >= 0 && v <= i + 1);
			}
		}
	}
	free(u);
	free(s);
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct jdoc d;
	const struct jtok *t;
	char *text;
	long long v;
	int n, i, j, k, par, strict;

	/* API answers are NUL-terminated; the length is what counts. */
	text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	n = json_parse(&d, text, size);
	if (n <= 0) {
		free(text);
		return 0;
	}
	CHECK(json_skip(&d, 0) == n);
	strict = valid(text, size);
	for (i = 0; i < n; i++) {
		t = &d.tok[i];
		CHECK(t->start >= 0 && t->start <= t->end &&
		    (size_t)t->end <= size);
		CHECK(t->parent < i);
		j = json_skip(&d, i);
		CHECK(j > i && j <= n);
		par = t->parent;
		switch (t->type) {
		case JT_OBJECT:
			for (k = 0; keys[k] != NULL; k++) {
				j = json_get(&d, i, keys[k]);
				CHECK(j == -1 || (j > i && j < n));
				if (strict)
					CHECK(j == -1 ||
					    (d.tok[j - 1].type == JT_STRING &&
					    json_streq(&d, j - 1, keys[k])));
			}
			break;
		case JT_STRING:
			/* A key is a string whose parent is an object. */
			check_string(&d, i, par >= 0 &&
			    d.tok[par].type == JT_OBJECT ? par : -1,
			    par >= 0 && d.tok[par].type == JT_OBJECT, strict);
			CHECK(json_int(&d, i, &v) == -1);
			break;
		case JT_PRIMITIVE:
			/* An integer is an optional '-' and digits only. */
			if (json_int(&d, i, &v) == 0) {
				k = t->start + (text[t->start] == '-');
				CHECK(k < t->end);
				for (; k < t->end; k++)
					CHECK(text[k] >= '0' && text[k] <= '9');
			}
			break;
		default:
			break;
		}
	}
	free(text);
	return 0;
}
