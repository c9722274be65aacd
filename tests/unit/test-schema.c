/*
 * test-schema.c: schema_check() on every case of tests/validate/rules.txt
 * (the diagnostics, as a sorted set of "CODE POINTER", must be what the
 * table says), on the tokens of json_parse and of json_parse_valid; then
 * lengths counted in UTF-16, the two halves of the check, and the
 * duplicate set.
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
	struct jdoc doc, vdoc;
	struct schema_ids ids;
	FILE *f;
	char *line = NULL, *tab, *exp, want[8192], *wv[256], *p;
	static char got1[8192];
	const char *g;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, nw, i, errors, nv = 0, vbad = 0;

	memset(&doc, 0, sizeof(doc));
	memset(&vdoc, 0, sizeof(vdoc));
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
		/* The same with the record reader's tokenizer. */
		memcpy(got1, got, sizeof(got1));
		nv++;
		if (json_parse_valid(&vdoc, tab + 1, strlen(tab + 1)) < 0) {
			vbad++;
			printf("# rules.txt:%d: json_parse_valid fails\n",
			    lineno);
			continue;
		}
		nitems = 0;
		schema_check(sc, &vdoc, &ids, collect, NULL);
		canon(items, nitems, got, sizeof(got));
		if (strcmp(got, got1) != 0) {
			vbad++;
			printf("# rules.txt:%d: json_parse_valid: '%s', not "
			    "'%s'\n", lineno, got, got1);
		}
		for (i = 0; i < nitems; i++)
			free(items[i]);
	}
	ok(nv > 200 && vbad == 0, "the same diagnostics from "
	    "json_parse_valid's tokens: %d of %d rules differ", vbad, nv);
	free(line);
	fclose(f);
	json_free(&doc);
	json_free(&vdoc);
	schema_free(sc);
}

/* The diagnostics of record text, as rules() canonicalises them. */
static const char *
diags(struct schema *sc, struct jdoc *doc, const char *text)
{
	int i;

	nitems = 0;
	if (json_parse_valid(doc, text, strlen(text)) < 0)
		return "(tokenize)";
	schema_check(sc, doc, NULL, collect, NULL);
	canon(items, nitems, got, sizeof(got));
	for (i = 0; i < nitems; i++)
		free(items[i]);
	return got;
}

/*
 * given_name is at most 150 characters as JavaScript counts them (UTF-16
 * code units: two for a character outside the BMP), written as UTF-8 or
 * as escapes.
 */
static void
lengths(void)
{
	static const struct {
		const char	*unit;	/* one repeat */
		int		 n, ok;	/* repeats; within the limit? */
	} t[] = {
		{ "x", 150, 1 }, { "x", 151, 0 },
		{ "\xc3\xa9", 150, 1 }, { "\xc3\xa9", 151, 0 },
		{ "a\xe2\x82\xac", 75, 1 }, { "a\xe2\x82\xac", 76, 0 },
		{ "\xf0\x9f\x98\x80", 75, 1 }, { "\xf0\x9f\x98\x80", 76, 0 },
		{ "\\ud83d\\ude00", 75, 1 }, { "\\ud83d\\ude00", 76, 0 },
		{ "\\u00e9\\n", 75, 1 }, { "\\u00e9\\n", 76, 0 },
		{ "\xc3\xa9\\u20ac\xf0\x9f\x98\x80", 37, 1 },
		{ "\xc3\xa9\\u20ac\xf0\x9f\x98\x80", 38, 0 },
	};
	struct schema *sc = schema_new();
	struct jdoc doc;
	char text[2048];
	size_t i, len;
	int k;

	memset(&doc, 0, sizeof(doc));
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		len = (size_t)snprintf(text, sizeof(text),
		    "{\"email\":\"a@example.com\",\"given_name\":\"");
		for (k = 0; k < t[i].n; k++)
			len += (size_t)snprintf(text + len, sizeof(text) - len,
			    "%s", t[i].unit);
		snprintf(text + len, sizeof(text) - len, "\"}");
		is_str(diags(sc, &doc, text), t[i].ok ? "-" :
		    "MAX_LENGTH /given_name", "given_name: %d x '%s'",
		    t[i].n, t[i].unit);
	}
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
	nitems = 0;
	ok(schema_begin(sc, &doc, &id, collect, NULL) == 0 &&
	    id.username == 2 && id.email == 4 && id.user_id == -1 &&
	    nitems == 0, "schema_begin finds the ids, reports nothing yet");
	ok(schema_finish(sc) == 1 && nitems == 1 &&
	    strcmp(items[0], "INVALID_TYPE /user_id") == 0,
	    "schema_finish checks the values");
	ok(schema_finish(sc) == 1 && nitems == 1,
	    "schema_finish twice checks once");
	while (nitems > 0)
		free(items[--nitems]);
	json_free(&doc);
	schema_free(sc);
}

static void
dupset(void)
{
	struct dupset *ds = dupset_new();
	uint64_t h;
	char key[32], key2[32];
	int i, c, bad = 0;

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
	/* Every byte in every place of a word and of a last, short one:
	 * capitals fold to small letters, nothing else does. */
	for (i = 0, bad = 0; i < 256 * 11; i++) {
		c = i % 256;
		memcpy(key, "0123456789a", 11);
		memcpy(key2, key, 11);
		key[i / 256] = (char)c;
		key2[i / 256] = (char)(c ^ 0x20);
		if ((dupset_hash(DUP_EMAIL, key, 11) ==
		    dupset_hash(DUP_EMAIL, key2, 11)) !=
		    ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			bad++;
		if (dupset_hash(DUP_USER_ID, key, 11) ==
		    dupset_hash(DUP_USER_ID, key2, 11))
			bad++;
	}
	ok(bad == 0, "case folding: %d bytes wrong", bad);
	for (i = 1; i <= 100000; i++) {
		snprintf(key, sizeof(key), "user%d@example.com", i);
		h = dupset_hash(DUP_EMAIL, key, strlen(key));
		if (dupset_find(ds, h) != 0)
			bad++;
		dupset_add(ds, h, (uint32_t)i);
	}
	ok(bad == 0, "100000 distinct keys, no false duplicate");
	for (i = 1, bad = 0; i <= 100000; i++) {
		snprintf(key, sizeof(key), "USER%d@example.com", i);
		if (dupset_find(ds, dupset_hash(DUP_EMAIL, key,
		    strlen(key))) != (uint32_t)i)
			bad++;
	}
	ok(bad == 0, "every key found again: %d missing", bad);
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
	lengths();
	ids();
	dupset();
	return done_testing();
}
