/*
 * sha256.c: SHA-256 (FIPS 180-4), to name a chunk by its content in
 * a0-submit's journal.
 */
#include <stdint.h>
#include <string.h>

#include "a0.h"

static const uint32_t k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))
#define S0(x)		(ROR(x, 2) ^ ROR(x, 13) ^ ROR(x, 22))
#define S1(x)		(ROR(x, 6) ^ ROR(x, 11) ^ ROR(x, 25))
#define s0(x)		(ROR(x, 7) ^ ROR(x, 18) ^ ((x) >> 3))
#define s1(x)		(ROR(x, 17) ^ ROR(x, 19) ^ ((x) >> 10))
#define CH(x, y, z)	((((y) ^ (z)) & (x)) ^ (z))
#define MAJ(x, y, z)	(((x) & (y)) | ((z) & ((x) | (y))))

/* Message word i of the block, computed in place in a ring of 16. */
#define W(i)		((i) < 16 ? w[i] : (w[(i) & 15] +=		\
			    s1(w[((i) - 2) & 15]) + w[((i) - 7) & 15] +	\
			    s0(w[((i) - 15) & 15])))

/* One round; the callers rotate the names instead of moving values. */
#define R(a, b, c, d, e, f, g, h, i) do {				\
	uint32_t t_ = (h) + S1(e) + CH(e, f, g) + k[i] + W(i);		\
	(d) += t_;							\
	(h) = t_ + S0(a) + MAJ(a, b, c);				\
} while (0)

static void
block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[16], a, b, c, d, e, f, g, hh;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (i = 0; i < 64; i += 8) {
		R(a, b, c, d, e, f, g, hh, i);
		R(hh, a, b, c, d, e, f, g, i + 1);
		R(g, hh, a, b, c, d, e, f, i + 2);
		R(f, g, hh, a, b, c, d, e, i + 3);
		R(e, f, g, hh, a, b, c, d, i + 4);
		R(d, e, f, g, hh, a, b, c, i + 5);
		R(c, d, e, f, g, hh, a, b, i + 6);
		R(b, c, d, e, f, g, hh, a, i + 7);
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

void
a0_sha256_init(struct a0_sha256 *s)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memcpy(s->h, iv, sizeof(iv));
	s->len = 0;
}

void
a0_sha256_update(struct a0_sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t have = (size_t)(s->len % 64), n;

	s->len += len;
	if (have > 0) {
		n = 64 - have < len ? 64 - have : len;
		memcpy(s->buf + have, p, n);
		p += n;
		len -= n;
		if (have + n < 64)
			return;
		block(s->h, s->buf);
	}
	for (; len >= 64; p += 64, len -= 64)
		block(s->h, p);
	memcpy(s->buf, p, len);
}

void
a0_sha256_hex(struct a0_sha256 *s, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t bits = s->len * 8;
	size_t have = (size_t)(s->len % 64);
	int i;

	s->buf[have++] = 0x80;
	if (have > 56) {
		memset(s->buf + have, 0, 64 - have);
		block(s->h, s->buf);
		have = 0;
	}
	memset(s->buf + have, 0, 56 - have);
	for (i = 0; i < 8; i++)
		s->buf[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	block(s->h, s->buf);
	for (i = 0; i < 32; i++) {
		unsigned v = (s->h[i / 4] >> (24 - 8 * (i % 4))) & 0xff;

		out[2 * i] = hex[v >> 4];
		out[2 * i + 1] = hex[v & 0xf];
	}
	out[64] = '\0';
}

void
a0_sha256(const void *data, size_t len, char out[65])
{
	struct a0_sha256 s;

	a0_sha256_init(&s);
	a0_sha256_update(&s, data, len);
	a0_sha256_hex(&s, out);
}
