/*
 * submit-out.c: what a0-submit prints: the result lines (JSON Lines, or
 * text with -f text), notes and warnings with the progress line taken off
 * first, the progress line itself, and the --debug trace.
 */
#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "submit.h"

/* ---- output ---- */

/* Write a line to stdout now: a reader downstream acts on it at once. */
void
emit(struct run *r, struct jbuf *b)
{
	if (r->progress)
		fputs("\r\033[K", stderr);
	jb_add(b, "\n", 1);
	if (jb_write(b, stdout) == -1 || fflush(stdout) == EOF)
		err(A0_EXIT_IO, "stdout");
	jb_free(b);
}

void
note(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->progress)
		fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
}

/* The tenant's host, for -f text's headings. */
static const char *
host(const struct run *r)
{
	const char *p = r->api.base ? strstr(r->api.base, "://") : NULL;

	return p ? p + 3 : "";
}

void
say(struct run *r, const char *fmt, ...)
{
	struct jbuf b = { NULL, 0, 0, 0 };
	va_list ap;
	char *s;
	int n;

	if (!r->o->text)
		return;
	if (!r->headed++)
		jb_printf(&b, "\n%s===%s %s started user import job\n\n",
		    r->tcolor ? "\033[2m" : "", r->tcolor ? "\033[0m" : "",
		    host(r));
	jb_printf(&b, " %s\342\226\270%s    ", r->tcolor ? "\033[32m" : "",
	    r->tcolor ? "\033[0m" : "");
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = xmalloc((size_t)(n < 0 ? 0 : n) + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
	va_end(ap);
	jb_puts(&b, s);
	free(s);
	emit(r, &b);
}

/* The string member key of object token obj in d (malloc'd), or NULL. */
static char *
member_str(const struct jdoc *d, int obj, const char *key)
{
	int i;

	if (obj < 0 || d->tok[obj].type != JT_OBJECT ||
	    (i = json_get(d, obj, key)) == -1 || d->tok[i].type != JT_STRING)
		return NULL;
	return json_strdup(d, i);
}

void
say_failed(struct run *r, struct chunk *c, const struct a0_usererr *u)
{
	struct jdoc d;
	char *who = NULL, *code, *msg, *path;
	int k, i;

	if (!r->o->text)
		return;
	memset(&d, 0, sizeof(d));
	if (json_parse(&d, u->user, (size_t)u->ulen) > 0 &&
	    (who = member_str(&d, 0, "email")) == NULL &&
	    (who = member_str(&d, 0, "user_id")) == NULL)
		who = member_str(&d, 0, "username");
	if (who == NULL)
		who = xstrdup("a user");
	if (json_parse(&d, u->errors, (size_t)u->elen) <= 0 ||
	    d.tok[0].type != JT_ARRAY || d.tok[0].size == 0)
		jb_printf(&c->why, "Failed: %s\n", who);
	else
		for (k = 0, i = 1; k < d.tok[0].size;
		    k++, i = json_skip(&d, i)) {
			code = member_str(&d, i, "code");
			msg = member_str(&d, i, "message");
			path = member_str(&d, i, "path");
			jb_printf(&c->why, "Failed: %s: %s: %s%s%s%s\n", who,
			    code ? code : "", msg ? msg : "", path && *path ?
			    " (" : "", path && *path ? path : "",
			    path && *path ? ")" : "");
			free(code);
			free(msg);
			free(path);
		}
	json_free(&d);
	free(who);
}

/* -f text: a chunk's outcome, then its failed users. */
static void
text_result(struct run *r, const struct chunk *c, const char *status,
    const char *error, int journaled)
{
	const char *p, *q;

	if (strcmp(status, "skipped") == 0 ||
	    strcmp(status, "duplicate") == 0)
		return;
	if (c->job == NULL)
		say(r, "Chunk %s %s%s%s.", c->path, status, error ? ": " : "",
		    error ? error : "");
	else if (strcmp(status, "completed") == 0)
		say(r, "Job '%s' completed%s: %lld inserted, %lld updated, "
		    "%s%lld failed%s, %lld total.", c->job, journaled ?
		    " (an earlier run)" : "", c->ji.inserted, c->ji.updated,
		    r->tcolor && c->ji.failed ? "\033[31m" : "",
		    c->ji.failed, r->tcolor && c->ji.failed ? "\033[0m" : "",
		    c->ji.total);
	else
		say(r, "Job '%s' %s%s%s%s.", c->job, status, error || c->ji.details ?
		    ": " : "", error ? error : c->ji.details ? c->ji.details :
		    "", journaled ? " (an earlier run)" : "");
	for (p = c->why.p; p != NULL && *p != '\0'; p = q + 1) {
		q = strchr(p, '\n');
		say(r, "%.*s", (int)(q - p), p);
	}
}

/* -f text: the run's sum, at its end. */
void
text_summary(struct run *r)
{
	if (!r->o->text)
		return;
	if (r->tally.jobs == 0 && r->tally.total == 0 && !r->tally.refused &&
	    !r->tally.bad) {
		r->headed = 1;
		say(r, "Nothing to import: the input holds no users.");
		return;
	}
	printf("\n%s===%s %s imported %lld of %lld users in %lld job%s: "
	    "%lld inserted, %lld updated, %s%lld failed%s\n",
	    r->tcolor ? "\033[2m" : "", r->tcolor ? "\033[0m" : "", host(r),
	    r->tally.inserted + r->tally.updated, r->tally.total,
	    r->tally.jobs, r->tally.jobs == 1 ? "" : "s", r->tally.inserted,
	    r->tally.updated, r->tcolor && r->tally.failed ? "\033[31m" : "",
	    r->tally.failed, r->tcolor && r->tally.failed ? "\033[0m" : "");
}

void
retry_note(struct run *r, const char *what, const struct a0_resp *a,
    long delay, int next)
{
	char msg[512], line[700];

	if (!r->progress && !r->o->debug)
		return;
	a0_api_message(a, msg, sizeof(msg));
	a0_retry_note(line, sizeof(line), delay, next, r->retry.max_attempts,
	    msg);
	note(r, "%s: %s", what, line);
}

/* One result line for a chunk. */
void
result(struct run *r, const struct chunk *c, const char *status,
    const char *error, int journaled)
{
	struct jbuf b = { NULL, 0, 0, 0 };

	if (r->o->text) {
		text_result(r, c, status, error, journaled);
		return;
	}

	jb_begin(&b, '{');
	jb_kstr(&b, "file", c->path);
	jb_kstr(&b, "sha256", c->sha[0] ? c->sha : NULL);
	jb_kstr(&b, "job_id", c->job);
	jb_kstr(&b, "status", status);
	jb_kint(&b, "inserted", c->ji.inserted);
	jb_kint(&b, "updated", c->ji.updated);
	jb_kint(&b, "failed", c->ji.failed);
	jb_kint(&b, "total", c->ji.total);
	if (c->uncertain > 0)
		jb_kint(&b, "uncertain_posts", c->uncertain);
	if (c->earlier > 0)
		jb_kint(&b, "earlier_duplicates", c->earlier);
	if (c->resumed)
		jb_kbool(&b, "resumed", 1);
	if (journaled)
		jb_kbool(&b, "from_journal", 1);
	if (c->ji.details != NULL)
		jb_kstr(&b, "details", c->ji.details);
	if (error != NULL)
		jb_kstr(&b, "error", error);
	jb_end(&b, '}');
	emit(r, &b);
}

/* The progress line, redrawn when it changes. */
void
show_progress(struct run *r)
{
	char line[256];
	int i, running = 0;

	if (!r->progress)
		return;
	for (i = 0; i < r->nslots; i++)
		running += r->slots[i].c != NULL && r->slots[i].c->job != NULL;
	snprintf(line, sizeof(line), "%s: %lld/%lld%s chunks, "
	    "%d running, %lld inserted, %lld updated, %s%lld failed%s",
	    a0_prog("a0-submit"), r->tally.done, r->tally.chunks, r->in.eof ? "" : "+", running,
	    r->tally.inserted, r->tally.updated, r->color && r->tally.failed ?
	    "\033[31m" : "", r->tally.failed, r->color && r->tally.failed ?
	    "\033[0m" : "");
	if (strcmp(line, r->shown) == 0)
		return;
	memcpy(r->shown, line, sizeof(r->shown));
	fprintf(stderr, "\r\033[K%s", line);
}

/* The --debug trace: http.c has scrubbed the secrets already. */
void
trace(void *arg, const char *line)
{
	const struct run *r = arg;

	if (r->progress)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "%s: debug: %s\n", a0_prog("a0-submit"), line);
}
