#!/usr/bin/env bash
# GET /mail-settings/ with 20 addresses (FastCGI + PostgreSQL + the XSLT
# filter) against, in the same run, the same XML as a static file through
# the same stylesheet (the XSLT ceiling) and the rendered HTML as a plain
# static file. Prints req/s, p50/p99 and the ratios; then the RSS of the
# FastCGI workers before and after 100,000 requests.
#
#   BUILD=build bash bench/web.sh    (env: DURATION=10s CONNS=32 THREADS=2)
export SA_TOP=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=${BUILD:-build}
SA_FCGI_CHILDREN=${SA_FCGI_CHILDREN:-6}
source "$SA_TOP/tests/lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
sa_stack_start || { echo "bench: stack did not start" >&2; exit 1; }

source "$SA_TOP/bench/page-data.sh"
cookie=$(bench_page_data)
bench_static_copies "$cookie" || { echo "bench: page incomplete" >&2; exit 1; }

# wrk_run NAME URL: prints "NAME req/s p50 p99", values in $RPS $P50 $P99.
wrk_run() {
	local out
	out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency \
		-H "Cookie: sa_session=$cookie" "$2")
	RPS=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
	P50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
	P99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
	local non2xx
	non2xx=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
	printf '%-34s %10s req/s   p50 %8s   p99 %8s%s\n' "$1" "$RPS" "$P50" "$P99" \
		"${non2xx:+   NON-2xx: $non2xx}"
}
rss() {
	local pid total=0
	for pid in $(sa_fcgi_workers settings); do
		total=$((total + $(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")))
	done
	echo "$total"
}

echo "machine: $(nproc) cores, $(awk '/model name/ { $1=$2=$3=""; print; exit }' /proc/cpuinfo)"
echo "wrk: $THREADS threads, $CONNS connections, $DURATION each; $SA_FCGI_CHILDREN FastCGI workers"
wrk_run "static HTML (nginx)" "$SA_URL/static-bench/page.html"
html=$RPS
wrk_run "static XML + XSLT (ceiling)" "$SA_URL/static-bench-xslt/page.xml"
ceiling=$RPS
wrk_run "live page (FastCGI+PG+XSLT)" "$SA_URL/mail-settings/"
live=$RPS
live_p99=$P99
wrk_run "live API XML (FastCGI+PG)" "$SA_URL/mail-settings/api/"
echo "ratio live / XSLT ceiling: $(awk -v a="$live" -v b="$ceiling" 'BEGIN { printf "%.1f%%", 100 * a / b }') (target >= 70%)"
echo "ratio live / static HTML:  $(awk -v a="$live" -v b="$html" 'BEGIN { printf "%.1f%%", 100 * a / b }')"
echo "live p99 at $CONNS connections: $live_p99 (target < 15ms)"

before=$(rss)
wrk -t"$THREADS" -c"$CONNS" -d60s -H "Cookie: sa_session=$cookie" \
	"$SA_URL/mail-settings/api/" >"$T/rss-run" 2>&1 &
wpid=$!
n=0
# count requests served from nginx's point of view: wrk prints the total
wait $wpid
n=$(awk '/requests in/ { print $1 }' "$T/rss-run")
after=$(rss)
echo "FastCGI settings workers RSS: ${before} kB before, ${after} kB after $n requests"
