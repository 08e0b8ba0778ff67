#!/usr/bin/env bash
# make check-layers: every #include "x.h" of production code names a header
# of a layer the file may see. lib/core sees core; lib/web and cgi-bin see
# core and web; lib/verify and cron see core and verify; admin sees every
# layer. No production file sees tests/double (test doubles). Prints each
# offence and exits 1 when there is one.
set -u
cd "$(dirname "$0")/../.."

# The layer a header belongs to, from the folder that holds it; a header
# beside the including file (admin/admin.h) is its own.
layer_of() {
	local d
	[ -f "$2/$1" ] && [ "${2#lib/}" = "$2" ] && { echo own; return; }
	for d in core web verify; do
		[ -f "lib/$d/$1" ] && { echo "$d"; return; }
	done
	[ -f "tests/double/$1" ] && { echo double; return; }
	echo unknown
}

allowed_for() {
	case $1 in
	lib/core/*) echo "core" ;;
	lib/web/* | cgi-bin/*) echo "own core web" ;;
	lib/verify/* | cron/*) echo "own core verify" ;;
	admin/*) echo "own core web verify" ;;
	esac
}

bad=0
for f in lib/*/*.[ch] cgi-bin/*.c cron/*.c admin/*.c; do
	[ -f "$f" ] || continue
	allowed=$(allowed_for "$f")
	while read -r h; do
		l=$(layer_of "$h" "$(dirname "$f")")
		case " $allowed " in
		*" $l "*) ;;
		*)
			echo "check-layers: $f includes $h ($l)"
			bad=1
			;;
		esac
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done
[ "$bad" -eq 0 ] && echo "check-layers: ok"
exit "$bad"
