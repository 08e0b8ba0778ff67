#!/usr/bin/env bash
# t300-verifier-check.sh - `verifier check` against a private NSD serving
# one or more domains for every status and reason code of DESIGN.md
# (SPF, DKIM, DMARC), the RFC 7208 result per platform address, DMARC at
# the organizational domain, a zone NSD fails to load (SERVFAIL), a port that
# refuses and a server that never answers (tempfail), the configuration
# file's defaults, a zone changed under a running test, and the usage
# errors (exit 2, one line on stderr).

source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/nsd.sh"

V=$BUILD/verifier
Z=$T/zones
mkdir -p "$Z"
unset SENDERAUTH_CONFIG

# --- keys -----------------------------------------------------------------

keygen() { # keygen NAME ALG...: private key, public PEM, and p= base64
	openssl genpkey "${@:2}" -out "$T/$1.key" 2>/dev/null &&
		openssl pkey -in "$T/$1.key" -pubout -out "$T/$1.pub" &&
		openssl pkey -in "$T/$1.key" -pubout -outform DER |
		base64 -w0 >"$T/$1.p64"
}
keygen a -algorithm RSA -pkeyopt rsa_keygen_bits:2048 || exit 1
keygen b -algorithm RSA -pkeyopt rsa_keygen_bits:2048 || exit 1
keygen ed -algorithm ED25519 || exit 1
PA=$(cat "$T/a.p64")
PB=$(cat "$T/b.p64")
PED=$(cat "$T/ed.p64")
REC_A="v=DKIM1; k=rsa; p=$PA"
# The zone-file form of DESIGN.md: strings of at most 255 bytes.
A1=${REC_A:0:255}
A2=${REC_A:255}

# --- zones ----------------------------------------------------------------

soa() { # soa ZONE
	printf '$ORIGIN %s.\n$TTL 300\n' "$1"
	printf '@ IN SOA ns.sa.test. host.sa.test. 1 3600 600 86400 300\n'
	printf '@ IN NS ns.sa.test.\n'
}

# q TEXT: TEXT as zone-file character-strings of at most 255 bytes.
q() {
	local s=$1 out="("
	while [ ${#s} -gt 255 ]; do
		out="$out \"${s:0:255}\""
		s=${s:255}
	done
	echo "$out \"$s\" )"
}

SEL=s20260101
{
	soa sa.test
	echo 'ns IN A 127.0.0.1'
	# SPF
	echo 'spf-ok IN TXT "v=spf1 ip4:210.198.21.20 include:m01-ahd-sys.net ~all"'
	echo 'spf-include IN TXT "v=spf1 include:m01-ahd-sys.net ~all"'
	echo 'spf-none IN A 192.0.2.1'
	echo 'spf-none IN TXT "google-site-verification=abc"'
	echo 'spf-multi IN TXT "v=spf1 ip4:210.198.21.20 ~all"'
	echo 'spf-multi IN TXT "v=spf1 include:_spf.google.com ~all"'
	echo 'spf-concat IN TXT "v=spf1 ip4:192.0.2.1 ~all v=spf1 ip4:210.198.21.20 ~all"'
	echo 'spf-notauth IN TXT "v=spf1 ip4:192.0.2.1 ~all"'
	echo 'spf-hardfail IN TXT "v=spf1 ip4:210.198.21.20 -all"'
	echo 'spf-plusall IN TXT "v=spf1 +all"'
	echo 'spf-bareall IN TXT "v=spf1 ip4:192.0.2.1 all"'
	echo 'spf-split IN TXT "v=spf1 ip4:210.198.21.20 " "include:m01-ahd-sys.net ~all"'
	echo 'spf-neutral IN TXT "v=spf1 ip4:192.0.2.1 ?all"'
	echo 'spf-tempinc IN TXT "v=spf1 include:broken.test ~all"'
	terms=""
	for i in $(seq 1 11); do
		echo "a$i IN A 192.0.2.$i"
		terms="$terms a:a$i.sa.test"
	done
	echo "spf-lookups IN TXT \"v=spf1$terms ip4:210.198.21.20 ~all\""
	echo 'spf-void IN TXT "v=spf1 a:v1.sa.test a:v2.sa.test a:v3.sa.test ip4:210.198.21.20 ~all"'
	echo 'spf-syntax IN TXT "v=spf1 ip4:210.198.21.20 foo:bar ~all"'
	echo 'spf-badip IN TXT "v=spf1 ip4:210.198.21.999 ~all"'
	echo 'spf-perm IN TXT "v=spf1 include:spf-none.sa.test ~all"'
	echo 'cfg IN TXT "v=spf1 ip4:192.0.2.55 -all"'
	# DKIM, each domain with the platform's SPF so only DKIM varies
	for d in ok none mismatch trunc revoked multi ed doubled syntax cname; do
		echo "dk-$d IN TXT \"v=spf1 ip4:210.198.21.20 ~all\""
	done
	echo "$SEL._domainkey.dk-ok IN TXT ( \"$A1\" \"$A2\" )"
	echo "$SEL._domainkey.dk-mismatch IN TXT $(q "v=DKIM1; k=rsa; p=$PB")"
	echo "$SEL._domainkey.dk-trunc IN TXT \"$A1\""
	echo "$SEL._domainkey.dk-revoked IN TXT \"v=DKIM1; k=rsa; p=\""
	echo "$SEL._domainkey.dk-multi IN TXT ( \"$A1\" \"$A2\" )"
	echo "$SEL._domainkey.dk-multi IN TXT $(q "v=DKIM1; k=rsa; p=$PB")"
	echo "$SEL._domainkey.dk-ed IN TXT \"v=DKIM1; k=ed25519; p=$PED\""
	echo "$SEL._domainkey.dk-doubled.sa.test.dk-doubled IN TXT ( \"$A1\" \"$A2\" )"
	echo "$SEL._domainkey.dk-syntax IN TXT $(q "$REC_A; p=$PA")"
	echo "$SEL._domainkey.dk-cname IN CNAME $SEL._domainkey.esp.other.test."
	# DMARC
	echo '_dmarc.dm-found IN TXT "v=DMARC1; p=quarantine; rua=mailto:d@sa.test"'
	echo 'dm-missing IN TXT "v=spf1 -all"'
	echo '_dmarc.dm-multi IN TXT "v=DMARC1; p=none"'
	echo '_dmarc.dm-multi IN TXT "v=DMARC1; p=reject"'
	echo '_dmarc.dm-syntax IN TXT "v=DMARC1; p=bogus"'
	echo '_dmarc.spf-ok IN TXT "v=DMARC1; p=reject"'
} >"$Z/sa.test.zone"
{
	soa other.test
	echo "$SEL._domainkey.esp IN TXT ( \"$A1\" \"$A2\" )"
} >"$Z/other.test.zone"
{
	soa m01-ahd-sys.net
	echo '@ IN TXT "v=spf1 ip4:210.198.21.0/24 ~all"'
} >"$Z/m01-ahd-sys.net.zone"
# DMARC at the organizational domain (RFC 7489 §6.6.3): orgd.test has a
# subdomain policy, orgp.test none; brk.test fails while its child zone
# sub.brk.test answers, so only the organizational domain's lookup fails.
{
	soa orgd.test
	echo '_dmarc IN TXT "v=DMARC1; p=reject; sp=quarantine"'
	echo '_dmarc.own IN TXT "v=DMARC1; p=none"'
	echo 'mail IN TXT "v=spf1 -all"'
} >"$Z/orgd.test.zone"
{
	soa orgp.test
	echo '_dmarc IN TXT "v=DMARC1; p=reject"'
} >"$Z/orgp.test.zone"
{
	soa sub.brk.test
	echo 'mail IN A 192.0.2.1'
} >"$Z/sub.brk.test.zone"
# Configured but unloadable: NSD answers SERVFAIL for the whole zone.
echo 'this is not a zone file' >"$Z/broken.test.zone"
echo 'this is not a zone file' >"$Z/brk.test.zone"

sa_nsd_start "$Z" sa.test other.test m01-ahd-sys.net broken.test orgd.test \
	orgp.test brk.test sub.brk.test || exit 1
R=127.0.0.1:$SA_NSD_PORT

# --- helpers --------------------------------------------------------------

# vc ARGS...: runs `verifier check ARGS` with the NSD resolver; OUT, ERR,
# RC hold the result.
vc() {
	OUT=$("$V" check --resolver "$R" --timeout 500 "$@" 2>"$T/err")
	RC=$?
	ERR=$(cat "$T/err")
}
xp() { xmllint --xpath "$1" - <<<"$OUT" 2>/dev/null; }

# expect PART STATUS REASON DOMAIN [ARGS...]
expect() {
	local part=$1 status=$2 reason=$3 dom=$4
	shift 4
	vc "$dom" "$@"
	check_eq "$dom: exit 0" 0 "$RC"
	check_eq "$dom: $part status" "$status" "$(xp "string(/check/$part/@status)")"
	check_eq "$dom: $part reason" "$reason" "$(xp "string(/check/$part/@reason)")"
}

dkim() { # dkim STATUS REASON DOMAIN: with the issued key a
	expect dkim "$1" "$2" "$3" --selector "$SEL" --public-key "$T/a.pub"
}

# --- the document ---------------------------------------------------------

vc spf-ok.sa.test --selector "$SEL" --dkim-p "$PA"
check_eq "document: exit 0" 0 "$RC"
check "document: well-formed" xmllint --noout - <<<"$OUT"
check_eq "document: root and domain" spf-ok.sa.test "$(xp 'string(/check/@domain)')"
check_eq "document: three parts" 3 "$(xp 'count(/check/*)')"
check_eq "document: spf lookups" 0 "$(xp 'string(/check/spf/@lookups)')"
check_eq "document: the record found" \
	"v=spf1 ip4:210.198.21.20 include:m01-ahd-sys.net ~all" \
	"$(xp 'string(/check/spf/record)')"
check_eq "document: no suggestion when verified" 0 "$(xp 'count(/check/spf/suggested)')"
check_eq "document: the RFC 7208 result of the platform address" \
	"210.198.21.20 pass" "$(xp 'concat(/check/spf/result/@ip, " ", /check/spf/result)')"
check_eq "document: dkim selector" "$SEL" "$(xp 'string(/check/dkim/@selector)')"
check_eq "document: dkim name" "$SEL._domainkey.spf-ok.sa.test" \
	"$(xp 'string(/check/dkim/@name)')"
check_eq "document: dmarc policy" reject "$(xp 'string(/check/dmarc/@policy)')"
check_eq "document: nothing on stderr" "" "$ERR"

vc SPF-OK.Sa.Test.
check_eq "domain normalized: lower case, no trailing dot" spf-ok.sa.test \
	"$(xp 'string(/check/@domain)')"
check_eq "no selector: dkim skipped" skipped "$(xp 'string(/check/dkim/@status)')"
check_eq "no selector: no dkim name" 0 "$(xp 'count(/check/dkim/@name)')"

# --- SPF ------------------------------------------------------------------

expect spf verified ok spf-ok.sa.test
expect spf verified ok spf-include.sa.test
check_eq "spf-include: one lookup" 1 "$(xp 'string(/check/spf/@lookups)')"
expect spf verified ok spf-split.sa.test
check_eq "spf-split: strings concatenated" \
	"v=spf1 ip4:210.198.21.20 include:m01-ahd-sys.net ~all" \
	"$(xp 'string(/check/spf/record)')"
expect spf unverified no_record spf-none.sa.test
check_eq "spf-none: no record shown" 0 "$(xp 'count(/check/spf/record)')"
check_eq "spf-none: suggests the platform record" \
	"v=spf1 ip4:210.198.21.20 include:m01-ahd-sys.net ~all" \
	"$(xp 'string(/check/spf/suggested)')"
expect spf unverified no_record nxdomain.sa.test
expect spf unverified multiple_records spf-multi.sa.test
check_eq "spf-multi: both records shown" 2 "$(xp 'count(/check/spf/record)')"
expect spf unverified concatenated_records spf-concat.sa.test
expect spf unverified not_authorized spf-notauth.sa.test
check_eq "spf-notauth: merged suggestion" \
	"v=spf1 ip4:192.0.2.1 ip4:210.198.21.20 include:m01-ahd-sys.net ~all" \
	"$(xp 'string(/check/spf/suggested)')"
expect spf unverified hardfail_all spf-hardfail.sa.test
expect spf verified ok spf-hardfail.sa.test --spf-all any
expect spf unverified plus_all spf-plusall.sa.test
expect spf unverified plus_all spf-bareall.sa.test
expect spf unverified lookup_limit spf-lookups.sa.test
expect spf unverified void_lookup_limit spf-void.sa.test
expect spf unverified syntax_error spf-syntax.sa.test
expect spf unverified syntax_error spf-badip.sa.test
expect spf unverified permerror spf-perm.sa.test
expect spf tempfail dns_error broken.test
expect spf verified ok spf-notauth.sa.test --spf-ip 192.0.2.1
expect spf unverified not_authorized spf-ok.sa.test --spf-ip 210.198.21.20 \
	--spf-ip 192.0.2.9
vc spf-none.sa.test --spf-ip 2001:db8::1 --spf-include inc.example
check_eq "flags: suggestion from --spf-ip and --spf-include" \
	"v=spf1 ip6:2001:db8::1 include:inc.example ~all" \
	"$(xp 'string(/check/spf/suggested)')"

# --- the RFC 7208 result per platform address ------------------------------

result() { # result DOMAIN IP WANT: check_host()'s result for IP
	vc "$1" --spf-ip "$2"
	check_eq "$1: RFC 7208 result for $2" "$3" \
		"$(xp "string(/check/spf/result[@ip='$2'])")"
}
result spf-ok.sa.test 210.198.21.20 pass
result spf-hardfail.sa.test 192.0.2.9 fail
result spf-notauth.sa.test 210.198.21.20 softfail
result spf-neutral.sa.test 210.198.21.20 neutral
result spf-none.sa.test 210.198.21.20 none
result nxdomain.sa.test 210.198.21.20 none
result spf-multi.sa.test 210.198.21.20 permerror
result spf-syntax.sa.test 210.198.21.20 permerror
result spf-lookups.sa.test 210.198.21.20 permerror
result spf-void.sa.test 210.198.21.20 permerror
result spf-perm.sa.test 210.198.21.20 permerror
result broken.test 210.198.21.20 temperror
result spf-tempinc.sa.test 210.198.21.20 temperror
check_eq "spf-tempinc: verdict tempfail" "tempfail dns_error" \
	"$(xp 'concat(/check/spf/@status, " ", /check/spf/@reason)')"
result spf-ok.sa.test 2001:db8::1 softfail
vc spf-ok.sa.test --spf-ip 2001:db8::1 --spf-ip 210.198.21.20
check_eq "two addresses: a result each, in the order given" \
	"2001:db8::1 softfail, 210.198.21.20 pass" \
	"$(xp 'concat(/check/spf/result[1]/@ip, " ", /check/spf/result[1], ", ", /check/spf/result[2]/@ip, " ", /check/spf/result[2])')"
check_eq "two addresses: not verified unless both pass" not_authorized \
	"$(xp 'string(/check/spf/@reason)')"

# --- DKIM -----------------------------------------------------------------

dkim verified ok dk-ok.sa.test
expect dkim verified ok dk-ok.sa.test --selector "$SEL" --dkim-p "$PA"
dkim unverified no_record dk-none.sa.test
dkim unverified key_mismatch dk-mismatch.sa.test
expect dkim verified ok dk-mismatch.sa.test --selector "$SEL" --dkim-p "$PB"
dkim unverified key_truncated dk-trunc.sa.test
dkim unverified revoked dk-revoked.sa.test
dkim unverified multiple_records dk-multi.sa.test
dkim unverified wrong_key_type dk-ed.sa.test
dkim unverified doubled_domain dk-doubled.sa.test
dkim unverified syntax_error dk-syntax.sa.test
dkim verified ok dk-cname.sa.test
dkim tempfail dns_error broken.test
expect dkim unverified no_record dk-ok.sa.test --selector other \
	--public-key "$T/a.pub"

# --- DMARC ----------------------------------------------------------------

expect dmarc found ok dm-found.sa.test
check_eq "dm-found: policy" quarantine "$(xp 'string(/check/dmarc/@policy)')"
expect dmarc missing no_record dm-missing.sa.test
check_eq "dm-missing: no policy" 0 "$(xp 'count(/check/dmarc/@policy)')"
expect dmarc invalid multiple_records dm-multi.sa.test
expect dmarc invalid syntax_error dm-syntax.sa.test
expect dmarc tempfail dns_error broken.test
check_eq "dm-found: its own record, no org-domain" 0 \
	"$(vc dm-found.sa.test && xp 'count(/check/dmarc/@org-domain)')"

# DMARC at the organizational domain (RFC 7489 §6.6.3)
dmarc_is() { # dmarc_is DOMAIN "STATUS REASON POLICY ORG-DOMAIN"
	vc "$1"
	check_eq "$1: dmarc" "$2" \
		"$(xp 'concat(/check/dmarc/@status, " ", /check/dmarc/@reason, " ", /check/dmarc/@policy, " ", /check/dmarc/@org-domain)')"
}
dmarc_is mail.orgd.test "found ok quarantine orgd.test"
dmarc_is deep.mail.orgd.test "found ok quarantine orgd.test"
dmarc_is mail.orgp.test "found ok reject orgp.test"
dmarc_is own.orgd.test "found ok none "
dmarc_is orgd.test "found ok reject "
dmarc_is mail.sub.brk.test "tempfail dns_error  brk.test"
dmarc_is dm-missing.sa.test "missing no_record  "

# --- servers that do not answer ---------------------------------------------

# A port nobody serves (the kernel refuses) and a socket that reads and
# never answers (the queries time out).
DEAD=$(sa_free_port)
SILENT=$(sa_free_port)
sa_bg silent perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
		LocalPort => $ARGV[0], Proto => "udp") or die;
	while (1) { $s->recv(my $b, 4096) }' "$SILENT"
sa_wait_for 5 sh -c "ss -Hunl '( sport = :$SILENT )' | grep -q ."
for port in "$DEAD" "$SILENT"; do
	start=$(date +%s%N)
	OUT=$("$V" check spf-ok.sa.test --resolver "127.0.0.1:$port" \
		--timeout 200 --selector "$SEL" --dkim-p "$PA" 2>"$T/err")
	RC=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	check_eq "port $port: exit 0" 0 "$RC"
	for part in spf dkim dmarc; do
		check_eq "port $port: $part tempfail" tempfail \
			"$(xp "string(/check/$part/@status)")"
	done
	check_eq "port $port: dns_error" dns_error "$(xp 'string(/check/dkim/@reason)')"
	check "port $port: gave up in time (${ms} ms)" test "$ms" -lt 5000
done

# --- configuration --------------------------------------------------------

cat >"$T/sa.conf" <<EOF
resolver = $R
spf_ip = 192.0.2.55
spf_include = inc.sa.test
spf_all = any
dns_timeout_ms = 500
EOF
OUT=$(SENDERAUTH_CONFIG=$T/sa.conf "$V" check cfg.sa.test 2>"$T/err")
check_eq "config: exit 0" 0 "$?"
check_eq "config: resolver, spf_ip and spf_all from the file" verified \
	"$(xp 'string(/check/spf/@status)')"
OUT=$(SENDERAUTH_CONFIG=$T/sa.conf "$V" check spf-none.sa.test 2>"$T/err")
check_eq "config: suggestion from spf_ip and spf_include" \
	"v=spf1 ip4:192.0.2.55 include:inc.sa.test ~all" \
	"$(xp 'string(/check/spf/suggested)')"
OUT=$(SENDERAUTH_CONFIG=$T/sa.conf "$V" check cfg.sa.test --spf-all softfail \
	--spf-ip 192.0.2.55 2>"$T/err")
check_eq "config: flags win over the file" hardfail_all \
	"$(xp 'string(/check/spf/@reason)')"
echo "spf_all = never" >>"$T/sa.conf"
SENDERAUTH_CONFIG=$T/sa.conf "$V" check cfg.sa.test >/dev/null 2>&1
check_eq "config: a bad file stops the command" 1 "$?"
SENDERAUTH_CONFIG=$T/missing.conf "$V" check cfg.sa.test >/dev/null 2>&1
check_eq "config: a named file that is missing stops the command" 1 "$?"

# --- a zone changed under the test -------------------------------------------

echo "$SEL._domainkey.dk-none IN TXT ( \"$A1\" \"$A2\" )" >>"$Z/sa.test.zone"
sa_nsd_restart || exit 1
dkim verified ok dk-none.sa.test

# --- usage errors ---------------------------------------------------------

usage() { # usage NAME ARGS...: exit 2, one line on stderr, nothing out
	local name=$1 out err
	shift
	out=$("$V" "$@" 2>"$T/err")
	local rc=$?
	err=$(cat "$T/err")
	check_eq "usage $name: exit 2" 2 "$rc"
	check_eq "usage $name: one line on stderr" 1 "$(wc -l <"$T/err")"
	check_eq "usage $name: nothing on stdout" "" "$out"
	: "$err"
}
long=$(printf 'a%.0s' $(seq 1 64)).sa.test
longname=$(printf 'abcdefghi.%.0s' $(seq 1 30))test
usage "no command"
usage "unknown command" frobnicate
usage "no domain" check
usage "two domains" check a.sa.test b.sa.test
usage "empty label" check bad..sa.test
usage "space in domain" check "bad name.sa.test"
usage "label over 63" check "$long"
usage "name over 253" check "$longname"
usage "ip literal" check 192.0.2.1
usage "newline in domain" check $'a.sa.test\nb'
usage "unknown option" check a.sa.test --frobnicate
usage "option without value" check a.sa.test --resolver
usage "bad resolver" check a.sa.test --resolver ns.example:53
usage "bad resolver port" check a.sa.test --resolver 127.0.0.1:99999
usage "bad spf ip" check a.sa.test --spf-ip 210.198.21.999
usage "bad spf include" check a.sa.test --spf-include "a b"
usage "bad spf all" check a.sa.test --spf-all never
usage "bad timeout" check a.sa.test --timeout 5
usage "timeout not a number" check a.sa.test --timeout 1s
usage "selector without key" check a.sa.test --selector "$SEL"
usage "key without selector" check a.sa.test --dkim-p "$PA"
usage "two keys" check a.sa.test --selector "$SEL" --dkim-p "$PA" \
	--public-key "$T/a.pub"
usage "bad selector" check a.sa.test --selector "a b" --dkim-p "$PA"
usage "dkim-p not base64" check a.sa.test --selector "$SEL" --dkim-p 'a!b'
usage "public key missing" check a.sa.test --selector "$SEL" \
	--public-key "$T/nope.pem"
usage "public key not a key" check a.sa.test --selector "$SEL" \
	--public-key "$Z/sa.test.zone"
out=$("$V" --help)
check_eq "--help: exit 0" 0 "$?"
check "--help: usage text" grep -q 'verifier check DOMAIN' <<<"$out"
out=$("$V" check --help)
check_eq "check --help: exit 0" 0 "$?"

sa_done
