/*
 * export.h: what the parts of a0-export share (tools/a0-export.c, the
 * run and the Management API; tools/export-download.c, the export file;
 * tools/export-hashes.c, the support's password hash file;
 * tools/export-record.c, an export record made importable).
 */
#ifndef EXPORT_H
#define EXPORT_H

#include "a0.h"

/* ---- export-hashes.c ---- */

struct hashes;

/*
 * Index the support's password-hash file at path (NDJSON, reference
 * section 7), keeping per user only a 64-bit hash of its id and where
 * its line is; each line's hash is read again when its user is exported.
 * Lines that are not usable get a "path:line: message" diagnostic and
 * are counted as bad.  Returns the index, or NULL after a diagnostic
 * when the file cannot be read or is not JSON (exit 3).
 */
struct hashes	*hashes_load(const char *path);

/*
 * The hash for user id (without "auth0|"), NUL-terminated in a buffer
 * valid until the next call; NULL when the file has none.  The line is
 * marked as used.
 */
const char	*hashes_find(struct hashes *, const char *id, size_t len);

/* Is h (len bytes) a bcrypt hash as Auth0 imports one ($2a$, $2b$,
 * $2y$, cost 04 to 31, 60 characters)? */
int		 hashes_bcrypt(const char *h, size_t len);

/*
 * The connection being exported, by name (NULL: any): a line that names
 * another "connection" is for a user of that one, and matches no user.
 */
void		 hashes_connection(struct hashes *, const char *name);

/*
 * Name the users of the first few lines that matched no exported user,
 * and count the lines: all, those that matched no user (other: of them,
 * those for another connection), those not usable.
 */
void		 hashes_summary(struct hashes *, uint64_t *lines,
		    uint64_t *unused, uint64_t *other, uint64_t *bad);
const char	*hashes_path(const struct hashes *);
void		 hashes_free(struct hashes *);

/* ---- export-download.c ---- */

struct download;

/* What the download needs of the run. */
struct dl_hooks {
	/* Move the transfers on for up to ms (exits on a signal). */
	void	 (*pump)(long ms);
	/* A fresh location from the job (malloc'd); exits when none. */
	char	*(*fresh)(void *arg);
	void	*arg;
};

/* A download over handle h (its answers' bodies become the download's
 * while it lives), or NULL when zlib cannot start. */
struct download	*download_new(struct a0_http *h, const struct dl_hooks *);
void		 download_free(struct download *);

/* Start downloading the file at location; 0, or -1 (download_error). */
int		 download_start(struct download *, const char *location);

/*
 * The reader of jstream_open_fn: up to n bytes of the file's text into
 * buf, waiting for them; 0 at its end; -1 with errno EIO when the
 * download failed (download_error says why).  A link refused before the
 * first byte (an expired one: 403) is asked of the job again, and a
 * temporary failure tried again, five times in all.
 */
ssize_t		 download_read(void *d, void *buf, size_t n);

/* Why the download failed, and the exit status for it; NULL if it has
 * not. */
const char	*download_error(const struct download *, int *status);

/* Compressed bytes received by the current transfer. */
unsigned long long download_bytes(const struct download *);

/* ---- export-record.c ---- */

struct xrecord;

/* Scratch space for making records, kept from one to the next. */
struct xrecord	*xrecord_new(struct hashes *);
void		 xrecord_free(struct xrecord *);

/* What became of one export record. */
enum xresult {
	XR_OK,		/* out holds the import record */
	XR_SKIP		/* not importable: diagnostics written */
};

/*
 * Make the import record for one export record (rec: valid JSON, one
 * object) into out, without a newline.  Diagnostics (fields left out,
 * the user left out) go to stderr.  *hashed says whether a password hash
 * was joined, *dropped counts the fields refused by the schema.
 */
enum xresult	 xrecord_make(struct xrecord *, const struct jrecord *rec,
		    struct jbuf *out, int *hashed, int *dropped);

#endif /* EXPORT_H */
