#!/usr/bin/env bash
# The browser test: the stack on loopback, Debian's Chromium driven by
# playwright-core (tests/e2e/browser.mjs). Screenshots go to
# $SA_TEST_OUT/screenshots.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/lib/nsd.sh"
SA_PG_FAST=1
# NSD serves example.jp (the test publishes the issued records there) and
# the platform include.
mkdir -p "$T/zones"
for z in example.jp m01-ahd-sys.net; do
	printf '$ORIGIN %s.\n$TTL 60\n@ IN SOA ns.%s. h.%s. 1 3600 600 86400 60\n@ IN NS ns.%s.\nns IN A 127.0.0.1\n' \
		"$z" "$z" "$z" "$z" >"$T/zones/$z.zone"
done
echo '@ IN TXT "v=spf1 ip4:210.198.21.0/24 ~all"' >>"$T/zones/m01-ahd-sys.net.zone"
sa_nsd_start "$T/zones" example.jp m01-ahd-sys.net || { not_ok "nsd starts"; exit 1; }
export SA_ZONE_FILE=$T/zones/example.jp.zone SA_NSD_PIDFILE=$SA_NSD_DIR/nsd.pid
sa_stack_start "dkim_bits = 1024" "resolver = 127.0.0.1:$SA_NSD_PORT" \
	"dns_timeout_ms = 500" "verifier_path = $BUILD/verifier" ||
	{ not_ok "stack starts"; exit 1; }
org=$(sa_org "株式会社〇〇〇〇")
taro=$(sa_account "$org" "山田 太郎")
export SA_URL
export SA_COOKIE=$(sa_mint "$taro" "$org")
export SA_SHOTS=${SA_TEST_OUT:-$T}/screenshots
mkdir -p "$SA_SHOTS"
[ -d "$SA_TOP/tests/e2e/node_modules/playwright-core" ] ||
	(cd "$SA_TOP/tests/e2e" && npm ci --no-audit --no-fund --silent)
node "$SA_TOP/tests/e2e/browser.mjs"
