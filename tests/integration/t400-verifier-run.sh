#!/usr/bin/env bash
# `verifier run` against PostgreSQL and NSD on loopback: a domain goes
# pending -> verified when its records are published, -> unverified with
# the right reason when they change, keeps its verdict through a DNS
# outage (tempfail), two runs started together check each domain once, a
# run killed with SIGKILL is completed by the next, and 今すぐ確認 and the
# page show it all.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/lib/nsd.sh"
source "$SA_TOP/tests/integration/lib.sh"
SA_PG_FAST=1

sa_platform_zone "$T/zones"
sa_soa example.jp >"$T/zones/example.jp.zone"
sa_soa bulk.test >"$T/zones/bulk.test.zone"
sa_nsd_start "$T/zones" m01-ahd-sys.net example.jp bulk.test || { not_ok "nsd starts"; exit 1; }

conf=("resolver = 127.0.0.1:$SA_NSD_PORT" "dns_timeout_ms = 300" "dns_tries = 1"
	"dkim_bits = 1024" "verify_lease_s = 10" "check_timeout_ms = 2000"
	"verifier_path = $BUILD/verifier")
sa_stack_start "${conf[@]}" || { not_ok "stack starts"; exit 1; }
org=$(sa_org "株式会社〇〇〇〇")
taro=$(sa_account "$org" "山田 太郎")
ct=$(sa_mint "$taro" "$org")
csrf=$(csrf_of "$ct")
run() { "$BUILD/verifier" run "$@" 2>>"$T/verifier.err"; }
col() { sa_psql -tAc "SELECT $1 FROM domains WHERE name = 'example.jp' AND deleted_at IS NULL"; }
due_now() { sa_psql -c "UPDATE domains SET due_at = now()"; }

post /mail-settings/add-domain "$ct" csrf="$csrf" domain=example.jp
get /mail-settings/api/ "$ct"
sel=$(xpath 'string(//domain/dkim/@selector)')
dkim=$(xpath 'string(//domain/dkim/record/@value)')
id=$(xpath 'string(//domain/@id)')

# zone SPF-LINES DKIM-LINE: rewrites example.jp and restarts NSD.
zone() {
	sa_soa example.jp >"$T/zones/example.jp.zone"
	printf '%s\n' "$@" >>"$T/zones/example.jp.zone"
	sa_nsd_restart
}
split_dkim() { # the DKIM value as two strings of one RR
	echo "$sel._domainkey IN TXT ( \"${dkim:0:200}\" \"${dkim:200}\" )"
}

# --- nothing published yet
out=$(run)
check "run prints a summary" sh -c "echo '$out' | grep -Eq '^verifier: checked 1, verified 0, unverified 1, tempfail 0, [0-9.]+ s$'"
check_eq "no record yet" "unverified no_record unverified no_record" \
	"$(col "spf_status || ' ' || spf_reason || ' ' || dkim_status || ' ' || dkim_reason")"
check_eq "new domain is due again at the next run (first hours)" t \
	"$(col "due_at BETWEEN now() + interval '200 seconds' AND now() + interval '300 seconds'")"

# DMARC missing: the record suggested, reports to dmarc_rua, else to the
# domain's first sender address, else none; the bulk-sender marks
bulk() { xpath 'concat(//domain/bulk-sender/@spf, " ", //domain/bulk-sender/@dkim, " ", //domain/bulk-sender/@dmarc, " ", //domain/bulk-sender/@aligned)'; }
get /mail-settings/api/ "$ct"
check_eq "no DMARC: a record suggested at _dmarc, no reports without an address in the domain" \
	"_dmarc.example.jp|v=DMARC1; p=none" \
	"$(xpath 'string(//domain/dmarc/record/@host)')|$(xpath 'string(//domain/dmarc/record/@value)')"
check_eq "bulk-sender: nothing in place" "no no no no" "$(bulk)"
post /mail-settings/register "$ct" csrf="$csrf" address=dmarc-first@example.jp
post /mail-settings/register "$ct" csrf="$csrf" address=second@example.jp
post /mail-settings/register "$ct" csrf="$csrf" address=other@elsewhere.example
get /mail-settings/api/ "$ct"
check_eq "… reports to the domain's first sender address" \
	"v=DMARC1; p=none; rua=mailto:dmarc-first@example.jp" "$(xpath 'string(//domain/dmarc/record/@value)')"
check "… the XML validates" xmllint --noout --relaxng "$SA_TOP/xsl/senderauth.rng" "$T/body"
{ cat "$SENDERAUTH_CONFIG"; echo "dmarc_rua = dmarc-reports@platform.example"; } >"$T/rua.conf"
# one request in CGI mode, with dmarc_rua configured
SENDERAUTH_CONFIG=$T/rua.conf REQUEST_METHOD=GET HTTP_COOKIE="sa_session=$ct" \
	SA_BASE=/mail-settings/api/ QUERY_STRING= "$BUILD/cgi-bin/settings" |
	sed '1,/^\r$/d' >"$T/rua.xml"
check_eq "… to dmarc_rua when it is configured" \
	"v=DMARC1; p=none; rua=mailto:dmarc-reports@platform.example" \
	"$(xmllint --xpath 'string(//domain/dmarc/record/@value)' "$T/rua.xml")"
echo "dmarc_rua = not an address" >>"$T/rua.conf"
sed -i '/dmarc_rua = dmarc-reports/d' "$T/rua.conf"
SENDERAUTH_CONFIG=$T/rua.conf REQUEST_METHOD=GET "$BUILD/cgi-bin/settings" >/dev/null 2>"$T/rua.err"
check_eq "a dmarc_rua that is not an address stops the program at start-up" 1 $?
check "… saying so" grep -q "rua.conf:[0-9]*: not a mail address" "$T/rua.err"
get /mail-settings/ "$ct"
check "the page: the suggested record to copy" \
	body_has "<input id=\"dmarc-$id\" type=\"text\" readonly spellcheck=\"false\" value=\"v=DMARC1; p=none; rua=mailto:dmarc-first@example.jp\" aria-label=\"DMARC _dmarc."
check "… and the path from none to reject" body_has "まずは p=none（受信側は何もせず、レポートだけを送る設定）で始め"
check "… the bulk-sender line, nothing in place" \
	body_has '<p class="bulk"><span class="muted">大量送信者の要件（Gmail・Yahoo）:</span> <span class="ck no">SPF ✕</span> <span class="ck no">DKIM ✕</span> <span class="ck no">DMARCあり ✕</span> <span class="ck no">DKIMアライメント ✕</span></p>'

# --- published: verified
zone '@ IN TXT "v=spf1 include:m01-ahd-sys.net ~all"' "$(split_dkim)" \
	'_dmarc IN TXT "v=DMARC1; p=none"'
due_now >/dev/null
out=$(run)
check "summary counts it verified" sh -c "echo '$out' | grep -q 'verified 1, unverified 0'"
check_eq "pending -> verified" "verified ok verified ok" \
	"$(col "spf_status || ' ' || spf_reason || ' ' || dkim_status || ' ' || dkim_reason")"
check_eq "verified_at set" t "$(col "verified_at IS NOT NULL")"
check_eq "DMARC as information" "found none" "$(col "dmarc_status || ' ' || dmarc_policy")"
get /mail-settings/api/ "$ct"
check_eq "DMARC found: no record suggested" 0 "$(xpath 'count(//domain/dmarc/record)')"
check_eq "bulk-sender: SPF, DKIM, DMARC and alignment in place" "yes yes yes yes" "$(bulk)"
check_eq "events for the status changes, as codes, by the verifier" \
	"pending unverified no_record pending unverified no_record,unverified verified ok unverified verified ok" \
	"$(sa_psql -tAc "SELECT string_agg(concat_ws(' ', old_spf, new_spf, spf_reason, old_dkim, new_dkim, dkim_reason), ',' ORDER BY id) FROM events WHERE action = 'status_changed' AND object_id = $id AND account_id IS NULL AND detail = ''")"
get /mail-settings/ "$ct"
check "page shows ✔ 設定済" body_has "✔ 設定済"
check "page shows the record found" body_has "v=spf1 include:m01-ahd-sys.net ~all"
check_eq "the issued DKIM record found is not stored twice" t "$(col "dkim_found IS NULL")"
get /mail-settings/api/ "$ct"
check_eq "the page shows it as found" "$dkim" "$(xpath 'string(//domain/dkim/found)')"
check_eq "the RFC 7208 result per platform address is stored" \
	"210.198.21.20 pass" "$(col spf_results)"
check_eq "the API gives it inside <spf>" "210.198.21.20 pass" \
	"$(xpath 'concat(//domain/spf/result/@ip, " ", //domain/spf/result)')"
check_eq "the API: the domain's own DMARC record has no org-domain" 0 \
	"$(xpath 'count(//domain/dmarc/@org-domain)')"

# --- a subdomain without a DMARC record of its own: its organizational
# domain's applies (RFC 7489 §6.6.3), and the API and the page say so
post /mail-settings/add-domain "$ct" csrf="$csrf" domain=mail.example.jp
get /mail-settings/api/ "$ct"
sub=$(xpath 'string(//domain[@name="mail.example.jp"]/@id)')
run --domain "$sub" >/dev/null
subcol() { sa_psql -tAc "SELECT $1 FROM domains WHERE id = $sub"; }
check_eq "subdomain: the organizational domain's DMARC record is stored" \
	"found none example.jp" \
	"$(subcol "dmarc_status || ' ' || dmarc_policy || ' ' || dmarc_org_domain")"
check_eq "subdomain: no SPF record is none for the platform address" \
	"210.198.21.20 none" "$(subcol spf_results)"
get /mail-settings/api/ "$ct"
check_eq "subdomain: the API says where the DMARC record was found" \
	"found none example.jp" \
	"$(xpath 'concat(//domain[@name="mail.example.jp"]/dmarc/@status, " ", //domain[@name="mail.example.jp"]/dmarc/@policy, " ", //domain[@name="mail.example.jp"]/dmarc/@org-domain)')"
get /mail-settings/ "$ct"
check "subdomain: the page says the parent's record applies" \
	body_has "親ドメイン example.jp のDMARCレコードが適用されます"
post /mail-settings/delete "$ct" csrf="$csrf" kind=domain id="$sub" confirm=1
check_eq "subdomain deleted again" 303 "$CODE"

# --- changed records: unverified with the reason
while IFS='|' read -r name spf dk want; do
	if [ "$dk" = truncated ]; then
		dkline="$sel._domainkey IN TXT \"${dkim:0:$((${#dkim} - 40))}\""
	else
		dkline=$(split_dkim)
	fi
	# shellcheck disable=SC2086
	eval "zone $spf \"\$dkline\""
	due_now >/dev/null
	run >/dev/null
	check_eq "$name" "$want" "$(col "spf_reason || ' ' || dkim_reason")"
	[ "$dk" = truncated ] &&
		check_eq "a DKIM record other than the issued one is stored" \
			"${dkim:0:$((${#dkim} - 40))}" "$(col dkim_found)"
	if [ "$name" = "two SPF records" ]; then
		check_eq "suggested record kept for the page" t "$(col "spf_suggested <> ''")"
		check_eq "two records: permerror for the platform address" \
			"210.198.21.20 permerror" "$(col spf_results)"
		sug=$(col spf_suggested)
		get /mail-settings/ "$ct"
		check "two SPF records: the SPF row offers the merged record ($sug)" \
			body_has "<input id=\"spf-$id\" type=\"text\" readonly spellcheck=\"false\" value=\"$sug\" aria-label=\"SPF "
		check "… to replace both" body_has "DNSにあるSPFレコードをすべて削除し、このレコード1つに置き換えてください"
		check "… and no other SPF record to copy" \
			eval '[ "$(grep -o "value=\"v=spf1[^\"]*\"" "$T/body" | sort -u)" = "value=\"$sug\"" ]'
	fi
	[ "$name" = "-all is hardfail_all" ] &&
		check_eq "-all: pass for the platform address all the same" \
			"210.198.21.20 pass" "$(col spf_results)"
done <<'EOF2'
-all is hardfail_all|'@ IN TXT "v=spf1 include:m01-ahd-sys.net -all"'|ok|hardfail_all ok
two SPF records|'@ IN TXT "v=spf1 include:m01-ahd-sys.net ~all"' '@ IN TXT "v=spf1 mx ~all"'|ok|multiple_records ok
truncated DKIM value|'@ IN TXT "v=spf1 include:m01-ahd-sys.net ~all"'|truncated|ok key_truncated
EOF2
get /mail-settings/ "$ct"
check "page explains the truncated key" body_has "255"

# --- back to verified, then the DNS server stops answering
zone '@ IN TXT "v=spf1 include:m01-ahd-sys.net ~all"' "$(split_dkim)"
due_now >/dev/null
run >/dev/null
check_eq "verified again" "verified verified" "$(col "spf_status || ' ' || dkim_status")"
sa_nsd_stop
due_now >/dev/null
out=$(run)
check "outage: summary counts tempfail" sh -c "echo '$out' | grep -q 'tempfail 1'"
check_eq "outage keeps the previous verdict" "verified ok verified ok" \
	"$(col "spf_status || ' ' || spf_reason || ' ' || dkim_status || ' ' || dkim_reason")"
check_eq "outage keeps the previous RFC 7208 results" "210.198.21.20 pass" \
	"$(col spf_results)"
check_eq "outage is recorded" t "$(col "tempfail_at IS NOT NULL")"
check_eq "outage retries soon" t "$(col "due_at <= now() + interval '301 seconds'")"
get /mail-settings/ "$ct"
check "page says DNS could not be asked" body_has "前回の確認結果を表示しています"
# 今すぐ確認 without DNS: a warning naming the domain, not the green notice
post /mail-settings/check "$ct" csrf="$csrf" id="$id"
check "今すぐ確認 without DNS: 303 check_tempfail at the card" \
	header_has "Location: /mail-settings/?notice=check_tempfail&domain=$id#domain-$id"
get "/mail-settings/?notice=check_tempfail&domain=$id" "$ct"
check "… a warning that names the domain" \
	body_has '<div role="status" class="box warn">example.jp のDNSサーバに問い合わせできなかったため、確認できませんでした。'
check "… not the green DNSを確認しました" eval '! body_has "DNSを確認しました"'
check "… the previous verdict keeps its last check time" body_has "最終確認: <time"
# a domain whose every check failed to ask DNS was never checked
post /mail-settings/add-domain "$ct" csrf="$csrf" domain=never.example.jp
nid=$(sa_psql -tAc "SELECT id FROM domains WHERE name = 'never.example.jp'")
post /mail-settings/check "$ct" csrf="$csrf" id="$nid"
check "never checked: 今すぐ確認 answers check_tempfail" header_has "notice=check_tempfail&domain=$nid"
check_eq "… its verdicts stay tempfail, its check time is stored" "tempfail tempfail 1" \
	"$(sa_psql -tAc "SELECT spf_status || ' ' || dkim_status || ' ' || (checked_at IS NOT NULL)::int FROM domains WHERE id = $nid")"
get /mail-settings/api/ "$ct"
check_eq "… the XML has no checked-at for it" 0 \
	"$(xpath "count(//domain[@id='$nid']/*[@checked-at])")"
check_eq "… but says when DNS could not be asked" 2 \
	"$(xpath "count(//domain[@id='$nid']/*[@tempfail-at != ''])")"
get /mail-settings/ "$ct"
check "… the page shows 最終確認: 未確認 on its card" \
	eval 'grep -o "<details class=\"domain\" id=\"domain-$nid\".*" "$T/body" | grep -qF "最終確認: 未確認"'
post /mail-settings/delete "$ct" csrf="$csrf" kind=domain id="$nid" confirm=1
sa_nsd_run

# --- 今すぐ確認 through the page
zone '@ IN TXT "v=spf1 include:m01-ahd-sys.net -all"' "$(split_dkim)"
post /mail-settings/check "$ct" csrf="$csrf" id="$id"
check "今すぐ確認 answers 303 checked, at the domain's card" \
	header_has "Location: /mail-settings/?notice=checked&domain=$id#domain-$id"
check_eq "今すぐ確認 wrote the verdict" "unverified hardfail_all" "$(col "spf_status || ' ' || spf_reason")"
get "/mail-settings/?notice=checked&domain=$id" "$ct"
check "page asks for ~all" body_has "~all に変更してください"
check "the notice names the domain, in green, on its card" \
	eval 'grep -o "<details class=\"domain\" id=\"domain-$id\"[^>]*><summary>.*</summary><div class=\"in\"><div role=\"status\" class=\"box ok\">example.jp のDNSを確認しました。</div>" "$T/body" >/dev/null'
last_event() { sa_psql -tAc "SELECT concat_ws(' ', action, account_id, old_spf, new_spf, spf_reason) FROM events WHERE object_id = $id ORDER BY id DESC LIMIT 1"; }
check_eq "今すぐ確認's change is logged with who pressed it" \
	"status_changed $taro verified unverified hardfail_all" "$(last_event)"
post /mail-settings/check "$ct" csrf="$csrf" id="$id"
check_eq "今すぐ確認 that changed nothing is logged as a check, with who pressed it" \
	"checked $taro unverified unverified hardfail_all" "$(last_event)"
get /mail-settings/log "$ct"
check "log page: the check in words, by the account" \
	eval 'tr -d "\n" <"$T/body" | sed "s|<tr>|\n<tr>|g" | grep -F "<td class=\"name\">山田 太郎</td><td>DNSを確認</td>" | grep -qF "SPFは「未設定」のままです。SPFレコードの末尾が <code>-all</code> になっています。"'
check "log page: the change in words" \
	eval 'tr -d "\n" <"$T/body" | sed "s|<tr>|\n<tr>|g" | grep -F "<td>確認結果が変化</td>" | grep -qF "SPFが「設定済」から「未設定」になりました。"'
check "log page: the verifier's own change is by 自動確認" \
	eval 'tr -d "\n" <"$T/body" | sed "s|<tr>|\n<tr>|g" | grep -F "<td class=\"name\">自動確認</td><td>確認結果が変化</td>" | grep -qF "SPFが「未設定」から「設定済」になりました。"'
org2=$(sa_org "別会社")
co=$(sa_mint "$(sa_account "$org2" "鈴木")" "$org2")
post /mail-settings/check "$co" csrf="$(csrf_of "$co")" id="$id"
check_eq "another organization cannot check it" 404 "$CODE"

# --- two runs started together check each domain once
N=400
sa_psql -c "INSERT INTO domains (org_id, name, unicode_name, created_by, spf_record)
	SELECT $org, 'd' || i || '.bulk.test', 'd' || i || '.bulk.test', $taro, 'v=spf1 ~all'
	FROM generate_series(1, $N) i" >/dev/null
sa_psql -c "UPDATE domains SET due_at = now() + interval '1 hour' WHERE name = 'example.jp'" >/dev/null

# --- a claim waits for one in progress (sql/007): two claims walking the
# due domains at once each took every other one, and the first to commit
# covered the other's as a span, which it then dropped
mkfifo "$T/hold"
sa_psql -tA <"$T/hold" >"$T/hold.out" & ph=$!
exec 7>"$T/hold"
echo "BEGIN; SELECT count(*) FROM sa_claim($N, 60, 'holder', now(), NULL, NULL, NULL);" >&7
for _ in $(seq 100); do [ -s "$T/hold.out" ] && break; sleep 0.1; done
check_eq "a claim in an open transaction took every due domain" $N "$(cat "$T/hold.out")"
run >"$T/r3" & p3=$!
waiting() { sa_psql -tAc "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'advisory' AND query LIKE '%sa_claim%'"; }
for _ in $(seq 100); do [ "$(waiting)" = 1 ] && break; sleep 0.1; done
check_eq "a run's claim waits for it" 1 "$(waiting)"
echo "COMMIT;" >&7
exec 7>&-
wait $ph $p3
check "then takes nothing it covers" grep -q 'checked 0,' "$T/r3"
sa_psql -c "DELETE FROM domain_claims WHERE owner = 'holder'" >/dev/null

run >"$T/r1" & p1=$!
run >"$T/r2" & p2=$!
wait $p1 $p2
c1=$(grep -o 'checked [0-9]*' "$T/r1" | cut -d' ' -f2)
c2=$(grep -o 'checked [0-9]*' "$T/r2" | cut -d' ' -f2)
check_eq "together: the two runs checked $N between them ($c1 + $c2)" $N $((c1 + c2))
check_eq "together: each domain checked once" "$N 1 1" \
	"$(sa_psql -tAc "SELECT count(*) || ' ' || min(checks) || ' ' || max(checks) FROM domains WHERE name LIKE '%.bulk.test'")"
check_eq "together: no claim left" 0 "$(sa_psql -tAc "SELECT count(*) FROM domain_claims")"

# --- a run killed half-way is completed by the next
N2=4000
sa_psql -c "INSERT INTO domains (org_id, name, unicode_name, created_by, spf_record)
	SELECT $org, 'k' || i || '.bulk.test', 'k' || i || '.bulk.test', $taro, 'v=spf1 ~all'
	FROM generate_series(1, $N2) i" >/dev/null
cat "$SENDERAUTH_CONFIG" >"$T/slow.conf"
printf 'verify_batch = 20\nverify_inflight = 4\n' >>"$T/slow.conf"
SENDERAUTH_CONFIG=$T/slow.conf "$BUILD/verifier" run >/dev/null 2>&1 & pk=$!
done_k() { sa_psql -tAc "SELECT count(*) FROM domains WHERE name LIKE 'k%.bulk.test' AND checks > 0"; }
n=0
while [ "$(done_k)" -lt 100 ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
{ kill -9 $pk && wait $pk; } 2>/dev/null
half=$(done_k)
check "killed half-way ($half of $N2 done)" test "$half" -gt 0 -a "$half" -lt "$N2"
check "the killed run left its claims" test "$(sa_psql -tAc "SELECT count(*) FROM domain_claims")" -gt 0
sleep 11 # verify_lease_s = 10: its claims expire
run >/dev/null
check_eq "next run completed every domain" "$N2 0" \
	"$(sa_psql -tAc "SELECT count(*) || ' ' || count(*) FILTER (WHERE checks = 0) FROM domains WHERE name LIKE 'k%.bulk.test'")"
check_eq "none checked twice" 1 "$(sa_psql -tAc "SELECT max(checks) FROM domains WHERE name LIKE 'k%.bulk.test'")"

# --- a verdict counts only for the claim and the due time it was made for
id=$(col id)
save_one() { # claim due -> rows written
	sa_psql -tAc "SELECT sa_save_verdicts(ARRAY[$id], ARRAY[$1]::bigint[],
		ARRAY['$2']::timestamptz[], '{verified}', '{ok}', '{\"\"}', '{\"\"}', '{1}',
		'{verified}', '{ok}', '{NULL}', '{found}', '{ok}', '{none}', '{NULL}',
		'{NULL}', '{\"210.198.21.20 pass\"}', '{NULL}', '{recursive}', '{recursive}',
		'{recursive}', 'test', '{}', 72, 240,
		300, 86400, 300, NULL, 86400, false)"
}
claim_one() { sa_psql -tAc "SELECT claim || '|' || due FROM sa_claim(1, 60, 'test', now(), $id, NULL, NULL)"; }
IFS='|' read -r c d <<<"$(claim_one)"
check "claimed: another claim skips the domain" test -z "$(sa_psql -tAc "SELECT 1 FROM sa_claim(1, 60, 'other', now(), $id, NULL, NULL)")"
sa_psql -c "UPDATE domains SET due_at = now() WHERE id = $id" >/dev/null # as a reissue does
check_eq "a verdict for a domain reissued since its claim is not written" 0 "$(save_one "$c" "$d")"
sa_psql -c "DELETE FROM domain_claims" >/dev/null
IFS='|' read -r c d <<<"$(claim_one)"
check_eq "one for the claim and due time it was made for is" 1 "$(save_one "$c" "$d")"
sa_psql -c "DELETE FROM domain_claims" >/dev/null

# --- dns_auth_port: the zone's server (ns.example.jp, 127.0.0.1) is
# asked on NSD's port; on 53 nothing would answer and the resolver would
cat "$SENDERAUTH_CONFIG" >"$T/auth.conf"
echo "dns_auth_port = $SA_NSD_PORT" >>"$T/auth.conf"
out=$(SENDERAUTH_CONFIG=$T/auth.conf "$BUILD/verifier" run --domain "$id" 2>>"$T/verifier.err")
check "the summary counts the queries to the authoritative server, none answered by the resolver" \
	sh -c "echo '$out' | grep -Eqx 'verifier: [0-9]+ DNS queries, [1-9][0-9]* of them to authoritative servers; 0 questions for them answered by the resolver'"
check_eq "the verdict says so" "authoritative authoritative" "$(col "spf_via || ' ' || dkim_via")"

# --- its own failures only
SENDERAUTH_CONFIG=$T/nope.conf "$BUILD/verifier" run >/dev/null 2>&1
check_eq "missing configuration: exit 1" 1 $?
sed 's/^database = .*/database = host=\/nonexistent port=1 dbname=x connect_timeout=2/' "$SENDERAUTH_CONFIG" >"$T/nodb.conf"
SENDERAUTH_CONFIG=$T/nodb.conf "$BUILD/verifier" run >/dev/null 2>&1
check_eq "database unreachable: exit 1" 1 $?
run >/dev/null
check_eq "unverified domains do not fail the run" 0 $?

sa_done
