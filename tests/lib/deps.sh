#!/usr/bin/env bash
# Installs the Debian packages senderauth builds, runs and tests with, when
# they are missing, and the npm packages of the browser test. Idempotent; needs
# root (or sudo) only when something is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

pkgs=(build-essential pkg-config clang libclang-rt-14-dev
	libfcgi-dev libmxml-dev libssl-dev libpq-dev libc-ares-dev libidn2-dev
	libpsl-dev publicsuffix libyaml-dev postgresql nginx libnginx-mod-http-xslt-filter spawn-fcgi
	multiwatch nsd libxml2-utils xsltproc curl iproute2 bc wrk dnsperf chromium
	openssl systemd opendkim miltertest python3-dkim python3-dnspython rspamd
	prometheus-node-exporter fonts-ipafont-gothic fonts-noto-cjk python3-spf
	unbound bind9-dnsutils)
# (multiwatch supervises the test stack's workers; systemd brings
# systemd-analyze for the install test; OpenDKIM with miltertest and rspamd
# sign mail from exported keys, python3-dkim verifies it; python3-dnspython
# also serves tests/tools/demo-publish.sh; node_exporter reads the
# verifier's metrics file; fonts-ipafont-gothic and fonts-noto-cjk (the
# page's "Noto Sans CJK JP") let the browser test's screenshots show
# Japanese; libpsl over publicsuffix's list finds DMARC's organizational
# domain; python3-spf is the other side of the differential
# SPF test, tests/conformance/README; unbound is the caching resolver in
# front of NSD of the authoritative-lookup test, t350, and dig
# (bind9-dnsutils) shows what that resolver says.)

# Node.js may come from elsewhere than Debian (this kind of machine has its
# own); Debian's packages are only a fallback when the commands are absent.
command -v node >/dev/null || pkgs+=(nodejs)
command -v npm >/dev/null || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}" >&2
	sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's packages start their own daemons where an init system runs; the
# project starts private instances and needs none of those.

if [ -f tests/e2e/package.json ] && { [ ! -d tests/e2e/node_modules/playwright-core ] ||
	[ ! -d tests/e2e/node_modules/axe-core ]; }; then
	(cd tests/e2e && npm ci --no-audit --no-fund --silent)
fi
