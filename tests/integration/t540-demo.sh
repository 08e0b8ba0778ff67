#!/usr/bin/env bash
# `make run`'s script (tests/lib/run.sh) as a newcomer meets it, in a state
# directory of its own: it prints the publish command; a domain added over
# HTTP is 未設定 (no record) in the demo's DNS, the printed command
# publishes it, and the verifier loop turns it 設定済 with nobody asking.
# SIGTERM, and SIGINT to its process group (Ctrl-C in a terminal), stop
# every process it started; a restart keeps the database, the zones and
# the user's senderauth.local.conf, whose lines apply; a line that does not
# load stops the start with a message. The publish tool refuses a domain
# the page does not list.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/integration/lib.sh"
export BUILD
state=$T/state
run_pid=

# demo_start [SECONDS]: run.sh in a session of its own with SIGINT at its
# default, as in a terminal; the loop runs the verifier every SECONDS
# (default 30, as for the user). Succeeds once the banner is printed; fails
# when run.sh exits first. The stops below come while the loop sleeps: a
# pause not stopped with the loop would outlive the check.
demo_start() {
	: >"$T/run.out"
	SA_RUN_DIR=$state SA_HTTP_PORT=$(sa_free_port) SA_DEMO_VERIFY_EVERY=${1:-30} \
		SA_PG_FAST=1 perl -MPOSIX -e \
		'POSIX::setsid() or die; $SIG{INT} = "DEFAULT"; exec @ARGV or die' \
		bash "$SA_TOP/tests/lib/run.sh" >"$T/run.out" 2>&1 </dev/null &
	run_pid=$!
	local n
	for ((n = 0; n < 1200; n++)); do
		grep -q "Ctrl-C stops everything" "$T/run.out" && return 0
		sa_running "$run_pid" || return 1
		sleep 0.1
	done
	return 1
}
# demo_exited: waits (up to 60 s) for run.sh to exit and reaps it.
demo_exited() {
	local n
	for ((n = 0; n < 600; n++)); do
		if ! sa_running "$run_pid"; then
			wait "$run_pid" 2>/dev/null
			return 0
		fi
		sleep 0.1
	done
	return 1
}
# demo_procs: run.sh, every process whose command line names the state
# directory (nginx and PostgreSQL detach from it) and all their
# descendants.
demo_procs() {
	local roots
	roots=$(
		[ -n "$run_pid" ] && sa_running "$run_pid" && echo "$run_pid"
		grep -lsaFf <(echo "$state") /proc/[0-9]*/cmdline | cut -d/ -f3
	)
	ps -eo pid=,ppid= | awk -v roots="$roots" '
		BEGIN { n = split(roots, r); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
		{ parent[$1] = $2 }
		END {
			do {
				more = 0
				for (p in parent)
					if (!(p in keep) && (parent[p] in keep)) {
						keep[p] = 1
						more = 1
					}
			} while (more)
			for (p in keep) if (p in parent) print p
		}'
}
# none_left PIDS...: none of PIDS runs, and nothing names the state;
# prints what is left.
none_left() {
	local pid left
	left=$({
		for pid in "$@"; do
			sa_running "$pid" && echo "$pid"
		done
		demo_procs
	} | sort -u)
	[ -z "$left" ] && return 0
	ps -o pid=,ppid=,args= -p "$(echo $left | tr ' ' ,)" | sed 's/^/# left: /'
	return 1
}
# Whatever a failed test leaves running: TERM to run.sh, then KILL.
demo_cleanup() {
	if [ -n "$run_pid" ] && sa_running "$run_pid"; then
		kill "$run_pid"
		demo_exited
	fi
	local p
	for p in $(demo_procs); do kill -9 "$p" 2>/dev/null; done
}
sa_at_exit demo_cleanup

api_has() { # XPATH: the API's answer for 山田 太郎 matches
	get /mail-settings/api/ "$c"
	[ "$(xpath "boolean($1)")" = true ]
}
shop="/settings/domains/domain[@name = 'shop.example.com']"

# --- first start: the banner, the publish command, the user's file
check "the demo starts" demo_start 10 || { sed 's/^/# /' "$T/run.out"; exit 1; }
SA_URL=$(sed -n 's#^  page:  \(http://[^/]*\)/mail-settings/$#\1#p' "$T/run.out")
c=$(sed -n 's#^  login as 山田 太郎: .*session=##p' "$T/run.out")
publish=$(sed -n 's#^  \(.*/tests/tools/demo-publish\.sh.*\) DOMAIN$#\1#p' "$T/run.out")
check "it prints the publish command (with the state directory)" \
	[ "$publish" = "$SA_TOP/tests/tools/demo-publish.sh --dir $state" ]
check "senderauth.local.conf is created, with comments only" \
	eval '[ -f "$state/senderauth.local.conf" ] && ! grep -qv "^#" "$state/senderauth.local.conf"'

post /mail-settings/add-domain "$c" csrf="$(csrf_of "$c")" domain=shop.example.com
check_eq "a domain added on the page" 303 "$CODE"
post /mail-settings/register "$c" csrf="$(csrf_of "$c")" address=info@shop.example.com
check_eq "an address in it" 303 "$CODE"
check "the verifier loop finds no record for it in the demo's DNS: 未設定" \
	sa_wait_for 30 api_has "$shop/spf[@status = 'unverified' and @reason = 'no_record']"
out=$($publish shop.example.com)
check "the printed command publishes SPF and DKIM" \
	grep -q "2 records of shop.example.com" <<<"$out"
check "設定済 follows, nobody pressing 今すぐ確認" sa_wait_for 60 api_has \
	"$shop/spf[@status = 'verified'] and $shop/dkim[@status = 'verified' and @state = 'active']"
id=$(xpath "string($shop/@id)")
# demo_mail TO: the decoded bodies of the demo's alert mails to TO.
demo_mail() {
	python3 - "$state/mail" "$1" <<'EOF'
import email, email.policy, glob, sys
for f in glob.glob(sys.argv[1] + '/alert-*.eml'):
    m = email.message_from_binary_file(open(f, 'rb'), policy=email.policy.default)
    if m['To'] == sys.argv[2]:
        print(m.get_content())
EOF
}
check "the alert of the first 設定済 is kept in the demo's mail directory, with the link to the card" \
	sa_wait_for 30 eval 'demo_mail info@shop.example.com | grep -qxF "$SA_URL/mail-settings/#domain-$id"'
get /mail-settings/ "$c"
check_eq "the page shows ✔ 設定済 in the domain's SPF and DKIM cells" "✔ 設定済 ✔ 設定済" \
	"$(xmllint --html --xpath "//details[@id = 'domain-$id']/div[@class = 'scroll']//td/span[contains(concat(' ', @class, ' '), ' st ')]" \
		"$T/body" 2>/dev/null | sed 's/<[^>]*>/ /g' | xargs)"

# --- SIGTERM stops everything
procs=$(demo_procs)
check "the demo runs nginx, PostgreSQL, NSD, workers and the verifier loop (many processes)" \
	[ "$(echo $procs | wc -w)" -gt 20 ]
kill -TERM "$run_pid"
check "SIGTERM: run.sh exits" demo_exited
check "SIGTERM: no process left" none_left $procs

# --- the user's line is kept and applies; the state is kept
echo "dkim_bits = 1024" >>"$state/senderauth.local.conf"
cp "$state/senderauth.local.conf" "$T/local.conf"
check "the demo starts again" demo_start || { sed 's/^/# /' "$T/run.out"; exit 1; }
SA_URL=$(sed -n 's#^  page:  \(http://[^/]*\)/mail-settings/$#\1#p' "$T/run.out")
nsd=$(sed -n 's#^  DNS:   NSD on \(127\.0\.0\.1:[0-9]*\),.*#\1#p' "$T/run.out")
check "senderauth.local.conf unchanged" cmp -s "$T/local.conf" "$state/senderauth.local.conf"
check_eq "its line is in the configuration, once" 1 \
	"$(grep -c '^dkim_bits' "$state/senderauth.conf")"
check "the domain is still there, 設定済 (database kept)" \
	api_has "$shop/spf[@status = 'verified']"
check "the demo's DNS still serves its records (zones kept)" eval \
	'"$BUILD/verifier" check shop.example.com --resolver "$nsd" | grep -q "<spf status=\"verified\""'
post /mail-settings/add-domain "$c" csrf="$(csrf_of "$c")" domain=news.example.com
check_eq "a domain added again" 303 "$CODE"
check "its key has the bits of the user's line" \
	api_has "/settings/domains/domain[@name = 'news.example.com']/dkim[@bits = '1024']"

# the publish tool on a domain the page does not list: an error, no zone
out=$($publish nosuch.example.com 2>&1)
check_eq "publishing a domain not on the page fails" 1 "$?"
check "and says why" grep -q "no domain nosuch.example.com on the page" <<<"$out"
check "and writes no zone" [ ! -e "$state/zones/nosuch.example.com.zone" ]
$publish >/dev/null 2>&1
check_eq "no domain given: usage, status 2" 2 "$?"

# --- Ctrl-C (SIGINT to the process group) stops everything
procs=$(demo_procs)
kill -INT -- "-$run_pid"
check "Ctrl-C: run.sh exits" demo_exited
check "Ctrl-C: no process left" none_left $procs

# --- a line that does not load: the start stops and says why
echo "no_such_key = 1" >>"$state/senderauth.local.conf"
check "a bad line in senderauth.local.conf stops the start" eval '! demo_start && demo_exited'
check "with a message naming the file" \
	grep -q "senderauth.conf does not load (the lines from $state/senderauth.local.conf" "$T/run.out"
check "and no process left" none_left
sa_done
