/*
 * test-schema.c: schema_check() on every case of tests/validate/rules.txt
 * (the diagnostics, as a sorted set of "CODE POINTER", must be what the
 * table says), then the duplicate set.
 */
#include <stdlib.h>
#include <string.h>

#include "a0.h"
#include "tap.h"

#define RULES	"tests/validate/rules.txt"

static char got[8192];
static char *items[256];
static int nitems;

static void
collect(void *arg, const struct schema_diag *dg)
{
	char *s;
	size_t n;

	(void)arg;
	if (nitems == 256)
		return;
	n = strlen(dg->code) + dg->ptrlen + 4;
	s = malloc(n);
	snprintf(s, n, "%s%s %.*s", dg->warning ? "w:" : "", dg->code,
	    (int)dg->ptrlen, dg->ptr);
	items[nitems++] = s;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the items of a ", "-separated list in place into out. */
static void
canon(char **v, int n, char *out, size_t outsz)
{
	int i;

	qsort(v, (size_t)n, sizeof(*v), cmp);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strncat(out, ", ", outsz - strlen(out) - 1);
		strncat(out, v[i], outsz - strlen(out) - 1);
	}
	if (n == 0)
		strncat(out, "-", outsz - 1);
}

static void
rules(void)
{
	struct schema *sc = schema_new();
	struct jdoc doc;
	struct schema_ids ids;
	FILE *f;
	char *line = NULL, *tab, *exp, want[8192], *wv[256], *p;
	const char *g;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, nw, i, errors;

	memset(&doc, 0, sizeof(doc));
	if ((f = fopen(RULES, "r")) == NULL) {
		ok(0, "open %s", RULES);
		return;
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (line[0] == '#' || (tab = strchr(line, '\t')) == NULL)
			continue;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		*tab = '\0';
		exp = line;
		nw = 0;
		if (strcmp(exp, "-") != 0)
			for (p = strtok(exp, ","); p != NULL && nw < 256;
			    p = strtok(NULL, ",")) {
				while (*p == ' ')
					p++;
				wv[nw++] = p;
			}
		canon(wv, nw, want, sizeof(want));
		if (json_parse(&doc, tab + 1, strlen(tab + 1)) < 0) {
			ok(0, "rules.txt:%d: tokenize", lineno);
			continue;
		}
		nitems = 0;
		errors = schema_check(sc, &doc, &ids, collect, NULL);
		canon(items, nitems, got, sizeof(got));
		for (i = 0, nw = 0; i < nitems; i++)
			nw += strncmp(items[i], "w:", 2) != 0;
		g = got;
		is_str(g, want, "rules.txt:%d: %s", lineno, want);
		if (errors != nw)
			ok(0, "rules.txt:%d: %d errors counted, %d reported",
			    lineno, errors, nw);
		for (i = 0; i < nitems; i++)
			free(items[i]);
	}
	free(line);
	fclose(f);
	json_free(&doc);
	schema_free(sc);
}

static void
ids(void)
{
	struct schema *sc = schema_new();
	struct schema_ids id;
	struct jdoc doc;
	const char *t = "{\"username\":\"Bob\",\"email\":\"B\\u0040x.io\","
	    "\"user_id\":7}";
	const char *p;
	size_t n;

	memset(&doc, 0, sizeof(doc));
	json_parse(&doc, t, strlen(t));
	schema_check(sc, &doc, &id, NULL, NULL);
	ok(id.username == 2 && id.email == 4 && id.user_id == -1,
	    "ids: username %d email %d user_id %d", id.username, id.email,
	    id.user_id);
	p = schema_str(sc, &doc, id.email, &n);
	ok(n == 6 && memcmp(p, "B@x.io", 6) == 0, "schema_str unescapes");
	json_free(&doc);
	schema_free(sc);
}

static void
dupset(void)
{
	struct dupset *ds = dupset_new();
	uint64_t h;
	char key[32];
	int i, bad = 0;

	ok(dupset_hash(DUP_EMAIL, "A@B.io", 6) ==
	    dupset_hash(DUP_EMAIL, "a@b.io", 6), "email folds case");
	ok(dupset_hash(DUP_USERNAME, "Bob", 3) ==
	    dupset_hash(DUP_USERNAME, "bob", 3), "username folds case");
	ok(dupset_hash(DUP_USER_ID, "Bob", 3) !=
	    dupset_hash(DUP_USER_ID, "bob", 3), "user_id is exact");
	ok(dupset_hash(DUP_EMAIL, "bob", 3) !=
	    dupset_hash(DUP_USERNAME, "bob", 3), "kinds are apart");
	ok(dupset_hash(DUP_USER_ID, "a\0b", 3) !=
	    dupset_hash(DUP_USER_ID, "a\0c", 3), "NUL bytes count");
	for (i = 1; i <= 100000; i++) {
		snprintf(key, sizeof(key), "user%d@example.com", i);
		h = dupset_hash(DUP_EMAIL, key, strlen(key));
		if (dupset_find(ds, h) != 0)
			bad++;
		dupset_add(ds, h, (uint32_t)i);
	}
	ok(bad == 0, "100000 distinct keys, no false duplicate");
	ok(dupset_count(ds) == 100000, "count %zu", dupset_count(ds));
	h = dupset_hash(DUP_EMAIL, "USER4242@example.com", 20);
	ok(dupset_find(ds, h) == 4242, "found after growth: %u",
	    dupset_find(ds, h));
	dupset_add(ds, h, 99);
	ok(dupset_find(ds, h) == 4242, "earlier record kept");
	dupset_free(ds);
}

int
main(void)
{
	rules();
	ids();
	dupset();
	return done_testing();
}
