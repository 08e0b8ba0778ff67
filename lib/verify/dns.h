/*
 * dns.h - DNS answers as the verification engine sees them, and the two
 * sources that produce them: c-ares over the network (lib/verify/dns.c)
 * and, for tests only, an in-memory table (tests/double/dnstable.h).
 *
 * The engine (spf, dkim, dmarc, verify) is written as restartable,
 * synchronous code over a struct dns_source: it asks get(name, type); when
 * the answer is not known yet, get() returns NULL and records the question;
 * the evaluator then returns a "need DNS" result, the driver resolves every
 * recorded question asynchronously (many checks in flight on one c-ares
 * channel), and evaluates again from the start with the answers cached. An
 * evaluation is cheap next to a round trip, so a check with four sequential
 * lookups costs four quick re-runs and no threads.
 *
 * An answer is three-way where it matters (STYLE.md): records found;
 * authoritatively absent (NXDOMAIN, NODATA); could not ask (SERVFAIL,
 * timeout, refused, malformed reply).
 */
#ifndef SA_DNS_H
#define SA_DNS_H

#include <stddef.h>
#include <stdint.h>

enum dns_type {
	DNS_T_A = 1,
	DNS_T_NS = 2,
	DNS_T_CNAME = 5,
	DNS_T_PTR = 12,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28,
};

enum dns_status {
	DNS_OK,	      /* at least one RR of the type */
	DNS_NXDOMAIN, /* the name does not exist */
	DNS_NODATA,   /* the name exists, no RR of the type */
	DNS_SERVFAIL, /* SERVFAIL / REFUSED / garbage, or port unreachable */
	DNS_TIMEOUT,  /* no answer within the timeout and retries */
	DNS_STATUS__MAX
};

/* One resource record. For TXT, the character-strings of the RR are kept
 * apart (nstr, str[i], len[i]) so callers can both concatenate them (SPF,
 * DKIM: RFC 7208 §3.3, RFC 6376 §3.6.2.2) and report the split. */
struct dns_rr {
	enum dns_type type;
	union {
		uint8_t a[4];	  /* A */
		uint8_t aaaa[16]; /* AAAA */
		struct {	  /* MX */
			uint16_t pref;
			char *host;
		} mx;
		char *host; /* PTR, CNAME, NS */
		struct {    /* TXT */
			size_t nstr;
			char **str;  /* each NUL-terminated; may hold NULs */
			size_t *len; /* byte length of each string */
		} txt;
	} u;
};

/* Which way an answer came: from the recursive resolver, or from the
 * zone's authoritative servers asked directly (dns_resolver_ask()). */
enum dns_via { DNS_VIA_RECURSIVE, DNS_VIA_AUTHORITATIVE };

struct dns_answer {
	enum dns_status status;
	size_t nrr;
	struct dns_rr *rr;
	char *canon;	  /* the name after following CNAMEs, or NULL */
	enum dns_via via; /* DNS_VIA_RECURSIVE unless asked authoritatively */
};

/* A source of answers. get() returns the answer for (name, type), or NULL
 * when it is not known yet; in that case the source has recorded the question
 * and the caller must return its "need DNS" result. Names are compared
 * case-insensitively and without a trailing dot. The answer stays valid
 * for the life of the source. */
struct dns_source {
	const struct dns_answer *(*get)(void *ctx, const char *name,
					enum dns_type type);
	void *ctx;
};

const char *dns_status_name(enum dns_status);
/* SERVFAIL or timeout: the server could not answer ("could not ask", as
 * opposed to an answer that the name or the records do not exist). */
int dns_failed(const struct dns_answer *);

/* A TXT RR's storage, shared by both sources: one block holding the
 * array of pointers, the array of lengths, then n strings of bytes bytes
 * in all (NULs included). Sets rr->u.txt.str and .len and returns where
 * the strings go, or NULL; the caller fills str[i], len[i] and nstr. */
char *dns_txt_block(struct dns_rr *, size_t n, size_t bytes);
/* Frees what an RR holds (its host names or its TXT block). */
void dns_rr_release(struct dns_rr *);

/* The strings of one TXT RR concatenated, as DKIM and DMARC read a record
 * (RFC 6376 §3.6.2.2, RFC 7489 §6.6.3), in one allocation; past max only
 * up to the string that crosses it, which the caller refuses by length. */
char *dns_txt_join(const struct dns_rr *, size_t max, size_t *lenp);
/* Counts the TXT RRs of a (none unless its status is DNS_OK) whose text,
 * joined as dns_txt_join() does, satisfies match. When first is not NULL,
 * the first such text and its length are handed over in *first and
 * *firstlen (NULL when none). Returns the count, or -1 when memory ran
 * out (*first then NULL). */
long dns_txt_count(const struct dns_answer *a, size_t max,
		   int (*match)(const char *, size_t), char **first,
		   size_t *firstlen);
/* Asks src for the TXT RRs at <left>.<right> (DKIM's and DMARC's names
 * under a domain): 0 with *out set, 1 when the answer is not known yet
 * (the source recorded the question), -1 when memory ran out. */
int dns_get_txt(const struct dns_source *src, const char *left,
		const char *right, const struct dns_answer **out);
const char *dns_type_name(enum dns_type);

/*
 * c-ares resolver (lib/verify/dns.c, authoritative lookups in
 * lib/verify/dns-auth.c): one channel, many queries in flight, a cache of
 * answers per (name, type) for the life of the resolver.
 */
struct dns_resolver;
struct dns_resolver_opts {
	const char *const *servers; /* "HOST:PORT" or "HOST"; NULL = system */
	size_t nservers;
	int timeout_ms; /* per try */
	int tries;
	int max_inflight; /* cap on queries outstanding at once */
	/* 0: every answer is kept for the life of the resolver. Otherwise at
	 * most this many answers are kept, the least recently used dropped
	 * when dns_resolver_wait() starts; for restartable evaluators, which
	 * hold no answer across a wait (lib/verify/verify.c's batch), so that a
	 * run over any number of domains uses bounded memory. */
	size_t max_cached;
	/* The port authoritative servers are asked on; 0: 53. Another port
	 * is for benchmarks against one local server. */
	int auth_port;
};
struct dns_resolver *dns_resolver_new(const struct dns_resolver_opts *);
void dns_resolver_free(struct dns_resolver *);
/* A source over the resolver's cache: get() answers from the cache, or
 * records the question and returns NULL. An answer stays valid for the
 * life of the resolver, or with max_cached until the next
 * dns_resolver_wait(). */
struct dns_source dns_resolver_source(struct dns_resolver *);
/* Sends every question recorded since the last call. */
void dns_resolver_flush(struct dns_resolver *);
/* Runs the event loop until at least one outstanding query completes (or
 * timeout_ms passes, or a watched descriptor becomes readable); returns
 * the number of queries still outstanding. */
int dns_resolver_wait(struct dns_resolver *, int timeout_ms);
/* Other descriptors the event loop also waits on (at most
 * DNS_MAX_WATCH, -1 entries ignored), replacing those watched before:
 * when one is readable the wait returns and dns_resolver_woken() says so
 * until the next wait starts. Lets a driver serve its own connections
 * (the database's, lib/verify/sweep.c) without polling them per answer. */
#define DNS_MAX_WATCH 4
void dns_resolver_watch(struct dns_resolver *, const int *fds, size_t n);
int dns_resolver_woken(const struct dns_resolver *);
/* Callback when a given question's answer arrives, so a driver can resume
 * the checks waiting on it. */
typedef void (*dns_done_fn)(void *arg, const char *name, enum dns_type);
void dns_resolver_on_done(struct dns_resolver *, dns_done_fn, void *arg);

/*
 * Per-question waiters, for drivers that run many restartable checks over
 * one resolver (lib/verify/verify.c). dns_resolver_get() is the source's get()
 * with a waiter: when the answer is not known yet it records the question, and,
 * when w is not NULL, registers w->fn(w->arg) to be called once when the
 * answer arrives (from inside dns_resolver_wait()). Registering the same
 * check twice for one question calls it twice. dns_resolver_cancel() drops
 * every waiter registered with the given owner, so a driver can be freed
 * while queries are still outstanding.
 */
typedef void (*dns_wait_fn)(void *arg);
struct dns_wait {
	dns_wait_fn fn;
	void *arg;
	const void *owner;
};
const struct dns_answer *dns_resolver_get(struct dns_resolver *,
					  const char *name, enum dns_type,
					  const struct dns_wait *w);
void dns_resolver_cancel(struct dns_resolver *, const void *owner);

/*
 * dns_resolver_get(), asking the authoritative servers of the name's zone
 * directly when authoritative is set: a recursive resolver may hold a
 * negative answer from before the record was published. The zone cut is
 * the closest enclosing name with NS records, found by asking NS of the
 * name and its parents through the recursive resolver; the NS hosts'
 * addresses (A) come from it too. Those answers are ordinary cache
 * entries, so a run asks them once for every domain sharing a zone or a
 * name server. The question then goes to the zone's servers, recursion
 * not desired (RD=0), one c-ares channel per set of server addresses
 * (at most 8, each tried once, sharing one try's timeout; the 64 most
 * recently used kept once no question uses them); a reply
 * counts only with the AA bit set; a CNAME whose target lies in
 * another zone is followed there with that zone's servers. When no
 * authoritative answer can be had (no cut, no address, every server timed
 * out, refused or failed, a reply without AA), the question is asked of
 * the recursive resolver instead, from the start. An answer says which
 * way it came (dns_answer.via); the two ways are cached apart.
 */
const struct dns_answer *dns_resolver_ask(struct dns_resolver *,
					  const char *name, enum dns_type,
					  int authoritative,
					  const struct dns_wait *w);

/* Counters for benchmarks and the run summary. */
struct dns_stats {
	unsigned long questions;  /* distinct (name, type) asked */
	unsigned long queries;	  /* queries handed to c-ares (incl. CNAME
				     chases; not c-ares' own retries) */
	unsigned long retries;	  /* tries that timed out inside c-ares */
	unsigned long cache_hits; /* get() answered from the cache */
	unsigned long evicted;	  /* answers dropped (max_cached) */
	unsigned long by_status[DNS_STATUS__MAX];
	int max_inflight;	      /* most queries outstanding at once */
	unsigned long auth_queries;   /* of queries, to authoritative servers */
	unsigned long auth_fallbacks; /* authoritative questions answered by
					 the recursive resolver instead */
	unsigned long auth_channels;  /* sets of authoritative servers */
	unsigned long auth_channels_open; /* their channels not freed yet */
};
void dns_resolver_stats(const struct dns_resolver *, struct dns_stats *);

/*
 * The reply parser (lib/verify/dnsreply.c). Parses a DNS reply (RFC 1035 §4.1)
 * for the question (qname, qtype) into *out: the RRs of qtype owned by
 * qname or by the end of the CNAME chain from qname in the answer section.
 * When recursion was not available (an authoritative server), a chain that
 * ends without data returns 1 so the caller asks the target. Every length in
 * the message is checked against its bounds; names are decompressed with a hop
 * limit. Returns 0 with out->status set; 1 when the chain leaves the answer
 * without data (out->canon names the target to ask next, status DNS_NODATA); -1
 * on allocation failure. A malformed message gives DNS_SERVFAIL.
 * dns_reply_release() frees what *out holds.
 */
int dns_reply_parse(const unsigned char *msg, size_t len, const char *qname,
		    enum dns_type qtype, struct dns_answer *out);
void dns_reply_release(struct dns_answer *);

#endif
