#!/usr/bin/env bash
# Runs every suite against the build in $1 (default build-test) and prints one
# last line "N passed, N failed". Each suite prints "ok - name" or
# "not ok - name" lines; a suite that exits non-zero without a "not ok" line
# (a crash, a sanitizer report) counts as one failure of its own.
set -u
cd "$(dirname "$0")/.."
export BUILD=${1:-build-test}
export SA_TOP=$PWD
OUT=${SA_TEST_OUT:-$PWD/tests/out}
rm -rf "$OUT"
mkdir -p "$OUT"
export SA_TEST_OUT=$OUT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0
failed=0
suite() {
	local name=$1
	shift
	local log="$OUT/$name.log"
	echo "== $name"
	"$@" >"$log" 2>&1
	local rc=$?
	local p f
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	grep '^not ok ' "$log" | sed 's/^/   /'
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "   not ok - $name exited with status $rc"
		tail -n 20 "$log" | sed 's/^/   | /'
	fi
	echo "   $p passed, $f failed"
	passed=$((passed + p))
	failed=$((failed + f))
}

for t in "$BUILD"/tests/test-*; do
	[ -x "$t" ] || continue
	suite "unit-$(basename "$t")" "$t"
done
if [ -x "$BUILD/tests/rfc7208" ]; then
	suite conformance-rfc7208 "$BUILD/tests/rfc7208" \
		tests/conformance/rfc7208-tests.yml
fi
suite fuzz-replay bash tests/fuzz/replay.sh
for t in tests/integration/t[0-9]*.sh; do
	[ -f "$t" ] || continue
	suite "integration-$(basename "$t" .sh)" bash "$t"
done
for t in tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	suite "e2e-$(basename "$t" .sh)" bash "$t"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
