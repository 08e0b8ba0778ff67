/*
 * spf-eval.c - RFC 7208 check_host() over a struct dns_source: fetching
 * and selecting the record (§4.4, §4.5), the mechanisms (§5), redirect=
 * and exp= (§6), and the limits of §4.6.4.
 *
 * Evaluation is restartable (lib/verify/dns.h): the first answer the source
 * does not know yet stops it with SPF_NEED_DNS, and the caller resolves and
 * evaluates again from the start. Evaluation is a pure function of the
 * request and the answers (the only exception, %{t}, appears in exp= text
 * after every query is made), so a re-run asks the same questions in the
 * same order.
 *
 * Not here: talking to DNS (lib/verify/dns.c, tests/double/dnstable.c),
 * what the product makes of the results (spf-verdict.c).
 */
#include <stdlib.h>
#include <string.h>

#include "spf-int.h"
#include "spf.h"
#include "util.h"

#define MAX_DEPTH 12 /* include/redirect nesting; §4.6.4 stops first */

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

/* §4.3: a <domain> check_host() can work on: a usable name of at
 * least two labels whose top label follows the toplabel rule of §7.1 (which
 * also turns away address literals such as "[192.0.2.1]"). */
static int
domain_usable(const char *s)
{
	const char *dot = strrchr(s, '.');

	if (!spf_name_usable(s) || dot == NULL)
		return 0;
	return spf_toplabel_ok(dot + 1, strlen(dot + 1));
}

/*
 * Mechanisms (§5)
 */

/* Counts a void lookup: an answer with no records (NXDOMAIN or none of
 * the type). More than SPF_MAX_VOID_LOOKUPS is a permerror (§4.6.4). */
static enum mres
void_lookup(struct spf_eval *ev, const char *name, enum dns_type type)
{
	if (++ev->voids > SPF_MAX_VOID_LOOKUPS) {
		spf_ev_fail(ev, C_VOID, "more than %d void lookups (%s %s)",
			    SPF_MAX_VOID_LOOKUPS, name, dns_type_name(type));
		return M_PERMERROR;
	}
	return M_NOMATCH;
}

/* The query a mechanism makes (§4.6.4, §5): M_MATCH when the answer holds
 * records of the type; M_NOMATCH for a void lookup (counted; permerror
 * over the limit); M_TEMPERROR when the server could not answer. */
static enum mres
mech_query(struct spf_eval *ev, const char *name, enum dns_type type,
	   const struct dns_answer **out)
{
	const struct dns_answer *a;

	if ((*out = a = spf_ask(ev, name, type)) == NULL)
		return M_NEED;
	if (dns_failed(a)) {
		spf_ev_fail(ev, C_DNS, "%s %s: %s", name, dns_type_name(type),
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
match_addrs(struct spf_eval *ev, const char *name, const struct spf_term *t,
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
		if ((a = spf_ask(ev, name, type)) == NULL)
			return M_NEED;
		if (dns_failed(a)) {
			spf_ev_fail(ev, C_DNS, "%s %s: %s", name,
				    dns_type_name(type),
				    dns_status_name(a->status));
			return M_TEMPERROR;
		}
	}
	for (i = 0; i < a->nrr && a->status == DNS_OK; i++)
		if (a->rr[i].type == type &&
		    spf_ip_in(&ev->ip,
			      type == DNS_T_A ? a->rr[i].u.a : a->rr[i].u.aaaa,
			      ev->ip.v6, ev->ip.v6 ? t->cidr6 : t->cidr4))
			return M_MATCH;
	return M_NOMATCH;
}

/* spf_target() for a mechanism: a failed expansion is a permerror. */
static enum mres
mech_target(struct spf_eval *ev, const struct spf_term *t, const char *domain,
	    char **name)
{
	enum mres r = spf_target(ev, t->spec, domain, name);

	if (r == M_PERMERROR)
		spf_ev_fail(ev, ev->nomem ? C_NOMEM : C_SYNTAX,
			    "cannot expand \"%.40s\"",
			    t->spec != NULL ? t->spec : domain);
	return r;
}

/* The MX hosts of an answer (a null MX, RFC 7505, has no host to try).
 * §5.4 looks up the address of each name returned, and §5 makes any DNS
 * error of the mechanism's lookups temperror: every host is asked, and an
 * error on one is temperror even when another matches, whatever the
 * order of the RRset (which DNS does not fix). */
static enum mres
match_mx_hosts(struct spf_eval *ev, const struct dns_answer *a,
	       const struct spf_term *t)
{
	char host[NAME_MAX_LEN + 2];
	enum mres r, res = M_NOMATCH;
	size_t i;

	for (i = 0; i < a->nrr; i++) {
		if (a->rr[i].type != DNS_T_MX ||
		    spf_host_copy(a->rr[i].u.mx.host, host) == -1 ||
		    !spf_name_usable(host))
			continue;
		if ((r = match_addrs(ev, host, t, 0)) == M_TEMPERROR)
			return r;
		if (r == M_NEED || (r == M_MATCH && res != M_NEED))
			res = r;
	}
	return res;
}

/* "mx" (§5.4) at name: more than SPF_MAX_MX names is a permerror
 * (§4.6.4). */
static enum mres
mech_mx(struct spf_eval *ev, const struct spf_term *t, const char *name)
{
	const struct dns_answer *a;
	enum mres r;

	if ((r = mech_query(ev, name, DNS_T_MX, &a)) != M_MATCH)
		return r;
	if (count_rr(a, DNS_T_MX) > SPF_MAX_MX) {
		spf_ev_fail(ev, C_OTHER, "%s has more than %d MX records", name,
			    SPF_MAX_MX);
		return M_PERMERROR;
	}
	return match_mx_hosts(ev, a, t);
}

/* The names of a PTR answer that are within target and validate; the
 * first SPF_MAX_PTR names only (§4.6.4). */
static enum mres
match_ptr_names(struct spf_eval *ev, const struct dns_answer *a,
		const char *target)
{
	char host[NAME_MAX_LEN + 2];
	size_t i, tried = 0;
	int v;

	for (i = 0; i < a->nrr && tried < SPF_MAX_PTR; i++) {
		if (a->rr[i].type != DNS_T_PTR)
			continue;
		tried++;
		if (spf_host_copy(a->rr[i].u.host, host) == -1 ||
		    !spf_name_usable(host) || !spf_name_within(host, target))
			continue;
		if ((v = spf_name_validates(ev, host)) != 0)
			return v == 1 ? M_MATCH : M_NEED;
	}
	return M_NOMATCH;
}

/* "ptr" (§5.5) within target. A failed PTR query is no match (not
 * temperror); failed forward queries skip the name. */
static enum mres
mech_ptr(struct spf_eval *ev, const char *target)
{
	const struct dns_answer *a;

	if ((a = spf_ask_ptr(ev)) == NULL)
		return ev->nomem ? M_PERMERROR : M_NEED;
	if (dns_failed(a))
		return M_NOMATCH;
	if (count_rr(a, DNS_T_PTR) == 0)
		return void_lookup(ev, "client address", DNS_T_PTR);
	return match_ptr_names(ev, a, target);
}

static enum spf_result check_domain(struct spf_eval *, const char *, int,
				    char **);

/* "include" (§5.2) of name: pass matches; fail, softfail and neutral do
 * not; temperror stays; permerror and none are permerror. */
static enum mres
mech_include(struct spf_eval *ev, const char *name)
{
	enum spf_result res = check_domain(ev, name, 0, NULL);

	if (res == SPF_NONE)
		spf_ev_fail(ev, C_OTHER, "include:%s has no SPF record", name);
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
 * lookup limit before they ask (§4.6.4), then work on their target name;
 * a target that is not a usable name is no match, except for include,
 * where it is a permerror. */
static enum mres
mech_eval(struct spf_eval *ev, const struct spf_term *t, const char *domain)
{
	const struct dns_answer *a;
	enum mres r;
	char *name;

	switch (t->kind) {
	case K_ALL:
		return M_MATCH;
	case K_IP4:
		return spf_ip_in(&ev->ip, t->net, 0, t->cidr4) ? M_MATCH
							       : M_NOMATCH;
	case K_IP6:
		return spf_ip_in(&ev->ip, t->net, 1, t->cidr6) ? M_MATCH
							       : M_NOMATCH;
	default:
		break;
	}
	if (++ev->lookups > SPF_MAX_LOOKUPS) {
		spf_ev_fail(ev, C_LOOKUPS, "more than %d DNS lookups",
			    SPF_MAX_LOOKUPS);
		return M_PERMERROR;
	}
	if ((r = mech_target(ev, t, domain, &name)) != M_MATCH) {
		if (r != M_NOMATCH || t->kind != K_INCLUDE)
			return r;
		spf_ev_fail(ev, C_OTHER, "include target is not a domain name");
		return M_PERMERROR;
	}
	switch (t->kind) {
	case K_INCLUDE:
		r = mech_include(ev, name);
		break;
	case K_A: /* "a" (§5.3) */
		r = match_addrs(ev, name, t, 1);
		break;
	case K_MX:
		r = mech_mx(ev, t, name);
		break;
	case K_PTR:
		r = mech_ptr(ev, name);
		break;
	default: /* "exists" (§5.7): an A query whatever the client's family */
		r = mech_query(ev, name, DNS_T_A, &a);
		break;
	}
	free(name);
	return r;
}

/*
 * check_host() (§4)
 */

/* Parses the selected record; SPF_PASS when *rec is set. */
static enum spf_result
parse_selected(struct spf_eval *ev, const char *domain, const struct dns_rr *rr,
	       struct spf_record **rec)
{
	char problem[PROBLEM_MAX];
	struct buf b;
	enum spf_parse p;

	buf_init(&b);
	spf_txt_concat(rr, &b, SPF_MAX_RECORD + 1);
	p = b.err ? SPF_PARSE_NOMEM
		  : spf_record_parse(b.s, b.len, rec, problem, sizeof problem);
	buf_release(&b);
	if (p == SPF_PARSE_OK)
		return SPF_PASS;
	if (p == SPF_PARSE_NOMEM) {
		ev->nomem = 1;
		spf_ev_fail(ev, C_NOMEM, "out of memory");
		return SPF_TEMPERROR;
	}
	spf_ev_fail(ev, C_SYNTAX, "%s: %s", domain, problem);
	return SPF_PERMERROR;
}

/* Looks up and selects the SPF record of domain (§4.4, §4.5). SPF_PASS
 * with *rec set (the caller frees it), else the result that ends this
 * check_host(): none, temperror, permerror or need DNS. */
static enum spf_result
fetch_record(struct spf_eval *ev, const char *domain, struct spf_record **rec)
{
	const struct dns_answer *a;
	size_t i, n = 0, pick = 0;

	*rec = NULL;
	if ((a = spf_ask(ev, domain, DNS_T_TXT)) == NULL)
		return SPF_NEED_DNS;
	if (dns_failed(a)) {
		spf_ev_fail(ev, C_DNS, "%s TXT: %s", domain,
			    dns_status_name(a->status));
		return SPF_TEMPERROR;
	}
	for (i = 0; i < a->nrr && a->status == DNS_OK; i++)
		if (a->rr[i].type == DNS_T_TXT && spf_txt_is_spf(&a->rr[i]))
			n++, pick = i;
	if (n == 0)
		return SPF_NONE;
	if (n > 1) {
		spf_ev_fail(ev, C_OTHER, "%s has %zu SPF records", domain, n);
		return SPF_PERMERROR;
	}
	return parse_selected(ev, domain, &a->rr[pick], rec);
}

/* exp= (§6.2): the explanation of a fail. Any failure (expansion, DNS,
 * not exactly one TXT RR, text that is not printable ASCII or not a valid
 * explain-string) leaves *exp NULL as if there were no exp=. Its query
 * counts against neither limit (§4.6.4). 0, or 1 when DNS is needed. */
static int
explain(struct spf_eval *ev, const struct spf_record *rec, const char *domain,
	char **exp)
{
	const struct dns_answer *a;
	struct buf text, out;
	enum mres r;
	char *name;
	size_t i, n;
	int rc = 0;

	if ((r = spf_target(ev, rec->terms[rec->exp].spec, domain, &name)) !=
	    M_MATCH)
		return r == M_NEED;
	a = spf_ask(ev, name, DNS_T_TXT);
	free(name);
	if (a == NULL)
		return 1;
	if (count_rr(a, DNS_T_TXT) != 1)
		return 0;
	for (i = 0; a->rr[i].type != DNS_T_TXT; i++)
		;
	buf_init(&text);
	buf_init(&out);
	n = spf_txt_concat(&a->rr[i], &text, SPF_MAX_RECORD + 1);
	if (!text.err && n <= SPF_MAX_RECORD && text.s != NULL &&
	    spf_check_record_bytes(text.s, text.len, &i) == NULL) {
		rc = spf_macro_expand(ev, domain, text.s, MT_EXPLAIN | MT_CRT,
				      &out);
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
redirect(struct spf_eval *ev, const struct spf_record *rec, const char *domain,
	 int want_exp, char **exp)
{
	const struct spf_term *t = &rec->terms[rec->redirect];
	enum spf_result res;
	enum mres r;
	char *name;

	if (++ev->lookups > SPF_MAX_LOOKUPS) {
		spf_ev_fail(ev, C_LOOKUPS, "more than %d DNS lookups",
			    SPF_MAX_LOOKUPS);
		return SPF_PERMERROR;
	}
	if ((r = mech_target(ev, t, domain, &name)) == M_NEED)
		return SPF_NEED_DNS;
	if (r != M_MATCH) {
		spf_ev_fail(ev, C_OTHER,
			    "redirect target is not a domain name");
		return SPF_PERMERROR;
	}
	res = check_domain(ev, name, want_exp, exp);
	if (res == SPF_NONE) {
		spf_ev_fail(ev, C_OTHER, "redirect=%s has no SPF record", name);
		res = SPF_PERMERROR;
	}
	free(name);
	return res;
}

/* Evaluates a parsed record (§4.6): mechanisms left to right, the first
 * match decides; then redirect=, else neutral (§4.7). */
static enum spf_result
eval_record(struct spf_eval *ev, const struct spf_record *rec,
	    const char *domain, int want_exp, char **exp)
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
check_domain(struct spf_eval *ev, const char *domain, int want_exp, char **exp)
{
	struct spf_record *rec;
	enum spf_result res;

	if (!domain_usable(domain))
		return SPF_NONE;
	if (ev->depth >= MAX_DEPTH) {
		spf_ev_fail(ev, C_LOOKUPS, "include/redirect nested too deep");
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
enum spf_result
spf_check_host_cause(const struct spf_request *req,
		     const struct dns_source *src, struct spf_outcome *out,
		     enum spf_cause *cause)
{
	char domain[NAME_MAX_LEN + 2];
	struct spf_eval ev;
	enum spf_result res;

	memset(out, 0, sizeof *out);
	if (spf_eval_init(&ev, req, src) == -1) {
		res = ev.nomem ? SPF_TEMPERROR : SPF_PERMERROR;
		spf_ev_fail(&ev, ev.nomem ? C_NOMEM : C_OTHER,
			    ev.nomem ? "out of memory"
				     : "invalid client address");
	} else if (req->domain == NULL ||
		   spf_host_copy(req->domain, domain) == -1)
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
	spf_eval_release(&ev);
	return res;
}

enum spf_result
spf_check_host(const struct spf_request *req, const struct dns_source *src,
	       struct spf_outcome *out)
{
	struct spf_outcome local;
	enum spf_cause cause;

	if (out == NULL) {
		spf_check_host_cause(req, src, &local, &cause);
		spf_outcome_release(&local);
		return local.result;
	}
	return spf_check_host_cause(req, src, out, &cause);
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

	return NAME_OF(names, r);
}
