#!/usr/bin/env bash
# `verifier run` end to end at scale: N domains (default 100,000) seeded
# into PostgreSQL (each with its DKIM key row) and served by NSD (SPF via
# the platform include, a 2048-bit DKIM key in two strings, DMARC). In the
# same run dnsperf measures NSD's capacity for exactly the queries a check
# sends; then one `verifier run` checks every domain, database writes
# included. Prints domains/s, peak RSS, tempfail count and the ratio to the
# DNS limit (dnsperf qps / queries per domain). Targets: >= 50%, < 100 MB.
#
#   BUILD=build bash bench/verifier-run.sh
#   env: N=100000 PERF_SECONDS=5 PERF_OUTSTANDING="100 200 400" BATCH=1000
#        INFLIGHT=2000; BENCH_VERBOSE=1 adds per-statement database times
#        (pg_stat_statements); BENCH_WRAP="perf record -o F --" runs the
#        verifier under a profiler
export SA_TOP=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=${BUILD:-build}
source "$SA_TOP/tests/lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/lib/nsd.sh"
source "$SA_TOP/bench/zones.sh"
N=${N:-100000}
PERF_SECONDS=${PERF_SECONDS:-5}
PERF_OUTSTANDING=${PERF_OUTSTANDING:-100 200 400}

P=$(bench_key)
bench_zones "$T/zones" "$N" "$P" s1
sa_nsd_start "$T/zones" bench.test m01-ahd-sys.net || exit 1
sa_wait_for 120 sa_dns_probe "$SA_NSD_PORT" bench.test || exit 1
SA_PG_FAST=1 sa_pg_start || exit 1
sa_config "resolver = 127.0.0.1:$SA_NSD_PORT" "spf_include = m01-ahd-sys.net" \
	"verify_batch = ${BATCH:-1000}" "verify_inflight = ${INFLIGHT:-2000}" || exit 1
org=$(sa_org "bench")
acct=$(sa_account "$org" "bench")
sa_psql <<SQL || exit 1
INSERT INTO domains (org_id, name, unicode_name, created_by, spf_record)
	SELECT $org, d, d, $acct, 'v=spf1 ip4:210.198.21.20 include:m01-ahd-sys.net ~all'
	FROM (SELECT 'd' || lpad(i::text, 6, '0') || '.bench.test' AS d
	      FROM generate_series(1, $N) i) s;
INSERT INTO dkim_keys (domain_id, domain_name, selector, bits, public_key, private_sealed)
	SELECT id, name, 's1', 2048, '$P', '\\x01'::bytea FROM domains;
VACUUM ANALYZE domains;
SQL

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
best=0
for q in $PERF_OUTSTANDING; do
	dnsperf -s 127.0.0.1 -p "$SA_NSD_PORT" -d "$T/queries" -l "$PERF_SECONDS" \
		-q "$q" -b 4096 -e -c 1 -T 1 >"$T/dnsperf.out" 2>&1
	got=$(awk '/Queries per second:/ { print $4 }' "$T/dnsperf.out")
	echo "dnsperf -q $q: $got qps"
	best=$(awk -v a="$got" -v b="$best" 'BEGIN { print (a > b) ? a : b }')
done

if [ -n "${BENCH_VERBOSE:-}" ]; then
	printf "%s\n" "shared_preload_libraries = 'pg_stat_statements'" \
		"pg_stat_statements.track = all" "auto_explain.log_min_duration = 100" \
		"auto_explain.log_analyze = on" "auto_explain.log_nested_statements = on" \
		"log_parameter_max_length = 0" >>"$SA_DIR/pg/data/postgresql.conf"
	sa_pg_stop && sa_pg_restart_only && sa_psql -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
fi
cpu_of() { # CPU seconds used so far by processes named $1
	local t=0 pid
	for pid in $(pgrep -x "$1"); do
		t=$((t + $(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
pg0=$(cpu_of postgres)
${BENCH_WRAP:-} /usr/bin/time -v "$BUILD/verifier" run >"$T/run.out" 2>"$T/run.err"
[ -n "${BENCH_VERBOSE:-}" ] && grep -E "User time|System time|Elapsed|Percent of CPU" "$T/run.err"
rc=$?
cat "$T/run.out"
pg1=$(cpu_of postgres)
tck=$(getconf CLK_TCK)
vcpu=$(awk -F': ' '/User time|System time/ { t += $2 } END { print t }' "$T/run.err")
echo "CPU seconds during the run: verifier $vcpu, PostgreSQL $(awk -v a="$pg0" -v b="$pg1" -v t="$tck" 'BEGIN { print (b - a) / t }')"
rss=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$T/run.err")
secs=$(grep -o '[0-9.]* s$' "$T/run.out" | cut -d' ' -f1)
checked=$(grep -o 'checked [0-9]*' "$T/run.out" | cut -d' ' -f2)
tempfail=$(grep -o 'tempfail [0-9]*' "$T/run.out" | cut -d' ' -f2)
qpd=3 # TXT of the domain, of <selector>._domainkey and of _dmarc; the include once
verified=$(sa_psql -tAc "SELECT count(*) FROM domains WHERE spf_status = 'verified' AND dkim_status = 'verified'")
awk -v n="$checked" -v s="$secs" -v q="$best" -v qpd="$qpd" -v rss="$rss" \
	-v tf="$tempfail" -v v="$verified" 'BEGIN {
	dps = n / s; limit = q / qpd
	printf "verifier run: %d domains in %.2f s = %.0f domains/s (database writes included)\n", n, s, dps
	printf "DNS limit: %.0f qps / %d queries per domain = %.0f domains/s\n", q, qpd, limit
	printf "ratio: %.1f%% (target >= 50%%)\n", 100 * dps / limit
	printf "peak RSS: %.1f MB (target < 100 MB)\n", rss / 1024
	printf "tempfail: %d, verified in the database: %d\n", tf, v
}'
[ -n "${BENCH_VERBOSE:-}" ] && cp "$SA_DIR/pg/server.log" /tmp/bench-pg.log
[ -n "${BENCH_VERBOSE:-}" ] && sa_psql -c "SELECT calls, round(total_exec_time) AS ms, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 70) AS query FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 8"
[ "$rc" = 0 ] && [ "$checked" = "$N" ] && [ "$tempfail" = 0 ]
