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
 * lib/web/issue.h's keys_issue().
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

#endif
