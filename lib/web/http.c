/*
 * http.c - the FastCGI serve loop shared by every action binary, in the
 * order described in http.h: the one place that validates the fields of
 * the action's table, checks the session's account and answers a 422.
 * This is the only module that links libfcgi; actions never touch the
 * streams.
 */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcgiapp.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "page.h"
#include "util.h"
#include "xml.h"

static const struct {
	int status;
	const char *phrase;
} reasons[] = {
    {200, "OK"},
    {303, "See Other"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {413, "Content Too Large"},
    {415, "Unsupported Media Type"},
    {422, "Unprocessable Content"},
    {500, "Internal Server Error"},
    {503, "Service Unavailable"},
};

/* The process's view of one request, over FastCGI or CGI. */
struct io {
	FCGX_Request fx;
	int cgi;
};

static const char *
io_param(struct io *io, const char *name)
{
	return io->cgi ? getenv(name) : FCGX_GetParam(name, io->fx.envp);
}

static int
io_read(struct io *io, char *p, size_t n)
{
	if (io->cgi)
		return (int)fread(p, 1, n, stdin);
	return FCGX_GetStr(p, (int)n, io->fx.in);
}

static void
io_write(struct io *io, const char *p, size_t n)
{
	if (io->cgi)
		fwrite(p, 1, n, stdout);
	else
		FCGX_PutStr(p, (int)n, io->fx.out);
}

static const char *
reason_phrase(int status)
{
	size_t i;

	for (i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (reasons[i].status == status)
			return reasons[i].phrase;
	return "Error";
}

void
http_raw(struct req *r, const char *type, const char *filename, char *body,
	 size_t len)
{
	size_t i;

	free(r->raw);
	r->raw = body;
	r->rawlen = len;
	r->raw_type = type;
	snprintf(r->raw_name, sizeof r->raw_name, "%s", filename);
	for (i = 0; r->raw_name[i] != '\0'; i++)
		if (!ascii_isalnum((unsigned char)r->raw_name[i]) &&
		    strchr(".-_", r->raw_name[i]) == NULL)
			r->raw_name[i] = '_';
	r->status = 200;
}

void
http_fail(struct req *r, int status, const char *code)
{
	free(r->raw);
	r->raw = NULL;
	if (r->doc != NULL)
		mxmlDelete(r->doc);
	r->doc = xml_doc("error", &r->root);
	xml_attr_num(r->root, "status", status);
	xml_attr(r->root, "code", code);
	xml_attr(r->root, "base", r->base);
	r->status = status;
	r->error = code;
	r->location[0] = '\0';
}

void
http_redirect(struct req *r, const char *notice)
{
	snprintf(r->location, sizeof r->location, "%s?notice=%s", r->base,
		 notice);
	r->status = 303;
}

void
http_redirect_domain(struct req *r, const char *notice, long id, int card)
{
	char anchor[32];

	if (card)
		snprintf(anchor, sizeof anchor, "domain-%ld", id);
	snprintf(
	    r->location, sizeof r->location, "%s?notice=%s&domain=%ld%s%s#%s",
	    r->base, notice, id, r->notice_from ? "&from=" : "",
	    r->notice_from ? r->notice_from : "", card ? anchor : "domains");
	r->status = 303;
}

int
http_invalid(struct req *r, int f, const char *code, const char *const *detail)
{
	struct field_error *e = &r->err[f];
	size_t i;

	if (e->code == NULL)
		r->invalid++;
	e->code = code;
	for (i = 0; i < 4; i++) {
		free(e->detail[i]);
		e->detail[i] = NULL;
	}
	for (i = 0; i < 4 && detail != NULL && detail[i] != NULL; i++)
		if ((e->detail[i] = strdup(detail[i])) == NULL)
			return -1;
	return 0;
}

static void
http_write(struct io *io, struct req *r)
{
	char head[1024];
	char *body = NULL;
	int n;

	if (r->status == 303) {
		n = snprintf(head, sizeof head,
			     "Status: 303 See Other\r\nLocation: %s\r\n"
			     "Cache-Control: no-store\r\n\r\n",
			     r->location);
		io_write(io, head, (size_t)n);
		return;
	}
	if (r->status == 200 && r->raw != NULL) {
		n = snprintf(
		    head, sizeof head,
		    "Status: 200 OK\r\nContent-Type: %s\r\n"
		    "Content-Disposition: attachment; filename=\"%s\"\r\n"
		    "Cache-Control: no-store\r\n"
		    "X-Content-Type-Options: nosniff\r\n\r\n",
		    r->raw_type, r->raw_name);
		io_write(io, head, (size_t)n);
		io_write(io, r->raw, r->rawlen);
		return;
	}
	if (r->doc == NULL || (body = xml_string(r->doc)) == NULL) {
		http_fail(r, 500, "internal");
		body = xml_string(r->doc);
	}
	n = snprintf(
	    head, sizeof head,
	    "Status: %d %s\r\nContent-Type: text/xml; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n\r\n",
	    r->status, reason_phrase(r->status));
	io_write(io, head, (size_t)n);
	if (body != NULL)
		io_write(io, body, strlen(body));
	free(body);
}

/* Reads and decodes the body of a POST; 0, or -1 with the answer set. */
static int
http_body(struct io *io, struct req *r)
{
	const char *cl = io_param(io, "CONTENT_LENGTH");
	const char *ct = io_param(io, "CONTENT_TYPE");
	long limit = config_num("body_limit"), len = 0;
	char *buf;
	int rc = -1;

	if (cl != NULL && *cl != '\0' &&
	    parse_long(cl, 0, LONG_MAX, &len) == -1)
		len = -1;
	if (len < 0 || len > limit) {
		http_fail(r, len < 0 ? 400 : 413,
			  len < 0 ? "bad_request" : "too_large");
		return -1;
	}
	if (len > 0 && (ct == NULL ||
			ascii_ncasecmp(ct, "application/x-www-form-urlencoded",
				       33) != 0)) {
		http_fail(r, 415, "bad_content_type");
		return -1;
	}
	if ((buf = malloc((size_t)len + 1)) == NULL) {
		http_fail(r, 500, "internal");
		return -1;
	}
	if (io_read(io, buf, (size_t)len) != (int)len)
		http_fail(r, 400, "bad_request");
	else if (form_decode(&r->body, buf, (size_t)len) != FORM_OK)
		http_fail(r, 400, "bad_encoding");
	else
		rc = 0;
	free(buf);
	return rc;
}

/*
 * The session's account, in the session's organization (the schema keeps
 * an account's rows in its organization, sql/001_baseline.sql): a cookie naming
 * an account that is not, or no longer, there answers as a forged one. 0, or -1
 * with the answer set.
 */
static int
http_account(struct req *r)
{
	char acct[NUMBUF], org[NUMBUF];
	const char *p[2] = {num(r->sess.account_id, acct),
			    num(r->sess.org_id, org)};

	if (r->action->reads != NULL && r->method == HTTP_GET) {
		if (r->action->reads(r) == -1)
			return -1;
	} else if ((r->account = db_exec(DB_ACCOUNT, 2, p)) == NULL) {
		http_fail(r, 500, "internal");
		return -1;
	}
	if (PQntuples(r->account) != 1) {
		http_fail(r, 401, "bad_session");
		return -1;
	}
	return 0;
}

/*
 * Whether the browser says it sent the request from a page of this
 * origin (Sec-Fetch-Site, which a page cannot set). A form posted from
 * another site says otherwise, and a request without it (a script, the
 * portal, an older browser) is not taken for one of our pages.
 */
static int
http_same_origin(struct io *io)
{
	const char *site = io_param(io, "HTTP_SEC_FETCH_SITE");

	return site != NULL && strcmp(site, "same-origin") == 0;
}

/* Method, body, query, session, CSRF and database; 0 when the account
 * may be checked. */
static int
http_prepare(struct io *io, struct req *r, const struct action *a)
{
	const char *m = io_param(io, "REQUEST_METHOD");
	const char *q = io_param(io, "QUERY_STRING");
	const char *cookie = io_param(io, "HTTP_COOKIE");
	char value[SESSION_MAX + 1] = "";

	r->method = m && strcmp(m, "GET") == 0	  ? HTTP_GET
		    : m && strcmp(m, "POST") == 0 ? HTTP_POST
						  : 0;
	if ((r->method & a->methods) == 0) {
		http_fail(r, 405, "bad_method");
		return -1;
	}
	if (r->method == HTTP_POST && http_body(io, r) == -1)
		return -1;
	if (q != NULL && form_decode(&r->query, q, strlen(q)) != FORM_OK) {
		http_fail(r, 400, "bad_encoding");
		return -1;
	}
	if (cookie != NULL)
		session_cookie(cookie, config_str("session_cookie"), value,
			       sizeof value);
	switch (session_verify(value, time(NULL), &r->sess)) {
	case SESSION_OK:
		break;
	case SESSION_MISSING:
		http_fail(r, 401, "no_session");
		return -1;
	default:
		http_fail(r, 401, "bad_session");
		return -1;
	}
	if (r->method == HTTP_POST &&
	    !session_csrf_ok(&r->sess, form_get(&r->body, "csrf"))) {
		if (!http_same_origin(io)) {
			http_fail(r, 403, "bad_csrf");
			return -1;
		}
		r->csrf_retry = 1;
	}
	if (db_ensure() == -1) {
		http_fail(r, 503, "db_unavailable");
		return -1;
	}
	return 0;
}

/*
 * Validates every field of the action's table once, absent ones as "": a
 * form field's error waits for the 422 (with what the validator offers
 * instead, as its suggestion), a parameter's answers 400 now. 0, or -1
 * with the answer set.
 */
static int
http_fields(struct req *r)
{
	const struct field *f;
	struct field_value *v;
	const char *code, *offer[3] = {"suggestion", NULL, NULL};
	size_t i;

	for (i = 0; i < r->action->nfields; i++) {
		f = &r->action->fields[i];
		v = &r->v[i];
		if ((v->s = form_get(&r->body, f->name)) == NULL)
			v->s = form_get(&r->query, f->name);
		v->present = v->s != NULL;
		if (!v->present)
			v->s = "";
		code = !v->present && (f->flags & FIELD_REQUIRED)
			   ? "required"
			   : f->check(v->s, v);
		if (code == NULL)
			continue;
		if (f->flags & FIELD_PARAM) {
			http_fail(r, 400, "bad_request");
			return -1;
		}
		/* what the validator found instead (the name in a URL) */
		offer[1] = v->suggest;
		if (http_invalid(r, (int)i, code,
				 v->suggest[0] != '\0' ? offer : NULL) == -1) {
			http_fail(r, 500, "internal");
			return -1;
		}
	}
	return 0;
}

static int
http_answered(const struct req *r)
{
	return r->doc != NULL || r->status == 303 || r->raw != NULL;
}

/*
 * The action on a request whose account is checked: its fields, the object
 * they name, then the handler when every field is valid (with a CSRF
 * token to retry, only the fields, for the page that asks again). The answer is
 * then the one set (a page, a refusal, a redirect), else the one 422 of
 * the fields' errors, else 500.
 */
static void
http_act(struct req *r)
{
	const struct action *a = r->action;

	if (http_fields(r) == -1)
		return;
	if (r->csrf_retry) {
		page_retry(r);
		return;
	}
	if (a->find != NULL && a->find(r) == -1)
		return;
	if ((r->invalid == 0 && a->handle(r) == 0) || http_answered(r))
		return;
	if (r->invalid > 0) {
		/* the statement that found a duplicate may have failed */
		db_rollback();
		page_invalid(r);
	} else {
		http_fail(r, 500, "internal");
	}
}

/* Frees what the request owned. */
static void
http_release(struct req *r)
{
	size_t i, j;

	if (r->doc != NULL)
		mxmlDelete(r->doc);
	free(r->raw);
	form_release(&r->query);
	form_release(&r->body);
	PQclear(r->account);
	PQclear(r->found);
	for (i = 0; i < r->action->nfields; i++)
		for (j = 0; j < 4; j++)
			free(r->err[i].detail[j]);
	memset(&r->sess, 0, sizeof r->sess);
}

static void
http_serve(struct io *io, const struct action *a)
{
	struct req r;
	const char *base = io_param(io, "SA_BASE");

	memset(&r, 0, offsetof(struct req, v));
	memset(r.v, 0, a->nfields * sizeof r.v[0]);
	memset(r.err, 0, a->nfields * sizeof r.err[0]);
	r.action = a;
	r.base = base != NULL && *base != '\0' ? base : "/mail-settings/";
	r.status = 200;
	if (http_prepare(io, &r, a) == 0) {
		if (http_account(&r) == 0)
			http_act(&r);
		/* A statement that failed on a lost connection. */
		if (r.status == 500 && strncmp(db_sqlstate(), "08", 2) == 0)
			http_fail(&r, 503, "db_unavailable");
	}
	http_write(io, &r);
	db_rollback();
	http_release(&r);
}

/* Configuration, keys and the database, once per process. */
static int
http_start(const struct action *a)
{
	const char *path = config_default_path();

	if (config_load(path) == -1 ||
	    (a->seals &&
	     crypto_load_master(config_str("master_key_file")) == -1) ||
	    session_init(config_str("session_key_file")) == -1)
		return -1;
	/* A database that is down now is retried at each request. */
	db_connect(config_str("database"));
	return 0;
}

int
http_main(const struct action *a)
{
	struct io io;

	memset(&io, 0, sizeof io);
	if (a->nfields > FIELD_MAX || http_start(a) == -1)
		return 1;
	if (FCGX_IsCGI()) {
		io.cgi = 1;
		http_serve(&io, a);
		fflush(stdout);
		return 0;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&io.fx, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&io.fx) >= 0) {
		http_serve(&io, a);
		FCGX_Finish_r(&io.fx);
	}
	db_close();
	config_free();
	return 0;
}
