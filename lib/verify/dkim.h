/*
 * dkim.h - DKIM key records (RFC 6376 §3.6.1) and the product's verdict on
 * a customer's published key (DESIGN.md "Verification semantics", DKIM).
 * The tag-list syntax of RFC 6376 §3.2 is lib/verify/taglist.h's.
 *
 * The verdict runs over a struct dns_source (lib/verify/dns.h) and is
 * restartable: when an answer is not known yet it returns 1 and the caller
 * resolves what the source recorded and calls again from the start.
 */
#ifndef SA_DKIM_H
#define SA_DKIM_H

#include <stddef.h>

#include "dns.h"

/* A key record as published. p points into the parsed text and keeps the
 * FWS the publisher put in it; k is the key type ("rsa" when absent). */
struct dkim_key {
	const char *p;
	size_t plen;
	const char *k;
	size_t klen;
	const char *problem; /* on a syntax error: what (static text) */
};

/* Parses one key record (the strings of one TXT RR concatenated): the
 * tag-list, v= first when present and exactly "DKIM1", p= present, and the
 * value syntax of k=, h=, s= and t=; p= holds only base64 characters and
 * FWS (RFC 6376 §3.6.1), its length and padding are dkim_key_judge()'s.
 * Unknown tags are ignored (§3.2). Returns 0, or -1 on a syntax error. */
int dkim_key_parse(const char *txt, size_t len, struct dkim_key *out);

/*
 * Decodes base64 that may hold FWS (RFC 6376 §2.10 "base64string"); the
 * final "=" padding may be missing. Returns the decoded length (the
 * caller's out has room for (len / 4 + 1) * 3 bytes), or -1 when invalid.
 */
long dkim_base64_decode(const char *s, size_t len, unsigned char *out);

/* Reasons of DESIGN.md, in the order they are documented (dkim-reason of
 * xsl/senderauth.rng). */
enum dkim_reason {
	DKIM_OK,
	DKIM_NO_RECORD,
	DKIM_KEY_MISMATCH,
	DKIM_KEY_TRUNCATED,
	DKIM_REVOKED,
	DKIM_SYNTAX_ERROR,
	DKIM_MULTIPLE_RECORDS,
	DKIM_WRONG_KEY_TYPE,
	DKIM_DOUBLED_DOMAIN,
	DKIM_DNS_ERROR,
	DKIM_NO_SELECTOR, /* no key issued, nothing to check (skipped) */
	DKIM_REASON__MAX
};

enum dkim_status {
	DKIM_STATUS_UNVERIFIED, /* first: a zeroed verdict is not verified */
	DKIM_STATUS_VERIFIED,
	DKIM_STATUS_TEMPFAIL,
	DKIM_STATUS_SKIPPED,
	DKIM_STATUS__MAX
};

/* The names of DESIGN.md and the schema; "unknown" out of range. */
const char *dkim_reason_name(enum dkim_reason);
const char *dkim_status_name(enum dkim_status);
/* The status a reason implies: ok is verified, dns_error tempfail,
 * no_selector skipped, every other reason unverified. */
enum dkim_status dkim_reason_status(enum dkim_reason);

/* Compares a parsed key with the issued key (base64 of the DER
 * SubjectPublicKeyInfo, as records_dkim_value() publishes it):
 * DKIM_OK, DKIM_REVOKED (empty p=), DKIM_WRONG_KEY_TYPE (k= not rsa),
 * DKIM_KEY_TRUNCATED (the published p= is a strict prefix of the issued
 * base64: a value cut at a 255-byte string boundary), DKIM_SYNTAX_ERROR
 * (p= not base64) or DKIM_KEY_MISMATCH. */
enum dkim_reason dkim_key_judge(const struct dkim_key *, const char *expected);

/* The verdict on one domain: the reason and the status it implies
 * (dkim_reason_status()); name the queried host; record the key record
 * found (strings of its RR concatenated, NULL when none or several). */
struct dkim_verdict {
	enum dkim_status status;
	enum dkim_reason reason;
	char *name;   /* malloc'ed */
	char *record; /* malloc'ed or NULL */
};

/*
 * Looks up TXT at <selector>._domainkey.<domain> (CNAMEs are followed by
 * the source) and judges it against the expected base64 key: verified iff
 * exactly one key record there and its p= is the expected key. When
 * nothing is published there, also asks <selector>._domainkey.<domain>.
 * <domain> to recognise a DNS panel that appended the zone twice
 * (doubled_domain). SERVFAIL or timeout on the key's name is tempfail
 * (dns_error). Returns 0 when the verdict is complete, 1 when DNS answers
 * are needed, -1 on allocation failure; only after 0 does *out hold
 * anything, which dkim_verdict_release() frees.
 */
int dkim_verdict(const char *domain, const char *selector, const char *expected,
		 const struct dns_source *, struct dkim_verdict *out);
void dkim_verdict_release(struct dkim_verdict *);

#endif
