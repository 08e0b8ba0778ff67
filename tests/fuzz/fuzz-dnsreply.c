/*
 * fuzz-dnsreply.c - libFuzzer target for the DNS reply parser
 * (lib/verify/dnsreply.c): the input is a reply message, parsed for the
 * question it carries (when that decodes) and for a fixed name, as each type
 * the engine asks. The parser is included rather than linked: the fuzz Makefile
 * links only the modules listed there, and dnsreply.c is not one (its neighbour
 * dns.c needs c-ares).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnsreply.c"

static const enum dns_type types[] = {
    DNS_T_A, DNS_T_AAAA, DNS_T_MX, DNS_T_TXT, DNS_T_PTR, DNS_T_CNAME, DNS_T_NS};

/* Checks what the parser promises about a successful parse. */
static void
check(const struct dns_answer *a, int rc, size_t size)
{
	size_t i, j, total = 0;

	if (rc == 1 && (a->canon == NULL || a->status != DNS_NODATA))
		abort();
	if (a->status != DNS_OK && a->nrr != 0)
		abort();
	if (a->status == DNS_OK && a->nrr == 0)
		abort();
	for (i = 0; i < a->nrr; i++) {
		if (a->rr[i].type != DNS_T_TXT)
			continue;
		for (j = 0; j < a->rr[i].u.txt.nstr; j++) {
			total += a->rr[i].u.txt.len[j];
			if (a->rr[i].u.txt.str[j][a->rr[i].u.txt.len[j]] != 0)
				abort();
		}
	}
	if (total > size)
		abort();
}

static void
parse(const uint8_t *data, size_t size, const char *qname)
{
	struct dns_answer a;
	size_t t;
	int rc;

	for (t = 0; t < sizeof types / sizeof types[0]; t++) {
		rc = dns_reply_parse(data, size, qname, types[t], &a);
		if (rc == -1)
			continue; /* out of memory */
		check(&a, rc, size);
		dns_reply_release(&a);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char q[NAME_TEXT];
	size_t next;

	parse(data, size, "k._domainkey.example.jp");
	if (size > HDR_LEN &&
	    name_decode(data, size, HDR_LEN, q, sizeof q, &next) == 0)
		parse(data, size, q);
	return 0;
}
