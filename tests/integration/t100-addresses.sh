#!/usr/bin/env bash
# Sender addresses end to end through nginx (XSLT and API), FastCGI and a
# real PostgreSQL: the flow, duplicates, the 587 default, ownership,
# sessions, CSRF, organizations, escaping, bad bodies, the sealed password
# and a database restart under the running stack.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/integration/lib.sh"
SA_PG_FAST=1
sa_stack_start || { not_ok "stack starts"; exit 1; }

org=$(sa_org "株式会社〇〇〇〇")
taro=$(sa_account "$org" "山田 太郎")
hana=$(sa_account "$org" "佐藤 花子")
org2=$(sa_org "別会社")
other=$(sa_account "$org2" "鈴木 一郎")
ct=$(sa_mint "$taro" "$org")
ch=$(sa_mint "$hana" "$org")
co=$(sa_mint "$other" "$org2")
csrf_t=$(csrf_of "$ct")
csrf_h=$(csrf_of "$ch")
csrf_o=$(csrf_of "$co")
count() { sa_psql -tAc "SELECT count(*) FROM sender_addresses"; }

# --- the flow
get /mail-settings/ "$ct"
check_eq "page answers 200" 200 "$CODE"
check "page is HTML through XSLT" header_has "Content-Type: text/html"
check "empty list message" body_has "メールアドレス情報が登録されていません"
check "empty domains message" body_has "ドメインが登録されていません"
check "add form is there" body_has "送信元メールアドレスを追加"
get /mail-settings/api/ "$ct"
check "API answers XML" header_has "Content-Type: text/xml"
check "API XML validates against the schema" \
	xmllint --noout --relaxng "$SA_TOP/xsl/senderauth.rng" "$T/body"

post /mail-settings/register "$ct" csrf="$csrf_t" address=taro@Example.JP \
	smtp_host= smtp_port= smtp_user= smtp_password=s3cr3t-PW note=営業部
check_eq "register answers 303" 303 "$CODE"
check "303 goes to the page with the notice" \
	header_has "Location: /mail-settings/?notice=updated"
get "/mail-settings/?notice=updated" "$ct"
check "notice shown" body_has "アカウント設定を更新しました"
check "address listed" body_has "taro@Example.JP"
check "registrant listed" body_has "山田 太郎"
get /mail-settings/api/ "$ct"
check_eq "port defaults to 587" 587 "$(xpath 'string(//address/smtp-port)')"
check_eq "the registrant may edit" 1 "$(xpath 'string(//address/@mine)')"
check_eq "password marked as set" 1 "$(xpath 'string(//address/password-set)')"
id=$(xpath 'string(//address/@id)')

# --- duplicates, case-insensitive on the domain part
post /mail-settings/register "$ch" csrf="$csrf_h" address=taro@example.jp \
	smtp_host=smtp.example.jp smtp_port=2525 smtp_password=hanapw note=メモ
check_eq "duplicate answers 422" 422 "$CODE"
check "duplicate: page error" body_has "下記にエラーがあります。"
check "duplicate: names the registrant" \
	body_has "山田 太郎さんが既に taro@Example.JP を登録済みです"
check "duplicate: keeps the typed host" body_has "smtp.example.jp"
check "duplicate: keeps the typed port" body_has 'value="2525"'
check "duplicate: keeps the typed note" body_has "メモ"
check "duplicate: password not sent back" sh -c "! grep -q hanapw '$T/body'"
post /mail-settings/api/register "$ch" csrf="$csrf_h" address=taro@example.jp
check_eq "duplicate API: error code" duplicate \
	"$(xpath 'string(//field[@name="address"]/error/@code)')"
check_eq "duplicate API: registrant" "山田 太郎" \
	"$(xpath 'string(//field[@name="address"]/error/@registrant)')"
check_eq "duplicate stored nothing" 1 "$(count)"
post /mail-settings/register "$ch" csrf="$csrf_h" address=Taro@example.jp
check_eq "local part is case-sensitive: another address" 303 "$CODE"

# --- invalid input, one specific error each, nothing stored
n=$(count)
for bad in "" "no-at-sign" "a@@b.jp" "a@localhost" "a@-x.jp" ".a@b.jp" \
	"a..b@c.jp" "$(printf 'x%.0s' {1..65})@b.jp" "a@$(printf 'b%.0s' {1..64}).jp"; do
	post /mail-settings/api/register "$ct" csrf="$csrf_t" address="$bad"
	check_eq "invalid address '${bad:0:20}' answers 422" 422 "$CODE"
done
post /mail-settings/api/register "$ct" csrf="$csrf_t" address=
check_eq "empty address: required" required \
	"$(xpath 'string(//field[@name="address"]/error/@code)')"
for port in 0 65536 abc -1 " 25"; do
	post /mail-settings/api/register "$ct" csrf="$csrf_t" address=p@port.jp smtp_port="$port"
	check_eq "port '$port' refused" invalid_port \
		"$(xpath 'string(//field[@name="smtp_port"]/error/@code)')"
done
post /mail-settings/api/register "$ct" csrf="$csrf_t" address=p@port.jp smtp_port=65535
check_eq "port 65535 accepted" 303 "$CODE"
check_eq "rejected forms stored nothing" $((n + 1)) "$(count)"

# --- the SMTP server: a host name or a public address; internal ones,
# URLs and host:port refused with a sentence, nothing stored
n=$(count)
for host in 127.0.0.1 127.0.0.1:5432 169.254.169.254 10.0.0.5 192.168.1.10 \
	172.16.0.1 100.64.0.1 0.0.0.0 ::1 "[::1]:25" fe80::1 fd00::1 localhost \
	metadata.google.internal http://169.254.169.254/latest/; do
	post /mail-settings/api/register "$ct" csrf="$csrf_t" address=h@host.jp smtp_host="$host"
	check_eq "SMTP server '$host' refused: private_address" "422 private_address" \
		"$CODE $(xpath 'string(//field[@name="smtp_host"]/error/@code)')"
done
for host in 127.1 0x7f000001 smtp "smtp_1.example.jp"; do
	post /mail-settings/api/register "$ct" csrf="$csrf_t" address=h@host.jp smtp_host="$host"
	check_eq "SMTP server '$host' refused: invalid_host" "422 invalid_host" \
		"$CODE $(xpath 'string(//field[@name="smtp_host"]/error/@code)')"
done
post /mail-settings/api/register "$ct" csrf="$csrf_t" address=h@host.jp smtp_host=smtp.example.jp:587
check_eq "SMTP server with a port: url, the host offered" "422 url smtp.example.jp" \
	"$CODE $(xpath 'string(//field[@name="smtp_host"]/error/@code)') $(xpath 'string(//field[@name="smtp_host"]/error/@suggestion)')"
post /mail-settings/register "$ct" csrf="$csrf_t" address=h@host.jp smtp_host=169.254.169.254
check "private address: the sentence says why" body_has "社内ネットワークやこのサーバ自身を指すアドレス"
check "private address: the typed value kept" body_has 'value="169.254.169.254"'
post /mail-settings/register "$ct" csrf="$csrf_t" address=h@host.jp smtp_host=smtp.example.jp:587
check "host:port: the sentence names the port field and the host" \
	body_has "ポート番号は「SMTPポート」欄に入力します（ホスト名は「smtp.example.jp」です）"
check_eq "refused SMTP servers stored nothing" "$n" "$(count)"
for host in smtp.example.jp 203.0.113.25 2001:db8::25; do
	post /mail-settings/api/register "$ct" csrf="$csrf_t" address="h-${host//:/-}@host.jp" smtp_host="$host"
	check_eq "SMTP server '$host' accepted" 303 "$CODE"
done
sa_psql -c "DELETE FROM sender_addresses WHERE address LIKE 'h-%@host.jp'" >/dev/null

# --- bidirectional overrides and C1 controls in any text field
rlo=$(printf '\u202e') lri=$(printf '\u2066') nel=$(printf '\u0085')
n=$(count)
for f in smtp_user smtp_password note; do
	post /mail-settings/api/register "$ct" csrf="$csrf_t" address=b@bidi.jp "$f=abc${rlo}gpj.exe"
	check_eq "$f with U+202E: bidi_control" "422 bidi_control" \
		"$CODE $(xpath "string(//field[@name='$f']/error/@code)")"
	post /mail-settings/api/register "$ct" csrf="$csrf_t" address=b@bidi.jp "$f=a${nel}b"
	check_eq "$f with U+0085: invalid_text" "422 invalid_text" \
		"$CODE $(xpath "string(//field[@name='$f']/error/@code)")"
done
post /mail-settings/api/register "$ct" csrf="$csrf_t" address="b${lri}@bidi.jp"
check_eq "address with U+2066: bidi_control" "422 bidi_control" \
	"$CODE $(xpath 'string(//field[@name="address"]/error/@code)')"
post /mail-settings/register "$ct" csrf="$csrf_t" address=b@bidi.jp note="abc${rlo}txt"
check "bidi: the sentence" body_has "文字の表示順を変える制御文字（U+202E など）は使用できません"
check_eq "bidi and C1 stored nothing" "$n" "$(count)"

# --- length limits count characters, and the sentence names the limit
kan1000=$(printf '漢%.0s' $(seq 1000))
post /mail-settings/api/register "$ct" csrf="$csrf_t" address=len@example.jp note="$kan1000"
check_eq "a note of 1,000 kanji (3,000 bytes) accepted" 303 "$CODE"
sa_psql -c "DELETE FROM sender_addresses WHERE address = 'len@example.jp'" >/dev/null
n=$(count)
post /mail-settings/register "$ct" csrf="$csrf_t" address=len@example.jp note="${kan1000}字"
check_eq "a note of 1,001 characters: too_long" 422 "$CODE"
check "… the sentence says the limit" body_has "備考は1000文字以内で入力してください"
check "… and the note is kept" body_has "${kan1000}字"
post /mail-settings/api/register "$ct" csrf="$csrf_t" address=len@example.jp \
	smtp_user="$(printf 'ユ%.0s' $(seq 256))"
check_eq "an SMTP user of 256 characters: too_long" "422 too_long" \
	"$CODE $(xpath "string(//field[@name='smtp_user']/error/@code)")"
check_eq "too long stored nothing" "$n" "$(count)"

# --- a multi-line note keeps its line breaks: the edit form and a 422
note=$'一行目\n二行目\n\n四行目'
post /mail-settings/register "$ct" csrf="$csrf_t" address=note@example.jp note="$note"
check_eq "multi-line note stored" "$note" \
	"$(sa_psql -tAc "SELECT note FROM sender_addresses WHERE address = 'note@example.jp'")"
nid=$(sa_psql -tAc "SELECT id FROM sender_addresses WHERE address = 'note@example.jp'")
get "/mail-settings/api/?edit=$nid" "$ct"
check_eq "edit form XML keeps the line breaks" "$note" \
	"$(xpath 'string(//form[@name="register"]/field[@name="note"]/@value)')"
# one line per body line, so a text spanning lines is found as a whole
joined() { tr '\n' '~' <"$T/body"; }
get "/mail-settings/?edit=$nid" "$ct"
check "edit page: the textarea holds the lines" \
	eval 'joined | grep -qF "name=\"note\">一行目~二行目~~四行目</textarea>"'
post /mail-settings/register "$ct" csrf="$csrf_t" id="$nid" address=note@example.jp \
	smtp_port=x note="$note"
check_eq "422 with a multi-line note" 422 "$CODE"
check "422 page: the textarea keeps the lines" \
	eval 'joined | grep -qF "name=\"note\">一行目~二行目~~四行目</textarea>"'
post /mail-settings/register "$ct" csrf="$csrf_t" id="$nid" address=note@example.jp \
	note=$'一行目\r\n二行目'
check_eq "a note typed in a browser (CRLF) stored as typed" t \
	"$(sa_psql -tAc "SELECT note = E'一行目\\r\\n二行目' FROM sender_addresses WHERE id = $nid")"
get "/mail-settings/api/?edit=$nid" "$ct"
check "… and sent back with its CR LF as character references" body_has 'value="一行目&#13;&#10;二行目"'
sa_psql -c "DELETE FROM sender_addresses WHERE id = $nid" >/dev/null

# --- only the registrant edits or deletes
post /mail-settings/register "$ch" csrf="$csrf_h" id="$id" address=taro@example.jp note=hijack
check_eq "edit by another account refused" 403 "$CODE"
check "refusal says why" body_has "登録したアカウントだけです"
post /mail-settings/delete "$ch" csrf="$csrf_h" kind=address id="$id" confirm=1
check_eq "delete by another account refused" 403 "$CODE"
check_eq "refused edit changed nothing" 営業部 \
	"$(sa_psql -tAc "SELECT note FROM sender_addresses WHERE id = $id")"
post /mail-settings/register "$ct" csrf="$csrf_t" id="$id" address=taro@example.jp \
	smtp_port=465 note=更新後
check_eq "edit by the registrant" 303 "$CODE"
check_eq "edit stored" "465|更新後" \
	"$(sa_psql -tAc "SELECT smtp_port || '|' || note FROM sender_addresses WHERE id = $id")"
check_eq "edit without a password keeps the sealed one" t \
	"$(sa_psql -tAc "SELECT smtp_password_sealed IS NOT NULL FROM sender_addresses WHERE id = $id")"
get "/mail-settings/api/?edit=$id" "$ch"
check_eq "edit form refused to another account" not_registrant \
	"$(xpath 'string(/settings/error/@code)')"
get "/mail-settings/api/?edit=$id" "$ct"
check_eq "edit form filled for the registrant" 更新後 \
	"$(xpath 'string(//form[@name="register"]/field[@name="note"]/@value)')"
get "/mail-settings/?edit=$id" "$ct"
check "edit form says an empty password keeps the stored one" \
	body_has "登録済みのパスワードを変更しません"

# --- sessions and CSRF
get /mail-settings/ ""
check_eq "no session: 401" 401 "$CODE"
# the MAC with its last digit changed (0 -> 1, else -> 0): always forged
last=${ct: -1}
[ "$last" = 0 ] && forged="${ct%?}1" || forged="${ct%?}0"
get /mail-settings/api/ "$forged"
check_eq "forged session: 401" 401 "$CODE"
check_eq "forged session code" bad_session "$(xpath 'string(/error/@code)')"
get /mail-settings/api/ "$(sa_mint "$taro" "$org" -10)"
check_eq "expired session: 401" 401 "$CODE"
get /mail-settings/api/ "$(echo "$ct" | sed "s/^v1\.$taro\.$org\./v1.$taro.$org2./")"
check_eq "org swapped in cookie: 401" 401 "$CODE"
n=$(count)
post /mail-settings/register "$ct" address=csrf@example.jp
check_eq "missing CSRF: 403" 403 "$CODE"
post /mail-settings/register "$ct" csrf="$csrf_h" address=csrf@example.jp
check_eq "another session's CSRF: 403" 403 "$CODE"
post /mail-settings/register "$ct" csrf=AAAA address=csrf@example.jp
check_eq "wrong CSRF: 403" 403 "$CODE"
check_eq "CSRF failures stored nothing" "$n" "$(count)"

# A form of a page from before the portal renewed the session cookie (its
# token is the older cookie's), sent by the browser from this origin:
# nothing done, the page again with the input kept and the session's token.
csrf_old=$(csrf_of "$(sa_mint "$taro" "$org" 1800)")
retry() { # retry PATH SEC-FETCH-SITE ORIGIN field=value...
	local path=$1 site=$2 origin=$3 a args=()
	shift 3
	for a in "$@"; do args+=(--data-urlencode "$a"); done
	req POST "$path" "$ct" ${site:+-H "Sec-Fetch-Site: $site"} \
		${origin:+-H "Origin: $origin"} "${args[@]}"
}
note=$'<b>営業部</b>\n二行目'
retry /mail-settings/register same-origin "$SA_URL" csrf="$csrf_old" \
	address=retry@example.jp smtp_host=smtp.example.jp smtp_password=retry-secret note="$note"
check_eq "stale CSRF from this origin: 403" 403 "$CODE"
check_eq "… stored nothing" "$n" "$(count)"
check "… the page says nothing was done and to send again" \
	body_has "ページの有効期限が切れていたため、操作は実行されていません。入力内容はそのまま残してあります。"
check "… with the address and the SMTP server as typed" \
	eval 'body_has "value=\"retry@example.jp\"" && body_has "value=\"smtp.example.jp\""'
check "… the note's two lines kept, escaped" body_has $'>&lt;b&gt;営業部&lt;/b&gt;\n二行目</textarea>'
check "… never the password" eval '! grep -q retry-secret "$T/body"'
check_eq "… every form carries the session's token" "$csrf_t" \
	"$(grep -o 'name="csrf" value="[^"]*"' "$T/body" | sort -u | sed 's/.*value="//; s/"$//')"
token=$csrf_t
retry /mail-settings/api/register same-origin "" csrf="$csrf_old" address=retry@example.jp
check_eq "stale CSRF through the API: the settings answer again, 403" \
	"403 bad_csrf retry@example.jp $csrf_t" \
	"$CODE $(xpath 'string(/settings/error/@code)') $(xpath 'string(/settings/form[@name="register"]/field[@name="address"]/@value)') $(xpath 'string(/settings/@csrf)')"
check "… the answer validates" xmllint --noout --relaxng "$SA_TOP/xsl/senderauth.rng" "$T/body"
retry /mail-settings/add-domain same-origin "" csrf="$csrf_old" domain=retry-example.jp
check_eq "stale CSRF on add-domain: the domain as typed" 'value="retry-example.jp"' \
	"$(grep -o 'value="retry-example.jp"' "$T/body")"
check_eq "… and no domain added" 0 "$(sa_psql -tAc "SELECT count(*) FROM domains WHERE name = 'retry-example.jp'")"
for how in "cross-site|" "same-site|" "none|" "|https://evil.example" "|$SA_URL" "|"; do
	retry /mail-settings/api/register "${how%|*}" "${how#*|}" csrf="$csrf_old" address=retry@example.jp
	check_eq "stale CSRF, Sec-Fetch-Site '${how%|*}', Origin '${how#*|}': the plain 403, no form" \
		"403 bad_csrf" "$CODE $(xpath 'string(/error/@code)')"
done
retry /mail-settings/register same-origin "" csrf="$token" address=retry@example.jp
check_eq "sent again with the page's token: stored" "303 $((n + 1))" "$CODE $(count)"
n=$(count)

# --- an account no longer in its session's organization
mover=$(sa_account "$org" "移動 三郎")
cm=$(sa_mint "$mover" "$org")
csrf_m=$(csrf_of "$cm")
sa_psql -c "UPDATE accounts SET org_id = $org2 WHERE id = $mover"
nev=$(sa_psql -tAc "SELECT count(*) FROM events")
post /mail-settings/api/register "$cm" csrf="$csrf_m" address=moved@example.jp
check_eq "POST of an account moved out of the cookie's org: 401" \
	"401 bad_session" "$CODE $(xpath 'string(/error/@code)')"
post /mail-settings/api/delete "$cm" csrf="$csrf_m" kind=address id="$id" confirm=1
check_eq "its delete: 401" 401 "$CODE"
post /mail-settings/api/add-domain "$cm" csrf="$csrf_m" domain=moved.example.jp
check_eq "its add-domain: 401" 401 "$CODE"
check_eq "its POSTs stored nothing" "$n $nev 0" \
	"$(count) $(sa_psql -tAc "SELECT count(*) FROM events") $(sa_psql -tAc "SELECT count(*) FROM domains")"
get /mail-settings/api/ "$cm"
check_eq "its page: 401" 401 "$CODE"
# the schema keeps an account's rows in its organization (sql/001_baseline.sql)
refused() { ! sa_psql -c "$1" 2>/dev/null; }
check "schema refuses an address of another org's account" refused \
	"INSERT INTO sender_addresses (org_id, account_id, address, addr_key)
	 VALUES ($org, $mover, 'x@moved.jp', 'x@moved.jp')"
check "schema refuses an event of another org's account" refused \
	"INSERT INTO events (org_id, account_id, action, object_type)
	 VALUES ($org, $mover, 'address_added', 'address')"
check "schema refuses a domain of another org's account" refused \
	"INSERT INTO domains (org_id, name, unicode_name, created_by, spf_record)
	 VALUES ($org, 'moved.jp', 'moved.jp', $mover, 'v=spf1 -all')"
check "schema refuses to move an account away from its rows" refused \
	"UPDATE accounts SET org_id = $org2 WHERE id = $taro"

# --- organizations are separate
get /mail-settings/api/ "$co"
check_eq "other org sees no addresses" 0 "$(xpath 'count(//address)')"
post /mail-settings/delete "$co" csrf="$csrf_o" kind=address id="$id" confirm=1
check_eq "other org cannot delete: not found" 404 "$CODE"
get "/mail-settings/api/?edit=$id" "$co"
check_eq "other org cannot open the edit form" not_found \
	"$(xpath 'string(/settings/error/@code)')"
post /mail-settings/register "$co" csrf="$csrf_o" address=taro@example.jp
check_eq "same address in another org is allowed" 303 "$CODE"

# --- escaping and verbatim storage
xss='<script>alert("x")</script><img src=x onerror=alert(1)>'
post /mail-settings/register "$ct" csrf="$csrf_t" address=xss@example.jp note="$xss"
check_eq "XSS note stored" 303 "$CODE"
get /mail-settings/ "$ct"
check "XSS in note escaped in HTML" body_has '&lt;script&gt;alert'
check "no live script from the note" sh -c "! grep -q '<script>alert' '$T/body'"
check "no live img from the note" sh -c "! grep -q '<img src=x' '$T/body'"
post /mail-settings/register "$ct" csrf="$csrf_t" address="<script>alert(1)</script>@x.jp"
check_eq "XSS address refused" 422 "$CODE"
check "XSS address kept escaped in the form" body_has '&lt;script&gt;alert(1)&lt;/script&gt;@x.jp'
check "no live script from the address" sh -c "! grep -q '<script>alert(1)' '$T/body'"
sqlm="'); DROP TABLE sender_addresses; -- \\\"% _ \$1"
post /mail-settings/register "$ct" csrf="$csrf_t" address="o'brien@example.jp" note="$sqlm"
check_eq "SQL metacharacters accepted" 303 "$CODE"
check_eq "SQL metacharacters stored verbatim" "$sqlm" \
	"$(sa_psql -tAc "SELECT note FROM sender_addresses WHERE address = 'o''brien@example.jp'")"

# --- bad bodies
n=$(count)
head -c 1048576 /dev/zero | tr '\0' 'a' >"$T/big"
CODE=$(curl -s -o "$T/body" -w '%{http_code}' -b "sa_session=$ct" \
	-H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary "@$T/big" "$SA_URL/mail-settings/register")
check_eq "1 MB body: 413" 413 "$CODE"
check "1 MB body: clean XML error rendered" grep -q "<html" "$T/body"
for enc in "address=%zz" "address=%4" "address=%C3%28" "address=%ED%A0%80" \
	"address=a%00b" "=x" "address=a&address=b" "address=%C0%AF"; do
	req POST /mail-settings/api/register "$ct" \
		-H 'Content-Type: application/x-www-form-urlencoded' \
		--data-binary "csrf=$csrf_t&$enc"
	check_eq "malformed body '$enc': 400" 400 "$CODE"
done
req POST /mail-settings/api/register "$ct" -H 'Content-Type: text/plain' \
	--data-binary "csrf=$csrf_t&address=x@y.jp"
check_eq "wrong content type refused" 415 "$CODE"
get "/mail-settings/api/?edit=%ZZ" "$ct"
check_eq "malformed query: 400" 400 "$CODE"
req PUT /mail-settings/register "$ct"
check_eq "PUT: 405" 405 "$CODE"
check_eq "bad bodies stored nothing" "$n" "$(count)"

# --- the password is write-only and sealed
check "password never in a response" sh -c "! grep -q 's3cr3t-PW' '$T/all-responses'"
sa_psql -c "COPY sender_addresses TO STDOUT" >"$T/dump"
sa_psql -c "COPY (SELECT encode(smtp_password_sealed, 'escape') FROM sender_addresses) TO STDOUT" >>"$T/dump"
check "password not in clear in the database" sh -c "! grep -q 's3cr3t-PW' '$T/dump'"
check_eq "sealed value is version+nonce+ciphertext+tag" $((1 + 12 + 9 + 16)) \
	"$(sa_psql -tAc "SELECT length(smtp_password_sealed) FROM sender_addresses WHERE id = $id")"

# --- delete with confirmation
post /mail-settings/api/delete "$ct" csrf="$csrf_t" kind=address id="$id"
check_eq "delete without confirm asks" address "$(xpath 'string(/settings/confirm/@kind)')"
check_eq "asking deleted nothing" 1 "$(sa_psql -tAc "SELECT count(*) FROM sender_addresses WHERE id = $id")"
post /mail-settings/delete "$ct" csrf="$csrf_t" kind=address id="$id" confirm=1
check "confirmed delete: 303 with notice" header_has "Location: /mail-settings/?notice=deleted"
check_eq "deleted" 0 "$(sa_psql -tAc "SELECT count(*) FROM sender_addresses WHERE id = $id")"
get /mail-settings/api/log "$ct"
check "log lists the deletion" body_has 'action="address_deleted"'
check "log lists the addition" body_has 'action="address_added"'

# --- the database restarts under the running stack
sa_pg_stop
get /mail-settings/api/ "$ct"
check_eq "database down: 503" 503 "$CODE"
check_eq "database down: code" db_unavailable "$(xpath 'string(/error/@code)')"
sa_pg_restart_only
ok=0
for i in 1 2 3 4; do get /mail-settings/api/ "$ct"; [ "$CODE" = 200 ] && ok=$((ok+1)); done
check_eq "after restart every request succeeds" 4 "$ok"

sa_done
