/*
 * dnstable.c - a test double: the in-memory DNS source (dns_table_*).
 * The table holds resource records and per-(name, type) failure statuses
 * added by a test; get() answers like an
 * authoritative server behind a recursive resolver would: CNAME chains are
 * followed (a loop or an over-long chain is SERVFAIL), a name that exists
 * without the asked type is NODATA, an unknown name is NXDOMAIN, and a name
 * that only has descendants (an empty non-terminal) is NODATA as well.
 *
 * The table never returns NULL from get(), so an evaluator over it never
 * has to restart. It is for the RFC 7208 conformance runner, unit tests and
 * fuzz targets; the network source is lib/verify/dns.c. Nothing here does I/O.
 */
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "dnstable.h"
#include "util.h"

/* Longest name kept, longer ones are refused by the add functions and are
 * NXDOMAIN for get(); well above the 253 of RFC 1035 so that tests can
 * store what a broken zone might hold. */
#define TABLE_NAME_MAX 1024
/* CNAME hops followed before giving up with SERVFAIL (RFC 1034 §3.6.2
 * asks resolvers to detect loops; real ones cap the chain like this). */
#define TABLE_CNAME_MAX 8

struct table_rr {
	char *name; /* normalized: lower case, no trailing dot */
	struct dns_rr rr;
};

struct table_status {
	char *name;
	enum dns_type type;
	enum dns_status status;
};

/* A computed answer. Kept until the table is freed, because dns.h promises
 * that answers stay valid for the life of the source; gen tells whether it
 * still reflects the table's content. */
struct table_answer {
	char *name;
	enum dns_type type;
	unsigned gen;
	struct dns_answer ans;
};

struct dns_table {
	struct table_rr *rrs;
	size_t nrr, caprr;
	struct table_status *sts;
	size_t nst, capst;
	struct table_answer **answers;
	size_t nans, capans;
	unsigned gen;
};

/* Grows an array of elements of size sz to hold one more; 0 / -1. */
static int
grow(void *arrp, size_t *cap, size_t n, size_t sz)
{
	void **arr = arrp;
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap > ((size_t)-1) / sz)
		return -1;
	if ((p = realloc(*arr, ncap * sz)) == NULL)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Copies name lower-cased and without one trailing dot into out
 * (TABLE_NAME_MAX + 1 bytes); -1 when too long. */
static int
normalize(const char *name, char *out)
{
	size_t len = strlen(name);

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len > TABLE_NAME_MAX)
		return -1;
	memcpy(out, name, len);
	out[len] = '\0';
	ascii_lower(out);
	return 0;
}

struct dns_table *
dns_table_new(void)
{
	return calloc(1, sizeof(struct dns_table));
}

void
dns_table_free(struct dns_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrr; i++) {
		free(t->rrs[i].name);
		dns_rr_release(&t->rrs[i].rr);
	}
	for (i = 0; i < t->nst; i++)
		free(t->sts[i].name);
	for (i = 0; i < t->nans; i++) {
		/* RRs of an answer are shallow copies of the table's. */
		free(t->answers[i]->ans.rr);
		free(t->answers[i]->ans.canon);
		free(t->answers[i]->name);
		free(t->answers[i]);
	}
	free(t->rrs);
	free(t->sts);
	free(t->answers);
	free(t);
}

int
dns_table_set_status(struct dns_table *t, const char *name, enum dns_type type,
		     enum dns_status status)
{
	char key[TABLE_NAME_MAX + 1];
	struct table_status *s;
	size_t i;

	if (normalize(name, key) == -1 || (unsigned)status >= DNS_STATUS__MAX)
		return -1;
	for (i = 0; i < t->nst; i++) {
		s = &t->sts[i];
		if (s->type == type && strcmp(s->name, key) == 0) {
			s->status = status;
			t->gen++;
			return 0;
		}
	}
	if (grow(&t->sts, &t->capst, t->nst, sizeof *t->sts) == -1)
		return -1;
	s = &t->sts[t->nst];
	if ((s->name = strdup(key)) == NULL)
		return -1;
	s->type = type;
	s->status = status;
	t->nst++;
	t->gen++;
	return 0;
}

/* Appends an RR whose payload the caller has filled; on failure the
 * payload is released. */
static int
add_rr(struct dns_table *t, const char *name, struct dns_rr *rr)
{
	char key[TABLE_NAME_MAX + 1];
	struct table_rr *e;

	if (normalize(name, key) == -1 ||
	    grow(&t->rrs, &t->caprr, t->nrr, sizeof *t->rrs) == -1)
		goto fail;
	e = &t->rrs[t->nrr];
	if ((e->name = strdup(key)) == NULL)
		goto fail;
	e->rr = *rr;
	t->nrr++;
	t->gen++;
	return 0;
fail:
	dns_rr_release(rr);
	return -1;
}

int
dns_table_add_a(struct dns_table *t, const char *name, const uint8_t a[4])
{
	struct dns_rr rr;

	memset(&rr, 0, sizeof rr);
	rr.type = DNS_T_A;
	memcpy(rr.u.a, a, 4);
	return add_rr(t, name, &rr);
}

int
dns_table_add_aaaa(struct dns_table *t, const char *name,
		   const uint8_t aaaa[16])
{
	struct dns_rr rr;

	memset(&rr, 0, sizeof rr);
	rr.type = DNS_T_AAAA;
	memcpy(rr.u.aaaa, aaaa, 16);
	return add_rr(t, name, &rr);
}

int
dns_table_add_mx(struct dns_table *t, const char *name, uint16_t pref,
		 const char *host)
{
	struct dns_rr rr;

	memset(&rr, 0, sizeof rr);
	rr.type = DNS_T_MX;
	rr.u.mx.pref = pref;
	if ((rr.u.mx.host = strdup(host)) == NULL)
		return -1;
	return add_rr(t, name, &rr);
}

static int
add_host(struct dns_table *t, enum dns_type type, const char *name,
	 const char *host)
{
	struct dns_rr rr;

	memset(&rr, 0, sizeof rr);
	rr.type = type;
	if ((rr.u.host = strdup(host)) == NULL)
		return -1;
	return add_rr(t, name, &rr);
}

int
dns_table_add_ptr(struct dns_table *t, const char *name, const char *host)
{
	return add_host(t, DNS_T_PTR, name, host);
}

int
dns_table_add_cname(struct dns_table *t, const char *name, const char *target)
{
	return add_host(t, DNS_T_CNAME, name, target);
}

int
dns_table_add_ns(struct dns_table *t, const char *name, const char *host)
{
	return add_host(t, DNS_T_NS, name, host);
}

/* len may be NULL, then each string is NUL-terminated. */
int
dns_table_add_txt(struct dns_table *t, const char *name, size_t n,
		  const char *const *str, const size_t *len)
{
	struct dns_rr rr;
	size_t i, l, bytes = 0;
	char *p;

	memset(&rr, 0, sizeof rr);
	rr.type = DNS_T_TXT;
	for (i = 0; i < n; i++)
		bytes += (len != NULL ? len[i] : strlen(str[i])) + 1;
	if ((p = dns_txt_block(&rr, n, bytes)) == NULL)
		return -1;
	for (i = 0; i < n; i++, p += l + 1) {
		l = len != NULL ? len[i] : strlen(str[i]);
		if (l > 0)
			memcpy(p, str[i], l);
		p[l] = '\0';
		rr.u.txt.str[i] = p;
		rr.u.txt.len[i] = l;
		rr.u.txt.nstr++;
	}
	return add_rr(t, name, &rr);
}

/* Whether key is a stored name or an ancestor of one (an empty
 * non-terminal exists in DNS: RFC 8020 §2 relies on that). */
static int
name_exists(const struct dns_table *t, const char *key)
{
	size_t i, kl = strlen(key), nl;
	const char *n;

	for (i = 0; i < t->nrr + t->nst; i++) {
		n = i < t->nrr ? t->rrs[i].name : t->sts[i - t->nrr].name;
		nl = strlen(n);
		if (nl == kl && memcmp(n, key, kl) == 0)
			return 1;
		if (kl > 0 && nl > kl && n[nl - kl - 1] == '.' &&
		    memcmp(n + nl - kl, key, kl) == 0)
			return 1;
	}
	return 0;
}

static const struct table_status *
find_status(const struct dns_table *t, const char *key, enum dns_type type)
{
	size_t i;

	for (i = 0; i < t->nst; i++)
		if (t->sts[i].type == type && strcmp(t->sts[i].name, key) == 0)
			return &t->sts[i];
	return NULL;
}

static const struct table_rr *
find_cname(const struct dns_table *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->nrr; i++)
		if (t->rrs[i].rr.type == DNS_T_CNAME &&
		    strcmp(t->rrs[i].name, key) == 0)
			return &t->rrs[i];
	return NULL;
}

/* Fills ans with the RRs of (key, type); 0 / -1 (allocation). */
static int
collect(const struct dns_table *t, const char *key, enum dns_type type,
	struct dns_answer *ans)
{
	size_t i, n = 0;

	for (i = 0; i < t->nrr; i++)
		if (t->rrs[i].rr.type == type &&
		    strcmp(t->rrs[i].name, key) == 0)
			n++;
	ans->nrr = 0;
	if (n == 0)
		return 0;
	if ((ans->rr = calloc(n, sizeof *ans->rr)) == NULL)
		return -1;
	for (i = 0; i < t->nrr; i++)
		if (t->rrs[i].rr.type == type &&
		    strcmp(t->rrs[i].name, key) == 0)
			ans->rr[ans->nrr++] = t->rrs[i].rr;
	return 0;
}

/* Computes the answer for (key, type) into ans, following CNAMEs; -1 on
 * allocation failure (the answer is then SERVFAIL, which is what a
 * resolver that could not finish would give). */
static int
resolve(const struct dns_table *t, const char *key, enum dns_type type,
	struct dns_answer *ans)
{
	char cur[TABLE_NAME_MAX + 1];
	const struct table_status *st;
	const struct table_rr *cn;
	int hop;

	memcpy(cur, key, strlen(key) + 1);
	for (hop = 0; hop <= TABLE_CNAME_MAX; hop++) {
		if ((st = find_status(t, cur, type)) != NULL) {
			ans->status = st->status;
			return 0;
		}
		if (collect(t, cur, type, ans) == -1)
			return -1;
		if (ans->nrr > 0) {
			ans->status = DNS_OK;
			return 0;
		}
		cn = type == DNS_T_CNAME ? NULL : find_cname(t, cur);
		if (cn == NULL) {
			ans->status =
			    name_exists(t, cur) ? DNS_NODATA : DNS_NXDOMAIN;
			return 0;
		}
		if (normalize(cn->rr.u.host, cur) == -1)
			break;
		free(ans->canon);
		if ((ans->canon = strdup(cur)) == NULL)
			return -1;
	}
	ans->status = DNS_SERVFAIL;
	return 0;
}

/* The get() of dns_table_source(): a cached answer while the table is
 * unchanged, else a freshly computed one (old ones stay allocated). */
static const struct dns_answer *
table_get(void *ctx, const char *name, enum dns_type type)
{
	static const struct dns_answer fail = {DNS_SERVFAIL, 0, NULL, NULL,
					       DNS_VIA_RECURSIVE};
	static const struct dns_answer nx = {DNS_NXDOMAIN, 0, NULL, NULL,
					     DNS_VIA_RECURSIVE};
	struct dns_table *t = ctx;
	char key[TABLE_NAME_MAX + 1];
	struct table_answer *a;
	size_t i;

	if (normalize(name, key) == -1)
		return &nx;
	for (i = 0; i < t->nans; i++) {
		a = t->answers[i];
		if (a->gen == t->gen && a->type == type &&
		    strcmp(a->name, key) == 0)
			return &a->ans;
	}
	if (grow(&t->answers, &t->capans, t->nans, sizeof *t->answers) == -1)
		return &fail;
	if ((a = calloc(1, sizeof *a)) == NULL)
		return &fail;
	if ((a->name = strdup(key)) == NULL ||
	    resolve(t, key, type, &a->ans) == -1) {
		free(a->ans.rr);
		free(a->ans.canon);
		free(a->name);
		free(a);
		return &fail;
	}
	a->type = type;
	a->gen = t->gen;
	t->answers[t->nans++] = a;
	return &a->ans;
}

struct dns_source
dns_table_source(struct dns_table *t)
{
	struct dns_source s;

	s.get = table_get;
	s.ctx = t;
	return s;
}
