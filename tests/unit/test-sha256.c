/* test-sha256: the FIPS 180 examples, and split updates. */
#include <stdlib.h>
#include <string.h>

#include "a0.h"
#include "tap.h"

static const struct {
	const char	*in;
	const char	*want;
} vec[] = {
	{ "abc",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

int
main(void)
{
	struct a0_sha256 s;
	char out[65], *m, *o = out;
	size_t i, j;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		a0_sha256(vec[i].in, strlen(vec[i].in), out);
		is_str(o, vec[i].want, "sha256 of \"%.10s...\" (%zu bytes)",
		    vec[i].in, strlen(vec[i].in));
		/* The same bytes fed one at a time. */
		a0_sha256_init(&s);
		for (j = 0; vec[i].in[j] != '\0'; j++)
			a0_sha256_update(&s, vec[i].in + j, 1);
		a0_sha256_hex(&s, out);
		is_str(o, vec[i].want, "byte by byte, %zu bytes",
		    strlen(vec[i].in));
	}

	/* One million 'a', in uneven pieces across block boundaries. */
	m = malloc(1000000);
	memset(m, 'a', 1000000);
	a0_sha256_init(&s);
	for (i = 0; i < 1000000; i += j) {
		j = 1 + i % 97;
		if (i + j > 1000000)
			j = 1000000 - i;
		a0_sha256_update(&s, m + i, j);
	}
	a0_sha256_hex(&s, out);
	is_str(o,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	    "one million 'a' in pieces");
	a0_sha256(m, 1000000, out);
	is_str(o,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	    "one million 'a' at once");
	/* Lengths around the padding boundary: 55, 56, 63, 64 bytes. */
	a0_sha256(m, 55, out);
	is_str(o,
	    "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
	    "55 bytes");
	a0_sha256(m, 56, out);
	is_str(o,
	    "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
	    "56 bytes");
	a0_sha256(m, 64, out);
	is_str(o,
	    "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
	    "64 bytes");
	free(m);
	return done_testing();
}
