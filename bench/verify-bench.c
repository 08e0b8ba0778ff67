/*
 * verify-bench.c - checks every domain of a file with the verification
 * engine (lib/verify.c's batch over one c-ares resolver) and prints what
 * the benchmark script needs: domains per second, DNS queries per domain
 * and the number of tempfail verdicts, as "key value" lines.
 *
 *   verify-bench --resolver HOST:PORT --domains FILE --selector SEL
 *                --dkim-p BASE64 [--inflight N] [--active N]
 *                [--timeout MS] [--tries N] [--spf-ip IP] [--spf-include NAME]
 *
 * The clock runs from the first check added to the last one completed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns.h"
#include "spf.h"
#include "util.h"
#include "verify.h"

struct counts {
	unsigned long done, verified, tempfail, failed;
};

struct bench_opts {
	const char *resolver, *domains, *selector, *dkim_p;
	const char *spf_ip, *spf_include;
	long inflight, active, timeout, tries;
};

static int
is(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

static void
on_done(void *arg, void *user, const struct verify_request *req,
	const struct verify_result *res)
{
	struct counts *c = arg;

	c->done++;
	if (res == NULL) {
		c->failed++;
		return;
	}
	if (verify_result_verified(res))
		c->verified++;
	if (is(res->spf.status, "tempfail") ||
	    is(res->dkim.status, "tempfail") ||
	    is(res->dmarc.status, "tempfail")) {
		if (c->tempfail++ < 5)
			fprintf(stderr,
				"tempfail: %s (spf %s, dkim %s, dmarc "
				"%s)\n",
				req->domain, res->spf.reason, res->dkim.reason,
				res->dmarc.reason);
	}
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
parse_opts(int argc, char **argv, struct bench_opts *o)
{
	static const struct option longopts[] = {
	    {"resolver", required_argument, NULL, 'r'},
	    {"domains", required_argument, NULL, 'd'},
	    {"selector", required_argument, NULL, 's'},
	    {"dkim-p", required_argument, NULL, 'p'},
	    {"inflight", required_argument, NULL, 'q'},
	    {"active", required_argument, NULL, 'a'},
	    {"timeout", required_argument, NULL, 't'},
	    {"tries", required_argument, NULL, 'n'},
	    {"spf-ip", required_argument, NULL, 'i'},
	    {"spf-include", required_argument, NULL, 'I'},
	    {NULL, 0, NULL, 0},
	};
	long *num;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->resolver = optarg;
			continue;
		case 'd':
			o->domains = optarg;
			continue;
		case 's':
			o->selector = optarg;
			continue;
		case 'p':
			o->dkim_p = optarg;
			continue;
		case 'i':
			o->spf_ip = optarg;
			continue;
		case 'I':
			o->spf_include = optarg;
			continue;
		case 'q':
			num = &o->inflight;
			break;
		case 'a':
			num = &o->active;
			break;
		case 't':
			num = &o->timeout;
			break;
		case 'n':
			num = &o->tries;
			break;
		default:
			return -1;
		}
		if (parse_long(optarg, 1, 1000000, num) == -1)
			return -1;
	}
	return o->resolver && o->domains && o->selector && o->dkim_p ? 0 : -1;
}

/* Adds one check per line of the file; returns the count, or -1. */
static long
add_domains(struct verify_batch *b, const struct bench_opts *o)
{
	struct verify_request req = {NULL, o->selector, o->dkim_p};
	char line[512];
	long n = 0;
	FILE *f;

	if ((f = fopen(o->domains, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		req.domain = line;
		if (verify_batch_add(b, &req, NULL) == -1) {
			n = -1;
			break;
		}
		n++;
	}
	fclose(f);
	return n;
}

static void
report(const struct counts *c, const struct dns_stats *st, long n, double secs)
{
	printf("domains %ld\n", n);
	printf("seconds %.3f\n", secs);
	printf("domains_per_s %.0f\n", n / secs);
	printf("queries %lu\n", st->queries);
	printf("queries_per_domain %.3f\n", (double)st->queries / n);
	printf("retries %lu\n", st->retries);
	printf("max_inflight %d\n", st->max_inflight);
	printf("timeouts %lu\n", st->by_status[DNS_TIMEOUT]);
	printf("servfails %lu\n", st->by_status[DNS_SERVFAIL]);
	printf("verified %lu\n", c->verified);
	printf("tempfail %lu\n", c->tempfail);
	printf("failed %lu\n", c->failed + (unsigned long)n - c->done);
}

int
main(int argc, char **argv)
{
	struct bench_opts o = {
	    NULL, NULL, NULL, NULL, "210.198.21.20", "m01-ahd-sys.net",
	    1000, 4000, 2000, 2};
	const char *ips[1], *servers[1];
	struct dns_resolver_opts ro;
	struct spf_platform pf;
	struct counts c;
	struct dns_stats st;
	struct dns_resolver *r;
	struct verify_batch *b;
	double t0;
	long n;

	if (parse_opts(argc, argv, &o) == -1) {
		fprintf(stderr, "usage: verify-bench --resolver HOST:PORT "
				"--domains FILE --selector SEL --dkim-p B64 "
				"[--inflight N] [--active N] [--timeout MS] "
				"[--tries N] [--spf-ip IP] [--spf-include "
				"NAME]\n");
		return 2;
	}
	memset(&c, 0, sizeof c);
	servers[0] = o.resolver;
	ips[0] = o.spf_ip;
	ro = (struct dns_resolver_opts){servers, 1, (int)o.timeout,
					(int)o.tries, (int)o.inflight};
	pf = (struct spf_platform){ips, 1, o.spf_include, SPF_POLICY_SOFTFAIL};
	if ((r = dns_resolver_new(&ro)) == NULL ||
	    (b = verify_batch_new(r, &pf, (size_t)o.active, on_done, &c)) ==
		NULL)
		return 1;
	t0 = now_s();
	if ((n = add_domains(b, &o)) <= 0) {
		fprintf(stderr, "verify-bench: no domains from %s\n",
			o.domains);
		return 1;
	}
	verify_batch_run(b, -1);
	dns_resolver_stats(r, &st);
	report(&c, &st, n, now_s() - t0);
	verify_batch_free(b);
	dns_resolver_free(r);
	return c.tempfail == 0 && c.failed == 0 ? 0 : 1;
}
