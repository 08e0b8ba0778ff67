#!/bin/bash
# tests/fuzz/coverage.sh - how much of each parser the committed corpus
# reaches: builds the fuzz targets with source-based coverage (clang
# -fprofile-instr-generate, no sanitizers) into build-cov, runs each once
# over tests/fuzz/corpus/<target> and prints the line and branch coverage of
# the files that target exists for (llvm-cov report).
#
#   bash tests/fuzz/coverage.sh [target ...]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build-cov
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(dnsreply spf dkim dmarc form session validate)

make -s -C "$top/tests/fuzz" OUT="$out" CLANG="${CLANG:-clang}" \
	FLAGS="-std=c11 -g -O1 -D_GNU_SOURCE -I$top/lib/core -I$top/lib/verify \
	-I$top/tests/double -fsanitize=fuzzer -fprofile-instr-generate \
	-fcoverage-mapping -Wall -Wextra -Werror -Wno-unused-parameter" >/dev/null

files_of() { # the modules a target is written for
	case $1 in
	dnsreply) echo lib/verify/dnsreply.c ;;
	spf) echo lib/verify/spf-parse.c lib/verify/spf-state.c \
		lib/verify/spf-macro.c lib/verify/spf-eval.c lib/verify/spf-verdict.c ;;
	dkim) echo lib/verify/dkim.c lib/verify/taglist.c ;;
	dmarc) echo lib/verify/dmarc.c lib/verify/taglist.c ;;
	form) echo lib/web/form.c ;;
	session) echo lib/web/session.c ;;
	validate) echo lib/core/validate.c ;;
	esac
}

for t in "${targets[@]}"; do
	prof=$out/$t.profraw
	LLVM_PROFILE_FILE=$prof "$out/fuzz-$t" -runs=0 \
		"$top/tests/fuzz/corpus/$t" >/dev/null 2>&1
	llvm-profdata merge -sparse "$prof" -o "$out/$t.profdata"
	# rows: Filename Regions Missed Cover Functions Missed Executed
	# Lines Missed Cover Branches Missed Cover
	llvm-cov report "$out/fuzz-$t" -instr-profile="$out/$t.profdata" |
		awk -v t="$t" -v want=" $(files_of "$t") " '
		index(want, " " $1 " ") {
			printf "%s %s: lines %s (%d of %d), branches %s (%d of %d)\n",
				t, $1, $10, $8 - $9, $8, $13, $11 - $12, $11 }'
done
