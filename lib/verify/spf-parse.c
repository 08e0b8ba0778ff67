/*
 * spf-parse.c - the grammar of SPF records (RFC 7208 §4.5, §12): a record
 * split into terms, each mechanism and modifier with its arguments, the
 * macro-strings inside them (§7.1), and reading a record out of a TXT RR
 * (§3.3). The parse is strict and whole: every term is checked, not just
 * those before the first match.
 *
 * Pure text work. Not here: what a term means when evaluated
 * (spf-eval.c), expanding macros (spf-macro.c), judging a customer's
 * record (spf-verdict.c).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf-int.h"
#include "spf.h"
#include "util.h"

#define TERM_QUOTE_MAX 48 /* bytes of a term quoted in a problem */

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

/* Whether the bytes are "v=spf1" followed by a space or the end (§4.5). */
static int
is_spf_prefix(const char *s, size_t len)
{
	return len >= 6 && ascii_ncasecmp(s, "v=spf1", 6) == 0 &&
	       (len == 6 || s[6] == ' ');
}

/*
 * Macro-strings (§7.1)
 */

/* Reads the token at s (not at its end) into *t; -1 when s does not start
 * with a macro-expand or macro-literal of the grammar of §7.1. */
int
spf_mtok_next(const char *s, int flags, struct mtok *t)
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
	if (!ascii_isalpha((unsigned char)*p) ||
	    strchr("slodiphcrtv", *p | 0x20) == NULL)
		return -1;
	t->letter = (char)(*p | 0x20);
	t->upper = *p >= 'A' && *p <= 'Z';
	if (strchr("crt", t->letter) != NULL && !(flags & MT_CRT))
		return -1;
	p++;
	if (ascii_isdigit((unsigned char)*p)) {
		while (ascii_isdigit((unsigned char)*p)) {
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
int
spf_toplabel_ok(const char *s, size_t n)
{
	size_t i;
	int alpha = 0, dash = 0;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '-')
			dash = 1;
		else if (ascii_isalpha((unsigned char)s[i]))
			alpha = 1;
		else if (!ascii_isdigit((unsigned char)s[i]))
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
		if (spf_mtok_next(s, flags, &t) == -1)
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
	if (dot == spec || !spf_toplabel_ok(dot, (size_t)(spec + n - dot)))
		return "domain-spec does not end in a valid top-level label";
	return NULL;
}

/*
 * Terms (§5, §6, §12)
 */

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
		for (v = 0; i < n && ascii_isdigit((unsigned char)s[i]) &&
			    i - start < 3;
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
		if (!ascii_isdigit((unsigned char)*s))
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
	if (!ascii_isalpha((unsigned char)*s))
		return "invalid term";
	for (n = 1; ascii_isalnum((unsigned char)s[n]) || s[n] == '-' ||
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
	t->kind = (enum spf_kind)k;
	return parse_mech_arg(s + n, t);
}

/* Whether the term is well-formed on its own, as parse_term() would have
 * it in a record: the suggestion keeps only such terms. */
int
spf_term_valid(const char *s, size_t n)
{
	char copy[SPF_MAX_RECORD + 1];
	struct spf_term t;
	size_t at;

	if (n > SPF_MAX_RECORD || spf_check_record_bytes(s, n, &at) != NULL)
		return 0;
	memcpy(copy, s, n);
	copy[n] = '\0';
	return parse_term(copy, &t) == NULL;
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
const char *
spf_check_record_bytes(const char *txt, size_t len, size_t *at)
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
	if ((why = spf_check_record_bytes(txt, len, &at)) != NULL) {
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
 * Records in TXT RRs (§3.3, §4.5)
 */

/* Concatenates the strings of a TXT RR without separators (§3.3), at
 * most max bytes; returns the full length. */
size_t
spf_txt_concat(const struct dns_rr *rr, struct buf *b, size_t max)
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

int
spf_txt_is_spf(const struct dns_rr *rr)
{
	struct buf b;
	int yes;

	buf_init(&b);
	spf_txt_concat(rr, &b, 7);
	yes = !b.err && is_spf_prefix(b.s != NULL ? b.s : "", b.len);
	buf_release(&b);
	return yes;
}
