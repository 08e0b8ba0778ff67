/*
 * test-records - the records the product issues (the DMARC record it
 * suggests included), the zone-file split into strings of at most 255
 * bytes and its escapes, and the dmarc_rua setting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "records.h"
#include "t.h"
#include "util.h"

static void
test_split(size_t len)
{
	char *v = malloc(len + 1), *z, *p;
	size_t n = 0, total = 0, max = 0, l;

	memset(v, 'A', len);
	v[len] = '\0';
	z = records_zone_line("s._domainkey.example.jp", v, 255);
	for (p = strchr(z, '"'); p != NULL; p = strchr(p + l + 2, '"')) {
		l = strcspn(p + 1, "\"");
		total += l;
		max = l > max ? l : max;
		n++;
	}
	t_ok(total == len && max <= 255 && n == (len + 254) / 255 + (len == 0),
	     "split of %zu bytes: %zu strings, longest %zu", len, n, max);
	t_ok(strncmp(z, "s._domainkey.example.jp. IN TXT (", 33) == 0,
	     "zone line starts with the owner name (%zu)", len);
	free(z);
	free(v);
}

/* spf_all: the two values records_platform() and the verifier accept. */
static void
test_policy(void)
{
	static const struct {
		const char *in;
		int rc;
		enum spf_policy want;
	} rows[] = {
	    {"softfail", 0, SPF_POLICY_SOFTFAIL},
	    {"any", 0, SPF_POLICY_ANY},
	    {"never", -1, SPF_POLICY_SOFTFAIL},
	    {"", -1, SPF_POLICY_SOFTFAIL},
	    {"Any", -1, SPF_POLICY_SOFTFAIL},
	    {NULL, -1, SPF_POLICY_SOFTFAIL},
	};
	enum spf_policy got;
	size_t i;
	int rc;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		got = SPF_POLICY_SOFTFAIL;
		rc = records_spf_policy(rows[i].in, &got);
		t_ok(rc == rows[i].rc && (rc == -1 || got == rows[i].want),
		     "spf_all \"%s\"", rows[i].in ? rows[i].in : "(null)");
	}
}

/* The DMARC record suggested to a domain without one. */
static void
test_dmarc(void)
{
	static const struct {
		const char *rua, *want;
	} rows[] = {
	    {"dmarc@example.jp",
	     "v=DMARC1; p=none; rua=mailto:dmarc@example.jp"},
	    {"Taro.Yamada+dmarc@Example.JP",
	     "v=DMARC1; p=none; rua=mailto:Taro.Yamada+dmarc@Example.JP"},
	    /* RFC 7489 §6.4: ',' and '!' encoded; others not in a URI too */
	    {"a!b@example.jp", "v=DMARC1; p=none; rua=mailto:a%21b@example.jp"},
	    {"a,b@example.jp", "v=DMARC1; p=none; rua=mailto:a%2Cb@example.jp"},
	    {"o'brien@example.jp",
	     "v=DMARC1; p=none; rua=mailto:o%27brien@example.jp"},
	    {"a%b?c=d@example.jp",
	     "v=DMARC1; p=none; rua=mailto:a%25b%3Fc%3Dd@example.jp"},
	    {NULL, "v=DMARC1; p=none"},
	    {"", "v=DMARC1; p=none"},
	    {"@example.jp", "v=DMARC1; p=none"},
	    {"dmarc@", "v=DMARC1; p=none"},
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		s = records_dmarc(rows[i].rua);
		T_STREQ(s, rows[i].want, "DMARC record, rua %s",
			rows[i].rua ? rows[i].rua : "(none)");
		free(s);
	}
	s = records_dmarc_host("example.jp");
	T_STREQ(s, "_dmarc.example.jp", "DMARC host");
	free(s);
}

/* A value from DNS in a zone-file line: quotes, backslashes and bytes
 * outside printable ASCII escaped, the split counting the bytes. */
static void
test_escape(void)
{
	char v[300], *z;

	z = records_zone_line("example.jp", "v=spf1 \"a\\b\" \x01\xe3 ~all",
			      255);
	T_STREQ(
	    z,
	    "example.jp. IN TXT ( \"v=spf1 \\\"a\\\\b\\\" \\001\\227 ~all\" )",
	    "zone line escapes what the value holds");
	free(z);
	memset(v, '"', 256);
	v[256] = '\0';
	z = records_zone_line("x.jp", v, 255);
	t_ok(strlen(z) == strlen("x.jp. IN TXT ( \"\" \"\" )") + 2 * 256,
	     "a split counts the bytes, not their escapes");
	free(z);
}

/* The one SPF record to publish, as the page and the export choose it. */
static void
test_publish(void)
{
	static const struct {
		const char *found, *suggested, *status, *want;
	} rows[] = {
	    /* nothing in DNS: the issued record */
	    {"", "", "pending", "ISSUED"},
	    {"", "ISSUED", "unverified", "ISSUED"},
	    {"", "", "tempfail", "ISSUED"},
	    /* a record of the customer's: the merge replaces it */
	    {"v=spf1 mx -all", "v=spf1 mx ip4:x ~all", "unverified",
	     "v=spf1 mx ip4:x ~all"},
	    {"v=spf1 a\nv=spf1 mx", "v=spf1 a mx ip4:x ~all", "unverified",
	     "v=spf1 a mx ip4:x ~all"},
	    {"v=spf1 mx -all", "v=spf1 mx ip4:x ~all", "tempfail",
	     "v=spf1 mx ip4:x ~all"},
	    /* in place already: the record as published */
	    {"v=spf1 include:p ~all", "", "verified", "v=spf1 include:p ~all"},
	};
	const char *r;
	size_t i, len;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		r = records_spf_publish("ISSUED", rows[i].found,
					rows[i].suggested, rows[i].status,
					&len);
		t_ok(len == strlen(rows[i].want) &&
			 strncmp(r, rows[i].want, len) == 0,
		     "SPF to publish, row %zu: %.*s", i, (int)len, r);
	}
}

/* CSV fields: quoted, quotes doubled (RFC 4180 §2). */
static void
test_csv(void)
{
	static const struct {
		const char *in, *want;
	} rows[] = {
	    {"example.jp", "\"example.jp\""},
	    {"v=DKIM1; k=rsa; p=AB", "\"v=DKIM1; k=rsa; p=AB\""},
	    {"a,b", "\"a,b\""},
	    {"say \"hi\"", "\"say \"\"hi\"\"\""},
	    {"", "\"\""},
	};
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		buf_init(&b);
		records_csv_field(&b, rows[i].in);
		T_STREQ(b.s, rows[i].want, "CSV field %s", rows[i].want);
		buf_release(&b);
	}
}

/* dmarc_rua: a mail address, refused at start-up otherwise. */
static void
test_config(void)
{
	static const struct {
		const char *line;
		int rc;
	} rows[] = {
	    {"dmarc_rua = dmarc@example.jp\n", 0},
	    {"dmarc_rua = not-an-address\n", -1},
	    {"dmarc_rua = a@b@example.jp\n", -1},
	    {"dmarc_rua =\n", -1},
	};
	char path[] = "/tmp/test-records.XXXXXX";
	size_t i;
	FILE *f;
	int fd, rc;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if ((fd = mkstemp(path)) == -1 ||
		    (f = fdopen(fd, "w")) == NULL) {
			t_ok(0, "temporary configuration");
			return;
		}
		fputs(rows[i].line, f);
		fclose(f);
		rc = config_load(path);
		t_ok(rc == rows[i].rc, "configuration %.*s: %d",
		     (int)strcspn(rows[i].line, "\n"), rows[i].line, rc);
		if (rc == 0)
			T_STREQ(config_str("dmarc_rua"), "dmarc@example.jp",
				"dmarc_rua read");
		config_free();
		unlink(path);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	}
	t_ok(config_str("dmarc_rua") == NULL, "dmarc_rua: none by default");
}

int
main(void)
{
	struct platform p;
	char *s;
	size_t lens[] = {0, 1, 254, 255, 256, 410, 510, 511};
	size_t i;

	records_platform(&p);
	t_ok(p.policy == SPF_POLICY_SOFTFAIL, "default spf_all is softfail");
	test_policy();
	s = records_spf(&p);
	T_STREQ(s, "v=spf1 ip4:210.198.21.20 include:m01-ahd-sys.net ~all",
		"default SPF record");
	free(s);
	p.ips[1] = "2001:db8::25";
	p.nips = 2;
	s = records_spf(&p);
	T_STREQ(s,
		"v=spf1 ip4:210.198.21.20 ip6:2001:db8::25 "
		"include:m01-ahd-sys.net ~all",
		"SPF record with ip6");
	free(s);
	s = records_dkim_value("MIIB");
	T_STREQ(s, "v=DKIM1; k=rsa; p=MIIB", "DKIM value");
	free(s);
	s = records_dkim_host("20261126", "example.jp");
	T_STREQ(s, "20261126._domainkey.example.jp", "DKIM host");
	free(s);
	for (i = 0; i < sizeof lens / sizeof lens[0]; i++)
		test_split(lens[i]);
	test_dmarc();
	test_escape();
	test_publish();
	test_csv();
	test_config();
	return t_done();
}
