/*
 * fuzz-spf.c - libFuzzer target for lib/verify/spf-*.c. The input is, in turn:
 * an SPF record for spf_record_parse(); the record of example.com (strings of
 * one TXT RR split at 0xff bytes; "v=spf1 " prepended when missing) for
 * check_host() from an IPv4 and an IPv6 client over a small dns_table, the
 * same through a source that needs restarts (both must agree); a
 * macro-string for spf_expand() in both modes; the exp= text of a fail;
 * and the record of the domain spf_verdict() judges, whose suggestion must
 * itself parse. Any violated invariant aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "dnstable.h"
#include "spf.h"
#include "util.h"

#define MAX_STRINGS 16
#define LAZY_MAX 256

static void
add_txt1(struct dns_table *t, const char *name, const char *s)
{
	dns_table_add_txt(t, name, 1, &s, NULL);
}

/* The input as one TXT RR: strings split at 0xff bytes. */
static void
add_input(struct dns_table *t, const char *name, const char *s, size_t n)
{
	const char *str[MAX_STRINGS];
	size_t len[MAX_STRINGS], k = 0, i, start = 0;

	for (i = 0; i <= n && k < MAX_STRINGS; i++) {
		if (i == n || (unsigned char)s[i] == 0xff ||
		    k == MAX_STRINGS - 1) {
			if (k == MAX_STRINGS - 1)
				i = n;
			str[k] = s + start;
			len[k++] = i - start;
			start = i + 1;
		}
	}
	dns_table_add_txt(t, name, k, str, len);
}

static struct dns_table *
make_table(const char *rec, size_t n, const char *text)
{
	static const uint8_t mail4[4] = {192, 0, 2, 10};
	static const uint8_t mail6[16] = {
	    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
	struct dns_table *t = dns_table_new();

	if (t == NULL)
		return NULL;
	add_input(t, "example.com", rec, n);
	add_txt1(t, "exp.example.com", text);
	add_txt1(t, "inc.example.com",
		 "v=spf1 ip4:192.0.2.0/24 a:mail.example.com -all");
	add_txt1(t, "m01-ahd-sys.net", "v=spf1 ip4:210.198.21.0/24 ~all");
	add_txt1(t, "two.example.com", "v=spf1 -all");
	add_txt1(t, "two.example.com", "v=spf1 +all");
	dns_table_add_a(t, "example.com", mail4);
	dns_table_add_mx(t, "example.com", 10, "mail.example.com");
	dns_table_add_a(t, "mail.example.com", mail4);
	dns_table_add_aaaa(t, "mail.example.com", mail6);
	dns_table_add_ptr(t, "10.2.0.192.in-addr.arpa", "mail.example.com.");
	dns_table_add_ptr(t,
			  "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8."
			  "b.d.0.1.0.0.2.ip6.arpa",
			  "mail.example.com");
	dns_table_add_cname(t, "alias.example.com", "example.com");
	dns_table_set_status(t, "timeout.example.com", DNS_T_TXT, DNS_TIMEOUT);
	dns_table_set_status(t, "timeout.example.com", DNS_T_A, DNS_TIMEOUT);
	dns_table_set_status(t, "fail.example.com", DNS_T_A, DNS_SERVFAIL);
	return t;
}

/* A source that knows nothing at first (see tests/unit/test-spf.c). */
struct lazy {
	struct dns_source inner;
	char *known[LAZY_MAX], *pending[LAZY_MAX];
	size_t nknown, npending;
};

static const struct dns_answer *
lazy_get(void *ctx, const char *name, enum dns_type type)
{
	struct lazy *l = ctx;
	char key[1100];
	size_t i;

	snprintf(key, sizeof key, "%d/%s", (int)type, name);
	ascii_lower(key);
	for (i = 0; i < l->nknown; i++)
		if (strcmp(l->known[i], key) == 0)
			return l->inner.get(l->inner.ctx, name, type);
	for (i = 0; i < l->npending; i++)
		if (strcmp(l->pending[i], key) == 0)
			return NULL;
	if (l->npending + l->nknown < LAZY_MAX &&
	    (l->pending[l->npending] = strdup(key)) != NULL)
		l->npending++;
	return NULL;
}

static int
lazy_learn(struct lazy *l)
{
	int n = (int)l->npending;

	while (l->npending > 0)
		l->known[l->nknown++] = l->pending[--l->npending];
	return n;
}

static void
lazy_release(struct lazy *l)
{
	while (l->nknown > 0)
		free(l->known[--l->nknown]);
	while (l->npending > 0)
		free(l->pending[--l->npending]);
}

static void
check_outcome(enum spf_result r, const struct spf_outcome *o)
{
	if (r >= SPF_NEED_DNS || r != o->result)
		abort();
	if (o->lookups > SPF_MAX_LOOKUPS + 1 ||
	    o->void_lookups > SPF_MAX_VOID_LOOKUPS + 1)
		abort();
	if (o->explanation != NULL && r != SPF_FAIL)
		abort();
	if ((r == SPF_PERMERROR || r == SPF_TEMPERROR) && o->problem == NULL)
		abort();
}

static void
run_check_host(struct dns_table *t, const char *ip, int restart)
{
	struct dns_source src = dns_table_source(t), lsrc;
	struct spf_request req = {ip, "example.com", "us.er@example.com",
				  "mail.example.com", "mx.example.net"};
	struct spf_outcome o, o2;
	enum spf_result r, r2;
	struct lazy l;

	r = spf_check_host(&req, &src, &o);
	check_outcome(r, &o);
	if (restart) {
		memset(&l, 0, sizeof l);
		l.inner = src;
		lsrc.get = lazy_get;
		lsrc.ctx = &l;
		while ((r2 = spf_check_host(&req, &lsrc, &o2)) ==
			   SPF_NEED_DNS &&
		       lazy_learn(&l) > 0)
			spf_outcome_release(&o2);
		/* Only comparable when every question fitted. */
		if (r2 != SPF_NEED_DNS &&
		    (r2 != r || o2.lookups != o.lookups ||
		     (o.explanation == NULL) != (o2.explanation == NULL)))
			abort();
		spf_outcome_release(&o2);
		lazy_release(&l);
	}
	spf_outcome_release(&o);
}

static void
run_expand(struct dns_table *t, const char *s)
{
	struct dns_source src = dns_table_source(t);
	struct spf_request req = {"192.0.2.10", "example.com",
				  "us.er@example.com", "mail.example.com",
				  NULL};
	char *out;

	if (spf_expand(&req, &src, s, 0, &out) == 0 && strlen(out) > 253 &&
	    strchr(out, '.') != NULL)
		abort(); /* §7.3: names with dots fit in 253 octets */
	free(out);
	spf_expand(&req, &src, s, 1, &out);
	free(out);
}

static void
run_verdict(struct dns_table *t)
{
	struct dns_source src = dns_table_source(t);
	struct platform pf = {{"210.198.21.20", "2001:db8::10"},
			      2,
			      "m01-ahd-sys.net",
			      SPF_POLICY_SOFTFAIL};
	struct spf_record *rec = NULL;
	struct spf_verdict v;
	char problem[160];

	if (spf_verdict("example.com", &pf, &src, &v) != 0 ||
	    (unsigned)v.status >= SPF_STATUS__MAX ||
	    (unsigned)v.reason >= SPF_REASON__MAX)
		abort();
	if (v.status != SPF_STATUS_VERIFIED && v.suggested == NULL &&
	    v.status != SPF_STATUS_TEMPFAIL)
		abort();
	/* A suggestion must be a record that parses (unless it grew past
	 * the bounds because the input was already near them). */
	if (v.suggested != NULL && strlen(v.suggested) < SPF_MAX_RECORD / 2 &&
	    spf_record_parse(v.suggested, strlen(v.suggested), &rec, problem,
			     sizeof problem) == SPF_PARSE_SYNTAX)
		abort();
	spf_record_free(rec);
	spf_verdict_release(&v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spf_record *rec;
	struct dns_table *t;
	char problem[160], *text, *full;
	size_t n;

	if (size > 2 * SPF_MAX_RECORD)
		return 0;
	if (spf_record_parse((const char *)data, size, &rec, problem,
			     sizeof problem) == SPF_PARSE_OK &&
	    spf_record_nterms(rec) > SPF_MAX_TERMS)
		abort();
	spf_record_free(rec);

	/* NUL-terminated copies: as text, and as a record. */
	if ((text = malloc(size + 1)) == NULL ||
	    (full = malloc(size + 8)) == NULL) {
		free(text);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	n = 0;
	if (size < 6 || ascii_ncasecmp(text, "v=spf1", 6) != 0) {
		memcpy(full, "v=spf1 ", 7);
		n = 7;
	}
	memcpy(full + n, data, size);
	n += size;

	if ((t = make_table(full, n, text)) != NULL) {
		run_check_host(t, "192.0.2.10", size < 512);
		run_check_host(t, "2001:db8::10", 0);
		run_expand(t, text);
		run_verdict(t);
		dns_table_free(t);
	}
	free(text);
	free(full);
	return 0;
}
