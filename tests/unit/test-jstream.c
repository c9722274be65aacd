/*
 * test-jstream.c: the streaming record reader, rule by rule, at many read
 * sizes (so that every token straddles two reads somewhere), and against
 * JSONTestSuite.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "a0.h"
#include "tap.h"

/* The reader's read size, lowered here to split tokens across reads. */
extern size_t jstream_blocksize;

static const size_t blocks[] = { 256 * 1024, 1, 2, 3, 5, 8, 13, 64 };
#define NBLOCKS	(sizeof(blocks) / sizeof(blocks[0]))

static FILE *tmp;

/* Put len bytes of in into the scratch file and return its descriptor. */
static int
feed(const char *in, size_t len)
{
	int fd = fileno(tmp);

	if (ftruncate(fd, 0) == -1 || lseek(fd, 0, SEEK_SET) == -1 ||
	    a0_write_all(fd, in, len) == -1 || lseek(fd, 0, SEEK_SET) == -1) {
		perror("scratch file");
		exit(2);
	}
	return fd;
}

/*
 * Read all of in and describe what the reader saw: each record as
 * "num@line:col+offset/len", then "end" or "line:col rNUM: message".
 * A record whose bytes differ from the input at its offset says so.
 */
static const char *
outcome(const char *in, size_t len, size_t maxrec, size_t block)
{
	static char s[8192];
	struct jstream *js;
	struct jrecord r;
	const struct jerror *e;
	size_t o = 0;
	int n;

	jstream_blocksize = block;
	js = jstream_open(feed(in, len), maxrec);
	s[0] = '\0';
	while ((n = jstream_next(js, &r)) == 1) {
		o += snprintf(s + o, sizeof(s) - o,
		    "%llu@%llu:%llu+%llu/%zu%s ",
		    (unsigned long long)r.num, (unsigned long long)r.line,
		    (unsigned long long)r.col, (unsigned long long)r.offset,
		    r.len, r.offset + r.len <= len &&
		    memcmp(r.buf, in + r.offset, r.len) == 0 ? "" :
		    "MISMATCH");
		if (o >= sizeof(s) - 200)
			break;
	}
	if (n == 0)
		snprintf(s + o, sizeof(s) - o, "end");
	else if (n == -1) {
		e = jstream_error(js);
		snprintf(s + o, sizeof(s) - o, "%llu:%llu r%llu: %s",
		    (unsigned long long)e->line, (unsigned long long)e->col,
		    (unsigned long long)e->num, e->msg);
	}
	/* Once finished, the reader stays finished. */
	if (n != 1 && jstream_next(js, &r) != n)
		snprintf(s + strlen(s), sizeof(s) - strlen(s), " UNSTABLE");
	jstream_close(js);
	jstream_blocksize = 256 * 1024;
	return s;
}

/* Run one input at every read size; all must give want. */
static void
check(const char *desc, const char *in, size_t len, size_t maxrec,
    const char *want)
{
	char first[8192];
	const char *got;
	size_t i;

	snprintf(first, sizeof(first), "%s", outcome(in, len, maxrec,
	    blocks[0]));
	for (i = 1; i < NBLOCKS; i++) {
		got = outcome(in, len, maxrec, blocks[i]);
		if (strcmp(got, first) != 0) {
			ok(0, "%s (read size %zu differs)", desc, blocks[i]);
			printf("#   read size %zu: '%s'\n#   read size %zu: "
			    "'%s'\n", blocks[0], first, blocks[i], got);
			return;
		}
	}
	got = first;
	is_str(got, want, "%s", desc);
}

/* One value placed in a record, whose value starts at column 7. */
#define V(x)	"[{\"v\":" x "}]"
#define OKV	"1@1:2+1/"

struct rule {
	const char	*in;
	size_t		 len;	/* 0: strlen(in) */
	const char	*want;	/* the records, then "end" or the error */
};

/* Every rule both ways.  "ok" stands for: the one record was read. */
static const struct rule rules[] = {
	/* Top level. */
	{ "", 0, "end" },
	{ " \t\r\n ", 0, "end" },
	{ "[]", 0, "end" },
	{ " [ \n ] \n", 0, "end" },
	{ "[{}]", 0, "1@1:2+1/2 end" },
	{ "[{},{}]", 0, "1@1:2+1/2 2@1:5+4/2 end" },
	{ "{}", 0, "1@1:1+0/2 end" },
	{ "{}{}", 0, "1@1:1+0/2 2@1:3+2/2 end" },
	{ "{}\n{}\n", 0, "1@1:1+0/2 2@2:1+3/2 end" },
	{ "42", 0, "1:1 r0: expected an array of objects or a sequence of "
	    "objects, found '4'" },
	{ "\"x\"", 0, "1:1 r0: expected an array of objects or a sequence "
	    "of objects, found '\"'" },
	{ "null", 0, "1:1 r0: expected an array of objects or a sequence "
	    "of objects, found 'n'" },
	{ "[1,2]", 0, "1:2 r1: expected an object, found '1'" },
	{ "[{}, 3]", 0, "1@1:2+1/2 1:6 r2: expected an object, found '3'" },
	{ "[[]]", 0, "1:2 r1: expected an object, found '['" },
	{ "[\"a\"]", 0, "1:2 r1: expected an object, found '\"'" },
	{ "{}\n[]", 0, "1@1:1+0/2 2:1 r2: expected an object, found '['" },
	{ "{}\n,{}", 0, "1@1:1+0/2 2:1 r2: expected an object, found ','" },
	{ "[", 0, "1:2 r0: unexpected end of input, expected an object" },
	{ "[{}", 0, "1@1:2+1/2 1:4 r0: unexpected end of input, expected "
	    "',' or ']' after record" },
	{ "[{},", 0, "1@1:2+1/2 1:5 r0: unexpected end of input, expected "
	    "an object" },
	{ "[{},]", 0, "1@1:2+1/2 1:4 r0: trailing comma" },
	{ "[{},\n\n  ]", 0, "1@1:2+1/2 1:4 r0: trailing comma" },
	{ "[,{}]", 0, "1:2 r1: expected an object, found ','" },
	{ "[{},,{}]", 0, "1@1:2+1/2 1:5 r2: expected an object, found ','" },
	{ "[{} {}]", 0, "1@1:2+1/2 1:5 r0: expected ',' or ']' after record, "
	    "found '{'" },
	{ "[{}] ", 0, "1@1:2+1/2 end" },
	{ "[{}] \n\t\r ", 0, "1@1:2+1/2 end" },
	{ "[{}] x", 0, "1@1:2+1/2 1:6 r0: expected end of input after ']', "
	    "found 'x'" },
	{ "[{}]]", 0, "1@1:2+1/2 1:5 r0: expected end of input after ']', "
	    "found ']'" },
	{ "[{}][{}]", 0, "1@1:2+1/2 1:5 r0: expected end of input after "
	    "']', found '['" },
	{ "[]{}", 0, "1:3 r0: expected end of input after ']', found '{'" },
	{ "{", 0, "1:2 r1: unexpected end of input in object" },
	{ "{\"a\":[", 0, "1:7 r1: unexpected end of input in array" },
	{ "\f[]", 0, "1:1 r0: expected an array of objects or a sequence "
	    "of objects, found byte 0x0C" },
	{ "[{}]\f", 0, "1@1:2+1/2 1:5 r0: expected end of input after ']', "
	    "found byte 0x0C" },
	{ "[{}]\0", 5, "1@1:2+1/2 1:5 r0: expected end of input after ']', "
	    "found byte 0x00" },

	/* Byte order mark: skipped at the start only. */
	{ "\xef\xbb\xbf[{}]", 0, "1@1:2+4/2 end" },
	{ "\xef\xbb\xbf{}\n{}", 0, "1@1:1+3/2 2@2:1+6/2 end" },
	{ "\xef\xbb\xbf", 0, "end" },
	{ "\xef\xbb", 0, "1:1 r0: expected an array of objects or a sequence "
	    "of objects, found byte 0xEF" },
	{ "\xef\xbb\xbf\xef\xbb\xbf[]", 0, "1:1 r0: expected an array of "
	    "objects or a sequence of objects, found byte 0xEF" },
	{ " \xef\xbb\xbf[]", 0, "1:2 r0: expected an array of objects or a "
	    "sequence of objects, found byte 0xEF" },
	{ "[\xef\xbb\xbf{}]", 0, "1:2 r1: expected an object, found byte "
	    "0xEF" },
	{ V("\"\xef\xbb\xbf\""), 0, OKV "11 end" },

	/* Literals. */
	{ V("true"), 0, OKV "10 end" },
	{ V("false"), 0, OKV "11 end" },
	{ V("null"), 0, OKV "10 end" },
	{ V("tru"), 0, "1:10 r1: invalid literal, expected true" },
	{ V("True"), 0, "1:7 r1: expected a value, found 'T'" },
	{ V("nul"), 0, "1:10 r1: invalid literal, expected null" },
	{ V("fals"), 0, "1:11 r1: invalid literal, expected false" },
	{ V("nulll"), 0, "1:11 r1: expected ',' or '}' after object member, "
	    "found 'l'" },
	{ V("truefalse"), 0, "1:11 r1: expected ',' or '}' after object "
	    "member, found 'f'" },
	{ "[{\"v\":tr", 0, "1:9 r1: unexpected end of input in literal" },

	/* Numbers. */
	{ V("0"), 0, OKV "7 end" },
	{ V("-0"), 0, OKV "8 end" },
	{ V("123"), 0, OKV "9 end" },
	{ V("-1.5e10"), 0, OKV "13 end" },
	{ V("1E+2"), 0, OKV "10 end" },
	{ V("1e-2"), 0, OKV "10 end" },
	{ V("0.0"), 0, OKV "9 end" },
	{ V("0e0"), 0, OKV "9 end" },
	{ V("1234567890123456789012345678901234567890"), 0, OKV "46 end" },
	{ V("01"), 0, "1:8 r1: leading zero in number" },
	{ V("-01"), 0, "1:9 r1: leading zero in number" },
	{ V("00"), 0, "1:8 r1: leading zero in number" },
	{ V("1."), 0, "1:9 r1: expected a digit after '.' in number, found "
	    "'}'" },
	{ V("1.e5"), 0, "1:9 r1: expected a digit after '.' in number, "
	    "found 'e'" },
	{ V(".5"), 0, "1:7 r1: expected a value, found '.'" },
	{ V("+1"), 0, "1:7 r1: expected a value, found '+'" },
	{ V("1e"), 0, "1:9 r1: expected a digit in exponent, found '}'" },
	{ V("1e+"), 0, "1:10 r1: expected a digit in exponent, found '}'" },
	{ V("-"), 0, "1:8 r1: expected a digit after '-', found '}'" },
	{ V("--1"), 0, "1:8 r1: expected a digit after '-', found '-'" },
	{ V("0x10"), 0, "1:8 r1: expected ',' or '}' after object member, "
	    "found 'x'" },
	{ V("1.5.3"), 0, "1:10 r1: expected ',' or '}' after object member, "
	    "found '.'" },
	{ V("NaN"), 0, "1:7 r1: expected a value, found 'N'" },
	{ V("Infinity"), 0, "1:7 r1: expected a value, found 'I'" },
	{ V("1 2"), 0, "1:9 r1: expected ',' or '}' after object member, "
	    "found '2'" },
	{ "[{\"v\":12", 0, "1:9 r1: unexpected end of input in number" },

	/* Strings and escapes. */
	{ V("\"\""), 0, OKV "8 end" },
	{ V("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\""), 0, OKV "31 end" },
	{ V("\"\\u0041\\u00e9\\uFFFF\\u0000\""), 0, OKV "32 end" },
	{ V("\"\\uD83D\\uDE00\""), 0, OKV "20 end" },
	{ V("\"\\udbff\\udfff\""), 0, OKV "20 end" },
	{ V("\"\\x\""), 0, "1:8 r1: invalid escape \\x in string" },
	{ V("\"\\'\""), 0, "1:8 r1: invalid escape \\' in string" },
	{ V("\"\\U0041\""), 0, "1:8 r1: invalid escape \\U in string" },
	{ V("\"\\\x01\""), 0, "1:8 r1: invalid escape in string: byte 0x01 "
	    "after \\" },
	{ V("\"\\\xc3\xa9\""), 0, "1:8 r1: invalid escape in string: byte "
	    "0xC3 after \\" },
	{ V("\"\\u12\""), 0, "1:12 r1: invalid \\u escape in string: "
	    "expected 4 hex digits, found '\"'" },
	{ V("\"\\u12G4\""), 0, "1:12 r1: invalid \\u escape in string: "
	    "expected 4 hex digits, found 'G'" },
	{ V("\"\\uD800\""), 0, "1:8 r1: lone surrogate \\uD800 in string" },
	{ V("\"\\uDC00\""), 0, "1:8 r1: lone surrogate \\uDC00 in string" },
	{ V("\"\\uD800\\u0041\""), 0, "1:8 r1: lone surrogate \\uD800 in "
	    "string" },
	{ V("\"\\uD800\\uD800\""), 0, "1:8 r1: lone surrogate \\uD800 in "
	    "string" },
	{ V("\"\\uD800\\n\""), 0, "1:8 r1: lone surrogate \\uD800 in "
	    "string" },
	{ V("\"\\uD800x\""), 0, "1:8 r1: lone surrogate \\uD800 in string" },
	{ V("\"\\uDE00\\uD83D\""), 0, "1:8 r1: lone surrogate \\uDE00 in "
	    "string" },
	{ V("\"a\tb\""), 0, "1:9 r1: unescaped control character 0x09 in "
	    "string" },
	{ V("\"a\nb\""), 0, "1:9 r1: unescaped control character 0x0A in "
	    "string" },
	{ V("\"\x01\""), 0, "1:8 r1: unescaped control character 0x01 in "
	    "string" },
	{ V("\"\x1f\""), 0, "1:8 r1: unescaped control character 0x1F in "
	    "string" },
	{ "[{\"v\":\"\0\"}]", 12, "1:8 r1: unescaped control character 0x00 "
	    "in string" },
	{ V("\"\x7f\""), 0, OKV "9 end" },
	{ V("\"x\""), 0, OKV "9 end" },
	{ "[{\"v\":\"abc", 0, "1:11 r1: unexpected end of input in string" },
	{ "[{\"v\":\"abc\\", 0, "1:12 r1: unexpected end of input in string" },
	{ "[{\"v\":\"\\u00", 0, "1:12 r1: unexpected end of input in "
	    "string" },
	{ "[{\"v\":\"\\uD800\\u", 0, "1:16 r1: unexpected end of input in "
	    "string" },
	{ "[{\"v\":\"\xe2\x82", 0, "1:10 r1: unexpected end of input in "
	    "string" },

	/* UTF-8. */
	{ V("\"\xc2\x80\xdf\xbf\""), 0, OKV "12 end" },
	{ V("\"\xe0\xa0\x80\xef\xbf\xbf\xe2\x82\xac\""), 0, OKV "17 end" },
	{ V("\"\xed\x9f\xbf\xee\x80\x80\""), 0, OKV "14 end" },
	{ V("\"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80\""), 0,
	    OKV "20 end" },
	{ V("\"\xc0\x80\""), 0, "1:8 r1: invalid UTF-8 byte 0xC0" },
	{ V("\"\xc1\xbf\""), 0, "1:8 r1: invalid UTF-8 byte 0xC1" },
	{ V("\"\xe0\x80\x80\""), 0, "1:8 r1: invalid UTF-8 sequence: byte "
	    "0x80 after 0xE0" },
	{ V("\"\xe0\x9f\xbf\""), 0, "1:8 r1: invalid UTF-8 sequence: byte "
	    "0x9F after 0xE0" },
	{ V("\"\xf0\x8f\xbf\xbf\""), 0, "1:8 r1: invalid UTF-8 sequence: "
	    "byte 0x8F after 0xF0" },
	{ V("\"\xed\xa0\x80\""), 0, "1:8 r1: invalid UTF-8 sequence: byte "
	    "0xA0 after 0xED" },
	{ V("\"\xed\xbf\xbf\""), 0, "1:8 r1: invalid UTF-8 sequence: byte "
	    "0xBF after 0xED" },
	{ V("\"\xf4\x90\x80\x80\""), 0, "1:8 r1: invalid UTF-8 sequence: "
	    "byte 0x90 after 0xF4" },
	{ V("\"\xf5\x80\x80\x80\""), 0, "1:8 r1: invalid UTF-8 byte 0xF5" },
	{ V("\"\xff\""), 0, "1:8 r1: invalid UTF-8 byte 0xFF" },
	{ V("\"\xfe\""), 0, "1:8 r1: invalid UTF-8 byte 0xFE" },
	{ V("\"\x80\""), 0, "1:8 r1: invalid UTF-8 byte 0x80" },
	{ V("\"a\xbf\""), 0, "1:9 r1: invalid UTF-8 byte 0xBF" },
	{ V("\"\xc3\xa9\xa9\""), 0, "1:10 r1: invalid UTF-8 byte 0xA9" },
	{ V("\"\xe2\x82\""), 0, "1:8 r1: invalid UTF-8 sequence: byte "
	    "0x22 after 0xE2" },
	{ V("\"\xf0\x9f\x98\""), 0, "1:8 r1: invalid UTF-8 sequence: byte "
	    "0x22 after 0xF0" },
	{ V("\"\xc3\""), 0, "1:8 r1: invalid UTF-8 sequence: byte 0x22 "
	    "after 0xC3" },
	{ V("\"\xc3\xc3\xa9\""), 0, "1:8 r1: invalid UTF-8 sequence: byte "
	    "0xC3 after 0xC3" },
	{ "[{\"\xc3\xa9\":1}]", 0, "1@1:2+1/8 end" },
	{ "[{\"\xc3\":1}]", 0, "1:4 r1: invalid UTF-8 sequence: byte 0x22 "
	    "after 0xC3" },
	{ V("\xc3\xa9"), 0, "1:7 r1: expected a value, found byte 0xC3 "
	    "(non-ASCII outside a string)" },

	/* Structure: one value per slot, colons and commas in place. */
	{ V("[1,2]"), 0, OKV "11 end" },
	{ V("[]"), 0, OKV "8 end" },
	{ V("{}"), 0, OKV "8 end" },
	{ V("{\"a\":{\"b\":[{}]}}"), 0, OKV "22 end" },
	{ V(" [ 1 , { \"a\" : 2 } ] "), 0, OKV "27 end" },
	{ V("[1,]"), 0, "1:9 r1: trailing comma" },
	{ V("[1,\n]"), 0, "1:9 r1: trailing comma" },
	{ "[{\"a\":1,}]", 0, "1:8 r1: trailing comma" },
	{ "[{\"a\":1,\n  }]", 0, "1:8 r1: trailing comma" },
	{ V("[,1]"), 0, "1:8 r1: expected a value, found ','" },
	{ V("[1,,2]"), 0, "1:10 r1: expected a value, found ','" },
	{ V("[1 2]"), 0, "1:10 r1: expected ',' or ']' after array element, "
	    "found '2'" },
	{ V("[1}"), 0, "1:9 r1: expected ',' or ']' after array element, "
	    "found '}'" },
	{ V("{\"a\":1]"), 0, "1:13 r1: expected ',' or '}' after object "
	    "member, found ']'" },
	{ "[{\"a\":1 \"b\":2}]", 0, "1:9 r1: expected ',' or '}' after "
	    "object member, found '\"'" },
	{ "[{\"a\" 1}]", 0, "1:7 r1: expected ':' after key, found '1'" },
	{ "[{\"a\"::1}]", 0, "1:7 r1: expected a value, found ':'" },
	{ "[{\"a\":}]", 0, "1:7 r1: expected a value, found '}'" },
	{ "[{\"a\"}]", 0, "1:6 r1: expected ':' after key, found '}'" },
	{ "[{\"a\":1,,\"b\":2}]", 0, "1:9 r1: expected a string key, found "
	    "','" },
	{ "[{,}]", 0, "1:3 r1: expected a string key or '}', found ','" },
	{ "[{1:2}]", 0, "1:3 r1: expected a string key or '}', found '1'" },
	{ "[{a:1}]", 0, "1:3 r1: expected a string key or '}', found 'a'" },
	{ "[{'a':1}]", 0, "1:3 r1: expected a string key or '}', found '''" },
	{ "[{\"a\":1}}]", 0, "1@1:2+1/7 1:9 r0: expected ',' or ']' after "
	    "record, found '}'" },
	{ V("\"a\" \"b\""), 0, "1:11 r1: expected ',' or '}' after object "
	    "member, found '\"'" },
	{ "[{\"a\":1,\"a\":2}]", 0, "1@1:2+1/13 end" },

	/* Whitespace is space, tab, LF, CR only. */
	{ "[{\"a\":\t1\r\n}]", 0, "1@1:2+1/10 end" },
	{ "[{\"a\":\f1}]", 0, "1:7 r1: expected a value, found byte 0x0C" },
	{ "[{\"a\":\v1}]", 0, "1:7 r1: expected a value, found byte 0x0B" },
	{ "[{\"a\":\xc2\xa0" "1}]", 0, "1:7 r1: expected a value, found byte "
	    "0xC2 (non-ASCII outside a string)" },
	{ "[{\"a\":1\f}]", 0, "1:8 r1: expected ',' or '}' after object "
	    "member, found byte 0x0C" },

	/* Positions over several lines. */
	{ "[\n  {\"a\": 1},\n  {\"b\": \"x\"}\n]\n", 0,
	    "1@2:3+4/8 2@3:3+16/10 end" },
	{ "[\n  {\"a\": 1},\n  {\"b\": \"x\",\n   \"c\": tru}\n]\n", 0,
	    "1@2:3+4/8 4:12 r2: invalid literal, expected true" },
	{ "{\"a\":1}\r\n{\"b\":2}\r\n\r\n{\"c\":\n\n  [1,,]}", 0,
	    "1@1:1+0/7 2@2:1+9/7 6:6 r3: expected a value, found ','" },
	{ "[{\"a\":\n\"x\ny\"}]", 0, "2:3 r1: unescaped control character "
	    "0x0A in string" },
	{ "\n\n   []x", 0, "3:6 r0: expected end of input after ']', found "
	    "'x'" },
};

/* A record nested n deep (the record itself is level 1). */
static char *
nested(int n, size_t *len)
{
	char *s = xmalloc(2 * n + 16), *p = s;
	int i;

	memcpy(p, "[{\"a\":", 6);
	p += 6;
	for (i = 1; i < n; i++)
		*p++ = '[';
	for (i = 1; i < n; i++)
		*p++ = ']';
	memcpy(p, "}]", 2);
	p += 2;
	*len = p - s;
	return s;
}

static void
test_rules(void)
{
	char desc[100], *s;
	size_t i, j, len;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		len = rules[i].len ? rules[i].len : strlen(rules[i].in);
		snprintf(desc, sizeof(desc), "rule %zu: '", i);
		for (j = 0; j < len && strlen(desc) < 70; j++)
			snprintf(desc + strlen(desc), sizeof(desc) -
			    strlen(desc), rules[i].in[j] >= ' ' &&
			    rules[i].in[j] < 0x7f ? "%c" : "\\x%02x",
			    (unsigned char)rules[i].in[j]);
		strcat(desc, j < len ? "...'" : "'");
		check(desc, rules[i].in, len, 512000, rules[i].want);
	}

	s = nested(A0_MAX_DEPTH, &len);
	check("nesting of A0_MAX_DEPTH is accepted", s, len, 512000,
	    "1@1:2+1/1028 end");
	free(s);
	s = nested(A0_MAX_DEPTH + 1, &len);
	check("nesting of A0_MAX_DEPTH + 1 is refused", s, len, 512000,
	    "1:518 r1: nesting deeper than 512");
	free(s);
	s = nested(100000, &len);
	is_str(outcome(s, len, 0, 256 * 1024), "1:518 r1: nesting deeper "
	    "than 512", "100000 open brackets stop at the limit");
	free(s);
}

static void
test_maxrec(void)
{
	const char *in = "[{\"a\":\"0123456789\"},{\"b\":\"01234567890\"},"
	    "{\"c\":1}]";
	const char *nd = "{\"a\":\"0123456789\"}\n{\"b\":\"01234567890\"}\n";

	check("record of exactly maxrec bytes", in, strlen(in), 19,
	    "1@1:2+1/18 2@1:21+20/19 3@1:41+40/7 end");
	check("maxrec + 1 refused, at the record's first byte", in,
	    strlen(in), 18,
	    "1@1:2+1/18 1:21 r2: longer than 18 bytes");
	check("maxrec refused in a sequence", nd, strlen(nd), 18,
	    "1@1:1+0/18 2:1 r2: longer than 18 bytes");
	check("maxrec 0 means no limit", in, strlen(in), 0,
	    "1@1:2+1/18 2@1:21+20/19 3@1:41+40/7 end");
}

/*
 * A record that never ends, from a writer that never stops: the reader
 * must refuse it once it passes maxrec, not try to buffer it all.
 */
static void
test_endless(void)
{
	struct jstream *js;
	struct jrecord r;
	char chunk[4096];
	int fd[2], n, status;
	pid_t pid;

	if (pipe(fd) == -1) {
		ok(0, "pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(fd[0]);
		alarm(30);
		memset(chunk, 'x', sizeof(chunk));
		a0_write_all(fd[1], "[{\"a\":\"", 7);
		while (a0_write_all(fd[1], chunk, sizeof(chunk)) == 0)
			continue;
		_exit(0);
	}
	close(fd[1]);
	js = jstream_open(fd[0], 100000);
	n = jstream_next(js, &r);
	ok(n == -1 && strcmp(jstream_error(js)->msg,
	    "longer than 100000 bytes") == 0,
	    "an endless record is refused while the writer still writes: "
	    "%s", jstream_error(js)->msg);
	jstream_close(js);
	close(fd[0]);
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE,
	    "the writer was cut off by the closed pipe (status 0x%x)",
	    status);
}

/*
 * Many records through a pipe: the count comes out right, and the
 * reader's memory does not grow with the input.
 */
static void
test_stream(void)
{
	static const char rec[] = "{\"email\":\"someone@example.com\","
	    "\"name\":\"Se\\u00f1or \xc3\x9c\",\"app_metadata\":{\"n\":[1,2.5,"
	    "-3e4,true,false,null]}},\n";
	struct rusage ru;
	struct jstream *js;
	struct jrecord r;
	long before;
	uint64_t count = 0, total = 32 * 1024 * 1024 / (sizeof(rec) - 1);
	uint64_t i;
	int fd[2], n, status;
	pid_t pid;

	if (pipe(fd) == -1) {
		ok(0, "pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		char *buf = xmalloc(sizeof(rec) * 1000);
		size_t k;

		close(fd[0]);
		for (k = 0; k < 1000; k++)
			memcpy(buf + k * (sizeof(rec) - 1), rec,
			    sizeof(rec) - 1);
		a0_write_all(fd[1], "[", 1);
		for (i = 0; i + 1000 <= total; i += 1000)
			a0_write_all(fd[1], buf, 1000 * (sizeof(rec) - 1));
		a0_write_all(fd[1], "{}]", 3);
		_exit(0);
	}
	close(fd[1]);
	getrusage(RUSAGE_SELF, &ru);
	before = ru.ru_maxrss;
	js = jstream_open(fd[0], 512000);
	while ((n = jstream_next(js, &r)) == 1)
		count++;
	ok(n == 0 && count == total / 1000 * 1000 + 1,
	    "%llu records through a pipe (%s)", (unsigned long long)count,
	    n == 0 ? "end" : jstream_error(js)->msg);
	jstream_close(js);
	close(fd[0]);
	waitpid(pid, &status, 0);
	getrusage(RUSAGE_SELF, &ru);
	ok(ru.ru_maxrss - before < 8 * 1024,
	    "32 MB read in %ld KiB more memory", ru.ru_maxrss - before);
}

static void
test_read_error(void)
{
	struct jstream *js;
	struct jrecord r;
	const struct jerror *e;
	char buf[256];
	int fd;

	if ((fd = open(".", O_RDONLY)) == -1) {
		ok(0, "open .: %s", strerror(errno));
		return;
	}
	js = jstream_open(fd, 512000);
	ok(jstream_next(js, &r) == -1, "reading a directory fails");
	e = jstream_error(js);
	ok(e->sys == EISDIR, "sys is EISDIR (%d)", e->sys);
	is_str(e->msg, "read error: Is a directory", "read error message");
	ok(e->line == 1 && e->col == 1 && e->num == 0,
	    "read error at 1:1, no record");
	ok(jstream_next(js, &r) == -1, "and stays failed");
	is_str(jstream_strerror(js, "dir", buf, sizeof(buf)),
	    "dir: Is a directory", "jstream_strerror: a read error");
	is_str(jstream_strerror(js, NULL, buf, sizeof(buf)),
	    "Is a directory", "jstream_strerror: a read error, no file");
	jstream_close(js);
	close(fd);
	jstream_close(NULL);
}

/* The one wording of the reader's errors, with and without a record. */
static void
test_strerror(void)
{
	static const struct {
		const char	*in, *want;
	} cases[] = {
		{ "[{\"a\":1},\n {\"b\":tru}]",
		    "f.json:2:10: record 2: invalid literal, expected true" },
		{ "[{\"a\":1},]",
		    "f.json:1:9: trailing comma" },
		{ "{\"a\":1}\n[",
		    "f.json:2:1: record 2: expected an object, found '['" },
		{ "[{\"a\":1}",
		    "f.json:1:9: unexpected end of input, expected ',' or ']' "
		    "after record" },
	};
	struct jstream *js;
	struct jrecord r;
	char buf[256];
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		js = jstream_open(feed(cases[i].in, strlen(cases[i].in)),
		    512000);
		while (jstream_next(js, &r) == 1)
			;
		is_str(jstream_strerror(js, "f.json", buf, sizeof(buf)),
		    cases[i].want, "jstream_strerror case %zu", i);
		is_str(jstream_strerror(js, NULL, buf, sizeof(buf)),
		    cases[i].want + 7, "jstream_strerror case %zu, no file",
		    i);
		jstream_close(js);
	}
}

/* A socket delivers what was written in each send as one read. */
static void
test_socket(void)
{
	static const char *parts[] = {
		"[{\"a\":\"\xe2", "\x82\xac\"},", "{\"b\":\"\\u", "D83D\\u",
		"DE00\"}", ",{\"c\":tr", "ue}", ",{\"d\":1", "2}", "]\n"
	};
	struct jstream *js;
	struct jrecord r;
	char got[200] = "";
	const char *gotp = got;
	size_t i;
	int sv[2], n;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
		ok(0, "socketpair: %s", strerror(errno));
		return;
	}
	js = jstream_open(sv[0], 512000);
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		a0_write_all(sv[1], parts[i], strlen(parts[i]));
	close(sv[1]);
	while ((n = jstream_next(js, &r)) == 1)
		snprintf(got + strlen(got), sizeof(got) - strlen(got),
		    "%.*s;", (int)r.len, r.buf);
	is_str(gotp, "{\"a\":\"\xe2\x82\xac\"};{\"b\":\"\\uD83D\\uDE00\"};"
	    "{\"c\":true};{\"d\":12};", "records split across socket reads");
	ok(n == 0, "and the end");
	jstream_close(js);
	close(sv[0]);
}

static void
test_compact(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "{}", "{}" },
		{ " { \"a\" : [ 1 , 2.5e3 , true , null ] } \n",
		    "{\"a\":[1,2.5e3,true,null]}" },
		{ "{\n\t\"a b\" :\r\n \" c d \"}", "{\"a b\":\" c d \"}" },
		{ "{\"a\": \"x \\\" y\", \"b\" : 1}", "{\"a\":\"x \\\" y\","
		    "\"b\":1}" },
		{ "{\"a\": \"x \\\\\", \"b\" : \"\\\\\\\" \"}", "{\"a\":\"x "
		    "\\\\\",\"b\":\"\\\\\\\" \"}" },
		{ "[ \"\\\\\\\\\" , \" \" ]", "[\"\\\\\\\\\",\" \"]" },
		{ "{\"\xc3\xa9 \": \" \xe2\x82\xac \"}", "{\"\xc3\xa9 \":\" "
		    "\xe2\x82\xac \"}" },
	};
	char out[200], buf[200];
	const char *got;
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = json_compact(cases[i].in, strlen(cases[i].in), out);
		out[n] = '\0';
		got = out;
		is_str(got, cases[i].out, "json_compact case %zu", i);
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		n = json_compact(buf, strlen(buf), buf);
		buf[n] = '\0';
		got = buf;
		is_str(got, cases[i].out, "json_compact case %zu in place",
		    i);
	}
}

/*
 * Pieces of generated JSON texts: values that meet quotes, escapes,
 * 8-bit bytes and blanks in strings, and blanks to put between them.
 */
static const char *const bits[] = {
	"\"abcdefghijklmnopqrstuvwxyz\"", "\"a\\\"b\"", "\"\\\\\"",
	"\"\xc3\xa9\xe2\x82\xac 0123456789 \xf0\x9f\x98\x80\"", "1",
	"-2.5e+10", "true", "null", "\"\\u00e9\\ud83d\\ude00xx\"", "{}",
	"[]", "\"  a \\t b \"", "{ \"k\" : [ 1 , { } ] }"
};
static const char *const blanks[] = {
	"", "", "", " ", "\n", "  ", "\n                    \t", "\r\n"
};
#define NBITS	(sizeof(bits) / sizeof(bits[0]))
#define NBLANKS	(sizeof(blanks) / sizeof(blanks[0]))

/* The byte loop json_compact must agree with. */
static size_t
compact_ref(const char *in, size_t len, char *out)
{
	size_t i, o = 0;
	int str = 0;

	for (i = 0; i < len; i++) {
		if (str) {
			out[o++] = in[i];
			if (in[i] == '\\')
				out[o++] = in[++i];
			else if (in[i] == '"')
				str = 0;
		} else if (in[i] == '"') {
			out[o++] = in[i];
			str = 1;
		} else if (!strchr(" \t\n\r", in[i]))
			out[o++] = in[i];
	}
	return o;
}

/*
 * json_compact on long texts of quotes, escapes, 8-bit bytes and blanks,
 * in place and not, against a byte loop written another way.
 */
static void
test_compact_long(void)
{
	char in[4096], out[4096], ref[4096], buf[4096];
	size_t len, n, r, i, k;
	unsigned seed = 1;
	int bad = 0, badin = 0;

	for (k = 0; k < 2000; k++) {
		len = 0;
		in[len++] = '[';
		for (i = 0; i < 1 + k % 40; i++) {
			seed = seed * 1103515245 + 12345;
			len += (size_t)snprintf(in + len, sizeof(in) - len,
			    "%s%s%s%s", i ? "," : "",
			    blanks[(seed >> 8) % NBLANKS],
			    bits[(seed >> 16) % NBITS],
			    blanks[(seed >> 4) % NBLANKS]);
		}
		in[len++] = ']';
		r = compact_ref(in, len, ref);
		n = json_compact(in, len, out);
		if (n != r || memcmp(out, ref, r) != 0)
			bad++;
		memcpy(buf, in, len);
		n = json_compact(buf, len, buf);
		if (n != r || memcmp(buf, ref, r) != 0)
			badin++;
	}
	ok(bad == 0, "json_compact agrees with a byte loop on 2000 texts");
	ok(badin == 0, "and in place");
}

/*
 * Text that is not valid JSON (a string left open) is no reason to write
 * past out + len: json_compact_open_string is the bug where the padded
 * last block, taken for string bytes, was stored whole.
 */
static void
test_compact_open_string(void)
{
	char in[200], out[200 + 64];
	size_t len, n, i;
	int bad = 0;

	for (len = 1; len <= sizeof(in); len++) {
		in[0] = '"';
		memset(in + 1, 'a', len - 1);
		memset(out, '#', sizeof(out));
		n = json_compact(in, len, out);
		if (n != len || memcmp(out, in, len) != 0)
			bad++;
		for (i = len; i < sizeof(out); i++)
			if (out[i] != '#')
				bad++;
	}
	ok(bad == 0, "json_compact_open_string: nothing written past "
	    "out + len");
}

/* A record's blank: the offset of its first whitespace between tokens. */
static void
test_blank(void)
{
	static const char in[] = "[{\"a\":\" x \"},  {\"b\" :2},\n{\n\"c\":3},"
	    "{\"d\":[1, 2]}\n]";
	static const size_t want[] = { 11, 4, 1, 8 };
	struct jstream *js;
	struct jrecord r;
	size_t b, n;
	int bad;

	for (b = 0; b < NBLOCKS; b++) {
		jstream_blocksize = blocks[b];
		js = jstream_open(feed(in, sizeof(in) - 1), 0);
		bad = 0;
		for (n = 0; jstream_next(js, &r) == 1; n++)
			if (n >= 4 || r.blank != want[n] ||
			    (n == 0 && r.blank != r.len))
				bad++;
		ok(bad == 0 && n == 4, "blank offsets, reads of %zu",
		    blocks[b]);
		jstream_close(js);
	}
	jstream_blocksize = 256 * 1024;
}

/*
 * jstream_copy on generated inputs (records with blanks of every kind
 * around their tokens and inside their strings), at every read size:
 * the copy is the record as read (squeeze off) or the byte loop's
 * compaction of it (on); the other fields are jstream_next's; nothing is
 * written more than JSTREAM_COPY_SLACK bytes past the record as read.
 */
static void
test_copy(void)
{
#define NREC	8
	struct jstream *js;
	struct jrecord r, ref[NREC];
	char in[4096], want[4096], dst[4096 + 64];
	size_t len, b, i, j, k, n, sq, nref, end;
	unsigned seed = 7;
	int bad = 0, badfield = 0, badslack = 0, rc;

	for (k = 0; k < 100; k++) {
		len = 0;
		in[len++] = '[';
		for (i = 0; i < 1 + k % NREC; i++) {
			len += (size_t)snprintf(in + len, sizeof(in) - len,
			    "%s%s{", i ? "," : "", blanks[k % NBLANKS]);
			for (j = 0; j < 1 + (k + i) % 6; j++) {
				seed = seed * 1103515245 + 12345;
				len += (size_t)snprintf(in + len,
				    sizeof(in) - len, "%s%s\"f%zu\"%s:%s%s%s",
				    j ? "," : "", blanks[(seed >> 4) % NBLANKS],
				    j, blanks[(seed >> 7) % NBLANKS],
				    blanks[(seed >> 10) % NBLANKS],
				    bits[(seed >> 16) % NBITS],
				    blanks[(seed >> 13) % NBLANKS]);
			}
			in[len++] = '}';
		}
		in[len++] = ']';
		for (b = 0; b < NBLOCKS; b++) {
			jstream_blocksize = blocks[b];
			js = jstream_open(feed(in, len), 0);
			for (nref = 0; nref < NREC &&
			    jstream_next(js, &ref[nref]) == 1; nref++)
				;
			if (jstream_next(js, &r) != 0)
				bad++;
			jstream_close(js);
			for (sq = 0; sq < 2; sq++) {
				js = jstream_open(feed(in, len), 0);
				for (i = 0; i < nref; i++) {
					end = ref[i].len + JSTREAM_COPY_SLACK;
					memset(dst, '#', end + 64);
					if ((rc = jstream_copy(js, &r, dst,
					    (int)sq)) != 1)
						break;
					n = ref[i].len;
					if (sq)
						n = compact_ref(in +
						    ref[i].offset, n, want);
					else
						memcpy(want, in +
						    ref[i].offset, n);
					if (r.buf != dst || r.len != n ||
					    memcmp(dst, want, n) != 0)
						bad++;
					if (r.num != ref[i].num ||
					    r.line != ref[i].line ||
					    r.col != ref[i].col ||
					    r.offset != ref[i].offset ||
					    r.blank != (sq ? r.len :
					    ref[i].blank))
						badfield++;
					for (j = end; j < end + 64; j++)
						if (dst[j] != '#')
							badslack++;
				}
				if (i < nref || jstream_copy(js, &r, dst,
				    (int)sq) != 0)
					bad++;
				jstream_close(js);
			}
		}
	}
	/* A record longer than the limit is refused, and not copied past
	 * the room the limit gives. */
	for (b = 0; b < NBLOCKS; b++) {
		for (sq = 0; sq < 2; sq++) {
			static const char lng[] = "[{\"a\" : \"0123456789\" ,"
			    " \"b\" : [ 1 , 2 , 3 ] , \"c\" : \"abcdefghij"
			    "klmnopqrstuvwxyz\" }]";

			jstream_blocksize = blocks[b];
			js = jstream_open(feed(lng, sizeof(lng) - 1), 10);
			memset(dst, '#', 200);
			if (jstream_copy(js, &r, dst, (int)sq) != -1 ||
			    strstr(jstream_error(js)->msg, "longer than 10") ==
			    NULL)
				bad++;
			for (j = 10 + JSTREAM_COPY_SLACK; j < 200; j++)
				if (dst[j] != '#')
					badslack++;
			jstream_close(js);
		}
	}
	jstream_blocksize = 256 * 1024;
	ok(bad == 0, "jstream_copy: the record, squeezed or not, at every "
	    "read size; a record too long refused");
	ok(badfield == 0, "jstream_copy: number, position and blank as "
	    "jstream_next gives them");
	ok(badslack == 0, "jstream_copy: nothing written past the slack");
#undef NREC
}

/* Did an outcome end with the end of a valid input? */
static int
finished(const char *res)
{
	size_t n = strlen(res);

	return n >= 3 && strcmp(res + n - 3, "end") == 0;
}

/* The whole file at path (malloc'd), or NULL with errno. */
static char *
slurp(const char *path, size_t *len)
{
	char *b = NULL;
	size_t cap = 0;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	*len = 0;
	do {
		if (*len == cap)
			b = xrealloc(b, (cap = cap * 2 + 4096));
		r = read(fd, b + *len, cap - *len);
		*len += r > 0 ? (size_t)r : 0;
	} while (r > 0);
	close(fd);
	if (r == -1) {
		free(b);
		return NULL;
	}
	return b;
}

static int
cmpname(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * JSONTestSuite: each document as the value of a metadata field in a
 * record.  y_ must be accepted and n_ refused; i_ outcomes are reported.
 * An n_ document bad only as a whole text (empty, blank) cannot become
 * valid in a value slot, since the slot then holds no value.
 */
static void
test_suite(void)
{
	static const char head[] =
	    "[{\"email\":\"a@b.c\",\"user_metadata\":{\"v\":";
	static const char tail[] = "}}]";
	const char *dir, *o1, *o2;
	char path[4096], **names = NULL, *doc, *in, res[300], want[64];
	size_t n = 0, cap = 0, i, len;
	struct dirent *de;
	DIR *d;
	int y = 0, ny = 0;

	if ((dir = getenv("A0_JSONTESTSUITE")) == NULL)
		dir = "../shared/reference/JSONTestSuite";
	snprintf(path, sizeof(path), "%s/test_parsing", dir);
	if ((d = opendir(path)) == NULL) {
		printf("ok %d # SKIP JSONTestSuite: %s: %s\n", ++tap_n, path,
		    strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if ((de->d_name[0] != 'y' && de->d_name[0] != 'n' &&
		    de->d_name[0] != 'i') || de->d_name[1] != '_')
			continue;
		if (n == cap)
			names = xrealloc(names, (cap = cap * 2 + 64) *
			    sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmpname);

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/test_parsing/%s", dir,
		    names[i]);
		if ((doc = slurp(path, &len)) == NULL) {
			ok(0, "%s: %s", path, strerror(errno));
			continue;
		}
		in = xmalloc(sizeof(head) + len + sizeof(tail));
		memcpy(in, head, sizeof(head) - 1);
		memcpy(in + sizeof(head) - 1, doc, len);
		memcpy(in + sizeof(head) - 1 + len, tail, sizeof(tail));
		len += sizeof(head) - 1 + sizeof(tail) - 1;
		o1 = outcome(in, len, 0, 256 * 1024);
		snprintf(res, sizeof(res), "%s", o1);
		o2 = outcome(in, len, 0, 1);
		if (strcmp(o2, res) != 0)
			ok(0, "%s: same outcome reading a byte at a time "
			    "('%s' vs '%s')", names[i], res, o2);
		else if (names[i][0] == 'y') {
			snprintf(want, sizeof(want), "1@1:2+1/%zu end",
			    len - 2);
			ok(strcmp(res, want) == 0, "%s accepted%s%s",
			    names[i], strcmp(res, want) ? ": " : "",
			    strcmp(res, want) ? res : "");
		}
		else if (names[i][0] == 'n')
			ok(!finished(res), "%s refused: %s", names[i], res);
		else {
			printf("# %s: %s\n", names[i], finished(res) ?
			    "accepted" : res);
			if (finished(res))
				y++;
			else
				ny++;
		}
		free(in);
		free(doc);
		free(names[i]);
	}
	free(names);
	printf("# implementation-defined cases: %d accepted, %d refused\n",
	    y, ny);
}

int
main(void)
{
	alarm(300);
	signal(SIGPIPE, SIG_IGN);
	if ((tmp = tmpfile()) == NULL) {
		perror("tmpfile");
		return 2;
	}
	test_rules();
	test_maxrec();
	test_read_error();
	test_strerror();
	test_socket();
	test_compact();
	test_compact_long();
	test_compact_open_string();
	test_blank();
	test_copy();
	signal(SIGPIPE, SIG_DFL);
	test_endless();
	test_stream();
	test_suite();
	fclose(tmp);
	return done_testing();
}
