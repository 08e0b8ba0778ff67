/*
 * dns.c - the network source of DNS answers: one c-ares channel, many
 * queries in flight up to a cap (the rest wait in a FIFO), a cache of
 * answers per (lowercased name without trailing dot, type) for the life of
 * the resolver, and an event loop over poll(). Replies are parsed from the
 * raw message by lib/verify/dnsreply.c, so TXT answers keep RR boundaries and
 * the strings of each RR; a CNAME whose target the server left out is asked
 * again here; NXDOMAIN, NODATA, SERVFAIL and timeout stay four outcomes.
 * A question asked authoritatively (dns_resolver_ask()) is an entry of the
 * same cache that lib/verify/dns-auth.c walks to its zone's servers and
 * asks on a channel of its own for them (struct achan); the event loop
 * here serves every channel. What the two files share: dns-int.h.
 *
 * What does not belong here: any meaning of the records (spf, dkim, dmarc)
 * and the scheduling of checks (verify). The in-memory test source is
 * tests/double/dnstable.c.
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

#include "dns-int.h"
#include "dns.h"
#include "dnssock.h"
#include "util.h"

#define NAME_TEXT 1100	 /* a key: the escaped text of a name, bounded */
#define MAX_HOPS 8	 /* extra queries to chase a CNAME out of a reply */
#define RCVBUF (4 << 20) /* a burst of replies must not overflow the socket */
#define DEF_TIMEOUT 2000 /* ms per try */
#define DEF_TRIES 2
#define DEF_INFLIGHT 500
#define AUTH_BIT 0x10000u /* in a key's hash: asked authoritatively */

struct slot {
	uint32_t hash;
	struct entry *e;
};

static const struct dns_answer answer_nomem = {DNS_SERVFAIL, 0, NULL, NULL,
					       DNS_VIA_RECURSIVE};
static const struct dns_answer answer_badname = {DNS_NXDOMAIN, 0, NULL, NULL,
						 DNS_VIA_RECURSIVE};

static uint32_t
hash(const char *name, enum dns_type type, int auth)
{
	uint32_t h = 2166136261u ^ (uint32_t)type ^ (auth ? AUTH_BIT : 0);

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
lookup(struct dns_resolver *r, const char *key, enum dns_type type, int auth,
       uint32_t h)
{
	size_t i, mask = r->tabsz - 1;

	for (i = h & mask; r->tab[i].e != NULL; i = (i + 1) & mask)
		if (r->tab[i].hash == h && r->tab[i].e->type == type &&
		    r->tab[i].e->auth == auth &&
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

/* Removes e from the table: backward-shift deletion keeps every other
 * entry reachable from its home slot under linear probing. */
static void
unplace(struct dns_resolver *r, const struct entry *e, uint32_t h)
{
	size_t mask = r->tabsz - 1, i = h & mask, j, k;

	while (r->tab[i].e != e)
		i = (i + 1) & mask;
	for (j = (i + 1) & mask; r->tab[j].e != NULL; j = (j + 1) & mask) {
		k = r->tab[j].hash & mask;
		/* tab[j] may fill the hole at i unless its home slot k lies
		 * cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		r->tab[i] = r->tab[j];
		i = j;
	}
	r->tab[i].e = NULL;
	r->nent--;
}

static void
lru_unlink(struct dns_resolver *r, struct entry *e)
{
	if (e->lprev != NULL)
		e->lprev->lnext = e->lnext;
	else
		r->lru_head = e->lnext;
	if (e->lnext != NULL)
		e->lnext->lprev = e->lprev;
	else
		r->lru_tail = e->lprev;
	e->lprev = e->lnext = NULL;
}

static void
lru_append(struct dns_resolver *r, struct entry *e)
{
	e->lnext = NULL;
	if ((e->lprev = r->lru_tail) != NULL)
		r->lru_tail->lnext = e;
	else
		r->lru_head = e;
	r->lru_tail = e;
}

static void entry_free(struct entry *);

/* With a cap on cached answers, drops the least recently used ones. Only
 * called between evaluation passes (dns_resolver_wait()), when no caller
 * holds an answer. */
static void
evict(struct dns_resolver *r)
{
	struct entry *e;

	while (r->max_cached > 0 && r->nanswered > r->max_cached &&
	       (e = r->lru_head) != NULL) {
		lru_unlink(r, e);
		unplace(r, e, hash(e->name, e->type, e->auth));
		r->nanswered--;
		r->st.evicted++;
		entry_free(e);
	}
}

void
dns_enqueue(struct dns_resolver *r, struct entry *e, int front)
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
entry_new(struct dns_resolver *r, const char *key, enum dns_type type, int auth,
	  uint32_t h)
{
	size_t len = strlen(key);
	struct entry *e;

	if (grow(r) == -1 || (e = calloc(1, sizeof *e + len + 1)) == NULL)
		return NULL;
	memcpy(e->name, key, len + 1);
	e->r = r;
	e->type = type;
	e->auth = (unsigned char)(auth != 0);
	place(r->tab, r->tabsz, h, e);
	r->nent++;
	r->st.questions++;
	if (auth) {
		e->state = E_WAIT;
		e->phase = A_WALK;
	} else
		dns_enqueue(r, e, 0);
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
dns_resolver_ask(struct dns_resolver *r, const char *name, enum dns_type type,
		 int auth, const struct dns_wait *w)
{
	char key[NAME_TEXT];
	struct entry *e;
	uint32_t h;

	auth = auth != 0;
	if (make_key(name, key, sizeof key) == -1)
		return &answer_badname;
	h = hash(key, type, auth);
	if ((e = lookup(r, key, type, auth, h)) != NULL && e->state == E_DONE) {
		r->st.cache_hits++;
		if (r->max_cached > 0 && e != r->lru_tail) {
			lru_unlink(r, e);
			lru_append(r, e);
		}
		return &e->ans;
	}
	if (e == NULL) {
		if ((e = entry_new(r, key, type, auth, h)) == NULL)
			return &answer_nomem;
		if (auth)
			dns_auth_pass(e); /* never completes it at once */
	}
	if (add_waiter(e, w) == -1)
		return &answer_nomem;
	return NULL;
}

const struct dns_answer *
dns_resolver_get(struct dns_resolver *r, const char *name, enum dns_type type,
		 const struct dns_wait *w)
{
	return dns_resolver_ask(r, name, type, 0, w);
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
void
dns_finish(struct entry *e, const struct dns_answer *a)
{
	struct dns_resolver *r = e->r;
	struct waiter *w, *next;

	e->ans = *a;
	e->state = E_DONE;
	lru_append(r, e);
	r->nanswered++;
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

/* A reply left a CNAME without its target's data (a->canon): e asks the
 * target next, unless the chain is too long (-1, a kept). */
int
dns_chase(struct entry *e, struct dns_answer *a)
{
	if (e->hops >= MAX_HOPS)
		return -1;
	free(e->ask);
	e->ask = a->canon;
	a->canon = NULL;
	dns_reply_release(a);
	e->hops++;
	return 0;
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
	if (e->phase == A_QUERY)
		e->chan->inflight--;
	if (status == ARES_EDESTRUCTION)
		return; /* dns_resolver_free() owns the entry */
	if (e->phase == A_QUERY) {
		dns_auth_reply(e, abuf, alen);
		return;
	}
	memset(&a, 0, sizeof a);
	a.status = status_of(status);
	if (abuf != NULL && alen > 0 &&
	    (rc = dns_reply_parse(abuf, (size_t)alen,
				  e->ask != NULL ? e->ask : e->name, e->type,
				  &a)) == -1)
		a.status = DNS_SERVFAIL;
	if (rc == 1 && dns_chase(e, &a) == 0) {
		dns_enqueue(r, e, 1); /* the target, with a query of its own */
		return;
	}
	if (rc == 1)
		a.status = DNS_SERVFAIL; /* chain too long */
	if (e->ask != NULL && a.canon == NULL)
		a.canon = strdup(e->ask);
	dns_finish(e, &a);
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
	if (e->phase == A_QUERY) {
		e->chan->inflight++;
		r->st.auth_queries++;
	}
	ares_query(e->phase == A_QUERY ? e->chan->ch : r->ch,
		   e->ask != NULL ? e->ask : e->name, 1 /* IN */, (int)e->type,
		   query_cb, e);
}

void
dns_resolver_flush(struct dns_resolver *r)
{
	while (r->qhead != NULL && r->inflight < r->max_inflight)
		send_one(r);
	dns_socks_flush(r->socks); /* what it leaves to read: poll_once() */
}

/* Room for one more pollfd and its channel; -1 on memory. */
static int
pfd_room(struct dns_resolver *r)
{
	size_t cap = r->cappfd * 2 + 4;
	struct pollfd *p;
	struct achan **c;

	if (r->npfd < r->cappfd)
		return 0;
	if ((p = realloc(r->pfd, cap * sizeof *p)) == NULL)
		return -1;
	r->pfd = p;
	if ((c = realloc(r->pch, cap * sizeof *c)) == NULL)
		return -1;
	r->pch = c;
	r->cappfd = cap;
	return 0;
}

/* c-ares tells which sockets to watch; we keep them in a pollfd array,
 * each with its channel (data). */
void
dns_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct achan *c = data;
	struct dns_resolver *r = c->r;
	size_t i;

	for (i = 0; i < r->npfd && r->pfd[i].fd != fd; i++)
		;
	if (!readable && !writable) {
		if (i < r->npfd) {
			r->pfd[i] = r->pfd[--r->npfd];
			r->pch[i] = r->pch[r->npfd];
		}
		return;
	}
	if (i == r->npfd) {
		if (pfd_room(r) == -1)
			return; /* the query will time out */
		r->pch[r->npfd] = c;
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
	ao.sock_state_cb = dns_sock_state;
	ao.sock_state_cb_data = &r->rec;
	mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	       ARES_OPT_EDNSPSZ | ARES_OPT_SOCK_RCVBUF | ARES_OPT_SOCK_STATE_CB;
	if ((rc = ares_init_options(&r->ch, &ao, mask)) != ARES_SUCCESS) {
		log_warnx("ares_init_options: %s", ares_strerror(rc));
		return -1;
	}
	r->rec.r = r;
	r->rec.ch = r->ch;
	r->timeout_ms = ao.timeout;
	ares_set_socket_callback(r->ch, sock_created, r);
	if ((r->socks = dns_socks_new(r->ch)) == NULL)
		return -1;
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
	r->max_cached = o->max_cached;
	r->auth_port = o->auth_port > 0 ? o->auth_port : 53;
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
	struct achan *c;
	size_t i;

	if (r == NULL)
		return;
	/* Outstanding queries end with ARES_EDESTRUCTION: see query_cb(). */
	while ((c = r->chans) != NULL) {
		r->chans = c->next;
		dns_achan_free(c);
	}
	if (r->ch != NULL)
		ares_destroy(r->ch);
	dns_socks_free(r->socks);
	for (i = 0; r->tab != NULL && i < r->tabsz; i++)
		if (r->tab[i].e != NULL)
			entry_free(r->tab[i].e);
	free_waiters(r->spare);
	free(r->tab);
	free(r->pfd);
	free(r->pcopy);
	free(r->pch);
	free(r->pchcopy);
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
	st->auth_channels_open = r->nchans;
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
	struct achan *c;

	max.tv_sec = 1;
	max.tv_usec = 0;
	tvp = ares_timeout(r->ch, &max, &tv);
	for (c = r->chans; c != NULL; c = c->next)
		if (c->inflight > 0) {
			max = *tvp;
			tvp = ares_timeout(c->ch, &max, &tv);
		}
	ms = (long)tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000;
	if (left >= 0 && left < ms)
		ms = left;
	return (int)ms;
}

/* Sends the queries c-ares queued, and lets it read what a send or an
 * earlier read left for it; returns how many reads it had. Bounded: each
 * read takes a reply or an error. */
static int
send_queued(struct dns_resolver *r)
{
	ares_socket_t fd;
	int n = 0;

	while (n < 1024 &&
	       (fd = dns_socks_flush(r->socks)) != ARES_SOCKET_BAD) {
		ares_process_fd(r->ch, fd, ARES_SOCKET_BAD);
		n++;
	}
	return n;
}

/* Lets the authoritative channels with queries out handle their
 * timeouts: their sockets may stay silent while the recursive one is
 * busy. */
static void
auth_timeouts(struct dns_resolver *r)
{
	struct achan *c;

	for (c = r->chans; c != NULL; c = c->next)
		if (c->inflight > 0)
			ares_process_fd(c->ch, ARES_SOCKET_BAD,
					ARES_SOCKET_BAD);
}

/* The copy of the pollfds and their channels poll_once() works on, with
 * room for the watched descriptors after them; -1 on memory. */
static int
poll_copy(struct dns_resolver *r, size_t n, size_t all)
{
	struct achan **c;

	if (all > r->capcopy) {
		free(r->pcopy);
		r->capcopy = 0;
		if ((r->pcopy = calloc(all, sizeof *r->pcopy)) == NULL)
			return -1;
		if ((c = realloc(r->pchcopy, all * sizeof *c)) == NULL)
			return -1;
		r->pchcopy = c;
		r->capcopy = all;
	}
	if (n > 0) {
		memcpy(r->pcopy, r->pfd, n * sizeof *r->pcopy);
		memcpy(r->pchcopy, r->pch, n * sizeof *r->pchcopy);
	}
	return 0;
}

/* One poll() round; hands every ready socket to its channel. */
static void
poll_once(struct dns_resolver *r, int ms)
{
	size_t i, n, all;
	int ready;
	ares_socket_t rd, wr;

	if (send_queued(r) > 0)
		ms = 0; /* answers may have come: back to the caller */
	else if (dns_socks_pending(r->socks) && ms > 1)
		ms = 1; /* the kernel had no room: try again soon */
	n = r->npfd;
	all = r->npfd + r->nwatch;

	/* A copy: c-ares may open or close sockets while we process. The
	 * watched descriptors follow c-ares's. */
	if (poll_copy(r, n, all) == -1)
		n = all = 0;
	for (i = n; i < all; i++) {
		r->pcopy[i].fd = r->watch[i - n];
		r->pcopy[i].events = POLLIN;
		r->pcopy[i].revents = 0;
	}
	ready = poll(r->pcopy, all, ms);
	if (ready <= 0) {
		if (ready == -1 && errno != EINTR)
			log_warnx("poll: %s", strerror(errno));
		ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		auth_timeouts(r);
		return;
	}
	for (i = n; i < all; i++)
		if (r->pcopy[i].revents != 0)
			r->woken = 1;
	for (i = 0; i < n; i++) {
		if (r->pcopy[i].revents == 0)
			continue;
		rd = r->pcopy[i].revents & (POLLIN | POLLERR | POLLHUP)
			 ? r->pcopy[i].fd
			 : ARES_SOCKET_BAD;
		wr = r->pcopy[i].revents & POLLOUT ? r->pcopy[i].fd
						   : ARES_SOCKET_BAD;
		ares_process_fd(r->pchcopy[i]->ch, rd, wr);
	}
	auth_timeouts(r);
}

void
dns_resolver_watch(struct dns_resolver *r, const int *fds, size_t n)
{
	size_t i;

	r->nwatch = 0;
	for (i = 0; i < n && r->nwatch < DNS_MAX_WATCH; i++)
		if (fds[i] >= 0)
			r->watch[r->nwatch++] = fds[i];
}

int
dns_resolver_woken(const struct dns_resolver *r)
{
	return r->woken;
}

int
dns_resolver_wait(struct dns_resolver *r, int timeout_ms)
{
	long deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1, left;

	evict(r);
	dns_achan_trim(r);
	r->completed = 0;
	r->woken = 0;
	for (;;) {
		dns_resolver_flush(r);
		if (r->completed > 0 || r->woken ||
		    r->inflight + r->nqueued == 0)
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
