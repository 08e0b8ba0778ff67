# tests/lib/demo.sh - the demo's DNS and verifier, for `make run` and the
# browser test; sourced after common.sh, stack.sh and nsd.sh. Everything
# it keeps lives in $SA_DIR, so a restart finds the zones again.
#
#   sa_demo_dns_start [ZONE...]    NSD on a free port of 127.0.0.1 serving
#                                  the platform include, the ZONEs (files
#                                  $SA_DIR/zones/ZONE.zone the caller wrote),
#                                  every customer zone the publish tool
#                                  added (they stay in $SA_DIR/nsd/zone.list)
#                                  and an empty root zone: any other name
#                                  does not exist (NXDOMAIN), as a domain
#                                  without the records reads in real DNS
#   sa_demo_config                 the configuration lines the demo needs
#                                  (its DNS as the resolver; new domains and
#                                  DNS failures checked again at every
#                                  verifier run; alert mails kept in
#                                  $SA_DIR/mail), one a line
#   sa_demo_env                    $SA_DIR/demo.env: what
#                                  tests/tools/demo-publish.sh reads
#   sa_demo_verifier_start         `verifier run` now and then every
#                                  $SA_DEMO_VERIFY_EVERY seconds (30) in the
#                                  background, stopped with the rest (its
#                                  output in $SA_DIR/log/verifier.log)

SA_DEMO_PLATFORM=m01-ahd-sys.net
SA_DEMO_VERIFY_EVERY=${SA_DEMO_VERIFY_EVERY:-30}

# sa_demo_soa ZONE: the first lines of a zone file of the demo's DNS, the
# same the publish tool writes.
sa_demo_soa() {
	printf '$ORIGIN %s.\n$TTL 60\n@ IN SOA ns.%s. hostmaster.%s. %s 3600 600 86400 60\n@ IN NS ns.%s.\nns IN A 127.0.0.1\n' \
		"$1" "$1" "$1" "${2:-1}" "$1"
}

sa_demo_dns_start() {
	mkdir -p "$SA_DIR/zones"
	{
		sa_demo_soa "$SA_DEMO_PLATFORM"
		echo '@ IN TXT "v=spf1 ip4:210.198.21.0/24 ~all"'
	} >"$SA_DIR/zones/$SA_DEMO_PLATFORM.zone"
	printf '$ORIGIN .\n$TTL 60\n@ IN SOA ns.invalid. hostmaster.invalid. 1 3600 600 86400 60\n@ IN NS ns.invalid.\nns.invalid. IN A 127.0.0.1\n' \
		>"$SA_DIR/zones/root.zone"
	SA_NSD_DIR=$SA_DIR/nsd
	# a socket's path has a short limit: $T is always short
	SA_NSD_CTL=$T/nsd.ctl
	sa_nsd_start "$SA_DIR/zones" "$SA_DEMO_PLATFORM" . "$@"
}

sa_demo_config() {
	echo "resolver = 127.0.0.1:$SA_NSD_PORT"
	echo "verify_new_interval_s = 10"
	echo "verify_retry_s = 10"
	# alerts: kept as files in $SA_DIR/mail (no mail server runs), their
	# link to the demo's page
	echo "sendmail_command = $SA_TOP/tests/tools/demo-sendmail.sh $SA_DIR/mail -t -i"
	[ -z "${SA_HTTP_PORT:-}" ] ||
		echo "site_url = http://127.0.0.1:$SA_HTTP_PORT/mail-settings/"
}

sa_demo_env() {
	{
		echo "# written by tests/lib/demo.sh for tests/tools/demo-publish.sh"
		printf 'SA_URL=%q\n' "$SA_URL"
		printf 'SA_DEMO_DATABASE=%q\n' "$(sa_conninfo)"
		printf 'SA_DEMO_PSQL=%q\n' "$(sa_pg_bin)/psql"
		printf 'SA_DEMO_MINT=%q\n' "$BUILD/mint-session"
		printf 'SA_DEMO_SESSION_KEY=%q\n' "$SA_DIR/session.key"
		printf 'SA_DEMO_ZONES=%q\n' "$SA_DIR/zones"
		printf 'SA_DEMO_NSD_CONF=%q\n' "$SA_NSD_DIR/nsd.conf"
		printf 'SA_DEMO_NSD_PORT=%q\n' "$SA_NSD_PORT"
		printf 'SA_DEMO_PLATFORM=%q\n' "$SA_DEMO_PLATFORM"
		printf 'SA_DEMO_VERIFY_EVERY=%q\n' "$SA_DEMO_VERIFY_EVERY"
	} >"$SA_DIR/demo.env"
}

# The loop itself, in a background subshell. SIGTERM (the cleanup's) stops
# the run or the pause under way, then the loop: no process stays behind.
# Ctrl-C's SIGINT reaches the whole process group; the subshell would die
# of it (a trapped signal is reset to its default in a subshell) and leave
# its child running, so it and its children ignore SIGINT and wait for the
# cleanup's SIGTERM.
sa_demo_verifier_loop() {
	local child=
	trap '' INT
	trap '[ -n "$child" ] && kill "$child" 2>/dev/null; exit 0' TERM
	while :; do
		date '+%F %T ' | tr -d '\n' >>"$SA_DIR/log/verifier.log"
		"$BUILD/verifier" run >>"$SA_DIR/log/verifier.log" 2>&1 &
		child=$!
		wait "$child"
		sleep "$1" &
		child=$!
		wait "$child"
	done
}

sa_demo_verifier_start() {
	mkdir -p "$SA_DIR/log"
	sa_bg verifier-loop sa_demo_verifier_loop "$SA_DEMO_VERIFY_EVERY"
}
