/*
 * reissue - POST /mail-settings/reissue: a DKIM key under a new selector
 * for a domain of the organization. A domain with an active key rotates
 * (rotate=1): without confirm=1 the page asks first (<confirm
 * kind="rotate">); with it a pending key is issued beside the active one,
 * which keeps signing, and the domain stays 設定済 until the verifier sees
 * the new record and makes it active. A domain without an active key (its
 * first key failed to issue, or its pending key is replaced) gets a new
 * pending key and its DKIM check starts over.
 */
#include <string.h>

#include "db.h"
#include "issue.h"
#include "keys.h"
#include "page.h"
#include "validate.h"

enum { F_ID, F_ROTATE, F_CONFIRM, F__MAX };
static const struct field fields[F__MAX] = {
    [F_ID] = {"id", valid_id, FIELD_PARAM},
    /* the page's 更新 button of a domain with an active key */
    [F_ROTATE] = {"rotate", valid_flag, FIELD_PARAM},
    /* the rotation's confirmation page answered */
    [F_CONFIRM] = {"confirm", valid_flag, FIELD_PARAM},
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
	const char *unicode = PQgetvalue(res, 0, DOMAIN_GET_UNICODE);
	int active =
	    strcmp(PQgetvalue(res, 0, DOMAIN_GET_HAS_ACTIVE), "t") == 0;
	int had = strcmp(PQgetvalue(res, 0, DOMAIN_GET_HAS_KEY), "t") == 0;

	if (active && !r->v[F_CONFIRM].n)
		return page_confirm(r, "rotate", r->v[F_ID].n, unicode);
	return keys_issue(r, active ? KEYS_ROTATE : KEYS_AGAIN, r->v[F_ID].n,
			  had, PQgetvalue(res, 0, DOMAIN_GET_NAME), unicode,
			  NULL);
}

HTTP_MAIN(.name = "reissue", .methods = HTTP_POST, .fields = fields,
	  .nfields = F__MAX, .find = find, .handle = reissue, .seals = 1)
