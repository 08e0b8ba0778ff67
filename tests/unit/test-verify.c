/*
 * test-verify.c - one domain's whole check over the in-memory table (the
 * three verdicts combined, the overall status, the restart protocol), the
 * <check> document, and the batch driver over a real resolver and the
 * in-process name server of fakens.h: many checks in flight, every one
 * completed once with its own verdict, checks added from the callback, a
 * batch freed with checks outstanding.
 */
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "dnstable.h"
#include "fakens.h"
#include "report.h"
#include "t.h"
#include "util.h"
#include "verify.h"
#include "xml.h"

#define KEY                                                                    \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAiBS4JssCYB2iR1HicnlbRuYf" \
	"jLwhXdxqXfKO//7NFnr1AEUu7a9cRijd7bzQC02/YbjrVWcrX++oW4sSwDnnat8Xjdn/" \
	"bDpHa2CxSU4PJ1jRgilGyhPpGhNrjq1/wxAMqKJCxd3JzTwpSbseEA8yLsTV7wMWzdWs" \
	"C4quuildO4DgkHV18EuG7WvowTaKG4vdyebatqIRIdoyxwNfpudh8F4N/PKE6U4K2JnU" \
	"wCan37OO/kYfaq8FQhRkk5hVZ86NhjDSIwFsiCpedj9OevKS1zlVM2bXAFdFEaAOVi8h" \
	"XusQtEXXxCNgR6vSD0e5W65UdV7wpHZ5QVkEMK2rAPMikQIDAQAB"
#define DKIM_REC "v=DKIM1; k=rsa; p=" KEY
#define SPF_OK "v=spf1 ip4:210.198.21.20 include:m01-ahd-sys.net ~all"

static const struct platform platform = {
    {"210.198.21.20"}, 1, "m01-ahd-sys.net", SPF_POLICY_SOFTFAIL};

/* One domain's records; NULL publishes nothing. fail makes every name of
 * the domain SERVFAIL. */
static const struct vcase {
	const char *name;
	const char *spf, *dkim, *dmarc;
	int fail;
	const char *selector;
	const char *spf_r, *dkim_s, *dkim_r, *dmarc_s;
	int verified;
} vcases[] = {
    {"all good", SPF_OK, DKIM_REC, "v=DMARC1; p=none", 0, "s1", "ok",
     "verified", "ok", "found", 1},
    {"no selector", SPF_OK, NULL, NULL, 0, NULL, "ok", "skipped", "no_selector",
     "missing", 1},
    {"dkim missing", SPF_OK, NULL, "v=DMARC1; p=reject", 0, "s1", "ok",
     "unverified", "no_record", "found", 0},
    {"spf missing", NULL, DKIM_REC, NULL, 0, "s1", "no_record", "verified",
     "ok", "missing", 0},
    {"spf hard fail", "v=spf1 ip4:210.198.21.20 -all", DKIM_REC,
     "v=DMARC1; p=x", 0, "s1", "hardfail_all", "verified", "ok", "invalid", 0},
    {"dkim revoked", SPF_OK, "v=DKIM1; p=", NULL, 0, "s1", "ok", "unverified",
     "revoked", "missing", 0},
    {"servfail everywhere", NULL, NULL, NULL, 1, "s1", "dns_error", "tempfail",
     "dns_error", "tempfail", 0},
};

static struct dns_table *
vcase_table(const struct vcase *c, const char *d)
{
	struct dns_table *t = dns_table_new();
	char name[256];

	if (c->spf != NULL)
		dns_table_add_txt(t, d, 1, &c->spf, NULL);
	snprintf(name, sizeof name, "s1._domainkey.%s", d);
	if (c->dkim != NULL)
		dns_table_add_txt(t, name, 1, &c->dkim, NULL);
	if (c->fail)
		dns_table_set_status(t, name, DNS_T_TXT, DNS_SERVFAIL);
	snprintf(name, sizeof name, "_dmarc.%s", d);
	if (c->dmarc != NULL)
		dns_table_add_txt(t, name, 1, &c->dmarc, NULL);
	if (c->fail) {
		dns_table_set_status(t, name, DNS_T_TXT, DNS_SERVFAIL);
		dns_table_set_status(t, d, DNS_T_TXT, DNS_SERVFAIL);
	}
	return t;
}

static void
test_checks(void)
{
	struct verify_result res;
	struct verify_request req = {0};
	struct dns_source src;
	struct dns_table *t;
	size_t i;
	int rc;

	for (i = 0; i < sizeof vcases / sizeof vcases[0]; i++) {
		const struct vcase *c = &vcases[i];

		t = vcase_table(c, "example.jp");
		src = dns_table_source(t);
		req.domain = "example.jp";
		req.selector = c->selector;
		req.dkim_p = KEY;
		verify_result_init(&res);
		rc = verify_check(&req, &platform, &src, &res);
		t_ok(rc == 0 &&
			 strcmp(spf_reason_name(res.spf.reason), c->spf_r) ==
			     0 &&
			 strcmp(dkim_status_name(res.dkim.status), c->dkim_s) ==
			     0 &&
			 strcmp(dkim_reason_name(res.dkim.reason), c->dkim_r) ==
			     0 &&
			 strcmp(dmarc_status_name(res.dmarc.status),
				c->dmarc_s) == 0,
		     "check %s: spf %s, dkim %s %s, dmarc %s", c->name,
		     c->spf_r, c->dkim_s, c->dkim_r, c->dmarc_s);
		t_ok(verify_result_verified(&res) == c->verified,
		     "check %s: overall %s", c->name,
		     c->verified ? "verified" : "not verified");
		verify_result_release(&res);
		dns_table_free(t);
	}
}

/* A source that records questions and knows an answer only once asked
 * before, like the resolver's cache between two passes. */
struct late {
	struct dns_source inner;
	char asked[16][300];
	int nasked, new_in_pass;
};

static const struct dns_answer *
late_get(void *ctx, const char *name, enum dns_type type)
{
	struct late *l = ctx;
	int i;

	for (i = 0; i < l->nasked; i++)
		if (strcmp(l->asked[i], name) == 0)
			return l->inner.get(l->inner.ctx, name, type);
	if (l->nasked < 16)
		snprintf(l->asked[l->nasked++], sizeof l->asked[0], "%s", name);
	l->new_in_pass++;
	return NULL;
}

static void
test_restart(void)
{
	struct dns_table *t = vcase_table(&vcases[0], "example.jp");
	struct late l = {dns_table_source(t), {{0}}, 0, 0};
	struct dns_source src = {late_get, &l};
	struct verify_request req = {
	    .domain = "example.jp", .selector = "s1", .dkim_p = KEY};
	struct verify_result res;
	int rc, passes = 0, first;

	verify_result_init(&res);
	rc = verify_check(&req, &platform, &src, &res);
	first = l.new_in_pass;
	t_ok(rc == 1 && first == 3 && !res.spf_done && !res.dkim_done &&
		 !res.dmarc_done,
	     "restart: the first pass asks SPF, DKIM and DMARC together");
	while (rc == 1 && passes++ < 10) {
		l.new_in_pass = 0;
		rc = verify_check(&req, &platform, &src, &res);
	}
	t_ok(rc == 0 && passes == 1 && verify_result_verified(&res),
	     "restart: complete on the second pass");
	verify_result_release(&res);
	dns_table_free(t);
}

static char *
document(const struct verify_request *req, const struct verify_result *res)
{
	mxml_node_t *doc = report_check_xml(req, res);
	char *s = doc != NULL ? xml_string(doc) : NULL;

	mxmlDelete(doc);
	return s;
}

static void
test_xml(void)
{
	static const char *const spf[] = {"v=spf1 ip4:192.0.2.1 ~all"};
	static const char want[] =
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	    "<check domain=\"example.jp\">"
	    "<spf status=\"unverified\" reason=\"not_authorized\" "
	    "lookups=\"0\" via=\"recursive\">"
	    "<record>v=spf1 ip4:192.0.2.1 ~all</record>"
	    "<result ip=\"210.198.21.20\">softfail</result>"
	    "<suggested>v=spf1 ip4:192.0.2.1 ip4:210.198.21.20 "
	    "include:m01-ahd-sys.net ~all</suggested></spf>"
	    "<dkim status=\"unverified\" reason=\"no_record\" selector=\"s1\" "
	    "name=\"s1._domainkey.example.jp\" via=\"recursive\" />"
	    "<dmarc status=\"missing\" reason=\"no_record\" "
	    "via=\"recursive\" /></check>";
	struct dns_table *t = dns_table_new();
	struct dns_source src = dns_table_source(t);
	struct verify_request req = {
	    .domain = "example.jp", .selector = "s1", .dkim_p = KEY};
	struct verify_result res;
	char *s;

	dns_table_add_txt(t, "example.jp", 1, spf, NULL);
	verify_result_init(&res);
	verify_check(&req, &platform, &src, &res);
	s = document(&req, &res);
	t_ok(s != NULL && strncmp(s, want, sizeof want - 1) == 0,
	     "xml: the document of DESIGN.md");
	if (s != NULL && strncmp(s, want, sizeof want - 1) != 0)
		printf("# got %s\n", s);
	free(s);
	verify_result_release(&res);
	dns_table_free(t);
}

/* The organizational domain's DMARC record, and where it was found. */
static void
test_xml_org_domain(void)
{
	static const char *const spf[] = {"v=spf1 ip4:210.198.21.20 -all"};
	static const char *const dmarc[] = {"v=DMARC1; p=none; sp=reject"};
	struct dns_table *t = dns_table_new();
	struct dns_source src = dns_table_source(t);
	struct verify_request req = {.domain = "mail.example.jp"};
	struct verify_result res;
	char *s;

	dns_table_add_txt(t, "mail.example.jp", 1, spf, NULL);
	dns_table_add_txt(t, "_dmarc.example.jp", 1, dmarc, NULL);
	verify_result_init(&res);
	verify_check(&req, &platform, &src, &res);
	s = document(&req, &res);
	t_ok(s != NULL && strstr(s, "<result ip=\"210.198.21.20\">pass"
				    "</result>") != NULL,
	     "xml: the RFC 7208 result of the platform address");
	t_ok(s != NULL && strstr(s, "<dmarc status=\"found\" reason=\"ok\" "
				    "policy=\"reject\" "
				    "org-domain=\"example.jp\" "
				    "via=\"recursive\" />") != NULL,
	     "xml: DMARC of the organizational domain, its sp=, and where");
	free(s);
	verify_result_release(&res);
	dns_table_free(t);
}

static void
test_xml_escaping(void)
{
	static const char *const spf[] = {
	    "v=spf1 ip4:210.198.21.20 exp=x<&>\"'\xff\x01.example ~all"};
	struct dns_table *t = dns_table_new();
	struct dns_source src = dns_table_source(t);
	struct verify_request req = {
	    .domain = "example.jp", .selector = NULL, .dkim_p = NULL};
	struct verify_result res;
	char *s;

	dns_table_add_txt(t, "example.jp", 1, spf, NULL);
	verify_result_init(&res);
	verify_check(&req, &platform, &src, &res);
	s = document(&req, &res);
	t_ok(s != NULL && strstr(s, "x&lt;&amp;&gt;") != NULL &&
		 strchr(s, '\x01') == NULL && strchr(s, '\xff') == NULL,
	     "xml: DNS bytes escaped or replaced");
	t_ok(s != NULL && strstr(s, "<dkim status=\"skipped\" "
				    "reason=\"no_selector\" />") != NULL,
	     "xml: skipped dkim has no selector or name");
	free(s);
	req.domain = "bad\xff\x01.example.jp";
	s = document(&req, &res);
	t_ok(s != NULL &&
		 strstr(s,
			"domain=\"bad\xef\xbf\xbd\xef\xbf\xbd.example.jp\"") !=
		     NULL,
	     "xml: bytes XML cannot hold become U+FFFD");
	free(s);
	verify_result_release(&res);
	dns_table_free(t);
}

/* ---- the batch driver over fakens ---- */

#define NDOM 300

struct tally {
	int done[NDOM + 8];
	int wrong, nulls, added;
	struct verify_batch *b;
};

/* Domain i: its kind is i % 4. */
static const char *
kind_reason(int i)
{
	static const char *const r[] = {"ok", "no_record", "not_authorized",
					"dns_error"};

	return r[i % 4];
}

static void
batch_zone(struct dns_table *t)
{
	static const char *const ok[] = {SPF_OK};
	static const char *const bad[] = {"v=spf1 ip4:192.0.2.1 ~all"};
	static const char key1[] = DKIM_REC;
	const char *key[] = {key1, key1 + 255}; /* two strings, as zones do */
	const size_t keylen[] = {255, sizeof key1 - 1 - 255};
	static const char *const dm[] = {"v=DMARC1; p=none"};
	char name[128];
	int i;

	for (i = 0; i < NDOM + 8; i++) {
		snprintf(name, sizeof name, "d%d.example.jp", i);
		if (i % 4 == 0)
			dns_table_add_txt(t, name, 1, ok, NULL);
		else if (i % 4 == 2)
			dns_table_add_txt(t, name, 1, bad, NULL);
		else if (i % 4 == 3)
			dns_table_set_status(t, name, DNS_T_TXT, DNS_SERVFAIL);
		snprintf(name, sizeof name, "s1._domainkey.d%d.example.jp", i);
		dns_table_add_txt(t, name, 2, key, keylen);
		snprintf(name, sizeof name, "_dmarc.d%d.example.jp", i);
		dns_table_add_txt(t, name, 1, dm, NULL);
	}
	dns_table_add_txt(t, "m01-ahd-sys.net", 1, bad, NULL);
	dns_table_set_status(t, "slow.example.jp", DNS_T_TXT, DNS_TIMEOUT);
}

static void
on_done(void *arg, void *user, const struct verify_request *req,
	const struct verify_result *res)
{
	struct tally *ta = arg;
	int i = (int)(long)user;
	struct verify_request more = {
	    .domain = NULL, .selector = "s1", .dkim_p = KEY};
	char name[64];

	if (res == NULL) {
		ta->nulls++;
		return;
	}
	ta->done[i]++;
	if (strcmp(spf_reason_name(res->spf.reason), kind_reason(i)) != 0 ||
	    res->dkim.reason != DKIM_OK ||
	    res->dmarc.status != DMARC_STATUS_FOUND) {
		if (ta->wrong++ < 3)
			printf("# %s: spf %s dkim %s dmarc %s\n", req->domain,
			       spf_reason_name(res->spf.reason),
			       dkim_reason_name(res->dkim.reason),
			       dmarc_status_name(res->dmarc.status));
	}
	if (i == 0) { /* adding from the callback works */
		snprintf(name, sizeof name, "d%d.example.jp", NDOM);
		more.domain = name;
		ta->added += verify_batch_add(ta->b, &more, (void *)NDOM) == 0;
	}
}

static struct dns_resolver *
resolver(struct fakens *ns, int timeout_ms, int inflight)
{
	char server[32];
	const char *servers[] = {server};
	struct dns_resolver_opts o = {servers,	1, timeout_ms, 2,
				      inflight, 0, 0};

	snprintf(server, sizeof server, "127.0.0.1:%d", ns->port);
	return dns_resolver_new(&o);
}

static void
test_batch(struct fakens *ns)
{
	static struct tally ta;
	struct dns_resolver *r = resolver(ns, 1000, 8);
	struct verify_request req = {
	    .domain = NULL, .selector = "s1", .dkim_p = KEY};
	struct dns_stats st;
	char name[64];
	size_t left;
	int i, once = 1;

	ta.b = verify_batch_new(r, &platform, 16, on_done, &ta);
	for (i = 0; i < NDOM; i++) {
		snprintf(name, sizeof name, "d%d.example.jp", i);
		req.domain = name;
		verify_batch_add(ta.b, &req, (void *)(long)i);
	}
	t_ok(verify_batch_pending(ta.b) == NDOM, "batch: %d pending", NDOM);
	left = verify_batch_run(ta.b, 20000);
	for (i = 0; i <= NDOM; i++)
		once &= ta.done[i] == 1;
	dns_resolver_stats(r, &st);
	t_ok(left == 0 && verify_batch_pending(ta.b) == 0,
	     "batch: every check complete");
	t_ok(once && ta.added == 1, "batch: each completed once, one added "
				    "from the callback");
	t_ok(ta.wrong == 0 && ta.nulls == 0,
	     "batch: each verdict its domain's (%d wrong)", ta.wrong);
	t_ok(st.max_inflight <= 8 && st.by_status[DNS_TIMEOUT] == 0,
	     "batch: at most 8 queries in flight (%d), no timeout",
	     st.max_inflight);
	verify_batch_free(ta.b);
	dns_resolver_free(r);
}

static int slow_done;
static void
count_done(void *arg, void *user, const struct verify_request *req,
	   const struct verify_result *res)
{
	slow_done++;
}

static void
test_batch_free_early(struct fakens *ns)
{
	struct dns_resolver *r = resolver(ns, 2000, 8);
	struct verify_batch *b =
	    verify_batch_new(r, &platform, 0, count_done, NULL);
	struct verify_request req = {
	    .domain = "slow.example.jp", .selector = "s1", .dkim_p = KEY};
	size_t left;

	verify_batch_add(b, &req, NULL);
	req.domain = "d1.example.jp";
	verify_batch_add(b, &req, NULL);
	left = verify_batch_run(b, 300);
	t_ok(left == 1 && slow_done == 1,
	     "batch: a run can stop with checks outstanding");
	verify_batch_free(b);
	dns_resolver_wait(r, 10); /* answers for a freed batch: no waiter */
	dns_resolver_free(r);
	t_ok(slow_done == 1, "batch: freed checks are not reported");
}

int
main(void)
{
	struct dns_table *t;
	struct fakens ns;

	test_checks();
	test_restart();
	test_xml();
	test_xml_org_domain();
	test_xml_escaping();
	t = dns_table_new();
	batch_zone(t);
	if (fakens_start(&ns, t) == -1) {
		t_ok(0, "fake name server started");
		return t_done();
	}
	test_batch(&ns);
	test_batch_free_early(&ns);
	fakens_stop(&ns);
	dns_table_free(t);
	return t_done();
}
