/* test-json.c: the jsmn wrapper: lookup by unescaped key, unescaping,
 * integers and literals, token skipping. */
#include <stdlib.h>
#include <string.h>

#include "a0.h"
#include "tap.h"

static struct jdoc d;

static int
parse(const char *s)
{
	return json_parse(&d, s, strlen(s));
}

int
main(void)
{
	char buf[64], *s;
	long long v;
	int i, big;

	ok(parse("{\"a\":1,\"b\":[1,2,{\"c\":3}],\"d\":\"x\"}") == 12,
	    "tokens of a small object");
	ok(json_get(&d, 0, "d") == 11, "json_get skips nested values");
	ok(json_get(&d, 0, "c") == -1, "json_get looks at members only");
	ok(json_skip(&d, 4) == 10, "json_skip passes a whole array");
	ok(json_skip(&d, 3) == 4, "json_skip passes a key");
	ok(json_int(&d, json_get(&d, 0, "a"), &v) == 0 && v == 1,
	    "json_int reads 1");
	ok(json_int(&d, json_get(&d, 0, "d"), &v) == -1,
	    "json_int refuses a string");

	ok(parse("{\"\\u0065mail\":\"a\\u00e9\\ud83d\\ude00\\n\"}") == 3,
	    "escaped key parses");
	i = json_get(&d, 0, "email");
	ok(i == 2, "\\u0065mail is email");
	ok(json_unescape(&d, i, buf, sizeof(buf)) == 8 &&
	    memcmp(buf, "a\xc3\xa9\xf0\x9f\x98\x80\n", 8) == 0,
	    "\\u escapes and surrogate pairs become UTF-8");
	ok(json_unescape(&d, i, buf, 4) == -1, "json_unescape refuses a "
	    "short buffer");
	ok(json_streq(&d, i, "a\xc3\xa9\xf0\x9f\x98\x80\n"),
	    "json_streq compares unescaped");
	ok(!json_streq(&d, i, "a\xc3\xa9"), "json_streq: prefix is not equal");
	s = json_strdup(&d, i);
	ok(s != NULL && strcmp(s, "a\xc3\xa9\xf0\x9f\x98\x80\n") == 0,
	    "json_strdup");
	free(s);

	ok(parse("{\"t\":true,\"f\":false,\"n\":null}") == 7, "literals");
	ok(json_get(&d, 0, "t") == 2 && d.tok[2].type == JT_PRIMITIVE &&
	    d.tok[2].end - d.tok[2].start == 4, "true is a primitive");
	ok(json_get(&d, 0, "n") == 6 && d.tok[6].type == JT_PRIMITIVE,
	    "null is a primitive");
	ok(json_get(&d, 0, "x") == -1, "absent is -1");

	ok(parse("{\"a\":1} {\"b\":2}") == -1, "two roots are refused");
	ok(parse("{\"a\":") == -1, "a truncated text is refused");
	ok(parse("") == -1, "an empty text is refused");
	if (parse("{\"a\":1,\"b\"}") > 0)
		ok(json_get(&d, 0, "b") == -1 && json_get(&d, 0, "c") == -1,
		    "json_get stays inside the tokens for a key without value");
	else
		ok(1, "a key without a value is refused");
	ok(parse("[\"\\ud800\"]") == 2, "a lone surrogate tokenizes");
	ok(json_unescape(&d, 1, buf, sizeof(buf)) == -1,
	    "but does not unescape");

	/* The token array grows past its first allocation. */
	{
		char *t = malloc(20001);
		for (big = 0; big < 10000; big++)
			memcpy(t + 2 * big, big ? ",1" : "[1", 2);
		t[19999] = '1';
		memcpy(t + 19998, "]", 2);
		ok(json_parse(&d, t, strlen(t)) > 5000, "token array grows");
		free(t);
	}
	json_free(&d);

	/* json_parse_valid gives json_parse's tokens, and marks escapes. */
	{
		static const char *const texts[] = {
			"{\"a\":1,\"b\":[1,2,{\"c\":3}],\"d\":\"x\"}",
			" { \"a\" : [ ] , \"b\" : { } , \"c\" : [ [ 1 ] ] } ",
			("{\"\\u0065mail\":\"a\\\"b\\\\\",\"k\":\"0123456789abcdef"
			    "\\\"0123456789abcdef\"}"),
			"[true,false,null,-1.5e+3,\"\",{\"\":\"\"}]",
			"{\"a\":{\"b\":{\"c\":[1,[2,[3]]]}},\"z\":0}",
			"\"just a string\"",
			/* Quotes and escapes in the last sixteen bytes. */
			"{\"key\": \"0123456789\", \"k\": \"a\\\"b\\\\\"}",
			"{\"0123456789abcdef\":\"\\\"\",\"x\":\"\\\\\\\\\"}",
			"{\"long\":\"0123456789abcdef0123456789abcdef\\n\"}",
			"[\n  {\"a\" : \"x\"},\r\n\t{ }  ,\"\\u00e9\\\"\"\n]\n",
		};
		/* Which tokens are strings with a backslash, as bits. */
		static const unsigned escs[] = {
			0, 0, 0x16, 0, 0, 0, 0x10, 0x14, 0x04, 0x20
		};
		/* Each text's length without blanks outside strings. */
		static const size_t compact[] = {
			33, 25, 64, 36, 35, 15, 33, 36, 45, 25
		};
		struct jdoc v;
		size_t i;
		int n, m, k, bad;

		memset(&v, 0, sizeof(v));
		for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
			n = parse(texts[i]);
			m = json_parse_valid(&v, texts[i], strlen(texts[i]));
			ok(n > 0 && n == m && memcmp(d.tok, v.tok,
			    sizeof(*d.tok) * (size_t)n) == 0,
			    "json_parse_valid: the tokens of text %zu", i);
			for (bad = 0, k = 0; k < m; k++)
				if (v.esc[k] != ((escs[i] >> k) & 1))
					bad++;
			ok(v.escn == m && bad == 0,
			    "json_parse_valid: escapes of text %zu", i);
			ok(v.compact == compact[i],
			    "json_parse_valid: text %zu is %zu bytes without "
			    "blanks (%zu)", i, compact[i], v.compact);
		}
		ok(json_parse_valid(&v, "", 0) == -1,
		    "json_parse_valid: an empty text is refused");
		json_free(&d);
		json_free(&v);
	}
	/* UTF-16 length without unescaping, as JavaScript counts. */
	{
		static const struct {
			const char	*text;
			long		 len;
		} u16[] = {
			{ "[\"\"]", 0 },
			{ "[\"abc\"]", 3 },
			{ "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]", 4 },
			{ "[\"\\u00e9\\u20ac\\ud83d\\ude00\\n\\\"\"]", 6 },
			{ "[\"a\\u0000b\\/\\t\"]", 5 },
			{ "[\"\\uD83D\\uDE00x\"]", 3 },
			{ "[\"\\ud800\"]", -1 },
			{ "[\"\\udc00\\ud800\"]", -1 },
			{ "[\"\\ud83dx\"]", -1 },
			{ "[1]", -1 },
		};
		size_t i;

		for (i = 0; i < sizeof(u16) / sizeof(u16[0]); i++) {
			parse(u16[i].text);
			ok(json_u16len(&d, 1) == u16[i].len,
			    "json_u16len of %s: %ld", u16[i].text,
			    json_u16len(&d, 1));
		}
		json_free(&d);
	}
	return done_testing();
}
