/* test-jsonw: the JSON writer, as a table of calls and the text made. */
#include <stdlib.h>

#include "a0.h"
#include "tap.h"

int
main(void)
{
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
