#!/usr/bin/env bash
# t610-signer.sh - the proof that the platform's mail passes DKIM, with
# real parts: a domain added through HTTP, its records published in NSD,
# the verifier makes its key active; `senderauth-admin export-keys` writes
# OpenDKIM's and rspamd's files; OpenDKIM (driven by miltertest, as the
# MTA would) and rspamd (through rspamc) sign a message from an address of
# the domain using only those files; python3-dkim verifies each signature
# reading the key from NSD. Then a rotation: the old key still signs while
# the new one is pending (the signing table never names a pending key);
# once the verifier sees the new record the export switches, the new key
# signs and verifies, and mail signed before the switch still verifies.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/lib/nsd.sh"
source "$SA_TOP/tests/lib/signer.sh"
source "$SA_TOP/tests/integration/lib.sh"
SA_PG_FAST=1

sa_platform_zone "$T/zones"
sa_soa example.jp >"$T/zones/example.jp.zone"
sa_nsd_start "$T/zones" m01-ahd-sys.net example.jp || { not_ok "nsd starts"; exit 1; }
sa_stack_start "resolver = 127.0.0.1:$SA_NSD_PORT" "dns_timeout_ms = 300" \
	"dns_tries = 1" "dkim_bits = 1024" || { not_ok "stack starts"; exit 1; }
org=$(sa_org "株式会社〇〇〇〇")
taro=$(sa_account "$org" "山田 太郎")
ct=$(sa_mint "$taro" "$org")
csrf=$(csrf_of "$ct")
run() { "$BUILD/verifier" run 2>>"$T/verifier.err"; }
due_now() { sa_psql -c "UPDATE domains SET due_at = now()" >/dev/null; }
dkim_line() { echo "$1._domainkey IN TXT ( \"${2:0:200}\" \"${2:200}\" )"; }
publish() {
	sa_soa example.jp >"$T/zones/example.jp.zone"
	printf '%s\n' '@ IN TXT "v=spf1 include:m01-ahd-sys.net ~all"' "$@" \
		>>"$T/zones/example.jp.zone"
	sa_nsd_restart
}
DK=$(sa_signer_dir) || { not_ok "a key directory"; exit 1; }
export_keys() {
	"$BUILD/senderauth-admin" export-keys --opendkim "$DK/opendkim" \
		--rspamd "$DK/rspamd" "$@" 2>>"$T/export.err"
}
signed_by() { # FILE: "d=... s=..." of its verified signature
	sa_dkim_verify "$1" 2>&1 | sed -n 's/^pass //p'
}

# --- 1. add the domain, publish what the API gives, the key becomes active
post /mail-settings/add-domain "$ct" csrf="$csrf" domain=example.jp
get /mail-settings/api/ "$ct"
id=$(xpath 'string(//domain/@id)')
sel1=$(xpath 'string(//domain/dkim/@selector)')
val1=$(xpath 'string(//domain/dkim/record/@value)')
check_eq "the SPF record the API gives" "v=spf1 ip4:210.198.21.20 include:m01-ahd-sys.net ~all" \
	"$(xpath 'string(//domain/spf/record/@value)')"
out=$(export_keys)
check_eq "a pending key is not exported" "export-keys: 0 keys, 4 files written, 0 removed" "$out"
check "the signing table is empty" test -z "$(grep -v '^#' "$DK/opendkim/SigningTable")"
publish "$(dkim_line "$sel1" "$val1")"
due_now
run >/dev/null
check_eq "the verifier made the key active" active \
	"$(sa_psql -tAc "SELECT state FROM dkim_keys WHERE selector = '$sel1'")"

# --- 2. the export
out=$(export_keys --reload "touch $T/reloaded")
check_eq "export: one key, its file and the four tables" \
	"export-keys: 1 keys, 6 files written, 0 removed, signer reloaded" "$out"
check_eq "OpenDKIM SigningTable (refile)" "*@example.jp example.jp.$sel1" \
	"$(grep -v '^#' "$DK/opendkim/SigningTable")"
check_eq "OpenDKIM KeyTable" "example.jp.$sel1 example.jp:$sel1:$DK/opendkim/keys/example.jp.$sel1.pem" \
	"$(grep -v '^#' "$DK/opendkim/KeyTable")"
check_eq "rspamd selector map" "example.jp $sel1" "$(grep -v '^#' "$DK/rspamd/dkim_selectors.map")"
check_eq "rspamd path map" "example.jp $DK/rspamd/keys/example.jp.$sel1.pem" \
	"$(grep -v '^#' "$DK/rspamd/dkim_paths.map")"
check_eq "the key file is mode 0600" 600 "$(stat -c %a "$DK/opendkim/keys/example.jp.$sel1.pem")"
check "the key file is the private key of the published p=" sh -c \
	"openssl pkey -in '$DK/opendkim/keys/example.jp.$sel1.pem' -pubout -outform DER | base64 -w0 | grep -qx '${val1##*p=}'"
rm -f "$T/reloaded"
out=$(export_keys --reload "touch $T/reloaded")
check_eq "nothing changed: nothing written, no reload" \
	"export-keys: 1 keys, 0 files written, 0 removed" "$out"
check "the reload command did not run" test ! -e "$T/reloaded"

# --- 3. OpenDKIM signs with only those files; python3-dkim verifies
sa_opendkim_start "$DK/opendkim" || { not_ok "opendkim starts"; exit 1; }
check "OpenDKIM signs a message from sales@example.jp" sa_opendkim_sign sales@example.jp "$T/m1.eml"
check_eq "python3-dkim: pass, d=example.jp, the active selector" "d=example.jp s=$sel1" "$(signed_by "$T/m1.eml")"
check "a message from another domain is not signed" eval '! sa_opendkim_sign sales@other.example "$T/m0.eml"'

# --- 4. rspamd signs with the rspamd maps
if sa_rspamd_start "$DK/rspamd"; then
	check "rspamd signs a message from sales@example.jp" sa_rspamd_sign sales@example.jp "$T/r1.eml"
	check_eq "python3-dkim: pass for rspamd's signature" "d=example.jp s=$sel1" "$(signed_by "$T/r1.eml")"
else
	not_ok "rspamd starts"
fi

# --- 5. rotation: pending key, the old one still signs
post /mail-settings/reissue "$ct" csrf="$csrf" id="$id" rotate=1 confirm=1
sel2=$(sa_psql -tAc "SELECT selector FROM dkim_keys WHERE state = 'pending'")
get /mail-settings/api/ "$ct"
val2=$(xpath 'string(//domain/dkim/next/record/@value)')
out=$(export_keys)
check_eq "a pending key changes nothing in the export" \
	"export-keys: 1 keys, 0 files written, 0 removed" "$out"
check "the signing tables never name the pending key" \
	eval '! grep -rq "$sel2" "$DK/opendkim" "$DK/rspamd"'
sa_opendkim_sign sales@example.jp "$T/m2.eml"
check_eq "during the rotation the old key signs and verifies" "d=example.jp s=$sel1" "$(signed_by "$T/m2.eml")"

# --- 6. the new record published: the new key signs, old mail verifies
publish "$(dkim_line "$sel1" "$val1")" "$(dkim_line "$sel2" "$val2")"
due_now
run >/dev/null
check_eq "the verifier switched the keys" "$sel1:retiring $sel2:active" \
	"$(sa_psql -tAc "SELECT string_agg(selector || ':' || state, ' ' ORDER BY id) FROM dkim_keys")"
out=$(export_keys --reload "kill -USR1 $(cat "$T/opendkim.pid")")
check_eq "export: the new key written, the old removed, OpenDKIM reloaded" \
	"export-keys: 1 keys, 6 files written, 2 removed, signer reloaded" "$out"
check "the retiring key's file is gone" test ! -e "$DK/opendkim/keys/example.jp.$sel1.pem"
sleep 1
sa_opendkim_sign sales@example.jp "$T/m3.eml"
check_eq "OpenDKIM now signs with the new key; it verifies" "d=example.jp s=$sel2" "$(signed_by "$T/m3.eml")"
check_eq "mail signed before the switch still verifies" "d=example.jp s=$sel1" "$(signed_by "$T/m1.eml")"
if [ -n "${SA_RSPAMD_PORT:-}" ]; then
	kill -HUP "$(cat "$T/rspamd.pid")"
	sa_wait_for 60 sh -c "sa_rspamd_sign() { :; }; rspamc -h 127.0.0.1:$SA_RSPAMD_PORT ping >/dev/null 2>&1" ||
		sleep 5
	sleep 3
	sa_rspamd_sign sales@example.jp "$T/r2.eml"
	check_eq "rspamd, reloaded, signs with the new key; it verifies" "d=example.jp s=$sel2" "$(signed_by "$T/r2.eml")"
	check_eq "rspamd's mail from before the switch still verifies" "d=example.jp s=$sel1" "$(signed_by "$T/r1.eml")"
fi

# --- the old record gone from DNS: what it signed no longer verifies
publish "$(dkim_line "$sel2" "$val2")"
check "without the old record the old signature fails (the check can fail)" \
	eval '! sa_dkim_verify "$T/m1.eml" >/dev/null 2>&1'
sa_done
