/*
 * test-spf.c - table-driven tests of lib/verify/spf-*.c over
 * tests/double/dnstable.c: record parsing (valid and malformed records), macro
 * expansion with the examples of RFC 7208 §7.4, check_host() limits (§4.6.4)
 * and nesting, the restart path (SPF_NEED_DNS), and spf_verdict() for every SPF
 * reason of DESIGN.md with the suggested record. One "ok"/"not ok" line per
 * row.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "dnstable.h"
#include "spf.h"
#include "t.h"
#include "util.h"

/*
 * Parsing
 */

static const struct parse_row {
	const char *rec;
	enum spf_parse want;
	int nterms; /* -1: not checked */
} parse_rows[] = {
    /* valid */
    {"v=spf1", SPF_PARSE_OK, 0},
    {"V=SPF1 -ALL", SPF_PARSE_OK, 1},
    {"v=spf1   a   -all  ", SPF_PARSE_OK, 2},
    {"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx ptr "
     "exists:%{i}.bl.example.com include:_spf.example.com -all",
     SPF_PARSE_OK, 8},
    {"v=spf1 a/24 a//64 a/24//64 a:example.com/24//64 mx:mx.example.com//0",
     SPF_PARSE_OK, 5},
    {"v=spf1 ip4:0.0.0.0/0 ip6:::/0 ip6:::ffff:192.0.2.1/128", SPF_PARSE_OK, 3},
    {"v=spf1 redirect=_spf.example.com", SPF_PARSE_OK, 1},
    {"v=spf1 exp=explain.%{d} -all", SPF_PARSE_OK, 2},
    {"v=spf1 a:%{d}", SPF_PARSE_OK, 1},
    {"v=spf1 exists:%{l1r+-}.%{d2}", SPF_PARSE_OK, 1},
    {"v=spf1 a:example.com.", SPF_PARSE_OK, 1},
    {"v=spf1 a:foo.example.xn--zckzah", SPF_PARSE_OK, 1},
    {"v=spf1 a:foo:bar/baz.example.com", SPF_PARSE_OK, 1},
    {"v=spf1 moo.cow-far_out=man:dog/cat ?all", SPF_PARSE_OK, 2},
    {"v=spf1 x=%{c}%{r}%{t} y=", SPF_PARSE_OK, 2},
    {"v=spf1 ?all +all ~all", SPF_PARSE_OK, 3},
    {"v=spf1 a:macro%%percent%_%_space%-url-space.example.com", SPF_PARSE_OK,
     1},
    /* not SPF records (§4.5) */
    {"v=spf10", SPF_PARSE_NOT_SPF, -1},
    {"v=spf", SPF_PARSE_NOT_SPF, -1},
    {"", SPF_PARSE_NOT_SPF, -1},
    {" v=spf1 -all", SPF_PARSE_NOT_SPF, -1},
    {"v=spf1\t-all", SPF_PARSE_NOT_SPF, -1},
    {"v=spf2.0/pra -all", SPF_PARSE_NOT_SPF, -1},
    {"google-site-verification=abc", SPF_PARSE_NOT_SPF, -1},
    /* truncated */
    {"v=spf1 ip4:192.0.2", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 ip4:", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 ip6:", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 include:", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 include", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a:", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 exists", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 redirect=", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 exp=", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 -", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a:example.com/", SPF_PARSE_SYNTAX, -1},
    /* bad macros (§7.1) */
    {"v=spf1 a:%{x}.example.com", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a:%{d0}.example.com", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a:%{d", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a:%{d}}%{", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a:foo%.example.com", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 exists:%(ir).example.com", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a:%{d%{d}}.example.com", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a:%{d2x}.example.com", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a:%{c}.example.com", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 exp=%{r}.example.com", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 foo=%", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 foo=%abc", SPF_PARSE_SYNTAX, -1},
    /* bad CIDR (§5.6) */
    {"v=spf1 a/33", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a//129", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a/024", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a/24/64", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 mx/1000", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 ip4:192.0.2.1/33", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 ip4:192.0.2.1/", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 ip4:192.0.2.1//32", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 ip6:::1/129", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 ip6:::1//64", SPF_PARSE_SYNTAX, -1},
    /* bad addresses */
    {"v=spf1 ip4:192.0.2.01", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 ip4:256.0.2.1", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 ip4:192.0.2.1:25", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 ip6::CAFE::BABE", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 ip6:192.0.2.1", SPF_PARSE_SYNTAX, -1},
    /* unknown mechanisms and malformed terms */
    {"v=spf1 moo", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 ip4:192.0.2.1 -all moo", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 redirect:example.com", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 -all.", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 all:foo", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 -all/8", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 ptr/0", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 include:example.com/24", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 exists:example.com/24", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 1up=foo", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 =all", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 -redirect=example.com", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 moo.cow/far_out=man:dog/cat", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a:museum", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a:museum.", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a:foo.123", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a:111.222.33.44", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a:example.-com", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a:example.com:8080", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 exp=-all", SPF_PARSE_SYNTAX, -1},
    /* duplicated modifiers (§6) */
    {"v=spf1 redirect=a.example.com redirect=b.example.com", SPF_PARSE_SYNTAX,
     -1},
    {"v=spf1 REDIRECT=a.example.com redirect=a.example.com", SPF_PARSE_SYNTAX,
     -1},
    {"v=spf1 exp=a.example.com -all exp=b.example.com", SPF_PARSE_SYNTAX, -1},
    /* characters (§3.1, §4.6.1) */
    {"v=spf1 a\r-all", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a\n-all", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a:example.com\x80", SPF_PARSE_SYNTAX, -1},
    {"v=spf1 a:\xEF\xBB\xBF"
     "example.com",
     SPF_PARSE_SYNTAX, -1},
};

/* The row's input for its name: non-printable bytes as \xNN, so that
 * each result stays on one line. */
static const char *
printable(const char *s, char *out, size_t outsz)
{
	size_t o = 0;

	for (; *s != '\0' && o + 5 < outsz; s++) {
		if ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f)
			out[o++] = *s;
		else
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02X",
					      (unsigned char)*s);
	}
	out[o] = '\0';
	return out;
}

static void
test_parse(void)
{
	const struct parse_row *r;
	struct spf_record *rec;
	enum spf_parse got;
	char problem[160], name[300];
	size_t i;
	int n;

	for (i = 0; i < sizeof parse_rows / sizeof parse_rows[0]; i++) {
		r = &parse_rows[i];
		got = spf_record_parse(r->rec, strlen(r->rec), &rec, problem,
				       sizeof problem);
		n = rec != NULL ? (int)spf_record_nterms(rec) : -1;
		t_ok(got == r->want && (r->nterms < 0 || n == r->nterms) &&
			 (got != SPF_PARSE_SYNTAX || problem[0] != '\0'),
		     "parse \"%s\": got %d (%s) terms %d",
		     printable(r->rec, name, sizeof name), (int)got, problem,
		     n);
		spf_record_free(rec);
	}
}

/* A NUL inside the record, over-long records and too many terms. */
static void
test_parse_bounds(void)
{
	static const char nul[] = "v=spf1 a:foo.example.com\0 -all";
	struct spf_record *rec;
	struct buf b;
	char problem[160];
	enum spf_parse got;
	int i;

	got = spf_record_parse(nul, sizeof nul - 1, &rec, problem,
			       sizeof problem);
	t_ok(got == SPF_PARSE_SYNTAX,
	     "parse: NUL byte inside is a syntax error");
	spf_record_free(rec);

	buf_init(&b);
	buf_adds(&b, "v=spf1");
	while (b.len + 15 <= SPF_MAX_RECORD)
		buf_adds(&b, " ip4:192.0.2.1");
	got = spf_record_parse(b.s, b.len, &rec, problem, sizeof problem);
	t_ok(got == SPF_PARSE_OK, "parse: %zu bytes (at the bound) is fine",
	     b.len);
	spf_record_free(rec);
	while (b.len <= SPF_MAX_RECORD)
		buf_adds(&b, " a");
	got = spf_record_parse(b.s, b.len, &rec, problem, sizeof problem);
	t_ok(got == SPF_PARSE_SYNTAX, "parse: %zu bytes is over-long (%s)",
	     b.len, problem);
	spf_record_free(rec);
	buf_release(&b);

	buf_init(&b);
	buf_adds(&b, "v=spf1");
	for (i = 0; i <= SPF_MAX_TERMS; i++)
		buf_adds(&b, " a");
	got = spf_record_parse(b.s, b.len, &rec, problem, sizeof problem);
	t_ok(got == SPF_PARSE_SYNTAX, "parse: %d terms is too many (%s)",
	     SPF_MAX_TERMS + 1, problem);
	spf_record_free(rec);
	buf_release(&b);
}

static void
test_record_all(void)
{
	static const struct {
		const char *rec;
		int all;
	} rows[] = {
	    {"v=spf1 mx", 0},	    {"v=spf1 mx -all", '-'},
	    {"v=spf1 all", '+'},    {"v=spf1 ?all -all", '?'},
	    {"v=spf1 a ~ALL", '~'}, {"v=spf1 +all redirect=x.example", '+'},
	};
	struct spf_record *rec;
	char problem[160];
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		spf_record_parse(rows[i].rec, strlen(rows[i].rec), &rec,
				 problem, sizeof problem);
		t_ok(rec != NULL && spf_record_all(rec) == rows[i].all,
		     "record all of \"%s\" is '%c'", rows[i].rec,
		     rows[i].all ? rows[i].all : '0');
		spf_record_free(rec);
	}
}

/*
 * Tables
 */

static void
add_txt(struct dns_table *t, const char *name, const char *txt)
{
	if (dns_table_add_txt(t, name, 1, &txt, NULL) == -1)
		abort();
}

static void
add_ip(struct dns_table *t, const char *name, const char *ip)
{
	uint8_t b[16];

	if (inet_pton(AF_INET, ip, b) == 1)
		dns_table_add_a(t, name, b);
	else if (inet_pton(AF_INET6, ip, b) == 1)
		dns_table_add_aaaa(t, name, b);
	else
		abort();
}

/*
 * Macros (RFC 7208 §7.4 examples, then the corners)
 */

static const struct macro_row {
	const char *ip, *sender, *in;
	int explain, rc;
	const char *want;
} macro_rows[] = {
    {"192.0.2.3", "strong-bad@email.example.com", "%{s}", 0, 0,
     "strong-bad@email.example.com"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{o}", 0, 0,
     "email.example.com"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{d}", 0, 0,
     "email.example.com"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{d4}", 0, 0,
     "email.example.com"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{d3}", 0, 0,
     "email.example.com"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{d2}", 0, 0, "example.com"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{d1}", 0, 0, "com"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{dr}", 0, 0,
     "com.example.email"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{d2r}", 0, 0,
     "example.email"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{l}", 0, 0, "strong-bad"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{l-}", 0, 0, "strong.bad"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{lr}", 0, 0, "strong-bad"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{lr-}", 0, 0, "bad.strong"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{l1r-}", 0, 0, "strong"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{ir}.%{v}._spf.%{d2}", 0, 0,
     "3.2.0.192.in-addr._spf.example.com"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{lr-}.lp._spf.%{d2}", 0, 0,
     "bad.strong.lp._spf.example.com"},
    {"192.0.2.3", "strong-bad@email.example.com",
     "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", 0, 0,
     "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
    {"192.0.2.3", "strong-bad@email.example.com",
     "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", 0, 0,
     "3.2.0.192.in-addr.strong.lp._spf.example.com"},
    {"192.0.2.3", "strong-bad@email.example.com",
     "%{d2}.trusted-domains.example.net", 0, 0,
     "example.com.trusted-domains.example.net"},
    {"2001:db8::cb01", "strong-bad@email.example.com", "%{ir}.%{v}._spf.%{d2}",
     0, 0,
     "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._"
     "spf.example.com"},
    /* escapes, upper-case letters, exp-only letters */
    {"192.0.2.3", "strong-bad@email.example.com", "a%%b%_c%-d", 1, 0,
     "a%b c%20d"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{S}", 1, 0,
     "strong-bad%40email.example.com"},
    {"192.0.2.3", "~jack&jill=up-a_b3.c@example.com", "%{L}", 1, 0,
     "~jack%26jill%3Dup-a_b3.c"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{c} %{r}", 1, 0,
     "192.0.2.3 mx.example.net"},
    {"2001:db8::cb01", "strong-bad@email.example.com", "%{c}", 1, 0,
     "2001:db8::cb01"},
    {"::ffff:192.0.2.3", "strong-bad@email.example.com", "%{i} %{v}", 1, 0,
     "192.0.2.3 in-addr"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{h}", 0, 0,
     "mx.example.org"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{p}", 0, 0,
     "mx.example.org"},
    {"192.0.2.4", "strong-bad@email.example.com", "%{p}", 0, 0, "unknown"},
    {"192.0.2.3", "@email.example.com", "%{l}@%{o}", 1, 0,
     "postmaster@email.example.com"},
    {"192.0.2.3", "", "%{s}", 1, 0, "postmaster@email.example.com"},
    {"192.0.2.3", "a-b-c-d@email.example.com", "%{l2-}.%{l1r-}.%{l99-}", 0, 0,
     "c.d.a.a.b.c.d"},
    {"192.0.2.3", "a+b/c=d@email.example.com", "%{l+/=}", 0, 0, "a.b.c.d"},
    /* trailing dots: dropped from names, kept in text */
    {"192.0.2.3", "strong-bad@email.example.com", "%{d}.", 0, 0,
     "email.example.com"},
    {"192.0.2.3", "strong-bad@email.example.com", "%{d}.", 1, 0,
     "email.example.com."},
    /* syntax errors */
    {"192.0.2.3", "strong-bad@email.example.com", "%{c}", 0, -1, NULL},
    {"192.0.2.3", "strong-bad@email.example.com", "%{t}.x", 0, -1, NULL},
    {"192.0.2.3", "strong-bad@email.example.com", "%{x}", 1, -1, NULL},
    {"192.0.2.3", "strong-bad@email.example.com", "%{d0}", 0, -1, NULL},
    {"192.0.2.3", "strong-bad@email.example.com", "%{d", 0, -1, NULL},
    {"192.0.2.3", "strong-bad@email.example.com", "%(d)", 0, -1, NULL},
    {"192.0.2.3", "strong-bad@email.example.com", "50%", 1, -1, NULL},
    {"192.0.2.3", "strong-bad@email.example.com", "a b", 0, -1, NULL},
    {"192.0.2.3", "strong-bad@email.example.com", "tab\there", 1, -1, NULL},
    {"not-an-ip", "strong-bad@email.example.com", "%{d}", 0, -1, NULL},
};

static void
test_macros(void)
{
	const struct macro_row *r;
	struct dns_table *t = dns_table_new();
	struct dns_source src = dns_table_source(t);
	struct spf_request req;
	char *out;
	size_t i;
	int rc;

	dns_table_add_ptr(t, "3.2.0.192.in-addr.arpa", "mx.example.org.");
	add_ip(t, "mx.example.org", "192.0.2.3");
	dns_table_add_ptr(t, "4.2.0.192.in-addr.arpa", "mx.example.org");
	for (i = 0; i < sizeof macro_rows / sizeof macro_rows[0]; i++) {
		r = &macro_rows[i];
		memset(&req, 0, sizeof req);
		req.ip = r->ip;
		req.domain = "email.example.com";
		req.sender = r->sender;
		req.helo = "mx.example.org";
		req.receiver = "mx.example.net";
		rc = spf_expand(&req, &src, r->in, r->explain, &out);
		t_ok(rc == r->rc && (r->want == NULL ||
				     (out && strcmp(out, r->want) == 0)),
		     "macro %s \"%s\" (ip %s) -> \"%s\"",
		     r->explain ? "text" : "name", r->in, r->ip,
		     out ? out : "(error)");
		free(out);
	}
	dns_table_free(t);
}

/* %{t} is the time in seconds; §7.3 truncation keeps the right labels. */
static void
test_macro_corners(void)
{
	struct spf_request req;
	struct buf in;
	char *out = NULL;
	int rc, i;

	memset(&req, 0, sizeof req);
	req.ip = "192.0.2.3";
	req.domain = "somewhat.long.exp.example.com";
	req.sender = "test@somewhat.long.exp.example.com";
	rc = spf_expand(&req, NULL, "%{t}", 1, &out);
	t_ok(rc == 0 && out && strspn(out, "0123456789") == strlen(out) &&
		 strlen(out) >= 10,
	     "macro %%{t} is a decimal time: %s", out ? out : "(error)");
	free(out);

	buf_init(&in);
	buf_adds(&in, "foobar");
	for (i = 0; i < 8; i++)
		buf_adds(&in, ".%{o}");
	buf_adds(&in, ".example.com");
	rc = spf_expand(&req, NULL, in.s, 0, &out);
	t_ok(rc == 0 && out && strlen(out) <= 253 &&
		 strncmp(out, "somewhat.", 9) == 0,
	     "macro: 258-octet name left-truncated to %zu octets",
	     out ? strlen(out) : 0);
	free(out);
	buf_release(&in);

	req.sender = "a@b";
	buf_init(&in);
	for (i = 0; i < 200; i++)
		buf_adds(&in, "%{s}%{s}%{s}%{s}");
	rc = spf_expand(&req, NULL, in.s, 1, &out);
	t_ok(rc == 0 && out && strlen(out) == 200 * 4 * 3,
	     "macro: long explanation text is kept whole");
	free(out);
	buf_release(&in);
}

/*
 * check_host()
 */

static struct dns_table *
host_table(void)
{
	struct dns_table *t = dns_table_new();
	int i;

	add_ip(t, "example.com", "198.51.100.1");
	add_txt(t, "ten.example.com",
		"v=spf1 a:example.com a:example.com a:example.com "
		"a:example.com a:example.com mx:example.com mx:example.com "
		"a:example.com include:ok.example.com a:example.com "
		"ip4:192.0.2.1 -all");
	dns_table_add_mx(t, "example.com", 10, "example.com");
	add_txt(t, "ok.example.com", "v=spf1 ip4:203.0.113.1 -all");
	add_txt(t, "eleven.example.com",
		"v=spf1 a a a a a a a a a a a ip4:192.0.2.1 -all");
	add_ip(t, "eleven.example.com", "198.51.100.2");
	add_txt(t, "void2.example.com",
		"v=spf1 a:nx1.example.com mx:nx2.example.com ip4:192.0.2.1 "
		"-all");
	add_txt(t, "void3.example.com",
		"v=spf1 a:nx1.example.com mx:nx2.example.com "
		"exists:nx3.example.com ip4:192.0.2.1 -all");
	add_txt(t, "loop.example.com", "v=spf1 include:loop.example.com -all");
	add_txt(t, "rloop.example.com",
		"v=spf1 ip4:203.0.113.9 redirect=rloop.example.com");
	/* c1 -> c2 -> … -> c11: ten includes, at the limit; c0 one more */
	for (i = 0; i <= 10; i++) {
		char name[64], rec[128];

		snprintf(name, sizeof name, "c%d.example.com", i);
		snprintf(rec, sizeof rec, "v=spf1 include:c%d.example.com -all",
			 i + 1);
		add_txt(t, name, rec);
	}
	add_txt(t, "c11.example.com", "v=spf1 ip4:192.0.2.1 -all");
	add_txt(t, "mx11.example.com", "v=spf1 mx -all");
	for (i = 0; i < 11; i++)
		dns_table_add_mx(t, "mx11.example.com", (uint16_t)i,
				 "example.com");
	add_txt(t, "slow.example.com", "v=spf1 a:timeout.example.com -all");
	dns_table_set_status(t, "timeout.example.com", DNS_T_A, DNS_TIMEOUT);
	add_txt(t, "incnone.example.com", "v=spf1 include:example.com -all");
	add_txt(t, "redirnone.example.com", "v=spf1 redirect=example.com");
	add_txt(t, "exp.example.com", "v=spf1 -all exp=why.example.com");
	add_txt(t, "why.example.com", "%{i} is not one of %{d}'s");
	add_txt(t, "two.example.com", "v=spf1 -all");
	add_txt(t, "two.example.com", "v=spf1 +all");
	add_txt(t, "cname.example.com", "v=spf1 ip4:192.0.2.1 -all");
	dns_table_add_cname(t, "alias.example.com", "cname.example.com.");
	add_txt(t, "v6.example.com", "v=spf1 a//48 -all");
	add_ip(t, "v6.example.com", "2001:db8:1::1");
	/* MX hosts: one matches, one cannot be asked, in either order */
	add_txt(t, "mxerr.example.com", "v=spf1 mx -all");
	dns_table_add_mx(t, "mxerr.example.com", 10, "example.com");
	dns_table_add_mx(t, "mxerr.example.com", 20, "timeout.example.com");
	add_txt(t, "mxerr2.example.com", "v=spf1 mx -all");
	dns_table_add_mx(t, "mxerr2.example.com", 10, "timeout.example.com");
	dns_table_add_mx(t, "mxerr2.example.com", 20, "example.com");
	add_txt(t, "mxnx.example.com", "v=spf1 mx -all");
	dns_table_add_mx(t, "mxnx.example.com", 10, "nx.example.com");
	dns_table_add_mx(t, "mxnx.example.com", 20, "example.com");
	return t;
}

static const struct host_row {
	const char *domain, *ip;
	enum spf_result want;
	int lookups, voids; /* -1: not checked */
	const char *exp;
} host_rows[] = {
    {"ten.example.com", "192.0.2.1", SPF_PASS, 10, 0, NULL},
    {"ten.example.com", "192.0.2.2", SPF_FAIL, 10, 0, NULL},
    {"eleven.example.com", "192.0.2.1", SPF_PERMERROR, 11, 0, NULL},
    {"void2.example.com", "192.0.2.1", SPF_PASS, 2, 2, NULL},
    {"void3.example.com", "192.0.2.1", SPF_PERMERROR, 3, 3, NULL},
    {"loop.example.com", "192.0.2.1", SPF_PERMERROR, 11, -1, NULL},
    {"rloop.example.com", "192.0.2.1", SPF_PERMERROR, 11, -1, NULL},
    {"c1.example.com", "192.0.2.1", SPF_PASS, 10, 0, NULL},
    {"c0.example.com", "192.0.2.1", SPF_PERMERROR, 11, 0, NULL},
    {"mx11.example.com", "198.51.100.1", SPF_PERMERROR, 1, 0, NULL},
    {"slow.example.com", "192.0.2.1", SPF_TEMPERROR, 1, 0, NULL},
    {"incnone.example.com", "192.0.2.1", SPF_PERMERROR, 1, 0, NULL},
    {"redirnone.example.com", "192.0.2.1", SPF_PERMERROR, 1, 0, NULL},
    {"exp.example.com", "192.0.2.1", SPF_FAIL, 0, 0,
     "192.0.2.1 is not one of exp.example.com's"},
    {"two.example.com", "192.0.2.1", SPF_PERMERROR, 0, 0, NULL},
    {"alias.example.com", "192.0.2.1", SPF_PASS, 0, 0, NULL},
    {"v6.example.com", "2001:db8:1:0:ffff::1", SPF_PASS, 1, 0, NULL},
    {"v6.example.com", "2001:db8:2::1", SPF_FAIL, 1, 0, NULL},
    {"v6.example.com", "192.0.2.1", SPF_FAIL, 1, 1, NULL},
    /* §5.4, §5: every MX name is looked up; a DNS error is temperror
     * even when another name matches, whatever the RRset's order */
    {"mxerr.example.com", "198.51.100.1", SPF_TEMPERROR, 1, 0, NULL},
    {"mxerr2.example.com", "198.51.100.1", SPF_TEMPERROR, 1, 0, NULL},
    {"mxerr.example.com", "192.0.2.9", SPF_TEMPERROR, 1, 0, NULL},
    /* a name without address is no error and no void lookup (§4.6.4
     * counts terms) */
    {"mxnx.example.com", "198.51.100.1", SPF_PASS, 1, 0, NULL},
    {"nothing.example.com", "192.0.2.1", SPF_NONE, 0, 0, NULL},
    {"localhost", "192.0.2.1", SPF_NONE, 0, 0, NULL},
    {"[192.0.2.1]", "192.0.2.1", SPF_NONE, 0, 0, NULL},
    {"ten.example.com", "192.0.2.999", SPF_PERMERROR, 0, 0, NULL},
};

/* A source that knows nothing at first, as the c-ares one: every new
 * question is recorded and answered NULL until learn() is called. */
struct lazy {
	struct dns_source inner;
	char *known[512], *pending[512];
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
	if (l->npending < 512 && (l->pending[l->npending] = strdup(key)))
		l->npending++;
	return NULL;
}

static size_t
lazy_learn(struct lazy *l)
{
	size_t n = l->npending;

	while (l->npending > 0 && l->nknown < 512)
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
test_check_host(void)
{
	struct dns_table *t = host_table();
	struct dns_source src = dns_table_source(t), lsrc;
	const struct host_row *r;
	struct spf_outcome o, o2;
	struct spf_request req;
	struct lazy l;
	enum spf_result got, got2;
	size_t i;
	int rounds;

	for (i = 0; i < sizeof host_rows / sizeof host_rows[0]; i++) {
		r = &host_rows[i];
		memset(&req, 0, sizeof req);
		req.ip = r->ip;
		req.domain = r->domain;
		req.sender = "user@example.org";
		req.helo = "mail.example.org";
		got = spf_check_host(&req, &src, &o);
		t_ok(got == r->want &&
			 (r->lookups < 0 || o.lookups == r->lookups) &&
			 (r->voids < 0 || o.void_lookups == r->voids) &&
			 ((r->exp == NULL && o.explanation == NULL) ||
			  (r->exp && o.explanation &&
			   strcmp(r->exp, o.explanation) == 0)) &&
			 ((got != SPF_PERMERROR && got != SPF_TEMPERROR) ||
			  o.problem != NULL),
		     "check_host(%s, %s) = %s lookups %d voids %d (%s)", r->ip,
		     r->domain, spf_result_name(got), o.lookups, o.void_lookups,
		     o.problem ? o.problem : "");

		/* The same through a source that needs restarts. */
		memset(&l, 0, sizeof l);
		l.inner = src;
		lsrc.get = lazy_get;
		lsrc.ctx = &l;
		for (rounds = 1;; rounds++) {
			got2 = spf_check_host(&req, &lsrc, &o2);
			if (got2 != SPF_NEED_DNS || lazy_learn(&l) == 0)
				break;
			spf_outcome_release(&o2);
		}
		t_ok(got2 == got && o2.lookups == o.lookups,
		     "check_host(%s, %s) restarted %d times = %s", r->ip,
		     r->domain, rounds - 1, spf_result_name(got2));
		spf_outcome_release(&o);
		spf_outcome_release(&o2);
		lazy_release(&l);
	}
	dns_table_free(t);
}

/*
 * spf_verdict()
 */

static struct dns_table *
verdict_table(void)
{
	static const char *const concat[] = {"v=spf1 mx -all",
					     "v=spf1 include:_spf.example.net "
					     "~all"};
	struct dns_table *t = dns_table_new();

	add_txt(t, "m01-ahd-sys.net", "v=spf1 ip4:210.198.21.0/24 ~all");
	add_txt(t, "ok.example.jp", "v=spf1 include:m01-ahd-sys.net ~all");
	add_txt(t, "ok.example.jp", "google-site-verification=abc");
	add_txt(t, "okip.example.jp", "v=spf1 ip4:210.198.21.20 ?all");
	add_txt(t, "none.example.jp", "google-site-verification=abc");
	add_txt(t, "multi.example.jp", "v=spf1 mx -all");
	add_txt(t, "multi.example.jp", "v=spf1 include:_spf.example.net ~all");
	add_txt(t, "syntax.example.jp", "v=spf1 ip4:192.0.2.1/33 mx -all");
	add_txt(t, "concat.example.jp",
		"v=spf1 mx -all v=spf1 include:_spf.example.net ~all");
	dns_table_add_txt(t, "concat2.example.jp", 2, concat, NULL);
	add_txt(t, "notauth.example.jp", "v=spf1 mx -all");
	dns_table_add_mx(t, "notauth.example.jp", 10,
			 "mail.notauth.example.jp");
	add_ip(t, "mail.notauth.example.jp", "192.0.2.25");
	add_txt(t, "hard.example.jp", "v=spf1 include:m01-ahd-sys.net -all");
	add_txt(t, "plus.example.jp", "v=spf1 +all");
	add_txt(t, "bare.example.jp", "v=spf1 mx all");
	add_txt(t, "limit.example.jp",
		"v=spf1 a a a a a a a a a a include:m01-ahd-sys.net ~all");
	add_ip(t, "limit.example.jp", "192.0.2.30");
	add_txt(t, "void.example.jp",
		"v=spf1 a:nx1.example.jp a:nx2.example.jp a:nx3.example.jp "
		"include:m01-ahd-sys.net ~all");
	add_txt(t, "perm.example.jp", "v=spf1 include:none.example.jp ~all");
	dns_table_set_status(t, "tempfail.example.jp", DNS_T_TXT, DNS_TIMEOUT);
	add_txt(t, "tempinc.example.jp", "v=spf1 include:slow.example.jp ~all");
	dns_table_set_status(t, "slow.example.jp", DNS_T_TXT, DNS_SERVFAIL);
	add_txt(t, "dedup.example.jp", "v=spf1 +ip4:210.198.21.20/32 mx -all");
	add_txt(t, "redir.example.jp", "v=spf1 redirect=_spf.example.jp");
	add_txt(t, "_spf.example.jp", "v=spf1 mx -all");
	return t;
}

#define SOFT SPF_POLICY_SOFTFAIL
#define ANY SPF_POLICY_ANY
#define PLATFORM "ip4:210.198.21.20 include:m01-ahd-sys.net"

static const struct verdict_row {
	const char *domain;
	enum spf_policy policy;
	const char *status, *reason;
	int lookups; /* -1: not checked */
	size_t nrecords;
	const char *suggested;
} verdict_rows[] = {
    {"ok.example.jp", SOFT, "verified", "ok", 1, 1, NULL},
    {"okip.example.jp", SOFT, "verified", "ok", 0, 1, NULL},
    {"hard.example.jp", ANY, "verified", "ok", 1, 1, NULL},
    {"none.example.jp", SOFT, "unverified", "no_record", 0, 0,
     "v=spf1 " PLATFORM " ~all"},
    {"nxdomain.example.jp", SOFT, "unverified", "no_record", 0, 0,
     "v=spf1 " PLATFORM " ~all"},
    {"multi.example.jp", SOFT, "unverified", "multiple_records", 0, 2,
     "v=spf1 mx include:_spf.example.net " PLATFORM " ~all"},
    {"syntax.example.jp", SOFT, "unverified", "syntax_error", 0, 1,
     "v=spf1 mx " PLATFORM " ~all"},
    {"concat.example.jp", SOFT, "unverified", "concatenated_records", 0, 1,
     "v=spf1 mx include:_spf.example.net " PLATFORM " ~all"},
    {"concat2.example.jp", ANY, "unverified", "concatenated_records", 0, 1,
     "v=spf1 mx include:_spf.example.net " PLATFORM " -all"},
    {"notauth.example.jp", SOFT, "unverified", "not_authorized", 1, 1,
     "v=spf1 mx " PLATFORM " ~all"},
    {"notauth.example.jp", ANY, "unverified", "not_authorized", 1, 1,
     "v=spf1 mx " PLATFORM " -all"},
    {"hard.example.jp", SOFT, "unverified", "hardfail_all", 1, 1,
     "v=spf1 include:m01-ahd-sys.net ip4:210.198.21.20 ~all"},
    {"plus.example.jp", SOFT, "unverified", "plus_all", 0, 1,
     "v=spf1 " PLATFORM " ~all"},
    {"plus.example.jp", ANY, "unverified", "plus_all", 0, 1,
     "v=spf1 " PLATFORM " ~all"},
    {"bare.example.jp", ANY, "unverified", "plus_all", 1, 1,
     "v=spf1 mx " PLATFORM " ~all"},
    {"limit.example.jp", SOFT, "unverified", "lookup_limit", 11, 1,
     "v=spf1 a include:m01-ahd-sys.net ip4:210.198.21.20 ~all"},
    {"void.example.jp", SOFT, "unverified", "void_lookup_limit", 3, 1,
     "v=spf1 a:nx1.example.jp a:nx2.example.jp a:nx3.example.jp "
     "include:m01-ahd-sys.net ip4:210.198.21.20 ~all"},
    {"perm.example.jp", SOFT, "unverified", "permerror", 1, 1,
     "v=spf1 include:none.example.jp " PLATFORM " ~all"},
    {"tempfail.example.jp", SOFT, "tempfail", "dns_error", 0, 0, NULL},
    {"tempinc.example.jp", SOFT, "tempfail", "dns_error", 1, 1,
     "v=spf1 include:slow.example.jp " PLATFORM " ~all"},
    {"dedup.example.jp", SOFT, "unverified", "hardfail_all", 0, 1,
     "v=spf1 +ip4:210.198.21.20/32 mx include:m01-ahd-sys.net ~all"},
    {"redir.example.jp", SOFT, "unverified", "not_authorized", 2, 1,
     "v=spf1 " PLATFORM " redirect=_spf.example.jp"},
};

static int
str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* spf_verdict() through the restarting source; its rounds. */
static int
verdict_restarting(const char *domain, const struct platform *pf,
		   const struct dns_source *inner, struct spf_verdict *v)
{
	struct dns_source src;
	struct lazy l;
	int rc, rounds;

	memset(&l, 0, sizeof l);
	l.inner = *inner;
	src.get = lazy_get;
	src.ctx = &l;
	for (rounds = 1;; rounds++) {
		rc = spf_verdict(domain, pf, &src, v);
		if (rc != 1 || lazy_learn(&l) == 0)
			break;
	}
	lazy_release(&l);
	return rc == 0 ? rounds : -1;
}

static void
test_verdict(void)
{
	struct dns_table *t = verdict_table();
	struct dns_source src = dns_table_source(t);
	const struct verdict_row *r;
	struct platform pf = {{"210.198.21.20"}, 1, "m01-ahd-sys.net", SOFT};
	struct spf_verdict v, v2;
	size_t i;
	int rc, rounds;

	for (i = 0; i < sizeof verdict_rows / sizeof verdict_rows[0]; i++) {
		r = &verdict_rows[i];
		pf.policy = r->policy;
		rc = spf_verdict(r->domain, &pf, &src, &v);
		t_ok(rc == 0 && str_eq(spf_status_name(v.status), r->status) &&
			 str_eq(spf_reason_name(v.reason), r->reason) &&
			 (r->lookups < 0 || v.lookups == r->lookups) &&
			 v.nrecords == r->nrecords &&
			 str_eq(v.suggested, r->suggested),
		     "verdict %s (%s): %s/%s lookups %d records %zu "
		     "suggested \"%s\"",
		     r->domain, r->policy == ANY ? "any" : "softfail",
		     spf_status_name(v.status), spf_reason_name(v.reason),
		     v.lookups, v.nrecords, v.suggested ? v.suggested : "");
		rounds = verdict_restarting(r->domain, &pf, &src, &v2);
		t_ok(rounds > 0 && v.reason == v2.reason &&
			 str_eq(v.suggested, v2.suggested),
		     "verdict %s restarted %d times: %s", r->domain, rounds - 1,
		     spf_reason_name(v2.reason));
		spf_verdict_release(&v);
		spf_verdict_release(&v2);
	}
	dns_table_free(t);
}

/* Two platform addresses: both must pass; records are returned. */
static void
test_verdict_two_ips(void)
{
	struct dns_table *t = dns_table_new();
	struct dns_source src = dns_table_source(t);
	struct platform pf = {
	    {"210.198.21.20", "2001:db8:21::20"}, 2, "m01-ahd-sys.net", SOFT};
	struct spf_verdict v;
	int rc;

	add_txt(t, "m01-ahd-sys.net", "v=spf1 ip4:210.198.21.0/24 ~all");
	add_txt(t, "half.example.jp", "v=spf1 include:m01-ahd-sys.net ~all");
	add_txt(t, "both.example.jp",
		"v=spf1 include:m01-ahd-sys.net ip6:2001:db8:21::/48 ~all");
	rc = spf_verdict("half.example.jp", &pf, &src, &v);
	t_ok(rc == 0 && v.reason == SPF_REASON_NOT_AUTHORIZED &&
		 str_eq(v.suggested, "v=spf1 include:m01-ahd-sys.net "
				     "ip4:210.198.21.20 ip6:2001:db8:21::20 "
				     "~all"),
	     "verdict: the IPv6 platform address must pass too (%s, %s)",
	     spf_reason_name(v.reason), v.suggested ? v.suggested : "");
	spf_verdict_release(&v);
	rc = spf_verdict("both.example.jp", &pf, &src, &v);
	t_ok(rc == 0 && v.reason == SPF_REASON_OK && v.nrecords == 1 &&
		 str_eq(v.records[0], "v=spf1 include:m01-ahd-sys.net "
				      "ip6:2001:db8:21::/48 ~all"),
	     "verdict: both platform addresses pass, record kept");
	spf_verdict_release(&v);
	dns_table_free(t);
}

/* The RFC 7208 result per platform address, next to the verdict: what
 * check_host() says for each, whatever the product's reason. */
static const struct result_row {
	const char *domain;
	const char *reason;
	enum spf_result want[2]; /* 210.198.21.20, 2001:db8:21::20 */
} result_rows[] = {
    {"pass.example.jp", "ok", {SPF_PASS, SPF_PASS}},
    {"mixed.example.jp", "not_authorized", {SPF_PASS, SPF_FAIL}},
    {"notauth.example.jp", "not_authorized", {SPF_FAIL, SPF_FAIL}},
    {"soft.example.jp", "not_authorized", {SPF_PASS, SPF_SOFTFAIL}},
    {"neutral.example.jp", "not_authorized", {SPF_NEUTRAL, SPF_NEUTRAL}},
    {"noall.example.jp", "not_authorized", {SPF_PASS, SPF_NEUTRAL}},
    {"hard.example.jp", "not_authorized", {SPF_PASS, SPF_FAIL}},
    {"plus.example.jp", "plus_all", {SPF_PASS, SPF_PASS}},
    {"none.example.jp", "no_record", {SPF_NONE, SPF_NONE}},
    {"nxdomain.example.jp", "no_record", {SPF_NONE, SPF_NONE}},
    {"multi.example.jp", "multiple_records", {SPF_PERMERROR, SPF_PERMERROR}},
    {"syntax.example.jp", "syntax_error", {SPF_PERMERROR, SPF_PERMERROR}},
    {"limit.example.jp", "lookup_limit", {SPF_PERMERROR, SPF_PERMERROR}},
    {"void.example.jp", "void_lookup_limit", {SPF_PERMERROR, SPF_PERMERROR}},
    {"perm.example.jp", "permerror", {SPF_PERMERROR, SPF_PERMERROR}},
    {"tempfail.example.jp", "dns_error", {SPF_TEMPERROR, SPF_TEMPERROR}},
    {"tempinc.example.jp", "dns_error", {SPF_TEMPERROR, SPF_TEMPERROR}},
    /* "v=spf1" inside a record is an unknown modifier to check_host() */
    {"concat.example.jp", "concatenated_records", {SPF_FAIL, SPF_FAIL}},
    {"redir.example.jp", "not_authorized", {SPF_FAIL, SPF_FAIL}},
};

static void
test_verdict_results(void)
{
	struct dns_table *t = verdict_table();
	struct dns_source src = dns_table_source(t);
	struct platform pf = {
	    {"210.198.21.20", "2001:db8:21::20"}, 2, "m01-ahd-sys.net", SOFT};
	const struct result_row *r;
	struct spf_verdict v, v2;
	size_t i;
	int rc;

	add_txt(t, "pass.example.jp",
		"v=spf1 ip4:210.198.21.20 ip6:2001:db8:21::/48 ~all");
	add_txt(t, "mixed.example.jp", "v=spf1 include:m01-ahd-sys.net -all");
	add_txt(t, "soft.example.jp", "v=spf1 ip4:210.198.21.20 ~all");
	add_txt(t, "neutral.example.jp", "v=spf1 ?all");
	add_txt(t, "noall.example.jp", "v=spf1 ip4:210.198.21.0/24");
	for (i = 0; i < sizeof result_rows / sizeof result_rows[0]; i++) {
		r = &result_rows[i];
		rc = spf_verdict(r->domain, &pf, &src, &v);
		t_ok(
		    rc == 0 && str_eq(spf_reason_name(v.reason), r->reason) &&
			v.nresults == 2 &&
			strcmp(v.results[0].ip, "210.198.21.20") == 0 &&
			strcmp(v.results[1].ip, "2001:db8:21::20") == 0 &&
			v.results[0].result == r->want[0] &&
			v.results[1].result == r->want[1],
		    "results %s (%s): %s %s, want %s %s", r->domain,
		    spf_reason_name(v.reason),
		    v.nresults > 0 ? spf_result_name(v.results[0].result) : "-",
		    v.nresults > 1 ? spf_result_name(v.results[1].result) : "-",
		    spf_result_name(r->want[0]), spf_result_name(r->want[1]));
		rc = verdict_restarting(r->domain, &pf, &src, &v2);
		t_ok(rc > 0 && v2.nresults == 2 &&
			 v2.results[0].result == r->want[0] &&
			 v2.results[1].result == r->want[1],
		     "results %s the same through restarts", r->domain);
		spf_verdict_release(&v);
		spf_verdict_release(&v2);
	}
	dns_table_free(t);
}

static void
test_names(void)
{
	static const char *const reasons[SPF_REASON__MAX] = {
	    "ok",
	    "no_record",
	    "multiple_records",
	    "syntax_error",
	    "concatenated_records",
	    "not_authorized",
	    "hardfail_all",
	    "plus_all",
	    "lookup_limit",
	    "void_lookup_limit",
	    "permerror",
	    "dns_error"};
	static const char *const statuses[SPF_STATUS__MAX] = {
	    "unverified", "verified", "tempfail"};
	int i;

	for (i = 0; i < SPF_REASON__MAX; i++)
		t_ok(strcmp(spf_reason_name((enum spf_reason)i), reasons[i]) ==
			 0,
		     "spf_reason_name %s", reasons[i]);
	for (i = 0; i < SPF_STATUS__MAX; i++)
		t_ok(strcmp(spf_status_name((enum spf_status)i), statuses[i]) ==
			 0,
		     "spf_status_name %s", statuses[i]);
	t_ok(strcmp(spf_reason_name(SPF_REASON__MAX), "unknown") == 0 &&
		 strcmp(spf_status_name(SPF_STATUS__MAX), "unknown") == 0,
	     "spf_reason_name / spf_status_name out of range");
	t_ok(strcmp(spf_result_name(SPF_SOFTFAIL), "softfail") == 0 &&
		 strcmp(spf_result_name(SPF_PERMERROR), "permerror") == 0 &&
		 strcmp(spf_result_name(SPF_RESULT__MAX), "unknown") == 0,
	     "spf_result_name");
	t_ok(strcmp(dns_status_name(DNS_NODATA), "nodata") == 0 &&
		 strcmp(dns_type_name(DNS_T_AAAA), "AAAA") == 0,
	     "dns_status_name / dns_type_name");
}

/* The table itself: CNAME loops, empty non-terminals, status overrides. */
static void
test_table(void)
{
	struct dns_table *t = dns_table_new();
	struct dns_source s = dns_table_source(t);
	const struct dns_answer *a;

	dns_table_add_cname(t, "loop1.example", "loop2.example.");
	dns_table_add_cname(t, "loop2.example", "LOOP1.example");
	add_ip(t, "a.b.example", "192.0.2.1");
	dns_table_add_cname(t, "alias.example", "a.b.example");
	dns_table_set_status(t, "slow.example", DNS_T_TXT, DNS_TIMEOUT);
	a = s.get(s.ctx, "loop1.example", DNS_T_A);
	t_ok(a && a->status == DNS_SERVFAIL, "table: CNAME loop is SERVFAIL");
	a = s.get(s.ctx, "b.example", DNS_T_A);
	t_ok(a && a->status == DNS_NODATA, "table: empty non-terminal NODATA");
	a = s.get(s.ctx, "c.example", DNS_T_A);
	t_ok(a && a->status == DNS_NXDOMAIN, "table: unknown name NXDOMAIN");
	a = s.get(s.ctx, "ALIAS.example.", DNS_T_A);
	t_ok(a && a->status == DNS_OK && a->nrr == 1 && a->canon &&
		 strcmp(a->canon, "a.b.example") == 0,
	     "table: CNAME followed, case and trailing dot ignored");
	a = s.get(s.ctx, "slow.example", DNS_T_TXT);
	t_ok(a && a->status == DNS_TIMEOUT, "table: status override");
	a = s.get(s.ctx, "slow.example", DNS_T_A);
	t_ok(a && a->status == DNS_NODATA, "table: other types NODATA");
	dns_table_free(t);
}

int
main(void)
{
	test_parse();
	test_parse_bounds();
	test_record_all();
	test_macros();
	test_macro_corners();
	test_check_host();
	test_verdict();
	test_verdict_two_ips();
	test_verdict_results();
	test_names();
	test_table();
	return t_done();
}
