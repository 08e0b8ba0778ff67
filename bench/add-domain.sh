#!/usr/bin/env bash
# add-domain latency through nginx for 1024- and 2048-bit keys, without
# the key pool (key generation is its slow step) and with it (keys taken
# from dkim_key_pool, filled by `senderauth-admin pool-fill` before the
# requests), against `openssl genpkey` for the same sizes measured in the
# same run: p50 and p95 of N sequential requests each. Without and with
# the pool alternate in rounds of N/2 so that both see the same minutes of
# this machine.
#
#   BUILD=build bash bench/add-domain.sh    (env: N=40)
export SA_TOP=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=${BUILD:-build}
source "$SA_TOP/tests/lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/integration/lib.sh"
N=${N:-40}
sa_pg_start || exit 1
org=$(sa_org "株式会社〇〇〇〇")
acct=$(sa_account "$org" "山田 太郎")

# pct FILE P: the P-th percentile (nearest rank) of the numbers in FILE, ms.
pct() {
	sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END {
		i = int((p / 100) * NR + 0.999999); if (i < 1) i = 1
		printf "%.1f", v[i] * 1000 }'
}

# add_n BITS TAG N FILE: N add-domain requests, their times appended.
add_n() {
	local i
	for i in $(seq 1 "$3"); do
		curl -s -o /dev/null -w '%{time_total}\n' -b "sa_session=$cookie" \
			--data-urlencode "csrf=$csrf" \
			--data-urlencode "domain=d$i-$2-$1.example.jp" \
			"$SA_URL/mail-settings/add-domain" >>"$4"
	done
}

echo "machine: $(nproc) cores; $N samples each; ms"
printf '%-6s %20s %20s %22s %10s\n' bits "no pool p50/p95" "pool p50/p95" "openssl genpkey p50/p95" "ratio p50"
for bits in 1024 2048; do
	sa_config "dkim_bits = $bits" "dkim_pool_size = 0"
	sa_fcgi_stop
	sa_fcgi_start && [ -n "${SA_URL:-}" ] || sa_nginx_start || exit 1
	sleep 0.3
	cookie=$(sa_mint "$acct" "$org" 36000)
	csrf=$(csrf_of "$cookie")
	: >"$T/add-$bits"
	: >"$T/pool-$bits"
	for round in 1 2; do
		# without the pool: it is empty
		sa_psql -c "DELETE FROM dkim_key_pool" >/dev/null
		add_n "$bits" "$round-gen" $((N / 2)) "$T/add-$bits"
		# with it: filled first (not timed), N/2 keys taken
		SENDERAUTH_CONFIG=$SA_DIR/senderauth.conf "$BUILD/senderauth-admin" \
			pool-fill --size $((N / 2)) >/dev/null || exit 1
		add_n "$bits" "$round-pool" $((N / 2)) "$T/pool-$bits"
	done
	: >"$T/ossl-$bits"
	for i in $(seq 1 "$N"); do
		s=$(date +%s.%N)
		openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$bits" -out /dev/null 2>/dev/null
		e=$(date +%s.%N)
		echo "$e - $s" | bc >>"$T/ossl-$bits"
	done
	issued=$(sa_psql -tAc "SELECT count(*) FROM dkim_keys WHERE bits = $bits")
	a50=$(pct "$T/add-$bits" 50) a95=$(pct "$T/add-$bits" 95)
	p50=$(pct "$T/pool-$bits" 50) p95=$(pct "$T/pool-$bits" 95)
	o50=$(pct "$T/ossl-$bits" 50) o95=$(pct "$T/ossl-$bits" 95)
	printf '%-6s %20s %20s %22s %9sx   (%s keys issued)\n' "$bits" "$a50 / $a95" \
		"$p50 / $p95" "$o50 / $o95" \
		"$(awk -v a="$a50" -v b="$o50" 'BEGIN { printf "%.2f", a / b }')" "$issued"
done
