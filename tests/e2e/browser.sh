#!/usr/bin/env bash
# The browser test: the stack on loopback, Debian's Chromium driven by
# playwright-core (tests/e2e/browser.mjs). Screenshots go to
# $SA_TEST_OUT/screenshots.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
SA_PG_FAST=1
sa_stack_start "dkim_bits = 1024" || { not_ok "stack starts"; exit 1; }
org=$(sa_org "株式会社〇〇〇〇")
taro=$(sa_account "$org" "山田 太郎")
export SA_URL
export SA_COOKIE=$(sa_mint "$taro" "$org")
export SA_SHOTS=${SA_TEST_OUT:-$T}/screenshots
mkdir -p "$SA_SHOTS"
[ -d "$SA_TOP/tests/e2e/node_modules/playwright-core" ] ||
	(cd "$SA_TOP/tests/e2e" && npm ci --no-audit --no-fund --silent)
node "$SA_TOP/tests/e2e/browser.mjs"
