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
