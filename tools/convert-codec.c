/*
 * convert-codec.c: the base64 and hex that stored hashes, salts and keys
 * come in, and Auth0's PHC strings want (standard alphabet, no padding).
 */
#include <string.h>

#include "convert.h"

static const char b64std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int
b64_decode(struct jbuf *out, const char *s, size_t n)
{
	unsigned long acc = 0;
	size_t i;
	int bits = 0, v;
	char c;

	while (n > 0 && s[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((v = b64val((unsigned char)s[i])) < 0)
			return -1;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			c = (char)((acc >> bits) & 0xff);
			jb_add(out, &c, 1);
		}
	}
	return 0;
}

void
b64_encode(struct jbuf *out, const unsigned char *p, size_t n)
{
	char q[4];
	size_t i;
	unsigned long v;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 |
		    p[i + 2];
		q[0] = b64std[v >> 18];
		q[1] = b64std[(v >> 12) & 63];
		q[2] = b64std[(v >> 6) & 63];
		q[3] = b64std[v & 63];
		jb_add(out, q, 4);
	}
	if (n - i == 1) {
		v = (unsigned long)p[i] << 16;
		q[0] = b64std[v >> 18];
		q[1] = b64std[(v >> 12) & 63];
		jb_add(out, q, 2);
	} else if (n - i == 2) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8;
		q[0] = b64std[v >> 18];
		q[1] = b64std[(v >> 12) & 63];
		q[2] = b64std[(v >> 6) & 63];
		jb_add(out, q, 3);
	}
}

int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hex_decode(struct jbuf *out, const char *s, size_t n)
{
	size_t i;
	int hi, lo;
	char c;

	if (n % 2 != 0)
		return -1;
	for (i = 0; i < n; i += 2) {
		if ((hi = hex_digit((unsigned char)s[i])) < 0 ||
		    (lo = hex_digit((unsigned char)s[i + 1])) < 0)
			return -1;
		c = (char)(hi << 4 | lo);
		jb_add(out, &c, 1);
	}
	return 0;
}
