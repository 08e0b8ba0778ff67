/*
 * add-domain - POST /mail-settings/add-domain: normalizes what the user
 * typed (valid_domain), stores the domain with the SPF record of the
 * configuration and issues its DKIM key. A name deleted earlier from this
 * organization is confirmed first (confirm_readd=1): the new selector and
 * key replace the old DNS record. If the key cannot be issued the domain is
 * kept with its SPF record and the page offers DKIMレコード発行.
 */
#include <stdlib.h>

#include "db.h"
#include "eventlog.h"
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
		id = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	free(spf);
	return id;
}

/* Stores the domain and, when generated, its key; commits. 0 / -1. */
static int
store(struct req *r, struct key_pair *k, int have_key)
{
	const struct field_value *d = &r->v[F_DOMAIN];
	char sel[SELECTOR_MAX + 1];
	long id;

	if ((id = insert(r)) == -1)
		return -1;
	if (eventlog_add(r->sess.org_id, r->sess.account_id, "domain_added",
			 "domain", id, d->unicode, NULL) == -1)
		return -1;
	if (have_key && keys_store(id, d->norm, k, sel) == -1)
		return -1;
	if (eventlog_add(r->sess.org_id, r->sess.account_id,
			 have_key ? "dkim_issued" : "dkim_failed", "domain", id,
			 d->unicode, have_key ? sel : NULL) == -1)
		return -1;
	return db_commit();
}

static int
add(struct req *r)
{
	const struct field_value *d = &r->v[F_DOMAIN];
	struct key_pair k = {0};
	int dup, readd, have_key, rc = -1;

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
	/* the slow step, outside the transaction; a name added meanwhile is
	 * still caught by the unique index */
	have_key = keys_generate(&k) == 0;
	if (db_begin() == -1 || store(r, &k, have_key) == -1) {
		if (db_unique_violation())
			http_invalid(r, F_DOMAIN, "duplicate", NULL);
		goto out;
	}
	http_redirect(r, have_key ? "issued" : "dkim_failed");
	rc = 0;
out:
	keys_release(&k);
	return rc;
}

HTTP_MAIN(.name = "add-domain", .methods = HTTP_POST, .fields = fields,
	  .nfields = F__MAX, .form = "add_domain", .handle = add)
