#!/bin/sh
# dist/install.sh install|uninstall - `make install` and `make uninstall`.
#
# The Makefile passes DESTDIR, PREFIX and BUILD (and ACTIONS). Every file
# install writes is listed, without DESTDIR, in the manifest
# $PREFIX/share/senderauth/install-manifest; uninstall removes exactly
# those files, then the manifest, then the directories of senderauth's own
# that are left empty. The configuration file is written only when absent
# (and then listed); uninstall keeps it when it was changed since.
#
# Layout (README "Running it in production"):
#   $PREFIX/lib/senderauth/cgi-bin/ACTION      FastCGI workers
#   $PREFIX/lib/senderauth/verifier            -> ../../bin/senderauth-verifier
#                                               (the default verifier_path)
#   $PREFIX/bin/senderauth-verifier
#   $PREFIX/sbin/senderauth-admin              when built
#   $PREFIX/share/senderauth/xsl/, xsl/static/, sql/
#   $PREFIX/lib/systemd/system/senderauth@.socket, senderauth@.service,
#       senderauth-verifier.service, senderauth-verifier.timer,
#       senderauth-notify.service
#   $PREFIX/lib/sysusers.d/senderauth.conf     the senderauth account
#   /etc/nginx/snippets/senderauth.conf        include in the portal's server
#   /etc/nginx/conf.d/senderauth-maps.conf     maps (Debian's nginx.conf
#                                               includes conf.d in http)
#   /etc/cron.d/senderauth                     only acts without systemd
#   /etc/senderauth/senderauth.conf            example, mode 0640
set -eu

: "${PREFIX:=/usr/local}" "${DESTDIR:=}" "${BUILD:=build}" "${ACTIONS:=}"
SYSCONFDIR=${SYSCONFDIR:-/etc}
BINDIR=$PREFIX/bin
SBINDIR=$PREFIX/sbin
PKGLIBDIR=$PREFIX/lib/senderauth
PKGDATADIR=$PREFIX/share/senderauth
UNITDIR=$PREFIX/lib/systemd/system
SYSUSERSDIR=$PREFIX/lib/sysusers.d
SOCK=/run/senderauth
MANIFEST=$PKGDATADIR/install-manifest
CONF=$SYSCONFDIR/senderauth/senderauth.conf
# The directories that are senderauth's alone, deepest first: uninstall
# removes them when empty.
OWN_DIRS="$PKGLIBDIR/cgi-bin $PKGLIBDIR $PKGDATADIR/xsl/static $PKGDATADIR/xsl
$PKGDATADIR/sql $PKGDATADIR $SYSCONFDIR/senderauth"

# subst FILE: FILE with the installed paths filled in.
subst() {
	sed -e "s|@BINDIR@|$BINDIR|g" -e "s|@SBINDIR@|$SBINDIR|g" \
		-e "s|@PKGLIBDIR@|$PKGLIBDIR|g" -e "s|@SYSCONFDIR@|$SYSCONFDIR|g" \
		-e "s|@SOCK@|$SOCK|g" -e "s|@XSL@|$PKGDATADIR/xsl|g" "$1"
}

# put MODE SRC DEST [subst]: installs SRC (filled in with "subst") as DEST
# under DESTDIR and lists DEST in the manifest.
put() {
	mkdir -p "$DESTDIR$(dirname "$3")"
	if [ "${4:-}" = subst ]; then
		subst "$2" >"$DESTDIR$3.tmp"
		chmod "$1" "$DESTDIR$3.tmp"
		mv -f "$DESTDIR$3.tmp" "$DESTDIR$3"
	else
		install -m "$1" "$2" "$DESTDIR$3"
	fi
	echo "$3" >>"$DESTDIR$MANIFEST.new"
}

install_all() {
	mkdir -p "$DESTDIR$PKGDATADIR"
	: >"$DESTDIR$MANIFEST.new"
	for a in $ACTIONS; do
		put 0755 "$BUILD/cgi-bin/$a" "$PKGLIBDIR/cgi-bin/$a"
	done
	if [ -f "$BUILD/verifier" ]; then
		put 0755 "$BUILD/verifier" "$BINDIR/senderauth-verifier"
		ln -sfn ../../bin/senderauth-verifier "$DESTDIR$PKGLIBDIR/verifier"
		echo "$PKGLIBDIR/verifier" >>"$DESTDIR$MANIFEST.new"
	fi
	if [ -f "$BUILD/senderauth-admin" ]; then
		put 0755 "$BUILD/senderauth-admin" "$SBINDIR/senderauth-admin"
	fi
	for f in xsl/*.xsl xsl/*.xml xsl/*.rng xsl/static/*; do
		put 0644 "$f" "$PKGDATADIR/$f"
	done
	for f in sql/*.sql; do
		put 0644 "$f" "$PKGDATADIR/$f"
	done
	for f in senderauth@.socket senderauth@.service senderauth-verifier.service \
		senderauth-notify.service; do
		put 0644 "dist/$f.in" "$UNITDIR/$f" subst
	done
	put 0644 dist/senderauth-verifier.timer "$UNITDIR/senderauth-verifier.timer"
	put 0644 dist/senderauth.sysusers "$SYSUSERSDIR/senderauth.conf"
	put 0644 nginx/senderauth.conf.in "$SYSCONFDIR/nginx/snippets/senderauth.conf" subst
	put 0644 nginx/senderauth-maps.conf.in "$SYSCONFDIR/nginx/conf.d/senderauth-maps.conf" subst
	put 0644 dist/senderauth.cron.in "$SYSCONFDIR/cron.d/senderauth" subst
	if [ -e "$DESTDIR$CONF" ]; then
		echo "install: $DESTDIR$CONF exists, left as it is" >&2
	else
		put 0640 dist/senderauth.conf.in "$CONF" subst
		# what it was, so that uninstall can tell whether it was edited
		subst dist/senderauth.conf.in >"$DESTDIR$PKGDATADIR/senderauth.conf.installed"
		echo "$PKGDATADIR/senderauth.conf.installed" >>"$DESTDIR$MANIFEST.new"
	fi
	# A reinstall keeps what an earlier install listed (the configuration
	# file above all, which this one did not write again).
	if [ -f "$DESTDIR$MANIFEST" ]; then
		cat "$DESTDIR$MANIFEST" >>"$DESTDIR$MANIFEST.new"
	fi
	sort -u "$DESTDIR$MANIFEST.new" >"$DESTDIR$MANIFEST"
	rm -f "$DESTDIR$MANIFEST.new"
}

uninstall_all() {
	if [ ! -f "$DESTDIR$MANIFEST" ]; then
		echo "uninstall: no $DESTDIR$MANIFEST: nothing installed with PREFIX=$PREFIX" >&2
		exit 1
	fi
	keep=""
	if [ -f "$DESTDIR$CONF" ] && grep -qxF "$CONF" "$DESTDIR$MANIFEST" &&
		! cmp -s "$DESTDIR$CONF" "$DESTDIR$PKGDATADIR/senderauth.conf.installed"; then
		echo "uninstall: $DESTDIR$CONF was changed, left as it is" >&2
		keep=$CONF
	fi
	while read -r f; do
		[ "$f" = "$keep" ] || rm -f "$DESTDIR$f"
	done <"$DESTDIR$MANIFEST"
	rm -f "$DESTDIR$MANIFEST"
	for d in $OWN_DIRS; do
		rmdir "$DESTDIR$d" 2>/dev/null || true
	done
}

case ${1:-} in
install) install_all ;;
uninstall) uninstall_all ;;
*)
	echo "usage: $0 install|uninstall" >&2
	exit 2
	;;
esac
