/*
 * spf-macro.c - macro expansion (RFC 7208 §7.3): the value of each macro
 * letter for an evaluation, the transformers (keep, reverse, delimiters),
 * URL escaping, and turning an expanded domain-spec into a name to ask
 * (§4.8, §7.3: trailing dot dropped, labels cut from the left past 253
 * octets). spf_expand() offers it on its own.
 *
 * Not here: the macro-string grammar (spf-parse.c, spf_mtok_next()),
 * evaluation state and PTR validation (spf-state.c).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spf-int.h"
#include "spf.h"
#include "util.h"

#define EXPAND_MAX 8192 /* bytes of one expansion before truncation */

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

/* §7.3 "p": a validated name of the client address. <domain> or one of
 * its subdomains is preferred when it validates, then the first validated
 * name, else "unknown". DNS errors mean "unknown"; only the first
 * SPF_MAX_PTR names are tried (§4.6.4). 0, 1 when DNS is needed, -1. */
static int
macro_p(struct spf_eval *ev, const char *domain, struct buf *out)
{
	char host[NAME_MAX_LEN + 2], first[NAME_MAX_LEN + 2] = "unknown";
	const struct dns_answer *a;
	size_t i, tried = 0;
	int v, found = 0;

	if (ev->src == NULL)
		return buf_adds(out, first);
	if ((a = spf_ask_ptr(ev)) == NULL)
		return ev->nomem ? -1 : 1;
	for (i = 0; i < a->nrr && a->status == DNS_OK && tried < SPF_MAX_PTR;
	     i++) {
		if (a->rr[i].type != DNS_T_PTR)
			continue;
		tried++;
		if (spf_host_copy(a->rr[i].u.host, host) == -1 ||
		    !spf_name_usable(host))
			continue;
		if ((v = spf_name_validates(ev, host)) == -1)
			return 1;
		if (v == 1 && spf_name_within(host, domain))
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
macro_value(struct spf_eval *ev, const char *domain, char letter, struct buf *v)
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
		if (ascii_isalnum(c) || c == '-' || c == '.' || c == '_' ||
		    c == '~')
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
expand_macro(struct spf_eval *ev, const char *domain, const struct mtok *t,
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
int
spf_macro_expand(struct spf_eval *ev, const char *domain, const char *s,
		 int flags, struct buf *b)
{
	struct mtok t;
	int r;

	for (; *s != '\0'; s += t.len) {
		if (spf_mtok_next(s, flags, &t) == -1)
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
enum mres
spf_target(struct spf_eval *ev, const char *spec, const char *domain,
	   char **out)
{
	struct buf b;
	int r;

	*out = NULL;
	buf_init(&b);
	if (spec == NULL)
		buf_adds(&b, domain);
	else if ((r = spf_macro_expand(ev, domain, spec, 0, &b)) != 0) {
		buf_release(&b);
		return r == 1 ? M_NEED : M_PERMERROR;
	}
	if (b.err) {
		buf_release(&b);
		ev->nomem = 1;
		return M_PERMERROR;
	}
	fit_name(&b);
	if (!spf_name_usable(b.s)) {
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
	struct spf_eval ev;
	struct buf b;
	int r = -1;

	*out = NULL;
	buf_init(&b);
	if (spf_eval_init(&ev, req, src) == 0) {
		r = spf_macro_expand(&ev,
				     req->domain != NULL ? req->domain : "", s,
				     explain ? MT_EXPLAIN | MT_CRT : 0, &b);
		if (r == 0 && !explain)
			fit_name(&b);
		if (r == 0 && (*out = buf_detach(&b)) == NULL)
			r = -1;
	}
	buf_release(&b);
	spf_eval_release(&ev);
	return r;
}
