/*
 * export-hashes.c: the password-hash file Auth0 support provides, joined
 * to the export by user id.  The file can be as large as the tenant, so
 * it is not held in memory: an open-addressing table keeps, per line, a
 * 64-bit hash of the user's id and the line's place in the file (16
 * bytes a slot, the table between 35% and 70% full: 23 to 46 bytes a
 * user, half as much again for a moment while it doubles), and a line is
 * read again with pread(2) when its user comes.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"

#define LINE_MAX_LEN	((1 << 23) - 1)	/* fits the slot's 23 bits */
#define OFF_MAX		((uint64_t)1 << 40)
#define SHOW_UNUSED	10		/* unused lines named one by one */

/* val: offset << 24 | length << 1 | used. */
struct hslot {
	uint64_t	 key;		/* 0: empty */
	uint64_t	 val;
};

struct hashes {
	const char	*path;
	int		 fd;
	struct hslot	*t;
	size_t		 cap, n;	/* slots (a power of 2), used */
	uint64_t	 lines, bad;
	struct jdoc	 doc;
	char		*line;		/* a line read back */
	size_t		 linecap;
	char		*id, *hash;	/* unescaped, in line-sized buffers */
	size_t		 strcap;
	int		 conn;		/* the line's "connection", or -1 */
	const char	*want;		/* the connection exported, or NULL */
};

static uint64_t
keyof(const char *id, size_t len)
{
	uint64_t k = dupset_hash(DUP_USER_ID, id, len);

	return k != 0 ? k : 1;
}

static void
grow(struct hashes *hs)
{
	struct hslot *old = hs->t;
	size_t oc = hs->cap, i, j;

	hs->cap = oc ? oc * 2 : 1024;
	hs->t = xcalloc(hs->cap, sizeof(*hs->t));
	for (i = 0; i < oc; i++) {
		if (old[i].key == 0)
			continue;
		for (j = old[i].key & (hs->cap - 1); hs->t[j].key != 0;
		    j = (j + 1) & (hs->cap - 1))
			;
		hs->t[j] = old[i];
	}
	free(old);
}

/* Room for unescaped strings of a line of len bytes. */
static void
strroom(struct hashes *hs, size_t len)
{
	if (len + 1 <= hs->strcap)
		return;
	hs->strcap = len + 1;
	hs->id = xrealloc(hs->id, hs->strcap);
	hs->hash = xrealloc(hs->hash, hs->strcap);
}

/*
 * The user id and hash of one line (parsed in hs->doc): the id is
 * alt_id when present, else _id (or _ID), a string or {"$oid": ...}.
 * 0, or -1 with *why set.
 */
static int
fields(struct hashes *hs, size_t *idlen, size_t *hlen, const char **why)
{
	const struct jdoc *d = &hs->doc;
	int i, o;

	if (d->tok[0].type != JT_OBJECT) {
		*why = "not an object";
		return -1;
	}
	if ((i = json_get(d, 0, "alt_id")) == -1 &&
	    (i = json_get(d, 0, "_id")) == -1 &&
	    (i = json_get(d, 0, "_ID")) == -1) {
		*why = "no _id";
		return -1;
	}
	if (d->tok[i].type == JT_OBJECT &&
	    (o = json_get(d, i, "$oid")) != -1)
		i = o;
	if (d->tok[i].type != JT_STRING ||
	    (o = json_unescape(d, i, hs->id, hs->strcap)) <= 0) {
		*why = "the user id (alt_id, _id or _id.$oid) is not a "
		    "non-empty string";
		return -1;
	}
	*idlen = (size_t)o;
	if ((i = json_get(d, 0, "passwordHash")) == -1) {
		*why = "no passwordHash";
		return -1;
	}
	if (d->tok[i].type != JT_STRING ||
	    (o = json_unescape(d, i, hs->hash, hs->strcap)) <= 0) {
		*why = "passwordHash is not a non-empty string";
		return -1;
	}
	*hlen = (size_t)o;
	hs->conn = json_get(d, 0, "connection");
	if (hs->conn != -1 && d->tok[hs->conn].type != JT_STRING)
		hs->conn = -1;
	return 0;
}

/* Is the line just read for another connection than the one exported? */
static int
elsewhere(const struct hashes *hs)
{
	return hs->want != NULL && hs->conn != -1 &&
	    !json_streq(&hs->doc, hs->conn, hs->want);
}

void
hashes_connection(struct hashes *hs, const char *name)
{
	hs->want = name;
}

/* Read back the line of slot s and parse it; 0, or -1. */
static int
readback(struct hashes *hs, const struct hslot *s, size_t *idlen,
    size_t *hlen)
{
	uint64_t off = s->val >> 24;
	size_t len = (size_t)(s->val >> 1) & LINE_MAX_LEN;
	const char *why;
	ssize_t r;

	if (len + 1 > hs->linecap) {
		hs->linecap = len + 1;
		hs->line = xrealloc(hs->line, hs->linecap);
	}
	if ((r = pread(hs->fd, hs->line, len, (off_t)off)) != (ssize_t)len) {
		if (r >= 0)
			errno = EIO;
		err(A0_EXIT_IO, "%s", hs->path);
	}
	strroom(hs, len);
	if (json_parse(&hs->doc, hs->line, len) <= 0 ||
	    fields(hs, idlen, hlen, &why) == -1)
		errx(A0_EXIT_IO, "%s: changed while it was read", hs->path);
	return 0;
}

/*
 * Add one line (parsed in hs->doc); 0, or -1 when it is a second line
 * for a user: the same id in the same connection.
 */
static int
add(struct hashes *hs, const struct jrecord *rec, const char *id,
    size_t idlen)
{
	uint64_t key = keyof(id, idlen);
	struct hslot *s;
	size_t j, il, hl;
	char *keep, *conn, *other;
	int same;

	if ((hs->n + 1) * 10 > hs->cap * 7)
		grow(hs);
	for (j = key & (hs->cap - 1); hs->t[j].key != 0;
	    j = (j + 1) & (hs->cap - 1)) {
		if (hs->t[j].key != key)
			continue;
		/* The same 64-bit hash: compare the ids themselves, and the
		 * connections (a line without one is for any). */
		keep = xmalloc(idlen);
		memcpy(keep, id, idlen);
		conn = hs->conn != -1 ? json_strdup(&hs->doc, hs->conn) : NULL;
		readback(hs, &hs->t[j], &il, &hl);
		other = hs->conn != -1 ? json_strdup(&hs->doc, hs->conn) : NULL;
		same = il == idlen && memcmp(keep, hs->id, il) == 0 &&
		    (conn == NULL || other == NULL || strcmp(conn, other) == 0);
		free(keep);
		free(conn);
		free(other);
		if (same)
			return -1;
	}
	s = &hs->t[j];
	s->key = key;
	s->val = rec->offset << 24 | (uint64_t)rec->len << 1;
	hs->n++;
	return 0;
}

struct hashes *
hashes_load(const char *path)
{
	struct hashes *hs = xcalloc(1, sizeof(*hs));
	struct jstream *js;
	struct jrecord rec;
	struct stat st;
	const char *why;
	size_t idlen, hlen;
	int r;

	hs->path = path;
	if ((hs->fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		err(A0_EXIT_IO, "%s", path);
	if (fstat(hs->fd, &st) == -1)
		err(A0_EXIT_IO, "%s", path);
	if (!S_ISREG(st.st_mode))
		errx(A0_EXIT_IO, "%s: not a regular file (its lines are "
		    "read again as users come: decrypt it to a file)", path);
	if ((uint64_t)st.st_size >= OFF_MAX)
		errx(A0_EXIT_IO, "%s: larger than 1 TiB", path);
	grow(hs);
	js = jstream_open(hs->fd, LINE_MAX_LEN);
	while ((r = jstream_next(js, &rec)) == 1) {
		hs->lines++;
		strroom(hs, rec.len);
		if (json_parse_valid(&hs->doc, rec.buf, rec.len) <= 0)
			why = "cannot tokenize";
		else if (fields(hs, &idlen, &hlen, &why) == 0) {
			if (!hashes_bcrypt(hs->hash, hlen))
				why = "passwordHash is not a bcrypt hash "
				    "($2a$, $2b$ or $2y$, 60 characters)";
			else if (add(hs, &rec, hs->id, idlen) == 0)
				continue;
			else
				why = "a second line for this user; the first "
				    "is used";
		}
		warnx("%s:%" PRIu64 ": %s", path, rec.line, why);
		hs->bad++;
	}
	if (r < 0)
		a0_input_error(js, path);
	jstream_close(js);
	return hs;
}

const char *
hashes_find(struct hashes *hs, const char *id, size_t len)
{
	uint64_t key = keyof(id, len);
	size_t j, il, hl;

	for (j = key & (hs->cap - 1); hs->t[j].key != 0;
	    j = (j + 1) & (hs->cap - 1)) {
		if (hs->t[j].key != key)
			continue;
		readback(hs, &hs->t[j], &il, &hl);
		if (il == len && memcmp(id, hs->id, len) == 0 &&
		    !elsewhere(hs)) {
			hs->t[j].val |= 1;
			return hs->hash;
		}
	}
	return NULL;
}

int
hashes_bcrypt(const char *h, size_t len)
{
	size_t i;

	if (len != 60 || h[0] != '$' || h[1] != '2' ||
	    (h[2] != 'a' && h[2] != 'b' && h[2] != 'y') || h[3] != '$' ||
	    h[4] < '0' || h[4] > '3' || h[5] < '0' || h[5] > '9' ||
	    h[6] != '$' || (h[4] - '0') * 10 + (h[5] - '0') < 4 ||
	    (h[4] - '0') * 10 + (h[5] - '0') > 31)
		return 0;
	for (i = 7; i < 60; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') ||
		    (h[i] >= 'A' && h[i] <= 'Z') ||
		    (h[i] >= '0' && h[i] <= '9') || h[i] == '.' || h[i] == '/'))
			return 0;
	return 1;
}

const char *
hashes_path(const struct hashes *hs)
{
	return hs->path;
}

void
hashes_summary(struct hashes *hs, uint64_t *lines, uint64_t *unused,
    uint64_t *other, uint64_t *bad)
{
	size_t i, il, hl;
	uint64_t shown = 0;

	*lines = hs->lines;
	*bad = hs->bad;
	*unused = *other = 0;
	for (i = 0; i < hs->cap; i++) {
		if (hs->t[i].key == 0 || (hs->t[i].val & 1))
			continue;
		readback(hs, &hs->t[i], &il, &hl);
		if (elsewhere(hs)) {
			(*other)++;
			continue;
		}
		if (++*unused > SHOW_UNUSED)
			continue;
		warnx("%s: the hash of user %.*s matched no exported user",
		    hs->path, (int)il, hs->id);
		shown++;
	}
	if (*unused > shown)
		warnx("%s: and %" PRIu64 " more hashes that matched no "
		    "exported user", hs->path, *unused - shown);
}

void
hashes_free(struct hashes *hs)
{
	if (hs == NULL)
		return;
	close(hs->fd);
	free(hs->t);
	json_free(&hs->doc);
	free(hs->line);
	free(hs->id);
	free(hs->hash);
	free(hs);
}
