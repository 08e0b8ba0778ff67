#!/usr/bin/env bash
# t530-installed.sh - the installed tree runs the product on its own:
# `make install PREFIX=/usr DESTDIR=…`, then nothing from the checkout (its
# build and source directories are out of reach once installed): the
# installed configuration file, edited as README "Running it in
# production" says with every path pointed into DESTDIR; PostgreSQL with
# the installed `senderauth-admin migrate` and sql/; the organization and
# account through the installed senderauth-admin; the installed FastCGI
# workers under spawn-fcgi and multiwatch; nginx with the installed
# include and maps; a domain added through HTTP and its records published
# in NSD; then the commands of the installed senderauth-verifier.service
# in order (the verifier, rotate-keys, pool-fill, export-keys): the API
# says verified for SPF and DKIM, the page ✔ 設定済, and the signer's
# files and the metrics file are written where the configuration says.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/lib/nsd.sh"
source "$SA_TOP/tests/integration/lib.sh"
SA_PG_FAST=1
R=$T/root
make -s -C "$SA_TOP" BUILD="${BUILD#"$SA_TOP"/}" PREFIX=/usr DESTDIR="$R" install \
	>"$T/install.log" 2>&1 || { cat "$T/install.log"; not_ok "make install"; exit 1; }
ok "make install PREFIX=/usr DESTDIR=…"
# From here on the checkout is out of reach.
BUILD=$T/no-build
SA_TOP=$T/no-checkout
SA_ADMIN=$R/usr/sbin/senderauth-admin
SA_SQL=$R/usr/share/senderauth/sql
SA_CGI=$R/usr/lib/senderauth/cgi-bin
SA_CONF=$R/etc/senderauth/senderauth.conf
UNIT=$R/usr/lib/systemd/system/senderauth-verifier.service

mkdir -p "$T/zones" "$T/var/metrics"
sa_platform_zone "$T/zones"
sa_soa example.jp >"$T/zones/example.jp.zone"
sa_nsd_start "$T/zones" m01-ahd-sys.net example.jp || { not_ok "nsd starts"; exit 1; }

# --- the configuration: the installed example, edited
SA_PG_PORT=$(sa_free_port)
for f in master.key session.key; do
	head -c 32 /dev/urandom >"$R/etc/senderauth/$f"
	chmod 0640 "$R/etc/senderauth/$f"
done
sed -i -e "s#^database = .*#database = $(sa_conninfo)#" \
	-e "s#^master_key_file = /etc/#master_key_file = $R/etc/#" \
	-e "s#^session_key_file = /etc/#session_key_file = $R/etc/#" "$SA_CONF"
cat >>"$SA_CONF" <<-EOF
	resolver = 127.0.0.1:$SA_NSD_PORT
	dns_timeout_ms = 300
	dns_tries = 1
	dkim_bits = 1024
	dkim_pool_size = 2
	export_opendkim_dir = $T/var/opendkim
	metrics_file = $T/var/metrics/senderauth.prom
EOF
check "every path of the configuration is in DESTDIR or the test's directory" \
	eval '! grep -E "(^[a-z_]+ = /|host=/)" "$SA_CONF" | grep -Ev "(= |host=)($R|$T)/"'

# --- the database: the installed senderauth-admin migrate and sql/
sa_pg_start || { not_ok "PostgreSQL starts, the installed migrate builds the schema"; exit 1; }
check_eq "the installed migrate applied the installed sql/" \
	"$(cd "$SA_SQL" && ls [0-9][0-9][0-9]_*.sql | sed 's/^/migrate: applied /')" \
	"$(grep '^migrate: applied ' "$SA_DIR/migrate.log")"
check_eq "run again from the installed configuration, without --sql (the sql/ beside the binary's PREFIX): nothing to apply" \
	"migrate: 0 applied, $(ls "$SA_SQL" | wc -l) up to date" \
	"$(SENDERAUTH_CONFIG=$SA_CONF "$SA_ADMIN" migrate)"

# --- workers and nginx from the installed tree
sa_fcgi_start || { not_ok "the installed workers start"; exit 1; }
check "a worker per action runs under multiwatch" \
	eval 'for a in $SA_ACTIONS; do [ -n "$(sa_fcgi_workers "$a")" ] || exit 1; done'
sa_nginx_installed "$R" nginx || { not_ok "nginx with the installed include starts"; exit 1; }

# --- the portal: an organization, an account, a cookie signed as README
# "Session cookie" says (openssl, not a tool of the checkout)
org=$(sa_org "株式会社〇〇〇〇")
taro=$(sa_account "$org" "山田 太郎")
check "the installed senderauth-admin provisions" test -n "$org" -a -n "$taro"
mint() { # ACCOUNT ORG
	local v="v1.$1.$2.$(($(date +%s) + 3600))"
	printf '%s.%s\n' "$v" "$(printf %s "$v" | openssl dgst -sha256 -mac HMAC \
		-macopt "hexkey:$(od -An -v -tx1 "$R/etc/senderauth/session.key" | tr -d ' \n')" |
		sed 's/^.*= //')"
}
ct=$(mint "$taro" "$org")
csrf=$(csrf_of "$ct")
check "the page's API answers with a CSRF token" test -n "$csrf"

# --- a domain through HTTP, its records in NSD
post /mail-settings/add-domain "$ct" csrf="$csrf" domain=example.jp
check_eq "add-domain through the installed include: 303" 303 "$CODE"
get /mail-settings/api/ "$ct"
id=$(xpath 'string(//domain/@id)')
spf=$(xpath 'string(//domain/spf/record/@value)')
sel=$(xpath 'string(//domain/dkim/@selector)')
dkim=$(xpath 'string(//domain/dkim/record/@value)')
check_eq "the SPF record to publish" "v=spf1 ip4:210.198.21.20 include:m01-ahd-sys.net ~all" "$spf"
check_eq "not verified yet" "pending pending" \
	"$(xpath 'concat(//domain/spf/@status, " ", //domain/dkim/@status)')"
{
	sa_soa example.jp
	echo "@ IN TXT \"$spf\""
	echo "$sel._domainkey IN TXT ( \"${dkim:0:200}\" \"${dkim:200}\" )"
} >"$T/zones/example.jp.zone"
sa_nsd_restart

# --- the installed senderauth-verifier.service's commands, in order, with
# its configuration ("+" only changes who runs it)
conf=$(sed -n 's/^Environment=SENDERAUTH_CONFIG=//p' "$UNIT")
check_eq "the unit reads the installed configuration" /etc/senderauth/senderauth.conf "$conf"
n=0
while read -r cmd; do
	n=$((n + 1))
	# shellcheck disable=SC2086 # a command line of the unit
	SENDERAUTH_CONFIG=$R$conf $R${cmd#+} >"$T/exec$n.out" 2>"$T/exec$n.err"
	check_eq "ExecStart $n (${cmd#+}) exits 0" 0 $?
done < <(sed -n 's/^ExecStart=//p' "$UNIT")
check_eq "four commands" 4 "$n"
cmd=$(sed -n 's/^ExecStart=//p' "${UNIT%/*}/senderauth-notify.service")
# shellcheck disable=SC2086 # a command line of the unit
SENDERAUTH_CONFIG=$R$conf $R$cmd >"$T/notify.out" 2>"$T/notify.err"
check_eq "the alerts' unit's command ($cmd) exits 0" 0 $?
check "the verifier's summary" grep -q '^verifier: checked 1, verified 1, unverified 0, tempfail 0, ' "$T/exec1.out"

# --- 設定済
get /mail-settings/api/ "$ct"
check_eq "the API: SPF verified" "verified ok" \
	"$(xpath 'concat(//domain/spf/@status, " ", //domain/spf/@reason)')"
check_eq "the API: DKIM verified, the key active" "verified ok active" \
	"$(xpath 'concat(//domain/dkim/@status, " ", //domain/dkim/@reason, " ", //domain/dkim/@state)')"
get /mail-settings/ "$ct"
check "the page (installed stylesheet): ✔ 設定済" body_has "✔ 設定済"
check "export-keys wrote the signer's table (export_opendkim_dir)" \
	grep -qx "example.jp.$sel example.jp:$sel:$T/var/opendkim/keys/example.jp.$sel.pem" "$T/var/opendkim/KeyTable"
check "pool-fill filled the pool (dkim_pool_size)" grep -q '^pool-fill: 2 added' "$T/exec3.out"
check "the verifier wrote metrics_file" \
	grep -qx 'senderauth_domains{record="dkim",status="verified"} 1' "$T/var/metrics/senderauth.prom"
SENDERAUTH_CONFIG=$SA_CONF "$SA_ADMIN" status >"$T/status"
check_eq "the installed senderauth-admin status: exit 0" 0 $?
check "… one domain, verified" grep -qx "spf: pending 0, verified 1, unverified 0, tempfail 0" "$T/status"

# --- 今すぐ確認 runs the installed verifier (default verifier_path)
checks=$(sa_psql -tAc "SELECT checks FROM domains WHERE id = $id")
post /mail-settings/check "$ct" csrf="$csrf" id="$id"
check_eq "今すぐ確認: 303" 303 "$CODE"
check_eq "… the domain checked once more" "$((checks + 1))" \
	"$(sa_psql -tAc "SELECT checks FROM domains WHERE id = $id")"
sa_done
