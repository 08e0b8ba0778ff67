#!/usr/bin/env bash
# The nginx include (nginx/senderauth.conf.in with senderauth-maps.conf.in)
# and the dev server: security headers on every answer under
# /mail-settings/, errors included; the page's CSS and script as files; the
# language from Accept-Language and ?lang=; the embed pages; /demo-login
# refusing a value that would add cookie attributes.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/integration/lib.sh"
demo_stack

# ---- security headers (dev.conf.in sets the portal origins) ----
CSP="Content-Security-Policy: default-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'; frame-ancestors 'self' https://portal.test http://127.0.0.1:$SA_HTTP_PORT"
headers_ok() { # headers_ok WHAT WANT-CODE
	check_eq "$1: status" "$2" "$CODE"
	check "$1: $CSP" header_has "$CSP"
	check "$1: Referrer-Policy: same-origin" header_has "Referrer-Policy: same-origin"
	check_eq "$1: X-Content-Type-Options: nosniff, once" 1 \
		"$(grep -ciFx $'X-Content-Type-Options: nosniff\r' "$T/headers")"
	check "$1: no inline script or style allowed" \
		eval '! grep -i "^Content-Security-Policy:" "$T/headers" | grep -qiE "unsafe-inline|unsafe-eval"'
}
get /mail-settings/ "$c"
headers_ok "page" 200
get /mail-settings/api/ "$c"
headers_ok "API" 200
get /mail-settings/ ""
headers_ok "page without a session" 401
get /mail-settings/api/log "not-a-cookie"
headers_ok "API with a bad session" 401
get /mail-settings/no-such-page "$c"
headers_ok "unknown page" 404
get /mail-settings/api/no-such-action "$c"
headers_ok "unknown API action" 404
post /mail-settings/register "$c" address=x@example.jp
headers_ok "POST without CSRF" 403
# the stylesheet and the phone labels
for f in senderauth.css labels.css; do
	get "/mail-settings/static/$f" ""
	headers_ok "$f" 200
	check "$f served as text/css" header_has "Content-Type: text/css"
	check "$f is xsl/static/$f" cmp -s "$T/body" "$SA_TOP/xsl/static/$f"
done
get /mail-settings/static/senderauth.js ""
headers_ok "script" 200
check "script served as application/javascript" header_has "Content-Type: application/javascript"
for f in senderauth.css labels.css senderauth.js; do
	get "/mail-settings/static/$f" ""
	check "$f cached by the browser: Cache-Control: max-age=3600" header_has "Cache-Control: max-age=3600"
	etag=$(grep -i '^ETag:' "$T/headers" | sed 's/^[^:]*: *//' | tr -d '\r')
	get "/mail-settings/static/$f" "" -H "If-None-Match: $etag"
	check_eq "$f asked again while unchanged: 304" 304 "$CODE"
	check "… with the security headers still" header_has "$CSP"
done
get /mail-settings/ "$c"
check "the page itself is never cached" header_has "Cache-Control: no-store"
get /mail-settings/static/../page.xsl ""
check_eq "no way out of static/" 404 "$CODE"
check "no CSP outside /mail-settings/ (the include leaves the portal's pages alone)" \
	eval 'get "/demo-login?session=$c" ""; ! header_has "Content-Security-Policy"'

# ---- language ----
lang_is() { # lang_is NAME WANT [curl args...]
	local name=$1 want=$2
	shift 2
	get "/mail-settings/$QS" "$c" "$@"
	check_eq "$name" "<html lang=\"$want\">" "$(grep -o '<html lang="[a-z]*">' "$T/body")"
}
QS=""
lang_is "no Accept-Language: ja" ja
lang_is "Accept-Language en-US,en: en" en -H "Accept-Language: en-US,en;q=0.9"
lang_is "Accept-Language ja-JP,en: ja" ja -H "Accept-Language: ja-JP,ja;q=0.9,en;q=0.8"
lang_is "Accept-Language fr, en-GB, ja: en (first of ja and en)" en -H "Accept-Language: fr, en-GB;q=0.9, ja;q=0.8"
lang_is "Accept-Language fr, ja, en: ja" ja -H "Accept-Language: fr,ja;q=0.9,en;q=0.8"
lang_is "Accept-Language de only: ja" ja -H "Accept-Language: de"
lang_is "Accept-Language ends with en: en" en -H "Accept-Language: de,en"
check "English text under Accept-Language en" body_has "<h1>Mail settings</h1>"
QS="?lang=en"
lang_is "?lang=en overrides Accept-Language ja" en -H "Accept-Language: ja"
QS="?lang=ja"
lang_is "?lang=ja overrides Accept-Language en" ja -H "Accept-Language: en"
check "Japanese text under ?lang=ja" body_has "<h1>メール設定</h1>"
QS="?lang=fr"
lang_is "?lang=fr is ignored: Accept-Language en" en -H "Accept-Language: en"
QS="?lang=%27%3E"
lang_is "?lang with markup is ignored" ja
QS=""
get /mail-settings/log "$c" -H "Accept-Language: en"
check "log page in English too" body_has "<html lang=\"en\">"

# ---- embed ----
get /mail-settings/embed/ "$c"
headers_ok "embed page" 200
check "embed: no header bar" eval '! body_has "<header"'
check "embed: links stay under /mail-settings/embed/" \
	body_has '<nav class="tabs"><a href="/mail-settings/embed/" aria-current="page">メール設定</a><a href="/mail-settings/embed/log">ログ</a></nav>'
check "embed: forms post under /mail-settings/embed/" \
	eval 'body_has "action=\"/mail-settings/embed/register\"" && ! grep -o "action=\"[^\"]*\"" "$T/body" | grep -qv "action=\"/mail-settings/embed/"'
get /mail-settings/ "$c"
check "the page outside the portal has the header bar" body_has '<header class="bar">'
post /mail-settings/embed/register "$c" csrf="$(csrf_of "$c")" \
	address=taro@example.jp smtp_host= smtp_port= smtp_user= smtp_password= note=
check_eq "embed: register answers 303" 303 "$CODE"
check "embed: 303 back to /mail-settings/embed/" \
	header_has "Location: /mail-settings/embed/?notice=updated"
get "/mail-settings/embed/?notice=updated&lang=en" "$c"
check "embed: notice shown, in English by ?lang=en" \
	eval 'body_has "<html lang=\"en\">" && body_has "role=\"status\"" && ! body_has "<header"'
get /mail-settings/embed/log "$c"
check "embed: log page without the header bar" \
	eval '[ "$CODE" = 200 ] && body_has "aria-current=\"page\">ログ</a>" && ! body_has "<header"'
get /mail-settings/embed/api/ "$c"
check_eq "no API under embed/" 404 "$CODE"

# ---- /demo-login (dev.conf.in only) ----
get "/demo-login?session=$c" ""
check_eq "demo-login with a minted value: 302" 302 "$CODE"
check "demo-login sets exactly the value and fixed attributes" \
	header_has "Set-Cookie: sa_session=$c; Path=/; HttpOnly; SameSite=Lax"
for bad in "$c;%20Domain=evil.example" "$c%3B%20Domain%3Devil.example" \
	"x;%20Domain=evil" "$c%0d%0aX-Evil:%201" "${c}0" "" "V${c#v}"; do
	get "/demo-login?session=$bad" ""
	check "demo-login refuses '$bad' with 400 and no cookie" \
		eval '[ "$CODE" = 400 ] && ! header_has "Set-Cookie"'
done
check "demo-login is not in the installed include" \
	eval '! grep -q demo-login "$SA_TOP/nginx/senderauth.conf.in" "$SA_TOP/nginx/senderauth-maps.conf.in"'

sa_done
