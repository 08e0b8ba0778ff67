# tests/lib/common.sh - sourced by integration tests and by the run script.
#
# Gives a private temporary directory ($T), free loopback ports, "ok" /
# "not ok" lines counted by tests/run.sh, and a cleanup that stops every
# process started through sa_bg or recorded with sa_pidfile, by PID, even
# when the test fails.

set -u
SA_TOP=${SA_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${BUILD:-build-test}
case $BUILD in /*) ;; *) BUILD=$SA_TOP/$BUILD ;; esac
T=$(mktemp -d /tmp/senderauth.XXXXXX)
chmod 0755 "$T"
SA_PIDFILES=()
SA_AT_EXIT=()
SA_RMDIRS=() # directories outside $T that the cleanup removes
SA_FAILS=0

sa_cleanup() {
	local i f pid n
	for f in "${SA_AT_EXIT[@]}"; do "$f"; done
	# Newest first: nginx before FastCGI before PostgreSQL.
	for ((i = ${#SA_PIDFILES[@]} - 1; i >= 0; i--)); do
		f=${SA_PIDFILES[$i]}
		# a server may remove its own PID file as it exits: no message then
		[ -f "$f" ] || continue
		for pid in $(cat "$f" 2>/dev/null); do
			kill "$pid" 2>/dev/null
		done
	done
	for ((n = 0; n < 50; n++)); do
		local alive=0
		for f in "${SA_PIDFILES[@]}"; do
			[ -f "$f" ] || continue
			for pid in $(cat "$f" 2>/dev/null); do
				sa_running "$pid" && alive=1
			done
		done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for f in "${SA_PIDFILES[@]}"; do
		[ -f "$f" ] || continue
		for pid in $(cat "$f" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null
		done
	done
	if [ -n "${SA_KEEP_TMP:-}" ]; then
		echo "# kept $T ${SA_RMDIRS[*]}"
	else
		rm -rf "$T" "${SA_RMDIRS[@]}"
	fi
}
trap sa_cleanup EXIT
trap 'exit 130' INT TERM

# sa_pidfile FILE: stop the PIDs listed in FILE at exit.
sa_pidfile() { SA_PIDFILES+=("$1"); }
# sa_at_exit FUNC: run FUNC at exit, before the PID files are stopped.
sa_at_exit() { SA_AT_EXIT+=("$1"); }
# sa_running PID: the process exists and is not a zombie.
sa_running() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "${st%% *}" != Z ]
}

# sa_bg NAME CMD...: run CMD in the background, output in $T/NAME.log.
sa_bg() {
	local name=$1
	shift
	"$@" >"$T/$name.log" 2>&1 &
	echo $! >"$T/$name.pid"
	sa_pidfile "$T/$name.pid"
}

# sa_free_port: a TCP and UDP port free on 127.0.0.1 right now.
sa_free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		if ! ss -Htanu "( sport = :$p )" 2>/dev/null | grep -q .; then
			echo "$p"
			return
		fi
	done
}

ok() { echo "ok - $*"; }
not_ok() {
	echo "not ok - $*"
	SA_FAILS=$((SA_FAILS + 1))
}
# check NAME CMD...: ok when CMD succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
# check_eq NAME WANT GOT
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1 (want '$2', got '$3')"
	fi
}
# sa_wait_for SECONDS CMD...: retry CMD until it succeeds.
sa_wait_for() {
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
sa_done() { [ "$SA_FAILS" -eq 0 ]; }
