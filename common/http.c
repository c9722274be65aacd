/*
 * http.c: libcurl for a0-submit.  One easy handle per worker, reused
 * request after request, all in one multi handle so that they share its
 * connection cache and one poll: a run keeps one connection per request
 * in flight.  TLS peers are always verified, redirects are not followed,
 * and no answer is turned into an error here (no CURLOPT_FAILONERROR):
 * the caller reads the status and Auth0's message.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "a0.h"

#define BODY_MAX	(64L << 20)	/* a larger answer is refused */
#define TRACE_BODY_MAX	4096		/* bytes of a body a trace shows */

struct a0_hpool {
	CURLM		*m;
};


struct a0_http {
	CURL		*c;
	struct a0_hpool	*pool;
	struct curl_slist *hdrs;
	struct a0_resp	 resp;
	size_t		 cap;		/* of resp.body */
	size_t		 reqlen;	/* body bytes of the request */
	int		 nreq;		/* request heads sent, this transfer */
	int		 busy, done;
	int		 tracebody;
	long		 stall;		/* seconds without a byte allowed */
	long long	 moved;		/* when a byte last moved (ms) */
	curl_off_t	 seen;		/* bytes moved by then, both ways */
	int		 stalled;	/* abandoned for that */
	long		 whole;		/* bound on a transfer's time (s) */
	int		(*sink)(void *, const char *, size_t);
	void		*sinkarg;
	int		 sinking;	/* this answer's body goes to sink */
	void		(*trace)(void *, const char *);
	void		*arg;
	char		 errbuf[CURL_ERROR_SIZE];
};

int
a0_http_global(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

struct a0_hpool *
a0_hpool_new(void)
{
	struct a0_hpool *p = xcalloc(1, sizeof(*p));

	if ((p->m = curl_multi_init()) == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

void
a0_hpool_free(struct a0_hpool *p)
{
	if (p == NULL)
		return;
	curl_multi_cleanup(p->m);
	free(p);
}

int
a0_http_loopback(const char *host)
{
	unsigned char a[16];

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	/* Addresses only as inet_pton reads them: a name such as
	 * 127.0.0.1089 would go to a resolver. */
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, host, a) == 1)
		return memcmp(a, &in6addr_loopback, sizeof(a)) == 0;
	return 0;
}

/* Replace the value that starts at v (ending at a quote, '&' or the end
 * of the line) with "[redacted]". */
static void
blank(char **s, size_t v, int quoted)
{
	char *line = *s, *n;
	size_t e = v;

	while (line[e] != '\0' && (quoted ? line[e] != '"' :
	    line[e] != '&' && !isspace((unsigned char)line[e])))
		e += line[e] == '\\' && quoted && line[e + 1] != '\0' ? 2 : 1;
	if (e == v)			/* no value: nothing to hide */
		return;
	n = xmalloc(strlen(line) + 16);
	snprintf(n, strlen(line) + 16, "%.*s[redacted]%s", (int)v, line,
	    line + e);
	free(line);
	*s = n;
}

/* The values a0_http_secret was given, hidden wherever they show. */
static struct {
	char	**v;
	size_t	  n, cap;
} secrets;

void
a0_http_secret(const char *v)
{
	size_t i;

	if (v == NULL || strlen(v) < 8)
		return;
	for (i = 0; i < secrets.n; i++)
		if (strcmp(secrets.v[i], v) == 0)
			return;
	if (secrets.n == secrets.cap) {
		secrets.cap = secrets.cap ? secrets.cap * 2 : 4;
		secrets.v = xrealloc(secrets.v, secrets.cap * sizeof(char *));
	}
	secrets.v[secrets.n++] = xstrdup(v);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/*
 * The length of the text at t (n bytes) that spells v: each byte as it
 * is, percent-encoded (hex in either case), a space as '+', or '/', '"'
 * and '\' escaped with a backslash as JSON may have them; 0 if it does
 * not.  A server that echoes a request shows a secret in any of these.
 */
static size_t
spells(const char *t, size_t n, const char *v)
{
	size_t i = 0;
	int c;

	for (; *v != '\0'; v++) {
		c = (unsigned char)*v;
		if (i < n && (unsigned char)t[i] == c)
			i++;
		else if (i + 2 < n && t[i] == '%' &&
		    hexval((unsigned char)t[i + 1]) >= 0 &&
		    hexval((unsigned char)t[i + 2]) >= 0 &&
		    hexval((unsigned char)t[i + 1]) * 16 +
		    hexval((unsigned char)t[i + 2]) == c)
			i += 3;
		else if (c == ' ' && i < n && t[i] == '+')
			i++;
		else if ((c == '/' || c == '"' || c == '\\') && i + 1 < n &&
		    t[i] == '\\' && (unsigned char)t[i + 1] == c)
			i += 2;
		else
			return 0;
	}
	return i;
}

char *
a0_http_unsecret(const char *t, size_t n, size_t *outlen)
{
	static const char mark[] = "[redacted]";
	char *o = NULL;
	size_t i, k, m, len = 0, cap = 0, from = 0;

	if (secrets.n == 0)
		return NULL;
	for (i = 0; i < n; i++) {
		for (k = 0, m = 0; k < secrets.n && m == 0; k++)
			m = spells(t + i, n - i, secrets.v[k]);
		if (m == 0)
			continue;
		if (len + (i - from) + sizeof(mark) + (n - i) >= cap) {
			cap = (len + (i - from) + sizeof(mark) + (n - i)) * 2;
			o = xrealloc(o, cap);
		}
		memcpy(o + len, t + from, i - from);
		len += i - from;
		memcpy(o + len, mark, sizeof(mark) - 1);
		len += sizeof(mark) - 1;
		from = i + m;
		i = from - 1;
	}
	if (o == NULL)
		return NULL;
	o = xrealloc(o, len + (n - from) + 1);
	memcpy(o + len, t + from, n - from);
	len += n - from;
	o[len] = '\0';
	if (outlen != NULL)
		*outlen = len;
	return o;
}

char *
a0_http_redact(const char *in)
{
	static const char *keys[] = { "client_secret", "access_token",
	    "id_token", "refresh_token", "client_assertion", NULL };
	char *s, *p;
	size_t i, k, from;

	if ((s = a0_http_unsecret(in, strlen(in), NULL)) == NULL)
		s = xstrdup(in);

	if (strncasecmp(s, "authorization:", 14) == 0) {
		free(s);
		return xstrdup("Authorization: [redacted]");
	}
	for (k = 0; keys[k] != NULL; k++) {
		size_t kl = strlen(keys[k]);

		for (from = 0; (p = strstr(s + from, keys[k])) != NULL; ) {
			i = (size_t)(p - s) + kl;
			from = i;
			if (s[i] == '=') {		/* form field */
				blank(&s, i + 1, 0);
				continue;
			}
			if (s[i] == '"')		/* JSON key */
				i++;
			while (s[i] == ' ' || s[i] == '\t')
				i++;
			if (s[i] != ':')
				continue;
			for (i++; s[i] == ' ' || s[i] == '\t'; i++)
				;
			if (s[i] == '"')
				blank(&s, i + 1, 1);
			else
				blank(&s, i, 0);
		}
	}
	return s;
}

/* Trace text (several lines maybe) with a prefix, each line redacted. */
static void
trace(struct a0_http *h, const char *pfx, const char *data, size_t len)
{
	char *line, *red;
	size_t i, j, pl = strlen(pfx);

	for (i = 0; i < len; i = j + 1) {
		for (j = i; j < len && data[j] != '\n'; j++)
			;
		line = xmalloc(pl + (j - i) + 1);
		memcpy(line, pfx, pl);
		memcpy(line + pl, data + i, j - i);
		line[pl + j - i] = '\0';
		if (j > i && line[pl + j - i - 1] == '\r')
			line[pl + j - i - 1] = '\0';
		if (line[pl] != '\0') {
			red = a0_http_redact(line + pl);
			free(line);
			line = xmalloc(pl + strlen(red) + 1);
			snprintf(line, pl + strlen(red) + 1, "%s%s", pfx, red);
			free(red);
			h->trace(h->arg, line);
		}
		free(line);
	}
}

static int
on_debug(CURL *c, curl_infotype type, char *data, size_t len, void *arg)
{
	struct a0_http *h = arg;
	char note[64];

	(void)c;
	switch (type) {
	case CURLINFO_HEADER_OUT:
		h->nreq++;
		if (h->trace)
			trace(h, "> ", data, len);
		break;
	case CURLINFO_DATA_OUT:
		if (h->trace && h->tracebody)
			trace(h, "} ", data, len);
		else if (h->trace) {
			snprintf(note, sizeof(note), "} [%zu bytes]", len);
			h->trace(h->arg, note);
		}
		break;
	case CURLINFO_HEADER_IN:
		if (h->trace)
			trace(h, "< ", data, len);
		break;
	case CURLINFO_TEXT:
		if (h->trace)
			trace(h, "* ", data, len);
		break;
	default:
		break;
	}
	return 0;
}

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct a0_http *h = arg;
	size_t len = size * n;

	if (h->sinking)
		return h->sink(h->sinkarg, data, len) == 0 ? len : 0;
	if (h->resp.len + len > (size_t)BODY_MAX)
		return 0;
	if (h->resp.len + len + 1 > h->cap) {
		h->cap = (h->resp.len + len + 1) * 2;
		h->resp.body = xrealloc(h->resp.body, h->cap);
	}
	memcpy(h->resp.body + h->resp.len, data, len);
	h->resp.len += len;
	h->resp.body[h->resp.len] = '\0';
	return len;
}

/* The value of header line hd if it is name, NUL-terminated in buf. */
static const char *
hvalue(const char *hd, size_t len, const char *name, char *buf, size_t bufsz)
{
	size_t nl = strlen(name), i;

	if (len <= nl || strncasecmp(hd, name, nl) != 0 || hd[nl] != ':')
		return NULL;
	for (i = nl + 1; i < len && (hd[i] == ' ' || hd[i] == '\t'); i++)
		;
	for (; len > i && isspace((unsigned char)hd[len - 1]); len--)
		;
	if (len - i >= bufsz)
		return NULL;
	memcpy(buf, hd + i, len - i);
	buf[len - i] = '\0';
	return buf;
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Abandon a transfer that has moved no byte either way for h->stall
 * seconds.  libcurl's low-speed check averages the speed over the last
 * five seconds, so alone it would wait up to five seconds longer.
 */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct a0_http *h = arg;
	long long t = mono_ms();

	(void)dltotal;
	(void)ultotal;
	if (dlnow + ulnow != h->seen) {
		h->seen = dlnow + ulnow;
		h->moved = t;
	} else if (t - h->moved >= (long long)h->stall * 1000) {
		h->stalled = 1;
		return 1;
	}
	return 0;
}

static long long
number(const char *s)
{
	long long v;
	const char *why;

	if (a0_parse_num(s, 0, (long long)1 << 53, 0, &v, &why) == -1)
		return -1;
	return v;
}

static size_t
on_header(char *hd, size_t size, size_t n, void *arg)
{
	struct a0_http *h = arg;
	size_t len = size * n;
	const char *v;
	char buf[128];
	time_t t;

	/* A new status line: forget the headers of an interim answer. */
	if (len >= 5 && strncmp(hd, "HTTP/", 5) == 0) {
		/* "HTTP/x[.y] NNN": a 2xx body goes to the sink, if any. */
		v = memchr(hd, ' ', len);
		h->sinking = h->sink != NULL && v != NULL &&
		    (size_t)(v - hd) + 1 < len && v[1] == '2';
		h->resp.retry_after = h->resp.remaining = h->resp.limit = -1;
		h->resp.reset = -1;
	} else if ((v = hvalue(hd, len, "retry-after", buf, sizeof(buf)))) {
		if ((h->resp.retry_after = (long)number(v)) == -1 &&
		    (t = curl_getdate(v, NULL)) != -1)
			h->resp.retry_after = t > time(NULL) ?
			    (long)(t - time(NULL)) : 0;
	} else if ((v = hvalue(hd, len, "x-ratelimit-reset", buf,
	    sizeof(buf))))
		h->resp.reset = number(v);
	else if ((v = hvalue(hd, len, "x-ratelimit-remaining", buf,
	    sizeof(buf))))
		h->resp.remaining = (long)number(v);
	else if ((v = hvalue(hd, len, "x-ratelimit-limit", buf, sizeof(buf))))
		h->resp.limit = (long)number(v);
	return len;
}

struct a0_http *
a0_http_new(struct a0_hpool *p, long stall, void (*tr)(void *, const char *),
    void *arg)
{
	struct a0_http *h;
	CURL *c;
	long whole;
	int bad = 0;

	if (stall < 1)
		return NULL;
	/* Five times the stall bound, at least five minutes: an upload
	 * that keeps moving is not cut short by a small bound. */
	whole = stall <= 60 ? 300 : stall < LONG_MAX / 5 ? stall * 5 : LONG_MAX;
	h = xcalloc(1, sizeof(*h));
	if ((c = h->c = curl_easy_init()) == NULL) {
		free(h);
		return NULL;
	}
	h->pool = p;
	h->stall = stall;
	h->whole = whole;
	h->trace = tr;
	h->arg = arg;
	h->cap = 4096;
	h->resp.body = xmalloc(h->cap);
	h->resp.body[0] = '\0';
	bad |= curl_easy_setopt(c, CURLOPT_PRIVATE, h);
	bad |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	bad |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	bad |= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	bad |= curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
	bad |= curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	bad |= curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
	bad |= curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	bad |= curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
	bad |= curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	/* Always verbose, into on_debug: it counts the requests libcurl
	 * sends, which tells a POST sent twice on a fresh connection. */
	bad |= curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
	bad |= curl_easy_setopt(c, CURLOPT_DEBUGDATA, h);
	bad |= curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	bad |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	bad |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	bad |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	bad |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	bad |= curl_easy_setopt(c, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	bad |= curl_easy_setopt(c, CURLOPT_USERAGENT, "a0/" A0_VERSION);
	bad |= curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	/* Connecting moves no byte: the stall bound holds there too. */
	bad |= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	    stall < 30 ? stall : 30L);
	/* Besides on_progress, which acts first: the low-speed check also
	 * has libcurl look at an idle transfer every second. */
	bad |= curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	bad |= curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, stall);
	bad |= curl_easy_setopt(c, CURLOPT_TIMEOUT, whole);
	if (bad) {
		a0_http_free(h);
		return NULL;
	}
	return h;
}

void
a0_http_sink(struct a0_http *h, int (*fn)(void *, const char *, size_t),
    void *arg)
{
	h->sink = fn;
	h->sinkarg = arg;
	/* A download of a whole export may rightly take hours. */
	curl_easy_setopt(h->c, CURLOPT_TIMEOUT, fn != NULL ? 0L : h->whole);
}

void
a0_http_free(struct a0_http *h)
{
	if (h == NULL)
		return;
	if (h->busy)
		curl_multi_remove_handle(h->pool->m, h->c);
	curl_easy_cleanup(h->c);
	curl_slist_free_all(h->hdrs);
	free(h->resp.body);
	free(h);
}

static int
addhdr(struct a0_http *h, const char *a, const char *b)
{
	struct curl_slist *l;
	size_t n = strlen(a) + strlen(b) + 1;
	char *s = xmalloc(n);

	snprintf(s, n, "%s%s", a, b);
	l = curl_slist_append(h->hdrs, s);
	free(s);
	if (l == NULL)
		return -1;
	h->hdrs = l;
	return 0;
}

int
a0_http_start(struct a0_http *h, const char *method, const char *url,
    const char *token, const char *ctype, const char *body, size_t len,
    int tracebody)
{
	CURL *c = h->c;
	int bad = 0;

	if (h->busy)
		curl_multi_remove_handle(h->pool->m, c);
	h->busy = h->done = 0;
	h->resp.net = A0_NET_FATAL;
	h->resp.status = 0;
	h->resp.len = 0;
	h->resp.body[0] = '\0';
	h->resp.retry_after = h->resp.remaining = h->resp.limit = -1;
	h->resp.reset = -1;
	h->resp.sent = h->resp.resent = 0;
	h->resp.err[0] = h->errbuf[0] = '\0';
	h->reqlen = body ? len : 0;
	h->nreq = 0;
	h->tracebody = tracebody;
	h->moved = mono_ms();
	h->seen = 0;
	h->stalled = 0;
	h->sinking = 0;
	curl_slist_free_all(h->hdrs);
	h->hdrs = NULL;
	bad |= addhdr(h, "Accept: ", "application/json");
	/* No "Expect: 100-continue" wait before the body. */
	bad |= addhdr(h, "Expect:", "");
	if (token != NULL) {
		a0_http_secret(token);
		bad |= addhdr(h, "Authorization: Bearer ", token);
	}
	if (ctype != NULL)
		bad |= addhdr(h, "Content-Type: ", ctype);
	bad |= curl_easy_setopt(c, CURLOPT_URL, url);
	bad |= curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->hdrs);
	if (strcmp(method, "POST") == 0) {
		bad |= curl_easy_setopt(c, CURLOPT_POST, 1L);
		bad |= curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
		bad |= curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	} else
		bad |= curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	if (bad) {
		snprintf(h->resp.err, sizeof(h->resp.err),
		    "cannot set up the request");
		return -1;
	}
	if (curl_multi_add_handle(h->pool->m, c) != CURLM_OK) {
		snprintf(h->resp.err, sizeof(h->resp.err),
		    "cannot start the request");
		return -1;
	}
	h->busy = 1;
	return 0;
}

static int
netclass(CURLcode rc)
{
	switch (rc) {
	case CURLE_OK:
		return A0_NET_OK;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		return A0_NET_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return A0_NET_TIMEOUT;
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_WEIRD_SERVER_REPLY:
		return A0_NET_DROPPED;
	case CURLE_ABORTED_BY_CALLBACK:
		return A0_NET_ABORTED;
	default:
		return A0_NET_FATAL;
	}
}

/* Record a finished transfer. */
static void
finish(struct a0_http *h, CURLcode rc)
{
	curl_off_t up = 0;
	long status = 0;
	char note[64], *red;
	size_t len;

	curl_multi_remove_handle(h->pool->m, h->c);
	h->busy = 0;
	h->done = 1;
	h->resp.net = h->stalled ? A0_NET_TIMEOUT : netclass(rc);
	curl_easy_getinfo(h->c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(h->c, CURLINFO_SIZE_UPLOAD_T, &up);
	h->resp.status = rc == CURLE_OK ? status : 0;
	h->resp.sent = h->nreq > 0 && (curl_off_t)h->reqlen == up;
	h->resp.resent = h->nreq > 1;
	if (h->stalled)
		snprintf(h->resp.err, sizeof(h->resp.err), "nothing sent or "
		    "received for %ld s", h->stall);
	else if (rc != CURLE_OK)
		snprintf(h->resp.err, sizeof(h->resp.err), "%s",
		    h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
	if (h->trace && rc == CURLE_OK && h->resp.len > 0) {
		/* Secrets out before the cut, which could halve one. */
		if ((red = a0_http_unsecret(h->resp.body, h->resp.len,
		    &len)) == NULL)
			len = h->resp.len;
		trace(h, "{ ", red ? red : h->resp.body, len > TRACE_BODY_MAX ?
		    TRACE_BODY_MAX : len);
		if (len > TRACE_BODY_MAX) {
			snprintf(note, sizeof(note), "{ [%zu more bytes]",
			    len - TRACE_BODY_MAX);
			h->trace(h->arg, note);
		}
		free(red);
	}
}

int
a0_hpool_run(struct a0_hpool *p, long timeout_ms, struct pollfd *fds,
    int nfds)
{
	struct curl_waitfd w[8];
	struct CURLMsg *msg;
	struct a0_http *h;
	int i, running, left, pass;

	if (nfds > 8)
		nfds = 8;
	for (pass = 0; pass < 2; pass++) {
		if (curl_multi_perform(p->m, &running) != CURLM_OK)
			return -1;
		while ((msg = curl_multi_info_read(p->m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			h = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&h);
			if (h != NULL) {
				finish(h, msg->data.result);
				timeout_ms = 0;
			}
		}
		if (pass == 1)
			break;
		for (i = 0; i < nfds; i++) {
			w[i].fd = fds[i].fd;
			w[i].events = CURL_WAIT_POLLIN;
			w[i].revents = 0;
		}
		if (curl_multi_poll(p->m, w, (unsigned)nfds, timeout_ms < 0 ?
		    0 : (int)timeout_ms, &running) != CURLM_OK)
			return -1;
		for (i = 0; i < nfds; i++)
			fds[i].revents = w[i].revents ? POLLIN : 0;
	}
	return 0;
}

int
a0_http_busy(const struct a0_http *h)
{
	return h->busy;
}

int
a0_http_done(const struct a0_http *h)
{
	return h->done;
}

const struct a0_resp *
a0_http_take(struct a0_http *h)
{
	h->done = 0;
	return &h->resp;
}

void
a0_http_abort(struct a0_http *h)
{
	if (!h->busy)
		return;
	curl_multi_remove_handle(h->pool->m, h->c);
	h->busy = 0;
	h->done = 1;
	h->resp.net = A0_NET_ABORTED;
	snprintf(h->resp.err, sizeof(h->resp.err), "interrupted");
}
