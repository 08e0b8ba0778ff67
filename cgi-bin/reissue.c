/*
 * reissue - POST /mail-settings/reissue: issues a DKIM key under a new
 * selector for a domain of the organization, whether it has none (issuance
 * failed) or the user rotates it (rotate=1). The old key is retired, kept
 * for history; the page says the DNS record must be replaced.
 */
#include "db.h"
#include "keys.h"
#include "page.h"
#include "validate.h"

enum { F_ID, F_ROTATE, F__MAX };
static const struct field fields[F__MAX] = {
    [F_ID] = {"id", valid_id, FIELD_PARAM},
    /* the page's button for a domain with a key; a new selector either
     * way */
    [F_ROTATE] = {"rotate", valid_flag, FIELD_PARAM},
};

/* the slow key generation only for a domain of the organization */
static int
find(struct req *r)
{
	return page_find(r, DB_DOMAIN_GET, r->v[F_ID].n);
}

static int
reissue(struct req *r)
{
	PGresult *res = r->found;

	return keys_issue(r, r->v[F_ID].n, PQgetvalue(res, 0, DOMAIN_GET_NAME),
			  PQgetvalue(res, 0, DOMAIN_GET_UNICODE), NULL);
}

HTTP_MAIN(.name = "reissue", .methods = HTTP_POST, .fields = fields,
	  .nfields = F__MAX, .find = find, .handle = reissue)
