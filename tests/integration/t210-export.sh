#!/usr/bin/env bash
# GET /mail-settings/export?format=zone|csv[&id=]: the records to publish
# as a zone-file fragment and as CSV, for one domain or all of the
# organization's, offered for download. The zone fragment of a domain,
# loaded into NSD as it is, makes the verifier find SPF and DKIM in place;
# the CSV holds the same records; SPF is the one record to publish (merged
# when the domain has one), a rotation's keys and the DMARC record
# suggested are there; other organizations' domains, bad formats and
# other methods are refused.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/lib/nsd.sh"
source "$SA_TOP/tests/integration/lib.sh"
SA_PG_FAST=1

sa_platform_zone "$T/zones"
sa_soa example.jp >"$T/zones/example.jp.zone"
sa_nsd_start "$T/zones" m01-ahd-sys.net example.jp || { not_ok "nsd starts"; exit 1; }
sa_stack_start "dkim_bits = 1024" "resolver = 127.0.0.1:$SA_NSD_PORT" \
	"dns_timeout_ms = 500" "dns_tries = 1" "verifier_path = $BUILD/verifier" ||
	{ not_ok "stack starts"; exit 1; }
demo_login
csrf=$(csrf_of "$c")
org2=$(sa_org "別会社")
co=$(sa_mint "$(sa_account "$org2" "鈴木 一郎")" "$org2")

post /mail-settings/add-domain "$c" csrf="$csrf" domain=example.jp
post /mail-settings/add-domain "$c" csrf="$csrf" domain=日本語.jp
eid=$(sa_psql -tAc "SELECT id FROM domains WHERE name = 'example.jp'")
jid=$(sa_psql -tAc "SELECT id FROM domains WHERE name = 'xn--wgv71a119e.jp'")
get /mail-settings/api/ "$c"
spf=$(xpath "string(//domain[@id='$eid']/spf/record/@value)")
dhost=$(xpath "string(//domain[@id='$eid']/dkim/record/@host)")
dkim=$(xpath "string(//domain[@id='$eid']/dkim/record/@value)")

# --- one domain as a zone file: a download of text/dns
get "/mail-settings/export?format=zone&id=$eid" "$c"
check_eq "zone of one domain: 200" 200 "$CODE"
check "… text/dns" header_has $'Content-Type: text/dns\r'
check "… a download named after the domain" header_has 'Content-Disposition: attachment; filename="example.jp.zone"'
check "… not cached" header_has "Cache-Control: no-store"
check "… the page's headers (CSP) on it too" header_has "Content-Security-Policy: default-src 'self'"
cp "$T/body" "$T/example.zone"
check "… the SPF record" grep -qxF "example.jp. IN TXT ( \"$spf\" )" "$T/example.zone"
check "… the DKIM record" grep -qF "$dhost. IN TXT ( \"" "$T/example.zone"
check "… only that domain" eval '! grep -q xn--wgv71a119e "$T/example.zone"'
# published as it is, the verifier finds both
{ sa_soa example.jp; grep -v '^;' "$T/example.zone"; } >"$T/zones/example.jp.zone"
check "the fragment loads into a zone (nsd-checkzone)" \
	eval 'nsd-checkzone example.jp "$T/zones/example.jp.zone" >/dev/null'
sa_nsd_restart
post /mail-settings/check "$c" csrf="$csrf" id="$eid"
get /mail-settings/api/ "$c"
check_eq "published from the export: SPF and DKIM verified" "verified verified" \
	"$(xpath "string(//domain[@id='$eid']/spf/@status)") $(xpath "string(//domain[@id='$eid']/dkim/@status)")"

# --- CSV: the same records
get "/mail-settings/export?format=zone&id=$eid" "$c"
cp "$T/body" "$T/example.zone"
get "/mail-settings/export?format=csv&id=$eid" "$c"
check_eq "csv of one domain: 200" 200 "$CODE"
check "… text/csv" header_has "Content-Type: text/csv; charset=utf-8; header=present"
check "… named after the domain" header_has 'Content-Disposition: attachment; filename="example.jp.csv"'
check "… a header row and CRLF lines" eval 'head -1 "$T/body" | grep -qx $'"'"'host,type,value\r'"'"''
rows() { python3 -c 'import csv, sys; [print("|".join(r)) for r in csv.reader(open(sys.argv[1], newline=""))]' "$1"; }
check_eq "… the SPF row" "example.jp|TXT|$spf" "$(rows "$T/body" | sed -n 2p)"
check_eq "… the DKIM row, the value whole" "$dhost|TXT|$dkim" "$(rows "$T/body" | sed -n 3p)"
zone_values() { # the records of a zone fragment as host|TXT|value
	grep -v '^;' "$1" | sed -E 's/^([^ ]*)\. IN TXT \( (.*) \)$/\1|TXT|\2/' |
		sed -E 's/" "//g; s/\|"/|/; s/"$//'
}
check_eq "… the same records as the zone file" "$(zone_values "$T/example.zone")" "$(rows "$T/body" | tail -n +2)"

# --- every domain; SPF merged when the domain has one; DMARC suggested
sa_psql -c "UPDATE domains SET spf_status = 'unverified', spf_reason = 'hardfail_all',
	spf_found = 'v=spf1 include:_spf.other.example -all',
	spf_suggested = 'v=spf1 include:_spf.other.example ip4:210.198.21.20 include:m01-ahd-sys.net ~all',
	dmarc_status = 'missing', dmarc_reason = 'no_record' WHERE id = $jid" >/dev/null
post /mail-settings/register "$c" csrf="$csrf" address=info@xn--wgv71a119e.jp
get "/mail-settings/export?format=zone" "$c"
check "all domains: named for the organization's records" header_has 'filename="dns-records.zone"'
check "… both domains" eval 'grep -q "^example.jp. IN TXT" "$T/body" && grep -q "^xn--wgv71a119e.jp. IN TXT" "$T/body"'
check "… the merged SPF record, not the issued one" \
	grep -qxF 'xn--wgv71a119e.jp. IN TXT ( "v=spf1 include:_spf.other.example ip4:210.198.21.20 include:m01-ahd-sys.net ~all" )' "$T/body"
check "… the DMARC record suggested, reports to the domain's first address" \
	grep -qxF '_dmarc.xn--wgv71a119e.jp. IN TXT ( "v=DMARC1; p=none; rua=mailto:info@xn--wgv71a119e.jp" )' "$T/body"
check "… saying what each is" eval 'grep -qx "; xn--wgv71a119e.jp DMARC, recommended" "$T/body" && grep -qx "; example.jp SPF" "$T/body"'

# --- a rotation: the new key to add, then the previous one to keep
sa_psql -c "UPDATE dkim_keys SET state = 'active', activated_at = now() WHERE domain_id = $eid AND state = 'pending'" >/dev/null
post /mail-settings/reissue "$c" csrf="$csrf" id="$eid" rotate=1 confirm=1
get "/mail-settings/export?format=zone&id=$eid" "$c"
check_eq "rotation: both keys" 2 "$(grep -c '_domainkey.example.jp. IN TXT' "$T/body")"
check "… the new one said to be added" grep -q '^; example.jp DKIM, new key: add it$' "$T/body"
sa_psql -c "UPDATE dkim_keys SET state = 'retiring', retiring_at = now() WHERE domain_id = $eid AND state = 'active';
	UPDATE dkim_keys SET state = 'active', activated_at = now() WHERE domain_id = $eid AND state = 'pending'" >/dev/null
get "/mail-settings/export?format=csv&id=$eid" "$c"
check_eq "after the switch: the active and the retiring key" 2 "$(rows "$T/body" | grep -c '_domainkey.example.jp|TXT|')"
get "/mail-settings/export?format=zone&id=$eid" "$c"
check "… the retiring one said to be kept" grep -q '^; example.jp DKIM, previous key: keep it until 20' "$T/body"

# --- the API and embedded paths answer the same
get "/mail-settings/export?format=csv" "$c"
cp "$T/body" "$T/all.csv"
get "/mail-settings/api/export?format=csv" "$c"
check "API: the same CSV" cmp -s "$T/body" "$T/all.csv"
get "/mail-settings/embed/export?format=csv" "$c"
check "embedded: the same CSV" cmp -s "$T/body" "$T/all.csv"
sa_psql -c "DELETE FROM sender_addresses" >/dev/null
get "/mail-settings/export?format=csv" "$co"
check_eq "an organization without domains: the header alone" $'host,type,value\r' "$(cat "$T/body")"

# --- refusals
get "/mail-settings/export?format=zone&id=$eid" "$co"
check_eq "another organization's domain: 404" 404 "$CODE"
check "… naming nothing" eval '! grep -q example.jp "$T/body"'
get "/mail-settings/api/export?format=zone&id=999999" "$c"
check_eq "no such domain: 404 not_found" "404 not_found" "$CODE $(xpath 'string(//error/@code)')"
for q in "format=xml" "" "format=ZONE" "format=zone&format=csv"; do
	get "/mail-settings/api/export?$q" "$c"
	check_eq "'$q': 400" 400 "$CODE"
done
post /mail-settings/export "$c" csrf="$csrf" format=zone
check_eq "POST: 405" 405 "$CODE"
get "/mail-settings/export?format=zone" ""
check_eq "no session: 401" 401 "$CODE"
check "… the error page, not a download" eval '! header_has "Content-Disposition" && body_has "<html"'

sa_done
