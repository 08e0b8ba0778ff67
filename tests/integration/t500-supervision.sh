#!/usr/bin/env bash
# The FastCGI workers of the stack under multiwatch: a worker killed with
# SIGKILL is replaced and the page answers again (the time it took is
# printed); sockets
# are not world-writable; worker stderr goes to a log per action; and
# sa_fcgi_stop leaves no process behind.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/integration/lib.sh"
demo_stack

get /mail-settings/ "$c"
check_eq "page answers 200" 200 "$CODE"

for a in $SA_ACTIONS; do
	check_eq "$a: socket mode 0660" 660 "$(stat -c %a "$SA_DIR/sock/$a.sock")"
done

old=$(sa_fcgi_workers settings)
check_eq "settings: $SA_FCGI_CHILDREN workers under multiwatch" \
	"$SA_FCGI_CHILDREN" "$(echo $old | wc -w)"
w=${old%% *}
check_eq "a worker's stderr is the action's log" \
	"$SA_DIR/log/settings.log" "$(readlink "/proc/$w/fd/2")"

# Every settings worker killed: the page must answer 200 again. The time it
# took is printed, not asserted (tests never assert timings: this shared
# machine's speed varies); the wait gives up after 10 s, which only a worker
# that is not replaced exceeds. The clock is bash's, so the loop forks only
# curl.
kill -9 $old
t0=${EPOCHREALTIME/./}
up=0
while [ $((${EPOCHREALTIME/./} - t0)) -lt 10000000 ]; do
	CODE=$(curl -s -o /dev/null -w '%{http_code}' -m 1 -b "sa_session=$c" \
		"$SA_URL/mail-settings/")
	if [ "$CODE" = 200 ]; then
		up=1
		break
	fi
	sleep 0.02
done
check "page answers 200 again after SIGKILL to every settings worker (took $(((${EPOCHREALTIME/./} - t0) / 1000)) ms)" \
	[ $up = 1 ]
new=$(sa_fcgi_workers settings)
check_eq "settings: $SA_FCGI_CHILDREN workers again" \
	"$SA_FCGI_CHILDREN" "$(echo $new | wc -w)"
check "the workers are new processes" \
	eval '[ -z "$(comm -12 <(tr " " "\n" <<<"$old" | sort) <(tr " " "\n" <<<"$new" | sort) | grep .)" ]'
check "multiwatch logged the restart to settings.log" \
	grep -q . "$SA_DIR/log/settings.log"

# Stop: every multiwatch and every worker gone, by PID.
all=""
for a in $SA_ACTIONS; do
	all="$all $(cat "$SA_DIR/fcgi-$a.pid") $(sa_fcgi_workers "$a")"
done
check_eq "a multiwatch and its workers per action" \
	$(($(echo $SA_ACTIONS | wc -w) * (1 + SA_FCGI_CHILDREN))) "$(echo $all | wc -w)"
sa_fcgi_stop
left=""
for pid in $all; do
	sa_running "$pid" && left="$left $pid"
done
check_eq "sa_fcgi_stop leaves no process" "" "$left"
get /mail-settings/ "$c"
check_eq "page answers 502 once the workers are stopped" 502 "$CODE"
check "the 502 carries the security headers" header_has "Content-Security-Policy: "

sa_done
