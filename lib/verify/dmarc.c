/*
 * dmarc.c - DMARC records (RFC 7489): recognising them among the TXT
 * records at _dmarc.<domain> (§6.6.3), strict parsing of the tags of §6.3
 * with the grammar of §6.4, policy discovery through the organizational
 * domain (§6.6.3, with the Public Suffix List of libpsl), and the
 * informational verdict shown next to SPF and DKIM. The tag-list syntax
 * itself is lib/verify/taglist.c's.
 */
#include <stdlib.h>
#include <string.h>

#include <libpsl.h>

#include "dmarc.h"
#include "taglist.h"
#include "util.h"

#define RECORD_MAX 8192

int
dmarc_is_candidate(const char *txt, size_t len)
{
	size_t i = 0;

	while (i < len && ascii_iswsp((unsigned char)txt[i]))
		i++;
	if (i >= len || (txt[i] != 'v' && txt[i] != 'V'))
		return 0;
	for (i++; i < len && ascii_iswsp((unsigned char)txt[i]); i++)
		;
	if (i >= len || txt[i] != '=')
		return 0;
	for (i++; i < len && ascii_iswsp((unsigned char)txt[i]); i++)
		;
	return len - i >= 6 && ascii_ncasecmp(txt + i, "DMARC1", 6) == 0;
}

/* Is c one of the characters of set (never NUL)? */
static int
in_set(int c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/* Tag names and keywords of DMARC are case-insensitive (§6.4). */
static int
word_is(const char *v, size_t len, const char *w)
{
	return taglist_word_is(v, len, w, 1);
}

/* p= and sp=: the policy as a static lowercase string, or NULL. */
static const char *
policy_of(const struct taglist_tag *t)
{
	static const char *const policies[] = {"none", "quarantine", "reject"};
	size_t i;

	for (i = 0; i < 3; i++)
		if (word_is(t->val, t->vlen, policies[i]))
			return policies[i];
	return NULL;
}

/* Calls ok() on every item of a list separated by sep with optional WSP
 * around items; an empty item is an error. */
static int
each_item(const char *v, size_t len, char sep, int (*ok)(const char *, size_t))
{
	size_t i = 0, start, end;

	for (;;) {
		while (i < len && ascii_iswsp((unsigned char)v[i]))
			i++;
		for (start = i; i < len && v[i] != sep; i++)
			;
		for (end = i;
		     end > start && ascii_iswsp((unsigned char)v[end - 1]);
		     end--)
			;
		if (end == start || !ok(v + start, end - start))
			return -1;
		if (i == len)
			return 0;
		i++;
	}
}

static int
fo_ok(const char *v, size_t len)
{
	return len == 1 && in_set(v[0], "01ds");
}

static int
keyword_ok(const char *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!ascii_isalnum((unsigned char)v[i]) && v[i] != '-')
			return 0;
	return 1;
}

/* dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ] (§6.4); the
 * URI needs a scheme (RFC 3986 §3.1) and a non-empty rest without
 * whitespace. */
static int
uri_ok(const char *v, size_t len)
{
	const char *bang = memchr(v, '!', len);
	size_t i, ulen = bang != NULL ? (size_t)(bang - v) : len, d;

	if (ulen == 0 || !ascii_isalnum((unsigned char)v[0]) ||
	    ascii_isdigit(v[0]))
		return 0;
	for (i = 1; i < ulen && v[i] != ':'; i++)
		if (!ascii_isalnum((unsigned char)v[i]) && !in_set(v[i], "+-."))
			return 0;
	if (i + 1 >= ulen)
		return 0; /* no ":" or nothing after it */
	for (; i < ulen; i++)
		if (ascii_iswsp((unsigned char)v[i]))
			return 0;
	if (bang == NULL)
		return 1;
	for (d = ulen + 1; d < len && ascii_isdigit((unsigned char)v[d]); d++)
		;
	if (d == ulen + 1)
		return 0;
	return d == len || (d + 1 == len && in_set(v[d], "kmgtKMGT"));
}

/* 1..max decimal digits with a value <= limit (limit 0: no limit). */
static int
number_ok(const char *v, size_t len, size_t max, long limit, long *out)
{
	long n = 0;
	size_t i;

	if (len == 0 || len > max)
		return 0;
	for (i = 0; i < len; i++) {
		if (!ascii_isdigit((unsigned char)v[i]))
			return 0;
		if (n < 100000000L)
			n = n * 10 + (v[i] - '0');
	}
	*out = n;
	return limit == 0 || n <= limit;
}

/* Validates the value of one tag of §6.3; unknown tags pass. */
static const char *
tag_check(const struct taglist_tag *t, struct dmarc_record *out)
{
	long n;

	if (word_is(t->name, t->nlen, "sp")) {
		out->sp = policy_of(t);
		return out->sp == NULL ? "bad sp= value" : NULL;
	}
	if (word_is(t->name, t->nlen, "adkim") ||
	    word_is(t->name, t->nlen, "aspf"))
		return word_is(t->val, t->vlen, "r") ||
			       word_is(t->val, t->vlen, "s")
			   ? NULL
			   : "bad alignment mode";
	if (word_is(t->name, t->nlen, "pct")) {
		if (!number_ok(t->val, t->vlen, 3, 100, &n))
			return "bad pct= value";
		out->pct = (int)n;
		return NULL;
	}
	if (word_is(t->name, t->nlen, "ri"))
		return number_ok(t->val, t->vlen, 32, 0, &n) ? NULL
							     : "bad ri= value";
	if (word_is(t->name, t->nlen, "fo"))
		return each_item(t->val, t->vlen, ':', fo_ok) ? "bad fo= value"
							      : NULL;
	if (word_is(t->name, t->nlen, "rf"))
		return each_item(t->val, t->vlen, ':', keyword_ok)
			   ? "bad rf= value"
			   : NULL;
	if (word_is(t->name, t->nlen, "rua") ||
	    word_is(t->name, t->nlen, "ruf"))
		return each_item(t->val, t->vlen, ',', uri_ok)
			   ? "bad report URI"
			   : NULL;
	return NULL;
}

int
dmarc_record_parse(const char *txt, size_t len, struct dmarc_record *out)
{
	struct taglist_tag tags[TAGLIST_MAX];
	const struct taglist_tag *p;
	int n, i;

	memset(out, 0, sizeof *out);
	out->pct = 100;
	n = taglist_parse(txt, len, 1, tags, TAGLIST_MAX, &out->problem);
	if (n < 0)
		return -1;
	/* §6.4: "v" first, and "DMARC1" matched precisely (%x44 ...). */
	if (!word_is(tags[0].name, tags[0].nlen, "v") || tags[0].vlen != 6 ||
	    memcmp(tags[0].val, "DMARC1", 6) != 0) {
		out->problem = "v=DMARC1 is not the first tag";
		return -1;
	}
	if ((p = taglist_find(tags, (size_t)n, "p", 1)) == NULL) {
		out->problem = "no p= tag";
		return -1;
	}
	if ((out->policy = policy_of(p)) == NULL) {
		out->problem = "bad p= value";
		return -1;
	}
	for (i = 1; i < n; i++)
		if ((out->problem = tag_check(&tags[i], out)) != NULL)
			return -1;
	return 0;
}

static const char *const reason_names[DMARC_REASON__MAX] = {
    [DMARC_REASON_OK] = "ok",
    [DMARC_REASON_NO_RECORD] = "no_record",
    [DMARC_REASON_MULTIPLE_RECORDS] = "multiple_records",
    [DMARC_REASON_SYNTAX_ERROR] = "syntax_error",
    [DMARC_REASON_DNS_ERROR] = "dns_error",
};

static const char *const status_names[DMARC_STATUS__MAX] = {
    [DMARC_STATUS_MISSING] = "missing",
    [DMARC_STATUS_FOUND] = "found",
    [DMARC_STATUS_INVALID] = "invalid",
    [DMARC_STATUS_TEMPFAIL] = "tempfail",
};

const char *
dmarc_reason_name(enum dmarc_reason r)
{
	return NAME_OF(reason_names, r);
}

const char *
dmarc_status_name(enum dmarc_status s)
{
	return NAME_OF(status_names, s);
}

/* Sets the reason and the status it implies. */
static void
set(struct dmarc_verdict *v, enum dmarc_reason r)
{
	v->reason = r;
	switch (r) {
	case DMARC_REASON_OK:
		v->status = DMARC_STATUS_FOUND;
		break;
	case DMARC_REASON_NO_RECORD:
		v->status = DMARC_STATUS_MISSING;
		break;
	case DMARC_REASON_DNS_ERROR:
		v->status = DMARC_STATUS_TEMPFAIL;
		break;
	default:
		v->status = DMARC_STATUS_INVALID;
		break;
	}
}

/* Picks the DMARC records among the TXT RRs and judges them; the record
 * kept is the first one. sub: the record is the organizational domain's,
 * judged for a subdomain of it, whose policy is sp= when present. */
static int
judge(const struct dns_answer *a, int sub, struct dmarc_verdict *v)
{
	struct dmarc_record rec;
	size_t len;
	long found;

	found =
	    dns_txt_count(a, RECORD_MAX, dmarc_is_candidate, &v->record, &len);
	if (found == -1)
		return -1;
	if (found == 0)
		set(v, DMARC_REASON_NO_RECORD);
	else if (found > 1)
		set(v, DMARC_REASON_MULTIPLE_RECORDS);
	else if (len > RECORD_MAX ||
		 dmarc_record_parse(v->record, len, &rec) == -1)
		set(v, DMARC_REASON_SYNTAX_ERROR);
	else {
		set(v, DMARC_REASON_OK);
		v->policy = sub && rec.sp != NULL ? rec.sp : rec.policy;
	}
	return 0;
}

const char *
dmarc_org_domain(const char *domain)
{
	static psl_ctx_t *psl;
	static int loaded;

	if (!loaded) {
		loaded = 1;
		/* the newer of the installed list and the built-in one */
		if ((psl = psl_latest(NULL)) == NULL)
			log_warnx("no public suffix list: DMARC is looked up "
				  "at the domain only");
	}
	return psl != NULL ? psl_registrable_domain(psl, domain) : NULL;
}

/* The organizational domain's record, for a domain without its own
 * (§6.6.3). 0 / 1 / -1, as dmarc_verdict(). */
static int
org_verdict(const char *domain, const struct dns_source *src,
	    struct dmarc_verdict *v)
{
	const char *org = dmarc_org_domain(domain);
	const struct dns_answer *a;
	int rc;

	if (org == NULL || strcmp(org, domain) == 0)
		return 0; /* a public suffix, or its own organizational domain
			   */
	if ((rc = dns_get_txt(src, "_dmarc", org, &a)) != 0)
		return rc;
	if (dns_failed(a))
		set(v, DMARC_REASON_DNS_ERROR);
	else if (judge(a, 1, v) == -1)
		return -1;
	if (v->status != DMARC_STATUS_MISSING &&
	    (v->org_domain = strdup(org)) == NULL)
		return -1;
	return 0;
}

int
dmarc_verdict(const char *domain, const struct dns_source *src,
	      struct dmarc_verdict *out)
{
	const struct dns_answer *a;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = dns_get_txt(src, "_dmarc", domain, &a)) != 0)
		return rc;
	if (dns_failed(a)) {
		set(out, DMARC_REASON_DNS_ERROR);
		return 0;
	}
	/* NXDOMAIN and NODATA hold no record */
	if ((rc = judge(a, 0, out)) == 0 &&
	    out->reason == DMARC_REASON_NO_RECORD)
		rc = org_verdict(domain, src, out);
	if (rc != 0)
		dmarc_verdict_release(out);
	return rc;
}

void
dmarc_verdict_release(struct dmarc_verdict *v)
{
	free(v->record);
	free(v->org_domain);
	memset(v, 0, sizeof *v);
}
