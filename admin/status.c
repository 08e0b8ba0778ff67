/*
 * status.c - `senderauth-admin status`: how the installation is doing,
 * from the database, one line per fact:
 *
 *   domains: N
 *   spf: pending N, verified N, unverified N, tempfail N
 *   dkim: pending N, verified N, unverified N, tempfail N
 *   oldest due check: NAME, due TIME, N s late      (or: none late, …)
 *   last run: finished TIME on HOST, N s ago: checked N, verified N,
 *             unverified N, tempfail N, S s          (one line; or: none)
 *   live claims: N
 *   keys: pending N, active N, retiring N, retired N
 *   key pool: N
 *   alerts: N unsent, the oldest from TIME, tried up to N times
 *           (or: none unsent)
 *   verifier: ok|late, …
 *
 * Domains and keys are those of domains not deleted; a run is a completed
 * `verifier run` (sql/003_verifier_runs.sql). Exit 1 when no run
 * completed within three periods of verifier_period_s (the verifier is
 * late, stopped or failing), or when the database cannot be asked; a
 * monitoring check may run it as it is.
 */
#include <stdio.h>
#include <stdlib.h>

#include "admin.h"
#include "config.h"
#include "db.h"
#include "util.h"

/* "label: NAME N, NAME N…" from a statement's name and count columns. */
static void
counts(const char *label, PGresult *res, int name, int n)
{
	int i;

	printf("%s:", label);
	for (i = 0; i < PQntuples(res); i++)
		printf("%s %s %s", i > 0 ? "," : "", PQgetvalue(res, i, name),
		       PQgetvalue(res, i, n));
	printf("\n");
}

/* The sum of column n. */
static long
total(PGresult *res, int n)
{
	long sum = 0;
	int i;

	for (i = 0; i < PQntuples(res); i++)
		sum += atol(PQgetvalue(res, i, n));
	return sum;
}

static void
due(PGresult *res)
{
	long late;

	if (PQgetisnull(res, 0, STATUS_DUE_NAME)) {
		printf("oldest due check: none (no domains)\n");
		return;
	}
	late = atol(PQgetvalue(res, 0, STATUS_DUE_LATE_S));
	if (late >= 0)
		printf("oldest due check: %s, due %s, %ld s late\n",
		       PQgetvalue(res, 0, STATUS_DUE_NAME),
		       PQgetvalue(res, 0, STATUS_DUE_AT), late);
	else
		printf("oldest due check: none late (next: %s at %s, in %ld "
		       "s)\n",
		       PQgetvalue(res, 0, STATUS_DUE_NAME),
		       PQgetvalue(res, 0, STATUS_DUE_AT), -late);
}

static void
last_run(PGresult *res)
{
	if (PQgetisnull(res, 0, STATUS_RUN_FINISHED)) {
		printf("last run: none\n");
		return;
	}
	printf("last run: finished %s on %s, %s s ago: checked %s, verified "
	       "%s, unverified %s, tempfail %s, %s s\n",
	       PQgetvalue(res, 0, STATUS_RUN_FINISHED),
	       PQgetvalue(res, 0, STATUS_RUN_HOST),
	       PQgetvalue(res, 0, STATUS_RUN_AGE_S),
	       PQgetvalue(res, 0, STATUS_RUN_CHECKED),
	       PQgetvalue(res, 0, STATUS_RUN_VERIFIED),
	       PQgetvalue(res, 0, STATUS_RUN_UNVERIFIED),
	       PQgetvalue(res, 0, STATUS_RUN_TEMPFAIL),
	       PQgetvalue(res, 0, STATUS_RUN_SECONDS));
}

/* Alerts the outbox still holds: a delivery that keeps failing is tried
 * again at every run (lib/verify/notify.c) and shows here. */
static void
alerts(PGresult *res)
{
	if (PQgetisnull(res, 0, STATUS_ALERTS_SINCE)) {
		printf("alerts: none unsent\n");
		return;
	}
	printf("alerts: %s unsent, the oldest from %s, tried up to %s times\n",
	       PQgetvalue(res, 0, STATUS_ALERTS),
	       PQgetvalue(res, 0, STATUS_ALERTS_SINCE),
	       PQgetvalue(res, 0, STATUS_ALERTS_TRIES));
}

int
admin_status(int argc, char **argv)
{
	char period[NUMBUF];
	const char *p[1] = {num(config_num("verifier_period_s"), period)};
	PGresult *doms = NULL, *keys = NULL, *st = NULL;
	int fresh, rc = ADMIN_FAIL;

	if (argc != 1)
		return admin_usage("status");
	if (admin_db() == -1 ||
	    (doms = db_exec(DB_DOMAIN_COUNTS, 0, NULL)) == NULL ||
	    (keys = db_exec(DB_KEY_COUNTS, 0, NULL)) == NULL ||
	    (st = db_exec(DB_STATUS, 1, p)) == NULL)
		goto out;
	/* every domain has one SPF status */
	printf("domains: %ld\n", total(doms, DOMAIN_COUNTS_SPF));
	counts("spf", doms, DOMAIN_COUNTS_STATUS, DOMAIN_COUNTS_SPF);
	counts("dkim", doms, DOMAIN_COUNTS_STATUS, DOMAIN_COUNTS_DKIM);
	due(st);
	last_run(st);
	printf("live claims: %s\n", PQgetvalue(st, 0, STATUS_CLAIMS));
	counts("keys", keys, KEY_COUNTS_STATE, KEY_COUNTS_N);
	printf("key pool: %s\n", PQgetvalue(st, 0, STATUS_POOL));
	alerts(st);
	fresh = PQgetvalue(st, 0, STATUS_RUN_FRESH)[0] == 't';
	printf("verifier: %s, %s run completed in the last %ld s (3 periods "
	       "of verifier_period_s %s)\n",
	       fresh ? "ok" : "late", fresh ? "a" : "no",
	       3 * config_num("verifier_period_s"), period);
	rc = fresh ? ADMIN_OK : ADMIN_FAIL;
out:
	PQclear(doms);
	PQclear(keys);
	PQclear(st);
	return rc;
}
