/* reader-count.c: count the records of stdin with the record reader. */
#include <stdio.h>

#include "a0.h"

int
main(void)
{
	struct jstream *js;
	struct jrecord r;
	unsigned long long n = 0, bytes = 0;
	int rc;

	js = jstream_open(0, A0_CHUNK_MAX);
	while ((rc = jstream_next(js, &r)) == 1) {
		n++;
		bytes += r.len;
	}
	if (rc == -1) {
		fprintf(stderr, "reader-count: %llu:%llu: %s\n",
		    (unsigned long long)jstream_error(js)->line,
		    (unsigned long long)jstream_error(js)->col,
		    jstream_error(js)->msg);
		return 3;
	}
	printf("%llu records, %llu bytes\n", n, bytes);
	jstream_close(js);
	return 0;
}
