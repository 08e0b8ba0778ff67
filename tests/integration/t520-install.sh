#!/usr/bin/env bash
# make install / make uninstall into a DESTDIR: the layout and modes, no
# placeholder left, the installed nginx files accepted by nginx -t, the
# systemd units by systemd-analyze verify, the configuration never
# overwritten, and uninstall leaving nothing but empty directories.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
R=$T/root
B=${BUILD#"$SA_TOP"/}
mk() { make -s -C "$SA_TOP" BUILD="$B" PREFIX=/usr DESTDIR="$R" "$@"; }

check "make install PREFIX=/usr DESTDIR=…" eval 'mk install >"$T/install.log" 2>&1 || { cat "$T/install.log"; false; }'

# mode_is MODE PATH...
mode_is() {
	local want=$1 f got
	shift
	for f in "$@"; do
		got=$(stat -c %a "$R$f" 2>/dev/null || echo missing)
		check_eq "$f: mode $want" "$want" "$got"
	done
}
actions=$(cd "$SA_TOP/cgi-bin" && ls *.c | sed 's/\.c$//')
for a in $actions; do
	mode_is 755 "/usr/lib/senderauth/cgi-bin/$a"
done
mode_is 755 /usr/bin/senderauth-verifier
check "/usr/lib/senderauth/verifier (check's default verifier_path) is the verifier" \
	eval '[ "$(readlink "$R/usr/lib/senderauth/verifier")" = ../../bin/senderauth-verifier ] && [ -x "$R/usr/lib/senderauth/verifier" ]'
if [ -f "$BUILD/senderauth-admin" ]; then
	mode_is 755 /usr/sbin/senderauth-admin
else
	check "no senderauth-admin built, none installed" eval '! ls "$R"/usr/*bin/senderauth-admin 2>/dev/null'
fi
mode_is 644 /usr/share/senderauth/xsl/page.xsl /usr/share/senderauth/xsl/messages.ja.xml \
	/usr/share/senderauth/xsl/messages.en.xml /usr/share/senderauth/xsl/senderauth.rng \
	/usr/share/senderauth/xsl/static/senderauth.css /usr/share/senderauth/xsl/static/senderauth.js \
	/usr/share/senderauth/xsl/static/labels.css
for f in "$SA_TOP"/sql/*.sql; do
	mode_is 644 "/usr/share/senderauth/sql/$(basename "$f")"
done
U=/usr/lib/systemd/system
mode_is 644 $U/senderauth@.socket $U/senderauth@.service \
	$U/senderauth-verifier.service $U/senderauth-verifier.timer \
	$U/senderauth-notify.service \
	/usr/lib/sysusers.d/senderauth.conf \
	/etc/nginx/snippets/senderauth.conf /etc/nginx/conf.d/senderauth-maps.conf \
	/etc/cron.d/senderauth
mode_is 640 /etc/senderauth/senderauth.conf
check "no @PLACEHOLDER@ left in the installed text files" \
	eval '! grep -rlE "@[A-Z]+@" "$R/etc" "$R$U" "$R/usr/lib/sysusers.d"'
check "units name the installed paths" \
	eval 'grep -qx "ExecStart=/usr/lib/senderauth/cgi-bin/%i" "$R$U/senderauth@.service" && grep -qx "ExecStart=/usr/bin/senderauth-verifier run --no-alerts" "$R$U/senderauth-verifier.service" && grep -qx "ExecStart=/usr/bin/senderauth-verifier notify" "$R$U/senderauth-notify.service" && grep -qx "ListenStream=/run/senderauth/%i.sock" "$R$U/senderauth@.socket"'
check "socket 0660 for group www-data" \
	eval 'grep -qx "SocketMode=0660" "$R$U/senderauth@.socket" && grep -qx "SocketGroup=www-data" "$R$U/senderauth@.socket"'
for s in senderauth@.service senderauth-verifier.service; do
	for l in User=senderauth NoNewPrivileges=yes ProtectSystem=strict \
		PrivateTmp=yes ProtectHome=yes PrivateDevices=yes \
		"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6"; do
		check "$s: $l" grep -qxF "$l" "$R$U/$s"
	done
done
check "senderauth@.service: restarted, stdin the socket, stderr to the journal" \
	eval 'grep -qx Restart=always "$R$U/senderauth@.service" && grep -qx StandardInput=socket "$R$U/senderauth@.service" && grep -qx StandardError=journal "$R$U/senderauth@.service"'
check "senderauth-verifier.service: oneshot" grep -qx Type=oneshot "$R$U/senderauth-verifier.service"
check_eq "senderauth-verifier.service: the verifier, then the key commands, export-keys as root" \
	"/usr/bin/senderauth-verifier run --no-alerts
/usr/sbin/senderauth-admin rotate-keys
/usr/sbin/senderauth-admin pool-fill
+/usr/sbin/senderauth-admin export-keys" \
	"$(sed -n 's/^ExecStart=//p' "$R$U/senderauth-verifier.service")"
check "… export-keys without a target configured (exit 2) is no failure" \
	grep -qx "SuccessExitStatus=2" "$R$U/senderauth-verifier.service"
check "… /var/lib/senderauth writable (metrics_file)" \
	grep -qx "ReadWritePaths=-/var/lib/senderauth" "$R$U/senderauth-verifier.service"
check "senderauth-verifier.service pulls in the alerts' sender, which runs after it as senderauth" \
	eval 'grep -qx "Wants=senderauth-notify.service" "$R$U/senderauth-verifier.service" && grep -qx "After=senderauth-verifier.service postgresql.service" "$R$U/senderauth-notify.service" && grep -qx "User=senderauth" "$R$U/senderauth-notify.service" && grep -qx "Type=oneshot" "$R$U/senderauth-notify.service"'
check "timer every five minutes" grep -qx "OnCalendar=\*:0/5" "$R$U/senderauth-verifier.timer"
check_eq "cron.d, only without systemd: the same sequence, export-keys as root" \
	'*/5 * * * * root [ -d /run/systemd/system ] || { runuser -u senderauth -- /usr/bin/senderauth-verifier run && runuser -u senderauth -- /usr/sbin/senderauth-admin rotate-keys && runuser -u senderauth -- /usr/sbin/senderauth-admin pool-fill && /usr/sbin/senderauth-admin export-keys; } 2>&1 | logger -t senderauth-verifier' \
	"$(grep '^\*/5 ' "$R/etc/cron.d/senderauth")"
check "… a command sh accepts" \
	eval 'sh -n -c "$(grep "^\*/5 " "$R/etc/cron.d/senderauth" | cut -d " " -f 7-)"'
check "nginx include serves the installed xsl/ over /run/senderauth sockets" \
	eval 'grep -q "xslt_stylesheet /usr/share/senderauth/xsl/page.xsl;" "$R/etc/nginx/snippets/senderauth.conf" && grep -q "unix:/run/senderauth/" "$R/etc/nginx/snippets/senderauth.conf" && grep -q "alias /usr/share/senderauth/xsl/static/;" "$R/etc/nginx/snippets/senderauth.conf"'

# The installed nginx files as Debian's nginx.conf uses them (the paths
# pointed into DESTDIR): nginx -t, then a request for the static CSS, with
# and without the portal's origins.
ngx_serve() { # ngx_serve NAME SERVER-LINES
	sa_nginx_installed "$R" "ngx-$1" "$2" &&
		curl -sf -o "$T/ngx-$1/css" -D "$T/ngx-$1/headers" \
			"$SA_URL/mail-settings/static/senderauth.css" &&
		cmp -s "$T/ngx-$1/css" "$SA_TOP/xsl/static/senderauth.css"
}
check "installed include and maps: nginx -t and xsl/static served, portal origins set" \
	ngx_serve origins 'set $senderauth_frame_ancestors "https://portal.example.jp";'
check "… frame-ancestors 'self' and the portal" \
	grep -q "^Content-Security-Policy: .*; frame-ancestors 'self' https://portal.example.jp"$'\r'$ "$T/ngx-origins/headers"
check "installed include and maps: nginx -t and xsl/static served, no origins set" \
	ngx_serve self ""
check "… frame-ancestors 'self' only" \
	grep -q "^Content-Security-Policy: .*; frame-ancestors 'self' *"$'\r'$ "$T/ngx-self/headers"

# systemd-analyze verify in a copy of the tree with the host's targets
# (verify --root resolves every unit, ExecStart included, under the root).
cp -a "$R" "$T/vroot"
cp -n /lib/systemd/system/*.target "$T/vroot$U/"
check "systemd-analyze verify: every unit, an instance per action, no warning" \
	eval '(cd "$T" && systemd-analyze verify --root="$T/vroot" $(for a in $actions; do echo senderauth@$a.service senderauth@$a.socket; done) senderauth-verifier.service senderauth-verifier.timer senderauth-notify.service) >"$T/verify.log" 2>&1; rc=$?; cat "$T/verify.log"; [ $rc = 0 ] && [ ! -s "$T/verify.log" ]'
rm -f "$T/vroot/usr/lib/senderauth/cgi-bin/settings"
check "systemd-analyze verify fails on a missing ExecStart" \
	eval '! (cd "$T" && systemd-analyze verify --root="$T/vroot" senderauth@settings.service) >/dev/null 2>&1'

# The configuration is the operator's: never overwritten; uninstall keeps
# it when it was edited.
echo "spf_ip = 192.0.2.1" >>"$R/etc/senderauth/senderauth.conf"
cp -p "$R/etc/senderauth/senderauth.conf" "$T/conf.edited"
check "make install again" eval 'mk install >"$T/install.log" 2>&1'
check "install leaves an existing configuration as it is" \
	cmp -s "$T/conf.edited" "$R/etc/senderauth/senderauth.conf"
check "make uninstall" eval 'mk uninstall >"$T/uninstall.log" 2>&1 || { cat "$T/uninstall.log"; false; }'
check_eq "uninstall leaves only the edited configuration" \
	"$R/etc/senderauth/senderauth.conf" "$(find "$R" ! -type d)"
rm -f "$R/etc/senderauth/senderauth.conf"

# A fresh install and uninstall: nothing left but empty directories.
check "make install into the emptied tree" eval 'mk install >"$T/install.log" 2>&1'
check "make uninstall" eval 'mk uninstall >"$T/uninstall.log" 2>&1 || { cat "$T/uninstall.log"; false; }'
check_eq "nothing left but empty directories" "" "$(find "$R" ! -type d)"
check "senderauth's own directories removed" \
	eval '[ ! -e "$R/usr/lib/senderauth" ] && [ ! -e "$R/usr/share/senderauth" ] && [ ! -e "$R/etc/senderauth" ]'
check "make uninstall without an install fails" eval '! mk uninstall >/dev/null 2>&1'

sa_done
