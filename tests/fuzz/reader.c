/*
 * reader.c: libFuzzer target for the record reader (jstream.c), the copy
 * of each record a0-chunk packs (jstream_copy) and the whitespace remover
 * (json_compact).
 *
 * The first two bytes of an input choose the read size and the record
 * limit; the rest is the stream, read from a file.  Each input is read
 * twice, in tiny blocks and in one large block, and the two readings
 * must agree record for record and on where and why they stopped: a
 * token that straddles two reads is the reader's hardest case.  The
 * second reading copies each record with jstream_copy, squeezed or not
 * as a bit of the first byte says, into a buffer with no more room than
 * the record as read and JSTREAM_COPY_SLACK: the copy must be the record
 * as read, or json_compact's form of it.  Every
 * record must be an object within the limit that jsmn can tokenize (as
 * a0-validate does next), and its compacted form must be no longer, read
 * back as exactly one record, and be its own compacted form; on any
 * input, valid or not, json_compact stays within its output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "a0.h"

extern size_t jstream_blocksize;

int	LLVMFuzzerTestOneInput(const unsigned char *, size_t);

#define MAXRECS	4096	/* records compared per input */

struct seen {
	uint64_t	 off, len, num, line, col;
};

static int fd_in = -1, fd_rec = -1;
static struct seen *seen;
static char *cbuf, *cbuf2;
static size_t cbufsz;
static struct jdoc doc;

static int
tmpfd(void)
{
	FILE *f;

	if ((f = tmpfile()) == NULL) {
		perror("tmpfile");
		abort();
	}
	return fileno(f);
}

/* Make fd hold exactly buf[0..len), positioned at its start. */
static void
load(int fd, const void *buf, size_t len)
{
	if (ftruncate(fd, 0) == -1 ||
	    (len > 0 && pwrite(fd, buf, len, 0) != (ssize_t)len) ||
	    lseek(fd, 0, SEEK_SET) == -1) {
		perror("load");
		abort();
	}
}

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "reader: check failed: %s (line %d)\n",	\
		    #c, __LINE__);					\
		abort();						\
	}								\
} while (0)

/* The compacted record must be one valid record, no longer, a fixpoint. */
static void
check_compact(const struct jrecord *rec)
{
	struct jstream *js;
	struct jrecord r2;
	size_t n, n2;

	if (rec->len > cbufsz) {
		cbufsz = rec->len;
		cbuf = xrealloc(cbuf, cbufsz);
		cbuf2 = xrealloc(cbuf2, cbufsz);
	}
	n = json_compact(rec->buf, rec->len, cbuf);
	CHECK(n <= rec->len);
	CHECK(n >= 2 && cbuf[0] == '{' && cbuf[n - 1] == '}');
	n2 = json_compact(cbuf, n, cbuf2);
	CHECK(n2 == n && memcmp(cbuf, cbuf2, n) == 0);

	load(fd_rec, cbuf, n);
	jstream_blocksize = 4096;
	js = jstream_open(fd_rec, n);
	CHECK(jstream_next(js, &r2) == 1);
	CHECK(r2.len == n && memcmp(r2.buf, cbuf, n) == 0);
	CHECK(jstream_next(js, &r2) == 0);
	jstream_close(js);
}

/*
 * Read the stream in blocks of bs bytes with record limit maxrec; check
 * every record, and compare with the first reading when there is one.
 * Returns the number of records; *rv gets the final result.
 */
static size_t
readall(size_t bs, size_t maxrec, int first, int *rv, struct jerror *err,
    const unsigned char *data, char *dst, int squeeze)
{
	struct jstream *js;
	struct jrecord rec;
	struct seen *s;
	size_t n = 0, want;
	int r;

	if (lseek(fd_in, 0, SEEK_SET) == -1)
		abort();
	jstream_blocksize = bs;
	js = jstream_open(fd_in, maxrec);
	while ((r = first ? jstream_next(js, &rec) :
	    jstream_copy(js, &rec, dst, squeeze)) == 1) {
		CHECK(rec.len >= 2 && rec.buf[0] == '{' &&
		    rec.buf[rec.len - 1] == '}');
		CHECK(maxrec == 0 || rec.len <= maxrec);
		CHECK(rec.num == n + 1);
		CHECK(rec.line >= 1 && rec.col >= 1);
		if (n < MAXRECS) {
			s = &seen[n];
			if (first) {
				s->off = rec.offset;
				s->len = rec.len;
				s->num = rec.num;
				s->line = rec.line;
				s->col = rec.col;
			} else {
				CHECK(s->off == rec.offset &&
				    s->num == rec.num &&
				    s->line == rec.line && s->col == rec.col);
				CHECK(rec.buf == dst);
				if (squeeze) {
					want = json_compact((const char *)
					    data + s->off, s->len, cbuf);
					CHECK(rec.len == want &&
					    memcmp(rec.buf, cbuf, want) == 0);
					CHECK(rec.blank == rec.len);
				} else
					CHECK(s->len == rec.len &&
					    memcmp(rec.buf, data + s->off,
					    rec.len) == 0);
			}
			if (first) {
				/* What a0-validate does with it next. */
				CHECK(json_parse(&doc, rec.buf, rec.len) > 0);
				CHECK(doc.tok[0].type == JT_OBJECT);
				check_compact(&rec);
				jstream_blocksize = bs;
			}
		}
		n++;
	}
	if (r == -1) {
		*err = *jstream_error(js);
		CHECK(err->msg[0] != '\0');
		CHECK(err->line >= 1 && err->col >= 1);
		/* The reader stays stopped. */
		CHECK(jstream_next(js, &rec) == -1);
	} else {
		CHECK(r == 0);
		CHECK(jstream_next(js, &rec) == 0);
	}
	*rv = r;
	jstream_close(js);
	return n;
}

/*
 * json_compact on the raw input, valid or not, into a buffer of exactly
 * its length: whatever it makes of it, it must not write past the end
 * (the sanitizer sees to that) nor say it wrote more.
 */
static void
compact_any(const unsigned char *data, size_t size)
{
	char *out = xmalloc(size > 0 ? size : 1);

	CHECK(json_compact((const char *)data, size, out) <= size);
	free(out);
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct jerror e1, e2;
	size_t bs, maxrec, n1, n2;
	char *dst;
	int r1, r2, squeeze;

	if (fd_in == -1) {
		fd_in = tmpfd();
		fd_rec = tmpfd();
		seen = xcalloc(MAXRECS, sizeof(*seen));
	}
	if (size < 2)
		return 0;
	bs = 1 + data[0] % 16;
	squeeze = data[0] >> 4 & 1;
	/* 0 (no limit) a quarter of the time, else 2 to 193 bytes. */
	maxrec = data[1] % 4 == 0 ? 0 : 2 + data[1] / 4 * 3;
	data += 2;
	size -= 2;
	load(fd_in, data, size);

	memset(&e1, 0, sizeof(e1));
	memset(&e2, 0, sizeof(e2));
	/* Room for the longest record the reader may hand out. */
	dst = xmalloc((maxrec > 0 && maxrec < size ? maxrec : size) +
	    JSTREAM_COPY_SLACK);
	n1 = readall(1 << 16, maxrec, 1, &r1, &e1, data, NULL, 0);
	n2 = readall(bs, maxrec, 0, &r2, &e2, data, dst, squeeze);
	free(dst);
	CHECK(n1 == n2 && r1 == r2);
	/*
	 * With a record limit, which of two problems in one overlong record
	 * is seen first depends on the reads; without one, the error must
	 * be the same, at the same place.
	 */
	if (r1 == -1 && maxrec == 0) {
		if (strcmp(e1.msg, e2.msg) != 0 || e1.line != e2.line ||
		    e1.col != e2.col || e1.num != e2.num) {
			fprintf(stderr, "reader: block %zu: %llu:%llu: "
			    "record %llu: %s\nblock %zu: %llu:%llu: "
			    "record %llu: %s\n", (size_t)1 << 16,
			    (unsigned long long)e1.line,
			    (unsigned long long)e1.col,
			    (unsigned long long)e1.num, e1.msg, bs,
			    (unsigned long long)e2.line,
			    (unsigned long long)e2.col,
			    (unsigned long long)e2.num, e2.msg);
			abort();
		}
	}
	jstream_blocksize = 256 * 1024;
	compact_any(data, size);
	return 0;
}
