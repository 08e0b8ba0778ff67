/*
 * dns-int.h - what the two files of the c-ares resolver share, and nothing
 * outside them includes: a cache entry (one question and its answer), a
 * c-ares channel, the resolver itself, and the functions each file offers
 * the other. lib/verify/dns.h stays the interface for everyone else.
 *
 *   dns.c       the cache, the recursive resolver's channel, the send
 *               queue, replies to recursive queries, the event loop over
 *               poll() serving every channel, and the public API
 *   dns-auth.c  authoritative questions: the walk to the zone cut and its
 *               servers' addresses, the channels to those servers (struct
 *               achan), their replies, and the fallback to the recursive
 *               resolver
 */
#ifndef SA_DNS_INT_H
#define SA_DNS_INT_H

#include <ares.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "dns.h"

#define EDNS_SIZE 1232 /* fits 2048-bit DKIM keys, avoids fragmentation */

struct dns_socks;
struct slot;

enum estate { E_QUEUED, E_SENT, E_WAIT, E_DONE };
/* An authoritative question's progress: walking to the zone's servers
 * (the NS of the name or a parent, their addresses), asked of them, or
 * handed to the recursive resolver. */
enum aphase { A_NONE, A_WALK, A_QUERY, A_FALLBACK };

/* A c-ares channel: the recursive resolver's, or one per set of
 * authoritative server addresses (servers, the CSV of "IP:PORT"). */
struct achan {
	struct achan *next;
	struct dns_resolver *r;
	ares_channel ch;
	int inflight;
	int users;	    /* entries in A_QUERY on it, queued or sent */
	unsigned long used; /* r->chan_uses when last asked for */
	char *servers;
};

struct waiter {
	struct dns_wait w;
	struct waiter *next;
};

struct entry {
	struct entry *qnext;	     /* send queue */
	struct entry *lprev, *lnext; /* answered entries, least recent first */
	struct dns_resolver *r;
	char *ask; /* CNAME target being chased, or NULL */
	enum dns_type type;
	enum estate state;
	int hops;
	unsigned char auth;  /* asked authoritatively: part of the key */
	unsigned char phase; /* enum aphase */
	int nwait;	     /* answers the walk's last pass waits on */
	struct achan *chan;  /* A_QUERY: the zone's servers */
	struct waiter *waiters;
	struct dns_answer ans;
	char name[]; /* the key: lowercased, no trailing dot */
};

struct dns_resolver {
	ares_channel ch;
	struct achan rec;    /* the same channel, for the event loop */
	struct achan *chans; /* authoritative servers' channels */
	size_t nchans;
	unsigned long chan_uses; /* times a channel was asked for */
	int timeout_ms, auth_port;
	struct dns_socks *socks; /* its sockets (lib/verify/dnssock.c) */
	struct slot *tab;
	size_t tabsz, nent;
	struct entry *qhead, *qtail;
	size_t nqueued;
	struct entry *lru_head, *lru_tail; /* answered entries */
	size_t nanswered, max_cached;
	int inflight, max_inflight;
	int completed; /* answers since dns_resolver_wait() started */
	int watch[DNS_MAX_WATCH]; /* dns_resolver_watch() */
	size_t nwatch;
	int woken;	      /* a watched descriptor was readable */
	struct waiter *spare; /* waiter nodes kept for reuse */
	struct pollfd *pfd, *pcopy;
	struct achan **pch, **pchcopy; /* the channel of each pfd */
	size_t npfd, cappfd, capcopy;
	dns_done_fn done_fn;
	void *done_arg;
	struct dns_stats st;
};

/*
 * dns.c
 */

/* Queues e to be sent, at the front of the queue when front is set. */
void dns_enqueue(struct dns_resolver *, struct entry *, int front);
/* Stores the answer, wakes the waiters and the done callback. */
void dns_finish(struct entry *, const struct dns_answer *);
/* A reply left a CNAME without its target's data (a->canon): e asks the
 * target next, unless the chain is too long (-1, a kept). */
int dns_chase(struct entry *, struct dns_answer *);
/* c-ares' socket state callback for every channel (data: its achan). */
void dns_sock_state(void *data, ares_socket_t fd, int readable, int writable);

/*
 * dns-auth.c
 */

/* One pass of an authoritative question's walk; never completes e at
 * once. */
void dns_auth_pass(struct entry *);
/* The reply (or none: abuf NULL) of the zone's servers to e. */
void dns_auth_reply(struct entry *, const unsigned char *abuf, int alen);
/* Destroys an authoritative servers' channel; its queries end with
 * ARES_EDESTRUCTION. */
void dns_achan_free(struct achan *);
/* Frees the least recently used channels no entry uses, beyond a cap.
 * Only between evaluation passes (dns_resolver_wait()): no c-ares
 * callback runs then, and no pollfd copy names a channel. */
void dns_achan_trim(struct dns_resolver *);

#endif
