/*
 * dnsrr.c - resource records as the engine holds them (lib/verify/dns.h):
 * the TXT string layout shared by the reply parser and any other source,
 * releasing an RR, joining a TXT RR's strings, picking the TXT records
 * of an answer and asking a source for TXT at a name under a domain (what
 * DKIM and DMARC share), whether an answer failed, and the names of DNS
 * statuses and types for XML and logs. Not here: where answers come from (dns.c
 * over the network; the test double tests/double/dnstable.c).
 */
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "util.h"

const char *
dns_status_name(enum dns_status s)
{
	static const char *const names[DNS_STATUS__MAX] = {
	    [DNS_OK] = "ok",	       [DNS_NXDOMAIN] = "nxdomain",
	    [DNS_NODATA] = "nodata",   [DNS_SERVFAIL] = "servfail",
	    [DNS_TIMEOUT] = "timeout",
	};

	return NAME_OF(names, s);
}

int
dns_failed(const struct dns_answer *a)
{
	return a->status == DNS_SERVFAIL || a->status == DNS_TIMEOUT;
}

const char *
dns_type_name(enum dns_type t)
{
	switch (t) {
	case DNS_T_A:
		return "A";
	case DNS_T_NS:
		return "NS";
	case DNS_T_CNAME:
		return "CNAME";
	case DNS_T_PTR:
		return "PTR";
	case DNS_T_MX:
		return "MX";
	case DNS_T_TXT:
		return "TXT";
	case DNS_T_AAAA:
		return "AAAA";
	}
	return "TYPE?";
}

char *
dns_txt_block(struct dns_rr *rr, size_t n, size_t bytes)
{
	char *block;

	if (n > ((size_t)-1 - bytes - 1) / (sizeof(char *) + sizeof(size_t)))
		return NULL;
	block = malloc(n * (sizeof(char *) + sizeof(size_t)) + bytes + 1);
	if (block == NULL)
		return NULL;
	rr->u.txt.str = (char **)(void *)block;
	rr->u.txt.len = (size_t *)(void *)(block + n * sizeof(char *));
	rr->u.txt.nstr = 0;
	return block + n * (sizeof(char *) + sizeof(size_t));
}

void
dns_rr_release(struct dns_rr *rr)
{
	switch (rr->type) {
	case DNS_T_MX:
		free(rr->u.mx.host);
		break;
	case DNS_T_PTR:
	case DNS_T_CNAME:
	case DNS_T_NS:
		free(rr->u.host);
		break;
	case DNS_T_TXT:
		free(rr->u.txt.str); /* the block of dns_txt_block() */
		break;
	default:
		break;
	}
}

char *
dns_txt_join(const struct dns_rr *rr, size_t max, size_t *lenp)
{
	size_t i, n = 0;
	char *s;

	for (i = 0; i < rr->u.txt.nstr && n <= max; i++)
		n += rr->u.txt.len[i];
	if ((s = malloc(n + 1)) == NULL)
		return NULL;
	for (n = 0, i = 0; i < rr->u.txt.nstr && n <= max; i++) {
		memcpy(s + n, rr->u.txt.str[i], rr->u.txt.len[i]);
		n += rr->u.txt.len[i];
	}
	s[n] = '\0';
	*lenp = n;
	return s;
}

long
dns_txt_count(const struct dns_answer *a, size_t max,
	      int (*match)(const char *, size_t), char **first,
	      size_t *firstlen)
{
	size_t i, len;
	long n = 0;
	char *txt;

	if (first != NULL)
		*first = NULL;
	for (i = 0; a->status == DNS_OK && i < a->nrr; i++) {
		if (a->rr[i].type != DNS_T_TXT)
			continue;
		if ((txt = dns_txt_join(&a->rr[i], max, &len)) == NULL) {
			if (first != NULL) {
				free(*first);
				*first = NULL;
			}
			return -1;
		}
		if (match(txt, len) && n++ == 0 && first != NULL) {
			*first = txt;
			*firstlen = len;
		} else
			free(txt);
	}
	return n;
}

int
dns_get_txt(const struct dns_source *src, const char *left, const char *right,
	    const struct dns_answer **out)
{
	struct buf b;

	buf_init(&b);
	if (buf_addf(&b, "%s.%s", left, right) == -1) {
		buf_release(&b);
		return -1;
	}
	*out = src->get(src->ctx, b.s, DNS_T_TXT);
	buf_release(&b);
	return *out == NULL;
}
