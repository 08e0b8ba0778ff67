# tests/lib/signer.sh - the platform's DKIM signer for tests: a real
# OpenDKIM (Debian opendkim) in signing mode on a loopback port, reading
# only the files `senderauth-admin export-keys --opendkim` wrote, driven by
# miltertest (Debian miltertest) as the platform's MTA would drive it; and
# an independent verifier (python3-dkim) that reads public keys from the
# test's NSD. Sourced after common.sh and nsd.sh.
#
#   sa_signer_dir                 a directory for the exported files that
#                                 OpenDKIM's RequireSafeKeys accepts
#   sa_opendkim_start DIR         OpenDKIM over DIR/KeyTable, DIR/SigningTable
#   sa_opendkim_reload            SIGUSR1: OpenDKIM reads its tables again
#   sa_opendkim_sign FROM OUT     one message from FROM, signed, into OUT
#   sa_dkim_verify FILE           python3-dkim's verdict on FILE's signatures

SA_OPENDKIM_DIR=$T/opendkim

# OpenDKIM refuses a key whose path crosses a directory others may write
# (/tmp is one), as root it wants the key file 0600: the test's keys live
# in a directory of their own under /var/lib, removed at exit.
sa_signer_dir() {
	local d
	d=$(mktemp -d /var/lib/senderauth-test.XXXXXX) || return 1
	chmod 0755 "$d"
	SA_RMDIRS+=("$d")
	echo "$d"
}

sa_opendkim_start() {
	SA_OPENDKIM_PORT=$(sa_free_port)
	mkdir -p "$SA_OPENDKIM_DIR"
	cat >"$SA_OPENDKIM_DIR/opendkim.conf" <<-CONF
		Syslog no
		Mode s
		Socket inet:$SA_OPENDKIM_PORT@127.0.0.1
		PidFile $SA_OPENDKIM_DIR/opendkim.pid
		KeyTable file:$1/KeyTable
		SigningTable refile:$1/SigningTable
		Canonicalization relaxed/simple
		SignatureAlgorithm rsa-sha256
	CONF
	sa_bg opendkim opendkim -f -x "$SA_OPENDKIM_DIR/opendkim.conf"
	sa_wait_for 10 sh -c "ss -Htln '( sport = :$SA_OPENDKIM_PORT )' | grep -q ."
}

sa_opendkim_reload() {
	kill -USR1 "$(cat "$T/opendkim.pid")"
	sleep 0.5
}

sa_opendkim_sign() {
	SA_MILTER=inet:$SA_OPENDKIM_PORT@127.0.0.1 SA_FROM=$1 \
		miltertest -s "$SA_TOP/tests/tools/milter-sign.lua" >"$2" 2>"$2.err"
}

sa_dkim_verify() {
	/usr/bin/python3 "$SA_TOP/tests/tools/dkim-verify.py" \
		"127.0.0.1:$SA_NSD_PORT" <"$1"
}

# rspamd (Debian rspamd) signing with the maps `export-keys --rspamd`
# wrote: its own configuration directory and state under $T, workers on
# loopback ports, hyperscan off (it starts in seconds, not a minute).
#
#   sa_rspamd_start DIR        rspamd whose dkim_signing reads DIR's maps
#   sa_rspamd_sign FROM OUT    one message from FROM through rspamc, signed
SA_RSPAMD_DIR=$T/rspamd

sa_rspamd_start() {
	local d=$SA_RSPAMD_DIR
	SA_RSPAMD_PORT=$(sa_free_port)
	mkdir -p "$d/local.d" "$d/db" "$d/run" "$d/log"
	printf 'bind_socket = "127.0.0.1:%s";\ncount = 1;\n' "$SA_RSPAMD_PORT" \
		>"$d/local.d/worker-normal.inc"
	printf 'bind_socket = "127.0.0.1:%s";\ncount = 1;\n' "$(sa_free_port)" \
		>"$d/local.d/worker-controller.inc"
	printf 'bind_socket = "127.0.0.1:%s";\ncount = 1;\n' "$(sa_free_port)" \
		>"$d/local.d/worker-proxy.inc"
	printf 'type = "file";\nfilename = "%s/log/rspamd.log";\nlevel = "info";\n' "$d" \
		>"$d/local.d/logging.inc"
	echo 'disable_hyperscan = true;' >"$d/local.d/options.inc"
	cat >"$d/local.d/dkim_signing.conf" <<-CONF
		enabled = true;
		sign_authenticated = true;
		sign_local = true;
		use_domain = "header";
		allow_username_mismatch = true;
		try_fallback = false;
		selector_map = "$1/dkim_selectors.map";
		path_map = "$1/dkim_paths.map";
	CONF
	sa_bg rspamd rspamd -f -i -c /etc/rspamd/rspamd.conf \
		--var=LOCAL_CONFDIR="$d" --var=DBDIR="$d/db" \
		--var=RUNDIR="$d/run" --var=LOGDIR="$d/log"
	sa_wait_for 120 sh -c "ss -Htln '( sport = :$SA_RSPAMD_PORT )' | grep -q ."
}

sa_rspamd_sign() {
	printf 'From: <%s>\r\nTo: <customer@example.com>\r\nSubject: senderauth signing test\r\nDate: %s\r\nMessage-ID: <%s.%s@%s>\r\n\r\nThis message was signed by the platform'"'"'s signer.\r\n' \
		"$1" "$(date -uR)" "$(date +%s)" "$RANDOM" "${1#*@}" >"$2.in"
	rspamc -h "127.0.0.1:$SA_RSPAMD_PORT" -t 60 --mime -u platform -i 127.0.0.1 \
		-F "$1" <"$2.in" >"$2" 2>"$2.err"
}
