/*
 * spf.c - Sender Policy Framework (RFC 7208): the record parser, macro
 * expansion, the check_host() evaluator over a struct dns_source, and the
 * product's verdict on a customer domain with the merged record to suggest
 * (DESIGN.md "Verification semantics", SPF).
 *
 * Evaluation is restartable (lib/verify/dns.h): the first answer the source
 * does not know yet stops it with SPF_NEED_DNS, and the caller resolves and
 * evaluates again from the start. Evaluation is a pure function of the
 * request and the answers (the only exception, %{t}, appears in exp= text
 * after every query is made), so a re-run asks the same questions in the
 * same order.
 *
 * Not here: talking to DNS (lib/verify/dns.c, tests/double/dnstable.c),
 * deciding when to check (lib/verify/verify.c), formatting the records the
 * product issues (lib/core/records.c).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "records.h"
#include "spf.h"
#include "util.h"

#define NAME_MAX_LEN 253  /* RFC 1035 §2.3.4, text form without the dot */
#define LABEL_MAX_LEN 63  /* RFC 1035 §2.3.4 */
#define EXPAND_MAX 8192	  /* bytes of one expansion before truncation */
#define MAX_DEPTH 12	  /* include/redirect nesting; §4.6.4 stops first */
#define PROBLEM_MAX 160	  /* bytes of a problem description */
#define TERM_QUOTE_MAX 48 /* bytes of a term quoted in a problem */

/*
 * Records
 */

enum kind {
	K_ALL,
	K_INCLUDE,
	K_A,
	K_MX,
	K_PTR,
	K_IP4,
	K_IP6,
	K_EXISTS,
	K_REDIRECT, /* modifiers from here on */
	K_EXP,
	K_UNKNOWN,
	K__MAX
};

/* What may follow a mechanism's name (RFC 7208 §5, ABNF of §12). */
enum arg { ARG_NONE, ARG_DOMAIN, ARG_OPT_DOMAIN, ARG_OPT_CIDR, ARG_IP };

static const struct {
	const char *name;
	enum arg arg;
} mechs[K_REDIRECT] = {
    [K_ALL] = {"all", ARG_NONE},       [K_INCLUDE] = {"include", ARG_DOMAIN},
    [K_A] = {"a", ARG_OPT_CIDR},       [K_MX] = {"mx", ARG_OPT_CIDR},
    [K_PTR] = {"ptr", ARG_OPT_DOMAIN}, [K_IP4] = {"ip4", ARG_IP},
    [K_IP6] = {"ip6", ARG_IP},	       [K_EXISTS] = {"exists", ARG_DOMAIN},
};

struct spf_term {
	enum kind kind;
	char qual;  /* '+', '-', '~', '?' */
	char *spec; /* domain-spec or modifier value, or NULL */
	int cidr4, cidr6;
	uint8_t net[16]; /* ip4 (first 4 bytes) / ip6 network */
};

struct spf_record {
	char *text; /* owned copy, split in place into the terms' strings */
	size_t nterms;
	struct spf_term *terms;
	int redirect, exp; /* index of the modifier, or -1 */
	int all;	   /* index of the first "all", or -1 */
};

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

/* Whether the bytes are "v=spf1" followed by a space or the end (§4.5). */
static int
is_spf_prefix(const char *s, size_t len)
{
	return len >= 6 && ascii_ncasecmp(s, "v=spf1", 6) == 0 &&
	       (len == 6 || s[6] == ' ');
}

/*
 * Macro strings (§7.1)
 */

enum mtok_kind { MT_LIT, MT_MACRO, MT_PCT, MT_SPACE, MT_URLSPACE };

struct mtok {
	enum mtok_kind kind;
	char letter;   /* lower case */
	int upper;     /* URL-escape the result (§7.3) */
	unsigned keep; /* rightmost parts to keep, 0 = all */
	int reverse;
	char delim[8]; /* NUL-terminated set; empty means "." */
	size_t len;    /* bytes of s the token spans */
};

#define MT_EXPLAIN 1 /* explain-string: spaces allowed */
#define MT_CRT 2     /* c, r, t letters allowed (§7.2: exp text only) */

/* Reads the token at s (not at its end) into *t; -1 when s does not start
 * with a macro-expand or macro-literal of the grammar of §7.1. */
static int
mtok_next(const char *s, int flags, struct mtok *t)
{
	const char *p;
	unsigned char c = (unsigned char)*s;

	memset(t, 0, sizeof *t);
	if (c != '%') {
		if (!(c >= 0x21 && c <= 0x7e) &&
		    !(c == ' ' && (flags & MT_EXPLAIN)))
			return -1;
		t->kind = MT_LIT;
		t->len = 1;
		return 0;
	}
	t->len = 2;
	switch (s[1]) {
	case '%':
		t->kind = MT_PCT;
		return 0;
	case '_':
		t->kind = MT_SPACE;
		return 0;
	case '-':
		t->kind = MT_URLSPACE;
		return 0;
	case '{':
		break;
	default:
		return -1;
	}
	t->kind = MT_MACRO;
	p = s + 2;
	if (!is_alpha((unsigned char)*p) ||
	    strchr("slodiphcrtv", *p | 0x20) == NULL)
		return -1;
	t->letter = (char)(*p | 0x20);
	t->upper = *p >= 'A' && *p <= 'Z';
	if (strchr("crt", t->letter) != NULL && !(flags & MT_CRT))
		return -1;
	p++;
	if (is_digit((unsigned char)*p)) {
		while (is_digit((unsigned char)*p)) {
			if (t->keep < 1000)
				t->keep = t->keep * 10 + (unsigned)(*p - '0');
			p++;
		}
		if (t->keep == 0) /* "the value MUST be nonzero" (§7.3) */
			return -1;
	}
	if (*p == 'r' || *p == 'R') {
		t->reverse = 1;
		p++;
	}
	for (; *p != '\0' && strchr(".-+,/_=", *p) != NULL; p++)
		if (strchr(t->delim, *p) == NULL)
			t->delim[strlen(t->delim)] = *p;
	if (*p != '}')
		return -1;
	t->len = (size_t)(p + 1 - s);
	return 0;
}

/* toplabel = ( *alphanum ALPHA *alphanum ) /
 *            ( 1*alphanum "-" *( alphanum / "-" ) alphanum )  (§7.1) */
static int
toplabel_ok(const char *s, size_t n)
{
	size_t i;
	int alpha = 0, dash = 0;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '-')
			dash = 1;
		else if (is_alpha((unsigned char)s[i]))
			alpha = 1;
		else if (!is_digit((unsigned char)s[i]))
			return 0;
	}
	if (dash)
		return s[0] != '-' && s[n - 1] != '-';
	return alpha;
}

/* Checks a macro-string; *macro_end tells whether it ends with a
 * macro-expand. NULL or a static problem. */
static const char *
check_macro_string(const char *s, int flags, int *macro_end)
{
	struct mtok t;

	*macro_end = 0;
	for (; *s != '\0'; s += t.len) {
		if (mtok_next(s, flags, &t) == -1)
			return "invalid macro";
		*macro_end = t.kind != MT_LIT;
	}
	return NULL;
}

/* domain-spec = macro-string domain-end
 * domain-end  = ( "." toplabel [ "." ] ) / macro-expand  (§7.1) */
static const char *
check_domain_spec(const char *spec)
{
	const char *why, *dot;
	size_t n = strlen(spec);
	int macro_end;

	if (n == 0)
		return "empty domain-spec";
	if ((why = check_macro_string(spec, 0, &macro_end)) != NULL)
		return why;
	if (macro_end)
		return NULL;
	if (spec[n - 1] == '.')
		n--;
	for (dot = spec + n; dot > spec && dot[-1] != '.'; dot--)
		;
	if (dot == spec || !toplabel_ok(dot, (size_t)(spec + n - dot)))
		return "domain-spec does not end in a valid top-level label";
	return NULL;
}

/* ip4-network: four qnum without leading zeros (§12). 0 / -1. */
static int
parse_ip4(const char *s, size_t n, uint8_t out[4])
{
	size_t i = 0, start;
	int part, v;

	for (part = 0; part < 4; part++) {
		if (part > 0 && (i >= n || s[i++] != '.'))
			return -1;
		start = i;
		for (v = 0;
		     i < n && is_digit((unsigned char)s[i]) && i - start < 3;
		     i++)
			v = v * 10 + (s[i] - '0');
		if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
			return -1;
		out[part] = (uint8_t)v;
	}
	return i == n ? 0 : -1;
}

/* ip6-network: RFC 4291 §2.2 text form (inet_pton checks it). */
static int
parse_ip6(const char *s, size_t n, uint8_t out[16])
{
	char tmp[INET6_ADDRSTRLEN + 1];

	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET6, tmp, out) == 1 ? 0 : -1;
}

/* A CIDR length: 1*DIGIT without leading zeros, at most max (§5.6). */
static int
parse_cidr(const char *s, int max, int *out)
{
	long v;

	if (s[0] == '0' && s[1] != '\0')
		return -1;
	if (strlen(s) > 3 || parse_long(s, 0, max, &v) == -1)
		return -1;
	*out = (int)v;
	return 0;
}

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!is_digit((unsigned char)*s))
			return 0;
	return 1;
}

/* Cuts a dual-cidr-length off the end of rest, in place (§5.3, §5.4):
 * [ "/" ip4-cidr ] [ "//" ip6-cidr ]. A trailing "/x" that is not all
 * digits belongs to the domain-spec. NULL or a static problem. */
static const char *
cut_dual_cidr(char *rest, struct spf_term *t)
{
	char *p = strrchr(rest, '/');

	if (p == NULL || !all_digits(p + 1))
		return NULL;
	if (p > rest && p[-1] == '/') {
		if (parse_cidr(p + 1, 128, &t->cidr6) == -1)
			return "invalid ip6 cidr length";
		p[-1] = '\0';
		if ((p = strrchr(rest, '/')) == NULL || !all_digits(p + 1))
			return NULL;
	}
	if (parse_cidr(p + 1, 32, &t->cidr4) == -1)
		return "invalid ip4 cidr length";
	*p = '\0';
	return NULL;
}

/* ip4 / ip6: ":" network [ "/" cidr ] (§5.6). */
static const char *
parse_ip_arg(char *rest, struct spf_term *t)
{
	char *slash;
	size_t n;
	int v6 = t->kind == K_IP6;

	if (*rest != ':')
		return "missing address";
	rest++;
	slash = strchr(rest, '/');
	n = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
	if (v6 ? parse_ip6(rest, n, t->net) == -1
	       : parse_ip4(rest, n, t->net) == -1)
		return v6 ? "invalid ip6 address" : "invalid ip4 address";
	if (slash != NULL && parse_cidr(slash + 1, v6 ? 128 : 32,
					v6 ? &t->cidr6 : &t->cidr4) == -1)
		return "invalid cidr length";
	return NULL;
}

/* What follows a mechanism's name, per its kind. */
static const char *
parse_mech_arg(char *rest, struct spf_term *t)
{
	const char *why;

	switch (mechs[t->kind].arg) {
	case ARG_NONE:
		return *rest == '\0' ? NULL : "unexpected argument";
	case ARG_IP:
		return parse_ip_arg(rest, t);
	case ARG_OPT_CIDR:
		if ((why = cut_dual_cidr(rest, t)) != NULL)
			return why;
		/* FALLTHROUGH */
	case ARG_OPT_DOMAIN:
		if (*rest == '\0')
			return NULL;
		/* FALLTHROUGH */
	case ARG_DOMAIN:
		if (*rest != ':')
			return *rest == '\0' ? "missing domain-spec"
					     : "unexpected argument";
		t->spec = rest + 1;
		return check_domain_spec(t->spec);
	}
	return "unexpected argument";
}

/* modifier = redirect / explanation / unknown-modifier (§6, §12). */
static const char *
parse_modifier(char *name, size_t n, char *value, struct spf_term *t)
{
	int macro_end;

	t->spec = value;
	if (n == 8 && ascii_ncasecmp(name, "redirect", 8) == 0)
		t->kind = K_REDIRECT;
	else if (n == 3 && ascii_ncasecmp(name, "exp", 3) == 0)
		t->kind = K_EXP;
	else {
		/* Unknown modifiers are ignored (§6) but must still be
		 * well-formed macro-strings (§12); their value is never
		 * expanded, so every macro letter is accepted. */
		t->kind = K_UNKNOWN;
		return check_macro_string(value, MT_CRT, &macro_end);
	}
	return check_domain_spec(value);
}

/* Parses one term, in place: [qualifier] name then what the name takes.
 * NULL or a static problem. */
static const char *
parse_term(char *s, struct spf_term *t)
{
	size_t n;
	int k, qualified = 0;

	memset(t, 0, sizeof *t);
	t->qual = '+';
	t->cidr4 = 32;
	t->cidr6 = 128;
	if (*s != '\0' && strchr("+-~?", *s) != NULL) {
		t->qual = *s++;
		qualified = 1;
	}
	/* name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
	if (!is_alpha((unsigned char)*s))
		return "invalid term";
	for (n = 1; is_alnum((unsigned char)s[n]) || s[n] == '-' ||
		    s[n] == '_' || s[n] == '.';
	     n++)
		;
	if (s[n] == '=') {
		if (qualified)
			return "qualifier on a modifier";
		s[n] = '\0';
		return parse_modifier(s, n, s + n + 1, t);
	}
	for (k = 0; k < K_REDIRECT; k++)
		if (strlen(mechs[k].name) == n &&
		    ascii_ncasecmp(s, mechs[k].name, n) == 0)
			break;
	if (k == K_REDIRECT)
		return "unknown mechanism";
	t->kind = (enum kind)k;
	return parse_mech_arg(s + n, t);
}

/* Copies a term for quoting in a problem, bounded and printable. */
static void
quote_term(const char *s, size_t n, char *out, size_t outsz)
{
	if (n > outsz - 1)
		n = outsz - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	printable_bytes(out, n);
}

/* Checks the bytes of a record: printable ASCII and spaces only (§3.1,
 * §4.6.1: terms are separated by spaces, not other whitespace). */
static const char *
check_record_bytes(const char *txt, size_t len, size_t *at)
{
	size_t i;

	if (len > SPF_MAX_RECORD)
		return "record too long";
	for (i = 0; i < len; i++)
		if ((unsigned char)txt[i] < 0x20 ||
		    (unsigned char)txt[i] > 0x7e) {
			*at = i;
			return "control or non-ASCII character";
		}
	return NULL;
}

static size_t
count_terms(const char *s)
{
	size_t n = 0;

	while (*s != '\0') {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		n++;
		while (*s != '\0' && *s != ' ')
			s++;
	}
	return n;
}

/* Records where modifiers and the first "all" are; duplicated redirect=
 * or exp= is a syntax error (§6). */
static const char *
index_terms(struct spf_record *r)
{
	size_t i;
	int *slot;

	r->redirect = r->exp = r->all = -1;
	for (i = 0; i < r->nterms; i++) {
		if (r->terms[i].kind == K_ALL && r->all < 0)
			r->all = (int)i;
		slot = r->terms[i].kind == K_REDIRECT ? &r->redirect
		       : r->terms[i].kind == K_EXP    ? &r->exp
						      : NULL;
		if (slot == NULL)
			continue;
		if (*slot >= 0)
			return r->terms[i].kind == K_REDIRECT
				   ? "redirect= appears twice"
				   : "exp= appears twice";
		*slot = (int)i;
	}
	return NULL;
}

/* Splits the text after "v=spf1" into terms and parses each. */
static int
parse_terms(struct spf_record *r, char *problem, size_t problemsz)
{
	char quote[TERM_QUOTE_MAX + 1], *p = r->text + 6, *end;
	const char *why;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		for (end = p; *end != '\0' && *end != ' '; end++)
			;
		quote_term(p, (size_t)(end - p), quote, sizeof quote);
		if (*end != '\0')
			*end++ = '\0';
		why = parse_term(p, &r->terms[r->nterms]);
		if (why != NULL) {
			snprintf(problem, problemsz, "%s: \"%s\"", why, quote);
			return -1;
		}
		r->nterms++;
		p = end;
	}
	if ((why = index_terms(r)) != NULL) {
		snprintf(problem, problemsz, "%s", why);
		return -1;
	}
	return 0;
}

enum spf_parse
spf_record_parse(const char *txt, size_t len, struct spf_record **out,
		 char *problem, size_t problemsz)
{
	struct spf_record *r = NULL;
	const char *why;
	size_t at = 0, n;

	*out = NULL;
	if (problemsz > 0)
		problem[0] = '\0';
	if (!is_spf_prefix(txt, len))
		return SPF_PARSE_NOT_SPF;
	if ((why = check_record_bytes(txt, len, &at)) != NULL) {
		snprintf(problem, problemsz, "%s at offset %zu", why, at);
		return SPF_PARSE_SYNTAX;
	}
	if ((r = calloc(1, sizeof *r)) == NULL ||
	    (r->text = malloc(len + 1)) == NULL)
		goto nomem;
	memcpy(r->text, txt, len);
	r->text[len] = '\0';
	if ((n = count_terms(r->text + 6)) > SPF_MAX_TERMS) {
		snprintf(problem, problemsz, "more than %d terms",
			 SPF_MAX_TERMS);
		spf_record_free(r);
		return SPF_PARSE_SYNTAX;
	}
	if (n > 0 && (r->terms = calloc(n, sizeof *r->terms)) == NULL)
		goto nomem;
	if (parse_terms(r, problem, problemsz) == -1) {
		spf_record_free(r);
		return SPF_PARSE_SYNTAX;
	}
	*out = r;
	return SPF_PARSE_OK;
nomem:
	spf_record_free(r);
	return SPF_PARSE_NOMEM;
}

void
spf_record_free(struct spf_record *r)
{
	if (r == NULL)
		return;
	free(r->terms);
	free(r->text);
	free(r);
}

size_t
spf_record_nterms(const struct spf_record *r)
{
	return r->nterms;
}

int
spf_record_all(const struct spf_record *r)
{
	return r->all < 0 ? 0 : r->terms[r->all].qual;
}

/*
 * Evaluation state
 */

struct spf_ip {
	int v6;
	uint8_t b[16]; /* IPv4 in the first 4 bytes */
};

/* Why a permerror or temperror happened, for spf_verdict()'s reasons. */
enum cause {
	C_NONE,
	C_SYNTAX,
	C_LOOKUPS,
	C_VOID,
	C_OTHER, /* other permerror */
	C_DNS,
	C_NOMEM,
};

struct eval {
	const struct spf_request *req;
	const struct dns_source *src;
	struct spf_ip ip;
	char *local;   /* local-part of <sender>, "postmaster" if none */
	char *odomain; /* domain of <sender> */
	int lookups, voids, depth, nomem;
	enum cause cause;
	char *problem;
};

enum mres { M_NOMATCH, M_MATCH, M_TEMPERROR, M_PERMERROR, M_NEED };

/* Records the first error of the evaluation; later ones are consequences
 * (an include's permerror is its caller's permerror). */
static void ev_fail(struct eval *ev, enum cause c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
ev_fail(struct eval *ev, enum cause c, const char *fmt, ...)
{
	char line[PROBLEM_MAX];
	va_list ap;

	if (ev->cause != C_NONE)
		return;
	ev->cause = c;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* Names and terms come from DNS: keep the text printable. */
	printable_line(line);
	if ((ev->problem = strdup(line)) == NULL)
		ev->nomem = 1;
}

/* Parses the client address; an IPv4-mapped IPv6 address is IPv4
 * (§5: "MUST still be considered an IPv4 address"). 0 / -1. */
static int
ip_parse(const char *s, struct spf_ip *ip)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
					   0, 0, 0, 0, 0xff, 0xff};
	uint8_t b[16];

	memset(ip, 0, sizeof *ip);
	if (inet_pton(AF_INET, s, b) == 1) {
		memcpy(ip->b, b, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, b) != 1)
		return -1;
	if (memcmp(b, mapped, 12) == 0) {
		memcpy(ip->b, b + 12, 4);
		return 0;
	}
	ip->v6 = 1;
	memcpy(ip->b, b, 16);
	return 0;
}

/* Whether the client address is in net/cidr of the given family. */
static int
ip_in(const struct spf_ip *ip, const uint8_t *net, int v6, int cidr)
{
	int bytes = cidr / 8, bits = cidr % 8;
	unsigned mask;

	if (ip->v6 != v6)
		return 0;
	if (memcmp(ip->b, net, (size_t)bytes) != 0)
		return 0;
	if (bits == 0)
		return 1;
	mask = (0xffu << (8 - bits)) & 0xffu;
	return ((ip->b[bytes] ^ net[bytes]) & mask) == 0;
}

static int
eval_init(struct eval *ev, const struct spf_request *req,
	  const struct dns_source *src)
{
	const char *s = req->sender, *at;

	memset(ev, 0, sizeof *ev);
	ev->req = req;
	ev->src = src;
	if (req->ip == NULL || ip_parse(req->ip, &ev->ip) == -1)
		return -1;
	/* §4.3: no local-part means "postmaster"; an empty sender is the
	 * HELO check's postmaster@<domain>. */
	at = s != NULL ? strrchr(s, '@') : NULL;
	if (at != NULL && at > s)
		ev->local = strndup(s, (size_t)(at - s));
	else
		ev->local = strdup("postmaster");
	if (at != NULL)
		ev->odomain = strdup(at + 1);
	else if (s != NULL && *s != '\0')
		ev->odomain = strdup(s);
	else
		ev->odomain = strdup(req->domain != NULL ? req->domain : "");
	if (ev->local == NULL || ev->odomain == NULL) {
		ev->nomem = 1;
		return -1;
	}
	return 0;
}

static void
eval_release(struct eval *ev)
{
	free(ev->local);
	free(ev->odomain);
	free(ev->problem);
	ev->local = ev->odomain = ev->problem = NULL;
}

static const struct dns_answer *
ask(struct eval *ev, const char *name, enum dns_type type)
{
	return ev->src->get(ev->src->ctx, name, type);
}

static size_t
count_rr(const struct dns_answer *a, enum dns_type type)
{
	size_t i, n = 0;

	if (a->status != DNS_OK)
		return 0;
	for (i = 0; i < a->nrr; i++)
		if (a->rr[i].type == type)
			n++;
	return n;
}

static int
dns_failed(const struct dns_answer *a)
{
	return a->status == DNS_SERVFAIL || a->status == DNS_TIMEOUT;
}

/* A name as it comes in DNS data, without its trailing dot, into out
 * (NAME_MAX_LEN + 2 bytes); -1 when it cannot be a name. */
static int
host_copy(const char *host, char *out)
{
	size_t n = strlen(host);

	if (n > 0 && host[n - 1] == '.')
		n--;
	if (n > NAME_MAX_LEN)
		return -1;
	memcpy(out, host, n);
	out[n] = '\0';
	return 0;
}

/* Whether a name can be asked: 1..253 octets, labels of 1..63 (RFC 1035
 * §2.3.4). Others are treated as non-existent without asking (§4.3;
 * the suite's invalid-domain tests accept this "no match"). */
static int
name_usable(const char *s)
{
	size_t n = strlen(s), label = 0, i;

	if (n == 0 || n > NAME_MAX_LEN)
		return 0;
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label == 0 || label > LABEL_MAX_LEN)
				return 0;
			label = 0;
		} else
			label++;
	}
	return 1;
}

/* §4.3: a <domain> check_host() can work on: a usable name of at least
 * two labels whose top label follows the toplabel rule of §7.1 (which
 * also turns away address literals such as "[192.0.2.1]"). */
static int
domain_usable(const char *s)
{
	const char *dot = strrchr(s, '.');

	if (!name_usable(s) || dot == NULL)
		return 0;
	return toplabel_ok(dot + 1, strlen(dot + 1));
}

/* Whether host is domain or a subdomain of it, ignoring case (§5.5). */
static int
name_within(const char *host, const char *domain)
{
	size_t h = strlen(host), d = strlen(domain);

	if (h < d || ascii_casecmp(host + h - d, domain) != 0)
		return 0;
	return h == d || host[h - d - 1] == '.';
}

/*
 * Macro expansion (§7.3)
 */

static void
add_ip_dotted(const struct spf_ip *ip, struct buf *b)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	if (!ip->v6) {
		buf_addf(b, "%u.%u.%u.%u", ip->b[0], ip->b[1], ip->b[2],
			 ip->b[3]);
		return;
	}
	/* §7.3: IPv6 "i" is dot-format, 32 nibbles. */
	for (i = 0; i < 32; i++) {
		if (i > 0)
			buf_addc(b, '.');
		buf_addc(b, hex[(ip->b[i / 2] >> (i % 2 ? 0 : 4)) & 0xf]);
	}
}

/* The reverse-mapping name of the client address (RFC 1035 §3.5,
 * RFC 3596 §2.5). */
static void
add_reverse_name(const struct spf_ip *ip, struct buf *b)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	if (!ip->v6) {
		buf_addf(b, "%u.%u.%u.%u.in-addr.arpa", ip->b[3], ip->b[2],
			 ip->b[1], ip->b[0]);
		return;
	}
	for (i = 31; i >= 0; i--)
		buf_addf(b, "%c.",
			 hex[(ip->b[i / 2] >> (i % 2 ? 0 : 4)) & 0xf]);
	buf_adds(b, "ip6.arpa");
}

/* Whether name has an address record equal to the client address: the
 * forward check of a validated name (§5.5). 1 yes, 0 no or DNS error
 * (such names are skipped), -1 when the answer is not known yet. */
static int
name_validates(struct eval *ev, const char *name)
{
	const struct dns_answer *a;
	size_t i;
	enum dns_type t = ev->ip.v6 ? DNS_T_AAAA : DNS_T_A;

	if ((a = ask(ev, name, t)) == NULL)
		return -1;
	if (a->status != DNS_OK)
		return 0;
	for (i = 0; i < a->nrr; i++)
		if (a->rr[i].type == t &&
		    ip_in(&ev->ip,
			  t == DNS_T_A ? a->rr[i].u.a : a->rr[i].u.aaaa,
			  ev->ip.v6, ev->ip.v6 ? 128 : 32))
			return 1;
	return 0;
}

/* Asks for the PTR records of the client address; NULL when not known
 * yet or on allocation failure (then ev->nomem). */
static const struct dns_answer *
ask_ptr(struct eval *ev)
{
	const struct dns_answer *a = NULL;
	struct buf rev;

	buf_init(&rev);
	add_reverse_name(&ev->ip, &rev);
	if (rev.err)
		ev->nomem = 1;
	else
		a = ask(ev, rev.s, DNS_T_PTR);
	buf_release(&rev);
	return a;
}

/* §7.3 "p": a validated name of the client address. <domain> or one of
 * its subdomains is preferred when it validates, then the first validated
 * name, else "unknown". DNS errors mean "unknown"; only the first
 * SPF_MAX_PTR names are tried (§4.6.4). 0, 1 when DNS is needed, -1. */
static int
macro_p(struct eval *ev, const char *domain, struct buf *out)
{
	char host[NAME_MAX_LEN + 2], first[NAME_MAX_LEN + 2] = "unknown";
	const struct dns_answer *a;
	size_t i, tried = 0;
	int v, found = 0;

	if (ev->src == NULL)
		return buf_adds(out, first);
	if ((a = ask_ptr(ev)) == NULL)
		return ev->nomem ? -1 : 1;
	for (i = 0; i < a->nrr && a->status == DNS_OK && tried < SPF_MAX_PTR;
	     i++) {
		if (a->rr[i].type != DNS_T_PTR)
			continue;
		tried++;
		if (host_copy(a->rr[i].u.host, host) == -1 ||
		    !name_usable(host))
			continue;
		if ((v = name_validates(ev, host)) == -1)
			return 1;
		if (v == 1 && name_within(host, domain))
			return buf_adds(out, host);
		if (v == 1 && !found) {
			memcpy(first, host, strlen(host) + 1);
			found = 1;
		}
	}
	return buf_adds(out, first);
}

/* The value of a macro letter before transformation (§7.3). 0, or 1 when
 * DNS is needed (%{p}). */
static int
macro_value(struct eval *ev, const char *domain, char letter, struct buf *v)
{
	char addr[INET6_ADDRSTRLEN];
	const struct spf_request *req = ev->req;

	switch (letter) {
	case 's':
		buf_addf(v, "%s@%s", ev->local, ev->odomain);
		break;
	case 'l':
		buf_adds(v, ev->local);
		break;
	case 'o':
		buf_adds(v, ev->odomain);
		break;
	case 'd':
		buf_adds(v, domain);
		break;
	case 'i':
		add_ip_dotted(&ev->ip, v);
		break;
	case 'p':
		return macro_p(ev, domain, v);
	case 'v':
		buf_adds(v, ev->ip.v6 ? "ip6" : "in-addr");
		break;
	case 'h':
		buf_adds(v, req->helo != NULL ? req->helo : "");
		break;
	case 'c':
		inet_ntop(ev->ip.v6 ? AF_INET6 : AF_INET, ev->ip.b, addr,
			  sizeof addr);
		buf_adds(v, addr);
		break;
	case 'r':
		buf_adds(v, req->receiver != NULL ? req->receiver : "unknown");
		break;
	case 't':
		buf_addf(v, "%lld", (long long)time(NULL));
		break;
	}
	return 0;
}

/* Appends s[0..n), URL-escaped when asked: everything but the unreserved
 * characters of RFC 3986 §2.3 (§7.3). */
static void
add_part(struct buf *out, const char *s, size_t n, int escape)
{
	size_t i;
	unsigned char c;

	if (!escape) {
		buf_add(out, s, n);
		return;
	}
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			buf_addc(out, (char)c);
		else
			buf_addf(out, "%%%02X", c);
	}
}

/* Transformers (§7.3): split on the delimiters, reverse when asked, keep
 * the rightmost parts and join them with dots. 0 / -1 (allocation). */
static int
transform(const char *val, size_t len, const struct mtok *t, struct buf *out)
{
	const char *delim = t->delim[0] != '\0' ? t->delim : ".";
	size_t nparts = 1, i, j, k, first, *start, *plen;

	for (i = 0; i < len; i++)
		if (strchr(delim, val[i]) != NULL)
			nparts++;
	start = calloc(nparts, sizeof *start);
	plen = calloc(nparts, sizeof *plen);
	if (start == NULL || plen == NULL) {
		free(start);
		free(plen);
		return -1;
	}
	for (i = 0, k = 0; i <= len; i++) {
		if (i == len || strchr(delim, val[i]) != NULL) {
			plen[k] = i - start[k];
			if (++k < nparts)
				start[k] = i + 1;
		}
	}
	first = t->keep == 0 || t->keep >= nparts ? 0 : nparts - t->keep;
	for (j = first; j < nparts; j++) {
		k = t->reverse ? nparts - 1 - j : j;
		if (j > first)
			buf_addc(out, '.');
		add_part(out, val + start[k], plen[k], t->upper);
	}
	free(start);
	free(plen);
	return 0;
}

/* Expands one %{...} into out. 0, 1 (DNS needed) or -1. */
static int
expand_macro(struct eval *ev, const char *domain, const struct mtok *t,
	     struct buf *out)
{
	struct buf v;
	int r;

	buf_init(&v);
	if ((r = macro_value(ev, domain, t->letter, &v)) == 0 &&
	    (v.err || transform(v.s != NULL ? v.s : "", v.len, t, out) == -1))
		r = -1, ev->nomem = 1;
	buf_release(&v);
	return r;
}

/* Expands macro-string s for <domain> into b (§7). flags MT_EXPLAIN for
 * exp= text. 0, 1 when DNS is needed, -1 on a syntax error, an expansion
 * over EXPAND_MAX or allocation failure (then ev->nomem). */
static int
expand(struct eval *ev, const char *domain, const char *s, int flags,
       struct buf *b)
{
	struct mtok t;
	int r;

	for (; *s != '\0'; s += t.len) {
		if (mtok_next(s, flags, &t) == -1)
			return -1;
		switch (t.kind) {
		case MT_LIT:
			buf_addc(b, *s);
			break;
		case MT_PCT:
			buf_addc(b, '%');
			break;
		case MT_SPACE:
			buf_addc(b, ' ');
			break;
		case MT_URLSPACE:
			buf_adds(b, "%20");
			break;
		case MT_MACRO:
			if ((r = expand_macro(ev, domain, &t, b)) != 0)
				return r;
			break;
		}
		if (b->len > EXPAND_MAX)
			return -1;
	}
	if (b->err) {
		ev->nomem = 1;
		return -1;
	}
	return 0;
}

/* §7.3: a domain-spec's expansion used as a name loses its trailing dot
 * and, over 253 octets, labels from the left until it fits. */
static void
fit_name(struct buf *b)
{
	const char *dot;
	size_t skip;

	if (b->len > 0 && b->s[b->len - 1] == '.')
		b->s[--b->len] = '\0';
	while (b->len > NAME_MAX_LEN &&
	       (dot = memchr(b->s, '.', b->len)) != NULL) {
		skip = (size_t)(dot + 1 - b->s);
		memmove(b->s, b->s + skip, b->len - skip + 1);
		b->len -= skip;
	}
}

/* The <target-name> of a term (§4.8): its domain-spec expanded, or the
 * current domain when it has none. M_MATCH with *out malloc'ed;
 * M_NOMATCH when the result is not a usable name; M_NEED; M_PERMERROR
 * when expansion failed (callers decide whether that matters). */
static enum mres
target(struct eval *ev, const char *spec, const char *domain, char **out)
{
	struct buf b;
	int r;

	*out = NULL;
	buf_init(&b);
	if (spec == NULL)
		buf_adds(&b, domain);
	else if ((r = expand(ev, domain, spec, 0, &b)) != 0) {
		buf_release(&b);
		return r == 1 ? M_NEED : M_PERMERROR;
	}
	if (b.err) {
		buf_release(&b);
		ev->nomem = 1;
		return M_PERMERROR;
	}
	fit_name(&b);
	if (!name_usable(b.s)) {
		buf_release(&b);
		return M_NOMATCH;
	}
	*out = buf_detach(&b);
	return M_MATCH;
}

int
spf_expand(const struct spf_request *req, const struct dns_source *src,
	   const char *s, int explain, char **out)
{
	struct eval ev;
	struct buf b;
	int r = -1;

	*out = NULL;
	buf_init(&b);
	if (eval_init(&ev, req, src) == 0) {
		r = expand(&ev, req->domain != NULL ? req->domain : "", s,
			   explain ? MT_EXPLAIN | MT_CRT : 0, &b);
		if (r == 0 && !explain)
			fit_name(&b);
		if (r == 0 && (*out = buf_detach(&b)) == NULL)
			r = -1;
	}
	buf_release(&b);
	eval_release(&ev);
	return r;
}

/*
 * Mechanisms (§5)
 */

/* Counts a void lookup: an answer with no records (NXDOMAIN or none of
 * the type). More than SPF_MAX_VOID_LOOKUPS is a permerror (§4.6.4). */
static enum mres
void_lookup(struct eval *ev, const char *name, enum dns_type type)
{
	if (++ev->voids > SPF_MAX_VOID_LOOKUPS) {
		ev_fail(ev, C_VOID, "more than %d void lookups (%s %s)",
			SPF_MAX_VOID_LOOKUPS, name, dns_type_name(type));
		return M_PERMERROR;
	}
	return M_NOMATCH;
}

/* The query a mechanism makes (§4.6.4, §5): M_MATCH when the answer holds
 * records of the type; M_NOMATCH for a void lookup (counted; permerror
 * over the limit); M_TEMPERROR when the server could not answer. */
static enum mres
mech_query(struct eval *ev, const char *name, enum dns_type type,
	   const struct dns_answer **out)
{
	const struct dns_answer *a;

	if ((*out = a = ask(ev, name, type)) == NULL)
		return M_NEED;
	if (dns_failed(a)) {
		ev_fail(ev, C_DNS, "%s %s: %s", name, dns_type_name(type),
			dns_status_name(a->status));
		return M_TEMPERROR;
	}
	if (count_rr(a, type) > 0)
		return M_MATCH;
	return void_lookup(ev, name, type);
}

/* Whether name has an address within the term's CIDR lengths (§5.3).
 * counted: the query is the mechanism's own (void lookups count); an MX
 * host's is not. DNS errors are temperror either way (§5). */
static enum mres
match_addrs(struct eval *ev, const char *name, const struct spf_term *t,
	    int counted)
{
	enum dns_type type = ev->ip.v6 ? DNS_T_AAAA : DNS_T_A;
	const struct dns_answer *a;
	enum mres r;
	size_t i;

	if (counted) {
		if ((r = mech_query(ev, name, type, &a)) != M_MATCH)
			return r;
	} else {
		if ((a = ask(ev, name, type)) == NULL)
			return M_NEED;
		if (dns_failed(a)) {
			ev_fail(ev, C_DNS, "%s %s: %s", name,
				dns_type_name(type),
				dns_status_name(a->status));
			return M_TEMPERROR;
		}
	}
	for (i = 0; i < a->nrr && a->status == DNS_OK; i++)
		if (a->rr[i].type == type &&
		    ip_in(&ev->ip,
			  type == DNS_T_A ? a->rr[i].u.a : a->rr[i].u.aaaa,
			  ev->ip.v6, ev->ip.v6 ? t->cidr6 : t->cidr4))
			return M_MATCH;
	return M_NOMATCH;
}

/* target() for a mechanism: a failed expansion is a permerror. */
static enum mres
mech_target(struct eval *ev, const struct spf_term *t, const char *domain,
	    char **name)
{
	enum mres r = target(ev, t->spec, domain, name);

	if (r == M_PERMERROR)
		ev_fail(ev, ev->nomem ? C_NOMEM : C_SYNTAX,
			"cannot expand \"%.40s\"",
			t->spec != NULL ? t->spec : domain);
	return r;
}

/* "a" (§5.3). */
static enum mres
mech_a(struct eval *ev, const struct spf_term *t, const char *domain)
{
	enum mres r;
	char *name;

	if ((r = mech_target(ev, t, domain, &name)) != M_MATCH)
		return r;
	r = match_addrs(ev, name, t, 1);
	free(name);
	return r;
}

/* The MX hosts of an answer, tried in answer order (a null MX, RFC 7505,
 * has no host to try). */
static enum mres
match_mx_hosts(struct eval *ev, const struct dns_answer *a,
	       const struct spf_term *t)
{
	char host[NAME_MAX_LEN + 2];
	enum mres r;
	size_t i;

	for (i = 0; i < a->nrr; i++) {
		if (a->rr[i].type != DNS_T_MX ||
		    host_copy(a->rr[i].u.mx.host, host) == -1 ||
		    !name_usable(host))
			continue;
		if ((r = match_addrs(ev, host, t, 0)) != M_NOMATCH)
			return r;
	}
	return M_NOMATCH;
}

/* "mx" (§5.4): more than SPF_MAX_MX names is a permerror (§4.6.4). */
static enum mres
mech_mx(struct eval *ev, const struct spf_term *t, const char *domain)
{
	const struct dns_answer *a;
	enum mres r;
	char *name;

	if ((r = mech_target(ev, t, domain, &name)) != M_MATCH)
		return r;
	if ((r = mech_query(ev, name, DNS_T_MX, &a)) == M_MATCH) {
		if (count_rr(a, DNS_T_MX) > SPF_MAX_MX) {
			ev_fail(ev, C_OTHER, "%s has more than %d MX records",
				name, SPF_MAX_MX);
			r = M_PERMERROR;
		} else
			r = match_mx_hosts(ev, a, t);
	}
	free(name);
	return r;
}

/* The names of a PTR answer that are within target and validate; the
 * first SPF_MAX_PTR names only (§4.6.4). */
static enum mres
match_ptr_names(struct eval *ev, const struct dns_answer *a, const char *target)
{
	char host[NAME_MAX_LEN + 2];
	size_t i, tried = 0;
	int v;

	for (i = 0; i < a->nrr && tried < SPF_MAX_PTR; i++) {
		if (a->rr[i].type != DNS_T_PTR)
			continue;
		tried++;
		if (host_copy(a->rr[i].u.host, host) == -1 ||
		    !name_usable(host) || !name_within(host, target))
			continue;
		if ((v = name_validates(ev, host)) != 0)
			return v == 1 ? M_MATCH : M_NEED;
	}
	return M_NOMATCH;
}

/* "ptr" (§5.5). A failed PTR query is no match (not temperror); failed
 * forward queries skip the name. */
static enum mres
mech_ptr(struct eval *ev, const struct spf_term *t, const char *domain)
{
	const struct dns_answer *a;
	enum mres r;
	char *name;

	if ((r = mech_target(ev, t, domain, &name)) != M_MATCH)
		return r;
	if ((a = ask_ptr(ev)) == NULL)
		r = ev->nomem ? M_PERMERROR : M_NEED;
	else if (dns_failed(a))
		r = M_NOMATCH;
	else if (count_rr(a, DNS_T_PTR) == 0)
		r = void_lookup(ev, "client address", DNS_T_PTR);
	else
		r = match_ptr_names(ev, a, name);
	free(name);
	return r;
}

/* "exists" (§5.7): an A query whatever the client's family. */
static enum mres
mech_exists(struct eval *ev, const struct spf_term *t, const char *domain)
{
	const struct dns_answer *a;
	enum mres r;
	char *name;

	if ((r = mech_target(ev, t, domain, &name)) != M_MATCH)
		return r;
	r = mech_query(ev, name, DNS_T_A, &a);
	free(name);
	return r;
}

static enum spf_result check_domain(struct eval *, const char *, int, char **);

/* "include" (§5.2): pass matches; fail, softfail and neutral do not;
 * temperror stays; permerror and none are permerror. */
static enum mres
mech_include(struct eval *ev, const struct spf_term *t, const char *domain)
{
	enum spf_result res;
	enum mres r;
	char *name;

	if ((r = mech_target(ev, t, domain, &name)) == M_NOMATCH) {
		ev_fail(ev, C_OTHER, "include target is not a domain name");
		return M_PERMERROR;
	}
	if (r != M_MATCH)
		return r;
	res = check_domain(ev, name, 0, NULL);
	if (res == SPF_NONE)
		ev_fail(ev, C_OTHER, "include:%s has no SPF record", name);
	free(name);
	switch (res) {
	case SPF_PASS:
		return M_MATCH;
	case SPF_FAIL:
	case SPF_SOFTFAIL:
	case SPF_NEUTRAL:
		return M_NOMATCH;
	case SPF_TEMPERROR:
		return M_TEMPERROR;
	case SPF_NEED_DNS:
		return M_NEED;
	default:
		return M_PERMERROR;
	}
}

/* Evaluates one mechanism. The DNS-querying ones count against the
 * lookup limit before they ask (§4.6.4). */
static enum mres
mech_eval(struct eval *ev, const struct spf_term *t, const char *domain)
{
	switch (t->kind) {
	case K_ALL:
		return M_MATCH;
	case K_IP4:
		return ip_in(&ev->ip, t->net, 0, t->cidr4) ? M_MATCH
							   : M_NOMATCH;
	case K_IP6:
		return ip_in(&ev->ip, t->net, 1, t->cidr6) ? M_MATCH
							   : M_NOMATCH;
	default:
		break;
	}
	if (++ev->lookups > SPF_MAX_LOOKUPS) {
		ev_fail(ev, C_LOOKUPS, "more than %d DNS lookups",
			SPF_MAX_LOOKUPS);
		return M_PERMERROR;
	}
	switch (t->kind) {
	case K_INCLUDE:
		return mech_include(ev, t, domain);
	case K_A:
		return mech_a(ev, t, domain);
	case K_MX:
		return mech_mx(ev, t, domain);
	case K_PTR:
		return mech_ptr(ev, t, domain);
	default:
		return mech_exists(ev, t, domain);
	}
}

/*
 * check_host() (§4)
 */

/* Concatenates the strings of a TXT RR without separators (§3.3), at
 * most max bytes; returns the full length. */
static size_t
txt_concat(const struct dns_rr *rr, struct buf *b, size_t max)
{
	size_t i, n, total = 0;

	for (i = 0; i < rr->u.txt.nstr; i++) {
		n = rr->u.txt.len[i];
		if (b->len < max)
			buf_add(b, rr->u.txt.str[i],
				n < max - b->len ? n : max - b->len);
		total += n;
	}
	return total;
}

static int
txt_is_spf(const struct dns_rr *rr)
{
	struct buf b;
	int yes;

	buf_init(&b);
	txt_concat(rr, &b, 7);
	yes = !b.err && is_spf_prefix(b.s != NULL ? b.s : "", b.len);
	buf_release(&b);
	return yes;
}

/* Parses the selected record; SPF_PASS when *rec is set. */
static enum spf_result
parse_selected(struct eval *ev, const char *domain, const struct dns_rr *rr,
	       struct spf_record **rec)
{
	char problem[PROBLEM_MAX];
	struct buf b;
	enum spf_parse p;

	buf_init(&b);
	txt_concat(rr, &b, SPF_MAX_RECORD + 1);
	p = b.err ? SPF_PARSE_NOMEM
		  : spf_record_parse(b.s, b.len, rec, problem, sizeof problem);
	buf_release(&b);
	if (p == SPF_PARSE_OK)
		return SPF_PASS;
	if (p == SPF_PARSE_NOMEM) {
		ev->nomem = 1;
		ev_fail(ev, C_NOMEM, "out of memory");
		return SPF_TEMPERROR;
	}
	ev_fail(ev, C_SYNTAX, "%s: %s", domain, problem);
	return SPF_PERMERROR;
}

/* Looks up and selects the SPF record of domain (§4.4, §4.5). SPF_PASS
 * with *rec set (the caller frees it), else the result that ends this
 * check_host(): none, temperror, permerror or need DNS. */
static enum spf_result
fetch_record(struct eval *ev, const char *domain, struct spf_record **rec)
{
	const struct dns_answer *a;
	size_t i, n = 0, pick = 0;

	*rec = NULL;
	if ((a = ask(ev, domain, DNS_T_TXT)) == NULL)
		return SPF_NEED_DNS;
	if (dns_failed(a)) {
		ev_fail(ev, C_DNS, "%s TXT: %s", domain,
			dns_status_name(a->status));
		return SPF_TEMPERROR;
	}
	for (i = 0; i < a->nrr && a->status == DNS_OK; i++)
		if (a->rr[i].type == DNS_T_TXT && txt_is_spf(&a->rr[i]))
			n++, pick = i;
	if (n == 0)
		return SPF_NONE;
	if (n > 1) {
		ev_fail(ev, C_OTHER, "%s has %zu SPF records", domain, n);
		return SPF_PERMERROR;
	}
	return parse_selected(ev, domain, &a->rr[pick], rec);
}

/* exp= (§6.2): the explanation of a fail. Any failure (expansion, DNS,
 * not exactly one TXT RR, text that is not printable ASCII or not a valid
 * explain-string) leaves *exp NULL as if there were no exp=. Its query
 * counts against neither limit (§4.6.4). 0, or 1 when DNS is needed. */
static int
explain(struct eval *ev, const struct spf_record *rec, const char *domain,
	char **exp)
{
	const struct dns_answer *a;
	struct buf text, out;
	enum mres r;
	char *name;
	size_t i, n;
	int rc = 0;

	if ((r = target(ev, rec->terms[rec->exp].spec, domain, &name)) !=
	    M_MATCH)
		return r == M_NEED;
	a = ask(ev, name, DNS_T_TXT);
	free(name);
	if (a == NULL)
		return 1;
	if (count_rr(a, DNS_T_TXT) != 1)
		return 0;
	for (i = 0; a->rr[i].type != DNS_T_TXT; i++)
		;
	buf_init(&text);
	buf_init(&out);
	n = txt_concat(&a->rr[i], &text, SPF_MAX_RECORD + 1);
	if (!text.err && n <= SPF_MAX_RECORD && text.s != NULL &&
	    check_record_bytes(text.s, text.len, &i) == NULL) {
		rc = expand(ev, domain, text.s, MT_EXPLAIN | MT_CRT, &out);
		if (rc == 0)
			*exp = buf_detach(&out);
	}
	buf_release(&text);
	buf_release(&out);
	return rc == 1;
}

static enum spf_result
qual_result(char q)
{
	switch (q) {
	case '-':
		return SPF_FAIL;
	case '~':
		return SPF_SOFTFAIL;
	case '?':
		return SPF_NEUTRAL;
	default:
		return SPF_PASS;
	}
}

/* redirect= (§6.1): check_host() of the target replaces this record's
 * result; a target without a record is a permerror. */
static enum spf_result
redirect(struct eval *ev, const struct spf_record *rec, const char *domain,
	 int want_exp, char **exp)
{
	const struct spf_term *t = &rec->terms[rec->redirect];
	enum spf_result res;
	enum mres r;
	char *name;

	if (++ev->lookups > SPF_MAX_LOOKUPS) {
		ev_fail(ev, C_LOOKUPS, "more than %d DNS lookups",
			SPF_MAX_LOOKUPS);
		return SPF_PERMERROR;
	}
	if ((r = mech_target(ev, t, domain, &name)) == M_NEED)
		return SPF_NEED_DNS;
	if (r != M_MATCH) {
		ev_fail(ev, C_OTHER, "redirect target is not a domain name");
		return SPF_PERMERROR;
	}
	res = check_domain(ev, name, want_exp, exp);
	if (res == SPF_NONE) {
		ev_fail(ev, C_OTHER, "redirect=%s has no SPF record", name);
		res = SPF_PERMERROR;
	}
	free(name);
	return res;
}

/* Evaluates a parsed record (§4.6): mechanisms left to right, the first
 * match decides; then redirect=, else neutral (§4.7). */
static enum spf_result
eval_record(struct eval *ev, const struct spf_record *rec, const char *domain,
	    int want_exp, char **exp)
{
	enum spf_result res;
	size_t i;

	for (i = 0; i < rec->nterms; i++) {
		if (rec->terms[i].kind >= K_REDIRECT)
			continue;
		switch (mech_eval(ev, &rec->terms[i], domain)) {
		case M_NOMATCH:
			continue;
		case M_TEMPERROR:
			return SPF_TEMPERROR;
		case M_PERMERROR:
			return SPF_PERMERROR;
		case M_NEED:
			return SPF_NEED_DNS;
		case M_MATCH:
			break;
		}
		res = qual_result(rec->terms[i].qual);
		if (res == SPF_FAIL && want_exp && rec->exp >= 0 &&
		    explain(ev, rec, domain, exp) == 1)
			return SPF_NEED_DNS;
		return res;
	}
	if (rec->redirect >= 0)
		return redirect(ev, rec, domain, want_exp, exp);
	return SPF_NEUTRAL;
}

/* check_host(<ip>, domain, <sender>) proper. want_exp: compute the
 * explanation of a fail into *exp (not for include, §6.2). */
static enum spf_result
check_domain(struct eval *ev, const char *domain, int want_exp, char **exp)
{
	struct spf_record *rec;
	enum spf_result res;

	if (!domain_usable(domain))
		return SPF_NONE;
	if (ev->depth >= MAX_DEPTH) {
		ev_fail(ev, C_LOOKUPS, "include/redirect nested too deep");
		return SPF_PERMERROR;
	}
	if ((res = fetch_record(ev, domain, &rec)) != SPF_PASS)
		return res;
	ev->depth++;
	res = eval_record(ev, rec, domain, want_exp, exp);
	ev->depth--;
	spf_record_free(rec);
	return res;
}

/* check_host() with the cause of an error kept for spf_verdict(). */
static enum spf_result
check_host(const struct spf_request *req, const struct dns_source *src,
	   struct spf_outcome *out, enum cause *cause)
{
	char domain[NAME_MAX_LEN + 2];
	struct eval ev;
	enum spf_result res;

	memset(out, 0, sizeof *out);
	if (eval_init(&ev, req, src) == -1) {
		res = ev.nomem ? SPF_TEMPERROR : SPF_PERMERROR;
		ev_fail(&ev, ev.nomem ? C_NOMEM : C_OTHER,
			ev.nomem ? "out of memory" : "invalid client address");
	} else if (req->domain == NULL || host_copy(req->domain, domain) == -1)
		res = SPF_NONE;
	else
		res = check_domain(&ev, domain, 1, &out->explanation);
	if (ev.nomem) {
		res = SPF_TEMPERROR;
		ev.cause = C_NOMEM;
	}
	if (res != SPF_FAIL) {
		free(out->explanation);
		out->explanation = NULL;
	}
	out->result = res;
	out->lookups = ev.lookups;
	out->void_lookups = ev.voids;
	if (res == SPF_PERMERROR || res == SPF_TEMPERROR) {
		out->problem = ev.problem;
		ev.problem = NULL;
	}
	*cause = ev.cause;
	eval_release(&ev);
	return res;
}

enum spf_result
spf_check_host(const struct spf_request *req, const struct dns_source *src,
	       struct spf_outcome *out)
{
	struct spf_outcome local;
	enum cause cause;

	if (out == NULL) {
		check_host(req, src, &local, &cause);
		spf_outcome_release(&local);
		return local.result;
	}
	return check_host(req, src, out, &cause);
}

void
spf_outcome_release(struct spf_outcome *o)
{
	free(o->explanation);
	free(o->problem);
	o->explanation = o->problem = NULL;
}

const char *
spf_result_name(enum spf_result r)
{
	static const char *const names[SPF_RESULT__MAX] = {
	    [SPF_NONE] = "none",	   [SPF_NEUTRAL] = "neutral",
	    [SPF_PASS] = "pass",	   [SPF_FAIL] = "fail",
	    [SPF_SOFTFAIL] = "softfail",   [SPF_TEMPERROR] = "temperror",
	    [SPF_PERMERROR] = "permerror", [SPF_NEED_DNS] = "need_dns",
	};

	if ((unsigned)r >= SPF_RESULT__MAX)
		return "unknown";
	return names[r];
}

/*
 * The product's verdict (DESIGN.md "Verification semantics", SPF) and the
 * record to suggest (DESIGN.md "Records issued"). Suggestions work on the
 * record's text term by term, so they can be made for records that do not
 * parse: malformed terms are left out of them.
 */

struct span {
	const char *p;
	size_t n;
};

struct spans {
	struct span *v;
	size_t n, cap;
};

static int
spans_push(struct spans *s, const char *p, size_t n)
{
	struct span *v;
	size_t cap;

	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : 32;
		if ((v = realloc(s->v, cap * sizeof *v)) == NULL)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].p = p;
	s->v[s->n].n = n;
	s->n++;
	return 0;
}

/* Where "v=spf1" starts within p[0..n), or n. */
static size_t
find_version(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 6 <= n; i++)
		if (ascii_ncasecmp(p + i, "v=spf1", 6) == 0)
			return i;
	return n;
}

/* Appends the terms of text, leaving out version terms: "v=spf1" starts
 * each record and each piece of a concatenated one, even when the pieces
 * were pasted without a space ("-allv=spf1"). */
static int
spans_split(struct spans *s, const char *text)
{
	const char *end;
	size_t v;

	while (*text != '\0') {
		while (*text == ' ')
			text++;
		for (end = text; *end != '\0' && *end != ' '; end++)
			;
		v = find_version(text, (size_t)(end - text));
		if (v > 0 && spans_push(s, text, v) == -1)
			return -1;
		text += v < (size_t)(end - text) ? v + 6 : v;
	}
	return 0;
}

static int
span_starts(struct span s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s.n >= n && ascii_ncasecmp(s.p, prefix, n) == 0;
}

/* Whether the term is an "all" mechanism; *qual gets its qualifier. */
static int
span_is_all(struct span s, char *qual)
{
	char q = '+';

	if (s.n > 0 && strchr("+-~?", s.p[0]) != NULL) {
		q = s.p[0];
		s.p++;
		s.n--;
	}
	if (s.n != 3 || ascii_ncasecmp(s.p, "all", 3) != 0)
		return 0;
	if (qual != NULL)
		*qual = q;
	return 1;
}

/* Whether the term is well-formed on its own (parse_term's grammar). */
static int
span_valid(struct span s)
{
	char copy[SPF_MAX_RECORD + 1];
	struct spf_term t;
	size_t at;

	if (s.n > SPF_MAX_RECORD || check_record_bytes(s.p, s.n, &at) != NULL)
		return 0;
	memcpy(copy, s.p, s.n);
	copy[s.n] = '\0';
	return parse_term(copy, &t) == NULL;
}

/* The term in the form used to compare: no "+" qualifier, no host-length
 * CIDR on ip4/ip6 (RFC 7208 §5.6 defaults). */
static struct span
span_norm(struct span s)
{
	if (s.n > 0 && s.p[0] == '+') {
		s.p++;
		s.n--;
	}
	if (span_starts(s, "ip4:") && s.n > 7 &&
	    memcmp(s.p + s.n - 3, "/32", 3) == 0)
		s.n -= 3;
	if (span_starts(s, "ip6:") && s.n > 8 &&
	    memcmp(s.p + s.n - 4, "/128", 4) == 0)
		s.n -= 4;
	return s;
}

/* Whether b repeats a: the same term, or a second redirect= / exp=
 * (§6: each at most once). */
static int
span_repeats(struct span a, struct span b)
{
	static const char *const once[] = {"redirect=", "exp="};
	size_t i;

	for (i = 0; i < 2; i++)
		if (span_starts(a, once[i]) && span_starts(b, once[i]))
			return 1;
	a = span_norm(a);
	b = span_norm(b);
	return a.n == b.n && ascii_ncasecmp(a.p, b.p, a.n) == 0;
}

/* Adds a term of the suggestion unless it is an "all" (the suggestion
 * places its own), malformed, a redirect= to drop, or a repeat. */
static int
keep_term(struct spans *out, struct span s, int drop_redirect)
{
	size_t i;

	if (span_is_all(s, NULL) || !span_valid(s) ||
	    (drop_redirect && span_starts(s, "redirect=")))
		return 0;
	for (i = 0; i < out->n; i++)
		if (span_repeats(out->v[i], s))
			return 0;
	return spans_push(out, s.p, s.n);
}

/* The "all" the suggestion ends with: "+all" never stays (it authorizes
 * everyone), "-all" becomes "~all" under the softfail policy. */
static const char *
suggested_all(char q, enum spf_policy policy)
{
	switch (q) {
	case '-':
		return policy == SPF_POLICY_SOFTFAIL ? "~all" : "-all";
	case '?':
		return "?all";
	default:
		return "~all";
	}
}

/* Index of the first "all", or s->n; *qual gets its qualifier. */
static size_t
first_all(const struct spans *s, char *qual)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (span_is_all(s->v[i], qual))
			break;
	return i;
}

static size_t
first_redirect(const struct spans *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (span_starts(s->v[i], "redirect="))
			break;
	return i;
}

/* Lays out the suggestion's terms. One record: its terms before its
 * "all" (or before redirect= when it has none), the platform's, the
 * "all", its remaining terms. Several (multi): every record's terms but
 * "all", the platform's, one "all" (redirect= dropped when there is an
 * "all", since §6.1 would ignore it). No record: the platform's and
 * "~all". */
static int
layout(const struct spans *t, const struct spans *plat, int multi, int none,
       enum spf_policy policy, struct spans *out)
{
	const char *all = NULL;
	char q = '+';
	size_t i, k = first_all(t, &q), split;

	if (none || k < t->n)
		all = suggested_all(q, policy);
	split = multi ? t->n : k < t->n ? k : first_redirect(t);
	for (i = 0; i < split; i++)
		if (keep_term(out, t->v[i], multi && all != NULL) == -1)
			return -1;
	for (i = 0; i < plat->n; i++)
		if (keep_term(out, plat->v[i], 0) == -1)
			return -1;
	if (all != NULL && spans_push(out, all, 4) == -1)
		return -1;
	for (i = split; i < t->n; i++)
		if (i != k && keep_term(out, t->v[i], 0) == -1)
			return -1;
	return 0;
}

/* The record to publish (malloc'ed), or NULL on allocation failure. */
static char *
suggest(const struct platform *pf, char *const *recs, size_t nrecs, int multi)
{
	struct spans t = {0}, plat = {0}, out = {0};
	struct buf pt, b;
	size_t i;
	int rc = 0;

	buf_init(&pt);
	buf_init(&b);
	records_spf_terms(&pt, pf);
	rc |= spans_split(&plat, pt.s != NULL ? pt.s : "");
	for (i = 0; i < nrecs; i++)
		rc |= spans_split(&t, recs[i]);
	if (rc == 0 && !pt.err &&
	    layout(&t, &plat, multi, nrecs == 0, pf->policy, &out) == 0) {
		buf_adds(&b, "v=spf1");
		for (i = 0; i < out.n; i++) {
			buf_addc(&b, ' ');
			buf_add(&b, out.v[i].p, out.v[i].n);
		}
	} else
		b.err = 1;
	free(t.v);
	free(plat.v);
	free(out.v);
	buf_release(&pt);
	return buf_detach(&b);
}

/* Each v=spf1 TXT record of the answer, at most max, strings
 * concatenated (§3.3) and non-printable bytes shown as '?' (they come from
 * DNS). *pick gets the last one's RR index. 0 / -1. */
static int
collect_records(const struct dns_answer *a, size_t max, struct spf_verdict *v,
		size_t *pick)
{
	struct buf b;
	size_t i;

	for (i = 0; i < a->nrr && a->status == DNS_OK && v->nrecords < max;
	     i++) {
		if (a->rr[i].type != DNS_T_TXT || !txt_is_spf(&a->rr[i]))
			continue;
		buf_init(&b);
		txt_concat(&a->rr[i], &b, (size_t)-1);
		printable_bytes(b.s, b.len);
		v->records[v->nrecords] = buf_detach(&b);
		if (v->records[v->nrecords] == NULL)
			return -1;
		v->nrecords++;
		*pick = i;
	}
	return 0;
}

/* A second "v=spf1" inside the record: two records pasted into one. */
static int
concatenated(const char *rec)
{
	size_t i;

	for (i = 1; rec[i] != '\0'; i++)
		if (ascii_ncasecmp(rec + i, "v=spf1", 6) == 0)
			return 1;
	return 0;
}

/* What check_host() said for the platform's addresses. */
struct tally {
	int lookups, need, nomem, temperror, permerror, not_pass;
	enum cause perm_cause;
};

/* check_host(ip, domain, postmaster@domain) for every platform address.
 * All are evaluated even when one needs DNS, so that their questions are
 * asked together. */
static void
evaluate_platform(const char *domain, const struct platform *pf,
		  const struct dns_source *src, struct tally *t)
{
	struct spf_request req;
	struct spf_outcome o;
	enum spf_result r;
	enum cause cause;
	struct buf sender;
	size_t i;

	buf_init(&sender);
	buf_addf(&sender, "postmaster@%s", domain);
	if (sender.err) {
		t->nomem = 1;
		return;
	}
	for (i = 0; i < pf->nips; i++) {
		memset(&req, 0, sizeof req);
		req.ip = pf->ips[i];
		req.domain = domain;
		req.sender = sender.s;
		req.helo = domain;
		r = check_host(&req, src, &o, &cause);
		if (o.lookups > t->lookups)
			t->lookups = o.lookups;
		t->nomem |= cause == C_NOMEM;
		t->need |= r == SPF_NEED_DNS;
		t->temperror |= r == SPF_TEMPERROR;
		if (r == SPF_PERMERROR && !t->permerror)
			t->perm_cause = cause;
		t->permerror |= r == SPF_PERMERROR;
		t->not_pass |= r != SPF_PASS;
		spf_outcome_release(&o);
	}
	buf_release(&sender);
}

static void
set_verdict(struct spf_verdict *v, const char *status, const char *reason)
{
	v->status = status;
	v->reason = reason;
}

/* The verdict on a record that parses, from the evaluation (DESIGN.md:
 * verified iff pass for every platform IP and the policy holds). The
 * order of the reasons: what makes the result unknown first, then what
 * breaks the record for every receiver, then what this product needs. */
static void
judge(const struct tally *t, char all, enum spf_policy policy,
      struct spf_verdict *v)
{
	v->lookups = t->lookups;
	if (t->temperror)
		set_verdict(v, "tempfail", "dns_error");
	else if (t->permerror)
		set_verdict(v, "unverified",
			    t->perm_cause == C_LOOKUPS ? "lookup_limit"
			    : t->perm_cause == C_VOID  ? "void_lookup_limit"
						       : "permerror");
	else if (all == '+')
		set_verdict(v, "unverified", "plus_all");
	else if (t->not_pass)
		set_verdict(v, "unverified", "not_authorized");
	else if (all == '-' && policy == SPF_POLICY_SOFTFAIL)
		set_verdict(v, "unverified", "hardfail_all");
	else
		set_verdict(v, "verified", "ok");
}

/* The verdict once exactly one record was found. 0 / 1 / -1. */
static int
verdict_one(const char *domain, const struct platform *pf,
	    const struct dns_source *src, const struct dns_rr *rr,
	    struct spf_verdict *v)
{
	char problem[PROBLEM_MAX];
	struct spf_record *rec = NULL;
	struct tally t;
	struct buf raw;
	enum spf_parse p;
	char all;

	if (concatenated(v->records[0])) {
		set_verdict(v, "unverified", "concatenated_records");
		return (v->suggested = suggest(pf, v->records, 1, 1)) ? 0 : -1;
	}
	buf_init(&raw);
	txt_concat(rr, &raw, SPF_MAX_RECORD + 1);
	p = raw.err ? SPF_PARSE_NOMEM
		    : spf_record_parse(raw.s, raw.len, &rec, problem,
				       sizeof problem);
	buf_release(&raw);
	if (p == SPF_PARSE_NOMEM)
		return -1;
	if (p != SPF_PARSE_OK) {
		set_verdict(v, "unverified", "syntax_error");
		return (v->suggested = suggest(pf, v->records, 1, 0)) ? 0 : -1;
	}
	all = (char)spf_record_all(rec);
	spf_record_free(rec);
	memset(&t, 0, sizeof t);
	evaluate_platform(domain, pf, src, &t);
	if (t.nomem)
		return -1;
	if (t.need)
		return 1;
	judge(&t, all, pf->policy, v);
	if (strcmp(v->status, "verified") == 0)
		return 0;
	return (v->suggested = suggest(pf, v->records, 1, 0)) ? 0 : -1;
}

/* Finds the records and hands over to verdict_one(). */
static int
verdict(const char *domain, const struct platform *pf,
	const struct dns_source *src, const struct dns_answer *a,
	struct spf_verdict *v)
{
	size_t pick = 0, n = 0, i;

	if (dns_failed(a)) {
		set_verdict(v, "tempfail", "dns_error");
		return 0;
	}
	for (i = 0; i < a->nrr && a->status == DNS_OK; i++)
		n += a->rr[i].type == DNS_T_TXT && txt_is_spf(&a->rr[i]);
	if (n > 0 && (v->records = calloc(n, sizeof *v->records)) == NULL)
		return -1;
	if (collect_records(a, n, v, &pick) == -1 || v->nrecords != n)
		return -1;
	if (n == 0 || n > 1) {
		set_verdict(v, "unverified",
			    n == 0 ? "no_record" : "multiple_records");
		v->suggested = suggest(pf, v->records, n, 1);
		return v->suggested != NULL ? 0 : -1;
	}
	return verdict_one(domain, pf, src, &a->rr[pick], v);
}

int
spf_verdict(const char *domain, const struct platform *pf,
	    const struct dns_source *src, struct spf_verdict *out)
{
	const struct dns_answer *a;
	int rc;

	memset(out, 0, sizeof *out);
	if ((a = src->get(src->ctx, domain, DNS_T_TXT)) == NULL)
		return 1;
	if ((rc = verdict(domain, pf, src, a, out)) != 0)
		spf_verdict_release(out);
	return rc;
}

void
spf_verdict_release(struct spf_verdict *v)
{
	size_t i;

	for (i = 0; i < v->nrecords; i++)
		free(v->records[i]);
	free(v->records);
	free(v->suggested);
	memset(v, 0, sizeof *v);
}
