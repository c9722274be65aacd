/*
 * creds.c: which credentials go to which tenant.  The environment holds
 * one set; a credentials file holds one line per tenant domain, so that
 * one pipeline can read from one tenant and write to another without
 * secrets in the environment.  Credentials are only ever handed out for
 * the domain they were given for.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "a0.h"

#define CREDS_MAX	(1L << 20)	/* a larger file is not ours */

static void
say(struct a0_creds *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
say(struct a0_creds *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

char *
a0_creds_path(void)
{
	const char *p, *home;
	size_t n;
	char *s;

	if ((p = getenv("A0_CREDENTIALS")) != NULL && *p != '\0')
		return xstrdup(p);
	if ((p = getenv("XDG_CONFIG_HOME")) != NULL && *p == '/') {
		n = strlen(p) + 32;
		s = xmalloc(n);
		snprintf(s, n, "%s/a0/credentials", p);
		return s;
	}
	if ((home = getenv("HOME")) == NULL || *home == '\0')
		return NULL;
	n = strlen(home) + 32;
	s = xmalloc(n);
	snprintf(s, n, "%s/.config/a0/credentials", home);
	return s;
}

/* Do two domains name the same tenant (same scheme, host and port)? */
static int
same(const char *a, const char *b)
{
	const char *why;
	char *x, *y;
	int eq;

	if ((x = a0_api_base(a, &why)) == NULL)
		return 0;
	if ((y = a0_api_base(b, &why)) == NULL) {
		free(x);
		return 0;
	}
	eq = strcasecmp(x, y) == 0;
	free(x);
	free(y);
	return eq;
}

static void
setval(char **dst, const char *v, size_t n)
{
	free(*dst);
	*dst = xmalloc(n + 1);
	memcpy(*dst, v, n);
	(*dst)[n] = '\0';
}

/*
 * Read the entry for domain from the file's text: 1 found (c filled),
 * 0 not there, -1 a bad line (c->why says which).
 */
static int
entry(struct a0_creds *c, const char *path, char *text, size_t len,
    const char *domain)
{
	char *line = text, *end = text + len, *nl, *w, *we, *eq, *dom;
	char **dst;
	long lineno = 0;
	int found = 0, mine;

	for (; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		*nl = '\0';
		lineno++;
		for (w = line; *w == ' ' || *w == '\t'; w++)
			;
		if (*w == '\0' || *w == '#' || *w == '\r')
			continue;
		for (we = w; *we != '\0' && !isspace((unsigned char)*we); we++)
			;
		dom = w;
		if (*we != '\0')
			*we++ = '\0';
		mine = !found && same(dom, domain);
		if (strchr(dom, '=') != NULL) {
			say(c, "%s:%ld: a line starts with the tenant's "
			    "domain", path, lineno);
			return -1;
		}
		for (w = we; ; w = we) {
			while (isspace((unsigned char)*w))
				w++;
			if (*w == '\0')
				break;
			for (we = w; *we != '\0' &&
			    !isspace((unsigned char)*we); we++)
				;
			if ((eq = memchr(w, '=', (size_t)(we - w))) == NULL ||
			    eq == w || eq + 1 == we) {
				say(c, "%s:%ld: want key=value", path, lineno);
				return -1;
			}
#define KEY(k)	((size_t)(eq - w) == strlen(k) && \
		    strncmp(w, k, strlen(k)) == 0)
			if (KEY("client_id"))
				dst = &c->client_id;
			else if (KEY("client_secret"))
				dst = &c->client_secret;
			else if (KEY("token"))
				dst = &c->token;
			else if (KEY("audience"))
				dst = &c->audience;
			else {
				say(c, "%s:%ld: unknown key %.*s", path,
				    lineno, (int)(eq - w), w);
				return -1;
			}
#undef KEY
			if (mine)
				setval(dst, eq + 1, (size_t)(we - eq - 1));
		}
		if (!mine)
			continue;
		found = 1;
		if (c->token == NULL && (c->client_id == NULL ||
		    c->client_secret == NULL)) {
			say(c, "%s:%ld: %s: give client_id and client_secret, "
			    "or token", path, lineno, dom);
			return -1;
		}
	}
	return found;
}

static int
set(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0';
}

/* Look domain up in the credentials file: 1, 0 (no file or no entry;
 * *seen set to the file's path when it was read), -1 (c->why says why). */
static int
from_file(struct a0_creds *c, const char *domain, char **seen)
{
	struct stat st;
	char *path, *text = NULL;
	size_t len;
	ssize_t n;
	int fd, rv = -1, named;

	named = set("A0_CREDENTIALS");
	if ((path = a0_creds_path()) == NULL)
		return 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ENOENT && !named)
			rv = 0;
		else
			say(c, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		say(c, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		say(c, "%s: not a regular file", path);
		goto out;
	}
	if ((st.st_mode & 077) != 0 || st.st_uid != geteuid()) {
		say(c, "%s: refused: mode %04o%s; it holds secrets (chmod 600 "
		    "%s)", path, (unsigned)(st.st_mode & 07777),
		    st.st_uid != geteuid() ? ", not owned by you" : "", path);
		goto out;
	}
	/* The file checked is the file read: the same descriptor. */
	if (st.st_size > CREDS_MAX) {
		say(c, "%s: larger than %ld bytes", path, CREDS_MAX);
		goto out;
	}
	text = xmalloc((size_t)st.st_size + 1);
	for (len = 0; len < (size_t)st.st_size; len += (size_t)n)
		if ((n = read(fd, text + len, (size_t)st.st_size - len)) <= 0) {
			if (n == -1 && errno == EINTR) {
				n = 0;
				continue;
			}
			if (n == 0)
				break;
			say(c, "%s: %s", path, strerror(errno));
			goto out;
		}
	text[len] = '\0';
	if ((rv = entry(c, path, text, len, domain)) == 1)
		c->source = "credentials file";
	else if (rv == 0) {
		*seen = path;
		path = NULL;
	}
out:
	if (fd != -1)
		close(fd);
	free(text);
	free(path);
	return rv;
}

/* Take the environment's credentials. */
static void
from_env(struct a0_creds *c)
{
	if (set("AUTH0_API_TOKEN"))
		c->token = xstrdup(getenv("AUTH0_API_TOKEN"));
	else {
		c->client_id = xstrdup(getenv("AUTH0_CLIENT_ID"));
		c->client_secret = xstrdup(getenv("AUTH0_CLIENT_SECRET"));
	}
	c->source = "environment";
}

int
a0_creds_find(struct a0_creds *c, const char *tenant)
{
	const char *domain, *envdom, *why;
	char *seen = NULL;
	int envcreds, rv;

	memset(c, 0, sizeof(*c));
	envdom = set("AUTH0_DOMAIN") ? getenv("AUTH0_DOMAIN") : NULL;
	domain = tenant ? tenant : envdom;
	if (domain == NULL) {
		say(c, "AUTH0_DOMAIN is not set (nor --tenant)");
		return -1;
	}
	if ((c->base = a0_api_base(domain, &why)) == NULL) {
		say(c, "%s: %s", domain, why);
		return -1;
	}
	envcreds = set("AUTH0_API_TOKEN") || (set("AUTH0_CLIENT_ID") &&
	    set("AUTH0_CLIENT_SECRET"));
	/* 1: the environment's credentials, given for this domain. */
	if (envcreds && envdom != NULL && same(envdom, domain)) {
		from_env(c);
		return 0;
	}
	/* 2: the file's entry for this domain. */
	if ((rv = from_file(c, domain, &seen)) == 1)
		return 0;
	if (rv == -1) {
		a0_creds_free(c);
		return -1;
	}
	/* 3: the environment's, given for no domain in particular. */
	if (envcreds && envdom == NULL) {
		free(seen);
		from_env(c);
		return 0;
	}
	if (envcreds)
		say(c, "%s: no credentials for this tenant (those in the "
		    "environment are for AUTH0_DOMAIN %s)", domain, envdom);
	else if (seen != NULL)
		say(c, "%s: no credentials for this tenant in %s; set "
		    "AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET, or "
		    "AUTH0_API_TOKEN", domain, seen);
	else
		say(c, "set AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET, or "
		    "AUTH0_API_TOKEN");
	free(seen);
	a0_creds_free(c);
	return -1;
}

void
a0_creds_free(struct a0_creds *c)
{
	char why[sizeof(c->why)];

	memcpy(why, c->why, sizeof(why));
	free(c->base);
	free(c->client_id);
	if (c->client_secret != NULL) {
		memset(c->client_secret, 0, strlen(c->client_secret));
		free(c->client_secret);
	}
	free(c->token);
	free(c->audience);
	memset(c, 0, sizeof(*c));
	memcpy(c->why, why, sizeof(why));
}
