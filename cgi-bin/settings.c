/*
 * settings - GET /mail-settings/: the メール設定 page. ?notice= shows the
 * outcome of the last POST, &domain=<id> the domain it was about (and
 * &from=address that the name came from an address); ?edit=<id> fills the
 * address form for editing (only the registrant may); ?request=<id> asks
 * for the page to hand the person who edits DNS: the records of that
 * domain of the organization, printable and as a mail.
 */
#include <string.h>

#include "db.h"
#include "page.h"
#include "util.h"
#include "validate.h"
#include "xml.h"

/* Any text: the page shows only a notice it knows (page_begin). */
static const char *
any(const char *in, struct field_value *v)
{
	return NULL;
}

/* n: 1 for "address" (the notice's domain was taken from an address). */
static const char *
from(const char *in, struct field_value *v)
{
	v->n = strcmp(in, "address") == 0;
	return NULL;
}

enum { F_EDIT, F_NOTICE, F_DOMAIN, F_FROM, F_REQUEST, F__MAX };
static const struct field fields[F__MAX] = {
    [F_EDIT] = {"edit", valid_id, FIELD_PARAM},
    [F_NOTICE] = {"notice", any, FIELD_PARAM},
    [F_DOMAIN] = {"domain", valid_id, FIELD_PARAM},
    [F_FROM] = {"from", from, FIELD_PARAM},
    [F_REQUEST] = {"request", valid_id, FIELD_PARAM},
};

/* The domain a DNS request is for (404 when it is not the
 * organization's); else an address to edit, only the account's own; any
 * other edit value is ignored. */
static int
find(struct req *r)
{
	if (r->v[F_REQUEST].present)
		return page_find(r, DB_DOMAIN_GET, r->v[F_REQUEST].n);
	return r->v[F_EDIT].n > 0 ? page_find_own(r, r->v[F_EDIT].n) : 0;
}

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

static int
settings(struct req *r)
{
	int rc = -1;

	if (page_begin(r, 200, r->v[F_NOTICE].s) == -1 ||
	    page_notice_domain(r, r->v[F_DOMAIN].n, r->v[F_FROM].n) == -1)
		goto out;
	if (r->v[F_REQUEST].present)
		xml_attr_num(r->root, "request", r->v[F_REQUEST].n);
	else if (r->found != NULL)
		edit_form(r, r->v[F_EDIT].n, r->found);
	rc = page_end(r);
out:
	return rc;
}

HTTP_MAIN(.name = "settings", .methods = HTTP_GET, .fields = fields,
	  .nfields = F__MAX, .find = find, .handle = settings,
	  .reads = page_reads_settings)
