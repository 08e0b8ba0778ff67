/*
 * dnssock.h - the sockets under the c-ares channel of lib/verify/dns.c, with
 * the datagrams of a loop turn sent and received in batches (sendmmsg(2),
 * recvmmsg(2)) instead of one system call each.
 */
#ifndef SA_DNSSOCK_H
#define SA_DNSSOCK_H

#include <ares.h>

struct dns_socks;

/* Gives ch sockets of ours: its UDP queries wait for dns_socks_flush(),
 * its UDP replies are read up to DNS_SOCK_BATCH at a time. NULL on
 * memory. */
struct dns_socks *dns_socks_new(ares_channel ch);
void dns_socks_free(struct dns_socks *);

/* Sends every query waiting. Returns a socket c-ares must read before the
 * loop waits (hand it to ares_process_fd()), or ARES_SOCKET_BAD: one with
 * replies read ahead and not taken, or one whose send failed (its queries
 * are dropped, and the read returns the error). */
ares_socket_t dns_socks_flush(struct dns_socks *);

/* Whether datagrams still wait to be sent (the kernel had no room). */
int dns_socks_pending(const struct dns_socks *);

#endif
