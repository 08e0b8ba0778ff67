/*
 * http.h - the one serve loop every FastCGI action runs (libfcgi), the
 * action's description it serves, and the request it hands to the
 * action's handler.
 *
 * Per request: reset → method (405) → Content-Length against the body
 * limit before reading (413) → decode query and body strictly (400) →
 * session (401) → CSRF on POST (403; a token that fails on a form of this
 * origin goes on, see csrf_retry) → database (503) → the session's
 * account in the session's organization (401) → every field of the
 * action's table validated once (a parameter: 400) → the object the
 * parameters name (404, 403) → the fields' errors (422) or the handler,
 * which does one transaction and builds the XML answer, asks for a 303 or
 * hands over a raw body (an export; an error it finds at a field, such as
 * a duplicate, answers the same 422) → the answer is written → any transaction
 * left open is rolled back and the request's memory freed. Run from a shell
 * (CGI mode), a binary answers one request.
 */
#ifndef SA_HTTP_H
#define SA_HTTP_H

#include <mxml.h>

#include "db.h"
#include "form.h"
#include "session.h"
#include "validate.h"

#define HTTP_GET 1u
#define HTTP_POST 2u

/* The most fields an action declares. */
#define FIELD_MAX 12

/* Absent is invalid: the error "required", without the validator. */
#define FIELD_REQUIRED 0x1u
/* A form field never sent back, not even on a 422 (a password). */
#define FIELD_SECRET 0x2u
/* Not a field of the form but a parameter saying what to do (kind, id,
 * confirm): the page always sends it right, so one its validator refuses
 * answers 400 bad_request. */
#define FIELD_PARAM 0x4u
/* A parameter whose positive id the form keeps (the address edited). */
#define FIELD_FORM_ID 0x8u

/* A field declared once per action (kcgi's struct kvalid): its name, a
 * pure validator (lib/core/validate.h; it runs on "" when the field is
 * absent) and FIELD_* flags. An action's table is indexed by its field
 * enum, and so are req.v and req.err. */
struct field {
	const char *name;
	const char *(*check)(const char *in, struct field_value *);
	unsigned flags;
};

/* An error at a field: its code and, for a duplicate, name/value pairs of
 * attributes naming what holds the value (owned). */
struct field_error {
	const char *code;
	char *detail[4];
};

struct action;

struct req {
	const struct action *action;
	unsigned method;
	const char *base;  /* "/mail-settings/" or "/mail-settings/api/" */
	struct form query; /* the query string */
	struct form body;  /* the POST body */
	struct session sess;
	PGresult *account; /* DB_ACCOUNT: the account's and the org's names */
	int invalid;	   /* how many fields have an error */
	/* The POST's CSRF token failed, but the browser says the form is
	 * one of this origin's pages: one from before the portal renewed
	 * the session cookie, from which the token derives. Nothing is done;
	 * the answer is the page again (403) with the input kept and the
	 * session's token (page_retry). */
	int csrf_retry;
	PGresult *found; /* the row action->find looked up, or NULL */
	int status;
	const char *error; /* error code of a non-page answer */
	/* what a redirect's notice adds about the input ("address": the
	 * domain was taken from an address), set by the handler, or NULL */
	const char *notice_from;
	char location[512];
	mxml_node_t *doc;
	mxml_node_t *root;
	/* an answer that is not XML (an export, http_raw()): the body
	 * (owned), its media type and its download name */
	char *raw;
	size_t rawlen;
	const char *raw_type;
	char raw_name[128];
	/* Last: a request zeroes only its action's nfields entries of each
	 * (a field_value is over 2 KB, so all of them would be 28 KB). */
	struct field_value v[FIELD_MAX]; /* every field, valid */
	struct field_error err[FIELD_MAX];
};

struct action {
	const char *name;
	unsigned methods;
	const struct field *fields;
	size_t nfields;
	const char *form; /* the <form> a 422 shows the fields in */
	/* The object the parameters name (in req.found), looked up before
	 * the fields' errors are answered; NULL when none. 0, or -1 with the
	 * answer set (404 not found, 403 another account's). */
	int (*find)(struct req *);
	/* The work, with every field valid: 0 when done; -1 when not, the
	 * answer being the one it set (a page, a refusal), else the 422 of
	 * the errors it added (http_invalid), else 500 internal. */
	int (*handle)(struct req *);
	/* It seals secrets (an SMTP password, a DKIM key): only then is the
	 * master secret loaded. */
	int seals;
	/* For a GET, the account check made with the page's own reads in
	 * one round trip (page_reads_settings, page_reads_log): it sets
	 * req.account like the serve loop's own check; NULL: that check. */
	int (*reads)(struct req *);
};

/* Runs the serve loop; returns the process exit status. */
int http_main(const struct action *);
/* The main of an action binary (cgi-bin/<action>.c): the designated
 * initializers of its struct action, handed to the serve loop. */
#define HTTP_MAIN(...)                                                         \
	int main(void)                                                         \
	{                                                                      \
		static const struct action a = {__VA_ARGS__};                  \
		return http_main(&a);                                          \
	}

/* A 200 answer that is not XML: body[0..len) (the request takes it over)
 * of media type type, offered for download as filename (letters, digits,
 * '.', '-' and '_' only). nginx's XSLT filter leaves it as it is. */
void http_raw(struct req *, const char *type, const char *filename, char *body,
	      size_t len);
/* A non-page answer: <error status= code=/>. */
void http_fail(struct req *, int status, const char *code);
/* 303 to the settings page with a notice code. */
void http_redirect(struct req *, const char *notice);
/* The same for a notice about domain id, which names it: ?notice=CODE&
 * domain=ID (and from=req.notice_from), at the domain's card
 * (#domain-ID), or at the domain list (#domains) when card is 0 (the
 * domain is gone). */
void http_redirect_domain(struct req *, const char *notice, long id, int card);
/* An error the handler found at field f (a duplicate): the request answers
 * 422 with it, the transaction rolled back. detail: NULL, or name/value
 * pairs of attributes of the error, NULL-terminated (two at most), copied.
 * 0 / -1. */
int http_invalid(struct req *, int f, const char *code,
		 const char *const *detail);

#endif
