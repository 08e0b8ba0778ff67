/*
 * http.h - the one serve loop every FastCGI action runs (libfcgi), and the
 * request it hands to the action's handler.
 *
 * Per request: reset → method (405) → Content-Length against the body
 * limit before reading (413) → decode query and body strictly (400) →
 * database (503) → session (401) → CSRF on POST (403) → the handler, which
 * validates its fields (422 with per-field errors), does one transaction
 * and builds the XML answer or asks for a 303 → the answer is written →
 * any transaction left open is rolled back and the request's memory freed.
 * Run from a shell (CGI mode), a binary answers one request.
 */
#ifndef SA_HTTP_H
#define SA_HTTP_H

#include <mxml.h>

#include "form.h"
#include "session.h"

#define HTTP_GET 1u
#define HTTP_POST 2u

struct req {
	unsigned method;
	const char *base;  /* "/mail-settings/" or "/mail-settings/api/" */
	struct form query; /* the query string */
	struct form body;  /* the POST body */
	struct session sess;
	int status;
	const char *error; /* error code of a non-page answer */
	char location[512];
	mxml_node_t *doc;
	mxml_node_t *root;
};

struct action {
	const char *name;
	unsigned methods;
	/* Builds the answer: an XML document in req->doc with req->status,
	 * or a redirect via http_redirect(), or an error via http_fail(). */
	void (*handle)(struct req *);
};

/* Runs the serve loop; returns the process exit status. */
int http_main(const struct action *);

/* A non-page answer: <error status= code=/>. */
void http_fail(struct req *, int status, const char *code);
/* 303 to the settings page with a notice code. */
void http_redirect(struct req *, const char *notice);
/* A field of the query or body (NULL when absent). */
const char *http_param(const struct req *, const char *name);
/* A positive id from a field, or 0. */
long http_id(const struct req *, const char *name);

#endif
