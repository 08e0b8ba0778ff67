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
