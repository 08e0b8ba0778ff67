#!/usr/bin/env bash
# t430-metrics.sh - the verifier's Prometheus textfile (metrics_file): off
# by default; after each completed `verifier run` a file of gauges with
# their HELP and TYPE lines (domains by SPF and DKIM status, the run's end,
# duration, checks by outcome and per second) whose values match the
# database and the run's summary, replaced whole (a new file renamed over
# the old, no temporary left), read without error by node_exporter's
# textfile collector (Debian prometheus-node-exporter); not written by a
# --domain run; a file that cannot be written is reported (exit 1).
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/lib/nsd.sh"
source "$SA_TOP/tests/integration/lib.sh"
SA_PG_FAST=1

mkdir -p "$T/zones" "$T/textfile"
sa_platform_zone "$T/zones"
sa_soa example.jp >"$T/zones/example.jp.zone"
sa_nsd_start "$T/zones" m01-ahd-sys.net example.jp || { not_ok "nsd starts"; exit 1; }
sa_stack_start "resolver = 127.0.0.1:$SA_NSD_PORT" "dns_timeout_ms = 300" \
	"dns_tries = 1" "dkim_bits = 1024" || { not_ok "stack starts"; exit 1; }
org=$(sa_org "株式会社〇〇〇〇")
taro=$(sa_account "$org" "山田 太郎")
ct=$(sa_mint "$taro" "$org")
csrf=$(csrf_of "$ct")
run() { "$BUILD/verifier" run "$@" 2>>"$T/verifier.err"; }
M=$T/textfile/senderauth.prom
val() { # METRIC-WITH-LABELS: its value in $M
	awk -v m="$1" '$1 == m { print $2 }' "$M"
}

post /mail-settings/add-domain "$ct" csrf="$csrf" domain=example.jp
post /mail-settings/add-domain "$ct" csrf="$csrf" domain=second.example.jp
get /mail-settings/api/ "$ct"
id=$(xpath 'string(//domain[@name="example.jp"]/@id)')
sel=$(xpath 'string(//domain[@name="example.jp"]/dkim/@selector)')
val=$(xpath 'string(//domain[@name="example.jp"]/dkim/record/@value)')
{
	sa_soa example.jp
	echo '@ IN TXT "v=spf1 include:m01-ahd-sys.net ~all"'
	echo "$sel._domainkey IN TXT ( \"${val:0:200}\" \"${val:200}\" )"
} >"$T/zones/example.jp.zone"
sa_nsd_restart

run >/dev/null
check "off by default: no file" test -z "$(ls -A "$T/textfile")"

echo "metrics_file = $M" >>"$SENDERAUTH_CONFIG"
sa_psql -c "UPDATE domains SET due_at = now()" >/dev/null
t0=$(date +%s)
out=$(run)
t1=$(date +%s)
check "metrics_file set: the run writes it" test -f "$M"
check_eq "mode 0644 (node_exporter's account reads it)" 644 "$(stat -c %a "$M")"
check_eq "nothing else in its directory (no temporary left)" senderauth.prom "$(ls -A "$T/textfile")"

# The format: HELP and TYPE gauge before each metric's samples, samples of
# the exposition format, nothing else.
check "every line is a HELP, a TYPE gauge or a sample" \
	eval '! grep -Ev "^(# HELP [a-z_]+ .+|# TYPE [a-z_]+ gauge|[a-z_]+(\{[a-z]+=\"[a-z_]+\"(,[a-z]+=\"[a-z_]+\")*\})? [0-9]+(\.[0-9]+)?)$" "$M"'
check "each metric's HELP and TYPE come before its samples" \
	awk '/^# HELP / { h = $3 } /^# TYPE / { if ($3 != h) exit 1; t = $3 }
		!/^#/ { n = $1; sub(/\{.*/, "", n); if (n != t) exit 1 }' "$M"
check_eq "the metrics" "senderauth_domains
senderauth_verifier_last_run_timestamp_seconds
senderauth_verifier_last_run_duration_seconds
senderauth_verifier_last_run_checks
senderauth_verifier_last_run_checks_per_second" "$(sed -n 's/^# TYPE \([a-z_]*\) gauge$/\1/p' "$M")"

# The values: the database's counts, the run's summary.
for r in spf dkim; do
	for s in pending verified unverified tempfail; do
		check_eq "senderauth_domains{record=\"$r\",status=\"$s\"} is the database's count" \
			"$(sa_psql -tAc "SELECT count(*) FROM domains WHERE deleted_at IS NULL AND ${r}_status = '$s'")" \
			"$(val "senderauth_domains{record=\"$r\",status=\"$s\"}")"
	done
done
check_eq "SPF verified 1, unverified 1" "1 1" \
	"$(val 'senderauth_domains{record="spf",status="verified"}') $(val 'senderauth_domains{record="spf",status="unverified"}')"
check "the run's summary" sh -c "echo '$out' | grep -q '^verifier: checked 2, verified 1, unverified 1, tempfail 0, '"
check_eq "checks by outcome as the summary" "1 1 0" \
	"$(val 'senderauth_verifier_last_run_checks{outcome="verified"}') $(val 'senderauth_verifier_last_run_checks{outcome="unverified"}') $(val 'senderauth_verifier_last_run_checks{outcome="tempfail"}')"
ts=$(val senderauth_verifier_last_run_timestamp_seconds)
check "the run's end in Unix time (between the run's start and return)" \
	test "$ts" -ge "$t0" -a "$ts" -le "$t1"
secs=$(echo "$out" | sed -n 's/.*, \([0-9.]*\) s$/\1/p')
dur=$(val senderauth_verifier_last_run_duration_seconds)
check "the duration is the summary's seconds" \
	test "$(printf '%.2f' "$dur")" = "$secs"
# (both printed to 0.001: rate × duration is 2 checks within that rounding)
check "checks per second = checked / duration" \
	awk -v d="$dur" -v r="$(val senderauth_verifier_last_run_checks_per_second)" \
		'BEGIN { e = r * d - 2; if (e < 0) e = -e
			exit !(d > 0 && e <= 2 * 0.0005 / d + 0.0005 * d + 1e-9) }'

# Replaced whole: a new file renamed over the old one.
ino=$(stat -c %i "$M")
cp "$M" "$T/before.prom"
run --domain "$id" >/dev/null
check "a --domain run (今すぐ確認) leaves it as it was" \
	eval 'cmp -s "$M" "$T/before.prom" && [ "$(stat -c %i "$M")" = "$ino" ]'
sa_psql -c "UPDATE domains SET due_at = now()" >/dev/null
{
	sa_soa example.jp
	echo '@ IN TXT "v=spf1 include:m01-ahd-sys.net -all"'
} >"$T/zones/example.jp.zone"
sa_nsd_restart
run >/dev/null
check "the next run replaces it: a new file renamed over the old" \
	test "$(stat -c %i "$M")" != "$ino"
check_eq "… with the new counts" "0 2" \
	"$(val 'senderauth_domains{record="spf",status="verified"}') $(val 'senderauth_domains{record="spf",status="unverified"}')"
check_eq "… and no temporary left" senderauth.prom "$(ls -A "$T/textfile")"

# node_exporter's textfile collector reads it without error.
port=$(sa_free_port)
sa_bg node-exporter /usr/bin/prometheus-node-exporter --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$T/textfile" \
	--web.listen-address="127.0.0.1:$port"
sa_wait_for 10 curl -sf -o "$T/scrape" "http://127.0.0.1:$port/metrics"
check "node_exporter serves the metrics" test -s "$T/scrape"
check "… with no textfile error" grep -qx "node_textfile_scrape_error 0" "$T/scrape"
check_eq "… every sample of the file, same values" \
	"$(grep -v '^#' "$M" | sort | awk '{ printf "%s %.6g\n", $1, $2 }')" \
	"$(grep '^senderauth_' "$T/scrape" | sort | awk '{ printf "%s %.6g\n", $1, $2 }')"

# A file that cannot be written: the run says so and exits 1; the
# verdicts are written all the same.
sed -i "s#^metrics_file = .*#metrics_file = $T/missing/senderauth.prom#" "$SENDERAUTH_CONFIG"
checks=$(sa_psql -tAc "SELECT sum(checks) FROM domains")
sa_psql -c "UPDATE domains SET due_at = now()" >/dev/null
"$BUILD/verifier" run >/dev/null 2>"$T/err"
check_eq "an unwritable metrics_file: exit 1" 1 $?
check "… naming it" grep -q "verifier: $T/missing/senderauth.prom: No such file or directory" "$T/err"
check_eq "… the verdicts written" "$((checks + 2))" "$(sa_psql -tAc "SELECT sum(checks) FROM domains")"
check "… nothing created" test ! -e "$T/missing"
sa_done
