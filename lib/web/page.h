/*
 * page.h - the settings document (tests/golden/settings-example.xml, schema
 * xsl/senderauth.rng): what GET /mail-settings/ answers and what every 422
 * answers, with the user's input kept in <form> elements. Built in two
 * halves so an action can put its forms and errors between them, in the
 * schema's order.
 */
#ifndef SA_PAGE_H
#define SA_PAGE_H

#include "db.h"
#include "http.h"

/* Root, account and organization. It also fetches, in one round trip,
 * the addresses and domains page_end() shows: call it once the action's
 * changes are made. notice may be NULL. 0, or -1 with the answer set
 * (500). */
int page_begin(struct req *, int status, const char *notice);
/* Fetches in one round trip (n at most 3) statements taking the
 * organization id, DB_KEY_OTHERS also dkim_retire_days, into out[0..n)
 * (free each with PQclear). 0, or -1 with the answer set (500). */
int page_lists(struct req *, int n, const enum db_stmt *st, PGresult **out);
/* Where the DMARC record suggested to domain (its DOMAIN_LIST_NAME) sends
 * its reports: dmarc_rua, else the domain's first sender address in addrs
 * (DB_ADDR_LIST), else NULL. */
const char *page_dmarc_rua(PGresult *addrs, const char *domain);
/* After page_begin() with a notice: the domain id it is about (any of
 * the organization's, deleted or not) as notice-domain (its name) and
 * notice-domain-id, and notice-from="address" when from_address (the name
 * was taken from an address). An id that is not the organization's names
 * nothing. 0, or -1 with the answer set (500). */
int page_notice_domain(struct req *, long id, int from_address);
/* The log document (tests/golden/log-example.xml) up to its events; the
 * organization's events, newest first (free with PQclear), or NULL with
 * the answer set. */
PGresult *page_log(struct req *);
/* The organization's addresses and domains as page_begin() fetched them;
 * 0, or -1 with the answer set. */
int page_end(struct req *);
/* The page-level error (invalid_form, not_registrant, not_found …). */
void page_error(struct req *, const char *code);
/* The whole page answering status with a page-level error code. */
void page_refuse(struct req *, int status, const char *code);
/* Looks up the row of address or domain id of the session's organization
 * (st: DB_ADDR_GET or DB_DOMAIN_GET) into req.found, which the serve loop
 * frees: 0, or -1 with the answer set: 404 not_found when it is not the
 * organization's (naming nothing), 500 when the database failed. */
int page_find(struct req *, enum db_stmt st, long id);
/* The same for an address the session's account registered; another
 * account's address answers 403 not_registrant. */
int page_find_own(struct req *, long id);
/* A <form name=…>; id > 0 adds id=. */
mxml_node_t *page_form(struct req *, const char *name, long id);
/* A <field> keeping what the user typed, with an optional error code;
 * returns the field for extra error attributes. */
mxml_node_t *page_field(mxml_node_t *form, const char *name, const char *value,
			const char *error);

/* The action's <form> (struct action: form, fields) with every form field
 * as typed and its error; returns the form. */
mxml_node_t *page_fields(struct req *);
/* The one 422: the whole page with invalid_form and the action's form,
 * every error at its field. 0, or -1 with another answer set. */
int page_invalid(struct req *);
/* A POST whose CSRF token failed on a form of this origin (req.csrf_retry):
 * the whole page answering 403 with bad_csrf, the action's form as typed
 * (every field as page_invalid() shows it, a password never) and the
 * session's token, for the user to send again. 0, or -1 with another
 * answer set. */
int page_retry(struct req *);

/* The page with a confirmation box (<confirm kind= id= name=>) for an
 * action on the object named name (delete, rotate); 0 / -1. */
int page_confirm(struct req *, const char *kind, long id, const char *name);

/* The serve loop's account check for a GET of the settings page or of
 * the log (struct action's reads): the account and the lists the page
 * shows in one round trip, kept for page_begin() / page_log(). 0, or -1
 * with the answer set. */
int page_reads_settings(struct req *);
int page_reads_log(struct req *);

#endif
