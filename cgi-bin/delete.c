/*
 * delete - POST /mail-settings/delete with kind=address|domain and id.
 * Without confirm=1 it answers the page with a <confirm> box (works
 * without JavaScript); with it, it deletes. An address only by the account
 * that registered it; a domain by anyone of its organization, its keys
 * retired and kept for history. Another organization's ids are not found.
 */
#include <string.h>

#include "db.h"
#include "eventlog.h"
#include "page.h"
#include "util.h"
#include "validate.h"
#include "xml.h"

/* n: 1 for a domain, 0 for an address. */
static const char *
check_kind(const char *in, struct field_value *v)
{
	v->n = strcmp(in, "domain") == 0;
	return v->n || strcmp(in, "address") == 0 ? NULL : "bad_request";
}

enum { F_KIND, F_ID, F_CONFIRM, F__MAX };
static const struct field fields[F__MAX] = {
    [F_KIND] = {"kind", check_kind, FIELD_PARAM | FIELD_REQUIRED},
    [F_ID] = {"id", valid_id, FIELD_PARAM},
    [F_CONFIRM] = {"confirm", valid_flag, FIELD_PARAM},
};

static int
find(struct req *r)
{
	long id = r->v[F_ID].n;

	return r->v[F_KIND].n ? page_find(r, DB_DOMAIN_GET, id)
			      : page_find_own(r, id);
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

static int
del(struct req *r)
{
	const char *kind = r->v[F_KIND].s;
	long id = r->v[F_ID].n;
	int domain = r->v[F_KIND].n != 0;
	PGresult *res = r->found;
	const char *name;

	name = domain ? PQgetvalue(res, 0, DOMAIN_GET_UNICODE)
		      : PQgetvalue(res, 0, ADDR_GET_ADDRESS);
	if (!r->v[F_CONFIRM].n)
		return page_confirm(r, kind, id, name);
	if (db_begin() == -1 ||
	    (domain ? remove_domain(r, id) : remove_address(r, id)) == -1 ||
	    eventlog_add(r->sess.org_id, r->sess.account_id,
			 domain ? "domain_deleted" : "address_deleted", kind,
			 id, name, NULL) == -1 ||
	    db_commit() == -1)
		return -1;
	if (domain)
		http_redirect_domain(r, "deleted", id, 0);
	else
		http_redirect(r, "deleted");
	return 0;
}

HTTP_MAIN(.name = "delete", .methods = HTTP_POST, .fields = fields,
	  .nfields = F__MAX, .find = find, .handle = del)
