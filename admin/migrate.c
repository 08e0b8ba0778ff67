/*
 * migrate.c - `senderauth-admin migrate [--dry-run] [--sql DIR]`: applies
 * the schema migrations of DIR (sql/NNN_name.sql, the installed sql/
 * directory by default) that the database has not applied yet, in order,
 * each in one transaction with its row in schema_migrations (version,
 * file name, SHA-256 of the file). A migration is never edited once
 * merged: when the file of an applied migration changed or is gone, the
 * command applies nothing and says which. Running it twice changes
 * nothing. An advisory lock keeps two runs from applying at once.
 *
 * Its statements run on a connection of their own, before the tables the
 * statement catalogue (lib/core/db.c) prepares exist; that is why their
 * text is here. The files' text is executed as it is: it is the schema,
 * not data.
 */
#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <openssl/evp.h>

#include "admin.h"
#include "crypto.h"
#include "util.h"

/* The installed sql/ directory is found from where this binary is:
 * PREFIX/sbin/senderauth-admin -> PREFIX/share/senderauth/sql, whatever
 * PREFIX it was built with (`make` then `make install PREFIX=/usr`). */
#define SQL_DIR_FROM_BIN "/../share/senderauth/sql"
#define MIGRATIONS_MAX 1000
#define MIGRATION_BYTES_MAX (16 << 20)

struct migration {
	int version;
	char *file; /* "NNN_name.sql" */
	char *text;
	char sha256[2 * 32 + 1];
	int applied;
};

static const char sql_table[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY,"
    " file text NOT NULL,"
    " sha256 text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";
static const char sql_lock[] =
    "SELECT pg_advisory_lock(hashtext('senderauth:migrate'))";
static const char sql_old_loop[] =
    "SELECT to_regclass('schema_version') IS NOT NULL"
    " AND to_regclass('schema_migrations') IS NULL";
enum { ASK_ANSWER };
static const char sql_has_table[] =
    "SELECT to_regclass('schema_migrations') IS NOT NULL";
static const char sql_applied[] =
    "SELECT version, file, sha256 FROM schema_migrations ORDER BY version";
enum { APPLIED_VERSION, APPLIED_FILE, APPLIED_SHA256 };
static const char sql_record[] =
    "INSERT INTO schema_migrations (version, file, sha256)"
    " VALUES ($1, $2, $3)";

/* A file name NNN_name.sql (name of [a-z0-9_]) gives its version NNN. */
static int
migration_version(const char *name)
{
	size_t len = strlen(name), i;

	if (len < 9 || strcmp(name + len - 4, ".sql") != 0 || name[3] != '_')
		return -1;
	for (i = 0; i < 3; i++)
		if (name[i] < '0' || name[i] > '9')
			return -1;
	for (i = 4; i < len - 4; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return -1;
	return (name[0] - '0') * 100 + (name[1] - '0') * 10 + (name[2] - '0');
}

static char *
read_file(const char *dir, const char *name, size_t *lenp)
{
	char path[4096];
	FILE *f;
	char *s = NULL;
	long len;

	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >=
	    sizeof path)
		return NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    len <= MIGRATION_BYTES_MAX && fseek(f, 0, SEEK_SET) == 0 &&
	    (s = malloc((size_t)len + 1)) != NULL) {
		if (fread(s, 1, (size_t)len, f) != (size_t)len) {
			free(s);
			s = NULL;
		} else {
			s[len] = '\0';
			*lenp = (size_t)len;
		}
	}
	fclose(f);
	return s;
}

static int
migration_load(const char *dir, const char *name, struct migration *m)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	size_t len;

	m->version = migration_version(name);
	m->applied = 0;
	m->file = strdup(name);
	m->text = read_file(dir, name, &len);
	if (m->file == NULL || m->text == NULL ||
	    EVP_Digest(m->text, len, md, &mdlen, EVP_sha256(), NULL) != 1) {
		fprintf(stderr, "senderauth-admin: %s/%s: cannot read\n", dir,
			name);
		return -1;
	}
	crypto_hex(md, mdlen, m->sha256);
	return 0;
}

static int
by_version(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

/* Every migration file of dir, sorted by version; -1 with a message. */
static int
migrations_read(const char *dir, struct migration *ms, size_t *np)
{
	struct dirent *e;
	DIR *d;
	size_t n = 0, i;
	int rc = -1;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "senderauth-admin: %s: cannot open\n", dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (migration_version(e->d_name) < 0)
			continue;
		if (n == MIGRATIONS_MAX ||
		    migration_load(dir, e->d_name, &ms[n++]) == -1)
			goto out;
	}
	qsort(ms, n, sizeof *ms, by_version);
	for (i = 1; i < n; i++)
		if (ms[i].version == ms[i - 1].version) {
			fprintf(
			    stderr,
			    "senderauth-admin: %s and %s have one version\n",
			    ms[i - 1].file, ms[i].file);
			goto out;
		}
	rc = 0;
out:
	*np = n;
	closedir(d);
	return rc;
}

static int
exec_ok(PGconn *c, PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);
	int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;

	if (!ok)
		fprintf(stderr, "senderauth-admin: %s", PQerrorMessage(c));
	PQclear(r);
	return ok ? 0 : -1;
}

static struct migration *
find_version(struct migration *ms, size_t n, int v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ms[i].version == v)
			return &ms[i];
	return NULL;
}

/* Marks the applied migrations; -1 when one's file is gone or changed. */
static int
check_applied(PGconn *c, struct migration *ms, size_t n)
{
	struct migration *m;
	PGresult *r = PQexec(c, sql_applied);
	int i, rc = 0;

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return exec_ok(c, r);
	for (i = 0; i < PQntuples(r); i++) {
		m = find_version(ms, n,
				 atoi(PQgetvalue(r, i, APPLIED_VERSION)));
		if (m == NULL) {
			fprintf(stderr,
				"senderauth-admin: applied migration %s is not "
				"in the sql directory\n",
				PQgetvalue(r, i, APPLIED_FILE));
			rc = -1;
		} else if (strcmp(m->sha256,
				  PQgetvalue(r, i, APPLIED_SHA256)) != 0) {
			fprintf(stderr,
				"senderauth-admin: %s changed since it was "
				"applied; a merged migration is never edited: "
				"write a new one\n",
				m->file);
			rc = -1;
		}
		if (m != NULL)
			m->applied = 1;
	}
	PQclear(r);
	return rc;
}

/* PQexec only runs fixed text here: BEGIN, COMMIT, ROLLBACK, the
 * catalogue's sql_applied, and a migration file of the installed sql/
 * directory (many statements, which PQexecParams refuses). The one value
 * that varies, the migration's version, file and digest, goes through
 * sql_record's $n parameters. */
static int
apply(PGconn *c, const struct migration *m)
{
	char v[16];
	const char *p[3] = {v, m->file, m->sha256};

	snprintf(v, sizeof v, "%d", m->version);
	if (exec_ok(c, PQexec(c, "BEGIN")) == -1)
		return -1;
	if (exec_ok(c, PQexec(c, m->text)) == -1 ||
	    exec_ok(c, PQexecParams(c, sql_record, 3, NULL, p, NULL, NULL,
				    0)) == -1 ||
	    exec_ok(c, PQexec(c, "COMMIT")) == -1) {
		fprintf(stderr, "senderauth-admin: %s not applied\n", m->file);
		PQclear(PQexec(c, "ROLLBACK"));
		return -1;
	}
	printf("migrate: applied %s\n", m->file);
	return 0;
}

/* 1 when the one-row boolean query q answers true. */
static int
ask(PGconn *c, const char *q)
{
	PGresult *r = PQexec(c, q);
	int yes = PQresultStatus(r) == PGRES_TUPLES_OK &&
		  strcmp(PQgetvalue(r, 0, ASK_ANSWER), "t") == 0;

	PQclear(r);
	return yes;
}

static int
old_loop(PGconn *c)
{
	int old = ask(c, sql_old_loop);

	if (old)
		fprintf(stderr, "senderauth-admin: this database was set up "
				"before migrate existed (it has "
				"schema_version): create it anew\n");
	return old;
}

static int
run(PGconn *c, struct migration *ms, size_t n, int dry)
{
	size_t i, todo = 0, done = 0;

	/* --dry-run changes nothing, not even by creating the table. */
	if (old_loop(c) || exec_ok(c, PQexec(c, sql_lock)) == -1)
		return ADMIN_FAIL;
	if (!(dry && !ask(c, sql_has_table)) &&
	    (exec_ok(c, PQexec(c, sql_table)) == -1 ||
	     check_applied(c, ms, n) == -1))
		return ADMIN_FAIL;
	for (i = 0; i < n; i++) {
		if (ms[i].applied)
			continue;
		todo++;
		if (dry)
			printf("migrate: would apply %s\n", ms[i].file);
		else if (apply(c, &ms[i]) == -1)
			return ADMIN_FAIL;
		else
			done++;
	}
	printf("migrate: %zu %s, %zu up to date\n", dry ? todo : done,
	       dry ? "to apply" : "applied", n - todo);
	return ADMIN_OK;
}

/* PREFIX/share/senderauth/sql for this binary's PREFIX, in buf. */
static const char *
installed_sql(char *buf)
{
	ssize_t n = readlink("/proc/self/exe", buf, PATH_MAX - 1);
	char *slash;

	if (n <= 0 || (size_t)n + sizeof SQL_DIR_FROM_BIN > PATH_MAX)
		return "/usr/share/senderauth/sql";
	buf[n] = '\0';
	if ((slash = strrchr(buf, '/')) != NULL)
		*slash = '\0';
	memcpy(buf + strlen(buf), SQL_DIR_FROM_BIN, sizeof SQL_DIR_FROM_BIN);
	return buf;
}

int
admin_migrate(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dry-run", no_argument, NULL, 'n'},
	    {"sql", required_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	static struct migration ms[MIGRATIONS_MAX];
	char here[PATH_MAX];
	const char *dir = installed_sql(here);
	PGconn *c = NULL;
	size_t n = 0, i;
	int ch, dry = 0, rc = ADMIN_FAIL;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'n')
			dry = 1;
		else if (ch == 's')
			dir = optarg;
		else
			return admin_usage("migrate [--dry-run] [--sql DIR]");
	}
	if (optind != argc)
		return admin_usage("migrate [--dry-run] [--sql DIR]");
	if (migrations_read(dir, ms, &n) == -1)
		goto out;
	c = PQconnectdb(admin_conninfo());
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "senderauth-admin: %s", PQerrorMessage(c));
		goto out;
	}
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	rc = run(c, ms, n, dry);
out:
	PQfinish(c);
	for (i = 0; i < n; i++) {
		free(ms[i].file);
		free(ms[i].text);
	}
	return rc;
}
