/*
 * http.c: libFuzzer target for what a0-submit makes of Auth0's answers
 * and of its own settings, one part per input chosen by the first byte:
 *
 *   0  an answer (status from the second byte, the rest its body) read
 *      by every reader in auth0.c: token, connection, job id, job, job
 *      errors, busy 429, error message;
 *   1  the retry decision (retry.c) on header values in the ranges
 *      http.c can hand it, checked against its bounds;
 *   2  a trace line with a secret in it, in each of the shapes a trace
 *      shows one, which must come out redacted;
 *   3  a tenant domain: plain http must be refused unless the host is
 *      a loopback address (127.0.0.0/8 in dotted-quad form, ::1,
 *      localhost).
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "a0.h"

int	LLVMFuzzerTestOneInput(const unsigned char *, size_t);

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "http: check failed: %s (line %d)\n",	\
		    #c, __LINE__);					\
		abort();						\
	}								\
} while (0)

static const long statuses[] = {
	200, 201, 202, 204, 400, 401, 403, 404, 409, 413, 429, 500, 502,
	503, 0
};

/* A string within the answer? */
static int
inside(const struct a0_resp *r, const char *p, int len)
{
	return len >= 0 && p >= r->body && p + len <= r->body + r->len;
}

static void
answers(const unsigned char *data, size_t size)
{
	struct a0_resp r;
	struct a0_api api;
	struct a0_jobinfo ji;
	struct a0_usererr *list;
	char msg[300], *id;
	size_t n, i;
	int rv;

	if (size < 1)
		return;
	memset(&r, 0, sizeof(r));
	r.net = data[0] >= 250 ? A0_NET_DROPPED : A0_NET_OK;
	r.status = statuses[data[0] % (sizeof(statuses) / sizeof(*statuses))];
	r.retry_after = -1;
	r.reset = -1;
	r.len = size - 1;
	r.body = xmalloc(r.len + 1);
	memcpy(r.body, data + 1, r.len);
	r.body[r.len] = '\0';
	snprintf(r.err, sizeof(r.err), "Connection reset by peer");

	memset(&api, 0, sizeof(api));
	if (a0_take_token(&api, &r, 1700000000) == 0)
		CHECK(api.token != NULL && api.token[0] != '\0' &&
		    api.expires >= 0);
	free(api.token);

	rv = a0_take_connection(&r, "Username-Password-Authentication", &id);
	CHECK(rv >= -1 && rv <= 1 && (rv == 1) == (id != NULL));
	free(id);

	if ((id = a0_take_job_id(&r)) != NULL)
		CHECK(id[0] != '\0');
	free(id);

	memset(&ji, 0, sizeof(ji));
	if (a0_take_job(&r, &ji) == 0)
		CHECK(memchr(ji.status, '\0', sizeof(ji.status)) != NULL);
	free(ji.details);

	(void)a0_is_busy(&r);

	if (a0_take_job_errors(&r, &list, &n) == 0) {
		for (i = 0; i < n; i++) {
			CHECK(inside(&r, list[i].user, list[i].ulen));
			CHECK(list[i].errors != NULL && list[i].elen >= 1);
			CHECK(strcmp(list[i].errors, "[]") == 0 ||
			    inside(&r, list[i].errors, list[i].elen));
		}
		free(list);
	}

	a0_api_message(&r, msg, sizeof(msg));
	CHECK(strlen(msg) < sizeof(msg));
	for (i = 0; msg[i] != '\0'; i++)
		CHECK((unsigned char)msg[i] >= 0x20);
	free(r.body);
}

/* Take an integer from the input, little-endian, 0 past its end. */
static unsigned long long
take(const unsigned char **pp, const unsigned char *end, int bytes)
{
	unsigned long long v = 0;
	int i;

	for (i = 0; i < bytes && *pp < end; i++, (*pp)++)
		v |= (unsigned long long)**pp << (8 * i);
	return v;
}

static void
retry(const unsigned char *p, size_t size)
{
	const unsigned char *end = p + size;
	struct a0_retry q;
	enum a0_retry_action a;
	long d;

	memset(&q, 0, sizeof(q));
	q.net = (int)(take(&p, end, 1) % 6);
	q.status = (long)statuses[take(&p, end, 1) %
	    (sizeof(statuses) / sizeof(*statuses))];
	if (take(&p, end, 1) & 1)
		q.status = (long)(take(&p, end, 2) % 1000);
	/* http.c gives -1 or a number of at most 2^53. */
	q.retry_after = (long)take(&p, end, 7);
	if (q.retry_after > (1LL << 53) || (q.retry_after & 1))
		q.retry_after = -1;
	q.reset = (long long)take(&p, end, 7);
	if (q.reset > (1LL << 53) || (q.reset & 1))
		q.reset = -1;
	q.now = (long long)(take(&p, end, 5) % (1ULL << 34));
	q.busy = (int)take(&p, end, 1) & 1;
	q.ours = (int)take(&p, end, 1) & 1;
	q.renewed = (int)take(&p, end, 1) & 1;
	q.attempt = (int)(take(&p, end, 2) % 5000) + 1;
	q.elapsed_ms = (long)(take(&p, end, 5) % (86400001LL * 2));
	q.max_attempts = (int)(take(&p, end, 2) % 1000) + 1;
	q.max_ms = (long)(take(&p, end, 4) % 86400 + 1) * 1000;
	q.rnd = (unsigned long)take(&p, end, 8);

	a = a0_retry_decide(&q, &d);
	CHECK(d >= 0);
	CHECK(a == A0_RETRY_AFTER || d == 0);
	if (q.net == A0_NET_FATAL || q.net == A0_NET_ABORTED)
		CHECK(a == A0_RETRY_NO);
	if (q.net == A0_NET_OK && q.status >= 200 && q.status < 300)
		CHECK(a == A0_RETRY_NO);
	if (q.net == A0_NET_OK && q.status == 401)
		CHECK(a == (q.renewed ? A0_RETRY_NO : A0_RETRY_RENEW));
	if (a == A0_RETRY_WAITJOB)
		CHECK(q.status == 429 && q.busy && q.ours);
	if (a == A0_RETRY_AFTER) {
		CHECK(q.elapsed_ms + d <= q.max_ms);
		CHECK(d <= 60000 + 250);
		if (!(q.net == A0_NET_OK && q.status == 429 && q.busy))
			CHECK(q.attempt < q.max_attempts);
	}
}

/* The secret: none of its letters 'Z' can come from the input. */
static const char secret[] = "Zq9-Zq9_Zq9.Zq9";

static void
redact(const unsigned char *p, size_t size)
{
	static const char *const forms[] = {
		"%sclient_secret=%s%s",
		"%s\"client_secret\":\"%s\"%s",
		"%s\"client_secret\" : \"%s\"%s",
		"%s\"access_token\":\"%s\"%s",
		"%s\"access_token\":%s%s",
		"%saccess_token=%s%s",
		"%s\"id_token\": \"%s\"%s",
		"%srefresh_token=%s%s",
		"Authorization: Bearer %.0s%s%s",
		"authorization:%.0s%s%s",
	};
	char *pre, *post, *line, *out;
	size_t i, half, n;
	int f;

	if (size < 1)
		return;
	f = p[0] % (int)(sizeof(forms) / sizeof(*forms));
	p++;
	size--;
	half = size / 2;
	pre = xmalloc(half + 1);
	post = xmalloc(size - half + 1);
	/*
	 * Bytes of a text line: no NUL, no newline, no 'Z', and no '_', so
	 * that the text around the secret holds no other key whose value,
	 * not being one of a real trace, could swallow the secret's key.
	 */
	for (i = 0; i < size; i++) {
		char c = (char)p[i];

		if (c == '\0' || c == '\n' || c == 'Z' || c == '_')
			c = 'z';
		if (i < half)
			pre[i] = c;
		else
			post[i - half] = c;
	}
	pre[half] = '\0';
	post[size - half] = '\0';
	/* A secret ends at a delimiter of its form: make one follow. */
	n = size + strlen(forms[f]) + sizeof(secret) + 4;
	line = xmalloc(n);
	snprintf(line, n, forms[f], pre, secret, post);
	out = a0_http_redact(line);
	if (strstr(out, "Zq9") != NULL) {
		fprintf(stderr, "http: not redacted:\n  in:  %s\n  out: %s\n",
		    line, out);
		abort();
	}
	free(out);
	free(line);
	free(pre);
	free(post);
}

/* Is host, as a0-submit would connect to it, a loopback address? */
static int
really_loopback(const char *host)
{
	struct in_addr a;
	struct in6_addr a6;

	if (strcmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a) == 1)
		return (ntohl(a.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return memcmp(&a6, &in6addr_loopback, sizeof(a6)) == 0;
	return 0;
}

static void
domain(const unsigned char *p, size_t size)
{
	const char *why = NULL, *h, *e;
	char *s, *url, *host;
	size_t i;

	s = xmalloc(size + 1);
	for (i = 0; i < size; i++)
		s[i] = p[i] ? (char)p[i] : 'x';
	s[size] = '\0';
	url = a0_api_base(s, &why);
	if (url == NULL) {
		CHECK(why != NULL);
		free(s);
		return;
	}
	CHECK(strncmp(url, "https://", 8) == 0 ||
	    strncmp(url, "http://", 7) == 0);
	h = strstr(url, "://") + 3;
	for (e = h; *e != '\0'; e++)
		CHECK(strchr("/@?#%\\ \t", *e) == NULL);
	if (strncmp(url, "http://", 7) == 0) {
		/* The host: [v6], or up to the port. */
		if (*h == '[') {
			h++;
			e = strchr(h, ']');
		} else if ((e = strrchr(h, ':')) == NULL)
			e = h + strlen(h);
		CHECK(e != NULL);
		host = xmalloc((size_t)(e - h) + 1);
		memcpy(host, h, (size_t)(e - h));
		host[e - h] = '\0';
		for (i = 0; host[i] != '\0'; i++)
			if (host[i] >= 'A' && host[i] <= 'Z')
				host[i] = (char)(host[i] - 'A' + 'a');
		if (!really_loopback(host)) {
			fprintf(stderr, "http: plain http to a host that is "
			    "not loopback: %s -> %s\n", s, url);
			abort();
		}
		free(host);
	}
	free(url);
	free(s);
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		answers(data + 1, size - 1);
		break;
	case 1:
		retry(data + 1, size - 1);
		break;
	case 2:
		redact(data + 1, size - 1);
		break;
	default:
		domain(data + 1, size - 1);
		break;
	}
	return 0;
}
