/*
 * spf-verdict.c - the product's verdict on a customer domain's SPF record
 * (DESIGN.md "Verification semantics", SPF) and the record to suggest
 * (DESIGN.md "Records issued"): every platform address must pass
 * check_host() and the record's "all" must meet the platform's policy.
 * Suggestions work on the record's text term by term, so they can be made
 * for records that do not parse: malformed terms are left out of them.
 *
 * This is product policy over RFC 7208, and the only such file of the SPF
 * module. Not here: check_host() itself (spf-eval.c), the grammar
 * (spf-parse.c), formatting the records the product issues
 * (lib/core/records.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"
#include "spf-int.h"
#include "spf.h"
#include "util.h"

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

	if (span_is_all(s, NULL) || !spf_term_valid(s.p, s.n) ||
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
		if (a->rr[i].type != DNS_T_TXT || !spf_txt_is_spf(&a->rr[i]))
			continue;
		buf_init(&b);
		spf_txt_concat(&a->rr[i], &b, (size_t)-1);
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
	enum spf_cause perm_cause;
	enum spf_result result[PLATFORM_MAX_IPS];
};

/* check_host(ip, domain, postmaster@domain) for every platform
 * address. All are evaluated even when one needs DNS, so that their questions
 * are asked together. Run whatever the records found, so that each
 * address's result is RFC 7208's own (none, permerror for several records
 * or a syntax error, temperror) even where the product's reason says
 * more. */
static void
evaluate_platform(const char *domain, const struct platform *pf,
		  const struct dns_source *src, struct tally *t)
{
	struct spf_request req;
	struct spf_outcome o;
	enum spf_result r;
	enum spf_cause cause;
	struct buf sender;
	size_t i;

	buf_init(&sender);
	buf_addf(&sender, "postmaster@%s", domain);
	if (sender.err) {
		t->nomem = 1;
		return;
	}
	for (i = 0; i < pf->nips && i < PLATFORM_MAX_IPS; i++) {
		memset(&req, 0, sizeof req);
		req.ip = pf->ips[i];
		req.domain = domain;
		req.sender = sender.s;
		req.helo = domain;
		r = spf_check_host_cause(&req, src, &o, &cause);
		t->result[i] = r;
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

static const char *const status_names[SPF_STATUS__MAX] = {
    [SPF_STATUS_UNVERIFIED] = "unverified",
    [SPF_STATUS_VERIFIED] = "verified",
    [SPF_STATUS_TEMPFAIL] = "tempfail",
};

static const char *const reason_names[SPF_REASON__MAX] = {
    [SPF_REASON_OK] = "ok",
    [SPF_REASON_NO_RECORD] = "no_record",
    [SPF_REASON_MULTIPLE_RECORDS] = "multiple_records",
    [SPF_REASON_SYNTAX_ERROR] = "syntax_error",
    [SPF_REASON_CONCATENATED_RECORDS] = "concatenated_records",
    [SPF_REASON_NOT_AUTHORIZED] = "not_authorized",
    [SPF_REASON_HARDFAIL_ALL] = "hardfail_all",
    [SPF_REASON_PLUS_ALL] = "plus_all",
    [SPF_REASON_LOOKUP_LIMIT] = "lookup_limit",
    [SPF_REASON_VOID_LOOKUP_LIMIT] = "void_lookup_limit",
    [SPF_REASON_PERMERROR] = "permerror",
    [SPF_REASON_DNS_ERROR] = "dns_error",
};

const char *
spf_status_name(enum spf_status s)
{
	return NAME_OF(status_names, s);
}

const char *
spf_reason_name(enum spf_reason r)
{
	return NAME_OF(reason_names, r);
}

/* Sets the reason and the status it implies. */
static void
set_verdict(struct spf_verdict *v, enum spf_reason r)
{
	v->reason = r;
	v->status = r == SPF_REASON_OK		? SPF_STATUS_VERIFIED
		    : r == SPF_REASON_DNS_ERROR ? SPF_STATUS_TEMPFAIL
						: SPF_STATUS_UNVERIFIED;
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
		set_verdict(v, SPF_REASON_DNS_ERROR);
	else if (t->permerror)
		set_verdict(
		    v, t->perm_cause == C_LOOKUPS ? SPF_REASON_LOOKUP_LIMIT
		       : t->perm_cause == C_VOID  ? SPF_REASON_VOID_LOOKUP_LIMIT
						  : SPF_REASON_PERMERROR);
	else if (all == '+')
		set_verdict(v, SPF_REASON_PLUS_ALL);
	else if (t->not_pass)
		set_verdict(v, SPF_REASON_NOT_AUTHORIZED);
	else if (all == '-' && policy == SPF_POLICY_SOFTFAIL)
		set_verdict(v, SPF_REASON_HARDFAIL_ALL);
	else
		set_verdict(v, SPF_REASON_OK);
}

/* The verdict once exactly one record was found, with the evaluation t.
 * 0 / -1. */
static int
verdict_one(const struct platform *pf, const struct tally *t,
	    const struct dns_rr *rr, struct spf_verdict *v)
{
	char problem[PROBLEM_MAX];
	struct spf_record *rec = NULL;
	struct buf raw;
	enum spf_parse p;
	char all;

	if (concatenated(v->records[0])) {
		set_verdict(v, SPF_REASON_CONCATENATED_RECORDS);
		return (v->suggested = suggest(pf, v->records, 1, 1)) ? 0 : -1;
	}
	buf_init(&raw);
	spf_txt_concat(rr, &raw, SPF_MAX_RECORD + 1);
	p = raw.err ? SPF_PARSE_NOMEM
		    : spf_record_parse(raw.s, raw.len, &rec, problem,
				       sizeof problem);
	buf_release(&raw);
	if (p == SPF_PARSE_NOMEM)
		return -1;
	if (p != SPF_PARSE_OK) {
		set_verdict(v, SPF_REASON_SYNTAX_ERROR);
		return (v->suggested = suggest(pf, v->records, 1, 0)) ? 0 : -1;
	}
	all = (char)spf_record_all(rec);
	spf_record_free(rec);
	judge(t, all, pf->policy, v);
	if (v->status == SPF_STATUS_VERIFIED)
		return 0;
	return (v->suggested = suggest(pf, v->records, 1, 0)) ? 0 : -1;
}

/* Keeps each platform address's result in the verdict. 0 / -1. */
static int
keep_results(const struct platform *pf, const struct tally *t,
	     struct spf_verdict *v)
{
	size_t i, n = pf->nips < PLATFORM_MAX_IPS ? pf->nips : PLATFORM_MAX_IPS;

	if (n == 0)
		return 0;
	if ((v->results = calloc(n, sizeof *v->results)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		snprintf(v->results[i].ip, sizeof v->results[i].ip, "%s",
			 pf->ips[i]);
		v->results[i].result = t->result[i];
	}
	v->nresults = n;
	return 0;
}

/* Evaluates the platform's addresses, finds the records and hands over to
 * verdict_one(). 0 / 1 / -1. */
static int
verdict(const char *domain, const struct platform *pf,
	const struct dns_source *src, const struct dns_answer *a,
	struct spf_verdict *v)
{
	size_t pick = 0, n = 0, i;
	struct tally t;

	memset(&t, 0, sizeof t);
	evaluate_platform(domain, pf, src, &t);
	if (t.nomem)
		return -1;
	if (t.need)
		return 1;
	if (keep_results(pf, &t, v) == -1)
		return -1;
	if (dns_failed(a)) {
		set_verdict(v, SPF_REASON_DNS_ERROR);
		return 0;
	}
	for (i = 0; i < a->nrr && a->status == DNS_OK; i++)
		n += a->rr[i].type == DNS_T_TXT && spf_txt_is_spf(&a->rr[i]);
	if (n > 0 && (v->records = calloc(n, sizeof *v->records)) == NULL)
		return -1;
	if (collect_records(a, n, v, &pick) == -1 || v->nrecords != n)
		return -1;
	if (n == 0 || n > 1) {
		set_verdict(v, n == 0 ? SPF_REASON_NO_RECORD
				      : SPF_REASON_MULTIPLE_RECORDS);
		v->suggested = suggest(pf, v->records, n, 1);
		return v->suggested != NULL ? 0 : -1;
	}
	return verdict_one(pf, &t, &a->rr[pick], v);
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
	free(v->results);
	memset(v, 0, sizeof *v);
}
