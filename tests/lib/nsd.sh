# tests/lib/nsd.sh - a private NSD for tests and benchmarks; sourced after
# tests/lib/common.sh.
#
#   sa_nsd_start ZONEDIR ZONE...   serve ZONEDIR/ZONE.zone for each ZONE on
#                                  127.0.0.1, port $SA_NSD_PORT (free port);
#                                  the root zone "." from ZONEDIR/root.zone
#   sa_nsd_restart                 stop and start again on the same port
#                                  (after a test changed its zone files)
#   sa_nsd_stop                    stop it now (cleanup does it anyway)
#   sa_dns_probe PORT NAME         1 UDP query; succeeds on any reply
#   sa_soa ZONE                    print a zone file's head: $ORIGIN, a TTL of
#                                  60 s, SOA (negative TTL 60 s), NS, the NS's A
#   sa_platform_zone DIR           write DIR/m01-ahd-sys.net.zone: the
#                                  platform's include with its SPF record
#
# NSD runs in the foreground (-d) as root without dropping privileges, with
# response rate limiting off, no database file and every state file in $T.
# Its PID is registered with sa_pidfile so the cleanup stops it by PID. A
# zone whose file does not load is still configured: NSD answers SERVFAIL
# for it, which tests use as their SERVFAIL case.
# SA_NSD_SERVERS sets the number of server processes (default 1).
# SA_NSD_CTL, when set, is the path of a control socket: `nsd-control -c
# $SA_NSD_DIR/nsd.conf addzone NAME added` then serves ZONEDIR/NAME.zone,
# and the zone stays listed in $SA_NSD_DIR/zone.list across restarts.

SA_NSD_PORT=
SA_NSD_DIR=$T/nsd
SA_NSD_ZONEDIR=
SA_NSD_ZONES=()
export SA_NSD_PORT

sa_soa() {
	printf '$ORIGIN %s.\n$TTL 60\n@ IN SOA ns.%s. host.%s. 1 3600 600 86400 60\n@ IN NS ns.%s.\nns IN A 127.0.0.1\n' \
		"$1" "$1" "$1" "$1"
}

sa_platform_zone() {
	mkdir -p "$1"
	{ sa_soa m01-ahd-sys.net; echo '@ IN TXT "v=spf1 ip4:210.198.21.0/24 ~all"'; } \
		>"$1/m01-ahd-sys.net.zone"
}

# Writes $SA_NSD_DIR/nsd.conf for the zones given.
sa_nsd_conf() {
	local z
	mkdir -p "$SA_NSD_DIR"
	{
		echo "server:"
		echo "	ip-address: 127.0.0.1@$SA_NSD_PORT"
		echo "	do-ip6: no"
		echo "	server-count: ${SA_NSD_SERVERS:-1}"
		echo "	reuseport: yes"
		echo "	username: \"\""
		echo "	chroot: \"\""
		echo "	zonesdir: \"$SA_NSD_ZONEDIR\""
		echo "	database: \"\""
		echo "	zonelistfile: \"$SA_NSD_DIR/zone.list\""
		echo "	xfrdfile: \"$SA_NSD_DIR/xfrd.state\""
		echo "	xfrdir: \"$SA_NSD_DIR\""
		echo "	pidfile: \"$SA_NSD_DIR/nsd.pid\""
		echo "	logfile: \"$SA_NSD_DIR/nsd.log\""
		echo "	verbosity: 1"
		echo "	hide-version: yes"
		echo "	rrl-ratelimit: 0"
		echo "	rrl-whitelist-ratelimit: 0"
		echo "remote-control:"
		if [ -n "${SA_NSD_CTL:-}" ]; then
			echo "	control-enable: yes"
			echo "	control-interface: \"$SA_NSD_CTL\""
			echo "pattern:"
			echo "	name: \"added\""
			echo "	zonefile: \"%s.zone\""
		else
			echo "	control-enable: no"
		fi
		for z in "${SA_NSD_ZONES[@]}"; do
			echo "zone:"
			echo "	name: \"$z\""
			if [ "$z" = . ]; then
				echo "	zonefile: \"root.zone\""
			else
				echo "	zonefile: \"$z.zone\""
			fi
		done
	} >"$SA_NSD_DIR/nsd.conf"
}

# sa_dns_probe PORT NAME: sends one SOA query over UDP to 127.0.0.1:PORT
# and succeeds when any reply comes back within a second.
sa_dns_probe() {
	perl -e '
		use IO::Socket::INET;
		my ($port, $name) = @ARGV;
		my $q = pack("n6", 0x5341, 0x0100, 1, 0, 0, 0);
		$q .= pack("C/a*", $_) for split /\./, $name;
		$q .= pack("Cnn", 0, 6, 1);
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
			PeerPort => $port, Proto => "udp") or exit 1;
		$s->send($q) or exit 1;
		my $rin = ""; vec($rin, fileno($s), 1) = 1;
		select(my $rout = $rin, undef, undef, 1) > 0 or exit 1;
		defined $s->recv(my $buf, 4096) or exit 1;
		exit(length($buf) >= 12 && unpack("n", $buf) == 0x5341 ? 0 : 1);
	' "$1" "$2"
}

sa_nsd_run() {
	sa_nsd_conf
	rm -f "$SA_NSD_DIR/nsd.pid"
	sa_bg nsd /usr/sbin/nsd -d -c "$SA_NSD_DIR/nsd.conf"
	sa_pidfile "$SA_NSD_DIR/nsd.pid"
	if ! sa_wait_for 20 sa_dns_probe "$SA_NSD_PORT" "${SA_NSD_ZONES[0]}"; then
		echo "# nsd did not answer on port $SA_NSD_PORT" >&2
		sed 's/^/# nsd: /' "$T/nsd.log" "$SA_NSD_DIR/nsd.log" >&2 2>/dev/null
		return 1
	fi
}

sa_nsd_start() {
	SA_NSD_ZONEDIR=$1
	shift
	SA_NSD_ZONES=("$@")
	SA_NSD_PORT=$(sa_free_port)
	export SA_NSD_PORT
	sa_nsd_run
}

sa_nsd_stop() {
	local pid n=50
	pid=$(cat "$T/nsd.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	kill -9 "$pid" 2>/dev/null
	# The server children exit with their parent; wait for the port.
	n=50
	while ss -Hunl "( sport = :$SA_NSD_PORT )" 2>/dev/null | grep -q . &&
		[ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	return 0
}

sa_nsd_restart() {
	sa_nsd_stop
	sa_nsd_run
}
