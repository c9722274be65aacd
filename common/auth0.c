/*
 * auth0.c: the Management API calls the tools make, and the readers of
 * their answers: a client-credentials token, the tenant's connections
 * and the applications each is enabled for, the import job (multipart,
 * as Auth0's SDKs send it), its status and its failed users; the
 * users-export job and its download URL.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "a0.h"

char *
a0_api_base(const char *domain, const char **why)
{
	const char *rest = domain, *p, *hend, *q;
	char *host, *base;
	size_t hl, len;
	int secure = 1;

	if ((p = strstr(domain, "://")) != NULL) {
		if ((size_t)(p - domain) == 5 &&
		    strncasecmp(domain, "https", 5) == 0)
			secure = 1;
		else if ((size_t)(p - domain) == 4 &&
		    strncasecmp(domain, "http", 4) == 0)
			secure = 0;
		else {
			*why = "the scheme must be https (or http to a "
			    "loopback host)";
			return NULL;
		}
		rest = p + 3;
	}
	len = strlen(rest);
	while (len > 0 && rest[len - 1] == '/')
		len--;
	/* host, [v6] or host:port; nothing else. */
	if (rest[0] == '[') {
		if ((hend = memchr(rest, ']', len)) == NULL) {
			*why = "unbalanced [ in the host";
			return NULL;
		}
		host = xmalloc((size_t)(hend - rest));
		memcpy(host, rest + 1, (size_t)(hend - rest - 1));
		host[hend - rest - 1] = '\0';
		hend++;
	} else {
		for (hend = rest; hend < rest + len && *hend != ':'; hend++)
			;
		host = xmalloc((size_t)(hend - rest) + 1);
		memcpy(host, rest, (size_t)(hend - rest));
		host[hend - rest] = '\0';
	}
	hl = strlen(host);
	for (q = host; *q != '\0'; q++)
		if (!isalnum((unsigned char)*q) && *q != '-' && *q != '.' &&
		    !(*q == ':' && rest[0] == '['))
			break;
	if (hl == 0 || *q != '\0') {
		*why = "not a host name";
		goto fail;
	}
	if (hend < rest + len) {
		if (*hend != ':' || hend + 1 == rest + len) {
			*why = "not a host name";
			goto fail;
		}
		for (q = hend + 1; q < rest + len; q++)
			if (!isdigit((unsigned char)*q)) {
				*why = "not a port number";
				goto fail;
			}
	}
	if (!secure && !a0_http_loopback(host)) {
		*why = "plain http is allowed only to a loopback host";
		goto fail;
	}
	free(host);
	base = xmalloc(len + 9);
	snprintf(base, len + 9, "%s://%.*s", secure ? "https" : "http",
	    (int)len, rest);
	return base;
fail:
	free(host);
	return NULL;
}

/* Append s percent-encoded (application/x-www-form-urlencoded). */
static char *
escape(char *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			*out++ = (char)c;
		else {
			*out++ = '%';
			*out++ = hex[c >> 4];
			*out++ = hex[c & 15];
		}
	}
	*out = '\0';
	return out;
}

int
a0_req_token(struct a0_http *h, const struct a0_api *api)
{
	struct a0_api *a = (struct a0_api *)api;
	char *url, *aud, *p;
	size_t n;
	int rv;

	n = strlen(a->base);
	if (a->audience != NULL)
		aud = xstrdup(a->audience);
	else {
		aud = xmalloc(n + 9);
		snprintf(aud, n + 9, "%s/api/v2/", a->base);
	}
	a0_http_secret(a->client_secret);
	free(a->form);
	a->form = p = xmalloc(3 * (strlen(a->client_id) +
	    strlen(a->client_secret) + strlen(aud)) + 128);
	p = stpcpy(p, "grant_type=client_credentials&client_id=");
	p = escape(p, a->client_id);
	p = stpcpy(p, "&client_secret=");
	p = escape(p, a->client_secret);
	p = stpcpy(p, "&audience=");
	escape(p, aud);
	free(aud);
	url = xmalloc(n + 16);
	snprintf(url, n + 16, "%s/oauth/token", a->base);
	rv = a0_http_start(h, "POST", url, NULL,
	    "application/x-www-form-urlencoded", a->form, strlen(a->form), 1);
	free(url);
	return rv;
}

/* Parse r's body as a JSON object; 0, or -1. */
static int
object(struct jdoc *d, const struct a0_resp *r, enum jtype want)
{
	memset(d, 0, sizeof(*d));
	if (json_parse(d, r->body, r->len) <= 0 || d->tok[0].type != want) {
		json_free(d);
		return -1;
	}
	return 0;
}

int
a0_take_token(struct a0_api *a, const struct a0_resp *r, long long now)
{
	struct jdoc d;
	long long exp;
	char *tok = NULL;
	int i;

	if (r->status != 200 || object(&d, r, JT_OBJECT) == -1)
		return -1;
	if ((i = json_get(&d, 0, "access_token")) == -1 ||
	    (tok = json_strdup(&d, i)) == NULL || *tok == '\0') {
		free(tok);
		json_free(&d);
		return -1;
	}
	a0_http_secret(tok);
	free(a->token);
	a->token = tok;
	a->expires = 0;
	if ((i = json_get(&d, 0, "expires_in")) != -1 &&
	    json_int(&d, i, &exp) == 0 && exp > 0)
		a->expires = now + exp;
	json_free(&d);
	return 0;
}

int
a0_req_connection(struct a0_http *h, const struct a0_api *a,
    const char *name)
{
	static const char path[] = "/api/v2/connections?name=";
	static const char fields[] =
	    "&fields=id%2Cname%2Cstrategy&include_fields=true";
	char *url, *p;
	int rv;

	url = p = xmalloc(strlen(a->base) + sizeof(path) +
	    3 * strlen(name) + sizeof(fields));
	p = stpcpy(p, a->base);
	p = stpcpy(p, path);
	p = escape(p, name);
	stpcpy(p, fields);
	rv = a0_http_start(h, "GET", url, a->token, NULL, NULL, 0, 0);
	free(url);
	return rv;
}

int
a0_take_connection(const struct a0_resp *r, const char *name, char **id)
{
	struct jdoc d;
	int arr, i, k, n, v;

	*id = NULL;
	if (r->status != 200 || (object(&d, r, JT_ARRAY) == -1 &&
	    object(&d, r, JT_OBJECT) == -1))
		return -1;
	arr = 0;
	if (d.tok[0].type == JT_OBJECT &&
	    ((arr = json_get(&d, 0, "connections")) == -1 ||
	    d.tok[arr].type != JT_ARRAY)) {
		json_free(&d);
		return -1;
	}
	n = d.tok[arr].size;
	for (k = 0, i = arr + 1; k < n; k++, i = json_skip(&d, i)) {
		if (d.tok[i].type != JT_OBJECT)
			continue;
		if ((v = json_get(&d, i, "name")) == -1 ||
		    !json_streq(&d, v, name))
			continue;
		if ((v = json_get(&d, i, "id")) != -1 &&
		    (*id = json_strdup(&d, v)) != NULL)
			break;
	}
	json_free(&d);
	return *id != NULL;
}

void
a0_import_boundary(struct a0_import *imp)
{
	static const char set[] = "0123456789"
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	unsigned char r[32];
	int fd, i, got = 0;

	if ((fd = open("/dev/urandom", O_RDONLY)) != -1) {
		got = read(fd, r, sizeof(r)) == (ssize_t)sizeof(r);
		close(fd);
	}
	for (i = 0; i < 32; i++)
		imp->boundary[i] = set[(got ? r[i] : (unsigned)rand()) %
		    (sizeof(set) - 1)];
	imp->boundary[32] = '\0';
}

/* The multipart text before the users (into pre) and after (post). */
static void
envelope(const struct a0_import *imp, char **pre, char **post)
{
	static const char fmt[] =
	    "--%s\r\n%s\"connection_id\"\r\n\r\n%s\r\n"
	    "--%s\r\n%s\"upsert\"\r\n\r\n%s\r\n"
	    "--%s\r\n%s\"external_id\"\r\n\r\n%s\r\n"
	    "--%s\r\n%s\"send_completion_email\"\r\n\r\n%s\r\n"
	    "--%s\r\n%s\"users\"; filename=\"users.json\"\r\n"
	    "Content-Type: application/json\r\n\r\n";
	static const char cd[] = "Content-Disposition: form-data; name=";
	const char *b = imp->boundary, *con;
	int n;

	/* Before the connection is looked up: an id of the same length. */
	con = imp->con_id ? imp->con_id : "con_XXXXXXXXXXXXXXXX";
#define ARGS	b, cd, con, b, cd, imp->upsert ? "true" : "false", \
	b, cd, imp->external_id, b, cd, imp->email ? "true" : "false", b, cd
	n = snprintf(NULL, 0, fmt, ARGS);
	*pre = xmalloc((size_t)n + 1);
	snprintf(*pre, (size_t)n + 1, fmt, ARGS);
#undef ARGS
	*post = xmalloc(48);
	snprintf(*post, 48, "\r\n--%s--\r\n", b);
}

size_t
a0_import_size(const struct a0_import *imp, size_t len)
{
	char *pre, *post;
	size_t n;

	envelope(imp, &pre, &post);
	n = strlen(pre) + len + strlen(post);
	free(pre);
	free(post);
	return n;
}

static int
contains(const char *hay, size_t len, const char *needle)
{
	size_t nl = strlen(needle);
	const char *p = hay, *end = hay + len;

	while ((size_t)(end - p) >= nl &&
	    (p = memchr(p, needle[0], (size_t)(end - p) - nl + 1)) != NULL) {
		if (memcmp(p, needle, nl) == 0)
			return 1;
		p++;
	}
	return 0;
}

size_t
a0_import_offset(const struct a0_import *imp)
{
	char *pre, *post;
	size_t n;

	envelope(imp, &pre, &post);
	n = strlen(pre);
	free(pre);
	free(post);
	return n;
}

char *
a0_import_frame(struct a0_import *imp, char *buf, size_t off, size_t len,
    size_t *bodylen)
{
	char *pre, *post, *body = buf;
	size_t a, b;

	while (contains(buf + off, len, imp->boundary))
		a0_import_boundary(imp);
	envelope(imp, &pre, &post);
	a = strlen(pre);
	b = strlen(post);
	if (a != off) {
		/* A connection id of another length: move the users. */
		body = xmalloc(a + len + b);
		memcpy(body + a, buf + off, len);
		free(buf);
	}
	memcpy(body, pre, a);
	memcpy(body + a + len, post, b);
	*bodylen = a + len + b;
	free(pre);
	free(post);
	return body;
}

int
a0_req_import(struct a0_http *h, const struct a0_api *a,
    const struct a0_import *imp, const char *body, size_t len)
{
	char *url, ctype[96];
	size_t n = strlen(a->base) + 32;
	int rv;

	url = xmalloc(n);
	snprintf(url, n, "%s/api/v2/jobs/users-imports", a->base);
	snprintf(ctype, sizeof(ctype), "multipart/form-data; boundary=%s",
	    imp->boundary);
	rv = a0_http_start(h, "POST", url, a->token, ctype, body, len, 0);
	free(url);
	return rv;
}

char *
a0_take_job_id(const struct a0_resp *r)
{
	struct jdoc d;
	char *id = NULL;
	int i;

	if (r->status / 100 != 2 || object(&d, r, JT_OBJECT) == -1)
		return NULL;
	if ((i = json_get(&d, 0, "id")) != -1)
		id = json_strdup(&d, i);
	json_free(&d);
	if (id != NULL && *id == '\0') {
		free(id);
		id = NULL;
	}
	return id;
}

int
a0_is_busy(const struct a0_resp *r)
{
	return r->net == A0_NET_OK && r->status == 429 &&
	    contains(r->body, r->len, "active import users jobs");
}

/* GET base/api/v2/jobs/ID[suffix], the id percent-encoded. */
static int
getjob(struct a0_http *h, const struct a0_api *a, const char *id,
    const char *suffix)
{
	char *url, *p;
	int rv;

	url = p = xmalloc(strlen(a->base) + 3 * strlen(id) + 32);
	p = stpcpy(p, a->base);
	p = stpcpy(p, "/api/v2/jobs/");
	p = escape(p, id);
	stpcpy(p, suffix);
	rv = a0_http_start(h, "GET", url, a->token, NULL, NULL, 0, 0);
	free(url);
	return rv;
}

int
a0_req_job(struct a0_http *h, const struct a0_api *a, const char *id)
{
	return getjob(h, a, id, "");
}

int
a0_req_job_errors(struct a0_http *h, const struct a0_api *a, const char *id)
{
	return getjob(h, a, id, "/errors");
}

static long long
member(const struct jdoc *d, int obj, const char *key, long long dflt)
{
	long long v;
	int i;

	if (obj == -1 || (i = json_get(d, obj, key)) == -1 ||
	    json_int(d, i, &v) == -1)
		return dflt;
	return v;
}

int
a0_take_job(const struct a0_resp *r, struct a0_jobinfo *ji)
{
	struct jdoc d;
	int i, s;

	free(ji->details);
	memset(ji, 0, sizeof(*ji));
	if (r->status != 200 || object(&d, r, JT_OBJECT) == -1)
		return -1;
	if ((i = json_get(&d, 0, "status")) == -1 ||
	    d.tok[i].type != JT_STRING ||
	    json_unescape(&d, i, ji->status, sizeof(ji->status)) == -1) {
		json_free(&d);
		return -1;
	}
	s = json_get(&d, 0, "summary");
	if (s != -1 && d.tok[s].type != JT_OBJECT)
		s = -1;
	ji->inserted = member(&d, s, "inserted", 0);
	ji->updated = member(&d, s, "updated", 0);
	ji->failed = member(&d, s, "failed", 0);
	ji->total = member(&d, s, "total", 0);
	ji->time_left = member(&d, 0, "time_left_seconds", -1);
	ji->percent = member(&d, 0, "percentage_done", -1);
	if ((i = json_get(&d, 0, "status_details")) != -1 &&
	    (ji->details = json_strdup(&d, i)) != NULL) {
		/* Printed in the result line: no echoed secret there. */
		char *red = a0_http_redact(ji->details);

		free(ji->details);
		ji->details = red;
	}
	json_free(&d);
	return 0;
}

int
a0_req_export(struct a0_http *h, const struct a0_api *a,
    const struct a0_export *e, struct jbuf *b)
{
	char *url;
	size_t n = strlen(a->base) + 32;
	int i, rv;

	/* The recorded request's shape: connection_id, format, limit,
	 * fields; an explicit field list, as the default set is unknown. */
	jb_reset(b);
	jb_begin(b, '{');
	if (e->con_id != NULL)
		jb_kstr(b, "connection_id", e->con_id);
	jb_kstr(b, "format", "json");
	if (e->limit > 0)
		jb_kint(b, "limit", e->limit);
	jb_key(b, "fields");
	jb_begin(b, '[');
	for (i = 0; e->fields[i] != NULL; i++) {
		jb_begin(b, '{');
		jb_kstr(b, "name", e->fields[i]);
		jb_end(b, '}');
	}
	jb_end(b, ']');
	jb_end(b, '}');
	url = xmalloc(n);
	snprintf(url, n, "%s/api/v2/jobs/users-exports", a->base);
	rv = a0_http_start(h, "POST", url, a->token, "application/json",
	    b->p, b->len, 1);
	free(url);
	return rv;
}

void
a0_expjob_free(struct a0_expjob *j)
{
	free(j->id);
	free(j->location);
	free(j->connection);
	free(j->details);
	memset(j, 0, sizeof(*j));
	j->percent = j->time_left = -1;
}

int
a0_take_export(const struct a0_resp *r, struct a0_expjob *j)
{
	struct jdoc d;
	int i;

	a0_expjob_free(j);
	if (r->status != 200 || object(&d, r, JT_OBJECT) == -1)
		return -1;
	if ((i = json_get(&d, 0, "status")) == -1 ||
	    d.tok[i].type != JT_STRING ||
	    json_unescape(&d, i, j->status, sizeof(j->status)) == -1 ||
	    (i = json_get(&d, 0, "id")) == -1 ||
	    (j->id = json_strdup(&d, i)) == NULL || *j->id == '\0') {
		json_free(&d);
		a0_expjob_free(j);
		return -1;
	}
	if ((i = json_get(&d, 0, "location")) != -1)
		j->location = json_strdup(&d, i);
	if ((i = json_get(&d, 0, "connection")) != -1)
		j->connection = json_strdup(&d, i);
	if ((i = json_get(&d, 0, "status_details")) != -1)
		j->details = json_strdup(&d, i);
	j->percent = member(&d, 0, "percentage_done", -1);
	j->time_left = member(&d, 0, "time_left_seconds", -1);
	json_free(&d);
	return 0;
}

char *
a0_export_url(const char *loc, const char **why)
{
	const char *host, *p;
	char *url, *h;
	size_t n;
	int secure;

	for (p = loc; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			*why = "a space or control character in the URL";
			return NULL;
		}
	if (strncasecmp(loc, "https://", 8) == 0) {
		host = loc + 8;
		secure = 1;
	} else if (strncasecmp(loc, "http://", 7) == 0) {
		host = loc + 7;
		secure = 0;
	} else if (strstr(loc, "://") != NULL) {
		*why = "the scheme must be https (or http to a loopback host)";
		return NULL;
	} else {
		/* Auth0's docs show the URL without a scheme. */
		host = loc;
		secure = 1;
	}
	n = strcspn(host, "/?#");
	if (n == 0 || memchr(host, '@', n) != NULL) {
		*why = "no host name in the URL";
		return NULL;
	}
	if (!secure) {
		h = xmalloc(n + 1);
		if (host[0] == '[') {
			p = memchr(host, ']', n);
			n = p ? (size_t)(p - host - 1) : 0;
			memcpy(h, host + 1, n);
		} else {
			p = memchr(host, ':', n);
			n = p ? (size_t)(p - host) : n;
			memcpy(h, host, n);
		}
		h[n] = '\0';
		secure = a0_http_loopback(h);
		free(h);
		if (!secure) {
			*why = "plain http is allowed only to a loopback host";
			return NULL;
		}
		return xstrdup(loc);
	}
	if (host != loc)
		return xstrdup(loc);
	n = strlen(loc) + 9;
	url = xmalloc(n);
	snprintf(url, n, "https://%s", loc);
	return url;
}

/* Do all of a user's errors say that the user already exists? */
static int
existing(const struct jdoc *d, int errs)
{
	int k, i, c, m, n = 0;
	char msg[256];

	if (d->tok[errs].type != JT_ARRAY || d->tok[errs].size == 0)
		return 0;
	for (k = 0, i = errs + 1; k < d->tok[errs].size;
	    k++, i = json_skip(d, i)) {
		if (d->tok[i].type != JT_OBJECT ||
		    (c = json_get(d, i, "code")) == -1 ||
		    !json_streq(d, c, "DUPLICATED_USER") ||
		    (m = json_get(d, i, "message")) == -1 ||
		    json_unescape(d, m, msg, sizeof(msg)) == -1 ||
		    strstr(msg, "already exist") == NULL)
			return 0;
		n++;
	}
	return n > 0;
}

int
a0_take_job_errors(const struct a0_resp *r, struct a0_usererr **list,
    size_t *n)
{
	struct a0_usererr *l;
	struct jdoc d;
	int i, k, u, e;

	*list = NULL;
	*n = 0;
	if (r->status == 204)
		return 0;
	if (r->status != 200 || (object(&d, r, JT_ARRAY) == -1 &&
	    object(&d, r, JT_OBJECT) == -1))
		return -1;
	if (d.tok[0].type == JT_OBJECT) {
		/* The job failed as a whole: no user to report. */
		json_free(&d);
		return 0;
	}
	l = xcalloc((size_t)d.tok[0].size + 1, sizeof(*l));
	for (k = 0, i = 1; k < d.tok[0].size; k++, i = json_skip(&d, i)) {
		if (d.tok[i].type != JT_OBJECT ||
		    (u = json_get(&d, i, "user")) == -1)
			continue;
		l[*n].user = r->body + d.tok[u].start;
		l[*n].ulen = d.tok[u].end - d.tok[u].start;
		if ((e = json_get(&d, i, "errors")) != -1) {
			l[*n].errors = r->body + d.tok[e].start;
			l[*n].elen = d.tok[e].end - d.tok[e].start;
			l[*n].existing = existing(&d, e);
		} else {
			l[*n].errors = "[]";
			l[*n].elen = 2;
		}
		/* A string token's range leaves out its quotes. */
		if (d.tok[u].type == JT_STRING) {
			l[*n].user--;
			l[*n].ulen += 2;
		}
		if (e != -1 && d.tok[e].type == JT_STRING) {
			l[*n].errors--;
			l[*n].elen += 2;
		}
		(*n)++;
	}
	json_free(&d);
	*list = l;
	return 0;
}

/* Copy s (len bytes) into out, control characters as spaces. */
static void
clean(char *out, size_t outsz, const char *s, size_t len)
{
	size_t i;

	if (len >= outsz)
		len = outsz - 1;
	for (i = 0; i < len; i++)
		out[i] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
	out[len] = '\0';
}

void
a0_api_message(const struct a0_resp *r, char *out, size_t outsz)
{
	struct jdoc d;
	char *err = NULL, *msg = NULL, *full, *red;
	size_t n, cut = 0;
	int i;

	if (r->net != A0_NET_OK) {
		red = a0_http_redact(r->err);
		snprintf(out, outsz, "%s", red);
		free(red);
		return;
	}
	if (object(&d, r, JT_OBJECT) == 0) {
		if ((i = json_get(&d, 0, "message")) != -1 ||
		    (i = json_get(&d, 0, "error_description")) != -1)
			msg = json_strdup(&d, i);
		if ((i = json_get(&d, 0, "error")) != -1)
			err = json_strdup(&d, i);
		json_free(&d);
	}
	/* The whole message first, then its secrets out (a server may
	 * echo the request), then the cut: a cut could halve a secret. */
	n = (msg ? strlen(msg) : 0) + (err ? strlen(err) : 0) + r->len + 64;
	full = xmalloc(n);
	if (msg != NULL)
		snprintf(full, n, "%ld %s: %s", r->status, err ? err : "error",
		    msg);
	else if (err != NULL)
		snprintf(full, n, "%ld %s", r->status, err);
	else {
		/* 200 bytes of the body are shown; what follows them is
		 * there so that a secret across the cut is still seen. */
		snprintf(full, n, "%ld: ", r->status);
		cut = strlen(full) + 200;
		clean(full + strlen(full), n - strlen(full), r->body,
		    r->len > 65536 ? 65536 : r->len);
	}
	red = a0_http_redact(full);
	if (cut > 0 && strlen(red) > cut)
		red[cut] = '\0';
	clean(out, outsz, red, strlen(red));
	free(red);
	free(full);
	free(err);
	free(msg);
}

int
a0_api_env(struct a0_api *a, const char *domain, char *why, size_t whysz)
{
	const char *tok, *aud, *bad = "not a domain";
	struct a0_creds c;

	/* Which credentials this tenant gets: the file's line for it is
	 * handed over whole; the environment's are read below. */
	if (a0_creds_find(&c, domain) == -1) {
		snprintf(why, whysz, "%s", c.why);
		return -1;
	}
	if (strcmp(c.source, "credentials file") == 0) {
		a->base = c.base;
		a->client_id = c.client_id;
		a->client_secret = c.client_secret;
		a->token = c.token;
		a->audience = c.audience;
		return 0;
	}
	a0_creds_free(&c);
	if (domain == NULL)
		domain = getenv("AUTH0_DOMAIN");
	if (domain == NULL || *domain == '\0') {
		snprintf(why, whysz, "AUTH0_DOMAIN is not set (nor --tenant)");
		return -1;
	}
	if ((a->base = a0_api_base(domain, &bad)) == NULL) {
		snprintf(why, whysz, "%s: %s", domain, bad);
		return -1;
	}
	if ((aud = getenv("AUTH0_AUDIENCE")) != NULL && *aud != '\0')
		a->audience = aud;
	a->client_id = getenv("AUTH0_CLIENT_ID");
	a->client_secret = getenv("AUTH0_CLIENT_SECRET");
	if (a->client_id == NULL || *a->client_id == '\0' ||
	    a->client_secret == NULL || *a->client_secret == '\0')
		a->client_id = a->client_secret = NULL;
	if ((tok = getenv("AUTH0_API_TOKEN")) != NULL && *tok != '\0')
		a->token = xstrdup(tok);
	else if (a->client_id == NULL) {
		snprintf(why, whysz, "set AUTH0_CLIENT_ID and "
		    "AUTH0_CLIENT_SECRET, or AUTH0_API_TOKEN");
		free(a->base);
		a->base = NULL;
		return -1;
	}
	return 0;
}

int
a0_req_connections(struct a0_http *h, const struct a0_api *a,
    const char *strategy, const char *name, long page)
{
	char *url, *p;
	int rv;

	url = p = xmalloc(strlen(a->base) + 3 * (strategy ? strlen(strategy) :
	    0) + 3 * (name ? strlen(name) : 0) + 160);
	p = stpcpy(p, a->base);
	p = stpcpy(p, "/api/v2/connections?fields=id%2Cname%2Cstrategy"
	    "&include_fields=true&include_totals=true");
	if (strategy != NULL) {
		p = stpcpy(p, "&strategy=");
		p = escape(p, strategy);
	}
	if (name != NULL) {
		p = stpcpy(p, "&name=");
		p = escape(p, name);
	}
	snprintf(p, 48, "&per_page=%d&page=%ld", A0_CONN_PAGE, page);
	rv = a0_http_start(h, "GET", url, a->token, NULL, NULL, 0, 0);
	free(url);
	return rv;
}

void
a0_conns_free(struct a0_conn *l, size_t n)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(l[i].id);
		free(l[i].name);
		free(l[i].strategy);
	}
	free(l);
}

int
a0_take_connections(const struct a0_resp *r, struct a0_conn **list,
    size_t *n, long long *total)
{
	struct a0_conn *l;
	struct jdoc d;
	int arr, i, k, v;

	*list = NULL;
	*n = 0;
	*total = -1;
	if (r->status != 200 || (object(&d, r, JT_ARRAY) == -1 &&
	    object(&d, r, JT_OBJECT) == -1))
		return -1;
	arr = 0;
	if (d.tok[0].type == JT_OBJECT) {
		if ((arr = json_get(&d, 0, "connections")) == -1 ||
		    d.tok[arr].type != JT_ARRAY) {
			json_free(&d);
			return -1;
		}
		*total = member(&d, 0, "total", -1);
	}
	l = xcalloc((size_t)d.tok[arr].size + 1, sizeof(*l));
	for (k = 0, i = arr + 1; k < d.tok[arr].size;
	    k++, i = json_skip(&d, i)) {
		if (d.tok[i].type != JT_OBJECT ||
		    (v = json_get(&d, i, "id")) == -1 ||
		    d.tok[v].type != JT_STRING ||
		    (l[*n].id = json_strdup(&d, v)) == NULL)
			continue;
		if ((v = json_get(&d, i, "name")) == -1 ||
		    d.tok[v].type != JT_STRING ||
		    (l[*n].name = json_strdup(&d, v)) == NULL) {
			free(l[*n].id);
			continue;
		}
		if ((v = json_get(&d, i, "strategy")) != -1 &&
		    d.tok[v].type == JT_STRING)
			l[*n].strategy = json_strdup(&d, v);
		(*n)++;
	}
	json_free(&d);
	*list = l;
	return 0;
}

int
a0_req_conn_clients(struct a0_http *h, const struct a0_api *a,
    const char *id)
{
	char *url, *p;
	int rv;

	url = p = xmalloc(strlen(a->base) + 3 * strlen(id) + 48);
	p = stpcpy(p, a->base);
	p = stpcpy(p, "/api/v2/connections/");
	p = escape(p, id);
	stpcpy(p, "/clients");
	rv = a0_http_start(h, "GET", url, a->token, NULL, NULL, 0, 0);
	free(url);
	return rv;
}

int
a0_take_conn_clients(const struct a0_resp *r)
{
	struct jdoc d;
	int i, rv;

	if (r->status != 200 || object(&d, r, JT_OBJECT) == -1)
		return -1;
	if ((i = json_get(&d, 0, "clients")) == -1 ||
	    d.tok[i].type != JT_ARRAY)
		rv = -1;
	else
		rv = d.tok[i].size > 0;
	json_free(&d);
	return rv;
}

int
a0_con_id_ok(const char *s)
{
	int i;

	if (strncmp(s, "con_", 4) != 0 || strlen(s) != 20)
		return 0;
	for (i = 4; i < 20; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return 1;
}
