/*
 * test-records - the records the product issues and the zone-file split
 * into strings of at most 255 bytes.
 */
#include <stdlib.h>

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
	return t_done();
}
