/*
 * settings - GET /mail-settings/: the メール設定 page. ?notice= shows the
 * outcome of the last POST; ?edit=<id> fills the address form for editing
 * (only the registrant may).
 */
#include <stdlib.h>

#include "db.h"
#include "page.h"
#include "util.h"

/* The register form filled from address id, when the account owns it. */
static int
edit_form(struct req *r, long id)
{
	char ids[NUMBUF], org[NUMBUF];
	const char *p[2] = {num(id, ids), num(r->sess.org_id, org)};
	mxml_node_t *f;
	PGresult *res;

	if ((res = db_exec(DB_ADDR_GET, 2, p)) == NULL) {
		http_fail(r, 500, "internal");
		return -1;
	}
	if (PQntuples(res) != 1)
		page_error(r, "not_found");
	else if (atol(PQgetvalue(res, 0, 7)) != r->sess.account_id)
		page_error(r, "not_registrant");
	else {
		f = page_form(r, "register", id);
		page_field(f, "address", PQgetvalue(res, 0, 1), NULL);
		page_field(f, "smtp_host", PQgetvalue(res, 0, 2), NULL);
		page_field(f, "smtp_port", PQgetvalue(res, 0, 3), NULL);
		page_field(f, "smtp_user", PQgetvalue(res, 0, 4), NULL);
		page_field(f, "smtp_password", "", NULL);
		page_field(f, "note", PQgetvalue(res, 0, 6), NULL);
	}
	PQclear(res);
	return 0;
}

static void
settings(struct req *r)
{
	long edit = http_id(r, "edit");

	if (page_begin(r, 200, http_param(r, "notice")) == -1)
		return;
	if (edit > 0 && edit_form(r, edit) == -1)
		return;
	page_end(r);
}

int
main(void)
{
	static const struct action a = {"settings", HTTP_GET, settings};

	return http_main(&a);
}
