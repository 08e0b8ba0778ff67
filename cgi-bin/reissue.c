/*
 * reissue - POST /mail-settings/reissue: issues a DKIM key under a new
 * selector for a domain of the organization, whether it has none (issuance
 * failed) or the user rotates it. The old key is retired, kept for
 * history; the page says the DNS record must be replaced.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "keys.h"
#include "log.h"
#include "page.h"
#include "util.h"

/* The domain's display name if it is the organization's (malloc'ed). */
static char *
domain_name(struct req *r, long id, char **alabel)
{
	char ids[NUMBUF], org[NUMBUF];
	const char *p[2] = {num(id, ids), num(r->sess.org_id, org)};
	PGresult *res = db_exec(DB_DOMAIN_GET, 2, p);
	char *u = NULL;

	if (res != NULL && PQntuples(res) == 1) {
		u = strdup(PQgetvalue(res, 0, 2));
		*alabel = strdup(PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	return u;
}

static void
reissue(struct req *r)
{
	char sel[SELECTOR_MAX + 1], ids[NUMBUF];
	long id = http_id(r, "id");
	const char *p[1] = {num(id, ids)};
	char *u = NULL, *a = NULL;
	struct key_pair k;
	int have_key = keys_generate(&k) == 0;

	if (db_begin() == -1)
		goto fail;
	if (id == 0 || (u = domain_name(r, id, &a)) == NULL) {
		if (page_begin(r, 404, NULL) == 0) {
			page_error(r, "not_found");
			page_end(r);
		}
		goto out;
	}
	if ((have_key && (keys_store(id, a, &k, sel) == -1 ||
			  db_run(DB_DOMAIN_RESET_DKIM, 1, p) == -1)) ||
	    log_event(r->sess.org_id, r->sess.account_id,
		      have_key ? "dkim_reissued" : "dkim_failed", "domain", id,
		      u, have_key ? sel : NULL) == -1 ||
	    db_commit() == -1)
		goto fail;
	http_redirect(r, have_key ? "reissued" : "dkim_failed");
	goto out;
fail:
	http_fail(r, 500, "internal");
out:
	keys_release(&k);
	free(u);
	free(a);
}

int
main(void)
{
	static const struct action a = {"reissue", HTTP_POST, reissue};

	return http_main(&a);
}
