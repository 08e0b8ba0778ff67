/*
 * settings - GET /mail-settings/: the メール設定 page. ?notice= shows the
 * outcome of the last POST; ?edit=<id> fills the address form for editing
 * (only the registrant may).
 */
#include "db.h"
#include "page.h"
#include "util.h"

/* The register form filled from the address row res (DB_ADDR_GET). */
static void
edit_form(struct req *r, long id, PGresult *res)
{
	mxml_node_t *f = page_form(r, "register", id);

	page_field(f, "address", PQgetvalue(res, 0, ADDR_GET_ADDRESS), NULL);
	page_field(f, "smtp_host", PQgetvalue(res, 0, ADDR_GET_SMTP_HOST),
		   NULL);
	page_field(f, "smtp_port", PQgetvalue(res, 0, ADDR_GET_SMTP_PORT),
		   NULL);
	page_field(f, "smtp_user", PQgetvalue(res, 0, ADDR_GET_SMTP_USER),
		   NULL);
	page_field(f, "smtp_password", "", NULL);
	page_field(f, "note", PQgetvalue(res, 0, ADDR_GET_NOTE), NULL);
}

static void
settings(struct req *r)
{
	long edit = http_id(r, "edit");
	PGresult *res = NULL;

	if (edit > 0 && (res = page_own_address(r, edit)) == NULL)
		return;
	if (page_begin(r, 200, http_param(r, "notice")) == 0) {
		if (res != NULL)
			edit_form(r, edit, res);
		page_end(r);
	}
	PQclear(res);
}

int
main(void)
{
	static const struct action a = {"settings", HTTP_GET, settings};

	return http_main(&a);
}
