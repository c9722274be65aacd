/* test-http: what http.c hides from messages and traces. */
#include <stdlib.h>
#include <string.h>

#include "a0.h"
#include "tap.h"

int
main(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		/* Keys, as before any value is known. */
		{ "Authorization: Bearer abc", "Authorization: [redacted]" },
		{ "a=1&client_secret=s%2Bx&b=2",
		    "a=1&client_secret=[redacted]&b=2" },
		{ "{\"access_token\": \"xyz\"}",
		    "{\"access_token\": \"[redacted]\"}" },
		/* Values given to a0_http_secret, wherever they show. */
		{ "Invalid token Bearer tok.EN-1/2", "Invalid token Bearer "
		    "[redacted]" },
		{ "bad secret 'se cr+t/&=~x'!", "bad secret '[redacted]'!" },
		{ "bad secret se%20cr%2Bt%2F%26%3D~x.",
		    "bad secret [redacted]." },
		{ "bad secret se+cr%2bt%2f%26%3d%7Ex.",
		    "bad secret [redacted]." },
		{ "{\"m\":\"tok.EN-1\\/2 and tok.EN-1/2\"}",
		    "{\"m\":\"[redacted] and [redacted]\"}" },
		{ "%74%6f%6b.EN-1/2", "[redacted]" },
		{ "tok.EN-1/tok.EN-1/2", "tok.EN-1/[redacted]" },
		/* No value: nothing to hide. */
		{ "{\"access_token\":", "{\"access_token\":" },
		{ "a=&client_secret=&b=1", "a=&client_secret=&b=1" },
		/* Not the value: left alone. */
		{ "tok.EN-1/3 se cr+t", "tok.EN-1/3 se cr+t" },
		{ "abcdefg", "abcdefg" },
		{ "", "" },
	};
	static const char rec[] = "{\"user\":{\"client_secret\":\"keep\"},"
	    "\"e\":\"tok.EN-1/2\"}";
	char *r, *u;
	size_t i, len;

	ok(a0_http_unsecret("tok.EN-1/2", 10, &len) == NULL,
	    "nothing to hide before a secret is known");
	a0_http_secret("tok.EN-1/2");
	a0_http_secret("se cr+t/&=~x");
	a0_http_secret("abcdefg");	/* too short to hide */
	a0_http_secret(NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = a0_http_redact(cases[i].in);
		is_str(r, cases[i].out, "redact: %s", cases[i].in);
		free(r);
	}
	u = a0_http_unsecret(rec, strlen(rec), &len);
	is_str(u, "{\"user\":{\"client_secret\":\"keep\"},\"e\":\"[redacted]\"}",
	    "unsecret: the values only, keys kept");
	ok(u != NULL && len == strlen(u), "unsecret: its length");
	free(u);
	ok(a0_http_unsecret("{\"user\":{}}", 11, &len) == NULL,
	    "unsecret: NULL when there is nothing to hide");
	u = a0_http_unsecret("x\0tok.EN-1/2\0y", 14, &len);
	ok(u != NULL && len == 14 && memcmp(u, "x\0[redacted]\0y", 14) == 0,
	    "unsecret: NUL bytes kept, lengths counted");
	free(u);
	return done_testing();
}
