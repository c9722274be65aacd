/*
 * a0.h: the code the a0 tools share, one section per file in common/.
 * Nothing here prints or exits, apart from the x* allocation wrappers:
 * functions return a status and leave the decision to the tool.
 */
#ifndef A0_H
#define A0_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define A0_VERSION	"0.1.0"

/* Exit status, the same in every tool (DESIGN section 3). */
#define A0_EXIT_OK	0	/* everything was done */
#define A0_EXIT_REJECT	1	/* some records or users were rejected */
#define A0_EXIT_USAGE	2	/* bad flag, bad value, missing credentials */
#define A0_EXIT_IO	3	/* malformed input, unreadable or unwritable */
#define A0_EXIT_API	4	/* Auth0 refused: auth, permission, 4xx */
#define A0_EXIT_TEMP	5	/* temporary failure outlasted the retries */

/*
 * Auth0 refuses an import request whose Content-Length exceeds
 * A0_MAX_REQUEST.  a0-submit's multipart envelope (boundaries, part
 * headers, connection_id, upsert, send_completion_email and an external_id
 * of at most A0_MAX_EXTERNAL_ID bytes) always fits in A0_ENVELOPE_RESERVE,
 * so a users file of at most A0_CHUNK_MAX bytes always fits one request.
 */
#define A0_MAX_REQUEST		512000
#define A0_ENVELOPE_RESERVE	2048
#define A0_MAX_EXTERNAL_ID	1024
#define A0_CHUNK_MAX		(A0_MAX_REQUEST - A0_ENVELOPE_RESERVE)

/* Deepest nesting of arrays and objects a record may have. */
#define A0_MAX_DEPTH		512

/* ---- util.c: allocation, number parsing, files ---- */

void	*xmalloc(size_t);		/* malloc or exit 3 with a message */
void	*xcalloc(size_t, size_t);	/* calloc or exit 3 */
void	*xrealloc(void *, size_t);	/* realloc or exit 3 */
char	*xstrdup(const char *);		/* strdup or exit 3 */

/*
 * Parse all of s as a whole number in [min, max], with an optional
 * suffix K (1024) or M (1048576) when suffixes is non-zero.  Returns 0
 * and sets *out, or -1 with *errstr set to "invalid", "too small" or
 * "too large".
 */
int	 a0_parse_num(const char *s, long long min, long long max,
	    int suffixes, long long *out, const char **errstr);

/* Parse "true"/"false"/"1"/"0"/"yes"/"no"; 0 on success, -1 otherwise. */
int	 a0_parse_bool(const char *s, int *out);

/* write(2) all of buf, retrying on EINTR; 0, or -1 with errno. */
int	 a0_write_all(int fd, const void *buf, size_t len);

/*
 * Create a new file next to path, mode 0600 (umask permitting less),
 * for writing under a temporary name.  Returns the descriptor and sets
 * *tmp to a malloc'd name, or -1 with errno.
 */
int	 a0_tmpfile(const char *path, char **tmp);

/*
 * Flush fd to disk and rename tmp to path (then fsync the directory).
 * Returns 0, or -1 with errno; tmp is left in place on failure so the
 * caller can unlink it.
 */
int	 a0_commit(int fd, const char *tmp, const char *path);

/* Read all of a file into memory (at most max bytes); 0, or -1 with errno
 * (EFBIG when the file is larger than max). */
int	 a0_read_file(const char *path, size_t max, char **buf, size_t *len);

/* Flush and check stdout; 0, or -1 with errno. */
int	 a0_flush_stdout(void);

/* ---- jstream.c: the streaming record reader ---- */

/*
 * Reads a JSON array of objects, or a sequence of objects (NDJSON), from
 * a file descriptor and hands out one record at a time.  The whole input
 * is checked against RFC 8259 (syntax, numbers, escapes, UTF-8, control
 * characters, nesting depth A0_MAX_DEPTH); memory is bounded by the
 * largest record the caller allows.
 */
struct jstream;

struct jrecord {
	const char	*buf;	/* the record's bytes, valid until next call */
	size_t		 len;
	uint64_t	 num;	/* 1-based record number */
	uint64_t	 line;	/* 1-based line of the record's first byte */
	uint64_t	 col;	/* 1-based column (in bytes) of that byte */
	uint64_t	 offset;/* byte offset of that byte in the input */
};

/* Where and why the reader stopped. */
struct jerror {
	uint64_t	 line, col;	/* position of the offending byte */
	uint64_t	 num;		/* record being read, 0 if none */
	int		 sys;		/* errno for a read error, else 0 */
	char		 msg[160];	/* what is wrong, no position */
};

/* A new reader on fd; maxrec caps one record's length in bytes. */
struct jstream	*jstream_open(int fd, size_t maxrec);

/*
 * The next record: 1 with *rec filled in, 0 at the end of a valid input,
 * -1 on a syntax, size or read error (see jstream_error).
 */
int		 jstream_next(struct jstream *, struct jrecord *rec);

/* The error that made jstream_next return -1. */
const struct jerror *jstream_error(const struct jstream *);

void		 jstream_close(struct jstream *);

/*
 * Copy a valid JSON text to out without the whitespace between tokens
 * (strings untouched).  out must hold len bytes; returns the new length.
 */
size_t		 json_compact(const char *in, size_t len, char *out);

/* ---- json.c: jsmn, for reading one record or one API answer ---- */

/* One token; mirrors jsmntok_t so that only json.c includes <jsmn.h>. */
enum jtype { JT_UNDEF, JT_OBJECT, JT_ARRAY, JT_STRING, JT_PRIMITIVE };

struct jtok {
	enum jtype	 type;
	int		 start, end;	/* byte range in the text */
	int		 size;		/* members, items, or 1 for a key */
	int		 parent;	/* index of the parent token, -1 at root */
};

struct jdoc {
	const char	*text;
	size_t		 len;
	struct jtok	*tok;
	int		 ntok, cap;
};

/*
 * Tokenize text (one JSON value, already known to be valid, or an API
 * answer); the token array grows as needed and is kept between calls.
 * Returns the number of tokens, or -1 if the text is not JSON.
 */
int	 json_parse(struct jdoc *, const char *text, size_t len);
void	 json_free(struct jdoc *);

/* Index of the token after token i and everything inside it. */
int	 json_skip(const struct jdoc *, int i);

/* Value token of key in object token obj (keys compared after
 * unescaping), or -1 when absent. */
int	 json_get(const struct jdoc *, int obj, const char *key);

/* Does string token i, unescaped, equal s? */
int	 json_streq(const struct jdoc *, int i, const char *s);

/*
 * Unescape string token i into out (a buffer of outsz bytes, at least the
 * token's length + 1 always suffices).  Returns the unescaped length, or
 * -1 if it does not fit.  Embedded NULs are kept, the result is
 * NUL-terminated.
 */
int	 json_unescape(const struct jdoc *, int i, char *out, size_t outsz);

/* Unescaped copy of string token i (malloc'd), or NULL if not a string. */
char	*json_strdup(const struct jdoc *, int i);

/* Integer value of primitive token i; 0, or -1 if not an integer. */
int	 json_int(const struct jdoc *, int i, long long *out);

/* Is primitive token i true, false, null? */
int	 json_is(const struct jdoc *, int i, const char *lit);

/* ---- schema.c: Auth0's user import schema and its prose rules ---- */

/* ---- dupset.c: duplicate users across an input ---- */

/* ---- sha256.c: SHA-256 of a chunk ---- */

/* ---- retry.c: which HTTP outcomes are retried, and after how long ---- */

/* ---- http.c: libcurl, one reused handle per worker ---- */

/* ---- auth0.c: the Management API calls a0-submit makes ---- */

/* ---- journal.c: a0-submit's append-only state file ---- */

#endif /* A0_H */
