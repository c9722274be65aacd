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
 * The key's bytes, eight to a word (in the machine's byte order, the
 * last one padded with zeros), each word mixed in; capitals folded for
 * email and username.
 */
uint64_t
dupset_hash(int kind, const char *key, size_t len)
{
	const unsigned char *p = (const unsigned char *)key;
	unsigned char word[8];
	uint64_t h, w;
	size_t i;
	int fold = kind == DUP_EMAIL || kind == DUP_USERNAME;

	h = P3 * (uint64_t)(kind + 1) ^ (uint64_t)len * P1;
	for (i = 0; i < len; i += 8) {
		if (len - i >= 8)
			memcpy(word, p + i, 8);
		else {
			memset(word, 0, sizeof(word));
			memcpy(word, p + i, len - i);
		}
		memcpy(&w, word, 8);
		if (fold)
			w = fold8(w);
		h ^= rotl(w * P2, 31) * P1;
		h = rotl(h, 27) * P1 + P3;
	}
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

size_t
dupset_count(const struct dupset *ds)
{
	return ds->count;
}
