/*
 * keys.h - issuing a domain's DKIM key: an RSA pair (dkim_bits), taken
 * from the pool of pre-generated keys when it has one (sql/002,
 * senderauth-admin pool-fill), else generated; a selector YYYYMMDD of the
 * issue date in Japan time with a suffix (-2, -3 …) when that selector
 * already exists for the same domain name in any organization; the private
 * key sealed for its row. A new key is pending until the verifier sees its
 * record (DESIGN.md "DKIM key lifecycle"). The fault switch
 * dkim_fault_file makes issuance fail on purpose while the file exists
 * (tests). A request's whole issuance (transaction, event log, answer) is
 * keys_issue().
 */
#ifndef SA_KEYS_H
#define SA_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define SELECTOR_MAX 32

struct key_pair {
	char *pub_b64; /* DKIM p= */
	uint8_t *der;  /* PKCS#8 private key: secret, wiped on release */
	size_t der_len;
	int bits;
	int pooled; /* taken from the pool */
};

/* The selector for base (YYYYMMDD): base itself, else base-2, base-3 …,
 * the first not among taken[0..n). out: SELECTOR_MAX + 1 bytes. */
void keys_selector_pick(const char *base, const char *const *taken, size_t n,
			char *out);
/* A new pair: generated (slow, call outside transactions). 0 / -1. */
int keys_generate(struct key_pair *);
/* A pair of dkim_bits bits from the pool (in a statement of its own, so
 * call outside transactions), else a new one; -1 when neither could be
 * had or the fault switch is on. */
int keys_get(struct key_pair *);
void keys_release(struct key_pair *);
/* Seals k's private key for the row (crypto_row()); 0 / -1. */
int keys_seal(const struct key_pair *k, const char *row, uint8_t **sealed,
	      size_t *len);
/* Inside the caller's transaction: retires the domain's pending key (an
 * active key stays), chooses the selector and stores the pair as the
 * domain's pending key. selector receives it (SELECTOR_MAX + 1 bytes).
 * 0 / -1. */
int keys_store(long domain_id, long org_id, const char *domain,
	       const struct key_pair *, char *selector);

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
 * be had); commits and answers 303 with the notice (issued, reissued,
 * rotation_started, dkim_failed). id: the existing domain's; had_key: a
 * key was issued for it before (KEYS_AGAIN logs dkim_issued otherwise);
 * name, unicode: its A-label and U-label forms. 0, or -1 with nothing
 * answered (db_unique_violation() tells a duplicate).
 */
int keys_issue(struct req *, enum keys_issue_kind, long id, int had_key,
	       const char *name, const char *unicode,
	       long (*add)(struct req *));

#endif
