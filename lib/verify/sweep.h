/*
 * sweep.h - `verifier run`: claims due domains from the database in
 * batches (FOR UPDATE SKIP LOCKED and a lease, so overlapping runs and
 * verifiers on several hosts share the work and a killed run loses
 * nothing), checks them concurrently through the verification engine
 * (lib/verify/verify.h) and writes the verdicts back in batched transactions.
 */
#ifndef SA_SWEEP_H
#define SA_SWEEP_H

#include <stddef.h>

#include "dns.h"
#include "records.h"

struct sweep_opts {
	long domain_id;	 /* > 0: check only this domain, due or not */
	size_t batch;	 /* domains claimed, and verdicts written, at once */
	size_t inflight; /* checks in progress at once */
	int lease_s;
	int new_hours, new_interval_s, min_interval_s, max_interval_s;
	int retry_s;
	int retire_days; /* dkim_retire_days */
	int progress;	 /* print a progress line on stderr */
	/* ask verified domains' authoritative servers too (the others' and
	 * domain_id's always) */
	int authoritative_recheck;
	long account_id; /* > 0: 今すぐ確認's account, the events' actor */
	int notify_min_s; /* notify_min_interval_s */
	int webhook;	  /* notify_url is set */
};

struct sweep_stats {
	unsigned long checked, verified, unverified, tempfail;
	double seconds;
};

/* Reads the options from the configuration (verify_* keys). */
void sweep_opts_config(struct sweep_opts *);
/* Runs until no due domain is left; 0, or -1 when the database failed
 * (its claims are released when possible). A run of every due domain
 * (domain_id 0) that completed is recorded in verifier_runs (sql/003),
 * which senderauth-admin status reads. */
int sweep_run(struct dns_resolver *, const struct platform *,
	      const struct sweep_opts *, struct sweep_stats *);

#endif
