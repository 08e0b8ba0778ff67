#!/usr/bin/env bash
# `make bench`: every benchmark under bench/, each printing its figures and
# its ratio to the physical limit measured in the same run.
set -u
cd "$(dirname "$0")/.."
status=0
for b in bench/web.sh bench/add-domain.sh bench/verify-check.sh bench/verifier-run.sh; do
	[ -f "$b" ] || continue
	echo "== $b"
	bash "$b" || status=1
done
exit $status
