#!/usr/bin/env bash
# `make run`: the whole product on 127.0.0.1 with the demo organization
# 株式会社〇〇〇〇 (accounts 山田 太郎 and 佐藤 花子), NSD as the demo's DNS
# and the verifier every 30 seconds against it. State (database, zones,
# senderauth.local.conf) stays in ./run (or /var/tmp/senderauth-run;
# $SA_RUN_DIR for tests) between runs; Ctrl-C or SIGTERM stops every
# process this started.
set -u
export SA_TOP=$(cd "$(dirname "$0")/../.." && pwd)
export BUILD=${BUILD:-build}
source "$SA_TOP/tests/lib/common.sh"
SA_DIR=${SA_RUN_DIR:-$SA_TOP/run}
mkdir -p "$SA_DIR"
chmod 0755 "$SA_DIR"
# As root, PostgreSQL runs as the postgres account, which must reach the
# cluster's directory: when the checkout is private (e.g. under /root),
# the state goes to /var/tmp instead.
if [ -z "${SA_RUN_DIR:-}" ] && [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$SA_DIR" 2>/dev/null; then
	SA_DIR=/var/tmp/senderauth-run
	mkdir -p "$SA_DIR"
	chmod 0755 "$SA_DIR"
fi
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/lib/nsd.sh"
source "$SA_TOP/tests/lib/demo.sh"

# A demo cluster from before `senderauth-admin migrate` (no migrate.log)
# has a schema the migrations no longer build: keep it aside, start anew.
if [ -d "$SA_DIR/pg/data" ] && [ ! -f "$SA_DIR/migrate.log" ]; then
	old=$SA_DIR/pg.before-migrate.$(date +%s)
	mv "$SA_DIR/pg" "$old"
	echo "run: the demo database predates senderauth-admin migrate; it is kept in $old and a new one is made" >&2
fi

if ! ss -Htln "( sport = :8080 )" | grep -q .; then
	SA_HTTP_PORT=${SA_HTTP_PORT:-8080}
fi
# The user's configuration lines, kept across runs and appended to the
# generated file; a key they set replaces the demo's line for it.
local_conf=$SA_DIR/senderauth.local.conf
[ -f "$local_conf" ] || cat >"$local_conf" <<-'CONF'
	# Your lines for the demo's senderauth.conf (keys in README.md,
	# "Configuration file"), e.g. dkim_bits = 1024. `make run` appends them
	# to the file it writes at each start; a key set here replaces the
	# demo's own line for it. Restart `make run` after editing.
CONF
mapfile -t mine <"$local_conf"
sa_demo_dns_start || { echo "run: NSD did not start; logs in $SA_DIR/nsd" >&2; exit 1; }
conf=()
while IFS= read -r line; do
	key=${line%%=*}
	key=${key//[[:space:]]/}
	grep -Eq "^[[:space:]]*${key}[[:space:]]*=" "$local_conf" || conf+=("$line")
done < <(printf '%s\n' "spf_ip = 210.198.21.20" "spf_include = $SA_DEMO_PLATFORM" \
	"$(sa_demo_config)")
# The stack as sa_stack_start starts it, the configuration checked (by a
# command that loads it) before any worker reads it.
sa_pg_start && sa_config "${conf[@]}" "# from $local_conf" "${mine[@]}" ||
	{ echo "run: the stack did not start; logs in $SA_DIR" >&2; exit 1; }
"$BUILD/senderauth-admin" migrate --dry-run --sql "$SA_TOP/sql" >/dev/null || {
	echo "run: $SA_DIR/senderauth.conf does not load (the lines from $local_conf are at its end)" >&2
	exit 1
}
sa_fcgi_start && sa_nginx_start ||
	{ echo "run: the stack did not start; logs in $SA_DIR" >&2; exit 1; }
sa_demo_env
sa_demo_verifier_start

org=$(sa_psql -tAc "SELECT id FROM organizations WHERE name = '株式会社〇〇〇〇'")
if [ -z "$org" ]; then
	org=$(sa_org "株式会社〇〇〇〇")
	sa_account "$org" "山田 太郎" >/dev/null
	sa_account "$org" "佐藤 花子" >/dev/null
fi

echo
echo "senderauth is running."
echo "  page:  $SA_URL/mail-settings/"
echo "  API:   $SA_URL/mail-settings/api/"
sa_psql -tA -F ' ' -c "SELECT id, name FROM accounts WHERE org_id = $org ORDER BY id" |
	while read -r id name; do
		echo "  login as $name: $SA_URL/demo-login?session=$(sa_mint "$id" "$org" 86400)"
	done
publish=$SA_TOP/tests/tools/demo-publish.sh
[ "$SA_DIR" = "$SA_TOP/run" ] || publish="$publish --dir $SA_DIR"
echo "  DNS:   NSD on 127.0.0.1:$SA_NSD_PORT, zones in $SA_DIR/zones; the verifier runs every ${SA_DEMO_VERIFY_EVERY}s"
echo "  logs:  $SA_DIR (your configuration lines: $local_conf)"
echo "  mail:  alerts (設定済 -> 未設定, and the first 設定済) kept in $SA_DIR/mail"
echo
echo "After adding a domain on the page, publish its records in the demo's DNS"
echo "(what the customer does at their DNS provider); ✔ 設定済 follows within a minute:"
echo
echo "  $publish DOMAIN"
echo
echo "Ctrl-C stops everything."
while kill -0 "$(cat "$SA_DIR/nginx/nginx.pid")" 2>/dev/null; do
	sleep 1
done
