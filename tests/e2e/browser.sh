#!/usr/bin/env bash
# The browser test: the stack on loopback, Debian's Chromium driven by
# playwright-core (tests/e2e/browser.mjs) with axe-core. Screenshots go to
# $SA_TEST_OUT/screenshots (tests/out/screenshots unless run.sh sets
# another directory), named NN-step.png and w1280-/w390-PAGE.png; the
# test prints where.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/lib/nsd.sh"
SA_DEMO_VERIFY_EVERY=5
source "$SA_TOP/tests/lib/demo.sh"
SA_PG_FAST=1
# The demo's DNS (NSD: the platform include, an empty root, the zones the
# publish tool adds) also serves example.jp, where the test appends the
# records of mail.example.jp by hand, and broken.test, a zone without a
# file: NSD answers SERVFAIL for it (DNS that cannot be asked); the demo's
# verifier loop runs every 5 seconds.
mkdir -p "$SA_DIR/zones"
sa_demo_soa example.jp >"$SA_DIR/zones/example.jp.zone"
sa_demo_dns_start example.jp broken.test || { not_ok "nsd starts"; exit 1; }
export SA_ZONE_FILE=$SA_DIR/zones/example.jp.zone SA_NSD_PIDFILE=$SA_NSD_DIR/nsd.pid
mapfile -t demo < <(sa_demo_config)
sa_stack_start "dkim_bits = 1024" "${demo[@]}" \
	"dns_timeout_ms = 500" "verifier_path = $BUILD/verifier" ||
	{ not_ok "stack starts"; exit 1; }
sa_demo_env
sa_demo_verifier_start
# for the publish-and-wait path and the rotation
export SA_DEMO_DIR=$SA_DIR SA_PUBLISH=$SA_TOP/tests/tools/demo-publish.sh
export SA_VERIFIER=$BUILD/verifier SENDERAUTH_CONFIG
org=$(sa_org "株式会社〇〇〇〇")
taro=$(sa_account "$org" "山田 太郎")
export SA_URL
export SA_COOKIE=$(sa_mint "$taro" "$org")
# the same login as the portal renews it (another expiry, another token)
export SA_COOKIE_RENEWED=$(sa_mint "$taro" "$org" 7200)
export SA_SHOTS=${SA_TEST_OUT:-$SA_TOP/tests/out}/screenshots
mkdir -p "$SA_SHOTS"
echo "# screenshots in $SA_SHOTS"
[ -d "$SA_TOP/tests/e2e/node_modules/playwright-core" ] &&
	[ -d "$SA_TOP/tests/e2e/node_modules/axe-core" ] ||
	(cd "$SA_TOP/tests/e2e" && npm ci --no-audit --no-fund --silent)
node "$SA_TOP/tests/e2e/browser.mjs"
