/*
 * dns-auth.c - authoritative questions (dns_resolver_ask() with
 * authoritative set): the walk from a name to its zone cut (the closest
 * name at or above it with NS records of its own) and to the addresses of
 * the zone's name servers, through recursive answers of the resolver's
 * cache; a c-ares channel per set of server addresses (struct achan),
 * recursion not desired, kept for the run; their replies, kept only with
 * AA, a CNAME into another zone followed with that zone's servers; and the
 * fallback to the recursive resolver when no authoritative answer can be
 * had. The cache, the send queue and the event loop are lib/verify/dns.c's;
 * what the two share is lib/verify/dns-int.h.
 */
#include <ares.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns-int.h"
#include "dns.h"
#include "util.h"

#define AUTH_NS 8	  /* NS hosts of a zone whose addresses are used */
#define AUTH_ADDRS 8	  /* server addresses of a zone asked */
#define AUTH_MIN_TRY 300  /* ms: the least a server is waited for */
#define AUTH_ADDR_TEXT 24 /* "255.255.255.255:65535" */
#define AUTH_CHANNELS 64  /* unused channels kept (73 KiB each, c-ares 1.18) */

void
dns_achan_free(struct achan *c)
{
	if (c == NULL)
		return;
	if (c->ch != NULL)
		ares_destroy(c->ch);
	free(c->servers);
	free(c);
}

/* A channel to one set of authoritative servers: recursion not desired,
 * each server tried once, the servers sharing one try's timeout (at least
 * AUTH_MIN_TRY each), so that silent servers (a host that may not reach
 * them) cost about one timeout before the recursive resolver is asked. A
 * lone server is tried twice in that time: one lost datagram would
 * otherwise send the question to the resolver, whose cache the
 * authoritative lookup is there to bypass (with more servers, the next
 * one is that second chance). */
static struct achan *
achan_new(struct dns_resolver *r, const char *servers)
{
	struct ares_options ao;
	struct achan *c;
	const char *p;
	int rc, n = 1;

	if ((c = calloc(1, sizeof *c)) == NULL ||
	    (c->servers = strdup(servers)) == NULL) {
		dns_achan_free(c);
		return NULL;
	}
	c->r = r;
	memset(&ao, 0, sizeof ao);
	ao.flags = ARES_FLAG_EDNS | ARES_FLAG_NOSEARCH | ARES_FLAG_NORECURSE;
	for (p = servers; (p = strchr(p, ',')) != NULL; p++)
		n++;
	ao.tries = n == 1 ? 2 : 1;
	ao.timeout = r->timeout_ms / (n * ao.tries) > AUTH_MIN_TRY
			 ? r->timeout_ms / (n * ao.tries)
			 : AUTH_MIN_TRY;
	ao.ednspsz = EDNS_SIZE;
	ao.sock_state_cb = dns_sock_state;
	ao.sock_state_cb_data = c;
	rc = ares_init_options(&c->ch, &ao,
			       ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS |
				   ARES_OPT_TRIES | ARES_OPT_EDNSPSZ |
				   ARES_OPT_SOCK_STATE_CB);
	if (rc != ARES_SUCCESS ||
	    (rc = ares_set_servers_ports_csv(c->ch, servers)) != ARES_SUCCESS) {
		log_warnx("authoritative servers %s: %s", servers,
			  ares_strerror(rc));
		dns_achan_free(c);
		return NULL;
	}
	return c;
}

/* The channel for servers, made on first use; kept while questions use
 * it, and after that while it is among the AUTH_CHANNELS most recently
 * used (dns_achan_trim()). */
static struct achan *
achan_get(struct dns_resolver *r, const char *servers)
{
	struct achan *c;

	for (c = r->chans; c != NULL; c = c->next)
		if (strcmp(c->servers, servers) == 0)
			break;
	if (c == NULL) {
		if ((c = achan_new(r, servers)) == NULL)
			return NULL;
		c->next = r->chans;
		r->chans = c;
		r->nchans++;
		r->st.auth_channels++;
	}
	c->used = ++r->chan_uses;
	return c;
}

void
dns_achan_trim(struct dns_resolver *r)
{
	struct achan **cp, **last, *c;

	while (r->nchans > AUTH_CHANNELS) {
		last = NULL;
		for (cp = &r->chans; *cp != NULL; cp = &(*cp)->next)
			if ((*cp)->users == 0 &&
			    (last == NULL || (*cp)->used < (*last)->used))
				last = cp;
		if (last == NULL)
			return; /* every one has questions on it */
		c = *last;
		*last = c->next;
		dns_achan_free(c);
		r->nchans--;
	}
}

/* An answer the walk of e waited on arrived: the next pass. */
static void
auth_wake(void *arg)
{
	struct entry *e = arg;

	if (--e->nwait == 0)
		dns_auth_pass(e);
}

/* A recursive answer for e's walk, or NULL when e now waits on it. */
static const struct dns_answer *
walk_get(struct entry *e, const char *name, enum dns_type type)
{
	struct dns_wait w = {auth_wake, e, e->r};
	const struct dns_answer *a;

	if ((a = dns_resolver_ask(e->r, name, type, 0, &w)) == NULL)
		e->nwait++;
	return a;
}

/* The NS answer of the closest name at or above qname that has NS
 * records of its own (not through a CNAME: a zone apex has none): 0 with
 * *nsp, 1 when waiting, -1 when there is none or it could not be asked. */
static int
zone_cut(struct entry *e, const char *qname, const struct dns_answer **nsp)
{
	const struct dns_answer *a;
	const char *cand = qname;

	for (;;) {
		if ((a = walk_get(e, cand, DNS_T_NS)) == NULL)
			return 1;
		if (a->status == DNS_OK && a->canon == NULL) {
			*nsp = a;
			return 0;
		}
		if (dns_failed(a) || (cand = strchr(cand, '.')) == NULL)
			return -1;
		cand++;
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Adds the IPv4 addresses of a as "IP:PORT" to addr[*n], distinct. */
static void
add_addrs(const struct dns_answer *a, int port, char (*addr)[AUTH_ADDR_TEXT],
	  size_t *n)
{
	const uint8_t *b;
	size_t i, j;

	for (i = 0; a->status == DNS_OK && i < a->nrr && *n < AUTH_ADDRS; i++) {
		if (a->rr[i].type != DNS_T_A)
			continue;
		b = a->rr[i].u.a;
		snprintf(addr[*n], AUTH_ADDR_TEXT, "%u.%u.%u.%u:%d", b[0], b[1],
			 b[2], b[3], port);
		for (j = 0; j < *n && strcmp(addr[j], addr[*n]) != 0; j++)
			;
		if (j == *n)
			(*n)++;
	}
}

/* The zone's server addresses, sorted, as a CSV in buf (so that zones on
 * the same servers share a channel): 0, 1 when waiting, -1 when none. */
static int
server_list(struct entry *e, const struct dns_answer *ns, char *buf,
	    size_t bufsz)
{
	char addr[AUTH_ADDRS][AUTH_ADDR_TEXT];
	const struct dns_answer *a;
	size_t i, n = 0, off = 0;

	for (i = 0; i < ns->nrr && i < AUTH_NS; i++)
		if (ns->rr[i].type == DNS_T_NS &&
		    (a = walk_get(e, ns->rr[i].u.host, DNS_T_A)) != NULL)
			add_addrs(a, e->r->auth_port, addr, &n);
	if (e->nwait > 0)
		return 1;
	if (n == 0)
		return -1;
	qsort(addr, n, sizeof addr[0], cmp_str);
	for (i = 0; i < n && off < bufsz; i++)
		off += (size_t)snprintf(buf + off, bufsz - off, "%s%s",
					i ? "," : "", addr[i]);
	return off < bufsz ? 0 : -1;
}

/* No authoritative answer to be had: the recursive resolver is asked the
 * original question. */
static void
fallback(struct entry *e)
{
	e->phase = A_FALLBACK;
	e->chan = NULL;
	free(e->ask);
	e->ask = NULL;
	e->hops = 0;
	e->r->st.auth_fallbacks++;
	dns_enqueue(e->r, e, 0);
}

/* One pass of an authoritative question's walk (restartable, like the
 * engine: each pass starts over from cached answers): it waits on the
 * answers not known yet, or ends queued for the zone's servers or, when
 * there are none to ask, for the recursive resolver. */
void
dns_auth_pass(struct entry *e)
{
	const char *qname = e->ask != NULL ? e->ask : e->name;
	char servers[AUTH_ADDRS * AUTH_ADDR_TEXT];
	const struct dns_answer *ns = NULL;
	int rc;

	e->nwait = 0;
	if ((rc = zone_cut(e, qname, &ns)) == 0)
		rc = server_list(e, ns, servers, sizeof servers);
	if (rc == 1)
		return;
	if (rc == 0 && (e->chan = achan_get(e->r, servers)) != NULL) {
		e->chan->users++;
		e->phase = A_QUERY;
		dns_enqueue(e->r, e, 0);
		return;
	}
	fallback(e);
}

/* A reply from the zone's servers: kept only when authoritative (AA,
 * RFC 1035 §4.1.1); a CNAME out of the zone is followed in the target's
 * zone; anything else goes to the recursive resolver. */
void
dns_auth_reply(struct entry *e, const unsigned char *abuf, int alen)
{
	const char *qname = e->ask != NULL ? e->ask : e->name;
	struct dns_answer a;
	int rc = -1;

	e->chan->users--;
	e->chan = NULL;
	memset(&a, 0, sizeof a);
	if (abuf != NULL && alen > 3 && (abuf[2] & 0x04))
		rc = dns_reply_parse(abuf, (size_t)alen, qname, e->type, &a);
	/* Asked without recursion, a server that offers it (RA) also stops
	 * at a CNAME whose target lies outside its zones: the parser takes
	 * the chain for a recursive NODATA, but its target is still to ask. */
	if (rc == 0 && a.status == DNS_NODATA && a.canon != NULL)
		rc = 1;
	if (rc == 0 && !dns_failed(&a)) {
		a.via = DNS_VIA_AUTHORITATIVE;
		if (e->ask != NULL && a.canon == NULL &&
		    (a.canon = strdup(e->ask)) == NULL)
			a.status = DNS_SERVFAIL;
		dns_finish(e, &a);
		return;
	}
	if (rc == 1 && dns_chase(e, &a) == 0) {
		e->phase = A_WALK;
		e->state = E_WAIT;
		dns_auth_pass(e);
		return;
	}
	dns_reply_release(&a);
	fallback(e);
}
