/*
 * reissue - POST /mail-settings/reissue: issues a DKIM key under a new
 * selector for a domain of the organization, whether it has none (issuance
 * failed) or the user rotates it. The old key is retired, kept for
 * history; the page says the DNS record must be replaced.
 */
#include "db.h"
#include "keys.h"
#include "eventlog.h"
#include "page.h"
#include "util.h"

static void
reissue(struct req *r)
{
	char sel[SELECTOR_MAX + 1], ids[NUMBUF];
	long id = http_id(r, "id");
	const char *p[1] = {num(id, ids)};
	struct key_pair k;
	PGresult *res;
	int have_key;

	/* the slow key generation only for a domain of the organization,
	 * and outside the transaction */
	if ((res = page_lookup(r, DB_DOMAIN_GET, id)) == NULL)
		return;
	have_key = keys_generate(&k) == 0;
	if (db_begin() == -1 ||
	    (have_key && (keys_store(id, PQgetvalue(res, 0, DOMAIN_GET_NAME),
				     &k, sel) == -1 ||
			  db_run(DB_DOMAIN_RESET_DKIM, 1, p) == -1)) ||
	    eventlog_add(r->sess.org_id, r->sess.account_id,
			 have_key ? "dkim_reissued" : "dkim_failed", "domain",
			 id, PQgetvalue(res, 0, DOMAIN_GET_UNICODE),
			 have_key ? sel : NULL) == -1 ||
	    db_commit() == -1)
		http_fail(r, 500, "internal");
	else
		http_redirect(r, have_key ? "reissued" : "dkim_failed");
	keys_release(&k);
	PQclear(res);
}

int
main(void)
{
	static const struct action a = {"reissue", HTTP_POST, reissue};

	return http_main(&a);
}
