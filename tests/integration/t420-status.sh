#!/usr/bin/env bash
# t420-status.sh - `senderauth-admin status` over a real stack: domains
# added through HTTP, checked by `verifier run` against NSD. Each completed
# run (not a --domain run, not a failed one) is a row of verifier_runs;
# status shows domains by SPF and DKIM status, the oldest due check and
# how late it is, the last run and its summary, live claims, keys by state,
# the pool and the alerts not sent, and exits 1 when no run completed within three periods of
# verifier_period_s.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/lib/nsd.sh"
source "$SA_TOP/tests/integration/lib.sh"
SA_PG_FAST=1

sa_platform_zone "$T/zones"
sa_soa example.jp >"$T/zones/example.jp.zone"
sa_nsd_start "$T/zones" m01-ahd-sys.net example.jp || { not_ok "nsd starts"; exit 1; }
sa_stack_start "resolver = 127.0.0.1:$SA_NSD_PORT" "dns_timeout_ms = 300" \
	"dns_tries = 1" "dkim_bits = 1024" "dkim_pool_size = 2" ||
	{ not_ok "stack starts"; exit 1; }
org=$(sa_org "株式会社〇〇〇〇")
taro=$(sa_account "$org" "山田 太郎")
ct=$(sa_mint "$taro" "$org")
csrf=$(csrf_of "$ct")
run() { "$BUILD/verifier" run "$@" 2>>"$T/verifier.err"; }
status() { "$BUILD/senderauth-admin" status 2>>"$T/status.err"; }
line() { # KEY: the value of status's line "KEY: …" in $T/status
	sed -n "s/^$1: //p" "$T/status"
}
runs() { sa_psql -tAc "SELECT count(*) FROM verifier_runs"; }

# --- nothing yet: no run, so the verifier is late
status >"$T/status"
check_eq "before any run: exit 1" 1 $?
check_eq "no domains" 0 "$(line domains)"
check_eq "SPF by status, every status" "pending 0, verified 0, unverified 0, tempfail 0" "$(line spf)"
check_eq "oldest due check: none" "none (no domains)" "$(line "oldest due check")"
check_eq "last run: none" none "$(line "last run")"
check_eq "the verdict: late" "late, no run completed in the last 900 s (3 periods of verifier_period_s 300)" \
	"$(line verifier)"

# --- two domains: example.jp published, absent.example.jp not in DNS
post /mail-settings/add-domain "$ct" csrf="$csrf" domain=example.jp
post /mail-settings/add-domain "$ct" csrf="$csrf" domain=absent.example.jp
get /mail-settings/api/ "$ct"
id=$(xpath 'string(//domain[@name="example.jp"]/@id)')
id2=$(xpath 'string(//domain[@name="absent.example.jp"]/@id)')
sel=$(xpath 'string(//domain[@name="example.jp"]/dkim/@selector)')
val=$(xpath 'string(//domain[@name="example.jp"]/dkim/record/@value)')
{
	sa_soa example.jp
	echo '@ IN TXT "v=spf1 include:m01-ahd-sys.net ~all"'
	echo "$sel._domainkey IN TXT ( \"${val:0:200}\" \"${val:200}\" )"
} >"$T/zones/example.jp.zone"
sa_nsd_restart
status >"$T/status"
check_eq "added, not checked: pending" "2 pending 2, verified 0, unverified 0, tempfail 0" \
	"$(line domains) $(line dkim)"
check "… and due now: the oldest due check names one, late" \
	grep -Eq '^oldest due check: (absent\.)?example\.jp, due [0-9T:+-]+, [0-9]+ s late$' "$T/status"

out=$(run)
check "the run checked both" sh -c "echo '$out' | grep -q '^verifier: checked 2, verified 1, unverified 1, tempfail 0'"
check_eq "it is recorded: one row" 1 "$(runs)"
check_eq "… with its summary, its host and its start" "2 1 1 0 $(hostname) t" \
	"$(sa_psql -tA -F ' ' -c "SELECT checked, verified, unverified, tempfail, host, started <= finished AND finished <= now() FROM verifier_runs")"
"$BUILD/senderauth-admin" pool-fill >/dev/null

status >"$T/status"
check_eq "after a run: exit 0" 0 $?
check_eq "domains" 2 "$(line domains)"
check_eq "SPF by status" "pending 0, verified 1, unverified 1, tempfail 0" "$(line spf)"
check_eq "DKIM by status" "pending 0, verified 1, unverified 1, tempfail 0" "$(line dkim)"
check_eq "keys by state: one active (seen), one pending" \
	"pending 1, active 1, retiring 0, retired 0" "$(line keys)"
check_eq "the pool" 2 "$(line "key pool")"
check_eq "no alert waiting" "none unsent" "$(line alerts)"
check_eq "no live claims after the run" 0 "$(line "live claims")"
check "the last run and its summary" \
	grep -Eq "^last run: finished [0-9T:+-]+ on $(hostname), [0-9]+ s ago: checked 2, verified 1, unverified 1, tempfail 0, [0-9]+\.[0-9]{2} s$" "$T/status"
check "nothing is late: the next check" \
	grep -Eq '^oldest due check: none late \(next: (absent\.)?example\.jp at [0-9T:+-]+, in [0-9]+ s\)$' "$T/status"
check_eq "the verdict: ok" "ok, a run completed in the last 900 s (3 periods of verifier_period_s 300)" \
	"$(line verifier)"

# --- how late the oldest due check is
sa_psql -c "UPDATE domains SET due_at = now() - interval '1 hour' WHERE id = $id2" >/dev/null
status >"$T/status"
late=$(line "oldest due check" | sed -n 's/^absent\.example\.jp, due .*, \([0-9]*\) s late$/\1/p')
check "the domain due an hour ago is the oldest, an hour late" \
	test -n "$late" -a "${late:-0}" -ge 3600 -a "${late:-0}" -lt 3900

# --- live claims: a run killed mid-way leaves its claim until it expires
sa_psql -c "INSERT INTO domain_claims (owner, until, lo_due, lo_id, hi_due, hi_id) VALUES ('gone:1:1', now() + interval '5 minutes', now(), $id, now(), $id), ('gone:2:1', now() - interval '1 minute', now(), $id, now(), $id)" >/dev/null
status >"$T/status"
check_eq "a live claim counts, an expired one does not" 1 "$(line "live claims")"
sa_psql -c "DELETE FROM domain_claims" >/dev/null

# --- only completed runs of everything due are recorded
run --domain "$id" >/dev/null
check_eq "a --domain run (今すぐ確認) adds no row" 1 "$(runs)"
sed 's/^database = .*/database = host=\/nonexistent port=1 dbname=x connect_timeout=2/' \
	"$SENDERAUTH_CONFIG" >"$T/nodb.conf"
SENDERAUTH_CONFIG=$T/nodb.conf "$BUILD/verifier" run >/dev/null 2>&1
check_eq "a failed run adds none" 1 "$(runs)"
sa_psql -c "INSERT INTO verifier_runs (started, finished, checked, verified, unverified, tempfail, seconds, host) VALUES (now() - interval '31 days', now() - interval '31 days', 0, 0, 0, 0, 0.1, 'old')" >/dev/null
run >/dev/null
check_eq "a run adds its row and drops those older than 30 days" "2 0" \
	"$(sa_psql -tA -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE host = 'old') FROM verifier_runs")"

# --- three periods without a completed run: late
sa_psql -c "UPDATE verifier_runs SET finished = now() - interval '901 seconds'" >/dev/null
status >"$T/status"
check_eq "last run 901 s ago, period 300 s: exit 1" 1 $?
check "… it says late" grep -q '^verifier: late, no run completed in the last 900 s' "$T/status"
check "… and still shows the last run" grep -Eq '^last run: finished .*, 90[0-9] s ago: ' "$T/status"
echo "verifier_period_s = 600" >>"$SENDERAUTH_CONFIG"
status >"$T/status"
check_eq "period 600 s (verifier_period_s): exit 0" 0 $?
check_eq "… ok within 1800 s" "ok, a run completed in the last 1800 s (3 periods of verifier_period_s 600)" \
	"$(line verifier)"
run >/dev/null
check_eq "a new run: ok again with the default period" 0 \
	"$("$BUILD/senderauth-admin" -d "$(sa_conninfo)" status >/dev/null; echo $?)"
sed 's/^verifier_period_s = .*/verifier_period_s = 5/' "$SENDERAUTH_CONFIG" >"$T/bad.conf"
SENDERAUTH_CONFIG=$T/bad.conf "$BUILD/senderauth-admin" status >/dev/null 2>"$T/err"
check_eq "verifier_period_s below 30: exit 1" 1 $?
check "… naming the line" grep -q "bad.conf:[0-9]*: number out of range" "$T/err"

# --- deleted domains and their keys leave the counts
post /mail-settings/delete "$ct" csrf="$csrf" kind=domain id="$id2" confirm=1
status >"$T/status"
check_eq "a deleted domain is not counted" "1 pending 0, verified 1, unverified 0, tempfail 0" \
	"$(line domains) $(line spf)"
check_eq "nor its key" "pending 0, active 1, retiring 0, retired 0" "$(line keys)"

"$BUILD/senderauth-admin" status extra >/dev/null 2>&1
check_eq "an argument: usage error (exit 2)" 2 $?
SENDERAUTH_CONFIG=$T/nodb.conf "$BUILD/senderauth-admin" status >/dev/null 2>&1
check_eq "an unreachable database: exit 1" 1 $?
sa_done
