/*
 * export-download.c: an export job's file, from libcurl through zlib
 * straight into the record reader.  libcurl hands the compressed bytes
 * over as they arrive; the reader asks for bytes when it needs more, and
 * gets them inflated (gzip, any number of members; a file that is not
 * gzip'd as it is), so that neither the file nor its text is ever held
 * whole, and a line may straddle any two reads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "export.h"

#define DL_TRIES	5	/* downloads begun before giving up */

struct download {
	struct a0_http	*h;
	struct dl_hooks	 hk;
	z_stream	 z;
	int		 zinit;		/* inflateInit2 done */
	int		 sniffed, gzip;	/* first bytes seen; gzip'd */
	int		 zend;		/* a gzip member just ended */
	char		*zin;		/* compressed bytes from libcurl */
	size_t		 zlen, zpos, zcap;
	int		 fetching;	/* a transfer is running */
	int		 started;	/* bytes were handed to the reader */
	int		 tries;
	unsigned long long got;		/* bytes of this transfer */
	char		 why[512];	/* why the download failed */
	int		 status;	/* and the exit status for it */
};

static void
failed(struct download *d, int status, const char *what, const char *msg)
{
	snprintf(d->why, sizeof(d->why), "%s%s%s", what, *msg ? ": " : "",
	    msg);
	d->status = status;
}

/*
 * Compressed bytes as libcurl hands them over.  The reader drains them
 * after each turn of the transfer, so they are at most what one turn
 * reads from the socket.
 */
static int
on_data(void *arg, const char *data, size_t len)
{
	struct download *d = arg;

	if (d->zpos == d->zlen)
		d->zpos = d->zlen = 0;
	if (d->zlen + len > d->zcap && d->zpos > 0) {
		memmove(d->zin, d->zin + d->zpos, d->zlen - d->zpos);
		d->zlen -= d->zpos;
		d->zpos = 0;
	}
	if (d->zlen + len > d->zcap) {
		d->zcap = d->zlen + len > d->zcap * 2 ? d->zlen + len :
		    d->zcap * 2;
		d->zin = xrealloc(d->zin, d->zcap);
	}
	memcpy(d->zin + d->zlen, data, len);
	d->zlen += len;
	d->got += len;
	return 0;
}

struct download *
download_new(struct a0_http *h, const struct dl_hooks *hk)
{
	struct download *d = xcalloc(1, sizeof(*d));

	d->h = h;
	d->hk = *hk;
	d->zcap = 1 << 16;
	d->zin = xmalloc(d->zcap);
	if (inflateInit2(&d->z, 15 + 16) != Z_OK) {
		free(d->zin);
		free(d);
		return NULL;
	}
	d->zinit = 1;
	a0_http_sink(h, on_data, d);
	return d;
}

void
download_free(struct download *d)
{
	if (d == NULL)
		return;
	a0_http_sink(d->h, NULL, NULL);
	if (d->zinit)
		inflateEnd(&d->z);
	free(d->zin);
	free(d);
}

int
download_start(struct download *d, const char *location)
{
	const char *why;
	char *url;

	if ((url = a0_export_url(location, &why)) == NULL) {
		failed(d, A0_EXIT_API, "location", why);
		return -1;
	}
	d->tries++;
	d->zlen = d->zpos = 0;
	d->got = 0;
	/* The URL is signed: no Authorization goes with it. */
	if (a0_http_start(d->h, "GET", url, NULL, NULL, NULL, 0, 0) == -1) {
		failed(d, A0_EXIT_TEMP, url, a0_http_take(d->h)->err);
		free(url);
		return -1;
	}
	free(url);
	d->fetching = 1;
	return 0;
}

/*
 * The download ended before a byte reached the reader: an expired
 * location (403) gets a fresh one from the job, a temporary failure is
 * tried again after a pause; anything else is the end.
 */
static void
restart(struct download *d, const struct a0_resp *r)
{
	char msg[384], text[448];
	double until;
	char *loc;

	a0_api_message(r, msg, sizeof(msg));
	if (r->net == A0_NET_OK && r->status != 403 && r->status < 500 &&
	    r->status != 429) {
		failed(d, A0_EXIT_API, "download", msg);
		return;
	}
	if (d->tries >= DL_TRIES) {
		snprintf(text, sizeof(text), "%s: gave up after %d tries", msg,
		    d->tries);
		failed(d, r->status == 403 ? A0_EXIT_API : A0_EXIT_TEMP,
		    "download", text);
		return;
	}
	if (r->status != 403)
		for (until = a0_now_ms() + 1000.0 * d->tries; a0_now_ms() < until; )
			d->hk.pump((long)(until - a0_now_ms()) + 1);
	/* A location lives a minute: the job gives a fresh one. */
	loc = d->hk.fresh(d->hk.arg);
	download_start(d, loc);
	free(loc);
}

/* The transfer has ended: the rest of the input is in d->zin. */
static void
ended(struct download *d)
{
	const struct a0_resp *r = a0_http_take(d->h);
	char msg[384];

	d->fetching = 0;
	if (r->net == A0_NET_OK && r->status == 200)
		return;
	if (!d->started && d->got == 0) {
		restart(d, r);
		return;
	}
	a0_api_message(r, msg, sizeof(msg));
	snprintf(d->why, sizeof(d->why), "download cut short after %llu "
	    "bytes: %s", d->got, msg);
	d->status = A0_EXIT_TEMP;
}

/* Inflate what is there into buf; the bytes made, 0 if none, -1. */
static ssize_t
inflated(struct download *d, void *buf, size_t n)
{
	int rc;

	if (d->zend) {
		/* Another gzip member follows the last. */
		if (inflateReset(&d->z) != Z_OK)
			goto corrupt;
		d->zend = 0;
	}
	d->z.next_in = (unsigned char *)d->zin + d->zpos;
	d->z.avail_in = (uInt)(d->zlen - d->zpos);
	d->z.next_out = buf;
	d->z.avail_out = (uInt)n;
	rc = inflate(&d->z, Z_NO_FLUSH);
	d->zpos = d->zlen - d->z.avail_in;
	if (rc == Z_STREAM_END)
		d->zend = 1;
	else if (rc != Z_OK && rc != Z_BUF_ERROR)
		goto corrupt;
	return (ssize_t)(n - d->z.avail_out);
corrupt:
	failed(d, A0_EXIT_IO, "the gzip stream is corrupt",
	    d->z.msg ? d->z.msg : "inflate failed");
	return -1;
}

ssize_t
download_read(void *arg, void *buf, size_t n)
{
	struct download *d = arg;
	const unsigned char *p;
	ssize_t got;

	/* inflate counts in uInt. */
	if (n > (1U << 30))
		n = 1U << 30;
	for (;;) {
		if (d->why[0] != '\0') {
			errno = EIO;
			return -1;
		}
		if (!d->sniffed && (d->zlen - d->zpos >= 2 ||
		    (!d->fetching && d->zlen > d->zpos))) {
			p = (const unsigned char *)d->zin + d->zpos;
			d->gzip = d->zlen - d->zpos >= 2 && p[0] == 0x1f &&
			    p[1] == 0x8b;
			d->sniffed = 1;
		}
		if (d->sniffed && d->zpos < d->zlen) {
			if (d->gzip)
				got = inflated(d, buf, n);
			else {
				/* Not gzip'd: the bytes as they are. */
				got = (ssize_t)(d->zlen - d->zpos < n ?
				    d->zlen - d->zpos : n);
				memcpy(buf, d->zin + d->zpos, (size_t)got);
				d->zpos += (size_t)got;
			}
			if (got > 0)
				d->started = 1;
			if (got < 0) {
				errno = EIO;
				return -1;
			}
			if (got > 0)
				return got;
			continue;
		}
		if (!d->fetching) {
			if (d->gzip && !d->zend) {
				snprintf(d->why, sizeof(d->why), "the gzip "
				    "stream is truncated (%llu bytes "
				    "received)", d->got);
				d->status = A0_EXIT_IO;
				continue;
			}
			return 0;
		}
		d->hk.pump(100);
		if (a0_http_done(d->h))
			ended(d);
	}
}

const char *
download_error(const struct download *d, int *status)
{
	*status = d->status;
	return d->why[0] != '\0' ? d->why : NULL;
}

unsigned long long
download_bytes(const struct download *d)
{
	return d->got;
}
