/*
 * fakens.h - a tiny authoritative DNS server on 127.0.0.1 for the resolver
 * and batch tests: a thread answers UDP queries from an in-memory
 * dns_table (tests/double/dnstable.c), so lib/verify/dns.c is exercised over
 * real sockets without NSD. A (name, type) the table marks DNS_TIMEOUT gets no
 * reply; DNS_SERVFAIL gets RCODE 2. A CNAME chain the table followed is
 * answered as one CNAME RR from the question to the canonical name, then the
 * RRs (or, with cname_only set, the CNAME alone, as an authoritative server
 * does for a target outside its zones). With ra set, replies say recursion
 * available, as a server that is authoritative and recursive at once does.
 * Only what the tests need: one question per query, no compression.
 */
#ifndef SA_FAKENS_H
#define SA_FAKENS_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns.h"
#include "dnstable.h"

struct fakens {
	int fd;
	int port;
	pthread_t thread;
	atomic_int stop;
	atomic_int queries;    /* queries received */
	atomic_int drop;       /* queries to drop before answering again */
	atomic_int cname_only; /* answer a CNAME without following it */
	atomic_int ra;	       /* set RA in replies */
	atomic_int edns;       /* the last query carried an OPT RR */
	struct dns_table *table;
	pthread_mutex_t lock; /* held while the table is read or changed */
};

/* Appends a name as uncompressed labels; 0 / -1. */
static int
fakens_name(unsigned char *m, size_t *o, size_t cap, const char *name)
{
	const char *dot;
	size_t l;

	while (*name != '\0') {
		dot = strchr(name, '.');
		l = dot != NULL ? (size_t)(dot - name) : strlen(name);
		if (l == 0 || l > 63 || *o + l + 1 >= cap)
			return -1;
		m[(*o)++] = (unsigned char)l;
		memcpy(m + *o, name, l);
		*o += l;
		name += l + (dot != NULL);
	}
	m[(*o)++] = 0;
	return 0;
}

static void
fakens_put16(unsigned char *m, size_t o, unsigned v)
{
	m[o] = (unsigned char)(v >> 8);
	m[o + 1] = (unsigned char)v;
}

/* Appends one RR owned by owner; 0 / -1 when it does not fit. */
static int
fakens_rr(unsigned char *m, size_t *o, size_t cap, const char *owner,
	  const struct dns_rr *rr)
{
	size_t rdstart, i;

	if (fakens_name(m, o, cap, owner) == -1 || *o + 10 > cap)
		return -1;
	fakens_put16(m, *o, rr->type);
	fakens_put16(m, *o + 2, 1);
	memset(m + *o + 4, 0, 4);
	m[*o + 7] = 60; /* TTL */
	*o += 10;
	rdstart = *o;
	switch (rr->type) {
	case DNS_T_A:
		memcpy(m + *o, rr->u.a, 4);
		*o += 4;
		break;
	case DNS_T_AAAA:
		memcpy(m + *o, rr->u.aaaa, 16);
		*o += 16;
		break;
	case DNS_T_MX:
		fakens_put16(m, *o, rr->u.mx.pref);
		*o += 2;
		if (fakens_name(m, o, cap, rr->u.mx.host) == -1)
			return -1;
		break;
	case DNS_T_TXT:
		for (i = 0; i < rr->u.txt.nstr; i++) {
			if (*o + 1 + rr->u.txt.len[i] > cap)
				return -1;
			m[(*o)++] = (unsigned char)rr->u.txt.len[i];
			memcpy(m + *o, rr->u.txt.str[i], rr->u.txt.len[i]);
			*o += rr->u.txt.len[i];
		}
		break;
	default:
		if (fakens_name(m, o, cap, rr->u.host) == -1)
			return -1;
	}
	fakens_put16(m, rdstart - 2, (unsigned)(*o - rdstart));
	return 0;
}

/* Reads the question's name (uncompressed) into name; its end in *end. */
static int
fakens_qname(const unsigned char *q, size_t len, char *name, size_t cap,
	     size_t *end)
{
	size_t o = 12, n = 0, l;

	while (o < len && q[o] != 0) {
		l = q[o];
		if (l > 63 || o + 1 + l >= len || n + l + 2 > cap)
			return -1;
		if (n > 0)
			name[n++] = '.';
		memcpy(name + n, q + o + 1, l);
		n += l;
		o += 1 + l;
	}
	if (o + 5 > len)
		return -1;
	name[n] = '\0';
	*end = o + 5;
	return 0;
}

/* Builds the reply to one query; returns its length, or 0 for none. */
static size_t
fakens_answer(struct fakens *f, const unsigned char *q, size_t len,
	      unsigned char *m, size_t cap)
{
	const struct dns_answer *a;
	struct dns_source src = dns_table_source(f->table);
	struct dns_rr cname;
	char name[300];
	size_t o, i, an = 0;
	unsigned type;

	if (len < 12 || fakens_qname(q, len, name, sizeof name, &o) == -1)
		return 0;
	type = (unsigned)(q[o - 4] << 8 | q[o - 3]);
	if ((a = src.get(src.ctx, name, (enum dns_type)type)) == NULL ||
	    a->status == DNS_TIMEOUT)
		return 0;
	memcpy(m, q, o);
	m[2] = (unsigned char)(0x84 | (q[2] & 0x01)); /* QR AA, RD kept */
	m[3] = a->status == DNS_NXDOMAIN   ? 3
	       : a->status == DNS_SERVFAIL ? 2
					   : 0;
	if (atomic_load(&f->ra))
		m[3] |= 0x80;
	memset(m + 6, 0, 6);
	atomic_store(&f->edns, q[10] != 0 || q[11] != 0);
	if (a->canon != NULL) {
		cname.type = DNS_T_CNAME;
		cname.u.host = a->canon;
		if (fakens_rr(m, &o, cap, name, &cname) == 0)
			an++;
		if (atomic_load(&f->cname_only)) {
			m[3] &= 0x80;
			fakens_put16(m, 6, (unsigned)an);
			return o;
		}
	}
	for (i = 0; a->status == DNS_OK && i < a->nrr; i++)
		if (fakens_rr(m, &o, cap, a->canon ? a->canon : name,
			      &a->rr[i]) == 0)
			an++;
	fakens_put16(m, 6, (unsigned)an);
	return o;
}

static void *
fakens_loop(void *arg)
{
	struct fakens *f = arg;
	unsigned char q[512], m[4096];
	struct sockaddr_in from;
	socklen_t flen;
	struct pollfd p;
	ssize_t n;
	size_t r;

	while (!atomic_load(&f->stop)) {
		p.fd = f->fd;
		p.events = POLLIN;
		if (poll(&p, 1, 50) <= 0)
			continue;
		flen = sizeof from;
		n = recvfrom(f->fd, q, sizeof q, 0, (struct sockaddr *)&from,
			     &flen);
		if (n <= 0)
			continue;
		atomic_fetch_add(&f->queries, 1);
		if (atomic_load(&f->drop) > 0) {
			atomic_fetch_sub(&f->drop, 1);
			continue;
		}
		pthread_mutex_lock(&f->lock);
		r = fakens_answer(f, q, (size_t)n, m, sizeof m);
		pthread_mutex_unlock(&f->lock);
		if (r > 0)
			sendto(f->fd, m, r, 0, (struct sockaddr *)&from, flen);
	}
	return NULL;
}

/* Starts the server over table t (still owned by the caller); 0 / -1. */
static int
fakens_start(struct fakens *f, struct dns_table *t)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;

	memset(f, 0, sizeof *f);
	f->table = t;
	pthread_mutex_init(&f->lock, NULL);
	if ((f->fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(f->fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    getsockname(f->fd, (struct sockaddr *)&sin, &len) == -1)
		return -1;
	f->port = ntohs(sin.sin_port);
	return pthread_create(&f->thread, NULL, fakens_loop, f) == 0 ? 0 : -1;
}

static void
fakens_stop(struct fakens *f)
{
	atomic_store(&f->stop, 1);
	pthread_join(f->thread, NULL);
	close(f->fd);
	pthread_mutex_destroy(&f->lock);
}

#endif
