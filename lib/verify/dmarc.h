/*
 * dmarc.h - DMARC policy records (RFC 7489 §6.3, §6.4) and the product's
 * informational verdict on the policy that applies to a domain (DESIGN.md:
 * found with its policy, missing, invalid, tempfail): the record at
 * _dmarc.<domain>, else the organizational domain's (§6.6.3). DMARC never
 * gates a domain's status.
 *
 * Like SPF and DKIM, the verdict runs over a struct dns_source and is
 * restartable: it returns 1 when an answer is not known yet.
 */
#ifndef SA_DMARC_H
#define SA_DMARC_H

#include <stddef.h>

#include "dns.h"

/* Does this TXT record claim to be DMARC (it starts with a v= tag whose
 * value begins "DMARC1", in any case)? RFC 7489 §6.6.3 discards the
 * others; these are then parsed strictly, so a misspelt record is reported
 * invalid rather than missing. */
int dmarc_is_candidate(const char *txt, size_t len);

struct dmarc_record {
	const char *policy;  /* "none", "quarantine" or "reject" */
	const char *sp;	     /* subdomain policy, NULL when absent */
	int pct;	     /* 0..100, 100 when absent */
	const char *problem; /* on a syntax error: what (static text) */
};

/* Parses one DMARC record (the strings of one TXT RR concatenated): a
 * tag-list (RFC 6376 §3.2 syntax, tag names case-insensitive) whose first
 * tag is v=DMARC1 exactly, with a p= of none / quarantine / reject, and
 * valid values for sp, adkim, aspf, pct, fo, rf, ri, rua and ruf
 * (§6.4). Unknown tags are ignored (§6.3). Returns 0, or -1 with
 * out->problem set. */
int dmarc_record_parse(const char *txt, size_t len, struct dmarc_record *out);

/* The reasons, in the order of xsl/senderauth.rng, and the status each
 * implies: ok found, no_record missing, multiple_records and syntax_error
 * invalid, dns_error tempfail. */
enum dmarc_reason {
	DMARC_REASON_OK,
	DMARC_REASON_NO_RECORD,
	DMARC_REASON_MULTIPLE_RECORDS,
	DMARC_REASON_SYNTAX_ERROR,
	DMARC_REASON_DNS_ERROR,
	DMARC_REASON__MAX
};

enum dmarc_status {
	DMARC_STATUS_MISSING, /* first: a zeroed verdict has found nothing */
	DMARC_STATUS_FOUND,
	DMARC_STATUS_INVALID,
	DMARC_STATUS_TEMPFAIL,
	DMARC_STATUS__MAX
};

/* The names of DESIGN.md and the schema; "unknown" out of range. */
const char *dmarc_reason_name(enum dmarc_reason);
const char *dmarc_status_name(enum dmarc_status);

struct dmarc_verdict {
	enum dmarc_status status;
	enum dmarc_reason reason;
	/* when found: the policy that applies to the domain, the p= value of
	 * its own record or, from the organizational domain's, its sp= value
	 * when present, else its p= (§6.3); NULL otherwise */
	const char *policy;
	char *record; /* the record judged, or NULL (malloc'ed) */
	/* where the record judged was looked up when it is not the domain's
	 * own: the organizational domain, with status found, invalid or
	 * tempfail; else NULL (malloc'ed) */
	char *org_domain;
};

/* The organizational domain of an A-label domain in lower case (RFC 7489
 * §3.2): its registrable domain by the Public Suffix List (libpsl over the
 * list of Debian's publicsuffix package, its ICANN and private sections),
 * a suffix of domain itself; NULL when domain is a public suffix or the
 * list could not be loaded (logged once). */
const char *dmarc_org_domain(const char *domain);

/* Looks up TXT at _dmarc.<domain> and, when no DMARC record is there
 * (NXDOMAIN, or no TXT record starting v=DMARC1) and the domain is not
 * itself an organizational domain or a public suffix, at
 * _dmarc.<organizational domain> (§6.6.3). Several records or a DNS
 * failure at the domain end the discovery there. Returns 0 when the
 * verdict is complete, 1 when DNS answers are needed, -1 on allocation
 * failure; only after 0 does *out hold anything, which
 * dmarc_verdict_release() frees. */
int dmarc_verdict(const char *domain, const struct dns_source *,
		  struct dmarc_verdict *out);
void dmarc_verdict_release(struct dmarc_verdict *);

#endif
