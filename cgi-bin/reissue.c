/*
 * reissue - POST /mail-settings/reissue: issues a DKIM key under a new
 * selector for a domain of the organization, whether it has none (issuance
 * failed) or the user rotates it (rotate=1). The old key is retired, kept
 * for history; the page says the DNS record must be replaced.
 */
#include "db.h"
#include "eventlog.h"
#include "keys.h"
#include "page.h"
#include "util.h"
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
	char sel[SELECTOR_MAX + 1], ids[NUMBUF];
	long id = r->v[F_ID].n;
	const char *p[1] = {num(id, ids)};
	PGresult *res = r->found;
	struct key_pair k;
	int have_key, rc = -1;

	/* outside the transaction */
	have_key = keys_generate(&k) == 0;
	if (db_begin() == -1 ||
	    (have_key &&
	     (keys_store(id, PQgetvalue(res, 0, 1), &k, sel) == -1 ||
	      db_run(DB_DOMAIN_RESET_DKIM, 1, p) == -1)) ||
	    eventlog_add(r->sess.org_id, r->sess.account_id,
			 have_key ? "dkim_reissued" : "dkim_failed", "domain",
			 id, PQgetvalue(res, 0, 2),
			 have_key ? sel : NULL) == -1 ||
	    db_commit() == -1)
		goto out;
	http_redirect(r, have_key ? "reissued" : "dkim_failed");
	rc = 0;
out:
	keys_release(&k);
	return rc;
}

HTTP_MAIN(.name = "reissue", .methods = HTTP_POST, .fields = fields,
	  .nfields = F__MAX, .find = find, .handle = reissue)
