/*
 * test-dmarc.c - DMARC record recognition and parsing (RFC 7489 §6.3,
 * §6.4, §6.6.3) and every outcome of the verdict over the in-memory table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"
#include "dns.h"
#include "dnstable.h"
#include "t.h"
#include "util.h"

static const struct {
	const char *in;
	int candidate;
} candidates[] = {
    {"v=DMARC1; p=none", 1},
    {"v=DMARC1", 1},
    {" v = DMARC1;p=none", 1},
    {"V=DMARC1; p=none", 1},
    {"v=dmarc1; p=none", 1}, /* claimed, then refused by the parser */
    {"v=DMARC1p=reject", 1},
    {"v=DMARC", 0},
    {"v=spf1 -all", 0},
    {"p=none; v=DMARC1", 0},
    {"", 0},
    {"v", 0},
    {"v=", 0},
    {"x v=DMARC1", 0},
};

static void
test_candidates(void)
{
	size_t i;

	for (i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
		t_ok(dmarc_is_candidate(candidates[i].in,
					strlen(candidates[i].in)) ==
			 candidates[i].candidate,
		     "candidate \"%s\": %d", candidates[i].in,
		     candidates[i].candidate);
}

static const struct {
	const char *in;
	const char *policy; /* NULL: syntax error */
} records[] = {
    {"v=DMARC1; p=none", "none"},
    {"v=DMARC1; p=quarantine", "quarantine"},
    {"v=DMARC1; p=reject", "reject"},
    {"v=DMARC1; p=Reject", "reject"},
    {"v=DMARC1;p=none;", "none"},
    {"v=DMARC1; p=none; ", "none"},
    {"v = DMARC1 ; p = none", "none"},
    {"V=DMARC1; P=none", "none"},
    {"v=DMARC1; p=reject; sp=none; adkim=s; aspf=r; pct=50", "reject"},
    {"v=DMARC1; p=none; pct=0", "none"},
    {"v=DMARC1; p=none; pct=100", "none"},
    {"v=DMARC1; p=none; rua=mailto:d@example.jp", "none"},
    {"v=DMARC1; p=none; rua=mailto:a@example.jp,mailto:b@example.jp", "none"},
    {"v=DMARC1; p=none; rua=mailto:a@example.jp , mailto:b@example.jp!10m",
     "none"},
    {"v=DMARC1; p=none; ruf=mailto:f@example.jp!100", "none"},
    {"v=DMARC1; p=none; fo=0:1:d:s", "none"},
    {"v=DMARC1; p=none; fo=1", "none"},
    {"v=DMARC1; p=none; rf=afrf", "none"},
    {"v=DMARC1; p=none; rf=afrf:iodef", "none"},
    {"v=DMARC1; p=none; ri=86400", "none"},
    {"v=DMARC1; p=none; future=whatever", "none"},
    {"v=DMARC1; rua=mailto:d@example.jp; p=none", "none"},
    {"", NULL},
    {"v=DMARC1", NULL},
    {"v=DMARC1;", NULL},
    {"v=DMARC1; p=", NULL},
    {"v=DMARC1; p=monitor", NULL},
    {"v=DMARC1; p=none reject", NULL},
    {"v=dmarc1; p=none", NULL},
    {"v=DMARC2; p=none", NULL},
    {"v=DMARC1x; p=none", NULL},
    {"p=none; v=DMARC1", NULL},
    {"v=DMARC1p=reject", NULL},
    {"v=DMARC1; p=none; p=reject", NULL},
    {"v=DMARC1; p=none; P=reject", NULL},
    {"v=DMARC1; v=DMARC1; p=none", NULL},
    {"v=DMARC1;; p=none", NULL},
    {"v=DMARC1; p=none; sp=all", NULL},
    {"v=DMARC1; p=none; adkim=x", NULL},
    {"v=DMARC1; p=none; aspf=", NULL},
    {"v=DMARC1; p=none; pct=101", NULL},
    {"v=DMARC1; p=none; pct=-1", NULL},
    {"v=DMARC1; p=none; pct=1000", NULL},
    {"v=DMARC1; p=none; pct=5%", NULL},
    {"v=DMARC1; p=none; fo=2", NULL},
    {"v=DMARC1; p=none; fo=0::1", NULL},
    {"v=DMARC1; p=none; rf=a_b", NULL},
    {"v=DMARC1; p=none; ri=", NULL},
    {"v=DMARC1; p=none; ri=1h", NULL},
    {"v=DMARC1; p=none; ri=123456789012345678901234567890123", NULL},
    {"v=DMARC1; p=none; rua=", NULL},
    {"v=DMARC1; p=none; rua=d@example.jp", NULL},
    {"v=DMARC1; p=none; rua=mailto:", NULL},
    {"v=DMARC1; p=none; rua=mailto:a@example.jp,", NULL},
    {"v=DMARC1; p=none; rua=1mailto:a@example.jp", NULL},
    {"v=DMARC1; p=none; rua=mailto:a@example.jp!", NULL},
    {"v=DMARC1; p=none; rua=mailto:a@example.jp!10x", NULL},
    {"v=DMARC1; p=none; rua=mailto:a@example.jp!m", NULL},
    {"v=DMARC1; p=none; rua=mailto:a b@example.jp", NULL},
    {"v=DMARC1; p=none\n", NULL},
    {"v=DMARC1; p=none\x01", NULL},
    {"v=DMARC1; p=n\xc3\xb6ne", NULL},
};

/* The record as one test line: a control character shows as "?". */
static const char *
printable(const char *in)
{
	static char buf[256];
	size_t i;

	for (i = 0; in[i] != '\0' && i < sizeof buf - 1; i++)
		buf[i] = (unsigned char)in[i] < 0x20 ? '?' : in[i];
	buf[i] = '\0';
	return buf;
}

static void
test_records(void)
{
	struct dmarc_record r;
	size_t i;
	int rc;

	for (i = 0; i < sizeof records / sizeof records[0]; i++) {
		rc = dmarc_record_parse(records[i].in, strlen(records[i].in),
					&r);
		t_ok(records[i].policy != NULL
			 ? rc == 0 && strcmp(r.policy, records[i].policy) == 0
			 : rc == -1 && r.problem != NULL,
		     "record %zu \"%s\": %s", i, printable(records[i].in),
		     records[i].policy ? records[i].policy : "syntax error");
	}
}

static void
test_record_fields(void)
{
	static const char in[] = "v=DMARC1; p=reject; sp=Quarantine; pct=25";
	struct dmarc_record r;

	t_ok(dmarc_record_parse(in, sizeof in - 1, &r) == 0 &&
		 strcmp(r.sp, "quarantine") == 0 && r.pct == 25,
	     "record fields: sp and pct");
	t_ok(dmarc_record_parse("v=DMARC1; p=none", 16, &r) == 0 &&
		 r.sp == NULL && r.pct == 100,
	     "record fields: defaults");
}

#define D "example.jp"
#define N "_dmarc." D

static const struct vcase {
	const char *name;
	const char *txt[3];   /* RRs at _dmarc, one string each */
	const char *split[2]; /* or one RR of two strings */
	enum dns_status fail; /* DNS_OK: none */
	const char *status, *reason, *policy;
} vcases[] = {
    {"found", {"v=DMARC1; p=reject"}, {NULL}, DNS_OK, "found", "ok", "reject"},
    {"found among other TXT",
     {"hello", "v=DMARC1; p=none", "v=spf1 -all"},
     {NULL},
     DNS_OK,
     "found",
     "ok",
     "none"},
    {"found in two strings",
     {NULL},
     {"v=DMARC1; p=quar", "antine"},
     DNS_OK,
     "found",
     "ok",
     "quarantine"},
    {"missing (NXDOMAIN)",
     {NULL},
     {NULL},
     DNS_OK,
     "missing",
     "no_record",
     NULL},
    {"missing (only other TXT)",
     {"hello", "v=spf1 -all"},
     {NULL},
     DNS_OK,
     "missing",
     "no_record",
     NULL},
    {"invalid: two records",
     {"v=DMARC1; p=none", "v=DMARC1; p=reject"},
     {NULL},
     DNS_OK,
     "invalid",
     "multiple_records",
     NULL},
    {"invalid: syntax",
     {"v=DMARC1; p=all"},
     {NULL},
     DNS_OK,
     "invalid",
     "syntax_error",
     NULL},
    {"invalid: no p=",
     {"v=DMARC1; rua=mailto:d@example.jp"},
     {NULL},
     DNS_OK,
     "invalid",
     "syntax_error",
     NULL},
    {"invalid: lower-case version",
     {"v=dmarc1; p=none"},
     {NULL},
     DNS_OK,
     "invalid",
     "syntax_error",
     NULL},
    {"tempfail (SERVFAIL)",
     {NULL},
     {NULL},
     DNS_SERVFAIL,
     "tempfail",
     "dns_error",
     NULL},
    {"tempfail (timeout)",
     {NULL},
     {NULL},
     DNS_TIMEOUT,
     "tempfail",
     "dns_error",
     NULL},
};

static struct dns_table *
vcase_table(const struct vcase *c)
{
	static const char *const other[] = {"x"};
	struct dns_table *t = dns_table_new();
	size_t i;

	dns_table_add_txt(t, "other." D, 1, other, NULL); /* D exists */
	for (i = 0; i < 3 && c->txt[i] != NULL; i++)
		dns_table_add_txt(t, N, 1, &c->txt[i], NULL);
	if (c->split[0] != NULL)
		dns_table_add_txt(t, N, 2, c->split, NULL);
	if (c->fail != DNS_OK)
		dns_table_set_status(t, N, DNS_T_TXT, c->fail);
	return t;
}

static void
test_verdicts(void)
{
	struct dmarc_verdict v;
	struct dns_table *t;
	struct dns_source src;
	size_t i;
	int rc;

	for (i = 0; i < sizeof vcases / sizeof vcases[0]; i++) {
		t = vcase_table(&vcases[i]);
		src = dns_table_source(t);
		rc = dmarc_verdict(D, &src, &v);
		t_ok(rc == 0 &&
			 strcmp(dmarc_status_name(v.status),
				vcases[i].status) == 0 &&
			 strcmp(dmarc_reason_name(v.reason),
				vcases[i].reason) == 0 &&
			 (vcases[i].policy == NULL
			      ? v.policy == NULL
			      : v.policy != NULL &&
				    strcmp(v.policy, vcases[i].policy) == 0),
		     "verdict %s: %s %s", vcases[i].name, vcases[i].status,
		     vcases[i].reason);
		dmarc_verdict_release(&v);
		dns_table_free(t);
	}
}

/* A source that never knows: the verdict asks and returns 1. */
static const struct dns_answer *
unknown_get(void *ctx, const char *name, enum dns_type type)
{
	int *asked = ctx;

	*asked += strcmp(name, N) == 0 && type == DNS_T_TXT;
	return NULL;
}

static void
test_need_dns(void)
{
	struct dmarc_verdict v;
	int asked = 0;
	struct dns_source src = {unknown_get, &asked};

	t_ok(dmarc_verdict(D, &src, &v) == 1 && asked == 1,
	     "need DNS: asks TXT at _dmarc and returns 1");
	dmarc_verdict_release(&v);
}

/*
 * The organizational domain (RFC 7489 §6.6.3): a source over the table
 * that answers each new question "not known yet" once, as the resolver
 * does, and notes the questions in order.
 */
struct asking {
	struct dns_source inner;
	char asked[512]; /* the names, each followed by a space */
	int fresh;	 /* a new question this pass */
};

static const struct dns_answer *
asking_get(void *ctx, const char *name, enum dns_type type)
{
	struct asking *a = ctx;
	char key[300];
	const char *p;
	size_t n = strlen(a->asked);

	snprintf(key, sizeof key, "%s ", name);
	for (p = a->asked; *p != '\0'; p = strchr(p, ' ') + 1)
		if (strncmp(p, key, strlen(key)) == 0)
			return a->inner.get(a->inner.ctx, name, type);
	snprintf(a->asked + n, sizeof a->asked - n, "%s", key);
	a->fresh = 1;
	return NULL;
}

static const struct ocase {
	const char *name, *domain;
	const char *own, *org; /* the TXT RR at each _dmarc, or NULL */
	enum dns_status own_fail, org_fail;
	const char *status, *reason, *policy, *org_domain;
	const char *asked; /* the questions, in order */
} ocases[] = {
    {"record at the domain: the organizational domain is not asked",
     "mail.example.jp", "v=DMARC1; p=quarantine", "v=DMARC1; p=reject; sp=none",
     DNS_OK, DNS_OK, "found", "ok", "quarantine", NULL,
     "_dmarc.mail.example.jp"},
    {"only at the organizational domain: its p=", "mail.example.jp", NULL,
     "v=DMARC1; p=reject", DNS_OK, DNS_OK, "found", "ok", "reject",
     "example.jp", "_dmarc.mail.example.jp _dmarc.example.jp"},
    {"only at the organizational domain: its sp= for a subdomain",
     "mail.example.jp", NULL, "v=DMARC1; p=reject; sp=quarantine", DNS_OK,
     DNS_OK, "found", "ok", "quarantine", "example.jp",
     "_dmarc.mail.example.jp _dmarc.example.jp"},
    {"only at the organizational domain, two labels up", "a.b.example.co.jp",
     NULL, "v=DMARC1; p=none; sp=reject", DNS_OK, DNS_OK, "found", "ok",
     "reject", "example.co.jp",
     "_dmarc.a.b.example.co.jp _dmarc.example.co.jp"},
    {"other TXT at the domain: the organizational domain's applies",
     "mail.example.jp", "v=spf1 -all", "v=DMARC1; p=none", DNS_OK, DNS_OK,
     "found", "ok", "none", "example.jp",
     "_dmarc.mail.example.jp _dmarc.example.jp"},
    {"neither", "mail.example.jp", NULL, NULL, DNS_OK, DNS_OK, "missing",
     "no_record", NULL, NULL, "_dmarc.mail.example.jp _dmarc.example.jp"},
    {"organizational domain lookup tempfail", "mail.example.jp", NULL, NULL,
     DNS_OK, DNS_SERVFAIL, "tempfail", "dns_error", NULL, "example.jp",
     "_dmarc.mail.example.jp _dmarc.example.jp"},
    {"organizational domain lookup timeout", "mail.example.jp", NULL, NULL,
     DNS_OK, DNS_TIMEOUT, "tempfail", "dns_error", NULL, "example.jp",
     "_dmarc.mail.example.jp _dmarc.example.jp"},
    {"invalid record at the organizational domain", "mail.example.jp", NULL,
     "v=DMARC1; p=bogus", DNS_OK, DNS_OK, "invalid", "syntax_error", NULL,
     "example.jp", "_dmarc.mail.example.jp _dmarc.example.jp"},
    {"tempfail at the domain ends discovery", "mail.example.jp", NULL,
     "v=DMARC1; p=reject", DNS_TIMEOUT, DNS_OK, "tempfail", "dns_error", NULL,
     NULL, "_dmarc.mail.example.jp"},
    {"invalid record at the domain ends discovery", "mail.example.jp",
     "v=DMARC1; p=all", "v=DMARC1; p=reject", DNS_OK, DNS_OK, "invalid",
     "syntax_error", NULL, NULL, "_dmarc.mail.example.jp"},
    {"a domain that is its own organizational domain", "example.jp", NULL, NULL,
     DNS_OK, DNS_OK, "missing", "no_record", NULL, NULL, "_dmarc.example.jp"},
    {"a public suffix has no organizational domain", "co.jp", NULL, NULL,
     DNS_OK, DNS_OK, "missing", "no_record", NULL, NULL, "_dmarc.co.jp"},
    {"a public suffix of the private section", "github.io", NULL, NULL, DNS_OK,
     DNS_OK, "missing", "no_record", NULL, NULL, "_dmarc.github.io"},
};

static int
same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* The table of a case: the own record at _dmarc.<domain>, the other at
 * _dmarc.<organizational domain> (where the case expects one). */
static struct dns_table *
ocase_table(const struct ocase *c)
{
	struct dns_table *t = dns_table_new();
	const char *org = dmarc_org_domain(c->domain);
	char own[300], up[300];

	snprintf(own, sizeof own, "_dmarc.%s", c->domain);
	snprintf(up, sizeof up, "_dmarc.%s", org != NULL ? org : "invalid");
	if (c->own != NULL)
		dns_table_add_txt(t, own, 1, &c->own, NULL);
	if (c->org != NULL)
		dns_table_add_txt(t, up, 1, &c->org, NULL);
	if (c->own_fail != DNS_OK)
		dns_table_set_status(t, own, DNS_T_TXT, c->own_fail);
	if (c->org_fail != DNS_OK)
		dns_table_set_status(t, up, DNS_T_TXT, c->org_fail);
	return t;
}

static void
test_org_domain(void)
{
	struct dmarc_verdict v;
	struct dns_source src;
	struct dns_table *t;
	struct asking a;
	const struct ocase *c;
	size_t i;
	int rc, passes;

	for (i = 0; i < sizeof ocases / sizeof ocases[0]; i++) {
		c = &ocases[i];
		t = ocase_table(c);
		memset(&a, 0, sizeof a);
		a.inner = dns_table_source(t);
		src.get = asking_get;
		src.ctx = &a;
		passes = 0;
		do {
			a.fresh = 0;
			rc = dmarc_verdict(c->domain, &src, &v);
			passes++;
		} while (rc == 1 && a.fresh && passes < 10);
		if (strlen(a.asked) > 0)
			a.asked[strlen(a.asked) - 1] = '\0';
		t_ok(rc == 0 && same(dmarc_status_name(v.status), c->status) &&
			 same(dmarc_reason_name(v.reason), c->reason) &&
			 same(v.policy, c->policy) &&
			 same(v.org_domain, c->org_domain) &&
			 same(a.asked, c->asked),
		     "org domain: %s: %s %s policy %s org-domain %s, asked %s",
		     c->name, dmarc_status_name(v.status),
		     dmarc_reason_name(v.reason), v.policy ? v.policy : "-",
		     v.org_domain ? v.org_domain : "-", a.asked);
		dmarc_verdict_release(&v);
		dns_table_free(t);
	}
	T_STREQ(dmarc_org_domain("mail.example.jp"), "example.jp",
		"org domain of mail.example.jp");
	T_STREQ(dmarc_org_domain("x.y.tokyo.jp"), "y.tokyo.jp",
		"org domain under a wildcard-free PSL rule (tokyo.jp)");
	t_ok(dmarc_org_domain("jp") == NULL &&
		 dmarc_org_domain("co.jp") == NULL,
	     "public suffixes have no org domain");
}

/* The name tables: every value of xsl/senderauth.rng, in its order. */
static void
test_names(void)
{
	static const char *const reasons[DMARC_REASON__MAX] = {
	    "ok", "no_record", "multiple_records", "syntax_error", "dns_error"};
	static const char *const statuses[DMARC_STATUS__MAX] = {
	    "missing", "found", "invalid", "tempfail"};
	int i;

	for (i = 0; i < DMARC_REASON__MAX; i++)
		T_STREQ(dmarc_reason_name((enum dmarc_reason)i), reasons[i],
			"reason name %s", reasons[i]);
	for (i = 0; i < DMARC_STATUS__MAX; i++)
		T_STREQ(dmarc_status_name((enum dmarc_status)i), statuses[i],
			"status name %s", statuses[i]);
	T_STREQ(dmarc_reason_name(DMARC_REASON__MAX), "unknown",
		"reason name out of range");
	T_STREQ(dmarc_status_name(DMARC_STATUS__MAX), "unknown",
		"status name out of range");
}

int
main(void)
{
	test_candidates();
	test_records();
	test_record_fields();
	test_verdicts();
	test_need_dns();
	test_org_domain();
	test_names();
	return t_done();
}
