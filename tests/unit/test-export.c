/* test-export: auth0.c's export job answers and download URLs, as tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "a0.h"
#include "tap.h"

/* A location and the URL to download it from (NULL: refused). */
static const struct {
	const char	*loc, *url;
} urls[] = {
	{ "https://user-exports.auth0.com/job_x/t.json.gz?Expires=1&Signature=s",
	    "https://user-exports.auth0.com/job_x/t.json.gz?Expires=1&Signature=s" },
	/* Auth0's docs show it without a scheme. */
	{ "pus3-auth0-export-users.s3.amazonaws.com/job_x/t.json.gz?a=b",
	    "https://pus3-auth0-export-users.s3.amazonaws.com/job_x/t.json.gz?a=b" },
	{ "HTTPS://h.example.com/f", "HTTPS://h.example.com/f" },
	{ "http://127.0.0.1:8089/exports/job_x/f.json.gz",
	    "http://127.0.0.1:8089/exports/job_x/f.json.gz" },
	{ "http://localhost/f", "http://localhost/f" },
	{ "http://[::1]:80/f", "http://[::1]:80/f" },
	/* Plain http elsewhere, other schemes, no host, userinfo. */
	{ "http://example.com/f", NULL },
	{ "http://127.0.0.1.example.com/f", NULL },
	{ "ftp://example.com/f", NULL },
	{ "file:///etc/passwd", NULL },
	{ "https:///f", NULL },
	{ "", NULL },
	{ "https://a@evil.example.com/f", NULL },
	{ "http://user@127.0.0.1/f", NULL },
	{ "https://h.example.com/a b", NULL },
	{ "https://h.example.com/\r\nX-Injected: 1", NULL },
};

static void
resp(struct a0_resp *r, long status, const char *body)
{
	memset(r, 0, sizeof(*r));
	r->status = status;
	r->body = (char *)body;
	r->len = strlen(body);
}

int
main(void)
{
	struct a0_expjob j;
	struct a0_export e;
	struct a0_resp r;
	const char *why;
	char *u;
	size_t i;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		why = NULL;
		u = a0_export_url(urls[i].loc, &why);
		if (urls[i].url == NULL)
			ok(u == NULL && why != NULL, "location %zu refused (%s)",
			    i, why ? why : "?");
		else
			is_str(u, urls[i].url, "location \"%s\"",
			    urls[i].loc);
		free(u);
	}

	memset(&j, 0, sizeof(j));
	/* The recorded answer to the POST. */
	resp(&r, 200, "{\"type\":\"users_export\",\"status\":\"pending\","
	    "\"connection_id\":\"con_ftSSLHb0O7rcUGmF\",\"format\":\"json\","
	    "\"limit\":5,\"fields\":[{\"name\":\"name\"},{\"name\":\"email\"},"
	    "{\"name\":\"identities[0].connection\"}],\"connection\":"
	    "\"Username-Password-Authentication\",\"created_at\":"
	    "\"2023-01-25T17:48:15.325Z\",\"id\":\"job_iSjvljNtsTMmSpRW\"}");
	ok(a0_take_export(&r, &j) == 0, "the recorded answer is a job");
	is_str(j.id, "job_iSjvljNtsTMmSpRW", "... its id");
	is_str(j.status, "pending", "... its status");
	is_str(j.connection, "Username-Password-Authentication",
	    "... its connection's name");
	ok(j.location == NULL && j.percent == -1 && j.time_left == -1,
	    "... no location, no progress yet");
	resp(&r, 200, "{\"type\":\"users_export\",\"status\":\"processing\","
	    "\"percentage_done\":40,\"time_left_seconds\":12,"
	    "\"id\":\"job_iSjvljNtsTMmSpRW\"}");
	ok(a0_take_export(&r, &j) == 0 && j.percent == 40 &&
	    j.time_left == 12 && strcmp(j.status, "processing") == 0,
	    "processing, with its progress");
	resp(&r, 200, "{\"type\":\"users_export\",\"status\":\"completed\","
	    "\"location\":\"https://h/x\\u002ejson.gz\","
	    "\"id\":\"job_iSjvljNtsTMmSpRW\"}");
	ok(a0_take_export(&r, &j) == 0, "completed");
	is_str(j.location, "https://h/x.json.gz", "... its location, "
	    "unescaped");
	resp(&r, 200, "{\"status\":\"failed\",\"status_details\":\"why\","
	    "\"id\":\"job_iSjvljNtsTMmSpRW\"}");
	ok(a0_take_export(&r, &j) == 0 && j.details != NULL &&
	    strcmp(j.details, "why") == 0, "failed, with its details");
	resp(&r, 404, "{\"statusCode\":404,\"message\":\"Job not found.\"}");
	ok(a0_take_export(&r, &j) == -1, "a 404 is not a job");
	resp(&r, 200, "{\"status\":\"pending\"}");
	ok(a0_take_export(&r, &j) == -1, "an answer without an id is not");
	resp(&r, 200, "{\"status\":\"a status far too long to be one\","
	    "\"id\":\"job_x\"}");
	ok(a0_take_export(&r, &j) == -1, "nor one with an overlong status");
	resp(&r, 200, "[1]");
	ok(a0_take_export(&r, &j) == -1, "nor an array");
	a0_expjob_free(&j);

	/* The request's body. */
	{
		static const char *fields[] = { "user_id", "email", NULL };
		struct jbuf b = { NULL, 0, 0, 0 };
		struct a0_hpool *p;
		struct a0_http *h;
		struct a0_api api;

		memset(&api, 0, sizeof(api));
		api.base = (char *)"http://127.0.0.1:1";
		memset(&e, 0, sizeof(e));
		e.con_id = "con_A0EmulatorDb0001";
		e.fields = fields;
		if (a0_http_global() == -1 || (p = a0_hpool_new()) == NULL ||
		    (h = a0_http_new(p, 1, NULL, NULL)) == NULL) {
			ok(0, "libcurl starts");
			return done_testing();
		}
		a0_req_export(h, &api, &e, &b);
		is_str(b.p, "{\"connection_id\":\"con_A0EmulatorDb0001\","
		    "\"format\":\"json\",\"fields\":[{\"name\":\"user_id\"},"
		    "{\"name\":\"email\"}]}", "the request: as recorded, "
		    "without a limit");
		e.con_id = NULL;
		e.limit = 10;
		a0_req_export(h, &api, &e, &b);
		is_str(b.p, "{\"format\":\"json\",\"limit\":10,\"fields\":"
		    "[{\"name\":\"user_id\"},{\"name\":\"email\"}]}",
		    "the request: every connection, a limit");
		a0_http_free(h);
		a0_hpool_free(p);
		jb_free(&b);
	}
	return done_testing();
}
