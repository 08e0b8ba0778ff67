/*
 * dnstable.h - a test double: an in-memory struct dns_source. Production
 * code never includes this header (make check-layers).
 */
#ifndef SA_DNSTABLE_H
#define SA_DNSTABLE_H

#include <stdint.h>

#include "dns.h"

/*
 * In-memory table: a dns_source whose get() never returns NULL (unknown
 * names are NXDOMAIN, known names without the type are NODATA). Used by the
 * RFC 7208 conformance runner and unit tests.
 */
struct dns_table;
struct dns_table *dns_table_new(void);
void dns_table_free(struct dns_table *);
/* Marks (name, type) as timing out / failing, instead of holding records. */
int dns_table_set_status(struct dns_table *, const char *name,
			 enum dns_type type, enum dns_status);
/* Adds one RR. For TXT, pass the strings of one RR (n strings). */
int dns_table_add_a(struct dns_table *, const char *name, const uint8_t a[4]);
int dns_table_add_aaaa(struct dns_table *, const char *name,
		       const uint8_t aaaa[16]);
int dns_table_add_mx(struct dns_table *, const char *name, uint16_t pref,
		     const char *host);
int dns_table_add_ptr(struct dns_table *, const char *name, const char *host);
int dns_table_add_cname(struct dns_table *, const char *name,
			const char *target);
int dns_table_add_ns(struct dns_table *, const char *name, const char *host);
int dns_table_add_txt(struct dns_table *, const char *name, size_t n,
		      const char *const *str, const size_t *len);
struct dns_source dns_table_source(struct dns_table *);

#endif
