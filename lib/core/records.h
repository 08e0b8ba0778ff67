/*
 * records.h - the DNS records the product issues, formatted once for the
 * page, the API and the verifier's suggestions (DESIGN.md "Records issued").
 * Pure string work, no I/O.
 */
#ifndef SA_RECORDS_H
#define SA_RECORDS_H

#include <stddef.h>

#include "util.h"

/* What a customer's SPF record may end with (configuration spf_all):
 * under softfail a record ending "-all" is not verified (hardfail_all);
 * any accepts every "all" but "+all". */
enum spf_policy { SPF_POLICY_SOFTFAIL, SPF_POLICY_ANY };

#define PLATFORM_MAX_IPS 16

/* The platform a customer's SPF record must authorize, and the policy its
 * "all" is judged by: one struct for the page, the API and the verifier. */
struct platform {
	const char *ips[PLATFORM_MAX_IPS]; /* v4 or v6 */
	size_t nips;
	const char *include; /* NULL or "" when none */
	enum spf_policy policy;
};
/* Fills *p from the configuration: spf_ip (repeated), spf_include,
 * spf_all. Defaults are the product's: 210.198.21.20, m01-ahd-sys.net and
 * softfail. An spf_all value records_spf_policy() refuses is softfail. */
void records_platform(struct platform *p);
/* Parses an spf_all value, "softfail" or "any"; 0 / -1. */
int records_spf_policy(const char *s, enum spf_policy *out);

/* "v=spf1 ip4:<ip>… ip6:<ip>… include:<include> ~all" (malloc'ed). */
char *records_spf(const struct platform *);
/* Appends the platform's terms alone, "ip4:<ip>… ip6:<ip>…
 * include:<include>" (include NULL or "": none); the SPF suggestion of
 * lib/verify/spf-verdict.c merges these into a domain's record. */
void records_spf_terms(struct buf *, const struct platform *);

/* "v=DKIM1; k=rsa; p=<base64>" (malloc'ed). */
char *records_dkim_value(const char *p_b64);
/* "<selector>._domainkey.<domain>" (malloc'ed). */
char *records_dkim_host(const char *selector, const char *domain);
/* The one SPF record a domain should publish, as the page offers it
 * (xsl/page.xsl, mode publish): when DNS holds SPF records (found, one per
 * line), the verifier's merge of them with the platform's terms
 * (suggested), which replaces them, or the one found when status is
 * verified; else the issued record. Returns where the record starts in
 * one of the arguments; *len receives its length. */
const char *records_spf_publish(const char *issued, const char *found,
				const char *suggested, const char *status,
				size_t *len);
/* "_dmarc.<domain>" (malloc'ed). */
char *records_dmarc_host(const char *domain);
/* The DMARC record suggested to a domain without one (RFC 7489 §6.3):
 * "v=DMARC1; p=none", with "; rua=mailto:<rua>" when rua is a mail
 * address (its local part percent-encoded but for unreserved characters
 * and '+': §6.4 wants ',' and '!' encoded); malloc'ed. */
char *records_dmarc(const char *rua);
/* Appends s as a quoted CSV field (RFC 4180 §2: '"' doubled). */
void records_csv_field(struct buf *, const char *s);
/* A zone-file line: <host>. IN TXT ( "…" "…" ) with strings of at most
 * max bytes each (255 per RFC 1035 §3.3.14), '"', '\\' and bytes outside
 * printable ASCII escaped; malloc'ed. */
char *records_zone_line(const char *host, const char *value, size_t max);

#endif
