/*
 * add-domain - POST /mail-settings/add-domain: normalizes what the user
 * typed (valid_domain: an address gives its domain, which the notice
 * names), stores the domain with the SPF record of the configuration and
 * issues its DKIM key; the answer goes to the domain's card. A name deleted
 * earlier from this organization is confirmed first (confirm_readd=1): the new
 * selector and key replace the old DNS record. If the key cannot be issued the
 * domain is kept with its SPF record and the page offers DKIMレコード発行.
 */
#include <stdlib.h>

#include "db.h"
#include "eventlog.h"
#include "issue.h"
#include "keys.h"
#include "page.h"
#include "records.h"
#include "util.h"
#include "validate.h"
#include "xml.h"

enum { F_DOMAIN, F_CONFIRM, F__MAX };
static const struct field fields[F__MAX] = {
    [F_DOMAIN] = {"domain", valid_domain, FIELD_REQUIRED},
    [F_CONFIRM] = {"confirm_readd", valid_flag, FIELD_PARAM},
};

/* The page with the form as typed and the re-add warning; 0 / -1. */
static int
readd_warning(struct req *r)
{
	mxml_node_t *w;

	if (page_begin(r, 200, NULL) == -1)
		return -1;
	page_fields(r);
	w = xml_el(r->root, "readd-warning");
	xml_attr(w, "domain", r->v[F_DOMAIN].norm);
	xml_attr(w, "unicode", r->v[F_DOMAIN].unicode);
	return page_end(r);
}

/* 1 when statement st finds a row for (org, name), 0 when not, -1. */
static int
exists(struct req *r, enum db_stmt st, const char *name)
{
	char org[NUMBUF];
	const char *p[2] = {num(r->sess.org_id, org), name};
	PGresult *res = db_exec(st, 2, p);
	int n = res != NULL ? PQntuples(res) > 0 : -1;

	PQclear(res);
	return n;
}

/* In keys_issue()'s transaction: the domain, logged; its id or -1. */
static long
insert(struct req *r)
{
	char org[NUMBUF], acct[NUMBUF];
	struct platform pl;
	char *spf;
	const char *p[5];
	PGresult *res;
	long id = -1;

	records_platform(&pl);
	if ((spf = records_spf(&pl)) == NULL)
		return -1;
	p[0] = num(r->sess.org_id, org);
	p[1] = r->v[F_DOMAIN].norm;
	p[2] = r->v[F_DOMAIN].unicode;
	p[3] = num(r->sess.account_id, acct);
	p[4] = spf;
	if ((res = db_exec(DB_DOMAIN_INSERT, 5, p)) != NULL)
		id = atol(PQgetvalue(res, 0, DOMAIN_INSERT_ID));
	PQclear(res);
	free(spf);
	if (id != -1 &&
	    eventlog_add(r->sess.org_id, r->sess.account_id, "domain_added",
			 "domain", id, p[2], NULL) == -1)
		id = -1;
	return id;
}

static int
add(struct req *r)
{
	const struct field_value *d = &r->v[F_DOMAIN];
	int dup, readd, rc = -1;

	if ((dup = exists(r, DB_DOMAIN_BY_NAME, d->norm)) == -1 ||
	    (readd = exists(r, DB_DOMAIN_WAS_DELETED, d->norm)) == -1)
		goto out;
	if (dup) {
		http_invalid(r, F_DOMAIN, "duplicate", NULL);
		goto out;
	}
	if (readd && !r->v[F_CONFIRM].n) {
		rc = readd_warning(r);
		goto out;
	}
	/* the notice says which domain an address gave */
	r->notice_from = d->n ? "address" : NULL;
	if (keys_issue(r, KEYS_ADD, 0, 0, d->norm, d->unicode, insert) == -1) {
		if (db_unique_violation())
			http_invalid(r, F_DOMAIN, "duplicate", NULL);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

HTTP_MAIN(.name = "add-domain", .methods = HTTP_POST, .fields = fields,
	  .nfields = F__MAX, .form = "add_domain", .handle = add, .seals = 1)
