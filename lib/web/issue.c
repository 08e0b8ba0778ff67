/*
 * issue.c - a request's DKIM key issuance (issue.h): the slow step first,
 * outside the transaction, then the key, the domain's checks, the event
 * and the answer together.
 */
#include "db.h"
#include "eventlog.h"
#include "http.h"
#include "issue.h"
#include "keys.h"
#include "util.h"

/* The event and the notice of an issuance. */
static void
issue_names(enum keys_issue_kind kind, int had_key, int have_key,
	    const char **event, const char **notice)
{
	if (!have_key) {
		*event = *notice = "dkim_failed";
	} else if (kind == KEYS_ROTATE) {
		*event = "dkim_rotation_started";
		*notice = "rotation_started";
	} else if (kind == KEYS_AGAIN && had_key) {
		*event = "dkim_reissued";
		*notice = "reissued";
	} else {
		/* a domain's first key, also when issued again after its
		 * issuance failed: not a reissue, nothing to replace */
		*event = "dkim_issued";
		*notice = kind == KEYS_ADD ? "issued" : "dkim_issued";
	}
}

int
keys_issue(struct req *r, enum keys_issue_kind kind, long id, int had_key,
	   const char *name, const char *unicode, long (*add)(struct req *))
{
	char sel[SELECTOR_MAX + 1], ids[NUMBUF];
	const char *p[1], *event, *notice;
	struct key_pair k;
	int have_key, rc = -1;

	/* the slow step, outside the transaction; a name added meanwhile is
	 * still caught by the unique index */
	have_key = keys_get(&k) == 0;
	issue_names(kind, had_key, have_key, &event, &notice);
	if (db_begin() == -1 || (kind == KEYS_ADD && (id = add(r)) == -1))
		goto out;
	p[0] = num(id, ids);
	if (have_key && (keys_store(id, r->sess.org_id, name, &k, sel) == -1 ||
			 (kind != KEYS_ADD &&
			  db_run(kind == KEYS_ROTATE ? DB_DOMAIN_ROTATE
						     : DB_DOMAIN_RESET_DKIM,
				 1, p) == -1)))
		goto out;
	if (eventlog_add(r->sess.org_id, r->sess.account_id, event, "domain",
			 id, unicode, have_key ? sel : NULL) == -1 ||
	    db_commit() == -1)
		goto out;
	http_redirect_domain(r, notice, id, 1);
	rc = 0;
out:
	keys_release(&k);
	return rc;
}
