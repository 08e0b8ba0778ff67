# tests/integration/lib.sh - HTTP helpers over the running stack, sourced
# after common.sh and stack.sh. Each request leaves the status in $CODE,
# the body in $T/body and the headers in $T/headers.

# req METHOD PATH COOKIE [curl args...]
req() {
	local method=$1 path=$2 cookie=$3
	shift 3
	CODE=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' \
		-X "$method" ${cookie:+-b "sa_session=$cookie"} "$@" "$SA_URL$path")
	cat "$T/body" >>"$T/all-responses"
	cat "$T/headers" >>"$T/all-responses"
}
get() { req GET "$@"; }
# post PATH COOKIE field=value... (urlencoded, csrf added when CSRF set)
post() {
	local path=$1 cookie=$2 a args=()
	shift 2
	for a in "$@"; do args+=(--data-urlencode "$a"); done
	req POST "$path" "$cookie" "${args[@]}"
}
# csrf_of COOKIE: the CSRF token the page carries for this session.
csrf_of() {
	get /mail-settings/api/ "$1"
	xpath 'string(/settings/@csrf)'
}
# xpath EXPR: evaluates on $T/body (XML).
xpath() {
	xmllint --xpath "$1" "$T/body" 2>/dev/null
}
body_has() { grep -qF -- "$1" "$T/body"; }
header_has() { grep -qiF -- "$1" "$T/headers"; }
# demo_login: the organization 株式会社〇〇〇〇 with the account 山田 太郎;
# sets $org, $taro and $c, the account's session cookie.
demo_login() {
	org=$(sa_org "株式会社〇〇〇〇")
	taro=$(sa_account "$org" "山田 太郎")
	c=$(sa_mint "$taro" "$org")
}
# demo_stack [CONFIG-LINE...]: the stack on a PostgreSQL without fsync,
# then demo_login; the test stops when the stack does not start.
demo_stack() {
	SA_PG_FAST=1
	sa_stack_start "$@" || { not_ok "stack starts"; exit 1; }
	demo_login
}
