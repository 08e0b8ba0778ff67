/*
 * add-domain - POST /mail-settings/add-domain: normalizes what the user
 * typed (validate_domain), stores the domain with the SPF record of the
 * configuration and issues its DKIM key. A name deleted earlier from this
 * organization is confirmed first (confirm_readd=1): the new selector and
 * key replace the old DNS record. If the key cannot be issued the domain is
 * kept with its SPF record and the page offers DKIMレコード発行.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "keys.h"
#include "eventlog.h"
#include "page.h"
#include "records.h"
#include "util.h"
#include "validate.h"
#include "xml.h"

static const char *
check_domain(const char *v)
{
	char a[DOMAIN_MAX + 1], u[ULABEL_MAX + 1];

	return validate_domain(v, a, u);
}

static const struct field_spec fields[] = {
    {"domain", check_domain, 0},
};

/* The page with the form as typed: a field error, or the re-add warning
 * (a, u set). */
static void
again(struct req *r, int status, const char *err, const char *a, const char *u)
{
	mxml_node_t *w;

	if (page_begin(r, status, NULL) == -1)
		return;
	if (err != NULL)
		page_error(r, "invalid_form");
	page_fields(r, "add_domain", 0, fields, 1, &err);
	if (a != NULL) {
		w = xml_el(r->root, "readd-warning");
		xml_attr(w, "domain", a);
		xml_attr(w, "unicode", u);
	}
	page_end(r);
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
insert(struct req *r, const char *a, const char *u)
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
	p[1] = a;
	p[2] = u;
	p[3] = num(r->sess.account_id, acct);
	p[4] = spf;
	if ((res = db_exec(DB_DOMAIN_INSERT, 5, p)) != NULL)
		id = atol(PQgetvalue(res, 0, DOMAIN_INSERT_ID));
	PQclear(res);
	free(spf);
	return id;
}

/* Stores the domain and, when generated, its key; commits. 0 / -1. */
static int
store(struct req *r, const char *a, const char *u, struct key_pair *k,
      int have_key)
{
	char sel[SELECTOR_MAX + 1];
	long id;

	if ((id = insert(r, a, u)) == -1)
		return -1;
	if (eventlog_add(r->sess.org_id, r->sess.account_id, "domain_added",
			 "domain", id, u, NULL) == -1)
		return -1;
	if (have_key && keys_store(id, a, k, sel) == -1)
		return -1;
	if (eventlog_add(r->sess.org_id, r->sess.account_id,
			 have_key ? "dkim_issued" : "dkim_failed", "domain", id,
			 u, have_key ? sel : NULL) == -1)
		return -1;
	return db_commit();
}

static void
add(struct req *r)
{
	char a[DOMAIN_MAX + 1], u[ULABEL_MAX + 1];
	const char *err, *confirm = http_param(r, "confirm_readd");
	struct key_pair k;
	int have_key, dup, readd;

	if (page_check(r, fields, 1, &err) > 0) {
		again(r, 422, err, NULL, NULL);
		return;
	}
	validate_domain(http_param(r, "domain"), a, u);
	if ((dup = exists(r, DB_DOMAIN_BY_NAME, a)) == -1 ||
	    (readd = exists(r, DB_DOMAIN_WAS_DELETED, a)) == -1) {
		http_fail(r, 500, "internal");
		return;
	}
	if (dup) {
		again(r, 422, "duplicate", NULL, NULL);
		return;
	}
	if (readd && (confirm == NULL || strcmp(confirm, "1") != 0)) {
		again(r, 200, NULL, a, u);
		return;
	}
	/* the slow step, outside the transaction; a name added meanwhile is
	 * still caught by the unique index */
	have_key = keys_generate(&k) == 0;
	if (db_begin() == -1 || store(r, a, u, &k, have_key) == -1) {
		if (db_unique_violation()) {
			db_rollback();
			again(r, 422, "duplicate", NULL, NULL);
		} else {
			http_fail(r, 500, "internal");
		}
	} else {
		http_redirect(r, have_key ? "issued" : "dkim_failed");
	}
	keys_release(&k);
}

int
main(void)
{
	static const struct action a = {"add-domain", HTTP_POST, add};

	return http_main(&a);
}
