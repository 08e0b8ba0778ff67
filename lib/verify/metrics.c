/*
 * metrics.c - the verifier's Prometheus textfile (the text exposition
 * format 0.0.4 that node_exporter's textfile collector reads from
 * *.prom files). Every metric is a gauge with its HELP and TYPE lines:
 *
 *   senderauth_domains{record="spf|dkim",status="…"}   live domains
 *   senderauth_verifier_last_run_timestamp_seconds     when it ended
 *   senderauth_verifier_last_run_duration_seconds
 *   senderauth_verifier_last_run_checks{outcome="verified|unverified|tempfail"}
 *   senderauth_verifier_last_run_checks_per_second
 *
 * The statuses are those of the schema's verify_status, every one listed
 * (0 when no domain has it), so a query sees a series drop to 0 rather
 * than vanish.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "file.h"
#include "metrics.h"
#include "util.h"

static void
gauge(struct buf *b, const char *name, const char *help)
{
	buf_addf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* senderauth_domains, from DB_DOMAIN_COUNTS; 0 / -1. */
static int
domains(struct buf *b)
{
	static const struct {
		const char *record;
		int col;
	} parts[] = {{"spf", DOMAIN_COUNTS_SPF}, {"dkim", DOMAIN_COUNTS_DKIM}};
	PGresult *res;
	size_t j;
	int i;

	if ((res = db_exec(DB_DOMAIN_COUNTS, 0, NULL)) == NULL)
		return -1;
	gauge(b, "senderauth_domains",
	      "Sending domains (not deleted) by record and its status.");
	for (j = 0; j < sizeof parts / sizeof parts[0]; j++)
		for (i = 0; i < PQntuples(res); i++)
			buf_addf(
			    b,
			    "senderauth_domains{record=\"%s\",status=\"%s\"}"
			    " %s\n",
			    parts[j].record,
			    PQgetvalue(res, i, DOMAIN_COUNTS_STATUS),
			    PQgetvalue(res, i, parts[j].col));
	PQclear(res);
	return 0;
}

static void
last_run(struct buf *b, const struct sweep_stats *st, time_t end)
{
	double rate = st->seconds > 0 ? (double)st->checked / st->seconds : 0;

	gauge(b, "senderauth_verifier_last_run_timestamp_seconds",
	      "When the last completed verifier run ended, in Unix time.");
	buf_addf(b, "senderauth_verifier_last_run_timestamp_seconds %lld\n",
		 (long long)end);
	gauge(b, "senderauth_verifier_last_run_duration_seconds",
	      "How long the last completed verifier run took.");
	buf_addf(b, "senderauth_verifier_last_run_duration_seconds %.3f\n",
		 st->seconds);
	gauge(b, "senderauth_verifier_last_run_checks",
	      "Domains the last completed verifier run checked, by outcome "
	      "(tempfail: DNS could not answer).");
	buf_addf(b,
		 "senderauth_verifier_last_run_checks{outcome=\"verified\"} "
		 "%lu\n"
		 "senderauth_verifier_last_run_checks{outcome=\"unverified\"} "
		 "%lu\n"
		 "senderauth_verifier_last_run_checks{outcome=\"tempfail\"} "
		 "%lu\n",
		 st->verified, st->unverified, st->tempfail);
	gauge(b, "senderauth_verifier_last_run_checks_per_second",
	      "Checks per second of the last completed verifier run.");
	buf_addf(b, "senderauth_verifier_last_run_checks_per_second %.3f\n",
		 rate);
}

int
metrics_write(const char *path, const struct sweep_stats *st, time_t end)
{
	struct buf b;
	int rc = -1;

	buf_init(&b);
	if (domains(&b) == -1) {
		fprintf(stderr,
			"verifier: %s not written: the database "
			"failed\n",
			path);
		goto out;
	}
	last_run(&b, st, end);
	if (b.err ||
	    file_replace(path, b.s, b.len, 0644, (uid_t)-1, (gid_t)-1) == -1) {
		fprintf(stderr, "verifier: %s: %s\n", path,
			b.err ? "out of memory" : strerror(errno));
		goto out;
	}
	rc = 0;
out:
	buf_release(&b);
	return rc;
}
