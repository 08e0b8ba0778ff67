/*
 * verify-bench.c - checks every domain of a file with the verification
 * engine (lib/verify/verify.c's batch over one c-ares resolver) and prints what
 * the benchmark script needs: domains per second, DNS queries per domain
 * and the number of tempfail verdicts, as "key value" lines.
 *
 *   verify-bench --resolver HOST:PORT --domains FILE --selector SEL
 *                --dkim-p BASE64 [--inflight N] [--active N]
 *                [--timeout MS] [--tries N] [--cache N] [--spf-ip IP]
 *                [--spf-include NAME] [--authoritative [--auth-port N]]
 *
 * --cache N keeps at most N answers in the resolver (max_cached); 0, the
 * default, keeps every answer for the run. --authoritative asks every
 * question at the zone's authoritative servers (dns_resolver_ask()), on
 * port N (auth_port; default 53).
 *
 * The domains are read into memory first; checks are then fed to the batch
 * as earlier ones complete (twice the cap on active checks queued), the way
 * `verifier run` feeds claimed domains, so memory holds the checks in
 * progress and the resolver's cache, not every check at once. The clock
 * runs from the first check added to the last one completed.
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

/* The domains, and the feed of checks into the batch. */
struct feed {
	char **names;
	long n, next, queued_max;
	struct verify_batch *b;
	struct verify_request req;
	struct counts c;
	int err;
};

struct bench_opts {
	const char *resolver, *domains, *selector, *dkim_p;
	const char *spf_ip, *spf_include;
	long inflight, active, timeout, tries, cache;
	long authoritative, auth_port; /* --authoritative [--auth-port] */
};

/* Tops the batch up to queued_max checks not complete. */
static void
feed_more(struct feed *f)
{
	while (f->next < f->n &&
	       (long)verify_batch_pending(f->b) < f->queued_max) {
		f->req.domain = f->names[f->next++];
		if (verify_batch_add(f->b, &f->req, NULL) == -1) {
			f->err = 1;
			return;
		}
	}
}

static void
on_done(void *arg, void *user, const struct verify_request *req,
	const struct verify_result *res)
{
	struct feed *f = arg;
	struct counts *c = &f->c;

	c->done++;
	if (res == NULL)
		c->failed++;
	else if (verify_result_verified(res))
		c->verified++;
	if (res != NULL &&
	    (res->spf.status == SPF_STATUS_TEMPFAIL ||
	     res->dkim.status == DKIM_STATUS_TEMPFAIL ||
	     res->dmarc.status == DMARC_STATUS_TEMPFAIL) &&
	    c->tempfail++ < 5)
		fprintf(stderr, "tempfail: %s (spf %s, dkim %s, dmarc %s)\n",
			req->domain, spf_reason_name(res->spf.reason),
			dkim_reason_name(res->dkim.reason),
			dmarc_reason_name(res->dmarc.reason));
	feed_more(f);
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
	    {"cache", required_argument, NULL, 'c'},
	    {"spf-ip", required_argument, NULL, 'i'},
	    {"spf-include", required_argument, NULL, 'I'},
	    {"authoritative", no_argument, NULL, 'A'},
	    {"auth-port", required_argument, NULL, 'P'},
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
		case 'A':
			o->authoritative = 1;
			continue;
		case 'P':
			num = &o->auth_port;
			break;
		case 'q':
			num = &o->inflight;
			break;
		case 'a':
			num = &o->active;
			break;
		case 't':
			num = &o->timeout;
			break;
		case 'c':
			num = &o->cache;
			break;
		case 'n':
			num = &o->tries;
			break;
		default:
			return -1;
		}
		if (parse_long(optarg, 0, 1000000, num) == -1)
			return -1;
	}
	return o->resolver && o->domains && o->selector && o->dkim_p ? 0 : -1;
}

/* Reads the domains, one per line, into f->names; returns the count. */
static long
read_domains(const char *path, struct feed *f)
{
	char line[512], **names;
	long cap = 0;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (f->n == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((names = realloc(f->names, cap * sizeof *names)) ==
			    NULL)
				break;
			f->names = names;
		}
		if ((f->names[f->n] = strdup(line)) == NULL)
			break;
		f->n++;
	}
	fclose(fp);
	return f->n;
}

static void
report(const struct counts *c, const struct dns_stats *st, long n, double secs,
       int authoritative)
{
	printf("mode %s\n", authoritative ? "authoritative" : "recursive");
	printf("domains %ld\n", n);
	printf("seconds %.3f\n", secs);
	printf("domains_per_s %.0f\n", n / secs);
	printf("queries %lu\n", st->queries);
	printf("queries_per_domain %.3f\n", (double)st->queries / n);
	printf("auth_queries %lu\n", st->auth_queries);
	printf("auth_fallbacks %lu\n", st->auth_fallbacks);
	printf("auth_channels %lu\n", st->auth_channels);
	printf("retries %lu\n", st->retries);
	printf("evicted %lu\n", st->evicted);
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
	struct bench_opts o = {NULL,
			       NULL,
			       NULL,
			       NULL,
			       "210.198.21.20",
			       "m01-ahd-sys.net",
			       500,
			       4000,
			       2000,
			       2,
			       0,
			       0,
			       0};
	const char *servers[1];
	struct dns_resolver_opts ro;
	struct platform pf;
	struct dns_stats st;
	struct dns_resolver *r;
	struct feed f;
	double t0;

	if (parse_opts(argc, argv, &o) == -1) {
		fprintf(stderr, "usage: verify-bench --resolver HOST:PORT "
				"--domains FILE --selector SEL --dkim-p B64 "
				"[--inflight N] [--active N] [--timeout MS] "
				"[--tries N] [--cache N] [--spf-ip IP] "
				"[--spf-include NAME] [--authoritative "
				"[--auth-port N]]\n");
		return 2;
	}
	memset(&f, 0, sizeof f);
	if (read_domains(o.domains, &f) <= 0) {
		fprintf(stderr, "verify-bench: no domains from %s\n",
			o.domains);
		return 1;
	}
	servers[0] = o.resolver;
	ro = (struct dns_resolver_opts){servers,	 1,
					(int)o.timeout,	 (int)o.tries,
					(int)o.inflight, (size_t)o.cache,
					(int)o.auth_port};
	pf = (struct platform){
	    {o.spf_ip}, 1, o.spf_include, SPF_POLICY_SOFTFAIL};
	f.req = (struct verify_request){.selector = o.selector,
					.dkim_p = o.dkim_p,
					.authoritative = (int)o.authoritative};
	f.queued_max = 2 * o.active;
	if ((r = dns_resolver_new(&ro)) == NULL ||
	    (f.b = verify_batch_new(r, &pf, (size_t)o.active, on_done, &f)) ==
		NULL)
		return 1;
	t0 = now_s();
	feed_more(&f);
	verify_batch_run(f.b, -1);
	dns_resolver_stats(r, &st);
	report(&f.c, &st, f.n, now_s() - t0, (int)o.authoritative);
	fflush(stdout);
	verify_batch_free(f.b);
	dns_resolver_free(r);
	while (f.n > 0)
		free(f.names[--f.n]);
	free(f.names);
	return f.c.tempfail == 0 && f.c.failed == 0 && !f.err ? 0 : 1;
}
