/*
 * fuzz-dkim.c - libFuzzer target for the DKIM parsers: the tag-list
 * (exact and case-folded names), base64 with FWS, key records and their
 * comparison with an issued key, and the whole verdict over the in-memory
 * table with the input published as one TXT RR (strings split at 0xff
 * bytes) at the key's name or at the doubled name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dkim.h"
#include "dns.h"
#include "dnstable.h"
#include "taglist.h"

#define KEY                                                                    \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAiBS4JssCYB2iR1HicnlbRuYf" \
	"jLwhXdxqXfKO//7NFnr1AEUu7a9cRijd7bzQC02/YbjrVWcrX++oW4sSwDnnat8Xjdn/" \
	"bDpHa2CxSU4PJ1jRgilGyhPpGhNrjq1/wxAMqKJCxd3JzTwpSbseEA8yLsTV7wMWzdWs" \
	"C4quuildO4DgkHV18EuG7WvowTaKG4vdyebatqIRIdoyxwNfpudh8F4N/PKE6U4K2JnU" \
	"wCan37OO/kYfaq8FQhRkk5hVZ86NhjDSIwFsiCpedj9OevKS1zlVM2bXAFdFEaAOVi8h" \
	"XusQtEXXxCNgR6vSD0e5W65UdV7wpHZ5QVkEMK2rAPMikQIDAQAB"
#define MAX_STRINGS 16

static void
parsers(const char *s, size_t size)
{
	struct taglist_tag tags[TAGLIST_MAX];
	struct dkim_key k;
	const char *problem;
	unsigned char *out;
	long n;

	if ((out = malloc(size / 4 * 3 + 3)) != NULL) {
		n = dkim_base64_decode(s, size, out);
		if (n > (long)(size / 4 * 3 + 3))
			abort();
		free(out);
	}
	taglist_parse(s, size, 0, tags, TAGLIST_MAX, &problem);
	taglist_parse(s, size, 1, tags, TAGLIST_MAX, &problem);
	if (dkim_key_parse(s, size, &k) == 0) {
		if (k.p < s || k.p + k.plen > s + size)
			abort();
		if (dkim_key_judge(&k, KEY) >= DKIM_REASON__MAX)
			abort();
	}
}

/* The input as the strings of one TXT RR, split at 0xff bytes. */
static void
verdict(const char *s, size_t size, int doubled)
{
	const char *str[MAX_STRINGS];
	size_t len[MAX_STRINGS], n = 0, start = 0, i;
	struct dkim_verdict v;
	struct dns_source src;
	struct dns_table *t;

	for (i = 0; i <= size && n < MAX_STRINGS; i++)
		if (i == size || (unsigned char)s[i] == 0xff) {
			str[n] = s + start;
			len[n++] = i - start;
			start = i + 1;
		}
	if ((t = dns_table_new()) == NULL)
		return;
	dns_table_add_txt(t,
			  doubled ? "s1._domainkey.example.jp.example.jp"
				  : "s1._domainkey.example.jp",
			  n, str, len);
	src = dns_table_source(t);
	if (dkim_verdict("example.jp", "s1", KEY, &src, &v) != 0 ||
	    (unsigned)v.status >= DKIM_STATUS__MAX ||
	    (unsigned)v.reason >= DKIM_REASON__MAX)
		abort();
	dkim_verdict_release(&v);
	dns_table_free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	parsers(s, size);
	verdict(s, size, size > 0 && data[0] == 'D');
	return 0;
}
