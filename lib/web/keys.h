/*
 * keys.h - issuing a domain's DKIM key: an RSA pair (dkim_bits), a
 * selector YYYYMMDD of the issue date in Japan time with a suffix (-2, -3 …)
 * when that selector already exists for the same domain name in any
 * organization, the private key sealed. The fault switch dkim_fault_file
 * makes issuance fail on purpose while the file exists (tests).
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

#endif
