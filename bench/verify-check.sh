#!/usr/bin/env bash
# The verification engine against its physical limit: NSD serves N domains
# (default 100,000), each with an SPF record through the platform include,
# a 2048-bit DKIM key in two strings and a DMARC record; the include zone
# is served too. In the same run, dnsperf first measures what NSD answers
# per second for exactly the queries a check sends; then verify-bench
# checks every domain with many checks in flight over one c-ares channel.
# Prints domains/s, queries per domain, the limit (dnsperf qps / queries
# per domain), the ratio to it, and the tempfail verdicts (must be 0; a
# round with any, or with a domain not verified, fails the benchmark).
# dnsperf and the engine alternate (ROUNDS engine runs, each between two
# dnsperf runs); the median round is the result.
# MODE=authoritative asks as 今すぐ確認 and new domains do: the zone cut and
# the name server's address through NSD as the resolver, then NSD again as
# the zone's authoritative server (on its port, --auth-port); the queries
# per domain count both, so the limit stays the same server's capacity
# shared by all of them. A round with a fallback to the resolver fails.
#
#   BUILD=build bash bench/verify-check.sh
#   env: N=100000 PERF_SECONDS=5 PERF_OUTSTANDING="100 200 400 800"
#        INFLIGHT=500 ACTIVE=4000 ROUNDS=5 CACHE=32000 SA_NSD_SERVERS=1
#        MODE=recursive|authoritative
export SA_TOP=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=${BUILD:-build}
source "$SA_TOP/tests/lib/common.sh"
source "$SA_TOP/tests/lib/nsd.sh"
N=${N:-100000}
PERF_SECONDS=${PERF_SECONDS:-5}
PERF_OUTSTANDING=${PERF_OUTSTANDING:-100 200 400 800}
INFLIGHT=${INFLIGHT:-500}
ROUNDS=${ROUNDS:-5}
# Answers the resolver keeps (max_cached; 0 keeps all for the run).
CACHE=${CACHE:-32000}
status=0
ACTIVE=${ACTIVE:-4000}
MODE=${MODE:-recursive}
case $MODE in
recursive) mode_args=() ;;
authoritative) mode_args=(--authoritative) ;;
*) echo "bench: MODE is recursive or authoritative, not $MODE" >&2; exit 2 ;;
esac
BENCH=$BUILD/bench/verify-bench
[ -x "$BENCH" ] || make -C "$SA_TOP" "$BENCH" >/dev/null || exit 1

# One 2048-bit key for every domain: the answer size is what matters.
source "$SA_TOP/bench/zones.sh"
P=$(bench_key)
[ -n "$P" ] || exit 1
Z=$T/zones
bench_zones "$Z" "$N" "$P" s1

sa_nsd_start "$Z" bench.test m01-ahd-sys.net || exit 1
sa_wait_for 120 sa_dns_probe "$SA_NSD_PORT" bench.test || exit 1

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "# nsd: ${SA_NSD_SERVERS:-1} server process(es), port $SA_NSD_PORT, $N domains"
echo "# engine: $INFLIGHT queries in flight, $ACTIVE checks active, cache $CACHE answers, $MODE lookups"

# perf_run Q: one dnsperf run of PERF_SECONDS with Q queries outstanding
# and socket buffers large enough that dnsperf itself drops nothing; prints
# a comment line and leaves the queries per second in $QPS.
perf_run() {
	dnsperf -s 127.0.0.1 -p "$SA_NSD_PORT" -d "$T/queries" \
		-l "$PERF_SECONDS" -q "$1" -b 4096 -e -c 1 -T 1 \
		>"$T/dnsperf.out" 2>&1
	local lost
	QPS=$(awk '/Queries per second:/ { print $4 }' "$T/dnsperf.out")
	lost=$(awk '/Queries lost:/ { print $3 }' "$T/dnsperf.out")
	if [ -z "$QPS" ]; then
		echo "bench: dnsperf failed" >&2
		cat "$T/dnsperf.out" >&2
		return 1
	fi
	echo "# dnsperf -q $1: $QPS qps, $lost lost"
}

# 1. The server's capacity for this query mix (EDNS on, as the engine):
# the number of queries outstanding that gets the most from it.
best_q=
best_qps=0
for q in $PERF_OUTSTANDING; do
	perf_run "$q" || exit 1
	got=$QPS
	if awk -v a="$got" -v b="$best_qps" 'BEGIN { exit !(a > b) }'; then
		best_q=$q
		best_qps=$got
	fi
done

# 2. ROUNDS runs of the engine over every domain (a fresh process and
# cache each time), each between two dnsperf runs at that setting: a
# round's limit is the mean of the capacity measured just before and just
# after it, so that the load of a shared machine weighs on both sides
# alike. The median round is reported.
perf_run "$best_q" || exit 1
qps_before=$QPS
for round in $(seq 1 "$ROUNDS"); do
	"$BENCH" --resolver "127.0.0.1:$SA_NSD_PORT" --domains "$T/domains" \
		--selector s1 --dkim-p "$P" --inflight "$INFLIGHT" \
		--active "$ACTIVE" --cache "$CACHE" "${mode_args[@]}" \
		--auth-port "$SA_NSD_PORT" >"$T/bench.$round" \
		2>"$T/bench.err"
	rc=$?
	sed 's/^/# /' "$T/bench.err"
	perf_run "$best_q" || exit 1
	qps_after=$QPS
	qps=$(awk -v a="$qps_before" -v b="$qps_after" \
		'BEGIN { printf "%.0f", (a + b) / 2 }')
	qps_before=$qps_after
	echo "dnsperf_qps $qps" >>"$T/bench.$round"
	awk '
		$1 == "domains_per_s" { dps = $2 }
		$1 == "queries_per_domain" { qpd = $2 }
		$1 == "dnsperf_qps" { qps = $2 }
		$1 == "tempfail" { tf = $2 }
		END {
			limit = qps / qpd
			printf "limit_domains_per_s %.0f\n", limit
			printf "ratio %.1f\n", 100 * dps / limit
			printf "# round: %d qps, %d domains/s, limit %.0f, " \
			    "ratio %.1f%%, %d tempfail\n", qps, dps, limit,
			    100 * dps / limit, tf
		}' "$T/bench.$round" >"$T/ratio.$round"
	grep '^#' "$T/ratio.$round" | sed "s/^# round/# round $round/"
	grep -v '^#' "$T/ratio.$round" >>"$T/bench.$round"
	tf=$(awk '$1 == "tempfail" { print $2 }' "$T/bench.$round")
	ver=$(awk '$1 == "verified" { print $2 }' "$T/bench.$round")
	fb=$(awk '$1 == "auth_fallbacks" { print $2 }' "$T/bench.$round")
	if [ "$rc" -ne 0 ] || [ "$tf" != 0 ] || [ "$ver" != "$N" ] ||
		[ "$fb" != 0 ]; then
		echo "# round $round failed: exit $rc, $tf tempfail, $ver verified, $fb fallbacks"
		status=1
	fi
done
median=$(for r in $(seq 1 "$ROUNDS"); do
	echo "$(awk '$1 == "ratio" { print $2 }' "$T/bench.$r") $r"
done | sort -n | awk '{ a[NR] = $2 } END { print a[int((NR + 1) / 2)] }')
echo "# median round: $median (dnsperf -q $best_q)"
sed 's/^ratio \(.*\)/ratio \1%/' "$T/bench.$median"
exit "$status"
