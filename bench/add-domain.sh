#!/usr/bin/env bash
# add-domain latency through nginx (key generation is its slow step) for
# 1024- and 2048-bit keys, against `openssl genpkey` for the same sizes
# measured in the same run: p50 and p95 of N sequential requests each.
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

echo "machine: $(nproc) cores; $N samples each; ms"
printf '%-6s %22s %22s %10s\n' bits "add-domain p50/p95" "openssl genpkey p50/p95" "ratio p50"
for bits in 1024 2048; do
	sa_config "dkim_bits = $bits"
	sa_fcgi_stop
	sa_fcgi_start && [ -n "${SA_URL:-}" ] || sa_nginx_start || exit 1
	sleep 0.3
	cookie=$(sa_mint "$acct" "$org" 36000)
	csrf=$(csrf_of "$cookie")
	: >"$T/add-$bits"
	for i in $(seq 1 "$N"); do
		curl -s -o /dev/null -w '%{time_total}\n' -b "sa_session=$cookie" \
			--data-urlencode "csrf=$csrf" --data-urlencode "domain=d$i-$bits.example.jp" \
			"$SA_URL/mail-settings/add-domain" >>"$T/add-$bits"
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
	o50=$(pct "$T/ossl-$bits" 50) o95=$(pct "$T/ossl-$bits" 95)
	printf '%-6s %22s %22s %9sx   (%s keys issued)\n' "$bits" "$a50 / $a95" "$o50 / $o95" \
		"$(awk -v a="$a50" -v b="$o50" 'BEGIN { printf "%.2f", a / b }')" "$issued"
done
