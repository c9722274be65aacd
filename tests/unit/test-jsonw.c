/* test-jsonw: the JSON writer, as a table of calls and the text made. */
#include <stdlib.h>
#include <string.h>

#include "a0.h"
#include "tap.h"

/*
 * jb_esc_utf8 against jb_esc: the same text for UTF-8 input, with a
 * byte to escape or a multibyte character at every place of strings of
 * every length up to 40 (the 8- and 4-byte words, their overlapping
 * last words, and the bytes after them).  Returns the mismatches.
 */
static int
esc_utf8_same(void)
{
	static const char *const ins[] = {
		"\"", "\\", "\n", "\x01", "\x7f", "\xc3\xb6", "\xe2\x82\xac",
		"\xf0\x9f\x98\x80", "\xef\xbb\xbf", "~", " "
	};
	struct jbuf a = { NULL, 0, 0, 0 }, b = { NULL, 0, 0, 0 };
	char s[64];
	size_t n, at, i, k;
	int bad = 0;

	for (n = 0; n <= 40; n++)
		for (at = 0; at <= n; at++)
			for (i = 0; i < sizeof(ins) / sizeof(ins[0]); i++) {
				k = strlen(ins[i]);
				memset(s, 'a' + (int)(n % 26), n + k);
				memcpy(s + at, ins[i], k);
				jb_reset(&a);
				jb_reset(&b);
				jb_add(&a, "x", 1);
				jb_add(&b, "x", 1);
				jb_esc(&a, s, n + k);
				if (jb_esc_utf8(&b, s, n + k) != 0 ||
				    a.len != b.len || strcmp(a.p, b.p) != 0)
					bad++;
			}
	jb_free(&a);
	jb_free(&b);
	return bad;
}

/* jb_plain says 1 exactly when jb_esc_utf8 takes s and copies it as it
 * is, at every place in strings of every length up to 40. */
static int
plain_right(void)
{
	static const char *const ins[] = {
		"\"", "\\", "\n", "\x1f", "\x7f", "\xc3\xb6", "\xe2\x82\xac",
		"\xf0\x9f\x98\x80", "\xc3", "\xb6", "\xed\xa0\x80", "\xc0\xaf",
		"~", " ", "!", "#", "[", "]", "!\"", "Z"
	};
	struct jbuf b = { NULL, 0, 0, 0 };
	char s[64];
	size_t n, at, i, k;
	int bad = 0, want;

	for (n = 0; n <= 40; n++)
		for (at = 0; at <= n; at++)
			for (i = 0; i < sizeof(ins) / sizeof(ins[0]); i++) {
				k = strlen(ins[i]);
				memset(s, 'A' + (int)(n % 26), n + k);
				memcpy(s + at, ins[i], k);
				jb_reset(&b);
				want = jb_esc_utf8(&b, s, n + k) == 0 &&
				    b.len == n + k && memcmp(b.p, s, n + k) == 0;
				if (jb_plain(s, n + k) != want)
					bad++;
			}
	jb_free(&b);
	return bad;
}

int
main(void)
{
	static const struct {
		const char	*in;
		size_t		 len;
	} notutf8[] = {
		{ "\xff", 1 }, { "abcdefgh\x80", 9 },
		{ "\xc0\xaf", 2 },			/* overlong '/' */
		{ "\xc1\xbf", 2 }, { "\xe0\x80\xaf", 3 },
		{ "\xf0\x80\x80\xaf", 4 },
		{ "\xed\xa0\x80", 3 },		/* a UTF-16 surrogate */
		{ "\xf4\x90\x80\x80", 4 },		/* past U+10FFFF */
		{ "\xf5\x80\x80\x80", 4 },
		{ "ok\xc3", 3 }, { "ok\xe2\x82", 4 },	/* cut short */
		{ "\xe2\x28\xa1", 3 }, { "\xc3\xb6\xb6", 3 },
		{ "0123456789abcdef\xf0\x9f\x98", 19 },
	};
	static const struct {
		const char	*in, *want;
		size_t		 len;
	} esc[] = {
		{ "plain", "\"plain\"", 5 },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"", 5 },
		{ "\n\t\r", "\"\\n\\t\\r\"", 3 },
		{ "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"", 3 },
		{ "nul\0x", "\"nul\\u0000x\"", 5 },
		{ "j\xc3\xb6rg", "\"j\xc3\xb6rg\"", 5 },
		{ "", "\"\"", 0 },
	};
	struct jbuf b = { NULL, 0, 0, 0 };
	size_t i;

	for (i = 0; i < sizeof(esc) / sizeof(esc[0]); i++) {
		jb_str(&b, esc[i].in, esc[i].len);
		is_str(b.p, esc[i].want, "jb_str %zu", i);
		jb_reset(&b);
	}
	ok(esc_utf8_same() == 0, "jb_esc_utf8 writes what jb_esc does for "
	    "UTF-8 text");
	ok(plain_right() == 0, "jb_plain: UTF-8 with nothing to escape");
	for (i = 0; i < sizeof(notutf8) / sizeof(notutf8[0]); i++) {
		jb_add(&b, "kept", 4);
		ok(jb_esc_utf8(&b, notutf8[i].in, notutf8[i].len) == -1 &&
		    b.len == 4 && strcmp(b.p, "kept") == 0,
		    "jb_esc_utf8 refuses what is not UTF-8 %zu, adding nothing",
		    i);
		jb_reset(&b);
	}
	ok(jb_esc_utf8(&b, "\xf4\x8f\xbf\xbf\xed\x9f\xbf\xc2\x80", 9) == 0 &&
	    b.len == 9, "jb_esc_utf8 takes U+10FFFF, U+D7FF, U+0080");
	jb_reset(&b);
	jb_cstr(&b, NULL);
	is_str(b.p, "null", "jb_cstr NULL is null");
	jb_reset(&b);

	jb_begin(&b, '{');
	jb_kstr(&b, "file", "out/c.json");
	jb_kint(&b, "n", -3);
	jb_kbool(&b, "ok", 1);
	jb_key(&b, "list");
	jb_begin(&b, '[');
	jb_item(&b);
	jb_cstr(&b, "a");
	jb_begin(&b, '{');
	jb_end(&b, '}');
	jb_item(&b);
	jb_printf(&b, "%d", 7);
	jb_end(&b, ']');
	jb_kraw(&b, "raw", "{\"x\":1}", 7);
	jb_kstr(&b, "none", NULL);
	jb_end(&b, '}');
	is_str(b.p, "{\"file\":\"out/c.json\",\"n\":-3,\"ok\":true,"
	    "\"list\":[\"a\",{},7],\"raw\":{\"x\":1},\"none\":null}",
	    "members and items are separated by commas");
	jb_reset(&b);
	ok(b.len == 0 && b.comma == 0, "jb_reset empties the buffer");
	jb_begin(&b, '[');
	jb_end(&b, ']');
	is_str(b.p, "[]", "a reset buffer starts without a comma");
	jb_free(&b);
	ok(b.p == NULL && b.len == 0, "jb_free");

	for (i = 0; i < 1000; i++)
		jb_printf(&b, "%s", "0123456789");
	ok(b.len == 10000 && b.p[b.len] == '\0', "the buffer grows");
	jb_free(&b);

	return done_testing();
}
