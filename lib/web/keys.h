/*
 * keys.h - issuing a domain's DKIM key: an RSA pair (dkim_bits), a
 * selector YYYYMMDD of the issue date in Japan time with a suffix (-2, -3 …)
 * when that selector already exists for the same domain name in any
 * organization, the private key sealed. The fault switch dkim_fault_file
 * makes issuance fail on purpose while the file exists (tests). A request's
 * whole issuance (transaction, event log, answer) is keys_issue().
 */
#ifndef SA_KEYS_H
#define SA_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define SELECTOR_MAX 32

struct key_pair {
	char *pub_b64;	 /* DKIM p= */
	uint8_t *sealed; /* sealed PKCS#8 private key */
	size_t sealed_len;
	int bits;
};

/* The selector for base (YYYYMMDD): base itself, else base-2, base-3 …,
 * the first not among taken[0..n). out: SELECTOR_MAX + 1 bytes. */
void keys_selector_pick(const char *base, const char *const *taken, size_t n,
			char *out);
/* Generates and seals a pair; 0 / -1 (key generation failed, or the
 * fault switch is on). Slow: call outside transactions. */
int keys_generate(struct key_pair *);
void keys_release(struct key_pair *);
/* Inside the caller's transaction: retires the domain's active key,
 * chooses the selector and stores the pair as active. selector receives
 * it (SELECTOR_MAX + 1 bytes). 0 / -1. */
int keys_store(long domain_id, const char *domain, const struct key_pair *,
	       char *selector);

struct req;
/*
 * Issues a DKIM key for the request's domain, the one way add-domain and
 * reissue do it: generates the pair outside any transaction (slow), then
 * in one transaction runs add when the domain is new (it inserts the
 * domain and returns its id, or -1), stores the pair (an existing domain's
 * DKIM check starts over) and logs dkim_issued or dkim_reissued, or
 * dkim_failed when no pair could be made; commits and answers 303 with
 * the notice issued, reissued or dkim_failed. id: the existing domain's
 * (add NULL); name, unicode: its A-label and U-label forms. 0, or -1 with
 * nothing answered (db_unique_violation() tells a duplicate).
 */
int keys_issue(struct req *, long id, const char *name, const char *unicode,
	       long (*add)(struct req *));

#endif
