#!/usr/bin/env bash
# spf-diff.sh - the differential test of the SPF engine against pyspf
# (tests/conformance/spf-diff.py, README next to it): generates the record
# sets, serves them from a private NSD, compares `verifier check`'s RFC 7208
# result for each platform address with pyspf's check_host().
#
#   bash tests/conformance/spf-diff.sh [--seed S] [--cases N] [--case K]
#                                      [--jobs J] [--verbose]
#
# BUILD (default build-test) names the build whose verifier is tested.
# Without --seed a random seed is drawn and printed; --case K replays one
# case of a seed. Prints "ok"/"not ok" lines and a summary line; exits 1
# on any disagreement not explained in the README.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/nsd.sh"

seed=$(( (RANDOM << 15) | RANDOM ))
gen=(--cases 300)
cmp=()
while [ $# -gt 0 ]; do
	case $1 in
	--seed) seed=$2; shift 2 ;;
	--cases) gen=(--cases "$2"); shift 2 ;;
	--case) gen=(--case "$2"); shift 2 ;;
	--jobs) cmp+=(--jobs "$2"); shift 2 ;;
	--verbose) cmp+=(--verbose); shift ;;
	*) echo "usage: spf-diff.sh [--seed S] [--cases N] [--case K] [--jobs J] [--verbose]" >&2
		exit 2 ;;
	esac
done
PY=/usr/bin/python3 # Debian's, with python3-spf (not a pyenv python3)
echo "# spf-diff: seed $seed"
"$PY" "$SA_TOP/tests/conformance/spf-diff.py" generate --seed "$seed" \
	"${gen[@]}" --out "$T/zones" >"$T/zones.list" ||
	{ not_ok "record sets generated"; exit 1; }
good=$(sed -n 1p "$T/zones.list") # zones that load
bad=$(sed -n 2p "$T/zones.list")  # zones that do not: SERVFAIL
# shellcheck disable=SC2086
sa_nsd_start "$T/zones" $good $bad || { not_ok "nsd serves the record sets"; exit 1; }
for z in $good; do
	grep -q "zone $z read with success" "$SA_NSD_DIR/nsd.log" ||
		{ not_ok "nsd loads zone $z"; grep "$z" "$SA_NSD_DIR/nsd.log"; exit 1; }
done
"$PY" "$SA_TOP/tests/conformance/spf-diff.py" compare --cases "$T/zones/cases.json" \
	--port "$SA_NSD_PORT" --verifier "$BUILD/verifier" "${cmp[@]}"
