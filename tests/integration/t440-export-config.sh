#!/usr/bin/env bash
# t440-export-config.sh - `senderauth-admin export-keys` without options,
# as the verifier's timer and cron line run it: its targets, the key
# files' owner and group and the reload command come from the
# configuration (export_opendkim_dir and export_rspamd_dir, lists;
# export_owner, export_group, export_reload); an option given replaces
# its key (--opendkim / --rspamd replace both directory keys); with no
# target from either it says so, exits 2 and writes nothing.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/integration/lib.sh"
SA_PG_FAST=1

sa_stack_start "dkim_bits = 1024" || { not_ok "stack starts"; exit 1; }
org=$(sa_org "株式会社〇〇〇〇")
taro=$(sa_account "$org" "山田 太郎")
ct=$(sa_mint "$taro" "$org")
csrf=$(csrf_of "$ct")
post /mail-settings/add-domain "$ct" csrf="$csrf" domain=example.jp
# The verifier would make it active on seeing its record (t410, t610).
sa_psql -c "UPDATE dkim_keys SET state = 'active', activated_at = now()" >/dev/null
sel=$(sa_psql -tAc "SELECT selector FROM dkim_keys")
key=keys/example.jp.$sel.pem
export_keys() { "$BUILD/senderauth-admin" export-keys "$@" 2>"$T/err"; }
conf() { # the stack's configuration plus these lines
	sa_config "dkim_bits = 1024" "$@"
}

# --- no target anywhere
out=$(export_keys)
check_eq "no option, no export_*_dir: exit 2" 2 $?
check_eq "… it says what to give" \
	"senderauth-admin: export-keys: no target: give --opendkim DIR or --rspamd DIR, or set export_opendkim_dir or export_rspamd_dir in the configuration" \
	"$(cat "$T/err")"
check_eq "… and prints nothing else" "" "$out"
conf "export_owner = nobody" "export_reload = touch $T/reloaded"
export_keys >/dev/null
check_eq "owner and reload alone are no target: exit 2" 2 $?
check "… nothing reloaded" test ! -e "$T/reloaded"

# --- everything from the configuration
conf "export_opendkim_dir = $T/odk1" "export_opendkim_dir = $T/odk2" \
	"export_rspamd_dir = $T/rsp" "export_owner = nobody" \
	"export_group = nogroup" "export_reload = touch $T/reloaded"
out=$(export_keys)
check_eq "targets from the configuration: exit 0" 0 $?
check_eq "… three directories of key file and tables" \
	"export-keys: 1 keys, 9 files written, 0 removed, signer reloaded" "$out"
for d in odk1 odk2; do
	check "$d (export_opendkim_dir, a list): KeyTable names the key" \
		grep -qx "example.jp.$sel example.jp:$sel:$T/$d/$key" "$T/$d/KeyTable"
	check "$d: SigningTable" grep -qx "\*@example.jp example.jp.$sel" "$T/$d/SigningTable"
done
check "rsp (export_rspamd_dir): the maps" \
	eval 'grep -qx "example.jp $sel" "$T/rsp/dkim_selectors.map" && grep -qx "example.jp $T/rsp/$key" "$T/rsp/dkim_paths.map"'
check_eq "key files owned by export_owner, group export_group, 0600" \
	"nobody nogroup 600
nobody nogroup 600
nobody nogroup 600" "$(stat -c '%U %G %a' "$T/odk1/$key" "$T/odk2/$key" "$T/rsp/$key")"
check "export_reload ran" test -e "$T/reloaded"
rm -f "$T/reloaded"
check_eq "again: nothing to write, no reload" "export-keys: 1 keys, 0 files written, 0 removed" "$(export_keys)"
check "… export_reload did not run" test ! -e "$T/reloaded"

# --- the command line wins, key by key
out=$(export_keys --opendkim "$T/cli" --owner root)
check_eq "--opendkim replaces every configured directory" \
	"export-keys: 1 keys, 3 files written, 0 removed, signer reloaded" "$out"
check "… it writes there" test -f "$T/cli/KeyTable"
check_eq "… --owner replaces export_owner, export_group stays" "root nogroup" \
	"$(stat -c '%U %G' "$T/cli/$key")"
check "… export_reload stays" test -e "$T/reloaded"
rm -f "$T/reloaded" "$T/odk1/KeyTable"
out=$(export_keys --rspamd "$T/cli-rsp" --reload "touch $T/cli-reloaded")
check "--rspamd alone: the configured OpenDKIM directories are left alone" \
	test ! -e "$T/odk1/KeyTable"
check "--reload replaces export_reload" \
	eval '[ -e "$T/cli-reloaded" ] && [ ! -e "$T/reloaded" ]'
export_keys --bogus >/dev/null
check_eq "an unknown option is still a usage error" 2 $?
sa_done
