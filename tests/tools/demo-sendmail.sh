#!/bin/sh
# tests/tools/demo-sendmail.sh DIR [sendmail options] - the demo's
# sendmail_command: keeps each alert mail the verifier hands it (the
# message on standard input) as DIR/alert-XXXXXX.eml, for the person trying
# the demo to read, since the demo runs no mail server. Options are those
# of sendmail (-t -i) and ignored.
set -eu
mkdir -p "$1"
f=$(mktemp "$1/alert-XXXXXX")
cat >"$f"
mv "$f" "$f.eml"
