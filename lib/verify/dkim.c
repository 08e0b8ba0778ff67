/*
 * dkim.c - DKIM key records: key record parsing (RFC 6376 §3.6.1) over
 * the tag-list syntax of lib/verify/taglist.c, base64 with folding
 * whitespace (§2.10), and the product's verdict on the key a customer
 * published at <selector>._domainkey.<domain> (DESIGN.md). Signing and key
 * generation are not here (lib/crypto); nor is DNS I/O: the verdict asks a
 * struct dns_source and is restartable.
 */
#include <stdlib.h>
#include <string.h>

#include "dkim.h"
#include "taglist.h"
#include "util.h"

/* Longest record text judged: the strings of one TXT RR concatenated. A
 * 4096-bit key needs about 750 bytes; 8 KiB leaves room for notes. */
#define RECORD_MAX 8192

static int
b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (ascii_isdigit(c))
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long
dkim_base64_decode(const char *s, size_t len, unsigned char *out)
{
	unsigned long acc = 0;
	size_t i, nchar = 0, npad = 0;
	long o = 0;
	int v;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i];

		if (ascii_iswsp(c) || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			npad++;
			continue;
		}
		if (npad > 0 || (v = b64_value(c)) < 0)
			return -1; /* data after padding, or not base64 */
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		if (++nchar % 4 == 0) {
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
		}
	}
	if (nchar % 4 == 1 || npad > 2 || (npad > 0 && (nchar + npad) % 4))
		return -1;
	if (nchar % 4 == 2)
		out[o++] = (unsigned char)(acc >> 4);
	else if (nchar % 4 == 3) {
		out[o++] = (unsigned char)(acc >> 10);
		out[o++] = (unsigned char)(acc >> 2);
	}
	return o;
}

/* Only base64 characters, "=" and FWS? The structure (length, padding)
 * is left to dkim_key_judge(), so that a value cut at a string boundary
 * is still recognised as a truncated key. */
static int
b64_chars(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (b64_value((unsigned char)s[i]) < 0 && s[i] != '=' &&
		    !ascii_iswsp((unsigned char)s[i]) && s[i] != '\r' &&
		    s[i] != '\n')
			return 0;
	return 1;
}

/* A ":"-separated list of tokens of ALPHA / DIGIT / "-" (or "*" when
 * star), with FWS around the colons: the h=, s= and t= values. */
static int
token_list(const char *v, size_t len, int star)
{
	size_t i = 0, tok;

	for (;;) {
		for (tok = i; i < len && (ascii_isalpha((unsigned char)v[i]) ||
					  ascii_isdigit((unsigned char)v[i]) ||
					  v[i] == '-' || (star && v[i] == '*'));
		     i++)
			;
		if (i == tok || taglist_skip_fws(v, len, &i) == -1)
			return -1;
		if (i == len)
			return 0;
		if (v[i++] != ':' || taglist_skip_fws(v, len, &i) == -1)
			return -1;
	}
}

/* Checks the values of the tags §3.6.1 defines. */
static const char *
key_tags_check(const struct taglist_tag *tags, size_t n)
{
	/* The tags whose value is a token list, in the order checked; only
	 * s= may hold "*". */
	static const struct {
		const char *name, *problem;
		int star;
	} lists[] = {
	    {"h", "bad h= value", 0},
	    {"s", "bad s= value", 1},
	    {"t", "bad t= value", 0},
	    {"k", "bad k= value", 0},
	};
	const struct taglist_tag *t;
	size_t i;

	t = taglist_find(tags, n, "v", 0);
	if (t != NULL &&
	    (t != &tags[0] || !taglist_word_is(t->val, t->vlen, "DKIM1", 0)))
		return "v= not first or not DKIM1";
	for (i = 0; i < sizeof lists / sizeof lists[0]; i++)
		if ((t = taglist_find(tags, n, lists[i].name, 0)) &&
		    token_list(t->val, t->vlen, lists[i].star))
			return lists[i].problem;
	if ((t = taglist_find(tags, n, "p", 0)) == NULL)
		return "no p= tag";
	return b64_chars(t->val, t->vlen) ? NULL : "p= is not base64";
}

int
dkim_key_parse(const char *txt, size_t len, struct dkim_key *out)
{
	struct taglist_tag tags[TAGLIST_MAX];
	const struct taglist_tag *t;
	int n;

	memset(out, 0, sizeof *out);
	n = taglist_parse(txt, len, 0, tags, TAGLIST_MAX, &out->problem);
	if (n < 0 || (out->problem = key_tags_check(tags, (size_t)n)) != NULL)
		return -1;
	t = taglist_find(tags, (size_t)n, "p", 0);
	out->p = t->val;
	out->plen = t->vlen;
	if ((t = taglist_find(tags, (size_t)n, "k", 0)) != NULL) {
		out->k = t->val;
		out->klen = t->vlen;
	} else {
		out->k = "rsa";
		out->klen = 3;
	}
	return 0;
}

/* Compares the base64 text of a and b with FWS skipped: 1 when equal, 2
 * when a is a strict prefix of b, 0 otherwise. No allocation: this runs
 * once per domain checked. */
static int
b64_text_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < alen && (ascii_iswsp((unsigned char)a[i]) ||
				    a[i] == '\r' || a[i] == '\n'))
			i++;
		while (j < blen && (ascii_iswsp((unsigned char)b[j]) ||
				    b[j] == '\r' || b[j] == '\n'))
			j++;
		if (i == alen || j == blen)
			return i == alen && j == blen ? 1 : i == alen ? 2 : 0;
		if (a[i++] != b[j++])
			return 0;
	}
}

/* Decodes both keys; 1 when the bytes are equal, 0 when not, -1 when the
 * published value is not base64 (or memory ran out). */
static int
same_key(const char *pub, size_t publen, const char *expected)
{
	size_t elen = strlen(expected);
	unsigned char *a = malloc(publen / 4 * 3 + 3);
	unsigned char *b = malloc(elen / 4 * 3 + 3);
	long na, nb;
	int rc = -1;

	if (a == NULL || b == NULL)
		goto out;
	na = dkim_base64_decode(pub, publen, a);
	nb = dkim_base64_decode(expected, elen, b);
	if (na < 0 || nb < 0)
		goto out;
	rc = na == nb && memcmp(a, b, (size_t)na) == 0;
out:
	free(a);
	free(b);
	return rc;
}

enum dkim_reason
dkim_key_judge(const struct dkim_key *k, const char *expected)
{
	size_t elen = strlen(expected);
	int text, same;

	if (k->plen == 0)
		return DKIM_REVOKED;
	if (!taglist_word_is(k->k, k->klen, "rsa", 1))
		return DKIM_WRONG_KEY_TYPE;
	if ((text = b64_text_cmp(k->p, k->plen, expected, elen)) == 1)
		return DKIM_OK;
	/* The same bytes may be written differently (padding left out). */
	if ((same = same_key(k->p, k->plen, expected)) == 1)
		return DKIM_OK;
	if (text == 2)
		return DKIM_KEY_TRUNCATED;
	return same == -1 ? DKIM_SYNTAX_ERROR : DKIM_KEY_MISMATCH;
}

static const char *const reason_names[DKIM_REASON__MAX] = {
    "ok",
    "no_record",
    "key_mismatch",
    "key_truncated",
    "revoked",
    "syntax_error",
    "multiple_records",
    "wrong_key_type",
    "doubled_domain",
    "dns_error",
    "no_selector",
};

static const char *const status_names[DKIM_STATUS__MAX] = {
    [DKIM_STATUS_UNVERIFIED] = "unverified",
    [DKIM_STATUS_VERIFIED] = "verified",
    [DKIM_STATUS_TEMPFAIL] = "tempfail",
    [DKIM_STATUS_SKIPPED] = "skipped",
};

const char *
dkim_reason_name(enum dkim_reason r)
{
	return NAME_OF(reason_names, r);
}

const char *
dkim_status_name(enum dkim_status s)
{
	return NAME_OF(status_names, s);
}

enum dkim_status
dkim_reason_status(enum dkim_reason r)
{
	switch (r) {
	case DKIM_OK:
		return DKIM_STATUS_VERIFIED;
	case DKIM_DNS_ERROR:
		return DKIM_STATUS_TEMPFAIL;
	case DKIM_NO_SELECTOR:
		return DKIM_STATUS_SKIPPED;
	default:
		return DKIM_STATUS_UNVERIFIED;
	}
}

static void
set_reason(struct dkim_verdict *v, enum dkim_reason r)
{
	v->reason = r;
	v->status = dkim_reason_status(r);
}

/* Judges the single TXT RR found at the key's name. */
static int
judge_rr(const struct dns_rr *rr, const char *expected, struct dkim_verdict *v)
{
	struct dkim_key key;
	size_t len;

	if ((v->record = dns_txt_join(rr, RECORD_MAX, &len)) == NULL)
		return -1;
	if (len > RECORD_MAX || dkim_key_parse(v->record, len, &key) == -1)
		set_reason(v, DKIM_SYNTAX_ERROR);
	else
		set_reason(v, dkim_key_judge(&key, expected));
	return 0;
}

/* Is a TXT record's text a key record? */
static int
is_key(const char *txt, size_t len)
{
	struct dkim_key key;

	return len <= RECORD_MAX && dkim_key_parse(txt, len, &key) == 0;
}

/* Nothing at the right name: a key at <name>.<domain> is the DNS panel
 * appending the zone to a fully qualified name (doubled_domain). */
static int
doubled(const char *domain, const struct dns_source *src,
	struct dkim_verdict *v)
{
	const struct dns_answer *a;
	long found;
	int rc;

	if ((rc = dns_get_txt(src, v->name, domain, &a)) != 0)
		return rc;
	if ((found = dns_txt_count(a, RECORD_MAX, is_key, NULL, NULL)) == -1)
		return -1;
	set_reason(v, found > 0 ? DKIM_DOUBLED_DOMAIN : DKIM_NO_RECORD);
	return 0;
}

/* Asks for the key at out->name and judges the answer; 0 / 1 / -1. */
static int
judge_name(const char *domain, const char *expected,
	   const struct dns_source *src, struct dkim_verdict *out)
{
	const struct dns_answer *a;

	if ((a = src->get(src->ctx, out->name, DNS_T_TXT)) == NULL)
		return 1;
	switch (a->status) {
	case DNS_OK:
		if (a->nrr > 1) {
			set_reason(out, DKIM_MULTIPLE_RECORDS);
			return 0;
		}
		if (a->nrr == 1 && a->rr[0].type == DNS_T_TXT)
			return judge_rr(&a->rr[0], expected, out);
		return doubled(domain, src, out);
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		return doubled(domain, src, out);
	default:
		set_reason(out, DKIM_DNS_ERROR);
		return 0;
	}
}

void
dkim_verdict_release(struct dkim_verdict *v)
{
	free(v->name);
	free(v->record);
	memset(v, 0, sizeof *v);
}

int
dkim_verdict(const char *domain, const char *selector, const char *expected,
	     const struct dns_source *src, struct dkim_verdict *out)
{
	struct buf b;
	int rc;

	memset(out, 0, sizeof *out);
	buf_init(&b);
	buf_addf(&b, "%s._domainkey.%s", selector, domain);
	if ((out->name = buf_detach(&b)) == NULL)
		return -1;
	if ((rc = judge_name(domain, expected, src, out)) != 0)
		dkim_verdict_release(out);
	return rc;
}
