/*
 * delete - POST /mail-settings/delete with kind=address|domain and id.
 * Without confirm=1 it answers the page with a <confirm> box (works
 * without JavaScript); with it, it deletes. An address only by the account
 * that registered it; a domain by anyone of its organization, its keys
 * retired and kept for history. Another organization's ids are not found.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "eventlog.h"
#include "page.h"
#include "util.h"
#include "xml.h"

/* The page with a confirmation box for the object named name. */
static void
confirm_box(struct req *r, const char *kind, long id, const char *name)
{
	mxml_node_t *c;

	if (page_begin(r, 200, NULL) == -1)
		return;
	c = xml_el(r->root, "confirm");
	xml_attr(c, "kind", kind);
	xml_attr_num(c, "id", id);
	xml_attr(c, "name", name);
	page_end(r);
}

static int
remove_address(struct req *r, long id)
{
	char ids[NUMBUF], org[NUMBUF], acct[NUMBUF];
	const char *p[3] = {num(id, ids), num(r->sess.org_id, org),
			    num(r->sess.account_id, acct)};
	PGresult *res = db_exec(DB_ADDR_DELETE, 3, p);
	int n = res != NULL ? PQntuples(res) : -1;

	PQclear(res);
	return n == 1 ? 0 : -1;
}

static int
remove_domain(struct req *r, long id)
{
	char ids[NUMBUF], org[NUMBUF];
	const char *p[2] = {num(id, ids), num(r->sess.org_id, org)};
	PGresult *res = db_exec(DB_DOMAIN_DELETE, 2, p);
	int n = res != NULL ? PQntuples(res) : -1;

	PQclear(res);
	return n == 1 ? db_run(DB_KEY_RETIRE, 1, p) : -1;
}

static void
del(struct req *r)
{
	const char *kind = http_param(r, "kind");
	const char *confirm = http_param(r, "confirm");
	long id = http_id(r, "id");
	int domain = kind != NULL && strcmp(kind, "domain") == 0;
	const char *name;
	PGresult *res = NULL;

	if (kind == NULL || (!domain && strcmp(kind, "address") != 0)) {
		http_fail(r, 400, "bad_request");
		return;
	}
	if (db_begin() == -1)
		goto fail;
	res = domain ? page_lookup(r, DB_DOMAIN_GET, id)
		     : page_own_address(r, id);
	if (res == NULL)
		return;
	name = domain ? PQgetvalue(res, 0, DOMAIN_GET_UNICODE)
		      : PQgetvalue(res, 0, ADDR_GET_ADDRESS);
	if (confirm == NULL || strcmp(confirm, "1") != 0) {
		confirm_box(r, kind, id, name);
	} else if ((domain ? remove_domain(r, id) : remove_address(r, id)) ==
		       -1 ||
		   eventlog_add(r->sess.org_id, r->sess.account_id,
				domain ? "domain_deleted" : "address_deleted",
				kind, id, name, NULL) == -1 ||
		   db_commit() == -1) {
		goto fail;
	} else {
		http_redirect(r, "deleted");
	}
	PQclear(res);
	return;
fail:
	PQclear(res);
	http_fail(r, 500, "internal");
}

int
main(void)
{
	static const struct action a = {"delete", HTTP_POST, del};

	return http_main(&a);
}
