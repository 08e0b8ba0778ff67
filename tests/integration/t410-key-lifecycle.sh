#!/usr/bin/env bash
# t410-key-lifecycle.sh - DKIM keys from issue to history, against
# PostgreSQL, the web actions and the verifier over NSD: a key is pending
# until the verifier sees its record, then active; 「DKIMキーを更新」 asks
# first, then issues a pending key beside the active one while the domain
# stays 設定済; the verifier promotes it when its record appears (the old
# key retiring, an event each); retiring keys become retired after
# dkim_retire_days; scheduled rotation (dkim_rotate_days); the key pool;
# the sending gate of addresses; sealed keys bound to their rows.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/lib/nsd.sh"
source "$SA_TOP/tests/integration/lib.sh"
SA_PG_FAST=1

sa_platform_zone "$T/zones"
sa_soa example.jp >"$T/zones/example.jp.zone"
sa_nsd_start "$T/zones" m01-ahd-sys.net example.jp || { not_ok "nsd starts"; exit 1; }

conf=("resolver = 127.0.0.1:$SA_NSD_PORT" "dns_timeout_ms = 300" "dns_tries = 1"
	"dkim_bits = 1024" "dkim_retire_days = 7" "dkim_pool_size = 3")
sa_stack_start "${conf[@]}" || { not_ok "stack starts"; exit 1; }
org=$(sa_org "株式会社〇〇〇〇")
taro=$(sa_account "$org" "山田 太郎")
ct=$(sa_mint "$taro" "$org")
csrf=$(csrf_of "$ct")
run() { "$BUILD/verifier" run "$@" 2>>"$T/verifier.err"; }
admin() { "$BUILD/senderauth-admin" "$@"; }
due_now() { sa_psql -c "UPDATE domains SET due_at = now()" >/dev/null; }
keys() { # "selector:state ..." of example.jp's keys, oldest first
	sa_psql -tAc "SELECT string_agg(selector || ':' || state, ' ' ORDER BY k.id) FROM dkim_keys k JOIN domains d ON d.id = k.domain_id WHERE d.name = 'example.jp' AND d.deleted_at IS NULL"
}
events() { # the actions logged for the domain, oldest first
	sa_psql -tAc "SELECT string_agg(action, ' ' ORDER BY id) FROM events WHERE object_type = 'domain' AND action LIKE 'dkim_%'"
}
dkim_line() { # SELECTOR VALUE: the zone line, the value in two strings
	echo "$1._domainkey IN TXT ( \"${2:0:200}\" \"${2:200}\" )"
}
publish() { # zone lines after the SPF record
	sa_soa example.jp >"$T/zones/example.jp.zone"
	printf '%s\n' '@ IN TXT "v=spf1 include:m01-ahd-sys.net ~all"' "$@" \
		>>"$T/zones/example.jp.zone"
	sa_nsd_restart
}

# --- the pool: filled by the operator's command, taken by add-domain
out=$(admin pool-fill)
check_eq "pool-fill fills to dkim_pool_size" "pool-fill: 3 added, 3 1024-bit keys in the pool" "$out"
check_eq "a second pool-fill adds nothing" "pool-fill: 0 added, 3 1024-bit keys in the pool" "$(admin pool-fill)"
pool_pub=$(sa_psql -tAc "SELECT public_key FROM dkim_key_pool ORDER BY id LIMIT 1")

post /mail-settings/add-domain "$ct" csrf="$csrf" domain=example.jp
check_eq "add-domain: 303" 303 "$CODE"
check_eq "it took the pool's oldest key" "$pool_pub" \
	"$(sa_psql -tAc "SELECT public_key FROM dkim_keys k JOIN domains d ON d.id = k.domain_id WHERE d.name = 'example.jp'")"
check_eq "the pool has one key fewer" 2 "$(sa_psql -tAc "SELECT count(*) FROM dkim_key_pool")"
post /mail-settings/register "$ct" csrf="$csrf" address=sales@example.jp
post /mail-settings/register "$ct" csrf="$csrf" address=info@other.example
get /mail-settings/api/ "$ct"
id=$(xpath 'string(//domain/@id)')
sel1=$(xpath 'string(//domain/dkim/@selector)')
val1=$(xpath 'string(//domain/dkim/record/@value)')
check_eq "a new key is pending" "$sel1:pending" "$(keys)"
check_eq "the page says pending" pending "$(xpath 'string(//domain/dkim/@state)')"
check_eq "sending gate: SPF not yet" "no spf $id" \
	"$(xpath 'concat(//address[email="sales@example.jp"]/@authenticated, " ", //address[email="sales@example.jp"]/@reason, " ", //address[email="sales@example.jp"]/@domain-id)')"
check_eq "sending gate: a domain not added" "no no_domain" \
	"$(xpath 'concat(//address[email="info@other.example"]/@authenticated, " ", //address[email="info@other.example"]/@reason)')"

# --- the record seen: pending -> active
publish "$(dkim_line "$sel1" "$val1")"
due_now
run >/dev/null
check_eq "seen in DNS: active" "$sel1:active" "$(keys)"
check_eq "activated_at set" t "$(sa_psql -tAc "SELECT activated_at IS NOT NULL FROM dkim_keys WHERE selector = '$sel1'")"
check_eq "an event for it" "dkim_issued dkim_activated" "$(events)"
get /mail-settings/api/ "$ct"
check_eq "the page: verified, active" "verified active" \
	"$(xpath 'concat(//domain/dkim/@status, " ", //domain/dkim/@state)')"
check_eq "sending gate: authenticated" "yes ok" \
	"$(xpath 'concat(//address[email="sales@example.jp"]/@authenticated, " ", //address[email="sales@example.jp"]/@reason)')"

# --- 更新 asks first and changes nothing
post /mail-settings/reissue "$ct" csrf="$csrf" id="$id" rotate=1
check_eq "更新 without confirm: the page asks (200)" 200 "$CODE"
get /mail-settings/api/ "$ct"
post /mail-settings/api/reissue "$ct" csrf="$csrf" id="$id" rotate=1
check_eq "the confirmation names the domain" "rotate $id example.jp" \
	"$(xpath 'concat(/settings/confirm/@kind, " ", /settings/confirm/@id, " ", /settings/confirm/@name)')"
check_eq "asking changed nothing" "$sel1:active" "$(keys)"

# --- confirmed: a pending key beside the active one, the domain stays 設定済
post /mail-settings/reissue "$ct" csrf="$csrf" id="$id" rotate=1 confirm=1
check_eq "confirmed: 303" 303 "$CODE"
check "with the notice rotation_started" header_has "notice=rotation_started"
sel2=$(sa_psql -tAc "SELECT selector FROM dkim_keys WHERE state = 'pending'")
check_eq "a pending key beside the active one" "$sel1:active $sel2:pending" "$(keys)"
check "a new selector" test -n "$sel2" -a "$sel2" != "$sel1"
check_eq "the domain stays verified" verified \
	"$(sa_psql -tAc "SELECT dkim_status FROM domains WHERE id = $id")"
check_eq "the domain is checked soon" t \
	"$(sa_psql -tAc "SELECT due_at <= now() FROM domains WHERE id = $id")"
check_eq "logged as a rotation" "dkim_issued dkim_activated dkim_rotation_started" "$(events)"
get /mail-settings/api/ "$ct"
check "the API validates" xmllint --noout --relaxng "$SA_TOP/xsl/senderauth.rng" "$T/body"
check_eq "the page: the current record (active, verified)" "$sel1 active verified" \
	"$(xpath 'concat(//domain/dkim/@selector, " ", //domain/dkim/@state, " ", //domain/dkim/@status)')"
check_eq "and the new one to add" "$sel2" "$(xpath 'string(//domain/dkim/next/@selector)')"
val2=$(xpath 'string(//domain/dkim/next/record/@value)')
check "the new record is a DKIM key record" test "${val2:0:16}" = "v=DKIM1; k=rsa; "
get /mail-settings/ "$ct"
check "the HTML says what to add" body_has "追加するレコード"
check "the sending gate holds during the rotation" \
	test "$(sa_psql -tAc "SELECT count(*) FROM dkim_keys WHERE state = 'active'")" = 1

# --- the verifier does not see the new record yet: nothing moves
due_now
run >/dev/null
check_eq "not yet in DNS: still active + pending" "$sel1:active $sel2:pending" "$(keys)"
check_eq "the new key's own verdict" "unverified no_record" \
	"$(sa_psql -tAc "SELECT next_status || ' ' || next_reason FROM dkim_keys WHERE selector = '$sel2'")"
check_eq "the domain still verified" "verified ok" \
	"$(sa_psql -tAc "SELECT dkim_status || ' ' || dkim_reason FROM domains WHERE id = $id")"

# --- a second 更新 while one is pending replaces the pending key
post /mail-settings/reissue "$ct" csrf="$csrf" id="$id" rotate=1 confirm=1
sel3=$(sa_psql -tAc "SELECT selector FROM dkim_keys WHERE state = 'pending'")
check_eq "the pending key is replaced, the active one kept" \
	"$sel1:active $sel2:retired $sel3:pending" "$(keys)"
get /mail-settings/api/ "$ct"
val3=$(xpath 'string(//domain/dkim/next/record/@value)')

# --- the new record published: the new key active, the old one retiring
publish "$(dkim_line "$sel1" "$val1")" "$(dkim_line "$sel3" "$val3")"
due_now
run >/dev/null
check_eq "seen: new active, old retiring" "$sel1:retiring $sel2:retired $sel3:active" "$(keys)"
check_eq "an event each" \
	"dkim_issued dkim_activated dkim_rotation_started dkim_rotation_started dkim_activated dkim_retiring" \
	"$(events)"
check_eq "the domain verified on the new key" "verified ok" \
	"$(sa_psql -tAc "SELECT dkim_status || ' ' || dkim_reason FROM domains WHERE id = $id")"
get /mail-settings/api/ "$ct"
check_eq "the page: the new key active" "$sel3 active" \
	"$(xpath 'concat(//domain/dkim/@selector, " ", //domain/dkim/@state)')"
check_eq "the old record stays until 7 days from now" "$sel1 0" \
	"$(xpath 'concat(//domain/dkim/retiring/@selector, " ", //domain/dkim/retiring/@removable)')"
until=$(xpath 'string(//domain/dkim/retiring/@until)')
check_eq "until is dkim_retire_days after the switch" t \
	"$(sa_psql -tAc "SELECT abs(extract(epoch FROM '$until'::timestamptz - (now() + interval '7 days'))) < 120")"
check "no next key any more" test -z "$(xpath 'string(//domain/dkim/next/@selector)')"

# --- retiring for dkim_retire_days: retired at the next run
sa_psql -c "UPDATE dkim_keys SET retiring_at = now() - interval '7 days 1 minute' WHERE selector = '$sel1'" >/dev/null
get /mail-settings/api/ "$ct"
check_eq "past its date the page says it may go" 1 "$(xpath 'string(//domain/dkim/retiring/@removable)')"
run >/dev/null
check_eq "retired by the next run" "$sel1:retired $sel2:retired $sel3:active" "$(keys)"
check_eq "with an event" dkim_retired \
	"$(sa_psql -tAc "SELECT action FROM events ORDER BY id DESC LIMIT 1")"
get /mail-settings/api/ "$ct"
check_eq "the page lists it as removable" "$sel1" "$(xpath 'string(//domain/dkim/retired/@selector)')"
check "a key retired before it was active is not listed" \
	test -z "$(xpath "string(//domain/dkim/retired[@selector='$sel2']/@selector)")"

# --- scheduled rotation
SENDERAUTH_CONFIG=$SA_DIR/senderauth.conf
check_eq "rotate-keys is off by default" "rotate-keys: off (dkim_rotate_days = 0)" "$(admin rotate-keys)"
echo "dkim_rotate_days = 30" >>"$SA_DIR/senderauth.conf"
check_eq "a key younger than dkim_rotate_days is kept" \
	"rotate-keys: 0 of 0 domains given a new key to publish" "$(admin rotate-keys)"
sa_psql -c "UPDATE dkim_keys SET activated_at = now() - interval '31 days' WHERE state = 'active'" >/dev/null
check_eq "an older one gets a pending key" \
	"rotate-keys: 1 of 1 domains given a new key to publish" "$(admin rotate-keys)"
check_eq "pending beside the active key" "pending active" \
	"$(sa_psql -tAc "SELECT string_agg(state::text, ' ' ORDER BY state) FROM dkim_keys WHERE state IN ('pending', 'active')")"
check_eq "logged as automatic, by no account" "dkim_rotated_auto " \
	"$(sa_psql -tAc "SELECT action || ' ' || coalesce(account_id::text, '') FROM events ORDER BY id DESC LIMIT 1")"
check_eq "run again: nothing more to do" \
	"rotate-keys: 0 of 0 domains given a new key to publish" "$(admin rotate-keys)"
check_eq "the two rotations took the pool's last keys; this one was generated" 0 \
	"$(sa_psql -tAc "SELECT count(*) FROM dkim_key_pool")"

# --- a first key that failed: DKIMレコード発行 logs an issue, not a reissue
touch "$T/fault"
echo "dkim_fault_file = $T/fault" >>"$SA_DIR/senderauth.conf"
sa_fcgi_stop
sa_fcgi_start
post /mail-settings/add-domain "$ct" csrf="$csrf" domain=second.example.jp
id2=$(sa_psql -tAc "SELECT id FROM domains WHERE name = 'second.example.jp'")
check_eq "issuance failed: no key" 0 "$(sa_psql -tAc "SELECT count(*) FROM dkim_keys WHERE domain_id = $id2")"
rm "$T/fault"
post /mail-settings/reissue "$ct" csrf="$csrf" id="$id2"
check_eq "DKIMレコード発行: 303" 303 "$CODE"
check_eq "logged as an issue, not a reissue" "dkim_failed dkim_issued" \
	"$(sa_psql -tAc "SELECT string_agg(action, ' ' ORDER BY id) FROM events WHERE object_id = $id2 AND action LIKE 'dkim_%'")"
check_eq "its key is pending" pending "$(sa_psql -tAc "SELECT state FROM dkim_keys WHERE domain_id = $id2")"

# --- sealed keys open only for their own row
check_eq "every key opens where it is (export of the active ones)" 0 \
	"$(admin export-keys --opendkim "$T/export" >/dev/null 2>"$T/export.err"; echo $?)"
sa_psql -c "UPDATE dkim_keys SET private_sealed = (SELECT private_sealed FROM dkim_keys WHERE state = 'retired' LIMIT 1) WHERE state = 'active'" >/dev/null
admin export-keys --opendkim "$T/export2" >/dev/null 2>"$T/export2.err"
check_eq "a sealed key moved to another row does not open: exit 1" 1 $?
check "and says which key was left out" grep -q "left out: it does not open" "$T/export2.err"
sa_done
