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

/* The number of elements of array a. */
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

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

/*
 * Open (creating if need be) a file that holds personal data: created
 * 0600, and an existing file readable by others is narrowed to 0600.
 * Returns the descriptor, or -1 with errno.
 */
int	 a0_open_private(const char *path, int flags);

/* Milliseconds on the monotonic clock, for timing within a run. */
double	 a0_now_ms(void);

/* Flush and check stdout; 0, or -1 with errno. */
int	 a0_flush_stdout(void);

/*
 * A tool run as a stage of a front (a0-import) speaks in the front's
 * name, which A0_PROGNAME gives: a0_progname() makes err(3) and warn(3)
 * use it (where the C library allows), a0_prog() returns it, or dflt.
 */
void	 a0_progname(void);
const char	*a0_prog(const char *dflt);

/*
 * Cut a torn last line (bytes after the last newline, left by a stop in
 * mid-write) off the regular file open at fd, so that what is appended
 * starts a line of its own; *cut is the number of bytes dropped (0 when
 * there were none, or fd is not a regular file, or is open for writing
 * only where /dev/fd cannot open it for reading).  0, or -1 with errno.
 */
int	 a0_cut_torn(int fd, long long *cut);

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
	size_t		 blank;	/* offset in buf of the first whitespace
				   between tokens; len when there is none
				   (the record is already compact) */
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
 * A new reader whose bytes come from rd instead of read(2): rd fills up
 * to n bytes of buf and returns how many, 0 at the end of the input, or
 * -1 with errno set (then jstream_next fails as on a read error).
 */
struct jstream	*jstream_open_fn(ssize_t (*rd)(void *, void *, size_t),
		    void *arg, size_t maxrec);

/*
 * The next record: 1 with *rec filled in, 0 at the end of a valid input,
 * -1 on a syntax, size or read error (see jstream_error).
 */
int		 jstream_next(struct jstream *, struct jrecord *rec);

/*
 * As jstream_next, and the record is also copied to dst, without the
 * whitespace between its tokens when squeeze is set; rec->buf is then
 * dst and rec->len the bytes copied.  dst must have room for the record
 * as read (at most maxrec) plus JSTREAM_COPY_SLACK bytes, which it may
 * overwrite.
 */
#define JSTREAM_COPY_SLACK	16
int		 jstream_copy(struct jstream *, struct jrecord *rec,
		    char *dst, int squeeze);

/* The error that made jstream_next return -1. */
const struct jerror *jstream_error(const struct jstream *);

/*
 * That error as every tool words it, in buf (sz bytes): "FILE:LINE:COL:
 * record N: what", without "record N: " outside a record, or "FILE: " and
 * the system's message for a read error; without "FILE:" (or "FILE: ")
 * when fname is NULL.  Returns buf.
 */
char		*jstream_strerror(const struct jstream *, const char *fname,
		    char *buf, size_t sz);

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
	unsigned char	*esc;	/* json_parse_valid: per token, 1 for a
				   string holding a backslash */
	int		 escn;	/* esc is known below this token */
	size_t		 compact;	/* json_parse_valid: the length
					   without blanks; else 0 */
};

/*
 * Tokenize text (one JSON value, already known to be valid, or an API
 * answer); the token array grows as needed and is kept between calls.
 * Returns the number of tokens, or -1 if jsmn cannot tokenize it as one
 * value.  jsmn does not validate: some text that is not JSON still
 * tokenizes, so an API answer's values are checked where they are read.
 */
int	 json_parse(struct jdoc *, const char *text, size_t len);
void	 json_free(struct jdoc *);

/*
 * The same tokens as json_parse, faster, for text already checked to be
 * one valid JSON value (a record from jstream_next); on other text the
 * tokens are unspecified, but it stays within text.  Returns the number
 * of tokens, or -1.
 */
int	 json_parse_valid(struct jdoc *, const char *text, size_t len);

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

/*
 * Length of string token i, unescaped, in UTF-16 code units (as
 * JavaScript counts), found without unescaping; -1 if it does not
 * unescape (a lone surrogate escape).
 */
long	 json_u16len(const struct jdoc *, int i);

/* Unescaped copy of string token i (malloc'd), or NULL if not a string. */
char	*json_strdup(const struct jdoc *, int i);

/* Integer value of primitive token i; 0, or -1 if not an integer. */
int	 json_int(const struct jdoc *, int i, long long *out);

/* ---- jsonw.c: the one JSON writer ---- */

/*
 * A growing buffer that JSON is written into; { NULL, 0, 0, 0 } is an
 * empty one.  Members and items are separated by commas on their own:
 * jb_begin/jb_end open and close an object or array, jb_key and the
 * jb_k* calls add a member, jb_item starts an array item.  None fails
 * (allocation failure exits 3, as xmalloc).  Strings are written with
 * '"', '\\' and control characters (and DEL) escaped; other bytes,
 * UTF-8 included, as they are.
 */
struct jbuf {
	char	*p;		/* NUL-terminated text */
	size_t	 len, cap;
	int	 comma;		/* the next member or item needs a comma */
};

void	 jb_add(struct jbuf *, const void *, size_t);	/* raw bytes */
void	 jb_puts(struct jbuf *, const char *);		/* raw text */
void	 jb_printf(struct jbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));	/* raw, formatted */
void	 jb_esc(struct jbuf *, const char *, size_t);	/* escaped, no quotes */
/* As jb_esc, for UTF-8 text: 0, or -1 (nothing added) when it is not
 * UTF-8 (an overlong, a surrogate, past U+10FFFF, cut short). */
int	 jb_esc_utf8(struct jbuf *, const char *, size_t);
void	 jb_reserve(struct jbuf *, size_t);	/* room for n more bytes */
/* 1 when s is UTF-8 that jb_esc would leave as it is, else 0. */
int	 jb_plain(const char *, size_t);
void	 jb_str(struct jbuf *, const char *, size_t);	/* a JSON string */
void	 jb_cstr(struct jbuf *, const char *);	/* a string, or null */
void	 jb_begin(struct jbuf *, char);		/* '{' or '[' */
void	 jb_end(struct jbuf *, char);		/* '}' or ']' */
void	 jb_item(struct jbuf *);		/* a comma if one is due */
void	 jb_key(struct jbuf *, const char *);	/* "key": */
void	 jb_kstr(struct jbuf *, const char *, const char *);
void	 jb_kint(struct jbuf *, const char *, long long);
void	 jb_kbool(struct jbuf *, const char *, int);
void	 jb_kraw(struct jbuf *, const char *, const char *, size_t);
/* Write the text to f and empty the buffer; 0, or -1 with errno. */
int	 jb_write(struct jbuf *, FILE *);
void	 jb_reset(struct jbuf *);	/* empty, keeping the memory */
void	 jb_free(struct jbuf *);

/* ---- schema.c: Auth0's user import schema and its prose rules ---- */

/* One problem found in a record, handed to the caller's report(). */
struct schema_diag {
	const char	*ptr;	/* JSON Pointer, unescaped bytes ("" = root) */
	size_t		 ptrlen;
	const char	*code;	/* "INVALID_TYPE", "DUPLICATE_KEY", ... */
	const char	*msg;	/* what is wrong, one line */
	int		 warning;	/* 1: reported only, not a rejection */
};

/* Token indices of the values the duplicate check reads, -1 if absent
 * or not a string. */
struct schema_ids {
	int	 email, username, user_id;
};

/* A record is "too big" for Auth0's profile above this many bytes,
 * measured without whitespace between tokens. */
#define A0_PROFILE_MAX	10240

struct schema;

/* Scratch space for checking records, reused from one to the next. */
struct schema	*schema_new(void);
void		 schema_free(struct schema *);

/*
 * Check the record in d (an object, tokenized by json_parse) against
 * Auth0's import schema and the rules its documentation states in prose;
 * report() is called once per problem, in document order of the checks.
 * Fills *ids when not NULL.  Returns the number of errors (warnings not
 * counted).
 */
int		 schema_check(struct schema *, const struct jdoc *d,
		    struct schema_ids *ids,
		    void (*report)(void *, const struct schema_diag *),
		    void *arg);

/*
 * schema_check in two halves, the same reports in the same order: the
 * first finds the record's members (and fills *ids), so the caller can
 * start on the duplicate check (a hash table lookup, slow when not
 * cached) while the second checks their values.  schema_begin returns
 * the errors so far; schema_finish all the record's errors.
 */
int		 schema_begin(struct schema *, const struct jdoc *d,
		    struct schema_ids *ids,
		    void (*report)(void *, const struct schema_diag *),
		    void *arg);
int		 schema_finish(struct schema *);

/*
 * The unescaped bytes of string token i of the record last checked, in
 * scratch space valid until the next call; sets *len.
 */
const char	*schema_str(struct schema *, const struct jdoc *d, int i,
		    size_t *len);

/*
 * Single values by the rules schema_check applies to them, for code that
 * builds records itself (a0-convert); the bytes are unescaped.  Each
 * returns NULL or what is wrong
 * (schema_check's words, its diagnostics are the ones to print).
 */
const char	*schema_email_bad(const char *p, size_t n);
const char	*schema_bcrypt_bad(const char *p, size_t n);
int		 schema_e164(const char *p, size_t n);	/* 1: +digits */
size_t		 schema_u16len(const char *p, size_t n); /* UTF-16 units */

/* ---- dupset.c: duplicate users across an input ---- */

/* What a key is; email and username are compared case-insensitively. */
#define DUP_EMAIL	0
#define DUP_USERNAME	1
#define DUP_USER_ID	2

struct dupset;

struct dupset	*dupset_new(void);
void		 dupset_free(struct dupset *);

/* 64-bit hash of a key of the given kind (ASCII case folded for email
 * and username). */
uint64_t	 dupset_hash(int kind, const char *key, size_t len);

/* Start loading the slot of h, so that several lookups overlap. */
void		 dupset_prefetch(const struct dupset *, uint64_t h);

/* Record number stored for hash h, or 0 if none. */
uint32_t	 dupset_find(const struct dupset *, uint64_t h);

/* Remember h for record rec (non-zero); an earlier entry is kept. */
void		 dupset_add(struct dupset *, uint64_t h, uint32_t rec);

/* ---- tool.c: what every tool's main() does the same way ---- */

/*
 * Unlike the rest of common/, these print and exit as a tool would.  A
 * tool describes its flags in a table, in the order of its man page's
 * SYNOPSIS; -h/--help and -V/--version are added to every tool's.
 */
enum a0_arg { A0_ARG_NONE, A0_ARG_REQUIRED, A0_ARG_OPTIONAL };

struct a0_opt {
	int		 ch;		/* the letter, or A0_LONGONLY(n) */
	enum a0_arg	 arg;
	const char	*name;		/* the long name */
	const char	*argname;	/* what --help calls the argument */
	const char	*help;		/* one line, with the default */
};
#define A0_LONGONLY(n)	(256 + (n))	/* a flag with a long name only */

struct a0_tool {
	const char		*name;		/* "a0-chunk" */
	const char		*synopsis;	/* the man page's SYNOPSIS after
						   the name, word for word */
	const struct a0_opt	*opts;		/* ended by a NULL name */
};

/* Restore SIGPIPE's default action, which a shell may have ignored;
 * speak in A0_PROGNAME's name (a0_progname). */
void	 a0_tool_start(void);

/*
 * getopt_long over the tool's flags: the next flag's ch (optarg set), or
 * -1 after the last.  -h prints the usage and a line a flag to stdout and
 * -V the version, then exit 0; an unknown flag or a missing argument
 * exits through a0_usage.
 */
int	 a0_getopt(const struct a0_tool *, int argc, char *argv[]);

/* Print "usage: NAME SYNOPSIS" to stderr and exit 2. */
void	 a0_usage(const struct a0_tool *) __attribute__((noreturn));

/* The number optarg gives flag -ch, as a0_parse_num reads it; a bad one
 * is named ("-ch ARG: too large") before a0_usage. */
long long a0_optnum(const struct a0_tool *, int ch, long long min,
	    long long max, int suffixes);

/* The number in environment variable name, dflt when unset or empty; a
 * bad one is named ("NAME: VALUE: too large") and exits 2. */
long long a0_envnum(const char *name, long long min, long long max,
	    long long dflt);

/* Open input name for reading ("-" is stdin): the descriptor, or -1 with
 * errno (EISDIR for a directory). */
int	 a0_open_input(const char *name);

/* Print the reader's error (jstream_strerror) and exit 3. */
void	 a0_input_error(const struct jstream *, const char *fname)
	    __attribute__((noreturn));

/* ---- sha256.c: SHA-256 of a chunk ---- */

struct a0_sha256 {
	uint32_t	 h[8];
	uint64_t	 len;		/* bytes hashed so far */
	unsigned char	 buf[64];	/* the current partial block */
};

void	 a0_sha256_init(struct a0_sha256 *);
void	 a0_sha256_update(struct a0_sha256 *, const void *, size_t);
/* Finish: the digest as 64 lower-case hex digits and a NUL. */
void	 a0_sha256_hex(struct a0_sha256 *, char out[65]);
/* The hex digest of one buffer. */
void	 a0_sha256(const void *, size_t, char out[65]);

/* ---- retry.c: which HTTP outcomes are retried, and after how long ---- */

/* What became of one request, as http.c saw it. */
enum a0_net {
	A0_NET_OK,		/* an HTTP answer arrived */
	A0_NET_CONNECT,		/* no connection was made: nothing was sent */
	A0_NET_TIMEOUT,		/* no answer in time */
	A0_NET_DROPPED,		/* the connection was lost before the answer */
	A0_NET_FATAL,		/* TLS verification, bad URL: never retried */
	A0_NET_ABORTED		/* stopped by the caller (a signal) */
};

/* Everything the retry decision depends on. */
struct a0_retry {
	int		 net;		/* enum a0_net */
	long		 status;	/* HTTP status when net is A0_NET_OK */
	long		 retry_after;	/* Retry-After in seconds, -1 if none */
	long long	 reset;		/* x-ratelimit-reset (epoch s), -1 */
	long long	 now;		/* the current time, epoch seconds */
	int		 busy;		/* a 429 saying the tenant's import
					   jobs are all active */
	int		 ours;		/* jobs of this run are running */
	int		 renewed;	/* the token was renewed for this one */
	int		 attempt;	/* failed tries so far, this one too */
	long		 elapsed_ms;	/* since the first try */
	int		 max_attempts;	/* bound on tries (busy 429s aside) */
	long		 max_ms;	/* bound on time spent retrying */
	long		 max_connect_ms;	/* the bound when the host
					   cannot be reached (A0_NET_CONNECT:
					   a name that does not resolve, a
					   refused connection); 0: max_ms */
	unsigned long	 rnd;		/* random bits for the jitter */
};

enum a0_retry_action {
	A0_RETRY_NO,		/* a final answer: success or refusal */
	A0_RETRY_AFTER,		/* try again after *delay_ms */
	A0_RETRY_RENEW,		/* renew the token, then try again */
	A0_RETRY_WAITJOB,	/* wait for one of our jobs to end, then try */
	A0_RETRY_GIVEUP		/* worth retrying, but the bounds are spent */
};

#define A0_RETRY_ATTEMPTS	8	/* default max_attempts */
#define A0_RETRY_MS		600000L	/* default max_ms: 10 minutes */
#define A0_RETRY_CONNECT_MS	15000L	/* default max_connect_ms */

/* Decide what to do after one try; sets *delay_ms for A0_RETRY_AFTER. */
enum a0_retry_action a0_retry_decide(const struct a0_retry *, long *delay_ms);

/*
 * The words every tool uses, into out: a retry about to happen,
 * "retrying in 4 s (3/8): why" (the try to come, of max), and the end
 * of the retries, "why (gave up after 8 tries in 15 s)".
 */
void	 a0_retry_note(char *out, size_t outsz, long delay_ms, int next,
	    int max, const char *why);
void	 a0_retry_gaveup(char *out, size_t outsz, int tries, long elapsed_ms,
	    const char *why);

/* ---- poll.c: when to look at a running import job again ---- */

/*
 * When a run's jobs have ended, in ms after their post was answered:
 * each ended after the last look that found it running (lo) and by the
 * look that found it done (hi).  The jobs of a run are alike, so the
 * next one is looked at near that end.  { 0, 0, 0 } knows nothing yet.
 */
struct a0_ends {
	int		 have;
	double		 lo, hi;
};

/* Everything the next look at a running job depends on. */
struct a0_poll {
	double		 el;		/* ms since its post was answered */
	long long	 percent;	/* percentage_done now, -1 if absent */
	long long	 prev;		/* the one seen before it, -1 if none */
	double		 since_prev;	/* ms since prev was first seen */
	long long	 time_left;	/* time_left_seconds, -1 if absent */
	int		 resumed;	/* posted by an earlier run */
	struct a0_ends	 ends;		/* this run's earlier jobs */
	long		 remaining;	/* x-ratelimit-remaining, -1 */
	long		 limit;		/* x-ratelimit-limit, -1 */
	long long	 reset;		/* x-ratelimit-reset (epoch s), -1 */
	long long	 now;		/* the current time, epoch seconds */
	int		 running;	/* jobs of this run now running */
};

/* The delay in ms before the next look at a running job (200 to 30000,
 * or up to the rate limit's reset when past half its budget). */
double	 a0_poll_delay(const struct a0_poll *);
/* The delay in ms from a post's answer to the first look at its job. */
double	 a0_poll_first(const struct a0_ends *);
/* Narrow *e with a job seen running at lo and done at hi ms. */
void	 a0_poll_learn(struct a0_ends *, double lo, double hi);

/* ---- http.c: libcurl, one reused handle per worker ---- */

/* One answer, or what went wrong on the way. */
struct a0_resp {
	int		 net;		/* enum a0_net */
	long		 status;	/* HTTP status, 0 without an answer */
	char		*body;		/* NUL-terminated, maybe empty */
	size_t		 len;
	long		 retry_after;	/* Retry-After in seconds, -1 */
	long long	 reset;		/* x-ratelimit-reset (epoch s), -1 */
	long		 remaining;	/* x-ratelimit-remaining, -1 */
	long		 limit;		/* x-ratelimit-limit, -1 */
	int		 sent;		/* the whole request went out */
	int		 resent;	/* libcurl sent it more than once, on
					   a fresh connection */
	char		 err[256];	/* libcurl's words when net != OK */
};

struct pollfd;
struct a0_hpool;	/* handles sharing one connection cache and one poll */
struct a0_http;		/* one libcurl easy handle, reused request after
			   request so that its connection stays open */

/* Initialise libcurl once per process; 0, or -1. */
int	 a0_http_global(void);

/* A pool, or NULL when libcurl cannot make one. */
struct a0_hpool	*a0_hpool_new(void);
/* Free a pool whose handles are all freed. */
void	 a0_hpool_free(struct a0_hpool *);

#define A0_HTTP_STALL	60	/* default stall: seconds without a byte */

/*
 * A handle in pool p, or NULL.  A request on it that sends and receives
 * nothing for stall seconds (1 or more) is abandoned as A0_NET_TIMEOUT,
 * as is one still running after five times that or five minutes,
 * whichever is longer.  When trace is not NULL it is called with each
 * line of a request/response trace, Authorization, client_secret and
 * tokens already redacted.
 */
struct a0_http	*a0_http_new(struct a0_hpool *p, long stall,
		    void (*trace)(void *, const char *), void *arg);
void	 a0_http_free(struct a0_http *);

/*
 * Start a request (method GET or POST; token NULL for none, ctype NULL
 * without a body).  body must stay valid until the request is done;
 * tracebody says whether a trace may show it (redacted).  0, or -1 with
 * the reason in the response's err.
 */
int	 a0_http_start(struct a0_http *, const char *method, const char *url,
	    const char *token, const char *ctype, const char *body,
	    size_t len, int tracebody);

/*
 * Move every started request forward: wait up to timeout_ms for network
 * activity or for one of fds (POLLIN) to become readable, then do the
 * work.  Finished requests are marked done.  0, or -1 on a libcurl error.
 */
int	 a0_hpool_run(struct a0_hpool *, long timeout_ms, struct pollfd *fds,
	    int nfds);

int	 a0_http_busy(const struct a0_http *);	/* started, not yet done */
int	 a0_http_done(const struct a0_http *);	/* done, answer unread */
/* The answer of the request just done; marks it read. */
const struct a0_resp *a0_http_take(struct a0_http *);
/* Stop a started request (for a signal); its answer is A0_NET_ABORTED. */
void	 a0_http_abort(struct a0_http *);

/*
 * Send the body of the next requests on h to fn instead of keeping it,
 * when their status is 2xx (an error body is still kept for the
 * message); fn returns 0, or -1 to abandon the transfer.  A transfer
 * with a sink has no bound on its whole time, only on stalls.  fn NULL
 * goes back to keeping bodies.
 */
void	 a0_http_sink(struct a0_http *, int (*fn)(void *, const char *,
	    size_t), void *arg);

/* Is host (no brackets) a loopback name or address? */
int	 a0_http_loopback(const char *host);

/*
 * Copy of line with secrets replaced by "[redacted]" (malloc'd): the
 * values of Authorization, client_secret and tokens, and every value
 * given to a0_http_secret wherever it shows.
 */
char	*a0_http_redact(const char *line);

/*
 * Hide value from now on: as it is, percent-encoded, with '+' for a
 * space or JSON's backslash escapes, as a server or proxy that echoes a
 * request would show it.  Bearer tokens and the client secret are given
 * to it as they are sent.  A value under 8 bytes is not hidden: it would
 * match ordinary text, the users' records among it.
 */
void	 a0_http_secret(const char *value);

/*
 * A copy of the len bytes at text, every value given to a0_http_secret
 * replaced by "[redacted]" and *outlen (when not NULL) set to its length;
 * NULL when there was nothing to hide.  Unlike a0_http_redact it leaves
 * keys alone: for records, whose fields must not change.
 */
char	*a0_http_unsecret(const char *text, size_t len, size_t *outlen);

/* ---- auth0.c: the Management API calls a0-submit makes ---- */

/* A tenant and the credentials for it. */
struct a0_api {
	char		*base;		/* scheme://host[:port], no slash */
	const char	*client_id;	/* NULL with a ready token */
	const char	*client_secret;
	char		*token;		/* the access token */
	long long	 expires;	/* epoch seconds; 0: not known */
	char		*form;		/* the token request's body, kept
					   while it is sent */
	const char	*audience;	/* the token's audience; NULL: the
					   base's /api/v2/ */
};

/*
 * Fill a for the tenant domain (--tenant) or AUTH0_DOMAIN, with the
 * credentials a0_creds_find picks for it.  From the credentials file:
 * its line's token, client credentials and audience (kept for the run).
 * From the environment: a ready token from AUTH0_API_TOKEN, the client
 * credentials from AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET (when both a
 * token and the credentials are set, the token is used first and the
 * credentials renew it), the audience from AUTH0_AUDIENCE.  Returns 0,
 * or -1 with the reason (a usage error) in why.
 */
int	 a0_api_env(struct a0_api *, const char *domain, char *why,
	    size_t whysz);

/*
 * The base URL for a domain ("tenant.auth0.com", "https://…",
 * "http://127.0.0.1:8089"): https unless a scheme is given; plain http
 * only to a loopback host.  Returns a malloc'd URL, or NULL with *why set.
 */
char	*a0_api_base(const char *domain, const char **why);

/* Is s a connection id as Auth0 makes them ("con_" and 16 letters or
 * digits)? */
int	 a0_con_id_ok(const char *s);

/*
 * Requests, started on a handle (see a0_http_start), and the readers of
 * their answers.  Each start returns 0, or -1 (see the response's err).
 */
int	 a0_req_token(struct a0_http *, const struct a0_api *);
/* Take the token from an answer: 0, or -1 if it holds none. */
int	 a0_take_token(struct a0_api *, const struct a0_resp *, long long now);

int	 a0_req_connection(struct a0_http *, const struct a0_api *,
	    const char *name);
/* The id of connection name: 1 found (*id malloc'd), 0 not there, -1 the
 * answer is not a list of connections. */
int	 a0_take_connection(const struct a0_resp *, const char *name,
	    char **id);

/* What an import request carries besides the users. */
struct a0_import {
	const char	*con_id;	/* NULL: not yet known (for sizes) */
	const char	*external_id;	/* "" for none */
	int		 upsert;
	int		 email;		/* send_completion_email */
	char		 boundary[33];	/* 32 random characters */
};

/* Pick a fresh random multipart boundary. */
void	 a0_import_boundary(struct a0_import *);
/* The exact size of the request body for a users file of len bytes. */
size_t	 a0_import_size(const struct a0_import *, size_t len);
/* Where the users file starts in the body. */
size_t	 a0_import_offset(const struct a0_import *);
/*
 * Make the multipart body around the users file that buf holds at off
 * (buf has room for a0_import_size(len) bytes, off being what
 * a0_import_offset said when it was filled): in place when the envelope
 * still fits there, else in a new buffer, buf being freed.  The boundary
 * is changed first if the users happen to contain it.  Returns the body
 * and sets *bodylen.
 */
char	*a0_import_frame(struct a0_import *, char *buf, size_t off,
	    size_t len, size_t *bodylen);
int	 a0_req_import(struct a0_http *, const struct a0_api *,
	    const struct a0_import *, const char *body, size_t len);
/* The job id of a 202 answer (malloc'd), or NULL. */
char	*a0_take_job_id(const struct a0_resp *);

/* One connection of a list answer (malloc'd strings). */
struct a0_conn {
	char	*id, *name;
	char	*strategy;		/* NULL when the answer has none */
};

/*
 * GET /api/v2/connections: page (from 0, A0_CONN_PAGE a page) of the
 * connections of strategy (NULL: any) named name (NULL: any).
 */
#define A0_CONN_PAGE	100
int	 a0_req_connections(struct a0_http *, const struct a0_api *,
	    const char *strategy, const char *name, long page);
/*
 * The connections of a list answer (an array, or an object with
 * "connections" and maybe "total"): 0 with *list (malloc'd, *n of them)
 * and *total (-1 when the answer does not say), or -1 if it is not one.
 * Entries without an id or a name are left out.
 */
int	 a0_take_connections(const struct a0_resp *, struct a0_conn **list,
	    size_t *n, long long *total);
void	 a0_conns_free(struct a0_conn *, size_t);

/* GET /api/v2/connections/{id}/clients: the applications it is
 * enabled for. */
int	 a0_req_conn_clients(struct a0_http *, const struct a0_api *,
	    const char *id);
/* 1 when the answer lists at least one application, 0 none, -1 it is
 * not such an answer. */
int	 a0_take_conn_clients(const struct a0_resp *);

/* Auth0's words for a connection it will not import into. */
#define A0_MSG_NOT_DATABASE	"Connection must be a database connection."
#define A0_MSG_NOT_ENABLED	"Connection must be enabled."

/* Is this answer the 429 of a tenant whose import jobs are all active? */
int	 a0_is_busy(const struct a0_resp *);

struct a0_jobinfo {
	char		 status[16];	/* pending, processing, completed, ... */
	long long	 inserted, updated, failed, total;
	long long	 time_left;	/* time_left_seconds, -1 if absent */
	long long	 percent;	/* percentage_done, -1 if absent */
	char		*details;	/* status_details (malloc'd) or NULL */
};

int	 a0_req_job(struct a0_http *, const struct a0_api *, const char *id);
/* Read a job answer: 0, or -1 if it is not one. */
int	 a0_take_job(const struct a0_resp *, struct a0_jobinfo *);

int	 a0_req_job_errors(struct a0_http *, const struct a0_api *,
	    const char *id);

/* One failed user, as slices of the answer's text. */
struct a0_usererr {
	const char	*user, *errors;	/* JSON texts */
	int		 ulen, elen;
	int		 existing;	/* all its errors say the user exists */
};

/*
 * The failed users of a /errors answer (204: none; a job object: none,
 * the job failed as a whole): 0 with *list (malloc'd) and *n set, or -1
 * if the answer is neither.  The slices point into r's body.
 */
int	 a0_take_job_errors(const struct a0_resp *, struct a0_usererr **list,
	    size_t *n);

/* A users-export job: which connection, which fields. */
struct a0_export {
	const char	*con_id;
	const char	**fields;	/* NULL-terminated names */
	long long	 limit;		/* 0: every user */
};

/* The request body is made in b, which must stay until it is sent. */
int	 a0_req_export(struct a0_http *, const struct a0_api *,
	    const struct a0_export *, struct jbuf *b);

/* A users-export job as GET /jobs/{id} (or its creation) answers it. */
struct a0_expjob {
	char		*id;		/* malloc'd */
	char		 status[16];
	char		*location;	/* the download URL (malloc'd), or
					   NULL until completed */
	char		*connection;	/* the connection's name, or NULL */
	char		*details;	/* status_details, or NULL */
	long long	 percent;	/* percentage_done, -1 if absent */
	long long	 time_left;	/* time_left_seconds, -1 if absent */
};

/* Read an export job answer (200): 0, or -1 if it is not one. */
int	 a0_take_export(const struct a0_resp *, struct a0_expjob *);
void	 a0_expjob_free(struct a0_expjob *);

/*
 * The URL to download an export from: location as given, https:// put
 * before it when it has no scheme; plain http only to a loopback host.
 * Returns a malloc'd URL, or NULL with *why set.
 */
char	*a0_export_url(const char *location, const char **why);

/* Auth0's message for an error answer, "STATUS Reason: message", in out. */
void	 a0_api_message(const struct a0_resp *, char *out, size_t outsz);

/* ---- journal.c: a0-submit's append-only state file ---- */

/*
 * One line per step, appended and flushed to disk before the step's
 * effect is relied on: "intent" before a chunk is posted, "lost" when an
 * answer to a post was lost (a job may exist that we do not know),
 * "posted" with the job id, "done" with the outcome.  Replaying the lines
 * gives each chunk's latest state, keyed by the chunk's sha256.
 */
enum a0_jstate {
	A0_J_NEW,		/* never seen */
	A0_J_INTENT,		/* about to be posted, job unknown */
	A0_J_POSTED,		/* a job was created for it */
	A0_J_DONE		/* its job ended (or it was refused) */
};

struct a0_jentry {
	char		 sha[65];
	int		 state;		/* enum a0_jstate */
	int		 uncertain;	/* posts whose answer was lost */
	long long	 time;		/* when posted (epoch seconds) */
	char		*job;		/* the job id, once posted */
	char		*path;		/* the chunk's path, as last recorded */
	char		*status;	/* the outcome, once done */
	long long	 inserted, updated, failed, total;
	long long	 earlier;	/* failed users that may have been
					   imported by an earlier post */
};

struct a0_journal;

/*
 * Open (creating it, mode 0600), lock and replay the journal at path.
 * The lock is held by the open file: one process at a time, released by
 * a0_journal_close or the end of the process however it ends, and also,
 * as POSIX has it, when the process closes any other descriptor of the
 * file.  When another process holds it, wait for it if wait is set.  A
 * torn last line, left by a crash in mid-write, is cut off.  Returns 0,
 * or -1 with errno: EAGAIN, another process holds it (*holder its pid);
 * EINTR, a signal came while waiting; EINVAL, a line that is not a
 * journal line (*badline set).
 */
int	 a0_journal_open(const char *path, int wait, struct a0_journal **,
	    long *badline, long *holder);
void	 a0_journal_close(struct a0_journal *);

/* Does path name the open journal (so that opening it would unlock it)? */
int	 a0_journal_is(const struct a0_journal *, const char *path);

/* The entry for a chunk, or NULL when the journal never saw it. */
struct a0_jentry *a0_journal_get(struct a0_journal *, const char *sha);

/* The i-th chunk in the order first seen, or NULL past the end. */
struct a0_jentry *a0_journal_entry(struct a0_journal *, size_t i);

/*
 * Append one step and fsync it; each returns 0, or -1 with errno.  The
 * done record takes its outcome from e (status, counts, uncertain).
 */
int	 a0_journal_intent(struct a0_journal *, const char *sha,
	    const char *path, long long now);
int	 a0_journal_lost(struct a0_journal *, const char *sha,
	    const char *path, long long now);
int	 a0_journal_posted(struct a0_journal *, const char *sha,
	    const char *path, const char *job, long long now);
int	 a0_journal_done(struct a0_journal *, const struct a0_jentry *e,
	    long long now);

/* ---- creds.c: which credentials go to which tenant ---- */

/*
 * The credentials for one tenant, from the environment or the
 * credentials file (a0(7)): a token, or a client id and secret.
 */
struct a0_creds {
	char		*base;		/* scheme://host[:port] */
	char		*client_id, *client_secret, *token;
	char		*audience;	/* the file's, or NULL */
	const char	*source;	/* "environment", "credentials file" */
	char		 why[512];	/* why a0_creds_find failed */
};

/*
 * The credentials for tenant (a domain; NULL: AUTH0_DOMAIN), tried in
 * this order: the environment's when AUTH0_DOMAIN names that tenant, the
 * credentials file's entry for it, the environment's when AUTH0_DOMAIN
 * is not set.  The file is refused unless it is a regular file of ours
 * that no one else may read.  0, or -1 with c->why set.
 */
int	 a0_creds_find(struct a0_creds *c, const char *tenant);
/* Free what c holds (c->why is kept). */
void	 a0_creds_free(struct a0_creds *c);
/* The credentials file's path (malloc'd): A0_CREDENTIALS, else
 * $XDG_CONFIG_HOME/a0/credentials, else ~/.config/a0/credentials; NULL
 * without a home. */
char	*a0_creds_path(void);

#endif /* A0_H */
