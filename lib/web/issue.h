/*
 * issue.h - a request's DKIM key issuance, written once for add-domain and
 * reissue: the pair (lib/core/keys.h) got outside the transaction, then
 * stored, the domain's checks restarted, the event logged and the answer
 * set in one transaction.
 */
#ifndef SA_ISSUE_H
#define SA_ISSUE_H

/* What an issuance is: the key of a domain being added; a domain's key
 * issued again (no active key: the first failed, or the pending one is
 * replaced); a rotation (a pending key beside the active one, which keeps
 * signing; the domain's status stays). */
enum keys_issue_kind { KEYS_ADD, KEYS_AGAIN, KEYS_ROTATE };

struct req;
/*
 * Issues a DKIM key for the request's domain, the one way add-domain and
 * reissue do it: gets the pair outside any transaction (the pool, else
 * generation), then in one transaction runs add when the domain is new
 * (KEYS_ADD: it inserts the domain and returns its id, or -1), stores the
 * pair, restarts the domain's checks (KEYS_AGAIN: its DKIM status starts
 * over; KEYS_ROTATE: its status stays) and logs the event (dkim_issued,
 * dkim_reissued, dkim_rotation_started, or dkim_failed when no pair could
 * be had); commits and answers 303 to the domain's card with the notice
 * (issued, dkim_issued: a first key after a failed one, reissued,
 * rotation_started, dkim_failed). id: the existing domain's;
 * had_key: a key was issued for it before (KEYS_AGAIN logs dkim_issued
 * otherwise); name, unicode: its A-label and U-label forms. 0, or -1 with
 * nothing answered (db_unique_violation() tells a duplicate).
 */
int keys_issue(struct req *, enum keys_issue_kind, long id, int had_key,
	       const char *name, const char *unicode,
	       long (*add)(struct req *));

#endif
