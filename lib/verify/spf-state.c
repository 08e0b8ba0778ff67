/*
 * spf-state.c - the state of one check_host() evaluation (RFC 7208 §4):
 * the client address and whether it is in a network, the parts of
 * <sender>, the first error and its cause, which names may be asked
 * about, and the validated names of the client address (§5.5) that both
 * "ptr" and %{p} rely on. The state holds the counters of §4.6.4; which
 * terms count is spf-eval.c's business.
 *
 * Not here: the record grammar (spf-parse.c), expansion (spf-macro.c),
 * the mechanisms (spf-eval.c).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf-int.h"
#include "spf.h"
#include "util.h"

void
spf_ev_fail(struct spf_eval *ev, enum spf_cause c, const char *fmt, ...)
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
int
spf_ip_in(const struct spf_ip *ip, const uint8_t *net, int v6, int cidr)
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

int
spf_eval_init(struct spf_eval *ev, const struct spf_request *req,
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

void
spf_eval_release(struct spf_eval *ev)
{
	free(ev->local);
	free(ev->odomain);
	free(ev->problem);
	ev->local = ev->odomain = ev->problem = NULL;
}

const struct dns_answer *
spf_ask(struct spf_eval *ev, const char *name, enum dns_type type)
{
	return ev->src->get(ev->src->ctx, name, type);
}

/* A name as it comes in DNS data, without its trailing dot, into out
 * (NAME_MAX_LEN + 2 bytes); -1 when it cannot be a name. */
int
spf_host_copy(const char *host, char *out)
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
int
spf_name_usable(const char *s)
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

/* Whether host is domain or a subdomain of it, ignoring case (§5.5). */
int
spf_name_within(const char *host, const char *domain)
{
	size_t h = strlen(host), d = strlen(domain);

	if (h < d || ascii_casecmp(host + h - d, domain) != 0)
		return 0;
	return h == d || host[h - d - 1] == '.';
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
int
spf_name_validates(struct spf_eval *ev, const char *name)
{
	const struct dns_answer *a;
	size_t i;
	enum dns_type t = ev->ip.v6 ? DNS_T_AAAA : DNS_T_A;

	if ((a = spf_ask(ev, name, t)) == NULL)
		return -1;
	if (a->status != DNS_OK)
		return 0;
	for (i = 0; i < a->nrr; i++)
		if (a->rr[i].type == t &&
		    spf_ip_in(&ev->ip,
			      t == DNS_T_A ? a->rr[i].u.a : a->rr[i].u.aaaa,
			      ev->ip.v6, ev->ip.v6 ? 128 : 32))
			return 1;
	return 0;
}

/* Asks for the PTR records of the client address; NULL when not known
 * yet or on allocation failure (then ev->nomem). */
const struct dns_answer *
spf_ask_ptr(struct spf_eval *ev)
{
	const struct dns_answer *a = NULL;
	struct buf rev;

	buf_init(&rev);
	add_reverse_name(&ev->ip, &rev);
	if (rev.err)
		ev->nomem = 1;
	else
		a = spf_ask(ev, rev.s, DNS_T_PTR);
	buf_release(&rev);
	return a;
}
