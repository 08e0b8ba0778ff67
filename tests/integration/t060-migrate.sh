#!/usr/bin/env bash
# t060-migrate.sh - `senderauth-admin migrate` on a private PostgreSQL:
# it builds the schema from sql/ and records each file with its SHA-256;
# a second run changes nothing; --dry-run lists and changes nothing; a new
# migration is applied once; an edited or missing applied migration stops
# it before it applies anything; a failing migration leaves no trace.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
SA_PG_FAST=1

sa_pg_start || { not_ok "cluster starts and migrate builds the schema"; exit 1; }
admin() { "$BUILD/senderauth-admin" -d "$(sa_conninfo)" "$@"; }
# The schema and the migration records (pg_dump's per-run \restrict key
# left out).
schema() {
	"$(sa_pg_bin)/pg_dump" -s -h "$SA_DIR/pg" -p "$SA_PG_PORT" -U postgres \
		senderauth | grep -v '^\\\(un\)\?restrict '
	sa_psql -tAc 'SELECT * FROM schema_migrations ORDER BY version'
}
nfiles=$(ls "$SA_TOP"/sql/[0-9][0-9][0-9]_*.sql | wc -l)

check_eq "every file of sql/ is recorded" "$nfiles" \
	"$(sa_psql -tAc 'SELECT count(*) FROM schema_migrations')"
want=$(cd "$SA_TOP/sql" && sha256sum [0-9][0-9][0-9]_*.sql | awk '{print $2 " " $1}')
got=$(sa_psql -tA -F ' ' -c 'SELECT file, sha256 FROM schema_migrations ORDER BY version')
check_eq "each with its file's SHA-256" "$want" "$got"
check "the schema is there (domains)" sa_psql -tAc "SELECT 1 FROM domains LIMIT 0"

schema >"$T/before.sql"
out=$(admin migrate --sql "$SA_TOP/sql")
check_eq "a second run applies nothing" "migrate: 0 applied, $nfiles up to date" "$out"
schema >"$T/after.sql"
check "and changes nothing" diff "$T/before.sql" "$T/after.sql"

# A copy of sql/ to change.
mkdir "$T/sql"
cp "$SA_TOP"/sql/*.sql "$T/sql/"
cat >"$T/sql/900_extra.sql" <<'SQL'
CREATE TABLE t060_extra (id integer);
SQL
out=$(admin migrate --dry-run --sql "$T/sql")
check_eq "--dry-run lists the new file" \
	"migrate: would apply 900_extra.sql
migrate: 1 to apply, $nfiles up to date" "$out"
check "--dry-run applies nothing" \
	test -z "$(sa_psql -tAc "SELECT to_regclass('t060_extra')")"
out=$(admin migrate --sql "$T/sql")
check_eq "a new migration is applied" \
	"migrate: applied 900_extra.sql
migrate: 1 applied, $nfiles up to date" "$out"
check "its table exists" sa_psql -tAc "SELECT 1 FROM t060_extra LIMIT 0"

# A failing migration: nothing of it stays, nothing recorded.
printf 'CREATE TABLE t060_partial (id integer);\nSELECT no_such_function();\n' \
	>"$T/sql/901_broken.sql"
admin migrate --sql "$T/sql" >"$T/out" 2>"$T/err"
check_eq "a failing migration exits 1" 1 $?
check "it says which file" grep -q "901_broken.sql not applied" "$T/err"
check "its partial work is rolled back" \
	test -z "$(sa_psql -tAc "SELECT to_regclass('t060_partial')")"
check_eq "it is not recorded" 0 \
	"$(sa_psql -tAc "SELECT count(*) FROM schema_migrations WHERE version = 901")"
rm "$T/sql/901_broken.sql"

# An applied migration edited: refused before anything is applied.
first=$(cd "$T/sql" && ls [0-9][0-9][0-9]_*.sql | head -1)
echo "-- edited" >>"$T/sql/$first"
cat >"$T/sql/902_after.sql" <<'SQL'
CREATE TABLE t060_after (id integer);
SQL
admin migrate --sql "$T/sql" >"$T/out" 2>"$T/err"
check_eq "an edited applied migration stops it (exit 1)" 1 $?
check "it names the edited file" grep -q "$first changed since it was applied" "$T/err"
check "nothing after it was applied" \
	test -z "$(sa_psql -tAc "SELECT to_regclass('t060_after')")"
cp "$SA_TOP/sql/$first" "$T/sql/$first"

# An applied migration gone from the directory: refused as well.
rm "$T/sql/900_extra.sql"
admin migrate --sql "$T/sql" >"$T/out" 2>"$T/err"
check_eq "a missing applied migration stops it (exit 1)" 1 $?
check "it names the missing file" grep -q "900_extra.sql is not in the sql directory" "$T/err"
check "nothing was applied" \
	test -z "$(sa_psql -tAc "SELECT to_regclass('t060_after')")"

admin migrate --sql "$T/nonexistent" >"$T/out" 2>"$T/err"
check_eq "a missing sql directory exits 1" 1 $?
admin migrate --bogus >"$T/out" 2>"$T/err"
check_eq "a bad option is a usage error (exit 2)" 2 $?
sa_done
