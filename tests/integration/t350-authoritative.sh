#!/usr/bin/env bash
# t350-authoritative.sh - authoritative lookups behind a real caching
# resolver (unbound) in front of two NSDs: a check before publishing leaves
# a negative answer in unbound's cache; after publishing, unbound (asked
# with dig) still says no record, `verifier check` through it says
# no_record, while `verifier check --authoritative` and 今すぐ確認 find the
# records at the zone's servers (via="authoritative"), following the DKIM
# CNAME into a zone on other servers. With the authoritative servers down
# the check falls back to unbound and says via="recursive". A recheck of a
# verified domain goes through unbound unless authoritative_recheck = 1.
# `verifier run` stores which way with the verdict (sql/006): the API says
# via= on the domain's spf, dkim and dmarc, and the page notes an
# authoritative check next to 最終確認.
#
# The NSDs listen on port 53 of two loopback addresses (127.0.0.0/8 is all
# on lo), as delegated name servers are asked on port 53; the addresses
# are drawn from a free port so that parallel runs do not meet.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/integration/lib.sh"
SA_PG_FAST=1

p=$(sa_free_port)
NS1=127.53.$((p % 250 + 1)).$((p / 250 % 250 + 1))
NS2=127.54.$((p % 250 + 1)).$((p / 250 % 250 + 1))
UB_PORT=$(sa_free_port)
V=$BUILD/verifier
mkdir -p "$T/zones" "$T/ns1" "$T/ns2" "$T/unbound"

# soa ZONE NSADDR: the zone's head; negative answers are cached an hour
soa() {
	printf '$ORIGIN %s.\n$TTL 3600\n@ IN SOA ns1.%s. host.%s. 1 3600 600 86400 3600\n@ IN NS ns1.%s.\nns1 IN A %s\n' \
		"$1" "$1" "$1" "$1" "$2"
}

# nsd_start N ADDR ZONE: NSD number N on ADDR:53 serving ZONE.
nsd_start() {
	local d=$T/ns$1
	cat >"$d/nsd.conf" <<EOF
server:
	ip-address: $2@53
	do-ip6: no
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "$T/zones"
	database: ""
	zonelistfile: "$d/zone.list"
	xfrdfile: "$d/xfrd.state"
	xfrdir: "$d"
	pidfile: "$d/nsd.pid"
	logfile: "$d/nsd.log"
	hide-version: yes
	rrl-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: "$3"
	zonefile: "$3.zone"
EOF
	rm -f "$d/nsd.pid"
	sa_bg "nsd$1" /usr/sbin/nsd -d -c "$d/nsd.conf"
	sa_wait_for 20 sh -c "dig +short +time=1 +tries=1 @$2 SOA $3 | grep -q ."
}
nsd_stop() {
	local pid n=50
	pid=$(cat "$T/nsd$1.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	while sa_running "$pid" && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
}
# publish N ADDR ZONE LINES...: rewrites ZONE and restarts its NSD.
publish() {
	local n=$1 addr=$2 zone=$3
	shift 3
	{
		soa "$zone" "$addr"
		printf '%s\n' "$@"
	} >"$T/zones/$zone.zone"
	nsd_stop "$n"
	nsd_start "$n" "$addr" "$zone"
}

soa cust.test "$NS1" >"$T/zones/cust.test.zone"
soa keys.test "$NS2" >"$T/zones/keys.test.zone"
nsd_start 1 "$NS1" cust.test || { not_ok "nsd on $NS1:53 starts"; exit 1; }
nsd_start 2 "$NS2" keys.test || { not_ok "nsd on $NS2:53 starts"; exit 1; }

cat >"$T/unbound/unbound.conf" <<EOF
server:
	interface: 127.0.0.1@$UB_PORT
	port: $UB_PORT
	do-ip6: no
	do-daemonize: no
	use-syslog: no
	username: ""
	chroot: ""
	directory: "$T/unbound"
	pidfile: "$T/unbound/unbound.pid"
	logfile: "$T/unbound/unbound.log"
	num-threads: 1
	module-config: "iterator"
	do-not-query-localhost: no
	qname-minimisation: no
	access-control: 127.0.0.0/8 allow
	cache-max-negative-ttl: 3600
	local-zone: "test." nodefault
remote-control:
	control-enable: no
stub-zone:
	name: "cust.test"
	stub-addr: $NS1@53
stub-zone:
	name: "keys.test"
	stub-addr: $NS2@53
EOF
sa_bg unbound /usr/sbin/unbound -d -c "$T/unbound/unbound.conf"
ub() { dig +time=2 +tries=1 -p "$UB_PORT" @127.0.0.1 "$@"; }
sa_wait_for 20 sh -c "dig +time=1 +tries=1 -p $UB_PORT @127.0.0.1 SOA cust.test | grep -q 'status: NOERROR'" ||
	{ not_ok "unbound answers"; exit 1; }

conf=("resolver = 127.0.0.1:$UB_PORT" "dns_timeout_ms = 500" "dns_tries = 1"
	"dkim_bits = 1024" "check_timeout_ms = 4000" "verifier_path = $V")
sa_stack_start "${conf[@]}" || { not_ok "stack starts"; exit 1; }
org=$(sa_org "株式会社〇〇〇〇")
taro=$(sa_account "$org" "山田 太郎")
ct=$(sa_mint "$taro" "$org")
csrf=$(csrf_of "$ct")
post /mail-settings/add-domain "$ct" csrf="$csrf" domain=cust.test
get /mail-settings/api/ "$ct"
sel=$(xpath 'string(//domain/dkim/@selector)')
dkim=$(xpath 'string(//domain/dkim/record/@value)')
id=$(xpath 'string(//domain/@id)')
p64=${dkim##*p=}
col() { sa_psql -tAc "SELECT $1 FROM domains WHERE id = $id"; }
verdict() { col "spf_status || ' ' || spf_reason || ' ' || dkim_status || ' ' || dkim_reason"; }
due_now() { sa_psql -c "UPDATE domains SET due_at = now()" >/dev/null; }
run() { "$V" run "$@" 2>>"$T/verifier.err"; }
# vc [OPTIONS]: `verifier check cust.test` with the issued key, XML in $T/vc.xml
vc() {
	"$V" check cust.test --selector "$sel" --dkim-p "$p64" "$@" >"$T/vc.xml" 2>>"$T/verifier.err"
}
vx() { xmllint --xpath "$1" "$T/vc.xml" 2>/dev/null; }
# which way the stored verdict's answers came, as the API says it
api_via() {
	get /mail-settings/api/ "$ct"
	xpath 'concat(//domain/spf/@via, " ", //domain/dkim/@via, " ", //domain/dmarc/@via)'
}
NOTE=ドメインのDNSサーバーに直接確認しました
parts() { vx 'concat(/check/spf/@status, " ", /check/spf/@reason, " ", /check/spf/@via, " ", /check/dkim/@status, " ", /check/dkim/@via, " ", /check/dmarc/@status, " ", /check/dmarc/@via)'; }

# --- before publishing: a check through the resolver caches the negatives
vc
check_eq "before publishing: nothing, through the resolver" \
	"unverified no_record recursive unverified recursive missing recursive" "$(parts)"
ub TXT cust.test >"$T/dig.txt"
check "unbound: NODATA for the SPF name" grep -q 'status: NOERROR.*' "$T/dig.txt"
check_eq "… no answer" "" "$(ub +short TXT cust.test)"
check "unbound: NXDOMAIN for the DKIM name" sh -c \
	"dig +time=2 +tries=1 -p $UB_PORT @127.0.0.1 TXT $sel._domainkey.cust.test | grep -q 'status: NXDOMAIN'"
run >/dev/null
check_eq "the cron run of a new domain: nothing yet (asked authoritatively)" \
	"unverified no_record unverified no_record" "$(verdict)"
check_eq "… the API says it asked the zone's servers" \
	"authoritative authoritative authoritative" "$(api_via)"

# --- publish: SPF, DMARC, and DKIM as a CNAME into keys.test (other servers)
publish 2 "$NS2" keys.test "$sel.cust IN TXT ( \"${dkim:0:200}\" \"${dkim:200}\" )"
publish 1 "$NS1" cust.test '@ IN TXT "v=spf1 ip4:210.198.21.20 ~all"' \
	"$sel._domainkey IN CNAME $sel.cust.keys.test." \
	'_dmarc IN TXT "v=DMARC1; p=none"'
check_eq "the zone's server has the SPF record" '"v=spf1 ip4:210.198.21.20 ~all"' \
	"$(dig +short +norecurse "@$NS1" TXT cust.test)"
check_eq "unbound still says no SPF record (cached NODATA)" "" "$(ub +short TXT cust.test)"
check "unbound still says NXDOMAIN for the DKIM name" sh -c \
	"dig +time=2 +tries=1 -p $UB_PORT @127.0.0.1 TXT $sel._domainkey.cust.test | grep -q 'status: NXDOMAIN'"
vc
check_eq "through the resolver: still nothing" \
	"unverified no_record recursive unverified recursive missing recursive" "$(parts)"
vc --authoritative
check_eq "--authoritative: all found at the zone's servers, the CNAME followed into keys.test" \
	"verified ok authoritative verified authoritative found authoritative" "$(parts)"
check_eq "… the DKIM name it ended at" "$sel._domainkey.cust.test" "$(vx 'string(/check/dkim/@name)')"

# --- 今すぐ確認 asks the zone's servers: 設定済 while unbound says nothing
post /mail-settings/check "$ct" csrf="$csrf" id="$id"
check_eq "今すぐ確認 answers 303" 303 "$CODE"
check_eq "今すぐ確認: verified" "verified ok verified ok" "$(verdict)"
get /mail-settings/ "$ct"
check "the page shows ✔ 設定済" body_has "✔ 設定済"
check "… and that it asked the domain's DNS servers" body_has "$NOTE"
check_eq "… the API: via authoritative on spf, dkim and dmarc" \
	"authoritative authoritative authoritative" "$(api_via)"
check_eq "… stored by the run in the verdict's transaction" \
	"authoritative authoritative authoritative" \
	"$(col "spf_via || ' ' || dkim_via || ' ' || dmarc_via")"
check_eq "unbound still says no SPF record" "" "$(ub +short TXT cust.test)"

# --- a recheck of a verified domain: through the resolver by default
publish 1 "$NS1" cust.test '@ IN TXT "v=spf1 ip4:192.0.2.1 ~all"' \
	"$sel._domainkey IN CNAME $sel.cust.keys.test." \
	'_dmarc IN TXT "v=DMARC1; p=none"'
due_now
run >/dev/null
check_eq "recheck of a verified domain: the resolver's cached negatives" \
	"unverified no_record unverified no_record" "$(verdict)"
check_eq "… the API: via recursive on spf, dkim and dmarc" \
	"recursive recursive recursive" "$(api_via)"
get /mail-settings/ "$ct"
check "… the page shows the domain" body_has "cust.test"
check "… without the note" sh -c "! grep -qF -- '$NOTE' '$T/body'"
post /mail-settings/check "$ct" csrf="$csrf" id="$id"
check_eq "今すぐ確認 then sees the record at the zone's servers" \
	"unverified not_authorized verified ok" "$(verdict)"
publish 1 "$NS1" cust.test '@ IN TXT "v=spf1 ip4:210.198.21.20 ~all"' \
	"$sel._domainkey IN CNAME $sel.cust.keys.test." \
	'_dmarc IN TXT "v=DMARC1; p=none"'
due_now
run >/dev/null
check_eq "an unverified domain's cron check asks the zone's servers" \
	"verified ok verified ok" "$(verdict)"
publish 1 "$NS1" cust.test '@ IN TXT "v=spf1 ip4:192.0.2.1 ~all"' \
	"$sel._domainkey IN CNAME $sel.cust.keys.test." \
	'_dmarc IN TXT "v=DMARC1; p=none"'
{ cat "$SENDERAUTH_CONFIG"; echo "authoritative_recheck = 1"; } >"$T/recheck.conf"
due_now
SENDERAUTH_CONFIG=$T/recheck.conf run >/dev/null
check_eq "authoritative_recheck = 1: the recheck asks the zone's servers" \
	"unverified not_authorized verified ok" "$(verdict)"

# --- the authoritative servers down: the resolver answers, and says so
nsd_stop 1
nsd_stop 2
vc --authoritative
check_eq "servers down: the resolver's (cached) answers, via recursive" \
	"unverified no_record recursive unverified recursive missing recursive" "$(parts)"
check "no sanitizer or warning output from the verifier" \
	sh -c "! grep -Eq 'runtime error|AddressSanitizer|LeakSanitizer' '$T/verifier.err'"
sa_done
