/*
 * dns.c - the network source of DNS answers: one c-ares channel, many
 * queries in flight up to a cap (the rest wait in a FIFO), a cache of
 * answers per (lowercased name without trailing dot, type) for the life of
 * the resolver, and an event loop over poll(). Replies are parsed here from
 * the raw message (RFC 1035 §4.1) so TXT answers keep RR boundaries and the
 * strings of each RR, CNAME chains are followed inside the answer, and
 * NXDOMAIN, NODATA, SERVFAIL and timeout stay four different outcomes.
 *
 * What does not belong here: any meaning of the records (spf, dkim, dmarc)
 * and the scheduling of checks (verify). The in-memory test source is
 * lib/dnstable.c.
 */
#include <ares.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "dns.h"
#include "util.h"

#define HDR_LEN 12
#define NAME_TEXT 1100	 /* escaped text of a 255-byte wire name, bounded */
#define MAX_CHAIN 16	 /* CNAMEs followed inside one reply */
#define MAX_HOPS 8	 /* extra queries to chase a CNAME out of a reply */
#define EDNS_SIZE 1232	 /* fits 2048-bit DKIM keys, avoids fragmentation */
#define RCVBUF (4 << 20) /* a burst of replies must not overflow the socket */
#define DEF_TIMEOUT 2000 /* ms per try */
#define DEF_TRIES 2
#define DEF_INFLIGHT 500

/* RFC 1035 §4.1.1 RCODE values. */
enum { RCODE_NOERROR = 0, RCODE_NXDOMAIN = 3 };

/* ------------------------------------------------------------------ */
/* Reply parsing. Every offset is checked against the message length.  */

struct rrhead {
	size_t owner; /* offset of the owner name */
	uint16_t type;
	uint16_t class;
	size_t rdoff, rdlen;
};

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Appends one label byte to out, escaping what is not a plain name byte
 * as \DDD (RFC 1035 §5.1) so a '.' inside a label cannot fake a name. */
static int
put_label_byte(char *out, size_t outsz, size_t *o, unsigned char c)
{
	int plain = c > 0x20 && c < 0x7f && c != '.' && c != '\\';
	size_t need = plain ? 1 : 4;

	if (*o + need >= outsz)
		return -1;
	if (plain) {
		out[(*o)++] = (char)c;
		return 0;
	}
	out[(*o)++] = '\\';
	out[(*o)++] = (char)('0' + c / 100);
	out[(*o)++] = (char)('0' + c / 10 % 10);
	out[(*o)++] = (char)('0' + c % 10);
	return 0;
}

/*
 * Decodes the possibly compressed name at msg[off] (RFC 1035 §4.1.4) into
 * out as dotted text without a trailing dot ("" for the root). *next gets
 * the offset just after the name where it sits. Returns 0 / -1 (malformed:
 * out of bounds, more than 64 pointers, longer than 255 bytes).
 */
static int
name_decode(const unsigned char *msg, size_t len, size_t off, char *out,
	    size_t outsz, size_t *next)
{
	size_t o = 0, wire = 1, i;
	int jumps = 0, jumped = 0;
	unsigned c;

	for (;;) {
		if (off >= len)
			return -1;
		c = msg[off];
		if ((c & 0xc0) == 0xc0) {
			if (off + 1 >= len || ++jumps > 64)
				return -1;
			if (!jumped)
				*next = off + 2;
			jumped = 1;
			off = (size_t)(c & 0x3f) << 8 | msg[off + 1];
			continue;
		}
		if (c & 0xc0)
			return -1; /* extended label types: not in use */
		if (c == 0)
			break;
		if (off + 1 + c > len || (wire += c + 1) > 255)
			return -1;
		if (o > 0 && o + 1 < outsz)
			out[o++] = '.';
		for (i = 0; i < c; i++)
			if (put_label_byte(out, outsz, &o, msg[off + 1 + i]))
				return -1;
		off += 1 + c;
	}
	if (!jumped)
		*next = off + 1;
	out[o] = '\0';
	return 0;
}

/* Reads the fixed part of one RR at *off (RFC 1035 §4.1.3). */
static int
rr_head(const unsigned char *msg, size_t len, size_t *off, struct rrhead *h)
{
	char name[NAME_TEXT];
	size_t p;

	h->owner = *off;
	if (name_decode(msg, len, *off, name, sizeof name, &p) == -1 ||
	    p + 10 > len)
		return -1;
	h->type = get16(msg + p);
	h->class = get16(msg + p + 2);
	h->rdlen = get16(msg + p + 8);
	h->rdoff = p + 10;
	if (h->rdoff + h->rdlen > len)
		return -1;
	*off = h->rdoff + h->rdlen;
	return 0;
}

/* Decodes a name inside rdata; the in-place part must stay inside it. */
static char *
rdata_name(const unsigned char *msg, size_t len, size_t off, size_t end)
{
	char name[NAME_TEXT];
	size_t next;

	if (name_decode(msg, len, off, name, sizeof name, &next) == -1 ||
	    next > end)
		return NULL;
	return strdup(name);
}

static void
rr_release(struct dns_rr *rr)
{
	switch (rr->type) {
	case DNS_T_MX:
		free(rr->u.mx.host);
		break;
	case DNS_T_PTR:
	case DNS_T_CNAME:
	case DNS_T_NS:
		free(rr->u.host);
		break;
	case DNS_T_TXT:
		free(rr->u.txt.str); /* one block, see txt_decode() */
		break;
	default:
		break;
	}
}

/*
 * The character-strings of one TXT RR (RFC 1035 §3.3.14), in one block:
 * the array of pointers, the array of lengths, then each string with a NUL.
 * Returns 0, -1 on a malformed RR, -2 on allocation failure.
 */
static int
txt_decode(const unsigned char *msg, const struct rrhead *h, struct dns_rr *rr)
{
	size_t off = h->rdoff, end = h->rdoff + h->rdlen, n = 0, l, bytes = 0;
	char *block, *p;

	while (off < end) { /* count first: one allocation */
		l = msg[off];
		if (off + 1 + l > end)
			return -1;
		off += 1 + l;
		bytes += l + 1;
		n++;
	}
	block = malloc(n * (sizeof(char *) + sizeof(size_t)) + bytes + 1);
	if (block == NULL)
		return -2;
	rr->u.txt.str = (char **)(void *)block;
	rr->u.txt.len = (size_t *)(void *)(block + n * sizeof(char *));
	p = block + n * (sizeof(char *) + sizeof(size_t));
	for (off = h->rdoff; rr->u.txt.nstr < n; off += 1 + l) {
		l = msg[off];
		memcpy(p, msg + off + 1, l);
		p[l] = '\0';
		rr->u.txt.str[rr->u.txt.nstr] = p;
		rr->u.txt.len[rr->u.txt.nstr++] = l;
		p += l + 1;
	}
	return 0;
}

/* Fills rr from the rdata of h. Returns 0, -1 (malformed), -2 (memory). */
static int
rr_decode(const unsigned char *msg, size_t len, const struct rrhead *h,
	  struct dns_rr *rr)
{
	size_t end = h->rdoff + h->rdlen;

	memset(rr, 0, sizeof *rr);
	rr->type = (enum dns_type)h->type;
	switch (h->type) {
	case DNS_T_A:
		if (h->rdlen != 4)
			return -1;
		memcpy(rr->u.a, msg + h->rdoff, 4);
		return 0;
	case DNS_T_AAAA:
		if (h->rdlen != 16)
			return -1;
		memcpy(rr->u.aaaa, msg + h->rdoff, 16);
		return 0;
	case DNS_T_MX:
		if (h->rdlen < 3)
			return -1;
		rr->u.mx.pref = get16(msg + h->rdoff);
		rr->u.mx.host = rdata_name(msg, len, h->rdoff + 2, end);
		return rr->u.mx.host != NULL ? 0 : -1;
	case DNS_T_PTR:
	case DNS_T_CNAME:
	case DNS_T_NS:
		rr->u.host = rdata_name(msg, len, h->rdoff, end);
		return rr->u.host != NULL ? 0 : -1;
	case DNS_T_TXT:
		return txt_decode(msg, h, rr);
	default:
		return -1;
	}
}

/* Does the owner of h equal name (case-insensitively)? */
static int
owner_is(const unsigned char *msg, size_t len, const struct rrhead *h,
	 const char *name)
{
	char owner[NAME_TEXT];
	size_t next;

	if (name_decode(msg, len, h->owner, owner, sizeof owner, &next) == -1)
		return 0;
	return ascii_casecmp(owner, name) == 0;
}

/* Index of the CNAME owned by name among the n RRs, or -1. */
static long
find_cname(const unsigned char *msg, size_t len, const struct rrhead *rrs,
	   size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rrs[i].type == DNS_T_CNAME && rrs[i].class == 1 &&
		    owner_is(msg, len, &rrs[i], name))
			return (long)i;
	return -1;
}

/* Copies the RRs of qtype owned by name into out. 0 / -1 / -2 as above. */
static int
collect(const unsigned char *msg, size_t len, const struct rrhead *rrs,
	size_t n, const char *name, enum dns_type qtype, struct dns_answer *out)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		if (rrs[i].type != qtype || rrs[i].class != 1 ||
		    !owner_is(msg, len, &rrs[i], name))
			continue;
		rc = rr_decode(msg, len, &rrs[i], &out->rr[out->nrr]);
		if (rc != 0) {
			rr_release(&out->rr[out->nrr]);
			return rc;
		}
		out->nrr++;
	}
	return 0;
}

/* Reads the header and the RR heads of the answer section. */
static int
read_sections(const unsigned char *msg, size_t len, struct rrhead **rrsp,
	      size_t *np)
{
	char name[NAME_TEXT];
	size_t off = HDR_LEN, qd, an, i;
	struct rrhead *rrs;

	if (len < HDR_LEN || !(msg[2] & 0x80))
		return -1;
	qd = get16(msg + 4);
	an = get16(msg + 6);
	if (an > (len - HDR_LEN) / 11) /* an RR takes at least 11 bytes */
		return -1;
	for (i = 0; i < qd; i++) {
		if (name_decode(msg, len, off, name, sizeof name, &off) == -1 ||
		    off + 4 > len)
			return -1;
		off += 4;
	}
	if ((rrs = calloc(an ? an : 1, sizeof *rrs)) == NULL)
		return -2;
	for (i = 0; i < an; i++)
		if (rr_head(msg, len, &off, &rrs[i]) == -1) {
			free(rrs);
			return -1;
		}
	*rrsp = rrs;
	*np = an;
	return 0;
}

/* Follows the CNAME chain from qname inside the answer; copies the final
 * name into cur. Returns the number of CNAMEs followed, -1 on a loop. */
static int
follow_chain(const unsigned char *msg, size_t len, const struct rrhead *rrs,
	     size_t n, const char *qname, char *cur, size_t cursz)
{
	char *target;
	long ci;
	int hops;

	snprintf(cur, cursz, "%s", qname);
	for (hops = 0; (ci = find_cname(msg, len, rrs, n, cur)) >= 0; hops++) {
		if (hops == MAX_CHAIN)
			return -1;
		target = rdata_name(msg, len, rrs[ci].rdoff,
				    rrs[ci].rdoff + rrs[ci].rdlen);
		if (target == NULL)
			return -1;
		snprintf(cur, cursz, "%s", target);
		free(target);
	}
	return hops;
}

/* Sets out's status from the reply code and what the chain found. */
static int
classify(const unsigned char *msg, int hops, const char *cur,
	 struct dns_answer *out)
{
	int rcode = msg[3] & 0x0f, ra = msg[3] & 0x80;

	if (hops > 0 && (out->canon = strdup(cur)) == NULL)
		return -1;
	if (rcode == RCODE_NXDOMAIN)
		out->status = DNS_NXDOMAIN;
	else if (rcode != RCODE_NOERROR)
		out->status = DNS_SERVFAIL;
	else if (out->nrr > 0)
		out->status = DNS_OK;
	else {
		out->status = DNS_NODATA;
		/* An authoritative server (no recursion available) stops at
		 * a CNAME whose target lies outside its zones: ask again. */
		if (hops > 0 && !ra)
			return 1;
	}
	return 0;
}

int
dns_reply_parse(const unsigned char *msg, size_t len, const char *qname,
		enum dns_type qtype, struct dns_answer *out)
{
	struct rrhead *rrs = NULL;
	char cur[NAME_TEXT];
	size_t n = 0;
	int hops, rc;

	memset(out, 0, sizeof *out);
	out->status = DNS_SERVFAIL;
	if ((rc = read_sections(msg, len, &rrs, &n)) != 0)
		return rc == -2 ? -1 : 0;
	rc = -1;
	if ((hops = follow_chain(msg, len, rrs, n, qname, cur, sizeof cur)) < 0)
		goto malformed;
	if ((out->rr = calloc(n ? n : 1, sizeof *out->rr)) == NULL)
		goto out;
	if ((rc = collect(msg, len, rrs, n, cur, qtype, out)) == -1)
		goto malformed;
	if (rc == -2 || (rc = classify(msg, hops, cur, out)) == -1) {
		rc = -1;
		goto out;
	}
	goto out;
malformed:
	dns_reply_release(out);
	out->status = DNS_SERVFAIL;
	rc = 0;
out:
	free(rrs);
	if (rc == -1)
		dns_reply_release(out);
	return rc;
}

void
dns_reply_release(struct dns_answer *a)
{
	size_t i;

	for (i = 0; i < a->nrr; i++)
		rr_release(&a->rr[i]);
	free(a->rr);
	free(a->canon);
	a->rr = NULL;
	a->nrr = 0;
	a->canon = NULL;
}

/* ------------------------------------------------------------------ */
/* The resolver: cache, queue, c-ares channel and event loop.          */

enum estate { E_QUEUED, E_SENT, E_DONE };

struct waiter {
	struct dns_wait w;
	struct waiter *next;
};

struct entry {
	struct entry *qnext; /* send queue */
	struct dns_resolver *r;
	char *ask; /* CNAME target being chased, or NULL */
	enum dns_type type;
	enum estate state;
	int hops;
	struct waiter *waiters;
	struct dns_answer ans;
	char name[]; /* the key: lowercased, no trailing dot */
};

struct slot {
	uint32_t hash;
	struct entry *e;
};

struct dns_resolver {
	ares_channel ch;
	struct slot *tab;
	size_t tabsz, nent;
	struct entry *qhead, *qtail;
	size_t nqueued;
	int inflight, max_inflight;
	int completed;	      /* answers since dns_resolver_wait() started */
	struct waiter *spare; /* waiter nodes kept for reuse */
	struct pollfd *pfd, *pcopy;
	size_t npfd, cappfd, capcopy;
	dns_done_fn done_fn;
	void *done_arg;
	struct dns_stats st;
};

static const struct dns_answer answer_nomem = {DNS_SERVFAIL, 0, NULL, NULL};
static const struct dns_answer answer_badname = {DNS_NXDOMAIN, 0, NULL, NULL};

static uint32_t
hash(const char *name, enum dns_type type)
{
	uint32_t h = 2166136261u ^ (uint32_t)type;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h;
}

/* Lowercases name into key without a trailing dot; -1 if too long. */
static int
make_key(const char *name, char *key, size_t keysz)
{
	size_t n = strlen(name);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n >= keysz)
		return -1;
	memcpy(key, name, n);
	key[n] = '\0';
	ascii_lower(key);
	return 0;
}

/* The cache is an open-addressing table of (hash, entry) slots, at most
 * half full: a lookup reads one slot and the entry it names, and rarely
 * touches an entry that is not the one sought. */
static struct entry *
lookup(struct dns_resolver *r, const char *key, enum dns_type type, uint32_t h)
{
	size_t i, mask = r->tabsz - 1;

	for (i = h & mask; r->tab[i].e != NULL; i = (i + 1) & mask)
		if (r->tab[i].hash == h && r->tab[i].e->type == type &&
		    strcmp(r->tab[i].e->name, key) == 0)
			return r->tab[i].e;
	return NULL;
}

static void
place(struct slot *tab, size_t sz, uint32_t h, struct entry *e)
{
	size_t i;

	for (i = h & (sz - 1); tab[i].e != NULL; i = (i + 1) & (sz - 1))
		;
	tab[i].hash = h;
	tab[i].e = e;
}

/* Doubles the table before it gets more than half full; -1 on memory. */
static int
grow(struct dns_resolver *r)
{
	size_t i, sz = r->tabsz * 2;
	struct slot *tab;

	if ((r->nent + 1) * 2 <= r->tabsz)
		return 0;
	if ((tab = calloc(sz, sizeof *tab)) == NULL)
		return -1;
	for (i = 0; i < r->tabsz; i++)
		if (r->tab[i].e != NULL)
			place(tab, sz, r->tab[i].hash, r->tab[i].e);
	free(r->tab);
	r->tab = tab;
	r->tabsz = sz;
	return 0;
}

static void
enqueue(struct dns_resolver *r, struct entry *e, int front)
{
	e->state = E_QUEUED;
	e->qnext = NULL;
	if (r->qhead == NULL)
		r->qhead = r->qtail = e;
	else if (front) {
		e->qnext = r->qhead;
		r->qhead = e;
	} else {
		r->qtail->qnext = e;
		r->qtail = e;
	}
	r->nqueued++;
}

static struct entry *
entry_new(struct dns_resolver *r, const char *key, enum dns_type type,
	  uint32_t h)
{
	size_t len = strlen(key);
	struct entry *e;

	if (grow(r) == -1 || (e = calloc(1, sizeof *e + len + 1)) == NULL)
		return NULL;
	memcpy(e->name, key, len + 1);
	e->r = r;
	e->type = type;
	place(r->tab, r->tabsz, h, e);
	r->nent++;
	r->st.questions++;
	enqueue(r, e, 0);
	return e;
}

static int
add_waiter(struct entry *e, const struct dns_wait *w)
{
	struct waiter *wt;

	if (w == NULL || w->fn == NULL)
		return 0;
	if ((wt = e->r->spare) != NULL)
		e->r->spare = wt->next;
	else if ((wt = malloc(sizeof *wt)) == NULL)
		return -1;
	wt->w = *w;
	wt->next = e->waiters;
	e->waiters = wt;
	return 0;
}

const struct dns_answer *
dns_resolver_get(struct dns_resolver *r, const char *name, enum dns_type type,
		 const struct dns_wait *w)
{
	char key[NAME_TEXT];
	struct entry *e;
	uint32_t h;

	if (make_key(name, key, sizeof key) == -1)
		return &answer_badname;
	h = hash(key, type);
	if ((e = lookup(r, key, type, h)) != NULL && e->state == E_DONE) {
		r->st.cache_hits++;
		return &e->ans;
	}
	if (e == NULL && (e = entry_new(r, key, type, h)) == NULL)
		return &answer_nomem;
	if (add_waiter(e, w) == -1)
		return &answer_nomem;
	return NULL;
}

static const struct dns_answer *
source_get(void *ctx, const char *name, enum dns_type type)
{
	return dns_resolver_get(ctx, name, type, NULL);
}

struct dns_source
dns_resolver_source(struct dns_resolver *r)
{
	struct dns_source s = {source_get, r};

	return s;
}

/* Stores the answer, wakes the waiters and the done callback. */
static void
finish(struct entry *e, const struct dns_answer *a)
{
	struct dns_resolver *r = e->r;
	struct waiter *w, *next;

	e->ans = *a;
	e->state = E_DONE;
	r->st.by_status[a->status]++;
	r->completed++;
	w = e->waiters;
	e->waiters = NULL;
	for (; w != NULL; w = next) {
		next = w->next;
		w->w.fn(w->w.arg);
		w->next = r->spare;
		r->spare = w;
	}
	if (r->done_fn != NULL)
		r->done_fn(r->done_arg, e->name, e->type);
}

/*
 * The outcome of a query that brought no usable reply. c-ares 1.18 retries
 * a SERVFAIL, REFUSED or NOTIMP reply on the next server (or try) and, when
 * none is left, ends the query with ARES_ECONNREFUSED, as it does when the
 * kernel reports the port unreachable: both are a server refusing, told
 * apart from silence (ARES_ETIMEOUT).
 */
static enum dns_status
status_of(int ares_status)
{
	switch (ares_status) {
	case ARES_ETIMEOUT:
		return DNS_TIMEOUT;
	case ARES_EBADNAME: /* cannot be encoded, so cannot exist */
		return DNS_NXDOMAIN;
	default: /* SERVFAIL, REFUSED, NOTIMP, FORMERR, bad reply, memory */
		return DNS_SERVFAIL;
	}
}

static void
query_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct entry *e = arg;
	struct dns_resolver *r = e->r;
	struct dns_answer a;
	int rc = 0;

	r->inflight--;
	r->st.retries += (unsigned long)timeouts;
	if (status == ARES_EDESTRUCTION)
		return; /* dns_resolver_free() owns the entry */
	memset(&a, 0, sizeof a);
	a.status = status_of(status);
	if (abuf != NULL && alen > 0 &&
	    (rc = dns_reply_parse(abuf, (size_t)alen,
				  e->ask != NULL ? e->ask : e->name, e->type,
				  &a)) == -1)
		a.status = DNS_SERVFAIL;
	if (rc == 1 && e->hops < MAX_HOPS) {
		/* Chase the CNAME target with a query of its own. */
		free(e->ask);
		e->ask = a.canon;
		a.canon = NULL;
		dns_reply_release(&a);
		e->hops++;
		enqueue(r, e, 1);
		return;
	}
	if (rc == 1)
		a.status = DNS_SERVFAIL; /* chain too long */
	if (e->ask != NULL && a.canon == NULL)
		a.canon = strdup(e->ask);
	finish(e, &a);
}

static void
send_one(struct dns_resolver *r)
{
	struct entry *e = r->qhead;

	r->qhead = e->qnext;
	if (r->qhead == NULL)
		r->qtail = NULL;
	r->nqueued--;
	e->state = E_SENT;
	r->inflight++;
	r->st.queries++;
	if (r->inflight > r->st.max_inflight)
		r->st.max_inflight = r->inflight;
	ares_query(r->ch, e->ask != NULL ? e->ask : e->name, 1 /* IN */,
		   (int)e->type, query_cb, e);
}

void
dns_resolver_flush(struct dns_resolver *r)
{
	while (r->qhead != NULL && r->inflight < r->max_inflight)
		send_one(r);
}

/* c-ares tells which sockets to watch; we keep them in a pollfd array. */
static void
sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct dns_resolver *r = data;
	struct pollfd *p;
	size_t i;

	for (i = 0; i < r->npfd && r->pfd[i].fd != fd; i++)
		;
	if (!readable && !writable) {
		if (i < r->npfd)
			r->pfd[i] = r->pfd[--r->npfd];
		return;
	}
	if (i == r->npfd) {
		if (r->npfd == r->cappfd) {
			p = realloc(r->pfd, (r->cappfd * 2 + 4) * sizeof *p);
			if (p == NULL)
				return; /* the query will time out */
			r->pfd = p;
			r->cappfd = r->cappfd * 2 + 4;
		}
		r->pfd[r->npfd++].fd = fd;
	}
	r->pfd[i].events =
	    (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
}

/* Larger buffers than c-ares asks for when we may (CAP_NET_ADMIN). */
static int
sock_created(ares_socket_t fd, int type, void *data)
{
	int sz = RCVBUF;

	if (type == SOCK_DGRAM &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) == -1)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	return ARES_SUCCESS;
}

/* "HOST:PORT" list for ares_set_servers_ports_csv(). */
static int
set_servers(struct dns_resolver *r, const struct dns_resolver_opts *o)
{
	struct buf b;
	size_t i;
	int rc;

	if (o->nservers == 0)
		return 0;
	buf_init(&b);
	for (i = 0; i < o->nservers; i++)
		buf_addf(&b, "%s%s", i ? "," : "", o->servers[i]);
	if (b.err) {
		buf_release(&b);
		return -1;
	}
	rc = ares_set_servers_ports_csv(r->ch, b.s);
	if (rc != ARES_SUCCESS)
		log_warnx("bad server list: %s", ares_strerror(rc));
	buf_release(&b);
	return rc == ARES_SUCCESS ? 0 : -1;
}

static int
channel_init(struct dns_resolver *r, const struct dns_resolver_opts *o)
{
	struct ares_options ao;
	int mask, rc;

	memset(&ao, 0, sizeof ao);
	ao.flags = ARES_FLAG_EDNS | ARES_FLAG_STAYOPEN | ARES_FLAG_NOSEARCH;
	ao.timeout = o->timeout_ms > 0 ? o->timeout_ms : DEF_TIMEOUT;
	ao.tries = o->tries > 0 ? o->tries : DEF_TRIES;
	ao.ednspsz = EDNS_SIZE;
	ao.socket_receive_buffer_size = RCVBUF;
	ao.sock_state_cb = sock_state;
	ao.sock_state_cb_data = r;
	mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	       ARES_OPT_EDNSPSZ | ARES_OPT_SOCK_RCVBUF | ARES_OPT_SOCK_STATE_CB;
	if ((rc = ares_init_options(&r->ch, &ao, mask)) != ARES_SUCCESS) {
		log_warnx("ares_init_options: %s", ares_strerror(rc));
		return -1;
	}
	ares_set_socket_callback(r->ch, sock_created, r);
	return set_servers(r, o);
}

struct dns_resolver *
dns_resolver_new(const struct dns_resolver_opts *o)
{
	static const struct dns_resolver_opts none;
	struct dns_resolver *r;

	if (o == NULL)
		o = &none;
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
		return NULL;
	if ((r = calloc(1, sizeof *r)) == NULL)
		goto fail;
	r->tabsz = 1024;
	r->max_inflight = o->max_inflight > 0 ? o->max_inflight : DEF_INFLIGHT;
	if ((r->tab = calloc(r->tabsz, sizeof *r->tab)) == NULL)
		goto fail;
	if (channel_init(r, o) == -1)
		goto fail;
	return r;
fail:
	dns_resolver_free(r);
	if (r == NULL)
		ares_library_cleanup();
	return NULL;
}

static void
free_waiters(struct waiter *w)
{
	struct waiter *next;

	for (; w != NULL; w = next) {
		next = w->next;
		free(w);
	}
}

static void
entry_free(struct entry *e)
{
	free_waiters(e->waiters);
	dns_reply_release(&e->ans);
	free(e->ask);
	free(e);
}

void
dns_resolver_free(struct dns_resolver *r)
{
	size_t i;

	if (r == NULL)
		return;
	/* Outstanding queries end with ARES_EDESTRUCTION: see query_cb(). */
	if (r->ch != NULL)
		ares_destroy(r->ch);
	for (i = 0; r->tab != NULL && i < r->tabsz; i++)
		if (r->tab[i].e != NULL)
			entry_free(r->tab[i].e);
	free_waiters(r->spare);
	free(r->tab);
	free(r->pfd);
	free(r->pcopy);
	free(r);
	ares_library_cleanup();
}

void
dns_resolver_on_done(struct dns_resolver *r, dns_done_fn fn, void *arg)
{
	r->done_fn = fn;
	r->done_arg = arg;
}

/* Moves the waiters of e registered by owner to the spare list. */
static void
drop_waiters(struct dns_resolver *r, struct entry *e, const void *owner)
{
	struct waiter **wp = &e->waiters, *w;

	while ((w = *wp) != NULL) {
		if (w->w.owner == owner) {
			*wp = w->next;
			w->next = r->spare;
			r->spare = w;
		} else
			wp = &w->next;
	}
}

void
dns_resolver_cancel(struct dns_resolver *r, const void *owner)
{
	size_t i;

	for (i = 0; i < r->tabsz; i++)
		if (r->tab[i].e != NULL)
			drop_waiters(r, r->tab[i].e, owner);
}

void
dns_resolver_stats(const struct dns_resolver *r, struct dns_stats *st)
{
	*st = r->st;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How long poll() may sleep: c-ares' next timeout, capped by left. */
static int
poll_timeout(struct dns_resolver *r, long left)
{
	struct timeval max, tv, *tvp;
	long ms;

	max.tv_sec = 1;
	max.tv_usec = 0;
	tvp = ares_timeout(r->ch, &max, &tv);
	ms = (long)tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000;
	if (left >= 0 && left < ms)
		ms = left;
	return (int)ms;
}

/* One poll() round; hands every ready socket to c-ares. */
static void
poll_once(struct dns_resolver *r, int ms)
{
	size_t i, n = r->npfd;
	int ready;
	ares_socket_t rd, wr;

	/* A copy: c-ares may open or close sockets while we process. */
	if (n > r->capcopy) {
		free(r->pcopy);
		r->capcopy = 0;
		if ((r->pcopy = calloc(n, sizeof *r->pcopy)) == NULL)
			n = 0;
		else
			r->capcopy = n;
	}
	if (n > 0)
		memcpy(r->pcopy, r->pfd, n * sizeof *r->pcopy);
	ready = poll(r->pcopy, n, ms);
	if (ready <= 0) {
		if (ready == -1 && errno != EINTR)
			log_warnx("poll: %s", strerror(errno));
		ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		return;
	}
	for (i = 0; i < n; i++) {
		if (r->pcopy[i].revents == 0)
			continue;
		rd = r->pcopy[i].revents & (POLLIN | POLLERR | POLLHUP)
			 ? r->pcopy[i].fd
			 : ARES_SOCKET_BAD;
		wr = r->pcopy[i].revents & POLLOUT ? r->pcopy[i].fd
						   : ARES_SOCKET_BAD;
		ares_process_fd(r->ch, rd, wr);
	}
}

int
dns_resolver_wait(struct dns_resolver *r, int timeout_ms)
{
	long deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1, left;

	r->completed = 0;
	for (;;) {
		dns_resolver_flush(r);
		if (r->completed > 0 || r->inflight + r->nqueued == 0)
			break;
		left = deadline >= 0 ? deadline - now_ms() : -1;
		poll_once(
		    r, poll_timeout(r, deadline >= 0 && left < 0 ? 0 : left));
		if (deadline >= 0 && now_ms() >= deadline)
			break;
	}
	dns_resolver_flush(r);
	return r->inflight + (int)r->nqueued;
}
