/*
 * verify.h - one customer domain's whole check (SPF, DKIM, DMARC) and a
 * driver that runs many of them concurrently over one c-ares resolver.
 *
 * verify_check() is restartable over any struct dns_source, like the
 * three verdicts it combines: a unit test runs it once over the in-memory
 * table; a driver calls it again whenever the answers it waited on have
 * arrived. The batch (verify_batch_*) is that driver: `verifier check`
 * runs a batch of one, `verifier run` and the benchmark run thousands with
 * a cap on how many are in progress at once. Presenting a result is
 * lib/verify/report.h's.
 */
#ifndef SA_VERIFY_H
#define SA_VERIFY_H

#include <stddef.h>

#include "dkim.h"
#include "dmarc.h"
#include "dns.h"
#include "spf.h"

/* What to check. domain is an A-label in lower case (validate_domain());
 * without a selector the DKIM verdict is "skipped". dkim_p is the issued
 * key: base64 of the DER SubjectPublicKeyInfo. During a key rotation the
 * new key (next_selector, next_p) is checked as well, for the verdict
 * dkim_next; without it that verdict is "skipped". */
struct verify_request {
	const char *domain;
	const char *selector;		    /* NULL: no DKIM check */
	const char *dkim_p;		    /* required with a selector */
	const char *next_selector, *next_p; /* NULL: none */
	/* Ask the zones' authoritative servers (dns_resolver_ask()): for
	 * 今すぐ確認 and domains not yet verified. Only the batch reads it. */
	int authoritative;
};

/* Which way the answers a verdict rests on came: how many it read, and
 * how many of them from the recursive resolver (all of them unless asked
 * authoritatively, some when an authoritative lookup fell back). */
struct verify_via {
	unsigned asked, recursive;
};
/* "authoritative" when every answer came that way, "recursive" when one
 * did not, NULL when the verdict read none (DKIM skipped). */
const char *verify_via_name(const struct verify_via *);

/* The three verdicts. A part is complete when its done flag is set; the
 * DKIM verdict of a request without selector is complete at once, with
 * status "skipped" and reason "no_selector". */
struct verify_result {
	struct spf_verdict spf;
	struct dkim_verdict dkim, dkim_next;
	struct dmarc_verdict dmarc;
	int spf_done, dkim_done, dkim_next_done, dmarc_done;
	struct verify_via spf_via, dkim_via, dkim_next_via, dmarc_via;
};

void verify_result_init(struct verify_result *);
void verify_result_release(struct verify_result *);

/*
 * Evaluates the parts of *res not complete yet, all three in the same
 * pass so that their questions go out together. Returns 0 when every part
 * is complete, 1 when DNS answers are needed (the source has recorded the
 * questions; call again once they are answered), -1 on allocation failure.
 * *res must have been initialized with verify_result_init().
 */
int verify_check(const struct verify_request *, const struct platform *,
		 const struct dns_source *, struct verify_result *res);

/* Is the overall domain status "verified" (SPF and DKIM both verified, or
 * SPF verified and DKIM skipped)? DMARC is information only. */
int verify_result_verified(const struct verify_result *);

/*
 * The batch driver. Checks added are copied and started in the order
 * added, at most max_active at a time (0: verify_inflight); each completed
 * check is handed to done(arg, user, request, result) once, from inside
 * verify_batch_run(); result is NULL when the check could not be completed
 * (allocation failure). The result is freed when done returns.
 */
struct verify_batch;
typedef void (*verify_done_fn)(void *arg, void *user,
			       const struct verify_request *,
			       const struct verify_result *);

struct verify_batch *verify_batch_new(struct dns_resolver *,
				      const struct platform *,
				      size_t max_active, verify_done_fn done,
				      void *arg);
/* Queues one check (strings copied); 0 / -1. May be called from done(). */
int verify_batch_add(struct verify_batch *, const struct verify_request *,
		     void *user);
/* Runs until every check added is complete, or timeout_ms (< 0: none)
 * has passed, or a descriptor the resolver watches is readable
 * (dns_resolver_watch()); returns the number of checks not complete yet. */
size_t verify_batch_run(struct verify_batch *, int timeout_ms);
/* Checks added and not complete yet. */
size_t verify_batch_pending(const struct verify_batch *);
/* Frees the batch; checks not complete are dropped without done(). */
void verify_batch_free(struct verify_batch *);

#endif
