/*
 * validate.c: libFuzzer target for the record validator (schema.c), fed
 * the way a0-validate feeds it: the input is read as a stream of records
 * (jstream.c), each record tokenized (json.c) and checked, and the keys
 * of the duplicate check hashed (dupset.c).  Every diagnostic must be
 * well formed and the error count must match the errors reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "a0.h"

int	LLVMFuzzerTestOneInput(const unsigned char *, size_t);

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "validate: check failed: %s (line %d)\n", \
		    #c, __LINE__);					\
		abort();						\
	}								\
} while (0)

static int nerr, nwarn;
static volatile unsigned touched;	/* pointer bytes, read for ASan */

static void
report(void *arg, const struct schema_diag *dg)
{
	size_t i;

	(void)arg;
	CHECK(dg->code != NULL && dg->code[0] != '\0');
	CHECK(dg->msg != NULL && strchr(dg->msg, '\n') == NULL);
	CHECK(dg->ptrlen == 0 || (dg->ptr != NULL && dg->ptr[0] == '/'));
	/* Touch every byte of the pointer: it must be readable. */
	for (i = 0; i < dg->ptrlen; i++)
		touched += (unsigned char)dg->ptr[i];
	if (dg->warning)
		nwarn++;
	else
		nerr++;
}

static void
check_id(struct schema *sc, const struct jdoc *d, int kind, int tok)
{
	const char *p;
	size_t len;

	if (tok < 0)
		return;
	CHECK(tok < d->ntok && d->tok[tok].type == JT_STRING);
	p = schema_str(sc, d, tok, &len);
	CHECK(p != NULL && len <= (size_t)(d->tok[tok].end -
	    d->tok[tok].start));
	(void)dupset_hash(kind, p, len);
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct schema *sc;
	static struct jdoc doc;
	static FILE *f;
	struct jstream *js;
	struct jrecord rec;
	struct schema_ids ids;
	int n, fd;

	if (sc == NULL) {
		sc = schema_new();
		if ((f = tmpfile()) == NULL)
			abort();
	}
	fd = fileno(f);
	if (ftruncate(fd, 0) == -1 ||
	    (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size) ||
	    lseek(fd, 0, SEEK_SET) == -1)
		abort();
	js = jstream_open(fd, A0_CHUNK_MAX);
	while (jstream_next(js, &rec) == 1) {
		CHECK(json_parse(&doc, rec.buf, rec.len) > 0);
		nerr = nwarn = 0;
		memset(&ids, 0xff, sizeof(ids));
		n = schema_check(sc, &doc, &ids, report, NULL);
		CHECK(n == nerr);
		check_id(sc, &doc, DUP_EMAIL, ids.email);
		check_id(sc, &doc, DUP_USERNAME, ids.username);
		check_id(sc, &doc, DUP_USER_ID, ids.user_id);
		/* The scratch space carries nothing from one call over. */
		nerr = nwarn = 0;
		CHECK(schema_check(sc, &doc, NULL, report, NULL) == n);
	}
	jstream_close(js);
	return 0;
}
