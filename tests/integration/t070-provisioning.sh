#!/usr/bin/env bash
# t070-provisioning.sh - `senderauth-admin org add`, `org list` and
# `account add` on a private PostgreSQL, as a portal would call them: each
# prints the new id, the list gives id, name and number of accounts; an
# unknown organization, a bad name or a bad id is refused with its exit
# status and a message, and changes nothing. Then the contract end to end:
# a cookie minted for the ids the commands printed opens the page.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/integration/lib.sh"
SA_PG_FAST=1

sa_stack_start || { not_ok "stack starts"; exit 1; }
rows() { sa_psql -tAc "SELECT (SELECT count(*) FROM organizations) || ' ' || (SELECT count(*) FROM accounts)"; }

out=$(sa_admin org list)
check_eq "org list of an empty database prints nothing (exit 0)" "0 " "$? $out"

o1=$(sa_admin org add "株式会社〇〇〇〇")
check_eq "org add exits 0" 0 $?
check "org add prints the new id" test "$o1" -gt 0
check_eq "… the organization of that id" "株式会社〇〇〇〇" \
	"$(sa_psql -tAc "SELECT name FROM organizations WHERE id = $o1")"
o2=$(sa_admin org add "Example Trading Co.")
check "a second organization, a new id" test "$o2" -gt "$o1"

a1=$(sa_admin account add "$o1" "山田 太郎")
check_eq "account add exits 0" 0 $?
check_eq "account add prints the id of an account of that organization" "$o1 山田 太郎" \
	"$(sa_psql -tA -F ' ' -c "SELECT org_id, name FROM accounts WHERE id = $a1")"
a2=$(sa_admin account add "$o1" "佐藤 花子")
check "a second account, a new id" test "$a2" -gt "$a1"

check_eq "org list: id, name, accounts, tab-separated, by id" \
	"$(printf '%s\t%s\t%s\n%s\t%s\t%s' "$o1" "株式会社〇〇〇〇" 2 "$o2" "Example Trading Co." 0)" \
	"$(sa_admin org list)"

# Refusals: each changes nothing.
before=$(rows)
sa_admin account add 999999 "誰か" >"$T/out" 2>"$T/err"
check_eq "an unknown organization: exit 1" 1 $?
check_eq "… a message naming it" "senderauth-admin: no organization 999999: no account added" "$(cat "$T/err")"
check_eq "… nothing printed on stdout" "" "$(cat "$T/out")"
refuse() { # NAME STATUS ARGS...: the command exits STATUS, says why, writes nothing
	local name=$1 want=$2
	shift 2
	sa_admin "$@" >"$T/out" 2>"$T/err"
	check_eq "$name: exit $want" "$want" $?
	check "$name: a message" test -s "$T/err"
}
refuse "an empty organization name" 2 org add ""
check_eq "… which says what a name is" "senderauth-admin: the organization name must have 1 to 200 characters" "$(cat "$T/err")"
refuse "an organization name of 201 characters" 2 org add "$(printf 'あ%.0s' $(seq 201))"
refuse "an organization name with a tab" 2 org add "$(printf 'a\tb')"
check_eq "… which says so" "senderauth-admin: the organization name has a control character" "$(cat "$T/err")"
refuse "an organization name that is not UTF-8" 2 org add "$(printf 'a\xffb')"
refuse "an account name with a newline" 2 account add "$o1" "$(printf 'a\nb')"
refuse "an empty account name" 2 account add "$o1" ""
refuse "an organization id that is not a number" 2 account add "x$o1" "名前"
refuse "an organization id of 0" 2 account add 0 "名前"
refuse "org without a subcommand" 2 org
refuse "org add without a name" 2 org add
refuse "org add with two names" 2 org add a b
refuse "account add without a name" 2 account add "$o1"
refuse "an unknown org subcommand" 2 org remove "$o1"
check_eq "no refusal wrote anything" "$before" "$(rows)"
check_eq "a name of 200 characters is accepted" 0 \
	"$(sa_admin org add "$(printf 'あ%.0s' $(seq 200))" >/dev/null; echo $?)"

# The statements README gives a portal that writes itself.
o3=$(sa_psql -tAc "INSERT INTO organizations (name) VALUES ('SQL Portal') RETURNING id")
a3=$(sa_psql -tAc "INSERT INTO accounts (org_id, name) VALUES ($o3, '鈴木 一郎') RETURNING id")
check_eq "README's SQL: the organization and account org list shows" \
	"$(printf '%s\t%s\t%s' "$o3" "SQL Portal" 1)" "$(sa_admin org list | grep "^$o3	")"
check_eq "README's SQL: an unknown organization is SQLSTATE 23503" "ERROR:  23503" \
	"$(sa_psql -v VERBOSITY=sqlstate -c "INSERT INTO accounts (org_id, name) VALUES (999999, 'x')" 2>&1)"

# Without a database: exit 1.
"$BUILD/senderauth-admin" -d "host=$T/nowhere dbname=x connect_timeout=2" org list >/dev/null 2>"$T/err"
check_eq "an unreachable database: exit 1" 1 $?

# The portal's side: a cookie for the ids the commands printed.
get /mail-settings/api/ "$(sa_mint "$a1" "$o1")"
check_eq "a cookie for the new account and organization opens the page" "200 山田 太郎 株式会社〇〇〇〇" \
	"$CODE $(xpath 'concat(/settings/account/@name, " ", /settings/organization/@name)')"
get /mail-settings/api/ "$(sa_mint "$a1" "$o2")"
check_eq "… and not with another organization's id" 401 "$CODE"
sa_done
