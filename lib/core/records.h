/*
 * records.h - the DNS records the product issues, formatted once for the
 * page, the API and the verifier's suggestions (DESIGN.md "Records issued").
 * Pure string work, no I/O.
 */
#ifndef SA_RECORDS_H
#define SA_RECORDS_H

#include <stddef.h>

#include "util.h"

/* Platform values from the configuration: spf_ip (repeated), spf_include.
 * Defaults are the product's: 210.198.21.20 and m01-ahd-sys.net. */
struct platform {
	const char *ips[16];
	size_t nips;
	const char *include; /* NULL or "" when none */
};
void records_platform(struct platform *);

/* "v=spf1 ip4:<ip>… ip6:<ip>… include:<include> ~all" (malloc'ed). */
char *records_spf(const struct platform *);
/* Appends the platform's terms alone, "ip4:<ip>… ip6:<ip>…
 * include:<include>" (include NULL or "": none); the SPF suggestion of
 * lib/verify/spf.c merges these into a domain's record. */
void records_spf_terms(struct buf *, const char *const *ips, size_t nips,
		       const char *include);

/* "v=DKIM1; k=rsa; p=<base64>" (malloc'ed). */
char *records_dkim_value(const char *p_b64);
/* "<selector>._domainkey.<domain>" (malloc'ed). */
char *records_dkim_host(const char *selector, const char *domain);
/* A zone-file line: <host>. IN TXT ( "…" "…" ) with strings of at most
 * max bytes each (255 per RFC 1035 §3.3.14); malloc'ed. */
char *records_zone_line(const char *host, const char *value, size_t max);

#endif
