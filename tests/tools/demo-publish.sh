#!/usr/bin/env bash
# demo-publish.sh [--dir STATEDIR] DOMAIN - for the demo only: does what
# the customer would do at their DNS provider. It reads, through the API
# as the page's user, the records the メール設定 page lists for DOMAIN
# (the SPF record and the DKIM record of each key to publish or keep:
# active, pending, retiring; not retired ones), rewrites DOMAIN's zone in
# the demo's DNS with exactly those, and has NSD serve it. The verifier of
# `make run` then sees them at its next run.
#
# STATEDIR is the state directory of `make run` (default ./run of the
# checkout, else /var/tmp/senderauth-run) or of a test; its demo.env
# (tests/lib/demo.sh) says where the stack and its DNS are.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)

die() {
	echo "demo-publish: $*" >&2
	exit 1
}
usage() {
	echo "usage: demo-publish.sh [--dir STATEDIR] DOMAIN" >&2
	exit 2
}

dir=${SA_DEMO_DIR:-}
while [ $# -gt 0 ]; do
	case $1 in
	--dir) [ $# -ge 2 ] || usage; dir=$2; shift 2 ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || usage
want=${1%.}
if [ -z "$dir" ]; then
	for dir in "$top/run" /var/tmp/senderauth-run; do
		[ -f "$dir/demo.env" ] && break
	done
fi
[ -f "$dir/demo.env" ] || die "no demo.env in $dir: is make run running?"
# shellcheck source=/dev/null
source "$dir/demo.env"

tmp=$(mktemp -d /tmp/demo-publish.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# The domain (A-label or as shown on the page) and an account that sees it.
row=$("$SA_DEMO_PSQL" -X -q -v ON_ERROR_STOP=1 -tA -F ' ' \
	-d "$SA_DEMO_DATABASE" -v dom="$want" <<-'SQL'
		SELECT d.name, d.org_id, min(a.id) FROM domains d
		JOIN accounts a ON a.org_id = d.org_id
		WHERE d.deleted_at IS NULL
		AND (d.name = lower(:'dom') OR d.unicode_name = :'dom')
		GROUP BY d.id ORDER BY d.id DESC LIMIT 1;
	SQL
) || die "the demo's database does not answer: is make run running?"
[ -n "$row" ] || die "no domain $want on the page: add it there first"
read -r name org account <<<"$row"
[ "$name" != "$SA_DEMO_PLATFORM" ] || die "$name is the platform's own zone"

cookie=$("$SA_DEMO_MINT" "$SA_DEMO_SESSION_KEY" "$account" "$org" 300)
curl -fsS -o "$tmp/settings.xml" -b "sa_session=$cookie" \
	"$SA_URL/mail-settings/api/" || die "the demo's API does not answer at $SA_URL"
xp() { xmllint --xpath "$1" "$tmp/settings.xml"; }

# DNS strings: quoted, at most 255 bytes each (RFC 1035 §3.3.14).
txt() {
	local v=$1 out=
	v=${v//\\/\\\\}
	v=${v//\"/\\\"}
	while [ ${#v} -gt 250 ]; do
		out+="\"${v:0:250}\" "
		v=${v:250}
	done
	echo "( $out\"$v\" )"
}

dom="/settings/domains/domain[@name = '$name']"
recs="$dom/spf/record | $dom/dkim/record | $dom/dkim/next/record | $dom/dkim/retiring/record"
n=$(xp "count($recs)")
[ "$n" -gt 0 ] || die "the page lists no record for $name"
zone=$SA_DEMO_ZONES/$name.zone
old=$(awk '$3 == "SOA" { print $6; exit }' "$zone" 2>/dev/null || true)
serial=$(date +%s)
[ -z "$old" ] || [ "$old" -lt "$serial" ] || serial=$((old + 1))
{
	printf '$ORIGIN %s.\n$TTL 60\n' "$name"
	printf '@ IN SOA ns.%s. hostmaster.%s. %s 3600 600 86400 60\n' \
		"$name" "$name" "$serial"
	printf '@ IN NS ns.%s.\nns IN A 127.0.0.1\n' "$name"
	for ((i = 1; i <= n; i++)); do
		host=$(xp "string(($recs)[$i]/@host)")
		type=$(xp "string(($recs)[$i]/@type)")
		[ "$type" = TXT ] || die "unexpected record type $type"
		value=$(xp "string(($recs)[$i]/@value)")
		printf '%s. IN TXT %s\n' "$host" "$(txt "$value")"
		[ ${#value} -le 64 ] || value="${value:0:60}…"
		printf '  %s TXT "%s"\n' "$host" "$value" >>"$tmp/summary"
	done
} >"$tmp/zone"
mv "$tmp/zone" "$zone"

ctl() { nsd-control -c "$SA_DEMO_NSD_CONF" "$@"; }
ctl zonestatus "$name" >/dev/null 2>&1 || ctl addzone "$name" added >/dev/null ||
	die "NSD did not add the zone $name"
ctl reload "$name" >/dev/null || die "NSD did not reload the zone $name"
# NSD loads in the background: wait (up to 5 s) until it serves the new
# serial. Debian's python3, which has python3-dnspython.
/usr/bin/python3 - "$SA_DEMO_NSD_PORT" "$name" "$serial" <<-'PY' ||
	import sys, time, dns.message, dns.query
	port, name, serial = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
	for _ in range(50):
	    try:
	        r = dns.query.udp(dns.message.make_query(name, 'SOA'),
	                          '127.0.0.1', port=port, timeout=1)
	        if r.answer and r.answer[0][0].serial == serial:
	            sys.exit(0)
	    except Exception:
	        pass
	    time.sleep(0.1)
	sys.exit(1)
PY
	die "NSD does not serve the new zone of $name"

echo "demo-publish: $n records of $name now in the demo's DNS (127.0.0.1:$SA_DEMO_NSD_PORT, zone file $zone):"
cat "$tmp/summary"
echo "The verifier runs every $SA_DEMO_VERIFY_EVERY s: reload the page within a minute to see ✔ 設定済."
