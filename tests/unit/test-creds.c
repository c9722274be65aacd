/* test-creds: which credentials a0_creds_find hands out, for which tenant. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "a0.h"
#include "tap.h"

static char dir[] = "/tmp/a0-test-creds.XXXXXX";
static char path[256];

/* Write the credentials file with mode. */
static void
file(const char *text, mode_t mode)
{
	FILE *f;

	unlink(path);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void
env(const char *domain, const char *id, const char *secret,
    const char *token)
{
	unsetenv("AUTH0_DOMAIN");
	unsetenv("AUTH0_CLIENT_ID");
	unsetenv("AUTH0_CLIENT_SECRET");
	unsetenv("AUTH0_API_TOKEN");
	if (domain)
		setenv("AUTH0_DOMAIN", domain, 1);
	if (id)
		setenv("AUTH0_CLIENT_ID", id, 1);
	if (secret)
		setenv("AUTH0_CLIENT_SECRET", secret, 1);
	if (token)
		setenv("AUTH0_API_TOKEN", token, 1);
}

static const char good[] =
    "# tenants\n"
    "\n"
    "a.eu.auth0.com  client_id=ida client_secret=seca\n"
    "  http://127.0.0.1:8089 token=tokl\n"
    "https://B.us.auth0.com/ client_id=idb\tclient_secret=secb\n";

/*
 * One case: the environment, the tenant asked for, the file; what must
 * come out: "" for a failure (why must hold want), else the source and
 * the id or token, "source id" or "source token".
 */
static const struct tcase {
	const char	*name;
	const char	*edom, *eid, *esec, *etok;
	const char	*tenant;
	const char	*text;		/* NULL: no file */
	mode_t		 mode;
	const char	*want;		/* "environment ida", "file tokl"... */
	const char	*why;		/* part of the failure's text */
} cases[] = {
	{ "env for its own domain", "a.eu.auth0.com", "envid", "envsec",
	    NULL, NULL, NULL, 0, "environment envid", NULL },
	{ "env, --tenant the same domain spelt otherwise", "a.eu.auth0.com",
	    "envid", "envsec", NULL, "https://A.EU.auth0.com/", NULL, 0,
	    "environment envid", NULL },
	{ "env before the file for its own domain", "a.eu.auth0.com",
	    "envid", "envsec", NULL, NULL, good, 0600, "environment envid",
	    NULL },
	{ "--tenant elsewhere: the file's entry, not env's", "a.eu.auth0.com",
	    "envid", "envsec", NULL, "b.us.auth0.com", good, 0600,
	    "credentials file idb", NULL },
	{ "--tenant elsewhere, not in the file: refused", "a.eu.auth0.com",
	    "envid", "envsec", NULL, "c.us.auth0.com", good, 0600, "",
	    "c.us.auth0.com: no credentials for this tenant" },
	{ "--tenant elsewhere, no file: refused", "a.eu.auth0.com",
	    "envid", "envsec", NULL, "c.us.auth0.com", NULL, 0, "",
	    "those in the environment are for AUTH0_DOMAIN a.eu.auth0.com" },
	{ "no AUTH0_DOMAIN: the file first", NULL, "envid", "envsec", NULL,
	    "a.eu.auth0.com", good, 0600, "credentials file ida", NULL },
	{ "no AUTH0_DOMAIN, not in the file: env", NULL, "envid", "envsec",
	    NULL, "c.us.auth0.com", good, 0600, "environment envid", NULL },
	{ "a file without the tenant, nothing in env", NULL, NULL, NULL, NULL,
	    "c.us.auth0.com", good, 0600, "", "c.us.auth0.com: no "
	    "credentials for this tenant in " },
	{ "a token in the file", NULL, NULL, NULL, NULL,
	    "http://127.0.0.1:8089", good, 0600, "credentials file tokl",
	    NULL },
	{ "AUTH0_DOMAIN names a file entry", "a.eu.auth0.com", NULL, NULL,
	    NULL, NULL, good, 0600, "credentials file ida", NULL },
	{ "a token in env", "a.eu.auth0.com", NULL, NULL, "envtok", NULL,
	    NULL, 0, "environment envtok", NULL },
	{ "mode 0644: refused", NULL, NULL, NULL, NULL, "a.eu.auth0.com",
	    good, 0644, "", "refused: mode 0644" },
	{ "mode 0640: refused", NULL, NULL, NULL, NULL, "a.eu.auth0.com",
	    good, 0640, "", "refused: mode 0640" },
	{ "mode 0400: fine", NULL, NULL, NULL, NULL, "a.eu.auth0.com",
	    good, 0400, "credentials file ida", NULL },
	{ "no domain at all", NULL, NULL, NULL, NULL, NULL, good, 0600, "",
	    "AUTH0_DOMAIN is not set (nor --tenant)" },
	{ "plain http elsewhere than loopback", NULL, NULL, NULL, NULL,
	    "http://example.com", good, 0600, "",
	    "plain http is allowed only to a loopback host" },
	{ "nothing anywhere", NULL, NULL, NULL, NULL, "a.eu.auth0.com",
	    NULL, 0, "", "set AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET, or "
	    "AUTH0_API_TOKEN" },
	{ "a word without =", NULL, NULL, NULL, NULL, "a.eu.auth0.com",
	    "a.eu.auth0.com client_id\n", 0600, "", "credentials:1: want "
	    "key=value" },
	{ "an unknown key", NULL, NULL, NULL, NULL, "a.eu.auth0.com",
	    "\nx.auth0.com secret=1\n", 0600, "",
	    "credentials:2: unknown key secret" },
	{ "an entry without its secret", NULL, NULL, NULL, NULL,
	    "a.eu.auth0.com", "a.eu.auth0.com client_id=x\n", 0600, "",
	    "credentials:1: a.eu.auth0.com: give client_id and "
	    "client_secret, or token" },
	{ "a line starting with key=value", NULL, NULL, NULL, NULL,
	    "a.eu.auth0.com", "client_id=x a.eu.auth0.com\n", 0600, "",
	    "credentials:1: a line starts with the tenant's domain" },
	{ "an audience with the credentials", NULL, NULL, NULL, NULL,
	    "login.example.com", "login.example.com token=t "
	    "audience=https://t.eu.auth0.com/api/v2/\n", 0600,
	    "credentials file t", NULL },
	{ "the first line for a tenant counts", NULL, NULL, NULL, NULL,
	    "a.eu.auth0.com", "a.eu.auth0.com token=one\n"
	    "a.eu.auth0.com token=two\n", 0600, "credentials file one",
	    NULL },
};

static void
run(const struct tcase *t)
{
	struct a0_creds c;
	char got[256];
	int rv;

	env(t->edom, t->eid, t->esec, t->etok);
	unlink(path);
	/* No file: none in the default place either. */
	if (t->text != NULL) {
		setenv("A0_CREDENTIALS", path, 1);
		file(t->text, t->mode);
	} else {
		unsetenv("A0_CREDENTIALS");
		setenv("XDG_CONFIG_HOME", dir, 1);
	}
	rv = a0_creds_find(&c, t->tenant);
	if (rv == 0)
		snprintf(got, sizeof(got), "%s %s", c.source,
		    c.token ? c.token : c.client_id);
	else
		got[0] = '\0';
	if (!ok(strcmp(got, t->want) == 0 && (t->why == NULL ||
	    strstr(c.why, t->why) != NULL), "%s", t->name))
		printf("#   got \"%s\", why \"%s\"\n", got, c.why);
	if (rv == 0 && t->eid == NULL && t->etok == NULL && c.token == NULL)
		ok(c.client_secret != NULL, "%s: the secret too", t->name);
	if (rv == 0 && strstr(t->name, "audience") != NULL)
		is_str(c.audience, "https://t.eu.auth0.com/api/v2/",
		    "%s: the audience", t->name);
	a0_creds_free(&c);
}

int
main(void)
{
	struct a0_creds c;
	char *p;
	size_t i;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/credentials", dir);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run(&cases[i]);

	/* A0_CREDENTIALS named, but missing: that is an error. */
	env(NULL, NULL, NULL, NULL);
	setenv("A0_CREDENTIALS", path, 1);
	unlink(path);
	ok(a0_creds_find(&c, "a.eu.auth0.com") == -1 &&
	    strstr(c.why, "No such file") != NULL,
	    "A0_CREDENTIALS names a missing file: refused");
	a0_creds_free(&c);

	/* The default place, under XDG_CONFIG_HOME or HOME. */
	unsetenv("A0_CREDENTIALS");
	setenv("XDG_CONFIG_HOME", dir, 1);
	p = a0_creds_path();
	ok(p != NULL && strncmp(p, dir, strlen(dir)) == 0 &&
	    strcmp(p + strlen(dir), "/a0/credentials") == 0,
	    "XDG_CONFIG_HOME/a0/credentials");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", "/home/u", 1);
	p = a0_creds_path();
	ok(p != NULL && strcmp(p, "/home/u/.config/a0/credentials") == 0,
	    "~/.config/a0/credentials");
	free(p);
	/* Missing under the default path: not an error, no entry. */
	setenv("XDG_CONFIG_HOME", dir, 1);
	env(NULL, "envid", "envsec", NULL);
	ok(a0_creds_find(&c, "a.eu.auth0.com") == 0 &&
	    strcmp(c.source, "environment") == 0,
	    "no file in the default place: the environment's");
	a0_creds_free(&c);

	unlink(path);
	rmdir(dir);
	return done_testing();
}
