#!/bin/bash
# tests/fuzz/replay.sh - the fuzz targets as a regression suite: builds them
# (make fuzz) and runs each once over its committed corpus and over the
# inputs of its past findings (tests/fuzz/regress/<target>, kept apart:
# the campaign's merge keeps only what adds coverage), every input through
# the parser under ASan and UBSan. One "ok"/"not ok" line a target.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
if ! make -s -C "$top" fuzz >/dev/null; then
	echo "not ok - make fuzz"
	exit 1
fi
rc=0
for src in "$top"/tests/fuzz/fuzz-*.c; do
	t=$(basename "$src" .c)
	t=${t#fuzz-}
	dirs=("$top/tests/fuzz/corpus/$t")
	[ -d "$top/tests/fuzz/regress/$t" ] && dirs+=("$top/tests/fuzz/regress/$t")
	n=$(find "${dirs[@]}" -type f | wc -l)
	if [ "$n" -gt 0 ] && "$top/build-fuzz/fuzz-$t" -runs=0 \
		"${dirs[@]}" >"${SA_TEST_OUT:-/tmp}/fuzz-$t.log" 2>&1; then
		echo "ok - fuzz-$t replays its $n inputs"
	else
		echo "not ok - fuzz-$t over its $n inputs (see fuzz-$t.log)"
		rc=1
	fi
done
exit $rc
