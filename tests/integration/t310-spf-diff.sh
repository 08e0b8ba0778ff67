#!/usr/bin/env bash
# t310-spf-diff.sh - the differential test against pyspf, small and with a
# fixed seed (the full run is `make spf-diff`; tests/conformance/README):
# 300 random record sets in a private NSD, `verifier check`'s RFC 7208
# result for each platform address against pyspf's check_host(); every
# difference must be one of the pyspf deviations the README lists. First,
# that a case replays alone from its seed and number, as the failure
# lines say.
source "$(dirname "$0")/../lib/common.sh"

PY=/usr/bin/python3
GEN=$SA_TOP/tests/conformance/spf-diff.py
"$PY" "$GEN" generate --seed 7208 --cases 40 --out "$T/all" >/dev/null &&
	"$PY" "$GEN" generate --seed 7208 --case 37 --out "$T/one" >/dev/null
check_eq "generator runs" 0 $?
case37() { # the case's records and addresses, and its zone lines
	"$PY" -c 'import json, sys
for c in json.load(open(sys.argv[1]))["cases"]:
    if c["k"] == 37: print(json.dumps(c, sort_keys=True))' "$1/cases.json"
	grep '\.c37\.spfdiff\.test\.\? \|^c37\.spfdiff\.test\.' "$1/spfdiff.test.zone"
}
check "case 37 of seed 7208 replays alone: same records and addresses" \
	test -n "$(case37 "$T/all")" -a "$(case37 "$T/all")" = "$(case37 "$T/one")"
"$PY" "$GEN" generate --seed 7209 --case 37 --out "$T/other" >/dev/null
check "another seed gives another case 37" \
	test "$(case37 "$T/all")" != "$(case37 "$T/other")"

bash "$SA_TOP/tests/conformance/spf-diff.sh" --seed 7208 --cases 300 >"$T/out" 2>&1
rc=$?
cat "$T/out"
check "spf-diff prints its seed" grep -q '^# spf-diff: seed 7208$' "$T/out"
check_eq "spf-diff: no disagreement left unexplained (exit 0)" 0 "$rc"
sa_done
