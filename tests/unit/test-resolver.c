/*
 * test-resolver.c - lib/verify/dns.c and dns-auth.c: the reply parser over
 * crafted messages (every malformation its own row), then the c-ares
 * resolver over real sockets against the in-process server of fakens.h: the
 * four failure outcomes, the cache, name folding, CNAME chasing,
 * authoritative lookups, waiters, the in-flight cap, retries and EDNS.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/socket.h>

#include "dns.h"
#include "dnstable.h"
#include "fakens.h"
#include "t.h"
#include "util.h"

/* ---- a message builder for the parser rows ---- */

struct msg {
	unsigned char b[1024];
	size_t len;
};

static void
put(struct msg *m, const void *p, size_t n)
{
	if (m->len + n <= sizeof m->b) {
		memcpy(m->b + m->len, p, n);
		m->len += n;
	}
}

static void
put16(struct msg *m, unsigned v)
{
	unsigned char b[2] = {(unsigned char)(v >> 8), (unsigned char)v};

	put(m, b, 2);
}

/* Wire form of a dotted name (no escapes). */
static void
put_name(struct msg *m, const char *name)
{
	const char *dot;
	unsigned char l;

	while (*name != '\0') {
		dot = strchr(name, '.');
		l = (unsigned char)(dot ? (size_t)(dot - name) : strlen(name));
		put(m, &l, 1);
		put(m, name, l);
		name += l + (dot != NULL);
	}
	put(m, "", 1);
}

/* Header with flags byte 3 (RA, RCODE), one question, an answers. */
static void
begin(struct msg *m, unsigned flags3, unsigned an, const char *q,
      unsigned qtype)
{
	m->len = 0;
	put16(m, 0x1234);
	put16(m, 0x8400 | flags3); /* QR AA */
	put16(m, 1);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
	put_name(m, q);
	put16(m, qtype);
	put16(m, 1);
}

/* RR header; the caller appends rdlen bytes of rdata. */
static void
rr(struct msg *m, const char *owner, unsigned type, unsigned rdlen)
{
	put_name(m, owner);
	put16(m, type);
	put16(m, 1);
	put16(m, 0);
	put16(m, 300);
	put16(m, rdlen);
}

static void
txt(struct msg *m, const char *owner, const char *s1, const char *s2)
{
	size_t l1 = strlen(s1), l2 = s2 ? strlen(s2) : 0;
	unsigned char c;

	rr(m, owner, DNS_T_TXT, (unsigned)(1 + l1 + (s2 ? 1 + l2 : 0)));
	c = (unsigned char)l1;
	put(m, &c, 1);
	put(m, s1, l1);
	if (s2 != NULL) {
		c = (unsigned char)l2;
		put(m, &c, 1);
		put(m, s2, l2);
	}
}

static void
cname(struct msg *m, const char *owner, const char *target)
{
	struct msg t = {{0}, 0};

	put_name(&t, target);
	rr(m, owner, DNS_T_CNAME, (unsigned)t.len);
	put(m, t.b, t.len);
}

/* ---- parser rows: each builds one message ---- */

#define Q "k._domainkey.example.jp"

static void
m_txt2(struct msg *m)
{
	begin(m, 0, 1, Q, DNS_T_TXT);
	txt(m, Q, "v=DKIM1; p=AB", "CD");
}

static void
m_txt_rrs(struct msg *m)
{
	begin(m, 0, 3, Q, DNS_T_TXT);
	txt(m, Q, "one", NULL);
	txt(m, Q, "", NULL);
	txt(m, "other.example.jp", "not mine", NULL);
}

static void
m_compressed(struct msg *m)
{
	static const unsigned char ptr[] = {0xc0, 0x0c}; /* the question */

	begin(m, 0, 1, Q, DNS_T_TXT);
	put(m, ptr, 2);
	put16(m, DNS_T_TXT);
	put16(m, 1);
	put16(m, 0);
	put16(m, 300);
	put16(m, 3);
	put(m, "\002hi", 3);
}

static void
m_case(struct msg *m)
{
	begin(m, 0, 1, Q, DNS_T_TXT);
	txt(m, "K._DomainKey.EXAMPLE.jp", "x", NULL);
}

static void
m_chain(struct msg *m)
{
	begin(m, 0, 3, Q, DNS_T_TXT);
	cname(m, Q, "c1.example.jp");
	cname(m, "c1.example.jp", "c2.esp.example");
	txt(m, "c2.esp.example", "key", NULL);
}

static void
m_chain_nodata(struct msg *m)
{
	begin(m, 0, 1, Q, DNS_T_TXT);
	cname(m, Q, "elsewhere.example");
}

static void
m_chain_nodata_ra(struct msg *m)
{
	begin(m, 0x80, 1, Q, DNS_T_TXT);
	cname(m, Q, "elsewhere.example");
}

static void
m_chain_nx(struct msg *m)
{
	begin(m, 3, 1, Q, DNS_T_TXT);
	cname(m, Q, "gone.example");
}

static void
m_cname_loop(struct msg *m)
{
	begin(m, 0, 2, Q, DNS_T_TXT);
	cname(m, Q, "l.example");
	cname(m, "l.example", Q);
}

static void
m_error_with_data(struct msg *m)
{
	begin(m, 0x0a, 1, Q, DNS_T_TXT); /* RCODE 10 with an answer */
	txt(m, Q, "v=DKIM1; p=AB", NULL);
}

static void
m_nxdomain(struct msg *m)
{
	begin(m, 3, 0, Q, DNS_T_TXT);
}

static void
m_servfail(struct msg *m)
{
	begin(m, 2, 0, Q, DNS_T_TXT);
}

static void
m_refused(struct msg *m)
{
	begin(m, 5, 0, Q, DNS_T_TXT);
}

static void
m_nodata(struct msg *m)
{
	begin(m, 0, 0, Q, DNS_T_TXT);
}

static void
m_other_owner(struct msg *m)
{
	begin(m, 0, 1, Q, DNS_T_TXT);
	txt(m, "x." Q, "x", NULL);
}

static void
m_other_class(struct msg *m)
{
	begin(m, 0, 1, Q, DNS_T_TXT);
	put_name(m, Q);
	put16(m, DNS_T_TXT);
	put16(m, 3); /* CH */
	put16(m, 0);
	put16(m, 0);
	put16(m, 2);
	put(m, "\001x", 2);
}

static void
m_a(struct msg *m)
{
	begin(m, 0, 2, "h.example", DNS_T_A);
	rr(m, "h.example", DNS_T_A, 4);
	put(m, "\xc0\x00\x02\x01", 4);
	rr(m, "h.example", DNS_T_A, 4);
	put(m, "\xc0\x00\x02\x02", 4);
}

static void
m_aaaa(struct msg *m)
{
	begin(m, 0, 1, "h.example", DNS_T_AAAA);
	rr(m, "h.example", DNS_T_AAAA, 16);
	put(m, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
}

static void
m_mx(struct msg *m)
{
	static const unsigned char rd[] = {0, 10, 2, 'm', 'x', 0xc0, 0x0c};

	begin(m, 0, 1, "example.jp", DNS_T_MX);
	rr(m, "example.jp", DNS_T_MX, sizeof rd);
	put(m, rd, sizeof rd);
}

static void
m_ptr(struct msg *m)
{
	struct msg t = {{0}, 0};

	put_name(&t, "host.example");
	begin(m, 0, 1, "1.2.0.192.in-addr.arpa", DNS_T_PTR);
	rr(m, "1.2.0.192.in-addr.arpa", DNS_T_PTR, (unsigned)t.len);
	put(m, t.b, t.len);
}

static void
m_dot_label(struct msg *m)
{
	begin(m, 0, 1, "a.b", DNS_T_TXT);
	put(m, "\001.", 3); /* the one-byte label ".", then the root */
	put16(m, DNS_T_TXT);
	put16(m, 1);
	put16(m, 0);
	put16(m, 0);
	put16(m, 2);
	put(m, "\001y", 2);
}

static void
m_short_header(struct msg *m)
{
	begin(m, 0, 0, Q, DNS_T_TXT);
	m->len = 11;
}

static void
m_not_reply(struct msg *m)
{
	begin(m, 0, 0, Q, DNS_T_TXT);
	m->b[2] &= 0x7f;
}

static void
m_rdlen_past_end(struct msg *m)
{
	begin(m, 0, 1, Q, DNS_T_TXT);
	rr(m, Q, DNS_T_TXT, 200);
	put(m, "\003abc", 4);
}

static void
m_string_past_rdata(struct msg *m)
{
	begin(m, 0, 1, Q, DNS_T_TXT);
	rr(m, Q, DNS_T_TXT, 4);
	put(m, "\011abc", 4);
	put(m, "defghijkl", 9);
}

static void
m_a_bad_len(struct msg *m)
{
	begin(m, 0, 1, "h.example", DNS_T_A);
	rr(m, "h.example", DNS_T_A, 5);
	put(m, "\xc0\x00\x02\x01\x00", 5);
}

static void
m_ptr_loop(struct msg *m)
{
	size_t at;

	begin(m, 0, 1, Q, DNS_T_TXT);
	at = m->len;
	put(m, "\001a", 2);
	put16(m, 0xc000 | (unsigned)at); /* "a" then back to "a" */
	put16(m, DNS_T_TXT);
	put16(m, 1);
	put16(m, 0);
	put16(m, 0);
	put16(m, 2);
	put(m, "\001x", 2);
}

static void
m_ptr_forward(struct msg *m)
{
	begin(m, 0, 1, Q, DNS_T_TXT);
	put(m, "\xc3\xff", 2);
	put16(m, DNS_T_TXT);
	put16(m, 1);
	put16(m, 0);
	put16(m, 0);
	put16(m, 2);
	put(m, "\001x", 2);
}

static void
m_ext_label(struct msg *m)
{
	begin(m, 0, 1, Q, DNS_T_TXT);
	put(m, "\x41\x00", 2);
	put16(m, DNS_T_TXT);
	put16(m, 1);
	put16(m, 0);
	put16(m, 0);
	put16(m, 2);
	put(m, "\001x", 2);
}

static void
m_name_too_long(struct msg *m)
{
	int i;

	begin(m, 0, 1, Q, DNS_T_TXT);
	for (i = 0; i < 5; i++) {
		put(m, "\077", 1);
		put(m,
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaa",
		    63);
	}
	put(m, "", 1);
	put16(m, DNS_T_TXT);
	put16(m, 1);
	put16(m, 0);
	put16(m, 0);
	put16(m, 2);
	put(m, "\001x", 2);
}

static void
m_ancount_huge(struct msg *m)
{
	begin(m, 0, 65535, Q, DNS_T_TXT);
	txt(m, Q, "x", NULL);
}

static void
m_question_cut(struct msg *m)
{
	begin(m, 0, 0, Q, DNS_T_TXT);
	m->len -= 3;
}

static void
m_rr_cut(struct msg *m)
{
	begin(m, 0, 1, Q, DNS_T_TXT);
	txt(m, Q, "abc", NULL);
	m->len -= 6;
}

static const struct prow {
	const char *name;
	void (*build)(struct msg *);
	const char *qname;
	enum dns_type qtype;
	int rc;
	enum dns_status status;
	size_t nrr;
	const char *canon;
} prows[] = {
    {"TXT of two strings", m_txt2, Q, DNS_T_TXT, 0, DNS_OK, 1, NULL},
    {"TXT RRs kept apart", m_txt_rrs, Q, DNS_T_TXT, 0, DNS_OK, 2, NULL},
    {"compressed owner", m_compressed, Q, DNS_T_TXT, 0, DNS_OK, 1, NULL},
    {"owner in another case", m_case, Q, DNS_T_TXT, 0, DNS_OK, 1, NULL},
    {"question in another case", m_txt2, "K._DOMAINKEY.example.JP", DNS_T_TXT,
     0, DNS_OK, 1, NULL},
    {"CNAME chain", m_chain, Q, DNS_T_TXT, 0, DNS_OK, 1, "c2.esp.example"},
    {"CNAME out of the zone: chase", m_chain_nodata, Q, DNS_T_TXT, 1,
     DNS_NODATA, 0, "elsewhere.example"},
    {"CNAME from a recursive server: NODATA", m_chain_nodata_ra, Q, DNS_T_TXT,
     0, DNS_NODATA, 0, "elsewhere.example"},
    {"CNAME to NXDOMAIN", m_chain_nx, Q, DNS_T_TXT, 0, DNS_NXDOMAIN, 0,
     "gone.example"},
    {"CNAME loop", m_cname_loop, Q, DNS_T_TXT, 0, DNS_SERVFAIL, 0, NULL},
    {"NXDOMAIN", m_nxdomain, Q, DNS_T_TXT, 0, DNS_NXDOMAIN, 0, NULL},
    {"an error code with data", m_error_with_data, Q, DNS_T_TXT, 0,
     DNS_SERVFAIL, 0, NULL},
    {"SERVFAIL", m_servfail, Q, DNS_T_TXT, 0, DNS_SERVFAIL, 0, NULL},
    {"REFUSED", m_refused, Q, DNS_T_TXT, 0, DNS_SERVFAIL, 0, NULL},
    {"NODATA", m_nodata, Q, DNS_T_TXT, 0, DNS_NODATA, 0, NULL},
    {"another owner only", m_other_owner, Q, DNS_T_TXT, 0, DNS_NODATA, 0, NULL},
    {"another class only", m_other_class, Q, DNS_T_TXT, 0, DNS_NODATA, 0, NULL},
    {"A", m_a, "h.example", DNS_T_A, 0, DNS_OK, 2, NULL},
    {"AAAA", m_aaaa, "h.example", DNS_T_AAAA, 0, DNS_OK, 1, NULL},
    {"MX with a compressed host", m_mx, "example.jp", DNS_T_MX, 0, DNS_OK, 1,
     NULL},
    {"PTR", m_ptr, "1.2.0.192.in-addr.arpa", DNS_T_PTR, 0, DNS_OK, 1, NULL},
    {"a dot inside a label", m_dot_label, "a.b", DNS_T_TXT, 0, DNS_NODATA, 0,
     NULL},
    {"header cut short", m_short_header, Q, DNS_T_TXT, 0, DNS_SERVFAIL, 0,
     NULL},
    {"a query, not a reply", m_not_reply, Q, DNS_T_TXT, 0, DNS_SERVFAIL, 0,
     NULL},
    {"rdlength past the end", m_rdlen_past_end, Q, DNS_T_TXT, 0, DNS_SERVFAIL,
     0, NULL},
    {"string past its rdata", m_string_past_rdata, Q, DNS_T_TXT, 0,
     DNS_SERVFAIL, 0, NULL},
    {"A of 5 bytes", m_a_bad_len, "h.example", DNS_T_A, 0, DNS_SERVFAIL, 0,
     NULL},
    {"compression loop", m_ptr_loop, Q, DNS_T_TXT, 0, DNS_SERVFAIL, 0, NULL},
    {"pointer past the end", m_ptr_forward, Q, DNS_T_TXT, 0, DNS_SERVFAIL, 0,
     NULL},
    {"extended label type", m_ext_label, Q, DNS_T_TXT, 0, DNS_SERVFAIL, 0,
     NULL},
    {"name over 255 bytes", m_name_too_long, Q, DNS_T_TXT, 0, DNS_SERVFAIL, 0,
     NULL},
    {"ANCOUNT larger than the message", m_ancount_huge, Q, DNS_T_TXT, 0,
     DNS_SERVFAIL, 0, NULL},
    {"question cut short", m_question_cut, Q, DNS_T_TXT, 0, DNS_SERVFAIL, 0,
     NULL},
    {"RR cut short", m_rr_cut, Q, DNS_T_TXT, 0, DNS_SERVFAIL, 0, NULL},
};

static void
test_parse_rows(void)
{
	struct dns_answer a;
	struct msg m;
	size_t i;
	int rc;

	for (i = 0; i < sizeof prows / sizeof prows[0]; i++) {
		prows[i].build(&m);
		rc = dns_reply_parse(m.b, m.len, prows[i].qname, prows[i].qtype,
				     &a);
		t_ok(rc == prows[i].rc && a.status == prows[i].status &&
			 a.nrr == prows[i].nrr &&
			 (prows[i].canon == NULL
			      ? a.canon == NULL
			      : a.canon != NULL &&
				    strcmp(a.canon, prows[i].canon) == 0),
		     "parse %s: rc %d, %s, %zu RRs (got %d, %s, %zu)",
		     prows[i].name, prows[i].rc,
		     dns_status_name(prows[i].status), prows[i].nrr, rc,
		     dns_status_name(a.status), a.nrr);
		dns_reply_release(&a);
	}
}

static void
test_parse_values(void)
{
	struct dns_answer a;
	struct msg m;

	m_txt2(&m);
	dns_reply_parse(m.b, m.len, Q, DNS_T_TXT, &a);
	t_ok(a.nrr == 1 && a.rr[0].u.txt.nstr == 2 &&
		 a.rr[0].u.txt.len[0] == 13 &&
		 strcmp(a.rr[0].u.txt.str[0], "v=DKIM1; p=AB") == 0 &&
		 strcmp(a.rr[0].u.txt.str[1], "CD") == 0,
	     "parse values: TXT strings kept apart");
	dns_reply_release(&a);
	m_txt_rrs(&m);
	dns_reply_parse(m.b, m.len, Q, DNS_T_TXT, &a);
	t_ok(a.nrr == 2 && a.rr[1].u.txt.nstr == 1 && a.rr[1].u.txt.len[0] == 0,
	     "parse values: an empty string is kept");
	dns_reply_release(&a);
	m_mx(&m);
	dns_reply_parse(m.b, m.len, "example.jp", DNS_T_MX, &a);
	t_ok(a.nrr == 1 && a.rr[0].u.mx.pref == 10 &&
		 strcmp(a.rr[0].u.mx.host, "mx.example.jp") == 0,
	     "parse values: MX preference and host");
	dns_reply_release(&a);
	m_a(&m);
	dns_reply_parse(m.b, m.len, "h.example", DNS_T_A, &a);
	t_ok(a.nrr == 2 && memcmp(a.rr[1].u.a, "\xc0\x00\x02\x02", 4) == 0,
	     "parse values: A address");
	dns_reply_release(&a);
	m_dot_label(&m);
	dns_reply_parse(m.b, m.len, "\\046", DNS_T_TXT, &a);
	t_ok(a.status == DNS_OK, "parse values: a dot in a label is \\046");
	dns_reply_release(&a);
}

/* ---- the resolver against fakens ---- */

static struct fakens ns;
static struct dns_table *tab;

#define MANY_ZONES 70 /* more than dns-auth.c keeps channels for */

/* For the authoritative lookups: auth.test and other.test on the fake
 * server itself (127.0.0.1, asked on its port), down.test and z0.test ..
 * z69.test on addresses where nothing listens, each its own. */
static void
auth_zones(void)
{
	static const char *const s[] = {"v=spf1 -all"};
	static const uint8_t here[4] = {127, 0, 0, 1}, none[4] = {127, 1, 2, 3};
	uint8_t addr[4] = {127, 2, 0, 1};
	char zone[32], host[40];
	int i;

	for (i = 0; i < MANY_ZONES; i++) {
		snprintf(zone, sizeof zone, "z%d.test", i);
		snprintf(host, sizeof host, "ns.%s", zone);
		addr[2] = (uint8_t)i;
		dns_table_add_ns(tab, zone, host);
		dns_table_add_a(tab, host, addr);
		dns_table_add_txt(tab, zone, 1, s, NULL);
	}

	dns_table_add_ns(tab, "auth.test", "ns.auth.test");
	dns_table_add_a(tab, "ns.auth.test", here);
	dns_table_add_txt(tab, "auth.test", 1, s, NULL);
	dns_table_add_txt(tab, "a.b.auth.test", 1, s, NULL);
	dns_table_add_cname(tab, "cn.auth.test", "x.other.test");
	dns_table_add_ns(tab, "other.test", "ns.auth.test");
	dns_table_add_txt(tab, "x.other.test", 1, s, NULL);
	dns_table_add_ns(tab, "down.test", "ns.down.test");
	dns_table_add_a(tab, "ns.down.test", none);
	dns_table_add_txt(tab, "down.test", 1, s, NULL);
}

static void
zone(void)
{
	static const char *const k[] = {"v=DKIM1; k=rsa; p=AB", "CD"};
	static const char *const s[] = {"v=spf1 -all"};
	static const uint8_t a4[4] = {192, 0, 2, 7};
	char name[64];
	int i;

	tab = dns_table_new();
	dns_table_add_txt(tab, "s._domainkey.example.jp", 2, k, NULL);
	dns_table_add_txt(tab, "example.jp", 1, s, NULL);
	dns_table_add_a(tab, "example.jp", a4);
	dns_table_add_mx(tab, "example.jp", 10, "mx.example.jp");
	dns_table_add_cname(tab, "alias.example.jp", "s._domainkey.example.jp");
	dns_table_add_cname(tab, "l1.example.jp", "l2.example.jp");
	dns_table_add_cname(tab, "l2.example.jp", "l1.example.jp");
	dns_table_set_status(tab, "fail.example.jp", DNS_T_TXT, DNS_SERVFAIL);
	dns_table_set_status(tab, "slow.example.jp", DNS_T_TXT, DNS_TIMEOUT);
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof name, "n%d.example.jp", i);
		dns_table_add_txt(tab, name, 1, s, NULL);
	}
	auth_zones();
}

/* A resolver asking the fake server; auth_port: where authoritative
 * lookups go (0: port 53). */
static struct dns_resolver *
resolver_at(int timeout_ms, int tries, int inflight, size_t cached,
	    int auth_port)
{
	char server[32];
	const char *servers[] = {server};
	struct dns_resolver_opts o = {servers,	1,	timeout_ms, tries,
				      inflight, cached, auth_port};

	snprintf(server, sizeof server, "127.0.0.1:%d", ns.port);
	return dns_resolver_new(&o);
}

static struct dns_resolver *
resolver_cached(int timeout_ms, int tries, int inflight, size_t cached)
{
	return resolver_at(timeout_ms, tries, inflight, cached, 0);
}

/* Its authoritative lookups at the fake server too (auth_zones()). */
static struct dns_resolver *
resolver_auth(void)
{
	return resolver_at(300, 1, 0, 0, ns.port);
}

static struct dns_resolver *
resolver(int timeout_ms, int tries, int inflight)
{
	return resolver_cached(timeout_ms, tries, inflight, 0);
}

/* Asks until answered (or 3 s); returns the answer. */
static const struct dns_answer *
ask(struct dns_resolver *r, const char *name, enum dns_type type)
{
	struct dns_source src = dns_resolver_source(r);
	const struct dns_answer *a;
	int i;

	for (i = 0; i < 30; i++) {
		if ((a = src.get(src.ctx, name, type)) != NULL)
			return a;
		dns_resolver_flush(r);
		dns_resolver_wait(r, 100);
	}
	return NULL;
}

static const struct {
	const char *name;
	enum dns_type type;
	enum dns_status status;
	size_t nrr;
} outcomes[] = {
    {"s._domainkey.example.jp", DNS_T_TXT, DNS_OK, 1},
    {"example.jp", DNS_T_A, DNS_OK, 1},
    {"example.jp", DNS_T_MX, DNS_OK, 1},
    {"example.jp", DNS_T_AAAA, DNS_NODATA, 0},
    {"nothing.example.jp", DNS_T_TXT, DNS_NXDOMAIN, 0},
    {"fail.example.jp", DNS_T_TXT, DNS_SERVFAIL, 0},
    {"slow.example.jp", DNS_T_TXT, DNS_TIMEOUT, 0},
    {"alias.example.jp", DNS_T_TXT, DNS_OK, 1},
    {"l1.example.jp", DNS_T_TXT, DNS_SERVFAIL, 0},
    {"bad..name.example.jp", DNS_T_TXT, DNS_NXDOMAIN, 0},
};

static void
test_outcomes(void)
{
	struct dns_resolver *r = resolver(200, 1, 0);
	const struct dns_answer *a;
	size_t i;

	for (i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++) {
		a = ask(r, outcomes[i].name, outcomes[i].type);
		t_ok(a != NULL && a->status == outcomes[i].status &&
			 a->nrr == outcomes[i].nrr,
		     "resolve %s %s: %s (got %s)", outcomes[i].name,
		     dns_type_name(outcomes[i].type),
		     dns_status_name(outcomes[i].status),
		     a ? dns_status_name(a->status) : "nothing");
	}
	a = ask(r, "s._domainkey.example.jp", DNS_T_TXT);
	t_ok(a != NULL && a->nrr == 1 && a->rr[0].u.txt.nstr == 2 &&
		 strcmp(a->rr[0].u.txt.str[1], "CD") == 0,
	     "resolve: TXT strings arrive apart");
	t_ok(atomic_load(&ns.edns), "resolve: queries carry EDNS");
	a = ask(r, "alias.example.jp", DNS_T_TXT);
	t_ok(a != NULL && a->canon != NULL &&
		 strcmp(a->canon, "s._domainkey.example.jp") == 0,
	     "resolve: CNAME followed, canonical name kept");
	dns_resolver_free(r);
}

static void
test_cache(void)
{
	struct dns_resolver *r = resolver(500, 2, 0);
	struct dns_source src = dns_resolver_source(r);
	const struct dns_answer *a, *b;
	struct dns_stats st;
	int before;

	a = ask(r, "example.jp", DNS_T_TXT);
	before = atomic_load(&ns.queries);
	b = src.get(src.ctx, "EXAMPLE.JP.", DNS_T_TXT);
	t_ok(a != NULL && a == b, "cache: case and trailing dot folded");
	t_ok(atomic_load(&ns.queries) == before, "cache: no second query");
	t_ok(src.get(src.ctx, "example.jp", DNS_T_A) == NULL,
	     "cache: another type is another question");
	dns_resolver_stats(r, &st);
	t_ok(st.questions == 2 && st.cache_hits == 2 &&
		 st.by_status[DNS_OK] == 1,
	     "cache: stats count questions and hits");
	dns_resolver_free(r); /* with a question recorded, never sent */
}

static void
test_chase(void)
{
	struct dns_resolver *r = resolver(500, 2, 0);
	const struct dns_answer *a;
	struct dns_stats st;

	atomic_store(&ns.cname_only, 1);
	a = ask(r, "alias.example.jp", DNS_T_TXT);
	atomic_store(&ns.cname_only, 0);
	dns_resolver_stats(r, &st);
	t_ok(a != NULL && a->status == DNS_OK && a->nrr == 1 &&
		 a->canon != NULL &&
		 strcmp(a->canon, "s._domainkey.example.jp") == 0,
	     "chase: a CNAME left by the server is asked again");
	t_ok(st.queries == 2 && st.questions == 1,
	     "chase: one question, two queries");
	dns_resolver_free(r);
}

/* ask(), authoritatively. */
static const struct dns_answer *
ask_auth(struct dns_resolver *r, const char *name, enum dns_type type)
{
	const struct dns_answer *a;
	int i;

	for (i = 0; i < 30; i++) {
		if ((a = dns_resolver_ask(r, name, type, 1, NULL)) != NULL)
			return a;
		dns_resolver_flush(r);
		dns_resolver_wait(r, 100);
	}
	return NULL;
}

static int
found_via(const struct dns_answer *a, enum dns_via via)
{
	return a != NULL && a->status == DNS_OK && a->nrr == 1 && a->via == via;
}

static void
test_authoritative(void)
{
	struct dns_resolver *r;
	const struct dns_answer *a;
	struct dns_stats st;

	r = resolver_auth();
	t_ok(found_via(ask_auth(r, "auth.test", DNS_T_TXT),
		       DNS_VIA_AUTHORITATIVE),
	     "authoritative: the zone apex, at its server");
	t_ok(found_via(ask_auth(r, "a.b.auth.test", DNS_T_TXT),
		       DNS_VIA_AUTHORITATIVE),
	     "authoritative: the zone cut found two labels up");
	atomic_store(&ns.cname_only, 1);
	a = ask_auth(r, "cn.auth.test", DNS_T_TXT);
	atomic_store(&ns.cname_only, 0);
	t_ok(found_via(a, DNS_VIA_AUTHORITATIVE) && a->canon != NULL &&
		 strcmp(a->canon, "x.other.test") == 0,
	     "authoritative: a CNAME into another zone followed there");
	dns_resolver_stats(r, &st);
	t_ok(st.auth_channels == 1 && st.auth_fallbacks == 0 &&
		 st.auth_queries == 4,
	     "authoritative: zones on one server share its channel (%lu "
	     "channels, %lu queries)",
	     st.auth_channels, st.auth_queries);
	t_ok(found_via(ask_auth(r, "down.test", DNS_T_TXT), DNS_VIA_RECURSIVE),
	     "authoritative: a server that refuses, the resolver answers");
	dns_resolver_stats(r, &st);
	t_ok(st.auth_fallbacks == 1, "authoritative: the fallback counted");
	t_ok(found_via(ask(r, "auth.test", DNS_T_TXT), DNS_VIA_RECURSIVE),
	     "authoritative: the recursive answer is cached apart");
	dns_resolver_free(r);
}

/* A lone authoritative server whose reply is lost is asked again, not
 * left for the resolver. */
static void
test_authoritative_lost(void)
{
	struct dns_resolver *r = resolver_at(600, 2, 0, 0, ns.port);
	const struct dns_answer *a;
	struct dns_stats st;

	/* the walk to auth.test's server, cached: the next question's first
	 * datagram goes to that server */
	ask_auth(r, "auth.test", DNS_T_TXT);
	atomic_store(&ns.drop, 1);
	a = ask_auth(r, "auth.test", DNS_T_MX);
	dns_resolver_stats(r, &st);
	t_ok(a != NULL && a->via == DNS_VIA_AUTHORITATIVE &&
		 st.auth_fallbacks == 0 && st.retries == 1,
	     "authoritative: a lost reply of a lone server is asked again "
	     "(%lu fallbacks, %lu retries)",
	     st.auth_fallbacks, st.retries);
	dns_resolver_free(r);
}

/* A server authoritative for the zone that also offers recursion (RA set)
 * still answers a query without RD with the CNAME alone when the target
 * lies in another zone: the target is asked at its own zone's servers, not
 * taken as authoritatively absent. */
static void
test_authoritative_ra(void)
{
	struct dns_resolver *r;
	const struct dns_answer *a;

	r = resolver_auth();
	atomic_store(&ns.cname_only, 1);
	atomic_store(&ns.ra, 1);
	a = ask_auth(r, "cn.auth.test", DNS_T_TXT);
	atomic_store(&ns.ra, 0);
	atomic_store(&ns.cname_only, 0);
	t_ok(found_via(a, DNS_VIA_AUTHORITATIVE) && a->canon != NULL &&
		 strcmp(a->canon, "x.other.test") == 0,
	     "authoritative, RA set: a CNAME into another zone followed there "
	     "(got %s via %s)",
	     a ? dns_status_name(a->status) : "nothing",
	     a && a->via == DNS_VIA_AUTHORITATIVE ? "authoritative"
						  : "recursive");
	dns_resolver_free(r);
}

/* A run over many zones, each on servers of its own, keeps only a bounded
 * number of the channels to them (each costs some 73 KiB in c-ares 1.18):
 * the unused ones beyond the cap are freed when the next wait starts. */
static void
test_authoritative_channels(void)
{
	char name[32];
	struct dns_resolver *r;
	const struct dns_answer *a;
	struct dns_stats st;
	int i, j, answered = 0;

	r = resolver_auth();
	for (j = 0; j < 50 && answered < MANY_ZONES; j++) {
		for (i = answered = 0; i < MANY_ZONES; i++) {
			snprintf(name, sizeof name, "z%d.test", i);
			a = dns_resolver_ask(r, name, DNS_T_TXT, 1, NULL);
			answered += found_via(a, DNS_VIA_RECURSIVE);
		}
		dns_resolver_flush(r);
		dns_resolver_wait(r, 100);
	}
	dns_resolver_stats(r, &st);
	t_ok(answered == MANY_ZONES && st.auth_channels == MANY_ZONES &&
		 st.auth_fallbacks == MANY_ZONES,
	     "authoritative channels: %d zones on servers of their own, each "
	     "a channel (%d answered, %lu channels)",
	     MANY_ZONES, answered, st.auth_channels);
	t_ok(st.auth_channels_open == 64,
	     "authoritative channels: the unused ones beyond 64 freed (%lu "
	     "open)",
	     st.auth_channels_open);
	dns_resolver_free(r);
}

static int woken;
static void
wake(void *arg)
{
	*(int *)arg += 1;
}

static int dones;
static void
done(void *arg, const char *name, enum dns_type type)
{
	dones++;
}

static void
test_waiters(void)
{
	struct dns_resolver *r = resolver(500, 2, 0);
	struct dns_wait w = {wake, &woken, &ns};
	struct dns_wait w2 = {wake, &woken, &woken};
	int n;

	dns_resolver_on_done(r, done, NULL);
	t_ok(dns_resolver_get(r, "n1.example.jp", DNS_T_TXT, &w) == NULL &&
		 dns_resolver_get(r, "n1.example.jp", DNS_T_TXT, &w) == NULL &&
		 dns_resolver_get(r, "n2.example.jp", DNS_T_TXT, &w2) == NULL,
	     "waiters: registered on unknown questions");
	dns_resolver_cancel(r, &woken);
	while ((n = dns_resolver_wait(r, 1000)) > 0)
		;
	t_ok(woken == 2, "waiters: called once per registration (%d)", woken);
	t_ok(dones == 2, "waiters: done callback per question (%d)", dones);
	t_ok(dns_resolver_get(r, "n1.example.jp", DNS_T_TXT, &w) != NULL &&
		 woken == 2,
	     "waiters: a known answer registers nothing");
	dns_resolver_free(r);
}

/* Asks "<prefix><i>.example.jp" TXT for i < n in one turn and waits for
 * every answer; returns how many came with status want (any, when -1). */
static int
ask_all(struct dns_resolver *r, const char *prefix, int n, int want)
{
	struct dns_source src = dns_resolver_source(r);
	const struct dns_answer *a;
	char name[64];
	int i, ok = 0;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof name, "%s%d.example.jp", prefix, i);
		src.get(src.ctx, name, DNS_T_TXT);
	}
	dns_resolver_flush(r);
	while (dns_resolver_wait(r, 2000) > 0)
		;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof name, "%s%d.example.jp", prefix, i);
		a = src.get(src.ctx, name, DNS_T_TXT);
		ok += a != NULL && (want == -1 || (int)a->status == want);
	}
	return ok;
}

static void
test_inflight(void)
{
	struct dns_resolver *r = resolver(1000, 2, 4);
	struct dns_stats st;
	int ok = ask_all(r, "n", 50, -1);

	dns_resolver_stats(r, &st);
	t_ok(ok == 50, "inflight: every question answered (%d)", ok);
	t_ok(st.max_inflight == 4, "inflight: never more than 4 (%d)",
	     st.max_inflight);
	dns_resolver_free(r);
}

static void
test_retry(void)
{
	struct dns_resolver *r = resolver(100, 3, 0);
	const struct dns_answer *a;
	struct dns_stats st;

	atomic_store(&ns.drop, 1);
	a = ask(r, "example.jp", DNS_T_MX);
	dns_resolver_stats(r, &st);
	t_ok(a != NULL && a->status == DNS_OK && st.retries == 1,
	     "retry: a lost reply is asked again");
	dns_resolver_free(r);
}

/* With max_cached, the least recently used answers go at the next wait;
 * the others stay reachable in the table. */
static void
test_eviction(void)
{
	struct dns_resolver *r = resolver_cached(1000, 2, 0, 10);
	struct dns_source src;
	struct dns_stats st;
	char name[64];
	int i, kept = 0, before;

	src = dns_resolver_source(r);
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof name, "n%d.example.jp", i);
		ask(r, name, DNS_T_TXT);
		if (i % 7 == 0) /* example.jp stays recent */
			ask(r, "example.jp", DNS_T_TXT);
	}
	dns_resolver_wait(r, 0);
	dns_resolver_stats(r, &st);
	t_ok(st.evicted == 51 - 10, "evict: %lu dropped, 10 kept", st.evicted);
	before = atomic_load(&ns.queries);
	for (i = 41; i < 50; i++) {
		snprintf(name, sizeof name, "n%d.example.jp", i);
		kept += src.get(src.ctx, name, DNS_T_TXT) != NULL;
	}
	kept += src.get(src.ctx, "example.jp", DNS_T_TXT) != NULL;
	t_ok(kept == 10 && atomic_load(&ns.queries) == before,
	     "evict: the 10 most recent answered from the cache (%d)", kept);
	t_ok(src.get(src.ctx, "n0.example.jp", DNS_T_TXT) == NULL,
	     "evict: an old answer is asked again");
	dns_resolver_free(r);
}

/* A readable watched descriptor ends a wait no answer ends, and only
 * while it is readable. */
static void
test_watch(void)
{
	struct dns_resolver *r = resolver(2000, 1, 0);
	struct dns_source src = dns_resolver_source(r);
	int p[2], left;
	char c;

	if (pipe(p) == -1) {
		t_ok(0, "watch: pipe");
		dns_resolver_free(r);
		return;
	}
	src.get(src.ctx, "slow.example.jp", DNS_T_TXT);
	dns_resolver_watch(r, p, 1);
	t_ok(write(p[1], "x", 1) == 1, "watch: pipe written");
	left = dns_resolver_wait(r, 1500);
	t_ok(dns_resolver_woken(r) && left == 1,
	     "watch: a readable descriptor ends the wait (%d outstanding)",
	     left);
	t_ok(read(p[0], &c, 1) == 1, "watch: pipe read");
	dns_resolver_wait(r, 50);
	t_ok(!dns_resolver_woken(r), "watch: not woken once drained");
	dns_resolver_watch(r, NULL, 0);
	close(p[0]);
	close(p[1]);
	dns_resolver_free(r);
}

/* More questions than one system call sends or reads (lib/verify/dnssock.c). */
static void
test_burst(void)
{
	struct dns_resolver *r = resolver(2000, 2, 1000);
	struct dns_stats st;
	int ok = ask_all(r, "b", 300, DNS_NXDOMAIN);

	dns_resolver_stats(r, &st);
	t_ok(ok == 300 && st.queries == 300,
	     "burst: 300 questions in one turn, each asked once, answered (%d)",
	     ok);
	dns_resolver_free(r);
}

/* A server whose port is closed: the kernel's port unreachable ends the
 * query as refused (SERVFAIL), not as a timeout. */
static void
test_closed_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	char server[32];
	const char *servers[] = {server};
	struct dns_resolver_opts o = {servers, 1, 1000, 2, 0, 0, 0};
	struct dns_resolver *r;
	const struct dns_answer *a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		t_ok(0, "closed port: a free port");
		return;
	}
	close(fd);
	snprintf(server, sizeof server, "127.0.0.1:%d", ntohs(sin.sin_port));
	r = dns_resolver_new(&o);
	a = r != NULL ? ask(r, "example.jp", DNS_T_TXT) : NULL;
	t_ok(a != NULL && a->status == DNS_SERVFAIL,
	     "closed port: refused, not timed out (%d)",
	     a ? (int)a->status : -1);
	dns_resolver_free(r);
}

static void
test_bad_server(void)
{
	const char *servers[] = {"not-an-address:53"};
	struct dns_resolver_opts o = {servers, 1, 100, 1, 0, 0, 0};

	t_ok(dns_resolver_new(&o) == NULL, "bad server refused");
}

int
main(void)
{
	test_parse_rows();
	test_parse_values();
	zone();
	if (fakens_start(&ns, tab) == -1) {
		t_ok(0, "fake name server started");
		return t_done();
	}
	test_outcomes();
	test_cache();
	test_chase();
	test_authoritative();
	test_authoritative_ra();
	test_authoritative_lost();
	test_authoritative_channels();
	test_waiters();
	test_inflight();
	test_burst();
	test_closed_port();
	test_retry();
	test_eviction();
	test_watch();
	test_bad_server();
	fakens_stop(&ns);
	dns_table_free(tab);
	return t_done();
}
