#!/bin/bash
# tests/fuzz/campaign.sh - runs fuzz targets for a budget of CPU time (not
# wall time: the machine is shared), then minimizes what they found into
# the committed seed corpus and prints one line per target for the README.
#
#   make fuzz && CPU_S=600 bash tests/fuzz/campaign.sh [target ...]
#
# Each target runs on one core, from its committed corpus plus what earlier
# runs left in $WORK/<target>; it is stopped with SIGINT once the target has
# used CPU_S seconds of CPU in all (user + system, /proc/PID/stat, summed
# over runs in $WORK/<target>/cpu_s, so a campaign can be stopped and
# resumed, or split across cores: one invocation per core, each with its
# own targets), and libFuzzer prints its final statistics. Executions are
# summed over runs the same way. A crash stops the target early
# and leaves the input beside its log (the line says "crash"). The merged
# corpus replaces tests/fuzz/corpus/<target> (-merge=1 keeps only inputs that
# add coverage).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${BIN:-$top/build-fuzz}
work=${WORK:-/var/tmp/senderauth-fuzz}
cpu_s=${CPU_S:-600}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(dnsreply spf dkim dmarc form session validate)
tick=$(getconf CLK_TCK)

cpu_of() { # CPU seconds used by PID so far
	awk -v t="$tick" '{ sub(/^.*\) /, ""); print int(($12 + $13) / t) }' \
		"/proc/$1/stat" 2>/dev/null || echo -1
}

for t in "${targets[@]}"; do
	exe=$bin/fuzz-$t
	seeds=$top/tests/fuzz/corpus/$t
	dir=$work/$t
	mkdir -p "$dir/corpus" "$dir/artifacts" "$seeds"
	dict=()
	[ -f "$top/tests/fuzz/fuzz-$t.dict" ] && dict=(-dict="$top/tests/fuzz/fuzz-$t.dict")
	log=$dir/run.log
	before=$(cat "$dir/cpu_s" 2>/dev/null || echo 0)
	execs_before=$(cat "$dir/execs" 2>/dev/null || echo 0)
	if [ "$before" -ge "$cpu_s" ]; then
		echo "$t: $before CPU seconds already"
		continue
	fi
	"$exe" -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
		"${dict[@]}" "$dir/corpus" "$seeds" >"$log" 2>&1 &
	pid=$!
	used=0
	while kill -0 "$pid" 2>/dev/null; do
		used=$(cpu_of "$pid")
		[ "$used" -ge 0 ] && echo $((before + used)) >"$dir/cpu_s"
		if [ $((before + used)) -ge "$cpu_s" ]; then
			kill -INT "$pid"
			break
		fi
		sleep 5
	done
	wait "$pid" || true
	execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
	execs=$((execs_before + ${execs:-0}))
	echo "$execs" >"$dir/execs"
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
	ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
	crashes=$(find "$dir/artifacts" -type f | wc -l)
	# minimize into a fresh directory, then replace the committed seeds
	rm -rf "$dir/min"
	mkdir -p "$dir/min"
	"$exe" -merge=1 "$dir/min" "$seeds" "$dir/corpus" >"$dir/merge.log" 2>&1
	rm -rf "$seeds"
	mv "$dir/min" "$seeds"
	printf '%s cpu_s=%s execs=%s cov=%s ft=%s corpus=%s findings=%s\n' \
		"$t" "$(cat "$dir/cpu_s")" "$execs" "${cov:-?}" "${ft:-?}" \
		"$(find "$seeds" -type f | wc -l)" "$crashes"
done
