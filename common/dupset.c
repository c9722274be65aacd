/*
 * dupset.c: the users already seen in an input, so that a later record
 * with the same email (case-insensitive), username (case-insensitive) or
 * user_id can be named a duplicate.  Only a 64-bit hash of each key and
 * the record number are kept (12 bytes a slot, the table at least 3/8
 * full: at most 32 bytes a key), never the keys themselves.
 */
/* For MADV_HUGEPAGE, a Linux hint; without it the table works the same.
 * A feature-test macro is what the name is reserved for. */
#define _DEFAULT_SOURCE	/* NOLINT(bugprone-reserved-identifier) */
#include <sys/mman.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "a0.h"

/* One slot, 12 bytes: a probe touches one cache line. */
struct dslot {
	uint32_t	 lo, hi;	/* the hash */
	uint32_t	 rec;		/* 0: empty */
};

struct dupset {
	struct dslot	*slot;
	size_t		 size;	/* a power of two */
	size_t		 count;
};

#define DUP_MIN_SIZE	1024

static const uint64_t P1 = 0x9E3779B185EBCA87ULL;
static const uint64_t P2 = 0xC2B2AE3D27D4EB4FULL;
static const uint64_t P3 = 0x165667B19E3779F9ULL;

static uint64_t
rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t
fmix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDULL;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ULL;
	h ^= h >> 33;
	return h;
}

/* Word w with its ASCII capitals made small, all eight bytes at once. */
static uint64_t
fold8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL;
	uint64_t low = w & 0x7F * ones, upper;

	/* Bit 7 of each byte: ASCII, and at least 'A', and not above 'Z'. */
	upper = ~w & ((low + (0x80 - 'A') * ones) ^
	    (low + (0x7F - 'Z') * ones)) & 0x80 * ones;
	return w | upper >> 2;
}

/*
 * Lower case beyond ASCII, as Auth0 lower-cases emails and usernames
 * (JavaScript's toLowerCase): the code points in lowers[] move by delta
 * (every one from first to last, or every second one when step is 2);
 * U+0130 becomes "i\u0307"; a capital sigma at the end of a word (after
 * a cased letter, apostrophes and dots skipped, and before none) becomes
 * the final sigma.  Only the ASCII marks count as skippable here, where
 * Unicode's Case_Ignorable has many more.
 */
struct lowrange {
	uint32_t	 first, last;
	int		 step;
	int32_t		 delta;
};
struct caserange {
	uint32_t	 first, last;
};

/* BEGIN tables written by common/mklower from Unicode 14.0.0 */
static const struct lowrange lowers[] = {
	{ 0x000C0, 0x000D6, 1, 32 },
	{ 0x000D8, 0x000DE, 1, 32 },
	{ 0x00100, 0x0012E, 2, 1 },
	{ 0x00132, 0x00136, 2, 1 },
	{ 0x00139, 0x00147, 2, 1 },
	{ 0x0014A, 0x00176, 2, 1 },
	{ 0x00178, 0x00178, 1, -121 },
	{ 0x00179, 0x0017D, 2, 1 },
	{ 0x00181, 0x00181, 1, 210 },
	{ 0x00182, 0x00184, 2, 1 },
	{ 0x00186, 0x00186, 1, 206 },
	{ 0x00187, 0x00187, 1, 1 },
	{ 0x00189, 0x0018A, 1, 205 },
	{ 0x0018B, 0x0018B, 1, 1 },
	{ 0x0018E, 0x0018E, 1, 79 },
	{ 0x0018F, 0x0018F, 1, 202 },
	{ 0x00190, 0x00190, 1, 203 },
	{ 0x00191, 0x00191, 1, 1 },
	{ 0x00193, 0x00193, 1, 205 },
	{ 0x00194, 0x00194, 1, 207 },
	{ 0x00196, 0x00196, 1, 211 },
	{ 0x00197, 0x00197, 1, 209 },
	{ 0x00198, 0x00198, 1, 1 },
	{ 0x0019C, 0x0019C, 1, 211 },
	{ 0x0019D, 0x0019D, 1, 213 },
	{ 0x0019F, 0x0019F, 1, 214 },
	{ 0x001A0, 0x001A4, 2, 1 },
	{ 0x001A6, 0x001A6, 1, 218 },
	{ 0x001A7, 0x001A7, 1, 1 },
	{ 0x001A9, 0x001A9, 1, 218 },
	{ 0x001AC, 0x001AC, 1, 1 },
	{ 0x001AE, 0x001AE, 1, 218 },
	{ 0x001AF, 0x001AF, 1, 1 },
	{ 0x001B1, 0x001B2, 1, 217 },
	{ 0x001B3, 0x001B5, 2, 1 },
	{ 0x001B7, 0x001B7, 1, 219 },
	{ 0x001B8, 0x001B8, 1, 1 },
	{ 0x001BC, 0x001BC, 1, 1 },
	{ 0x001C4, 0x001C4, 1, 2 },
	{ 0x001C5, 0x001C5, 1, 1 },
	{ 0x001C7, 0x001C7, 1, 2 },
	{ 0x001C8, 0x001C8, 1, 1 },
	{ 0x001CA, 0x001CA, 1, 2 },
	{ 0x001CB, 0x001DB, 2, 1 },
	{ 0x001DE, 0x001EE, 2, 1 },
	{ 0x001F1, 0x001F1, 1, 2 },
	{ 0x001F2, 0x001F4, 2, 1 },
	{ 0x001F6, 0x001F6, 1, -97 },
	{ 0x001F7, 0x001F7, 1, -56 },
	{ 0x001F8, 0x0021E, 2, 1 },
	{ 0x00220, 0x00220, 1, -130 },
	{ 0x00222, 0x00232, 2, 1 },
	{ 0x0023A, 0x0023A, 1, 10795 },
	{ 0x0023B, 0x0023B, 1, 1 },
	{ 0x0023D, 0x0023D, 1, -163 },
	{ 0x0023E, 0x0023E, 1, 10792 },
	{ 0x00241, 0x00241, 1, 1 },
	{ 0x00243, 0x00243, 1, -195 },
	{ 0x00244, 0x00244, 1, 69 },
	{ 0x00245, 0x00245, 1, 71 },
	{ 0x00246, 0x0024E, 2, 1 },
	{ 0x00370, 0x00372, 2, 1 },
	{ 0x00376, 0x00376, 1, 1 },
	{ 0x0037F, 0x0037F, 1, 116 },
	{ 0x00386, 0x00386, 1, 38 },
	{ 0x00388, 0x0038A, 1, 37 },
	{ 0x0038C, 0x0038C, 1, 64 },
	{ 0x0038E, 0x0038F, 1, 63 },
	{ 0x00391, 0x003A1, 1, 32 },
	{ 0x003A3, 0x003AB, 1, 32 },
	{ 0x003CF, 0x003CF, 1, 8 },
	{ 0x003D8, 0x003EE, 2, 1 },
	{ 0x003F4, 0x003F4, 1, -60 },
	{ 0x003F7, 0x003F7, 1, 1 },
	{ 0x003F9, 0x003F9, 1, -7 },
	{ 0x003FA, 0x003FA, 1, 1 },
	{ 0x003FD, 0x003FF, 1, -130 },
	{ 0x00400, 0x0040F, 1, 80 },
	{ 0x00410, 0x0042F, 1, 32 },
	{ 0x00460, 0x00480, 2, 1 },
	{ 0x0048A, 0x004BE, 2, 1 },
	{ 0x004C0, 0x004C0, 1, 15 },
	{ 0x004C1, 0x004CD, 2, 1 },
	{ 0x004D0, 0x0052E, 2, 1 },
	{ 0x00531, 0x00556, 1, 48 },
	{ 0x010A0, 0x010C5, 1, 7264 },
	{ 0x010C7, 0x010C7, 1, 7264 },
	{ 0x010CD, 0x010CD, 1, 7264 },
	{ 0x013A0, 0x013EF, 1, 38864 },
	{ 0x013F0, 0x013F5, 1, 8 },
	{ 0x01C90, 0x01CBA, 1, -3008 },
	{ 0x01CBD, 0x01CBF, 1, -3008 },
	{ 0x01E00, 0x01E94, 2, 1 },
	{ 0x01E9E, 0x01E9E, 1, -7615 },
	{ 0x01EA0, 0x01EFE, 2, 1 },
	{ 0x01F08, 0x01F0F, 1, -8 },
	{ 0x01F18, 0x01F1D, 1, -8 },
	{ 0x01F28, 0x01F2F, 1, -8 },
	{ 0x01F38, 0x01F3F, 1, -8 },
	{ 0x01F48, 0x01F4D, 1, -8 },
	{ 0x01F59, 0x01F5F, 2, -8 },
	{ 0x01F68, 0x01F6F, 1, -8 },
	{ 0x01F88, 0x01F8F, 1, -8 },
	{ 0x01F98, 0x01F9F, 1, -8 },
	{ 0x01FA8, 0x01FAF, 1, -8 },
	{ 0x01FB8, 0x01FB9, 1, -8 },
	{ 0x01FBA, 0x01FBB, 1, -74 },
	{ 0x01FBC, 0x01FBC, 1, -9 },
	{ 0x01FC8, 0x01FCB, 1, -86 },
	{ 0x01FCC, 0x01FCC, 1, -9 },
	{ 0x01FD8, 0x01FD9, 1, -8 },
	{ 0x01FDA, 0x01FDB, 1, -100 },
	{ 0x01FE8, 0x01FE9, 1, -8 },
	{ 0x01FEA, 0x01FEB, 1, -112 },
	{ 0x01FEC, 0x01FEC, 1, -7 },
	{ 0x01FF8, 0x01FF9, 1, -128 },
	{ 0x01FFA, 0x01FFB, 1, -126 },
	{ 0x01FFC, 0x01FFC, 1, -9 },
	{ 0x02126, 0x02126, 1, -7517 },
	{ 0x0212A, 0x0212A, 1, -8383 },
	{ 0x0212B, 0x0212B, 1, -8262 },
	{ 0x02132, 0x02132, 1, 28 },
	{ 0x02160, 0x0216F, 1, 16 },
	{ 0x02183, 0x02183, 1, 1 },
	{ 0x024B6, 0x024CF, 1, 26 },
	{ 0x02C00, 0x02C2F, 1, 48 },
	{ 0x02C60, 0x02C60, 1, 1 },
	{ 0x02C62, 0x02C62, 1, -10743 },
	{ 0x02C63, 0x02C63, 1, -3814 },
	{ 0x02C64, 0x02C64, 1, -10727 },
	{ 0x02C67, 0x02C6B, 2, 1 },
	{ 0x02C6D, 0x02C6D, 1, -10780 },
	{ 0x02C6E, 0x02C6E, 1, -10749 },
	{ 0x02C6F, 0x02C6F, 1, -10783 },
	{ 0x02C70, 0x02C70, 1, -10782 },
	{ 0x02C72, 0x02C72, 1, 1 },
	{ 0x02C75, 0x02C75, 1, 1 },
	{ 0x02C7E, 0x02C7F, 1, -10815 },
	{ 0x02C80, 0x02CE2, 2, 1 },
	{ 0x02CEB, 0x02CED, 2, 1 },
	{ 0x02CF2, 0x02CF2, 1, 1 },
	{ 0x0A640, 0x0A66C, 2, 1 },
	{ 0x0A680, 0x0A69A, 2, 1 },
	{ 0x0A722, 0x0A72E, 2, 1 },
	{ 0x0A732, 0x0A76E, 2, 1 },
	{ 0x0A779, 0x0A77B, 2, 1 },
	{ 0x0A77D, 0x0A77D, 1, -35332 },
	{ 0x0A77E, 0x0A786, 2, 1 },
	{ 0x0A78B, 0x0A78B, 1, 1 },
	{ 0x0A78D, 0x0A78D, 1, -42280 },
	{ 0x0A790, 0x0A792, 2, 1 },
	{ 0x0A796, 0x0A7A8, 2, 1 },
	{ 0x0A7AA, 0x0A7AA, 1, -42308 },
	{ 0x0A7AB, 0x0A7AB, 1, -42319 },
	{ 0x0A7AC, 0x0A7AC, 1, -42315 },
	{ 0x0A7AD, 0x0A7AD, 1, -42305 },
	{ 0x0A7AE, 0x0A7AE, 1, -42308 },
	{ 0x0A7B0, 0x0A7B0, 1, -42258 },
	{ 0x0A7B1, 0x0A7B1, 1, -42282 },
	{ 0x0A7B2, 0x0A7B2, 1, -42261 },
	{ 0x0A7B3, 0x0A7B3, 1, 928 },
	{ 0x0A7B4, 0x0A7C2, 2, 1 },
	{ 0x0A7C4, 0x0A7C4, 1, -48 },
	{ 0x0A7C5, 0x0A7C5, 1, -42307 },
	{ 0x0A7C6, 0x0A7C6, 1, -35384 },
	{ 0x0A7C7, 0x0A7C9, 2, 1 },
	{ 0x0A7D0, 0x0A7D0, 1, 1 },
	{ 0x0A7D6, 0x0A7D8, 2, 1 },
	{ 0x0A7F5, 0x0A7F5, 1, 1 },
	{ 0x0FF21, 0x0FF3A, 1, 32 },
	{ 0x10400, 0x10427, 1, 40 },
	{ 0x104B0, 0x104D3, 1, 40 },
	{ 0x10570, 0x1057A, 1, 39 },
	{ 0x1057C, 0x1058A, 1, 39 },
	{ 0x1058C, 0x10592, 1, 39 },
	{ 0x10594, 0x10595, 1, 39 },
	{ 0x10C80, 0x10CB2, 1, 64 },
	{ 0x118A0, 0x118BF, 1, 32 },
	{ 0x16E40, 0x16E5F, 1, 32 },
	{ 0x1E900, 0x1E921, 1, 34 },
};
static const struct caserange caseds[] = {
	{ 0x000B5, 0x000B5 }, { 0x000C0, 0x000D6 }, { 0x000D8, 0x000F6 },
	{ 0x000F8, 0x001BA }, { 0x001BC, 0x001BF }, { 0x001C4, 0x00293 },
	{ 0x00295, 0x002AF }, { 0x00345, 0x00345 }, { 0x00370, 0x00373 },
	{ 0x00376, 0x00377 }, { 0x0037B, 0x0037D }, { 0x0037F, 0x0037F },
	{ 0x00386, 0x00386 }, { 0x00388, 0x0038A }, { 0x0038C, 0x0038C },
	{ 0x0038E, 0x003A1 }, { 0x003A3, 0x003F5 }, { 0x003F7, 0x00481 },
	{ 0x0048A, 0x0052F }, { 0x00531, 0x00556 }, { 0x00560, 0x00588 },
	{ 0x010A0, 0x010C5 }, { 0x010C7, 0x010C7 }, { 0x010CD, 0x010CD },
	{ 0x010D0, 0x010FA }, { 0x010FD, 0x010FF }, { 0x013A0, 0x013F5 },
	{ 0x013F8, 0x013FD }, { 0x01C80, 0x01C88 }, { 0x01C90, 0x01CBA },
	{ 0x01CBD, 0x01CBF }, { 0x01D00, 0x01D2B }, { 0x01D6B, 0x01D77 },
	{ 0x01D79, 0x01D9A }, { 0x01E00, 0x01F15 }, { 0x01F18, 0x01F1D },
	{ 0x01F20, 0x01F45 }, { 0x01F48, 0x01F4D }, { 0x01F50, 0x01F57 },
	{ 0x01F59, 0x01F59 }, { 0x01F5B, 0x01F5B }, { 0x01F5D, 0x01F5D },
	{ 0x01F5F, 0x01F7D }, { 0x01F80, 0x01FB4 }, { 0x01FB6, 0x01FBC },
	{ 0x01FBE, 0x01FBE }, { 0x01FC2, 0x01FC4 }, { 0x01FC6, 0x01FCC },
	{ 0x01FD0, 0x01FD3 }, { 0x01FD6, 0x01FDB }, { 0x01FE0, 0x01FEC },
	{ 0x01FF2, 0x01FF4 }, { 0x01FF6, 0x01FFC }, { 0x02102, 0x02102 },
	{ 0x02107, 0x02107 }, { 0x0210A, 0x02113 }, { 0x02115, 0x02115 },
	{ 0x02119, 0x0211D }, { 0x02124, 0x02124 }, { 0x02126, 0x02126 },
	{ 0x02128, 0x02128 }, { 0x0212A, 0x0212D }, { 0x0212F, 0x02134 },
	{ 0x02139, 0x02139 }, { 0x0213C, 0x0213F }, { 0x02145, 0x02149 },
	{ 0x0214E, 0x0214E }, { 0x02160, 0x0217F }, { 0x02183, 0x02184 },
	{ 0x024B6, 0x024E9 }, { 0x02C00, 0x02C7B }, { 0x02C7E, 0x02CE4 },
	{ 0x02CEB, 0x02CEE }, { 0x02CF2, 0x02CF3 }, { 0x02D00, 0x02D25 },
	{ 0x02D27, 0x02D27 }, { 0x02D2D, 0x02D2D }, { 0x0A640, 0x0A66D },
	{ 0x0A680, 0x0A69B }, { 0x0A722, 0x0A76F }, { 0x0A771, 0x0A787 },
	{ 0x0A78B, 0x0A78E }, { 0x0A790, 0x0A7CA }, { 0x0A7D0, 0x0A7D1 },
	{ 0x0A7D3, 0x0A7D3 }, { 0x0A7D5, 0x0A7D9 }, { 0x0A7F5, 0x0A7F6 },
	{ 0x0A7FA, 0x0A7FA }, { 0x0AB30, 0x0AB5A }, { 0x0AB60, 0x0AB68 },
	{ 0x0AB70, 0x0ABBF }, { 0x0FB00, 0x0FB06 }, { 0x0FB13, 0x0FB17 },
	{ 0x0FF21, 0x0FF3A }, { 0x0FF41, 0x0FF5A }, { 0x10400, 0x1044F },
	{ 0x104B0, 0x104D3 }, { 0x104D8, 0x104FB }, { 0x10570, 0x1057A },
	{ 0x1057C, 0x1058A }, { 0x1058C, 0x10592 }, { 0x10594, 0x10595 },
	{ 0x10597, 0x105A1 }, { 0x105A3, 0x105B1 }, { 0x105B3, 0x105B9 },
	{ 0x105BB, 0x105BC }, { 0x10C80, 0x10CB2 }, { 0x10CC0, 0x10CF2 },
	{ 0x118A0, 0x118DF }, { 0x16E40, 0x16E7F }, { 0x1D400, 0x1D454 },
	{ 0x1D456, 0x1D49C }, { 0x1D49E, 0x1D49F }, { 0x1D4A2, 0x1D4A2 },
	{ 0x1D4A5, 0x1D4A6 }, { 0x1D4A9, 0x1D4AC }, { 0x1D4AE, 0x1D4B9 },
	{ 0x1D4BB, 0x1D4BB }, { 0x1D4BD, 0x1D4C3 }, { 0x1D4C5, 0x1D505 },
	{ 0x1D507, 0x1D50A }, { 0x1D50D, 0x1D514 }, { 0x1D516, 0x1D51C },
	{ 0x1D51E, 0x1D539 }, { 0x1D53B, 0x1D53E }, { 0x1D540, 0x1D544 },
	{ 0x1D546, 0x1D546 }, { 0x1D54A, 0x1D550 }, { 0x1D552, 0x1D6A5 },
	{ 0x1D6A8, 0x1D6C0 }, { 0x1D6C2, 0x1D6DA }, { 0x1D6DC, 0x1D6FA },
	{ 0x1D6FC, 0x1D714 }, { 0x1D716, 0x1D734 }, { 0x1D736, 0x1D74E },
	{ 0x1D750, 0x1D76E }, { 0x1D770, 0x1D788 }, { 0x1D78A, 0x1D7A8 },
	{ 0x1D7AA, 0x1D7C2 }, { 0x1D7C4, 0x1D7CB }, { 0x1DF00, 0x1DF09 },
	{ 0x1DF0B, 0x1DF1E }, { 0x1E900, 0x1E943 },
};
/* END tables written by common/mklower */

/* Code point c lower-cased by the table (not U+0130, not sigma). */
static uint32_t
lower_cp(uint32_t c)
{
	size_t lo = 0, hi = sizeof(lowers) / sizeof(*lowers), m;

	while (lo < hi) {
		m = lo + (hi - lo) / 2;
		if (c < lowers[m].first)
			hi = m;
		else if (c > lowers[m].last)
			lo = m + 1;
		else if (lowers[m].step == 1 ||
		    (c - lowers[m].first) % 2 == 0)
			return (uint32_t)((int32_t)c + lowers[m].delta);
		else
			return c;
	}
	return c;
}

static int
cased_cp(uint32_t c)
{
	size_t lo = 0, hi = sizeof(caseds) / sizeof(*caseds), m;

	if (c < 0x80)
		return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
	while (lo < hi) {
		m = lo + (hi - lo) / 2;
		if (c < caseds[m].first)
			hi = m;
		else if (c > caseds[m].last)
			lo = m + 1;
		else
			return 1;
	}
	return 0;
}

/* The code point at p[*i] (a byte that is not UTF-8 stands for itself,
 * as U+DC80 + byte would, but kept apart by the -1 tag); *i moves on. */
static int32_t
next_cp(const unsigned char *p, size_t len, size_t *i)
{
	uint32_t c = p[*i];
	size_t n, k;

	n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 :
	    (c & 0xF8) == 0xF0 ? 4 : 0;
	if (n == 0 || *i + n > len) {
		(*i)++;
		return -1 - (int32_t)c;
	}
	if (n > 1)
		c &= 0x3F >> (n - 1);
	for (k = 1; k < n; k++) {
		if ((p[*i + k] & 0xC0) != 0x80) {
			(*i)++;
			return -1 - (int32_t)p[*i - 1];
		}
		c = c << 6 | (p[*i + k] & 0x3F);
	}
	*i += n;
	return (int32_t)c;
}

static size_t
put_cp(unsigned char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (unsigned char)(0xC0 | c >> 6);
		o[1] = (unsigned char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (unsigned char)(0xE0 | c >> 12);
		o[1] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
		o[2] = (unsigned char)(0x80 | (c & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | c >> 18);
	o[1] = (unsigned char)(0x80 | (c >> 12 & 0x3F));
	o[2] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
	o[3] = (unsigned char)(0x80 | (c & 0x3F));
	return 4;
}

static int
skippable(int32_t c)
{
	return c == '\'' || c == '.' || c == ':' || c == '^' || c == '`';
}

/* Is the sigma that ends at p[i] the last letter of a word?  prev: the
 * last code point before it that is not skippable (0 for none). */
static int
final_sigma(const unsigned char *p, size_t len, size_t i, int32_t prev)
{
	int32_t c;

	if (prev <= 0 || !cased_cp((uint32_t)prev))
		return 0;
	while (i < len) {
		c = next_cp(p, len, &i);
		if (!skippable(c))
			return c < 0 || !cased_cp((uint32_t)c);
	}
	return 1;
}

/* p[0..len) lower-cased into o, which has room for len + len / 2 + 1
 * bytes (a code point grows by one byte at most, and only one of two or
 * more bytes); returns the length. */
static size_t
lower_utf8(const unsigned char *p, size_t len, unsigned char *o)
{
	size_t i = 0, n = 0;
	int32_t c, prev = 0;

	while (i < len) {
		c = next_cp(p, len, &i);
		if (c < 0) {
			o[n++] = (unsigned char)(-1 - c);
			prev = c;
			continue;
		}
		if (c == 0x130) {
			o[n++] = 'i';
			n += put_cp(o + n, 0x307);
		} else if (c == 0x3A3)
			n += put_cp(o + n, final_sigma(p, len, i, prev) ?
			    0x3C2 : 0x3C3);
		else if (c < 0x80)
			o[n++] = (unsigned char)(c >= 'A' && c <= 'Z' ?
			    c + 32 : c);
		else
			n += put_cp(o + n, lower_cp((uint32_t)c));
		if (!skippable(c))
			prev = c;
	}
	return n;
}

/*
 * The key's bytes, eight to a word (in the machine's byte order, the
 * last one padded with zeros), each word mixed in; ASCII capitals folded
 * when fold is set.  *high gathers the words' bits.
 */
static uint64_t
mix(int kind, const unsigned char *p, size_t len, int fold, uint64_t *high)
{
	unsigned char word[8];
	uint64_t h, w, hi = 0;
	size_t i;

	h = P3 * (uint64_t)(kind + 1) ^ (uint64_t)len * P1;
	for (i = 0; i < len; i += 8) {
		if (len - i >= 8)
			memcpy(word, p + i, 8);
		else {
			memset(word, 0, sizeof(word));
			memcpy(word, p + i, len - i);
		}
		memcpy(&w, word, 8);
		hi |= w;
		if (fold)
			w = fold8(w);
		h ^= rotl(w * P2, 31) * P1;
		h = rotl(h, 27) * P1 + P3;
	}
	*high = hi;
	return h;
}

/*
 * Emails and usernames are hashed lower-cased: ASCII a word at a time;
 * a key with a byte above 0x7F again, lower-cased in full first.
 */
uint64_t
dupset_hash(int kind, const char *key, size_t len)
{
	const unsigned char *p = (const unsigned char *)key;
	unsigned char *o;
	uint64_t h, high;
	size_t n;
	int fold = kind == DUP_EMAIL || kind == DUP_USERNAME;

	h = mix(kind, p, len, fold, &high);
	if (!fold || (high & 0x8080808080808080ULL) == 0)
		return fmix(h);
	o = xmalloc(len + len / 2 + 1);
	n = lower_utf8(p, len, o);
	h = mix(kind, o, n, 1, &high);
	free(o);
	return fmix(h);
}

struct dupset *
dupset_new(void)
{
	struct dupset *ds;

	ds = xcalloc(1, sizeof(*ds));
	ds->size = DUP_MIN_SIZE;
	ds->slot = xcalloc(ds->size, sizeof(*ds->slot));
	return ds;
}

void
dupset_free(struct dupset *ds)
{
	if (ds == NULL)
		return;
	free(ds->slot);
	free(ds);
}

void
dupset_prefetch(const struct dupset *ds, uint64_t h)
{
#if defined(__GNUC__)
	__builtin_prefetch(&ds->slot[(size_t)(h >> 32) & (ds->size - 1)]);
#else
	(void)ds;
	(void)h;
#endif
}

uint32_t
dupset_find(const struct dupset *ds, uint64_t h)
{
	size_t mask = ds->size - 1, i;
	uint32_t lo = (uint32_t)h, hi = (uint32_t)(h >> 32);
	const struct dslot *sl;

	for (i = (size_t)hi & mask; (sl = &ds->slot[i])->rec != 0;
	    i = (i + 1) & mask)
		if (sl->lo == lo && sl->hi == hi)
			return sl->rec;
	return 0;
}

/*
 * A new table of n slots, all empty.  A large one is a new mapping that
 * calloc has not touched: ask for huge pages before the first touch, as
 * each probe lands on a random page and a table of 100 MiB would
 * otherwise miss the TLB on nearly every one.
 */
static struct dslot *
table(size_t n)
{
	struct dslot *t = xcalloc(n, sizeof(*t));
#ifdef MADV_HUGEPAGE
	const uintptr_t huge = 2 * 1024 * 1024;
	uintptr_t lo = ((uintptr_t)t + huge - 1) & ~(huge - 1);
	uintptr_t hi = (uintptr_t)(t + n) & ~(huge - 1);

	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#endif
	return t;
}

/* Double the table, moving every entry. */
static void
grow(struct dupset *ds)
{
	struct dslot *old = ds->slot;
	size_t osize = ds->size, mask, i, j;

	ds->size *= 2;
	mask = ds->size - 1;
	ds->slot = table(ds->size);
	for (i = 0; i < osize; i++) {
		if (old[i].rec == 0)
			continue;
		for (j = (size_t)old[i].hi & mask; ds->slot[j].rec != 0;
		    j = (j + 1) & mask)
			;
		ds->slot[j] = old[i];
	}
	free(old);
}

void
dupset_add(struct dupset *ds, uint64_t h, uint32_t rec)
{
	size_t mask, i;
	uint32_t lo = (uint32_t)h, hi = (uint32_t)(h >> 32);

	if (rec == 0)
		return;
	if ((ds->count + 1) * 4 > ds->size * 3)
		grow(ds);
	mask = ds->size - 1;
	for (i = (size_t)hi & mask; ds->slot[i].rec != 0; i = (i + 1) & mask)
		if (ds->slot[i].lo == lo && ds->slot[i].hi == hi)
			return;
	ds->slot[i].lo = lo;
	ds->slot[i].hi = hi;
	ds->slot[i].rec = rec;
	ds->count++;
}
