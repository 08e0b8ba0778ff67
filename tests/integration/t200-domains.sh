#!/usr/bin/env bash
# Domains through nginx, FastCGI and PostgreSQL: adding (every way people
# type a name, every invalid one), the records issued, the DKIM key
# (published p= verifies a signature made with the sealed private key), the
# fault path and reissue, rotation, deletion with confirmation, re-adding
# with its warning, and isolation between organizations.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/integration/lib.sh"
SA_PG_FAST=1
sa_stack_start "dkim_bits = 1024" "dkim_fault_file = $T/dkim-fault" \
	"spf_ip = 210.198.21.20" "spf_ip = 2001:db8::25" \
	"spf_include = m01-ahd-sys.net" || { not_ok "stack starts"; exit 1; }

org=$(sa_org "株式会社〇〇〇〇")
taro=$(sa_account "$org" "山田 太郎")
org2=$(sa_org "別会社")
other=$(sa_account "$org2" "鈴木 一郎")
ct=$(sa_mint "$taro" "$org")
co=$(sa_mint "$other" "$org2")
csrf=$(csrf_of "$ct")
csrf_o=$(csrf_of "$co")
ndomains() { sa_psql -tAc "SELECT count(*) FROM domains WHERE deleted_at IS NULL"; }
today=$(TZ=Asia/Tokyo date +%Y%m%d)

# --- the form
get /mail-settings/ "$ct"
check "add-domain form and hint" body_has "メールアドレスの @ の後ろにあるドメイン名を入力してください"
check "new domain button" body_has "新規ドメインを追加"

# --- add
post /mail-settings/add-domain "$ct" csrf="$csrf" domain="  Example.JP. "
check_eq "add answers 303" 303 "$CODE"
eid=$(sa_psql -tAc "SELECT id FROM domains WHERE name = 'example.jp'")
check "303 to the domain's card, the notice about it" \
	header_has "Location: /mail-settings/?notice=issued&domain=$eid#domain-$eid"$'\r'
get "/mail-settings/?notice=issued" "$ct"
check "notice without a domain: the general text" body_has "発行が完了しました。"
get "/mail-settings/?notice=issued&domain=$eid" "$ct"
check "the notice names the domain, on its card" \
	eval 'grep -o "<details class=\"domain\" id=\"domain-$eid\" open=\"open\"><summary>.*</summary><div class=\"in\"><div role=\"status\" class=\"box ok\">example.jp のSPF/DKIMレコードを発行しました。</div>" "$T/body" >/dev/null'
check "… and not at the top of the page" eval '! grep -qF "<main><div role=\"status\"" "$T/body"'
check "status 未設定 before any check" body_has "未設定"
check "never checked: 最終確認: 未確認" body_has "最終確認: 未確認"
get "/mail-settings/api/?notice=issued&domain=$eid" "$ct"
check_eq "XML: notice-domain and its id" "example.jp $eid" \
	"$(xpath 'string(/settings/@notice-domain)') $(xpath 'string(/settings/@notice-domain-id)')"
get "/mail-settings/api/?notice=bogus&domain=$eid" "$ct"
check_eq "XML: an unknown notice names no domain" 0 "$(xpath 'count(/settings/@notice-domain)')"
get /mail-settings/api/ "$ct"
check_eq "name normalized" example.jp "$(xpath 'string(//domain/@name)')"
check_eq "SPF record from the configuration" \
	"v=spf1 ip4:210.198.21.20 ip6:2001:db8::25 include:m01-ahd-sys.net ~all" \
	"$(xpath 'string(//domain/spf/record/@value)')"
check_eq "SPF host" example.jp "$(xpath 'string(//domain/spf/record/@host)')"
check_eq "selector is the issue date" "$today" "$(xpath 'string(//domain/dkim/@selector)')"
check_eq "DKIM host" "$today._domainkey.example.jp" "$(xpath 'string(//domain/dkim/record/@host)')"
check_eq "statuses pending" "pending pending" \
	"$(xpath 'string(//domain/spf/@status)') $(xpath 'string(//domain/dkim/@status)')"
value=$(xpath 'string(//domain/dkim/record/@value)')
check "DKIM value shape" sh -c "echo '$value' | grep -Eq '^v=DKIM1; k=rsa; p=[A-Za-z0-9+/]+=*$'"
zone=$(xpath 'string(//domain/dkim/record/@zone)')
longest=$(echo "$zone" | grep -o '"[^"]*"' | awk '{ if (length($0) - 2 > m) m = length($0) - 2 } END { print m }')
check "zone line strings at most 255 bytes ($longest)" test "$longest" -le 255
check_eq "zone line holds the whole value" "$value" \
	"$(echo "$zone" | grep -o '"[^"]*"' | tr -d '"\n')"
check "API XML validates" xmllint --noout --relaxng "$SA_TOP/xsl/senderauth.rng" "$T/body"

# --- the help's schedule and the page for the person who edits DNS
get /mail-settings/api/ "$ct"
check_eq "schedule from the configuration (defaults)" "72 5 24" \
	"$(xpath 'string(/settings/schedule/@new-hours)') $(xpath 'string(/settings/schedule/@new-minutes)') $(xpath 'string(/settings/schedule/@max-hours)')"
get "/mail-settings/api/?request=$eid" "$ct"
check_eq "?request=ID: the page says which domain" "200 $eid" "$CODE $(xpath 'string(/settings/@request)')"
check "?request: the XML validates" xmllint --noout --relaxng "$SA_TOP/xsl/senderauth.rng" "$T/body"
get "/mail-settings/?request=$eid" "$ct"
check "?request: the printable request for example.jp" \
	eval 'body_has "<h2>DNSレコード登録のお願い（example.jp）</h2><p>株式会社〇〇〇〇 のメール送信のため、ドメイン example.jp のDNSに、次のレコードの登録をお願いします。</p>" && body_has "href=\"mailto:?subject=" && ! body_has "method=\"post\""'
get "/mail-settings/?request=$eid" "$co"
check_eq "?request of another organization's domain: 404" 404 "$CODE"
check "… naming nothing" eval '! body_has example.jp'
get "/mail-settings/api/?request=x" "$ct"
check_eq "?request of nothing: 404" 404 "$CODE"

# --- the key: right size, and it verifies a signature of the sealed key
p=${value##*p=}
printf '%s' "$p" | base64 -d >"$T/pub.der"
check "p= parses as a public key" openssl pkey -pubin -inform DER -in "$T/pub.der" -out "$T/pub.pem"
check "p= is RSA 1024 as configured" sh -c "openssl pkey -pubin -in '$T/pub.pem' -text -noout | grep -q 'Public-Key: (1024 bit)'"
sealed=$(sa_psql -tAc "SELECT encode(private_sealed, 'hex') FROM dkim_keys WHERE selector = '$today'")
row=$(sa_psql -tAc "SELECT 'dkim_keys:' || k.id || ':' || d.org_id FROM dkim_keys k JOIN domains d ON d.id = k.domain_id WHERE k.selector = '$today'")
echo "From: taro@example.jp" >"$T/msg"
check "the sealed private key signs" "$BUILD/dkim-sign" "$SA_DIR/master.key" "$row" "$sealed" "$T/msg" "$T/sig"
other=$(sa_psql -tAc "SELECT 'dkim_keys:' || k.id + 1 || ':' || d.org_id FROM dkim_keys k JOIN domains d ON d.id = k.domain_id WHERE k.selector = '$today'")
check "it does not open as another row's" \
	eval '! "$BUILD/dkim-sign" "$SA_DIR/master.key" "$other" "$sealed" "$T/msg" "$T/sig" 2>/dev/null'
check "signature verifies with the published p=" \
	openssl dgst -sha256 -verify "$T/pub.pem" -signature "$T/sig" "$T/msg"

# --- duplicate and invalid input: nothing stored
n=$(ndomains)
post /mail-settings/add-domain "$ct" csrf="$csrf" domain="taro@EXAMPLE.jp"
check_eq "duplicate answers 422" 422 "$CODE"
check "duplicate keeps the typed value" body_has 'value="taro@EXAMPLE.jp"'
post /mail-settings/api/add-domain "$ct" csrf="$csrf" domain="example.jp"
check_eq "duplicate code" duplicate "$(xpath 'string(//field[@name="domain"]/error/@code)')"
while IFS='|' read -r input code; do
	post /mail-settings/api/add-domain "$ct" csrf="$csrf" domain="$input"
	check_eq "'${input:0:30}' refused: $code" "422 $code" \
		"$CODE $(xpath 'string(//field[@name="domain"]/error/@code)')"
done <<EOF2
|required
   |required
localhost|single_label
192.0.2.1|ip_literal
[2001:db8::1]|ip_literal
a..example.jp|invalid_label
-a.example.jp|invalid_label
a_b.example.jp|invalid_label
$(printf 'a%.0s' {1..64}).jp|label_too_long
$(for i in 1 2 3 4; do printf 'b%.0s' {1..62}; printf .; done)jp|too_long
EOF2
check_eq "invalid input stored nothing" "$n" "$(ndomains)"

# --- a URL or host:port: the domain in it is offered, not the IP sentence
while IFS='|' read -r input found; do
	post /mail-settings/api/add-domain "$ct" csrf="$csrf" domain="$input"
	check_eq "'$input' refused: url, offering '$found'" "422 url $found" \
		"$CODE $(xpath 'string(//field[@name="domain"]/error/@code)') $(xpath 'string(//field[@name="domain"]/error/@suggestion)')"
done <<'EOF2'
https://www.example.co.jp/contact|www.example.co.jp
http://user@shop.example.jp:8080/?a=b|shop.example.jp
example.jp:8080|example.jp
example.jp/|example.jp
http://192.0.2.1/|
EOF2
post /mail-settings/add-domain "$ct" csrf="$csrf" domain="https://www.example.co.jp/contact"
check "url: ドメイン名だけを入力してください, with the domain found" \
	body_has "ドメイン名だけを入力してください（例: example.jp）。入力された内容にあるドメインは「www.example.co.jp」です"
check "url: not the IP-address sentence" eval '! body_has "IPアドレスではなく"'
check "url: the typed value kept" body_has 'value="https://www.example.co.jp/contact"'
check "url: a button adds the domain found" \
	body_has '<input type="hidden" name="domain" value="www.example.co.jp"><button type="submit" class="btn">「www.example.co.jp」を追加する</button>'
post /mail-settings/api/add-domain "$ct" csrf="$csrf" domain="exa$(printf '\u202e')mple.jp"
check_eq "a bidirectional override: bidi_control" "422 bidi_control" \
	"$CODE $(xpath 'string(//field[@name="domain"]/error/@code)')"
check_eq "url and bidi input stored nothing" "$n" "$(ndomains)"

# --- a whole address: its domain is added, and the notice says so
post /mail-settings/add-domain "$ct" csrf="$csrf" domain="hanako@From.Example.JP"
fid0=$(sa_psql -tAc "SELECT id FROM domains WHERE name = 'from.example.jp'")
check "address: the domain added, 303 with from=address" \
	header_has "Location: /mail-settings/?notice=issued&domain=$fid0&from=address#domain-$fid0"
get "/mail-settings/?notice=issued&domain=$fid0&from=address" "$ct"
check "address: the notice says which domain was taken" \
	body_has "from.example.jp のSPF/DKIMレコードを発行しました。入力されたメールアドレスから、ドメイン「from.example.jp」を取り出して追加しました。"
get "/mail-settings/api/?notice=issued&domain=$fid0&from=address" "$ct"
check_eq "address: notice-from in the XML" address "$(xpath 'string(/settings/@notice-from)')"
post /mail-settings/delete "$ct" csrf="$csrf" kind=domain id="$fid0" confirm=1

# --- IDN, shown in both forms
post /mail-settings/add-domain "$ct" csrf="$csrf" domain="日本語.jp"
check_eq "IDN added" 303 "$CODE"
get /mail-settings/api/ "$ct"
check_eq "A-label stored" 1 "$(xpath 'count(//domain[@name="xn--wgv71a119e.jp" and @unicode="日本語.jp"])')"
check_eq "IDN DKIM host uses the A-label" "$today._domainkey.xn--wgv71a119e.jp" \
	"$(xpath 'string(//domain[@name="xn--wgv71a119e.jp"]/dkim/record/@host)')"
get /mail-settings/ "$ct"
check "page shows the U-label" body_has "日本語.jp"
check "page shows the A-label" body_has "xn--wgv71a119e.jp"

# --- the fault path, then reissue
touch "$T/dkim-fault"
post /mail-settings/add-domain "$ct" csrf="$csrf" domain=fault.example.jp
check "fault: 303 with dkim_failed" header_has "notice=dkim_failed"
get "/mail-settings/?notice=dkim_failed" "$ct"
check "fault: message" body_has "DKIMレコードの発行に失敗しました。再度、発行ボタンを押下してください。"
check "fault: issue button" body_has "DKIMレコード発行"
get /mail-settings/api/ "$ct"
fid=$(xpath 'string(//domain[@name="fault.example.jp"]/@id)')
check "fault: domain kept" test -n "$fid"
check_eq "fault: SPF record kept" 1 "$(xpath 'count(//domain[@name="fault.example.jp"]/spf/record)')"
check_eq "fault: no DKIM record" 0 "$(xpath 'count(//domain[@name="fault.example.jp"]/dkim/record)')"
post /mail-settings/reissue "$ct" csrf="$csrf" id="$fid"
check "reissue while failing: dkim_failed again" header_has "notice=dkim_failed"
rm -f "$T/dkim-fault"
post /mail-settings/reissue "$ct" csrf="$csrf" id="$fid"
check "first key after a failure: 303 dkim_issued (not reissued), at the card" \
	header_has "Location: /mail-settings/?notice=dkim_issued&domain=$fid#domain-$fid"
get "/mail-settings/?notice=dkim_issued&domain=$fid" "$ct"
check "first key after a failure: the notice names the domain, nothing to replace" \
	eval 'body_has "fault.example.jp のDKIMレコードを発行しました。" && ! body_has "置き換えて"'
get /mail-settings/api/log "$ct"
check "first key after a failure: logged dkim_issued" \
	test "$(xpath "count(//event[@object='fault.example.jp' and @action='dkim_issued'])")" = 1
get /mail-settings/api/ "$ct"
check_eq "reissue: DKIM record now" 1 "$(xpath 'count(//domain[@name="fault.example.jp"]/dkim/record)')"

# --- rotate: new selector, old key retired and never shown
post /mail-settings/reissue "$ct" csrf="$csrf" id="$eid" rotate=1
check "rotate: 303" header_has "notice=reissued"
get "/mail-settings/?notice=reissued" "$ct"
check "rotate: replace-the-record notice" body_has "DNS"
get /mail-settings/api/ "$ct"
check_eq "rotate: new selector with a suffix" "$today-2" \
	"$(xpath 'string(//domain[@name="example.jp"]/dkim/@selector)')"
check_eq "rotate: one active and one retired key" "1 1" \
	"$(sa_psql -tAc "SELECT count(*) FILTER (WHERE retired_at IS NULL) || ' ' || count(*) FILTER (WHERE retired_at IS NOT NULL) FROM dkim_keys WHERE domain_id = $eid")"
check "rotate: old p= not shown" sh -c "! grep -qF '$p' '$T/body'"

# --- another organization learns nothing and changes nothing
post /mail-settings/reissue "$co" csrf="$csrf_o" id="$eid"
check_eq "other org reissue: 404" 404 "$CODE"
check "other org reissue: no name leaked" sh -c "! grep -q example.jp '$T/body'"
post /mail-settings/delete "$co" csrf="$csrf_o" kind=domain id="$eid" confirm=1
check_eq "other org delete: 404" 404 "$CODE"
check "other org delete: no name leaked" sh -c "! grep -q example.jp '$T/body'"
get /mail-settings/api/ "$co"
check_eq "other org sees no domains" 0 "$(xpath 'count(//domain)')"
check_eq "other org changed nothing" "2" \
	"$(sa_psql -tAc "SELECT count(*) FROM dkim_keys WHERE domain_id = $eid")"

# --- delete, asked first
get /mail-settings/ "$ct"
check "the delete button posts to the domain's card" \
	body_has "action=\"/mail-settings/delete#domain-$eid\"><input type=\"hidden\" name=\"csrf\" value=\"$csrf\"><input type=\"hidden\" name=\"kind\" value=\"domain\"><input type=\"hidden\" name=\"id\" value=\"$eid\">"
post /mail-settings/delete "$ct" csrf="$csrf" kind=domain id="$eid"
check_eq "delete asks first" 200 "$CODE"
check "confirmation names the domain" body_has "example.jp"
check "confirmation is a form (no JavaScript needed)" body_has 'name="confirm"'
check "the question is on the domain's card" \
	eval 'grep -o "<details class=\"domain\" id=\"domain-$eid\" open=\"open\"><summary>.*</summary><div class=\"in\"><div class=\"box warn\" role=\"alert\"><p>ドメイン「example.jp」を削除しますか？</p>" "$T/body" >/dev/null'
check "… and cancelling goes back to it" body_has "<a class=\"btn\" href=\"/mail-settings/#domain-$eid\">キャンセル</a>"
check_eq "asking deleted nothing" 1 "$(sa_psql -tAc "SELECT count(*) FROM domains WHERE id = $eid AND deleted_at IS NULL")"
post /mail-settings/delete "$ct" csrf="$csrf" kind=domain id="$eid" confirm=1
check "delete: 303 deleted, to the domain list" \
	header_has "Location: /mail-settings/?notice=deleted&domain=$eid#domains"
get "/mail-settings/?notice=deleted&domain=$eid" "$ct"
check "delete: the notice names the deleted domain, above the list" \
	eval 'grep -o "<section class=\"card\" id=\"domains\"><h2>ドメイン情報</h2>.*<h3 id=\"add-domain\">" "$T/body" | grep -qF "<div role=\"status\" class=\"box ok\">example.jp を削除しました。</div><h3"'
get "/mail-settings/api/?notice=deleted&domain=$eid" "$co"
check_eq "another organization's notice names nothing" 0 "$(xpath 'count(/settings/@notice-domain)')"
get /mail-settings/api/ "$ct"
check_eq "deleted domain gone from the page" 0 "$(xpath 'count(//domain[@name="example.jp"])')"
check_eq "its keys retired, kept" "0 2" \
	"$(sa_psql -tAc "SELECT count(*) FILTER (WHERE retired_at IS NULL) || ' ' || count(*) FROM dkim_keys WHERE domain_id = $eid")"

# --- re-adding warns first, then issues a new selector
post /mail-settings/add-domain "$ct" csrf="$csrf" domain=example.jp
check_eq "re-add warns" 200 "$CODE"
check "re-add warning mentions the new key" body_has "新しいセレクタとDKIMキーが発行され"
n=$(ndomains)
post /mail-settings/api/add-domain "$ct" csrf="$csrf" domain=example.jp
check_eq "re-add warning in XML" example.jp "$(xpath 'string(/settings/readd-warning/@domain)')"
check_eq "warning stored nothing" "$n" "$(ndomains)"
post /mail-settings/add-domain "$ct" csrf="$csrf" domain=example.jp confirm_readd=1
check "re-add confirmed: issued" header_has "notice=issued"
get /mail-settings/api/ "$ct"
check_eq "re-add: a new selector" "$today-3" \
	"$(xpath 'string(//domain[@name="example.jp"]/dkim/@selector)')"

# --- the log, as XML and as a page
get /mail-settings/api/log "$ct"
for a in domain_added dkim_issued dkim_failed dkim_reissued domain_deleted; do
	check "log has $a" body_has "action=\"$a\""
done
check "log XML validates" xmllint --noout --relaxng "$SA_TOP/xsl/senderauth.rng" "$T/body"
get /mail-settings/log "$ct"
check "log page renders" body_has "ログ"

# --- no private key material anywhere in clear
check "no private key in responses" sh -c "! grep -q 'PRIVATE KEY' '$T/all-responses'"
sa_psql -c "COPY dkim_keys TO STDOUT" >"$T/dump"
check "no PEM private key in the database" sh -c "! grep -q 'PRIVATE' '$T/dump'"
der_hex=$(openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -outform DER 2>/dev/null | head -c 4 | od -An -tx1 | tr -d ' \n')
check "no clear PKCS#8 DER in the database (sealed values start with version 02)" \
	test "$(sa_psql -tAc "SELECT count(*) FROM dkim_keys WHERE substr(encode(private_sealed, 'hex'), 1, 2) <> '02' OR encode(private_sealed, 'hex') LIKE '${der_hex}%'")" = 0

sa_done
