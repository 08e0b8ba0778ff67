#!/usr/bin/env bash
# `make run`: the whole product on 127.0.0.1 with the demo organization
# 株式会社〇〇〇〇 (accounts 山田 太郎 and 佐藤 花子). State stays in ./run
# (or /var/tmp/senderauth-run) between runs; Ctrl-C stops every process
# this started.
set -u
export SA_TOP=$(cd "$(dirname "$0")/../.." && pwd)
export BUILD=${BUILD:-build}
source "$SA_TOP/tests/lib/common.sh"
SA_DIR=$SA_TOP/run
mkdir -p "$SA_DIR"
chmod 0755 "$SA_DIR"
# As root, PostgreSQL runs as the postgres account, which must reach the
# cluster's directory: when the checkout is private (e.g. under /root),
# the state goes to /var/tmp instead.
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$SA_DIR" 2>/dev/null; then
	SA_DIR=/var/tmp/senderauth-run
	mkdir -p "$SA_DIR"
	chmod 0755 "$SA_DIR"
fi
source "$SA_TOP/tests/lib/stack.sh"

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
sa_stack_start "spf_ip = 210.198.21.20" "spf_include = m01-ahd-sys.net" ||
	{ echo "run: the stack did not start; logs in $SA_DIR" >&2; exit 1; }

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
echo "  logs:  $SA_DIR"
echo "Ctrl-C stops everything."
while kill -0 "$(cat "$SA_DIR/nginx/nginx.pid")" 2>/dev/null; do
	sleep 1
done
