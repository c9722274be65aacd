/*
 * convert.h: what the parts of a0-convert share.  a0-convert.c runs the
 * conversion and writes records; convert-hash.c turns another system's
 * stored password into Auth0's custom_password_hash (convert-codec.c has
 * its base64 and hex); convert-csv.c and convert-json.c read the sources
 * (CSV; Django, Keycloak, Firebase); convert-check.c
 * recomputes a converted hash from a known plaintext as Auth0 would.
 */
#ifndef CONVERT_H
#define CONVERT_H

#include "a0.h"

/* A byte string borrowed from the reader, not NUL-terminated. */
struct cstr {
	const char	*p;
	size_t		 n;
};

/* One user_metadata member of a CSV row. */
struct cmeta {
	const char	*key;
	struct cstr	 val;
};

/* A user as a source gave it; strings are borrowed.  p == NULL: absent. */
struct cuser {
	struct cstr	 email, username, given_name, family_name, name;
	struct cstr	 nickname, picture, phone_number, id;
	int		 email_verified, phone_verified, blocked;
					/* -1: absent */
	struct cmeta	*meta;
	size_t		 nmeta;
	const char	*file;		/* where the user was read */
	uint64_t	 line, col;	/* col 0: a CSV row */
	uint64_t	 num;		/* 1-based user number in the file */
	int		 plain;		/* every string is UTF-8, with nothing
					 * to escape in JSON */
};

/*
 * A password hash as Auth0 will read it, or the reason it cannot be
 * carried over (alg NULL).  The buffers are reused from user to user.
 */
struct cph {
	const char	*alg;		/* custom_password_hash.algorithm */
	const char	*reason;	/* a reset code when alg is NULL */
	struct jbuf	 value;		/* hash.value */
	const char	*enc;		/* hash.encoding */
	int		 salted;
	struct jbuf	 salt;		/* salt.value, when salted */
	const char	*saltenc;	/* salt.encoding */
	const char	*pos;		/* salt.position */
	const char	*pwenc;		/* password.encoding, NULL: utf8 */
	long long	 keylen, cost, blocksize, par;	/* scrypt; 0: none */
	int		 schema_ok;	/* value passed schema_bcrypt_bad */
	struct jbuf	 tmp;		/* scratch for decoding */
};

/* Reset codes, the reasons a user has no hash in the output. */
#define R_NOHASH	"no-hash"
#define R_UNUSABLE	"unusable"
#define R_BADHASH	"malformed-hash"
#define R_UNKNOWN	"unsupported:unknown-format"

/* The stored formats a CSV password column may hold (--hash). */
enum scheme {
	S_NONE, S_BCRYPT, S_DEVISE, S_ASPNET, S_SPRING, S_PHPASS, S_CRYPT,
	S_DIGEST
};

struct hashopt {
	enum scheme	 scheme;
	const char	*digest;	/* S_DIGEST: md5, sha1, sha256... */
	const char	*pos;		/* S_DIGEST: prefix or suffix */
	const char	*saltenc;	/* S_DIGEST: utf8, hex or base64 */
	const char	*pepper;	/* S_DEVISE, NULL for none */
};

/* ---- a0-convert.c: what the readers hand their users to ---- */

/* Write u as a record (and to the reset list when h has no hash). */
void	 emit(const struct cuser *u, struct cph *h);
/* A source row that cannot become a record: a diagnostic, exit 1. */
void	 bad_row(const char *file, uint64_t line, uint64_t col,
	    uint64_t num, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));

/* ---- convert-csv.c, convert-json.c: the sources ---- */

/* Each reads fd to its end: 0, or -1 after an input error (reported). */
int	 read_csv(int fd, const char *file, char *const *map, size_t nmap,
	    const struct hashopt *);
int	 read_django(int fd, const char *file);
/* Keycloak realm exports and Firebase auth:export files. */
int	 read_keycloak(int fd, const char *file);
int	 read_firebase(int fd, const char *file);

/* ---- convert-hash.c ---- */

void	 cph_clear(struct cph *);
void	 cph_free(struct cph *);

/* A CSV password column (and salt column, p NULL when none). */
int	 hash_csv(struct cph *, const struct hashopt *, struct cstr pw,
	    struct cstr salt);
/* Django's auth_user.password. */
int	 hash_django(struct cph *, struct cstr pw);
/* Keycloak: algorithm id, iterations, base64 value and salt, and the
 * argon2 parameters (NULL when absent). */
struct kcargon {
	const char	*type, *version, *memory, *parallelism;
};
int	 hash_keycloak(struct cph *, struct cstr alg, long long iter,
	    struct cstr value, struct cstr salt, const struct kcargon *);
/* Firebase's passwordHash (its modified scrypt: never importable). */
int	 hash_firebase(struct cph *, struct cstr pw);

/* ---- convert-codec.c ---- */

/* Base64 (standard or URL-safe, padding optional) into out; -1 if bad. */
int	 b64_decode(struct jbuf *out, const char *s, size_t n);
/* Standard base64 without padding, appended to out. */
void	 b64_encode(struct jbuf *out, const unsigned char *p, size_t n);
int	 hex_decode(struct jbuf *out, const char *s, size_t n);
/* The value of a hex digit, or -1. */
int	 hex_digit(int c);

/* ---- convert-check.c ---- */

struct check;

/* Read the accounts file (email TAB plaintext per line); NULL with a
 * message printed if it cannot be read or a line is malformed. */
struct check	*check_open(const char *path);
/* Check the record just written for email; prints ok or a mismatch. */
void	 check_record(struct check *, struct cstr email, const char *rec,
	    size_t len, const char *reason);
/* Read a small file whole (NUL-terminated, at most about max bytes): 0,
 * or -1 with errno (EFBIG when it is larger). */
int	 read_small(const char *path, size_t max, char **buf, size_t *len);
/* Report accounts never seen; returns the number of failures. */
unsigned long	 check_close(struct check *);

#endif /* CONVERT_H */
