/*
 * org.c - provisioning: the organizations and accounts that session
 * cookies name (README "Organizations and accounts"), for a portal or an
 * operator.
 *
 *   org add NAME            prints the new organization's id
 *   org list                one line per organization, by id: id, name and
 *                           number of accounts, separated by tabs
 *   account add ORG_ID NAME prints the new account's id; exit 1 when
 *                           ORG_ID names no organization
 *
 * A name is 1 to 200 characters of UTF-8 without control characters, the
 * schema's limit (sql/001_baseline.sql); another is a usage error (exit
 * 2) and nothing is written. Each command is one statement.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "db.h"
#include "util.h"

#define ORG_USAGE "org add NAME | org list"
#define ACCOUNT_USAGE "account add ORG_ID NAME"
#define NAME_CHARS_MAX 200

/* NULL when s may be a name, else what is wrong with it. */
static const char *
name_problem(const char *s)
{
	size_t len = strlen(s), i = 0, n, chars = 0;
	unsigned long c;

	while (i < len) {
		if ((n = utf8_char(s + i, len - i, &c)) == 0)
			return "is not UTF-8";
		if (c < 0x20 || (c >= 0x7f && c < 0xa0))
			return "has a control character";
		i += n;
		chars++;
	}
	if (chars == 0 || chars > NAME_CHARS_MAX)
		return "must have 1 to 200 characters";
	return NULL;
}

static int
bad_name(const char *what, const char *problem)
{
	fprintf(stderr, "senderauth-admin: the %s name %s\n", what, problem);
	return ADMIN_USAGE;
}

/* Runs st and prints the new row's id, its column col; exit 1 with
 * message none when it returned no row. */
static int
insert(enum db_stmt st, int n, const char *const *p, int col, const char *none)
{
	PGresult *res;
	int rc = ADMIN_FAIL;

	if (admin_db() == -1 || (res = db_exec(st, n, p)) == NULL)
		return ADMIN_FAIL;
	if (PQntuples(res) == 1) {
		printf("%s\n", PQgetvalue(res, 0, col));
		rc = ADMIN_OK;
	} else {
		fprintf(stderr, "senderauth-admin: %s\n", none);
	}
	PQclear(res);
	return rc;
}

/* A name as one field of a line: control characters (a portal's SQL may
 * have written any) shown as '?'. */
static void
put_field(const char *s)
{
	for (; *s != '\0'; s++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

static int
org_list(void)
{
	PGresult *res;
	int i;

	if (admin_db() == -1 || (res = db_exec(DB_ORG_LIST, 0, NULL)) == NULL)
		return ADMIN_FAIL;
	for (i = 0; i < PQntuples(res); i++) {
		printf("%s\t", PQgetvalue(res, i, ORG_LIST_ID));
		put_field(PQgetvalue(res, i, ORG_LIST_NAME));
		printf("\t%s\n", PQgetvalue(res, i, ORG_LIST_ACCOUNTS));
	}
	PQclear(res);
	return ADMIN_OK;
}

int
admin_org(int argc, char **argv)
{
	const char *problem, *p[1];

	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return org_list();
	if (argc != 3 || strcmp(argv[1], "add") != 0)
		return admin_usage(ORG_USAGE);
	if ((problem = name_problem(argv[2])) != NULL)
		return bad_name("organization", problem);
	p[0] = argv[2];
	return insert(DB_ORG_INSERT, 1, p, ORG_INSERT_ID,
		      "no organization added");
}

int
admin_account(int argc, char **argv)
{
	char msg[64 + NUMBUF];
	const char *problem, *p[2];
	long org;

	if (argc != 4 || strcmp(argv[1], "add") != 0)
		return admin_usage(ACCOUNT_USAGE);
	if (parse_long(argv[2], 1, LONG_MAX, &org) == -1)
		return admin_usage(ACCOUNT_USAGE " (ORG_ID: a number)");
	if ((problem = name_problem(argv[3])) != NULL)
		return bad_name("account", problem);
	p[0] = argv[2];
	p[1] = argv[3];
	snprintf(msg, sizeof msg, "no organization %ld: no account added", org);
	return insert(DB_ACCOUNT_INSERT, 2, p, ACCOUNT_INSERT_ID, msg);
}
