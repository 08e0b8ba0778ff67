# bench/zones.sh - zone data shared by the verifier benchmarks; sourced.
#
#   bench_key                 a 2048-bit RSA public key as a DKIM p= value
#   bench_zones DIR N P SEL   DIR/bench.test.zone with N domains
#                             d000001.bench.test … (SPF through the platform
#                             include, the DKIM key P at SEL in two strings,
#                             DMARC), DIR/m01-ahd-sys.net.zone, and $T/domains
#                             and $T/queries (the queries of one check each,
#                             for dnsperf)

bench_key() {
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null |
		openssl pkey -pubout -outform DER | base64 -w0
}

bench_soa() {
	printf '$ORIGIN %s.\n$TTL 3600\n' "$1"
	printf '@ IN SOA ns.bench.test. host.bench.test. 1 3600 600 86400 300\n'
	printf '@ IN NS ns.bench.test.\n'
}

bench_zones() {
	local dir=$1 n=$2 p=$3 sel=$4 rec
	rec="v=DKIM1; k=rsa; p=$p"
	mkdir -p "$dir"
	{
		bench_soa bench.test
		echo 'ns IN A 127.0.0.1'
		awk -v n="$n" -v a="${rec:0:255}" -v b="${rec:255}" -v s="$sel" 'BEGIN {
			for (i = 1; i <= n; i++) {
				d = sprintf("d%06d", i)
				printf "%s IN TXT \"v=spf1 include:m01-ahd-sys.net ~all\"\n", d
				printf "%s._domainkey.%s IN TXT ( \"%s\" \"%s\" )\n", s, d, a, b
				printf "_dmarc.%s IN TXT \"v=DMARC1; p=none\"\n", d
			}
		}'
	} >"$dir/bench.test.zone"
	{
		bench_soa m01-ahd-sys.net
		echo '@ IN TXT "v=spf1 ip4:210.198.21.20 ~all"'
	} >"$dir/m01-ahd-sys.net.zone"
	awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++) printf "d%06d.bench.test\n", i }' \
		>"$T/domains"
	awk -v s="$sel" '{ print $1 " TXT"; print s "._domainkey." $1 " TXT"; print "_dmarc." $1 " TXT" }' \
		"$T/domains" >"$T/queries"
}
