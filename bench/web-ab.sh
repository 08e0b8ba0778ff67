#!/usr/bin/env bash
# The live page of this checkout against another's, side by side: both
# stacks up at once (each from its own tests/lib/stack.sh and build/), the
# load of bench/web.sh (20 addresses, no domain), wrk runs alternating with
# the order switching each round. Prints each round, the medians and the
# median of the per-round ratios (this / other). This machine's speed
# drifts by the minute, by a third and more: only runs this close together
# compare, and one run of bench/web.sh per tree says little. Each stack is
# its own checkout's harness: against a checkout before fbdee74, whose
# workers ran each in a scheduler autogroup of its own (spawn-fcgi -F),
# the ratio measures that difference too.
#
#   bash bench/web-ab.sh OTHER_CHECKOUT   (built: make in both)
#   env: ROUNDS=9 DURATION=3s CONNS=32 THREADS=2 URLPATH=/mail-settings/
#        (URLPATH=/static-bench-xslt/page.xml: the same page's XML as a
#        static file through page.xsl, the XSLT filter alone;
#        /mail-settings/api/: FastCGI and PostgreSQL without XSLT)
#        SA_FCGI_CHILDREN=6 BUILD=build
set -u
this=$(cd "$(dirname "$0")/.." && pwd)
other=$(cd "${1:?usage: bench/web-ab.sh OTHER_CHECKOUT}" && pwd)
ROUNDS=${ROUNDS:-9}
DURATION=${DURATION:-3s}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
URLPATH=${URLPATH:-/mail-settings/}
export SA_FCGI_CHILDREN=${SA_FCGI_CHILDREN:-6} BUILD=${BUILD:-build}
W=$(mktemp -d /tmp/senderauth-ab.XXXXXX)

# up NAME TREE: the tree's stack in the background, until $W/stop exists;
# $W/NAME.env gets its URL and a session cookie.
up() {
	(
		export SA_TOP=$2
		source "$SA_TOP/tests/lib/common.sh"
		source "$SA_TOP/tests/lib/stack.sh"
		sa_stack_start >"$W/$1.log" 2>&1 || exit 1
		# the same page in both (this checkout's page-data.sh)
		source "$this/bench/page-data.sh"
		cookie=$(bench_page_data)
		bench_static_copies "$cookie" || exit 1
		echo "$SA_URL $cookie" >"$W/$1.env"
		until [ -e "$W/stop" ]; do sleep 1; done
	) &
}
up this "$this"
up other "$other"
trap 'touch "$W/stop"; wait; rm -rf "$W"' EXIT
for n in this other; do
	for _ in $(seq 120); do [ -s "$W/$n.env" ] && break; sleep 1; done
	[ -s "$W/$n.env" ] || { echo "bench: the $n stack did not start" >&2; cat "$W/$n.log" >&2; exit 1; }
done
read -r url_this cookie_this <"$W/this.env"
read -r url_other cookie_other <"$W/other.env"
for n in this other; do
	eval "u=\$url_$n c=\$cookie_$n"
	curl -s -b "sa_session=$c" "$u$URLPATH" | grep -q "user20@example.jp" ||
		{ echo "bench: the $n page is incomplete" >&2; exit 1; }
done

# run URL COOKIE: "req/s p99-in-ms"
run() {
	wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency \
		-H "Cookie: sa_session=$2" "$1$URLPATH" |
		awk '/Requests\/sec/ { r = $2 }
			$1 == "99%" { p = $2; if (p ~ /us$/) p = p / 1000;
				else if (p ~ /ms$/) p = p + 0; else p = p * 1000 }
			END { print r, p }'
}
echo "this: $this; other: $other"
echo "wrk: $THREADS threads, $CONNS connections, $DURATION per run, $URLPATH; $SA_FCGI_CHILDREN FastCGI workers"
for i in $(seq "$ROUNDS"); do
	if [ $((i % 2)) = 1 ]; then
		a=$(run "$url_this" "$cookie_this"); b=$(run "$url_other" "$cookie_other")
	else
		b=$(run "$url_other" "$cookie_other"); a=$(run "$url_this" "$cookie_this")
	fi
	# shellcheck disable=SC2086 # "req/s p99" pairs
	printf 'round %d: this %s req/s p99 %s ms, other %s req/s p99 %s ms\n' "$i" $a $b
	echo "$a $b" >>"$W/rounds"
done
med() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "median req/s: this $(awk '{ print $1 }' "$W/rounds" | med), other $(awk '{ print $3 }' "$W/rounds" | med)"
echo "median p99 ms: this $(awk '{ print $2 }' "$W/rounds" | med), other $(awk '{ print $4 }' "$W/rounds" | med)"
echo "median ratio this/other: $(awk '{ printf "%.3f\n", $1 / $3 }' "$W/rounds" | med)"
