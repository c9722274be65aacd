/*
 * a0-template: example users for Auth0's bulk import, as a JSON array:
 * the four templates of auth0-cli (same field sets, values valid under
 * Auth0's import schema), or any number of distinct synthetic users
 * built from one of them, streamed in constant memory.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "a0.h"

/*
 * The most users -n makes: "user999999999" keeps usernames within
 * Auth0's default limit of 15 characters.
 */
#define MAX_USERS	999999999LL

/* Output buffer of the -n stream: a few large writes, not many small. */
#define OUTBUF		(256 * 1024)

/*
 * One example user: its email, then the rest of its members, indented
 * as they are printed.  EMAIL_AGAIN in rest stands for the user's email
 * address once more (an MFA email factor).
 */
#define EMAIL_AGAIN	"\001"

struct tuser {
	const char	*email;
	const char	*rest;
};

struct template {
	const char		*alias;
	const char		*name;
	const struct tuser	*users;
	size_t			 nusers;
};

static const struct tuser basic[] = {
	{ "john.doe@contoso.com", ",\n"
	    "        \"email_verified\": false,\n"
	    "        \"app_metadata\": {\n"
	    "            \"roles\": [\n"
	    "                \"admin\"\n"
	    "            ],\n"
	    "            \"plan\": \"premium\"\n"
	    "        },\n"
	    "        \"user_metadata\": {\n"
	    "            \"theme\": \"light\"\n"
	    "        }" },
};

/* Every hash below is of the password "Example-Passw0rd". */
static const struct tuser custom[] = {
	{ "md4@contoso.com", ",\n"
	    "        \"email_verified\": false,\n"
	    "        \"custom_password_hash\": {\n"
	    "            \"algorithm\": \"md4\",\n"
	    "            \"hash\": {\n"
	    "                \"value\": \"8cwCWkXHsnzcE8eTNfnRiA==\",\n"
	    "                \"encoding\": \"base64\"\n"
	    "            }\n"
	    "        }" },
	{ "sha256@contoso.com", ",\n"
	    "        \"email_verified\": false,\n"
	    "        \"custom_password_hash\": {\n"
	    "            \"algorithm\": \"sha256\",\n"
	    "            \"hash\": {\n"
	    "                \"value\": \"ce767c4b8c7d8806dc1460e2a6ec44c6"
	    "a73a1b5f0338aba7f28b5c9c10771b35\",\n"
	    "                \"encoding\": \"hex\"\n"
	    "            },\n"
	    "            \"salt\": {\n"
	    "                \"value\": \"n2Ua8XcVfRq4\",\n"
	    "                \"position\": \"prefix\"\n"
	    "            }\n"
	    "        }" },
	{ "bcrypt@contoso.com", ",\n"
	    "        \"email_verified\": false,\n"
	    "        \"custom_password_hash\": {\n"
	    "            \"algorithm\": \"bcrypt\",\n"
	    "            \"hash\": {\n"
	    "                \"value\": \"$2b$10$Q1ijk7dQmzFl3Cq3uJ0nXe5l7aQZN7"
	    "sHUqRbP0XuvxlyjrdjQx.vC\"\n"
	    "            }\n"
	    "        }" },
	{ "argon2@contoso.com", ",\n"
	    "        \"email_verified\": false,\n"
	    "        \"custom_password_hash\": {\n"
	    "            \"algorithm\": \"argon2\",\n"
	    "            \"hash\": {\n"
	    "                \"value\": \"$argon2id$v=19$m=65536,t=2,p=1$"
	    "R0hXV01VMjAyUEhHWVZhZw$Sdo45KBh6nNaRTYw5rw/K7rTCLTQNRQwGXDktnU8uck"
	    "\"\n"
	    "            }\n"
	    "        }" },
	{ "pbkdf2-sha256@contoso.com", ",\n"
	    "        \"email_verified\": false,\n"
	    "        \"custom_password_hash\": {\n"
	    "            \"algorithm\": \"pbkdf2\",\n"
	    "            \"hash\": {\n"
	    "                \"value\": \"$pbkdf2-sha256$i=100000,l=32$"
	    "qzMFycJQVv9028c5Sm1gxw$0BR81VlkamtbhM3eY+fYHc0LefiEmFKK2wo8xcQpfi0"
	    "\",\n"
	    "                \"encoding\": \"utf8\"\n"
	    "            }\n"
	    "        }" },
	{ "pbkdf2-sha512@contoso.com", ",\n"
	    "        \"email_verified\": false,\n"
	    "        \"custom_password_hash\": {\n"
	    "            \"algorithm\": \"pbkdf2\",\n"
	    "            \"hash\": {\n"
	    "                \"value\": \"$pbkdf2-sha512$i=100000,l=64$"
	    "Z25kxyxIhD5iw2hp7lSgxw$3H/OowXTD9uou+10DxVJGNLdoJzSba54JwKTW+GuKck"
	    "MZ5gu/H3CD0bE03eROvtGPY0UazB0gbkT7E7/9rPWew\"\n"
	    "            }\n"
	    "        }" },
	{ "ldap@contoso.com", ",\n"
	    "        \"email_verified\": false,\n"
	    "        \"custom_password_hash\": {\n"
	    "            \"algorithm\": \"ldap\",\n"
	    "            \"hash\": {\n"
	    "                \"value\": \"{SSHA384}NJmQNBImmfR4BoEkKlGgGIODdl7j"
	    "Hw//hpj+a0qBmoCGCYsodMP9r6uptSig9+z+7nWOjQyUiCg=\",\n"
	    "                \"encoding\": \"utf8\"\n"
	    "            }\n"
	    "        }" },
	{ "hmac@contoso.com", ",\n"
	    "        \"email_verified\": false,\n"
	    "        \"custom_password_hash\": {\n"
	    "            \"algorithm\": \"hmac\",\n"
	    "            \"hash\": {\n"
	    "                \"value\": \"uS0HTW4UNYyeNpj4q2REMw5PjxI=\",\n"
	    "                \"encoding\": \"base64\",\n"
	    "                \"digest\": \"sha1\",\n"
	    "                \"key\": {\n"
	    "                    \"value\": "
	    "\"4ad3af364f1272c1fd119267d59893b9\",\n"
	    "                    \"encoding\": \"hex\"\n"
	    "                }\n"
	    "            }\n"
	    "        }" },
};

/* TOTP secrets are unpadded Base32 (A-Z, 2-7); phones are E.164. */
static const struct tuser mfa[] = {
	{ "alice@contoso.com", ",\n"
	    "        \"mfa_factors\": [\n"
	    "            {\n"
	    "                \"totp\": {\n"
	    "                    \"secret\": \"IP5AYDJ3YCM677XX\"\n"
	    "                }\n"
	    "            },\n"
	    "            {\n"
	    "                \"phone\": {\n"
	    "                    \"value\": \"+15555550100\"\n"
	    "                }\n"
	    "            },\n"
	    "            {\n"
	    "                \"email\": {\n"
	    "                    \"value\": \"" EMAIL_AGAIN "\"\n"
	    "                }\n"
	    "            }\n"
	    "        ]" },
	{ "bob@contoso.com", ",\n"
	    "        \"mfa_factors\": [\n"
	    "            {\n"
	    "                \"totp\": {\n"
	    "                    \"secret\": \"U67C346WS5R3LC44\"\n"
	    "                }\n"
	    "            }\n"
	    "        ]" },
	{ "carol@contoso.com", ",\n"
	    "        \"mfa_factors\": [\n"
	    "            {\n"
	    "                \"phone\": {\n"
	    "                    \"value\": \"+15555550101\"\n"
	    "                }\n"
	    "            }\n"
	    "        ]" },
	{ "dave@contoso.com", ",\n"
	    "        \"mfa_factors\": [\n"
	    "            {\n"
	    "                \"email\": {\n"
	    "                    \"value\": \"" EMAIL_AGAIN "\"\n"
	    "                }\n"
	    "            }\n"
	    "        ]" },
};

static const struct template templates[] = {
	{ "empty", "Empty", NULL, 0 },
	{ "basic", "Basic Example", basic, nitems(basic) },
	{ "custom-password-hash", "Custom Password Hash Example", custom,
	    nitems(custom) },
	{ "mfa", "MFA Factors Example", mfa, nitems(mfa) },
};

static int lflag;
static long long nflag = -1;

static const struct a0_opt opts[] = {
	{ 'l', A0_ARG_NONE, "list", NULL,
	    "list the templates' names (default: print one)" },
	{ 'n', A0_ARG_REQUIRED, "count", "count",
	    "make count numbered users (default: the template's)" },
	{ 0, A0_ARG_NONE, NULL, NULL, NULL }
};

static const struct a0_tool tool = {
	"a0-template", "[-l] [-n count] [name]", opts
};

static const struct template *
find_template(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(templates); i++)
		if (strcasecmp(name, templates[i].alias) == 0 ||
		    strcasecmp(name, templates[i].name) == 0)
			return &templates[i];
	return NULL;
}

/* Write s to stdout with each EMAIL_AGAIN replaced by email. */
static void
put_user_text(const char *s, const char *email)
{
	const char *p;

	while ((p = strchr(s, EMAIL_AGAIN[0])) != NULL) {
		fwrite(s, 1, (size_t)(p - s), stdout);
		fputs(email, stdout);
		s = p + 1;
	}
	fputs(s, stdout);
}

/* The template itself, as auth0-cli prints it: 4-space indented. */
static void
print_template(const struct template *t)
{
	size_t i;

	if (t->nusers == 0) {
		/* An empty array with room to type users in. */
		fputs("[\n\n]\n", stdout);
		return;
	}
	fputs("[\n", stdout);
	for (i = 0; i < t->nusers; i++) {
		fputs("    {\n        \"email\": \"", stdout);
		fputs(t->users[i].email, stdout);
		fputs("\"", stdout);
		put_user_text(t->users[i].rest, t->users[i].email);
		fputs(i + 1 < t->nusers ? "\n    },\n" : "\n    }\n", stdout);
	}
	fputs("]\n", stdout);
}

/*
 * A synthetic user is its template user's text with the identity
 * members in front, cut where the user's number goes: seg[0], number,
 * seg[1], number, ..., seg[nseg - 1].
 */
struct shape {
	char	**seg;
	size_t	 *len;
	size_t	  nseg;
	size_t	  size;		/* bytes of text, numbers excluded */
};

#define NUMBER		"\002"
#define SYN_EMAIL	"user" NUMBER "@example.com"

static void
make_shape(const struct tuser *u, struct shape *sh)
{
	static const char head[] = "    {\n"
	    "        \"email\": \"" SYN_EMAIL "\",\n"
	    "        \"username\": \"user" NUMBER "\",\n"
	    "        \"user_id\": \"user" NUMBER "\"";
	const char *r;
	char *text, *p, *q;
	size_t n, i;

	/* Expand EMAIL_AGAIN into the synthetic email. */
	n = sizeof(head) + strlen(u->rest) * sizeof(SYN_EMAIL) +
	    sizeof("\n    }");
	text = xmalloc(n);
	p = text;
	memcpy(p, head, sizeof(head) - 1);
	p += sizeof(head) - 1;
	for (r = u->rest; *r != '\0'; r++) {
		if (*r == EMAIL_AGAIN[0]) {
			memcpy(p, SYN_EMAIL, sizeof(SYN_EMAIL) - 1);
			p += sizeof(SYN_EMAIL) - 1;
		} else
			*p++ = *r;
	}
	memcpy(p, "\n    }", sizeof("\n    }"));

	sh->nseg = 1;
	for (p = text; *p != '\0'; p++)
		if (*p == NUMBER[0])
			sh->nseg++;
	sh->seg = xcalloc(sh->nseg, sizeof(*sh->seg));
	sh->len = xcalloc(sh->nseg, sizeof(*sh->len));
	sh->size = 0;
	for (i = 0, p = text; i < sh->nseg; i++) {
		if ((q = strchr(p, NUMBER[0])) == NULL)
			q = p + strlen(p);
		sh->seg[i] = p;
		sh->len[i] = (size_t)(q - p);
		sh->size += sh->len[i];
		*q = '\0';
		p = q + 1;
	}
}

/* Write buf[0..len) to stdout; a closed pipe ends the program quietly. */
static void
flush_out(const char *buf, size_t len)
{
	if (a0_write_all(STDOUT_FILENO, buf, len) == -1) {
		if (errno == EPIPE)
			exit(A0_EXIT_IO);
		err(A0_EXIT_IO, "stdout");
	}
}

/*
 * Stream count users built from t's users in turn, numbered from 1 with
 * at least six digits: user000001@example.com, ...  Memory is one
 * output buffer, whatever count is.
 */
static void
synthesize(const struct template *t, long long count)
{
	struct shape *sh;
	char num[24], *buf;
	size_t i, j, k, numlen, pos, maxuser = 0;
	long long n;

	if (count == 0) {
		flush_out("[]\n", 3);
		return;
	}
	sh = xcalloc(t->nusers, sizeof(*sh));
	for (i = 0; i < t->nusers; i++) {
		make_shape(&t->users[i], &sh[i]);
		if (sh[i].size > maxuser)
			maxuser = sh[i].size;
	}
	/* Every number fits in sizeof(num) digits; leave room for ",\n". */
	maxuser += 16 * sizeof(num) + 2;
	buf = xmalloc(OUTBUF + maxuser);
	memcpy(num, "000000", 6);
	numlen = 6;
	memcpy(buf, "[\n", 2);
	pos = 2;
	for (n = 0, i = 0; n < count; n++) {
		/* Count up in decimal, in place. */
		for (k = numlen; k > 0 && num[k - 1] == '9'; k--)
			num[k - 1] = '0';
		if (k > 0)
			num[k - 1]++;
		else {
			memmove(num + 1, num, numlen++);
			num[0] = '1';
		}
		if (n > 0) {
			memcpy(buf + pos, ",\n", 2);
			pos += 2;
		}
		for (j = 0; j < sh[i].nseg; j++) {
			memcpy(buf + pos, sh[i].seg[j], sh[i].len[j]);
			pos += sh[i].len[j];
			if (j + 1 < sh[i].nseg) {
				memcpy(buf + pos, num, numlen);
				pos += numlen;
			}
		}
		if (++i == t->nusers)
			i = 0;
		if (pos >= OUTBUF) {
			flush_out(buf, pos);
			pos = 0;
		}
	}
	memcpy(buf + pos, "\n]\n", 3);
	flush_out(buf, pos + 3);
	free(buf);
	for (i = 0; i < t->nusers; i++) {
		free(sh[i].seg[0]);	/* the text all segments point into */
		free(sh[i].seg);
		free(sh[i].len);
	}
	free(sh);
}

int
main(int argc, char *argv[])
{
	const struct template *t;
	size_t i;
	int ch;

	a0_tool_start();
	while ((ch = a0_getopt(&tool, argc, argv)) != -1) {
		switch (ch) {
		case 'l':
			lflag = 1;
			break;
		case 'n':
			nflag = a0_optnum(&tool, ch, 0, MAX_USERS, 1);
			break;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1 || (lflag && (argc > 0 || nflag >= 0)))
		a0_usage(&tool);

	if (lflag) {
		for (i = 0; i < nitems(templates); i++)
			printf("%s\t%s\n", templates[i].alias,
			    templates[i].name);
	} else {
		if ((t = find_template(argc > 0 ? argv[0] : "basic")) ==
		    NULL) {
			warnx("%s: unknown template (a0-template -l lists "
			    "them)", argv[0]);
			return A0_EXIT_USAGE;
		}
		if (nflag > 0 && t->nusers == 0) {
			warnx("%s: -n needs a template with users", t->alias);
			return A0_EXIT_USAGE;
		}
		if (nflag >= 0)
			synthesize(t, nflag);
		else
			print_template(t);
	}
	if (a0_flush_stdout() == -1)
		err(A0_EXIT_IO, "stdout");
	return A0_EXIT_OK;
}
