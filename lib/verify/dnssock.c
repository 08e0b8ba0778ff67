/*
 * dnssock.c - the sockets of the c-ares channel (ares_set_socket_functions),
 * so that a loop turn's UDP queries leave in one sendmmsg(2) and replies
 * come in up to DNS_SOCK_BATCH per recvmmsg(2). A system call costs about
 * as much as the work of a small datagram on the machines we run on, and
 * a verifier run sends three queries per domain.
 *
 * c-ares believes a UDP query sent once it is queued here; lib/verify/dns.c
 * calls dns_socks_flush() before it waits. c-ares reads a socket until it would
 * block, so replies read ahead are handed over in the same turn (when it
 * stops early, dns_socks_flush() says so). An error the kernel reports on
 * a send (a port unreachable, say) is kept and returned by the next read,
 * where c-ares handles it as it does when recvfrom(2) reports it.
 * TCP sockets, and UDP ones beyond MAX_SOCKS, do plain system calls.
 *
 * What does not belong here: queries, answers, the cache (lib/verify/dns.c).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "dnssock.h"

#define DNS_SOCK_BATCH 64
#define MAX_SOCKS 8
#define OUT_MAX 512 /* a query: header, a name of 255, question, OPT */
#define IN_MAX 4097 /* what c-ares reads a UDP reply into */

struct sock {
	int fd;
	int err; /* errno of a failed send, for the next read */
	/* queries waiting: out[first] .. out[nout - 1] */
	size_t first, nout;
	size_t outlen[DNS_SOCK_BATCH];
	struct mmsghdr shdr[DNS_SOCK_BATCH];
	struct iovec siov[DNS_SOCK_BATCH];
	unsigned char out[DNS_SOCK_BATCH][OUT_MAX];
	/* replies read: in[next] .. in[nin - 1] */
	size_t next, nin;
	struct mmsghdr rhdr[DNS_SOCK_BATCH];
	struct iovec riov[DNS_SOCK_BATCH];
	struct sockaddr_storage from[DNS_SOCK_BATCH];
	unsigned char in[DNS_SOCK_BATCH][IN_MAX];
};

struct dns_socks {
	struct sock *s[MAX_SOCKS];
};

static struct sock *
find(struct dns_socks *ss, int fd)
{
	size_t i;

	for (i = 0; i < MAX_SOCKS; i++)
		if (ss->s[i] != NULL && ss->s[i]->fd == fd)
			return ss->s[i];
	return NULL;
}

static ares_socket_t
s_socket(int af, int type, int proto, void *data)
{
	struct dns_socks *ss = data;
	int fd, one = 1;
	size_t i;

	if ((fd = socket(af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto)) == -1)
		return ARES_SOCKET_BAD;
	if (type == SOCK_STREAM)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (type != SOCK_DGRAM)
		return fd;
	for (i = 0; i < MAX_SOCKS && ss->s[i] != NULL; i++)
		;
	if (i < MAX_SOCKS && (ss->s[i] = calloc(1, sizeof *ss->s[i])) != NULL)
		ss->s[i]->fd = fd;
	return fd; /* without a slot: plain system calls */
}

static int
s_close(ares_socket_t fd, void *data)
{
	struct dns_socks *ss = data;
	size_t i;

	for (i = 0; i < MAX_SOCKS; i++)
		if (ss->s[i] != NULL && ss->s[i]->fd == fd) {
			free(ss->s[i]);
			ss->s[i] = NULL;
		}
	return close(fd);
}

static int
s_connect(ares_socket_t fd, const struct sockaddr *sa, ares_socklen_t len,
	  void *data)
{
	return connect(fd, sa, len);
}

/* Sends what waits on s; on an error other than a full buffer, drops it
 * and keeps the error for the next read. */
static void
flush_one(struct sock *s)
{
	size_t i, n = s->nout - s->first;
	int sent;

	for (i = 0; i < n; i++) {
		s->siov[i].iov_base = s->out[s->first + i];
		s->siov[i].iov_len = s->outlen[s->first + i];
		memset(&s->shdr[i], 0, sizeof s->shdr[i]);
		s->shdr[i].msg_hdr.msg_iov = &s->siov[i];
		s->shdr[i].msg_hdr.msg_iovlen = 1;
	}
	for (i = 0; i < n;) {
		sent = sendmmsg(s->fd, s->shdr + i, (unsigned)(n - i), 0);
		if (sent > 0)
			i += (size_t)sent;
		else if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		else if (errno != EINTR) {
			s->err = errno;
			i = n;
		}
	}
	s->first += i;
	if (s->first == s->nout)
		s->first = s->nout = 0;
}

static ares_ssize_t
s_sendv(ares_socket_t fd, const struct iovec *iov, int n, void *data)
{
	struct sock *s = find(data, fd);
	size_t len = 0, at = 0;
	int i;

	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (s == NULL || len > OUT_MAX)
		return writev(fd, iov, n);
	if (s->nout == DNS_SOCK_BATCH)
		flush_one(s);
	if (s->nout == DNS_SOCK_BATCH && s->first > 0) {
		memmove(s->out, s->out[s->first],
			(s->nout - s->first) * sizeof s->out[0]);
		memmove(s->outlen, s->outlen + s->first,
			(s->nout - s->first) * sizeof s->outlen[0]);
		s->nout -= s->first;
		s->first = 0;
	}
	if (s->nout == DNS_SOCK_BATCH) {
		errno = EAGAIN;
		return -1;
	}
	for (i = 0; i < n; i++) {
		memcpy(s->out[s->nout] + at, iov[i].iov_base, iov[i].iov_len);
		at += iov[i].iov_len;
	}
	s->outlen[s->nout++] = len;
	return (ares_ssize_t)len;
}

/* Reads up to DNS_SOCK_BATCH replies into s; -1 with errno when none. */
static int
fill(struct sock *s)
{
	int i, got;

	for (i = 0; i < DNS_SOCK_BATCH; i++) {
		s->riov[i].iov_base = s->in[i];
		s->riov[i].iov_len = IN_MAX;
		memset(&s->rhdr[i], 0, sizeof s->rhdr[i]);
		s->rhdr[i].msg_hdr.msg_iov = &s->riov[i];
		s->rhdr[i].msg_hdr.msg_iovlen = 1;
		s->rhdr[i].msg_hdr.msg_name = &s->from[i];
		s->rhdr[i].msg_hdr.msg_namelen = sizeof s->from[i];
	}
	got = recvmmsg(s->fd, s->rhdr, DNS_SOCK_BATCH, MSG_DONTWAIT, NULL);
	if (got <= 0)
		return -1;
	s->next = 0;
	s->nin = (size_t)got;
	return 0;
}

static ares_ssize_t
s_recvfrom(ares_socket_t fd, void *buf, size_t len, int flags,
	   struct sockaddr *from, ares_socklen_t *fromlen, void *data)
{
	struct sock *s = find(data, fd);
	struct msghdr *m;
	size_t n;

	if (s == NULL || from == NULL)
		return recvfrom(fd, buf, len, flags, from, fromlen);
	if (s->err != 0) {
		errno = s->err;
		s->err = 0;
		return -1;
	}
	if (s->next == s->nin && fill(s) == -1)
		return -1;
	m = &s->rhdr[s->next].msg_hdr;
	n = s->rhdr[s->next].msg_len < len ? s->rhdr[s->next].msg_len : len;
	memcpy(buf, s->in[s->next], n);
	if (m->msg_namelen < *fromlen)
		*fromlen = m->msg_namelen;
	memcpy(from, &s->from[s->next], *fromlen);
	s->next++;
	return (ares_ssize_t)n;
}

static const struct ares_socket_functions funcs = {
    s_socket, s_close, s_connect, s_recvfrom, s_sendv,
};

struct dns_socks *
dns_socks_new(ares_channel ch)
{
	struct dns_socks *ss = calloc(1, sizeof *ss);

	if (ss != NULL)
		ares_set_socket_functions(ch, &funcs, ss);
	return ss;
}

void
dns_socks_free(struct dns_socks *ss)
{
	size_t i;

	if (ss == NULL)
		return;
	for (i = 0; i < MAX_SOCKS; i++)
		free(ss->s[i]);
	free(ss);
}

ares_socket_t
dns_socks_flush(struct dns_socks *ss)
{
	size_t i;

	for (i = 0; i < MAX_SOCKS; i++) {
		if (ss->s[i] == NULL)
			continue;
		if (ss->s[i]->nout > ss->s[i]->first)
			flush_one(ss->s[i]);
		if (ss->s[i]->err != 0 || ss->s[i]->next < ss->s[i]->nin)
			return ss->s[i]->fd;
	}
	return ARES_SOCKET_BAD;
}

int
dns_socks_pending(const struct dns_socks *ss)
{
	size_t i;

	for (i = 0; i < MAX_SOCKS; i++)
		if (ss->s[i] != NULL && ss->s[i]->nout > ss->s[i]->first)
			return 1;
	return 0;
}
