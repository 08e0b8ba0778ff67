/*
 * fuzz-dmarc.c - libFuzzer target for the DMARC parsers: recognising a
 * DMARC record, parsing it, and the verdict over the in-memory table with
 * the input published as TXT RRs at _dmarc (RRs split at 0xfe bytes,
 * strings of one RR at 0xff bytes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"
#include "dns.h"
#include "dnstable.h"

#define MAX_STRINGS 16

static void
add_rr(struct dns_table *t, const char *s, size_t size)
{
	const char *str[MAX_STRINGS];
	size_t len[MAX_STRINGS], n = 0, start = 0, i;

	for (i = 0; i <= size && n < MAX_STRINGS; i++)
		if (i == size || (unsigned char)s[i] == 0xff) {
			str[n] = s + start;
			len[n++] = i - start;
			start = i + 1;
		}
	dns_table_add_txt(t, "_dmarc.example.jp", n, str, len);
}

static void
verdict(const char *s, size_t size)
{
	struct dmarc_verdict v;
	struct dns_source src;
	struct dns_table *t;
	size_t start = 0, i;

	if ((t = dns_table_new()) == NULL)
		return;
	for (i = 0; i <= size; i++)
		if (i == size || (unsigned char)s[i] == 0xfe) {
			add_rr(t, s + start, i - start);
			start = i + 1;
		}
	src = dns_table_source(t);
	if (dmarc_verdict("example.jp", &src, &v) != 0 ||
	    (unsigned)v.status >= DMARC_STATUS__MAX ||
	    (unsigned)v.reason >= DMARC_REASON__MAX)
		abort();
	if ((v.policy != NULL) != (v.status == DMARC_STATUS_FOUND))
		abort();
	dmarc_verdict_release(&v);
	dns_table_free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct dmarc_record r;

	dmarc_is_candidate(s, size);
	if (dmarc_record_parse(s, size, &r) == 0 && r.policy == NULL)
		abort();
	verdict(s, size);
	return 0;
}
