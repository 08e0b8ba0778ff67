/*
 * test-dkim.c - base64, key record parsing, key comparison and every reason of
 * the DKIM verdict over the in-memory DNS table, plus the restart protocol over
 * a source that answers late.
 */
#include <stdlib.h>
#include <string.h>

#include "dkim.h"
#include "dns.h"
#include "dnstable.h"
#include "t.h"
#include "util.h"

/* Two 2048-bit RSA keys and an Ed25519 key (DER SubjectPublicKeyInfo). */
#define KEY_A                                                                  \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAiBS4JssCYB2iR1HicnlbRuYf" \
	"jLwhXdxqXfKO//7NFnr1AEUu7a9cRijd7bzQC02/YbjrVWcrX++oW4sSwDnnat8Xjdn/" \
	"bDpHa2CxSU4PJ1jRgilGyhPpGhNrjq1/wxAMqKJCxd3JzTwpSbseEA8yLsTV7wMWzdWs" \
	"C4quuildO4DgkHV18EuG7WvowTaKG4vdyebatqIRIdoyxwNfpudh8F4N/PKE6U4K2JnU" \
	"wCan37OO/kYfaq8FQhRkk5hVZ86NhjDSIwFsiCpedj9OevKS1zlVM2bXAFdFEaAOVi8h" \
	"XusQtEXXxCNgR6vSD0e5W65UdV7wpHZ5QVkEMK2rAPMikQIDAQAB"
#define KEY_B                                                                  \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvOhzsEOYz9JBRa5roi1GYw6B" \
	"pTMtScSzyLkLKgEZ+jej4QRV9PPd2WW1YCJqJrjcFyXjSA8CoH2fSMpRpZyBDTSNvxLW" \
	"eAFTdffRH13fIqVYNrRw1b3ZoOIQcMgws24jnTEWKAQslSCsSafz4F5U1fA3J5q9EZEn" \
	"L+1fOrWJYhQumIRQL1A4v9+QTrEE9U2Xcg3buSV3/O0V6tNQ41N7mjssM+jPtT01uao7" \
	"B3v05TjJTSFRKAaCLsGWIGAYmbWMWFrVt+gJi0t3dLqU1xgCdgXb2jSSLiArKdPS8AaN" \
	"QOILBvUCMFyiw1rCmmuC8zTdIXTPCdIHl1aoVm3CUruzdQIDAQAB"
#define KEY_ED "MCowBQYDK2VwAyEAuiuh/fob8vESji5zQlkTIoy8Z9Jm7G3ilZgp7CUHzGE="

/* ---- base64 ---- */

static const struct {
	const char *in;
	long n; /* decoded length, or -1 */
	const char *out;
} b64s[] = {
    {"", 0, ""},
    {"QQ==", 1, "A"},
    {"QQ", 1, "A"},
    {"QUI=", 2, "AB"},
    {"QUI", 2, "AB"},
    {"QUJD", 3, "ABC"},
    {"QUJDRA==", 4, "ABCD"},
    {" Q U\tJ D ", 3, "ABC"},
    {"QUJ\r\n D", 3, "ABC"},
    {"QQ = =", 1, "A"},
    {"+/+/", 3, "\xfb\xff\xbf"},
    {"Q", -1, NULL},
    {"QUJDR", -1, NULL},
    {"QQ=", -1, NULL},
    {"QQ===", -1, NULL},
    {"Q===", -1, NULL},
    {"=", -1, NULL},
    {"QQ==QQ==", -1, NULL},
    {"QQ=A", -1, NULL},
    {"QU!D", -1, NULL},
    {"QU-D", -1, NULL},
    {"QU_D", -1, NULL},
    {"QU\x80"
     "D",
     -1, NULL},
    {"QU;D", -1, NULL},
};

static void
test_base64(void)
{
	unsigned char out[16];
	size_t i;
	long n;

	for (i = 0; i < sizeof b64s / sizeof b64s[0]; i++) {
		n = dkim_base64_decode(b64s[i].in, strlen(b64s[i].in), out);
		t_ok(n == b64s[i].n &&
			 (n < 0 || memcmp(out, b64s[i].out, (size_t)n) == 0),
		     "base64 \"%s\": %ld bytes", b64s[i].in, b64s[i].n);
	}
}

/* ---- key records ---- */

static const struct {
	const char *in;
	int ok;
	const char *k; /* expected k=, when ok */
} keys[] = {
    {"v=DKIM1; k=rsa; p=" KEY_A, 1, "rsa"},
    {"p=" KEY_A, 1, "rsa"},
    {"v=DKIM1; p=" KEY_A, 1, "rsa"},
    {"v=DKIM1;k=rsa;p=" KEY_A ";", 1, "rsa"},
    {"v=DKIM1; k=rsa; p=" KEY_A "; ", 1, "rsa"},
    {"v=DKIM1; p=", 1, "rsa"},
    {"v=DKIM1; k=ed25519; p=" KEY_ED, 1, "ed25519"},
    {"v=DKIM1; k=RSA; p=" KEY_A, 1, "RSA"},
    {"v=DKIM1; h=sha256; p=" KEY_A, 1, "rsa"},
    {"v=DKIM1; h=sha1:sha256; p=" KEY_A, 1, "rsa"},
    {"v=DKIM1; h=sha1 : sha256; p=" KEY_A, 1, "rsa"},
    {"v=DKIM1; s=email; p=" KEY_A, 1, "rsa"},
    {"v=DKIM1; s=*; p=" KEY_A, 1, "rsa"},
    {"v=DKIM1; t=y:s; p=" KEY_A, 1, "rsa"},
    {"v=DKIM1; n=any notes here; p=" KEY_A, 1, "rsa"},
    {"v=DKIM1; x_future=1; p=" KEY_A, 1, "rsa"},
    {"v=DKIM1; x-future=1; p=" KEY_A, 0, NULL},
    {"v=DKIM1; P=junk; p=" KEY_A, 1, "rsa"},
    {"v=DKIM1; p=MIIB IjAN\r\n Bgkq", 1, "rsa"},
    {"", 0, NULL},
    {"v=DKIM1", 0, NULL},
    {"v=DKIM1; k=rsa", 0, NULL},
    {"k=rsa; v=DKIM1; p=" KEY_A, 0, NULL},
    {"v=DKIM2; p=" KEY_A, 0, NULL},
    {"v=dkim1; p=" KEY_A, 0, NULL},
    {"v=DKIM1 x; p=" KEY_A, 0, NULL},
    {"v=; p=" KEY_A, 0, NULL},
    {"v=DKIM1; p=" KEY_A "; p=" KEY_A, 0, NULL},
    {"v=DKIM1; v=DKIM1; p=" KEY_A, 0, NULL},
    {"v=DKIM1; k=rsa; k=rsa; p=" KEY_A, 0, NULL},
    {"v=DKIM1; p=" KEY_A "!", 0, NULL},
    {"v=DKIM1; p=QQ==QQ==", 1, "rsa"}, /* structure: judged later */
    {"v=DKIM1; p=Q", 1, "rsa"},
    {"v=DKIM1; k=; p=" KEY_A, 0, NULL},
    {"v=DKIM1; k=r s a; p=" KEY_A, 0, NULL},
    {"v=DKIM1; h=; p=" KEY_A, 0, NULL},
    {"v=DKIM1; h=sha256:; p=" KEY_A, 0, NULL},
    {"v=DKIM1; h=sha_256; p=" KEY_A, 0, NULL},
    {"v=DKIM1; s=em ail; p=" KEY_A, 0, NULL},
    {"v=DKIM1; t=y::s; p=" KEY_A, 0, NULL},
    {"v=DKIM1;; p=" KEY_A, 0, NULL},
    {"v=DKIM1; p=" KEY_A " ;x", 0, NULL},
    {"v=DKIM1\n; p=" KEY_A, 0, NULL},
    {"v=DKIM1; p=\"" KEY_A "\"", 0, NULL},
    {"v=DKIM1; k=rsa; p=" KEY_A "\xe3\x80\x80", 0, NULL},
    {"google-site-verification=abc", 0, NULL},
    {"v=spf1 -all", 0, NULL},
};

static void
test_key_parse(void)
{
	struct dkim_key k;
	size_t i;
	int rc;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		rc = dkim_key_parse(keys[i].in, strlen(keys[i].in), &k);
		t_ok((rc == 0) == keys[i].ok &&
			 (!keys[i].ok || (k.klen == strlen(keys[i].k) &&
					  memcmp(k.k, keys[i].k, k.klen) == 0)),
		     "key record %zu \"%.40s\": %s", i, keys[i].in,
		     keys[i].ok ? "valid" : "syntax error");
	}
}

/* ---- comparison with the issued key ---- */

static const struct {
	const char *in;
	enum dkim_reason want;
} judged[] = {
    {"v=DKIM1; k=rsa; p=" KEY_A, DKIM_OK},
    {"p=" KEY_A, DKIM_OK},
    {"v=DKIM1; K=x; k=RSA; p=" KEY_A, DKIM_OK},
    {"v=DKIM1; k=rsa; p=", DKIM_REVOKED},
    {"v=DKIM1; k=ed25519; p=", DKIM_REVOKED},
    {"v=DKIM1; k=ed25519; p=" KEY_ED, DKIM_WRONG_KEY_TYPE},
    {"v=DKIM1; k=dsa; p=" KEY_A, DKIM_WRONG_KEY_TYPE},
    {"v=DKIM1; k=rsa; p=" KEY_B, DKIM_KEY_MISMATCH},
    {"v=DKIM1; k=rsa; p=" KEY_A "AAAA", DKIM_KEY_MISMATCH},
    {"v=DKIM1; k=rsa; p=QUJD", DKIM_KEY_MISMATCH},
    {"v=DKIM1; k=rsa; p=QQ==QQ==", DKIM_SYNTAX_ERROR},
    {"v=DKIM1; k=rsa; p=Q", DKIM_SYNTAX_ERROR},
    {"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AM=", DKIM_SYNTAX_ERROR},
    {"v=DKIM1; k=rsa; p=MIIBI", DKIM_KEY_TRUNCATED},
    {"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAiBS4",
     DKIM_KEY_TRUNCATED},
    {"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAiBS",
     DKIM_KEY_TRUNCATED},
    {"v=DKIM1; k=rsa; p=MIIB IjAN", DKIM_KEY_TRUNCATED},
    {"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAiBS5",
     DKIM_KEY_MISMATCH},
};

/* The published value cut at many lengths is key_truncated; the whole
 * key folded with spaces and CRLF every few characters is ok. */
static void
test_judge_cuts(void)
{
	static const size_t cuts[] = {1, 4, 50, 237, 255, 300, 391};
	static const char key[] = KEY_A;
	struct dkim_key k;
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		buf_init(&b);
		buf_addf(&b, "v=DKIM1; k=rsa; p=%.*s", (int)cuts[i], key);
		t_ok(dkim_key_parse(b.s, b.len, &k) == 0 &&
			 dkim_key_judge(&k, KEY_A) == DKIM_KEY_TRUNCATED,
		     "judge: key cut at %zu is key_truncated", cuts[i]);
		buf_release(&b);
	}
	buf_init(&b);
	buf_adds(&b, "v=DKIM1; k=rsa; p=");
	for (i = 0; i < sizeof key - 1; i += 60)
		buf_addf(&b, "%.60s%s", key + i, i % 120 ? "\r\n\t" : " ");
	t_ok(dkim_key_parse(b.s, b.len, &k) == 0 &&
		 dkim_key_judge(&k, KEY_A) == DKIM_OK,
	     "judge: key folded with FWS is ok");
	buf_release(&b);
}

static void
test_judge(void)
{
	struct dkim_key k;
	size_t i;
	int rc;

	for (i = 0; i < sizeof judged / sizeof judged[0]; i++) {
		rc = dkim_key_parse(judged[i].in, strlen(judged[i].in), &k);
		t_ok(rc == 0 && dkim_key_judge(&k, KEY_A) == judged[i].want,
		     "judge %zu \"%.40s\": %s", i, judged[i].in,
		     dkim_reason_name(judged[i].want));
	}
	test_judge_cuts();
	rc = dkim_key_parse("p=" KEY_A, strlen("p=" KEY_A), &k);
	t_ok(rc == 0 && dkim_key_judge(&k, "MIIBIjAN BgkqhkiG 9w0B") ==
			    DKIM_KEY_MISMATCH,
	     "judge: expected key with spaces, published longer");
}

/* ---- the verdict over the in-memory table ---- */

#define D "example.jp"
#define N "s1._domainkey." D

/* One zone setup: TXT RRs (owner, up to 3 strings), CNAMEs, statuses. */
struct rrdef {
	const char *owner;
	const char *str[3];
};

static const struct vcase {
	const char *name;
	struct rrdef txt[3];
	const char *cname_from, *cname_to;
	const char *fail_name;
	enum dns_status fail;
	const char *status, *reason;
} vcases[] = {
    {"ok", {{N, {"@A"}}}, NULL, NULL, NULL, 0, "verified", "ok"},
    {"ok, key split in two strings",
     {{N, {"@A255a", "@A255b"}}},
     NULL,
     NULL,
     NULL,
     0,
     "verified",
     "ok"},
    {"ok, key split in three strings",
     {{N, {"@A150a", "@A150b", "@A150c"}}},
     NULL,
     NULL,
     NULL,
     0,
     "verified",
     "ok"},
    {"ok through a CNAME",
     {{"s1._domainkey.esp.example", {"v=DKIM1; k=rsa; p=" KEY_A}}},
     N,
     "s1._domainkey.esp.example",
     NULL,
     0,
     "verified",
     "ok"},
    {"no record (NXDOMAIN)",
     {{"other." D, {"x"}}},
     NULL,
     NULL,
     NULL,
     0,
     "unverified",
     "no_record"},
    {"no record (NODATA)",
     {{N ".x", {"x"}}},
     NULL,
     NULL,
     NULL,
     0,
     "unverified",
     "no_record"},
    {"no record (CNAME to nothing)",
     {{"other." D, {"x"}}},
     N,
     "gone.example",
     NULL,
     0,
     "unverified",
     "no_record"},
    {"key mismatch",
     {{N, {"v=DKIM1; k=rsa; p=" KEY_B}}},
     NULL,
     NULL,
     NULL,
     0,
     "unverified",
     "key_mismatch"},
    {"key truncated at 255",
     {{N, {"@A255a"}}},
     NULL,
     NULL,
     NULL,
     0,
     "unverified",
     "key_truncated"},
    {"revoked",
     {{N, {"v=DKIM1; k=rsa; p="}}},
     NULL,
     NULL,
     NULL,
     0,
     "unverified",
     "revoked"},
    {"syntax error",
     {{N, {"v=DKIM1; k=rsa; p=" KEY_A "; p=x"}}},
     NULL,
     NULL,
     NULL,
     0,
     "unverified",
     "syntax_error"},
    {"syntax error: not a key",
     {{N, {"hello world"}}},
     NULL,
     NULL,
     NULL,
     0,
     "unverified",
     "syntax_error"},
    {"syntax error: NUL inside",
     {{N, {"v=DKIM1; p=\x01"}}},
     NULL,
     NULL,
     NULL,
     0,
     "unverified",
     "syntax_error"},
    {"multiple records",
     {{N, {"v=DKIM1; k=rsa; p=" KEY_A}}, {N, {"v=DKIM1; k=rsa; p=" KEY_B}}},
     NULL,
     NULL,
     NULL,
     0,
     "unverified",
     "multiple_records"},
    {"multiple records: key split into two RRs",
     {{N, {"@A255a"}}, {N, {"@A255b"}}},
     NULL,
     NULL,
     NULL,
     0,
     "unverified",
     "multiple_records"},
    {"wrong key type",
     {{N, {"v=DKIM1; k=ed25519; p=" KEY_ED}}},
     NULL,
     NULL,
     NULL,
     0,
     "unverified",
     "wrong_key_type"},
    {"doubled domain",
     {{N "." D, {"v=DKIM1; k=rsa; p=" KEY_A}}},
     NULL,
     NULL,
     NULL,
     0,
     "unverified",
     "doubled_domain"},
    {"doubled domain with another key",
     {{N "." D, {"v=DKIM1; k=rsa; p=" KEY_B}}},
     NULL,
     NULL,
     NULL,
     0,
     "unverified",
     "doubled_domain"},
    {"doubled name holds no key",
     {{N "." D, {"hello"}}},
     NULL,
     NULL,
     NULL,
     0,
     "unverified",
     "no_record"},
    {"doubled lookup fails",
     {{"x." D, {"x"}}},
     NULL,
     NULL,
     N "." D,
     DNS_TIMEOUT,
     "unverified",
     "no_record"},
    {"dns error (SERVFAIL)",
     {{"x." D, {"x"}}},
     NULL,
     NULL,
     N,
     DNS_SERVFAIL,
     "tempfail",
     "dns_error"},
    {"dns error (timeout)",
     {{"x." D, {"x"}}},
     NULL,
     NULL,
     N,
     DNS_TIMEOUT,
     "tempfail",
     "dns_error"},
};

/* Placeholders for the issued record "v=DKIM1; k=rsa; p=" KEY_A: "@A"
 * whole, "@A255a" / "@A255b" its first 255 bytes and the rest (the split
 * of a zone file), "@A150a".."@A150c" three strings of up to 150 bytes. */
static void
expand(const char *in, const char **out, size_t *len)
{
	static const char rec[] = "v=DKIM1; k=rsa; p=" KEY_A;
	size_t size, part;

	*out = in;
	*len = strlen(in);
	if (in[0] != '@')
		return;
	*out = rec;
	*len = sizeof rec - 1;
	if (strcmp(in, "@A") == 0)
		return;
	size = in[2] == '2' ? 255 : 150;
	part = (size_t)(in[5] - 'a');
	*out = rec + size * part;
	*len = *len - size * part < size ? *len - size * part : size;
}

static struct dns_table *
vcase_table(const struct vcase *c)
{
	struct dns_table *t = dns_table_new();
	const char *str[3];
	size_t i, n, len[3];

	for (i = 0; i < 3 && c->txt[i].owner != NULL; i++) {
		for (n = 0; n < 3 && c->txt[i].str[n] != NULL; n++)
			expand(c->txt[i].str[n], &str[n], &len[n]);
		dns_table_add_txt(t, c->txt[i].owner, n, str, len);
	}
	if (c->cname_from != NULL)
		dns_table_add_cname(t, c->cname_from, c->cname_to);
	if (c->fail_name != NULL)
		dns_table_set_status(t, c->fail_name, DNS_T_TXT, c->fail);
	return t;
}

static void
test_verdicts(void)
{
	struct dkim_verdict v;
	struct dns_table *t;
	struct dns_source src;
	size_t i;
	int rc;

	for (i = 0; i < sizeof vcases / sizeof vcases[0]; i++) {
		t = vcase_table(&vcases[i]);
		src = dns_table_source(t);
		rc = dkim_verdict(D, "s1", KEY_A, &src, &v);
		t_ok(rc == 0 &&
			 strcmp(dkim_status_name(v.status), vcases[i].status) ==
			     0 &&
			 strcmp(dkim_reason_name(v.reason), vcases[i].reason) ==
			     0 &&
			 strcmp(v.name, N) == 0,
		     "verdict %s: %s %s (got %s %s)", vcases[i].name,
		     vcases[i].status, vcases[i].reason,
		     rc == 0 ? dkim_status_name(v.status) : "-",
		     rc == 0 ? dkim_reason_name(v.reason) : "-");
		dkim_verdict_release(&v);
		dns_table_free(t);
	}
}

/* A source that knows an answer only from the second time it is asked,
 * the way the resolver's cache does: the verdict must restart. */
struct late {
	struct dns_source inner;
	char asked[8][300];
	int nasked, nulls;
};

static const struct dns_answer *
late_get(void *ctx, const char *name, enum dns_type type)
{
	struct late *l = ctx;
	int i;

	for (i = 0; i < l->nasked; i++)
		if (strcmp(l->asked[i], name) == 0)
			return l->inner.get(l->inner.ctx, name, type);
	if (l->nasked < 8)
		snprintf(l->asked[l->nasked++], sizeof l->asked[0], "%s", name);
	l->nulls++;
	return NULL;
}

static void
test_restart(void)
{
	static const char *const rec[] = {"v=DKIM1; k=rsa; p=" KEY_A};
	struct dns_table *t = dns_table_new();
	struct late l = {{NULL, NULL}, {{0}}, 0, 0};
	struct dns_source src = {late_get, &l};
	struct dkim_verdict v;
	int rc, passes = 0;

	dns_table_add_txt(t, N "." D, 1, rec, NULL);
	l.inner = dns_table_source(t);
	while ((rc = dkim_verdict(D, "s1", KEY_A, &src, &v)) == 1 &&
	       passes < 10) {
		dkim_verdict_release(&v);
		passes++;
	}
	t_ok(rc == 0 && passes == 2 && l.nulls == 2,
	     "restart: two passes need DNS (the name, then the doubled one)");
	t_ok(rc == 0 && v.reason == DKIM_DOUBLED_DOMAIN,
	     "restart: then the verdict is complete");
	dkim_verdict_release(&v);
	dns_table_free(t);
}

static void
test_names(void)
{
	static const char *const want[DKIM_REASON__MAX] = {"ok",
							   "no_record",
							   "key_mismatch",
							   "key_truncated",
							   "revoked",
							   "syntax_error",
							   "multiple_records",
							   "wrong_key_type",
							   "doubled_domain",
							   "dns_error",
							   "no_selector"};
	static const char *const status[DKIM_STATUS__MAX] = {
	    "unverified", "verified", "tempfail", "skipped"};
	int i;

	for (i = 0; i < DKIM_REASON__MAX; i++)
		T_STREQ(dkim_reason_name((enum dkim_reason)i), want[i],
			"reason name %s", want[i]);
	T_STREQ(dkim_reason_name(DKIM_REASON__MAX), "unknown",
		"reason name out of range");
	for (i = 0; i < DKIM_STATUS__MAX; i++)
		T_STREQ(dkim_status_name((enum dkim_status)i), status[i],
			"status name %s", status[i]);
	T_STREQ(dkim_status_name(DKIM_STATUS__MAX), "unknown",
		"status name out of range");
	t_ok(dkim_reason_status(DKIM_OK) == DKIM_STATUS_VERIFIED &&
		 dkim_reason_status(DKIM_DNS_ERROR) == DKIM_STATUS_TEMPFAIL &&
		 dkim_reason_status(DKIM_NO_SELECTOR) == DKIM_STATUS_SKIPPED &&
		 dkim_reason_status(DKIM_REVOKED) == DKIM_STATUS_UNVERIFIED,
	     "status of a reason");
}

int
main(void)
{
	test_base64();
	test_key_parse();
	test_judge();
	test_verdicts();
	test_restart();
	test_names();
	return t_done();
}
