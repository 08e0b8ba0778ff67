#!/usr/bin/env bash
# `verifier run` end to end at scale: N domains (default 100,000) seeded
# into PostgreSQL (each with its DKIM key row) and served by NSD (SPF via
# the platform include, a 2048-bit DKIM key in two strings, DMARC). In the
# same run dnsperf measures NSD's capacity for exactly the queries a check
# sends; then `verifier run` checks every domain, database writes
# included. Prints domains/s, peak RSS, tempfail count and the ratio to the
# DNS limit (dnsperf qps / queries per domain). Targets: >= 50%, < 100 MB.
# STATE=verified (the default) seeds domains verified before, with active
# keys, due for their recheck: the verifier's daily load, through the
# resolver. STATE=new seeds them as add-domain leaves them, so the
# verifier asks their authoritative server ("The verifier" in README): NSD
# on its port (dns_auth_port), after the zone cut and the server's address
# through NSD as the resolver; it then promotes each key and writes the
# completion events. Either way the queries per domain are the run's own
# (its summary), as bench/verify-check.sh counts them, and so are the
# questions that fell back to the resolver (printed).
# This machine is shared and its speed varies from minute to minute, so
# there are ROUNDS rounds, each on freshly seeded domains and between two
# dnsperf runs (its limit is their mean); the median round is the result.
#
#   BUILD=build bash bench/verifier-run.sh
#   env: N=100000 ROUNDS=3 STATE=verified|new PERF_SECONDS=5
#        PERF_OUTSTANDING="100 200 400"
#        BATCH INFLIGHT (default: the product's); BENCH_VERBOSE=1 adds per-statement
#        database times (pg_stat_statements); BENCH_WRAP="perf record -o F
#        --" runs the verifier under a profiler
export SA_TOP=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=${BUILD:-build}
source "$SA_TOP/tests/lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/lib/nsd.sh"
source "$SA_TOP/bench/zones.sh"
N=${N:-100000}
PERF_SECONDS=${PERF_SECONDS:-5}
PERF_OUTSTANDING=${PERF_OUTSTANDING:-100 200 400}
ROUNDS=${ROUNDS:-3}
STATE=${STATE:-verified}
case $STATE in
verified) verified_sql="UPDATE domains SET spf_status = 'verified', spf_reason = 'ok',
	dkim_status = 'verified', dkim_reason = 'ok', checked_at = now(), verified_at = now(),
	issued_at = now() - interval '30 days', interval_s = 86400;
UPDATE dkim_keys SET state = 'active', activated_at = now();" ;;
new) verified_sql= ;;
*) echo "bench: STATE is verified or new, not $STATE" >&2; exit 2 ;;
esac

P=$(bench_key)
bench_zones "$T/zones" "$N" "$P" s1
sa_nsd_start "$T/zones" bench.test m01-ahd-sys.net || exit 1
sa_wait_for 120 sa_dns_probe "$SA_NSD_PORT" bench.test || exit 1
SA_PG_FAST=1 sa_pg_start || exit 1
# the product's batch and in-flight defaults unless BATCH / INFLIGHT say
sa_config "resolver = 127.0.0.1:$SA_NSD_PORT" "dns_auth_port = $SA_NSD_PORT" \
	"spf_include = m01-ahd-sys.net" \
	${BATCH:+"verify_batch = $BATCH"} ${INFLIGHT:+"verify_inflight = $INFLIGHT"} || exit 1
org=$(sa_org "bench")
acct=$(sa_account "$org" "bench")
# seed: N pending domains, each with its key, as add-domain leaves them
seed() {
	sa_psql <<SQL
TRUNCATE domain_claims, events, notify_outbox, dkim_keys, domains;
INSERT INTO domains (org_id, name, unicode_name, created_by, spf_record)
	SELECT $org, d, d, $acct, 'v=spf1 ip4:210.198.21.20 include:m01-ahd-sys.net ~all'
	FROM (SELECT 'd' || lpad(i::text, 6, '0') || '.bench.test' AS d
	      FROM generate_series(1, $N) i) s;
INSERT INTO dkim_keys (domain_id, domain_name, selector, bits, public_key, private_sealed)
	SELECT id, name, 's1', 2048, '$P', '\\x01'::bytea FROM domains;
$verified_sql
VACUUM ANALYZE domains, dkim_keys, events;
CHECKPOINT;
SQL
}
# The plan the claims rely on (sql/001_baseline.sql): sa_claim's first
# statement as auto_explain logs it, on the seeded domains, in a claim that
# is rolled back. Its shape: Limit, LockRows, a nested-loop anti join of an
# index scan of domains_due against the other runs' claims (materialized).
explain_claim() {
	echo "# the claim's plan (a batch of ${BATCH:-500}, verify_batch's default unless BATCH):"
	sa_psql 2>&1 >/dev/null <<-SQL | awk '/Query Text: WITH due AS/ { q = 1; next }
		q && /LOG:/ { exit }
		q && !/^\t/ { p = 1 }
		p { print "#   " $0 }'
	LOAD 'auto_explain';
	SET auto_explain.log_min_duration = 0;
	SET auto_explain.log_nested_statements = on;
	SET client_min_messages = log;
	BEGIN;
	SELECT count(*) FROM sa_claim(${BATCH:-500}, 60, 'explain', now(), NULL, NULL, NULL);
	ROLLBACK;
	SQL
}
if [ -n "${BENCH_VERBOSE:-}" ]; then
	printf "%s\n" "shared_preload_libraries = 'pg_stat_statements'" \
		"pg_stat_statements.track = all" "auto_explain.log_min_duration = 100" \
		"auto_explain.log_analyze = on" "auto_explain.log_nested_statements = on" \
		"log_parameter_max_length = 0" >>"$SA_DIR/pg/data/postgresql.conf"
	sa_pg_stop && sa_pg_restart_only && sa_psql -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); $N domains, STATE=$STATE"

# QPS: dnsperf's rate at -q $1 over the queries one check sends
perf_run() {
	dnsperf -s 127.0.0.1 -p "$SA_NSD_PORT" -d "$T/queries" -l "$PERF_SECONDS" \
		-q "$1" -b 4096 -e -c 1 -T 1 >"$T/dnsperf.out" 2>&1
	QPS=$(awk '/Queries per second:/ { print $4 }' "$T/dnsperf.out")
	[ -n "$QPS" ] || { cat "$T/dnsperf.out"; return 1; }
}
best_q=0 best_qps=0
for q in $PERF_OUTSTANDING; do
	perf_run "$q" || exit 1
	echo "dnsperf -q $q: $QPS qps"
	if awk -v a="$QPS" -v b="$best_qps" 'BEGIN { exit !(a > b) }'; then
		best_q=$q
		best_qps=$QPS
	fi
done

cpu_of() { # CPU ticks used so far by the processes named $1, children included
	local t=0 pid
	for pid in $(pgrep -x "$1"); do
		t=$((t + $(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
tck=$(getconf CLK_TCK)
status=0
seed >/dev/null || exit 1
explain_claim
perf_run "$best_q" || exit 1
qps_before=$QPS
for round in $(seq 1 "$ROUNDS"); do
	# round 1 runs on the domains seeded for the plan above
	[ "$round" = 1 ] || seed >/dev/null || exit 1
	pg0=$(cpu_of postgres)
	${BENCH_WRAP:-} /usr/bin/time -v "$BUILD/verifier" run >"$T/run.out" 2>"$T/run.err"
	rc=$?
	pg1=$(cpu_of postgres)
	perf_run "$best_q" || exit 1
	qps=$(awk -v a="$qps_before" -v b="$QPS" 'BEGIN { printf "%.0f", (a + b) / 2 }')
	qps_before=$QPS
	grep -v -e '^	' -e '^Command exited' "$T/run.err" | sed 's/^/# /'
	vcpu=$(awk -F': ' '/User time|System time/ { t += $2 } END { print t }' "$T/run.err")
	rss=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$T/run.err")
	secs=$(grep -o '[0-9.]* s$' "$T/run.out" | cut -d' ' -f1)
	checked=$(grep -o 'checked [0-9]*' "$T/run.out" | cut -d' ' -f2)
	tempfail=$(grep -o 'tempfail [0-9]*' "$T/run.out" | cut -d' ' -f2)
	queries=$(grep -o '[0-9]* DNS queries' "$T/run.out" | cut -d' ' -f1)
	fallbacks=$(grep -o '[0-9]* questions for them answered by the resolver' "$T/run.out" | cut -d' ' -f1)
	verified=$(sa_psql -tAc "SELECT count(*) FROM domains WHERE spf_status = 'verified' AND dkim_status = 'verified'")
	awk -v n="${checked:-0}" -v s="${secs:-0}" -v q="$qps" -v nq="${queries:-0}" -v rss="${rss:-0}" \
		-v tf="${tempfail:-0}" -v v="$verified" -v vc="$vcpu" -v fb="${fallbacks:-0}" \
		-v pc="$(awk -v a="$pg0" -v b="$pg1" -v t="$tck" 'BEGIN { print (b - a) / t }')" 'BEGIN {
		dps = s > 0 ? n / s : 0; qpd = n > 0 ? nq / n : 1; limit = q / qpd
		printf "verifier run: %d domains in %.2f s = %.0f domains/s (database writes included)\n", n, s, dps
		printf "DNS limit: %.0f qps / %.2f queries per domain (the run'"'"'s) = %.0f domains/s\n", q, qpd, limit
		printf "ratio: %.1f%% (target >= 50%%)\n", 100 * dps / limit
		printf "peak RSS: %.1f MB (target < 100 MB)\n", rss / 1024
		printf "tempfail: %d, verified in the database: %d, questions that fell back to the resolver: %d\n", tf, v, fb
		printf "CPU seconds during the run: verifier %.2f, PostgreSQL %.2f\n", vc, pc
	}' >"$T/round.$round"
	echo "# round $round: $(grep -o '[0-9.]*%' "$T/round.$round" | head -1) of the DNS limit, $(grep -o '= [0-9]* domains/s' "$T/round.$round" | head -1 | cut -d' ' -f2) domains/s"
	if [ "$rc" != 0 ] || [ "$checked" != "$N" ] || [ "$tempfail" != 0 ] || [ "$verified" != "$N" ]; then
		echo "# round $round failed: exit $rc, checked ${checked:-0}, ${tempfail:-?} tempfail, $verified verified"
		status=1
	fi
done
median=$(for r in $(seq 1 "$ROUNDS"); do
	echo "$(grep -o '^ratio: [0-9.]*' "$T/round.$r" | cut -d' ' -f2) $r"
done | sort -n | awk '{ a[NR] = $2 } END { print a[int((NR + 1) / 2)] }')
echo "# median round: $median (dnsperf -q $best_q)"
cat "$T/round.$median"
if [ -n "${BENCH_VERBOSE:-}" ]; then
	cp "$SA_DIR/pg/server.log" /tmp/bench-pg.log
	sa_psql -c "SELECT calls, round(total_exec_time) AS ms, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 70) AS query FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 8"
fi
exit "$status"
