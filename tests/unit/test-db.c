/*
 * test-db - the start-up check of the statement catalogue: a description
 * of a prepared statement with another number of columns (or parameters)
 * than db.h names fails. The descriptions are made here (libpq's
 * PQmakeEmptyPGresult), so no database is needed; every binary that
 * connects runs the same check against PostgreSQL's.
 */
#include <stdio.h>

#include "db.h"
#include "t.h"

static const struct {
	enum db_stmt st;
	int ncols;
	int want; /* db_check_shape() */
} rows[] = {
    {DB_DOMAIN_LIST, DOMAIN_LIST__MAX, 0},
    {DB_DOMAIN_LIST, DOMAIN_LIST__MAX - 1, -1},
    {DB_DOMAIN_LIST, DOMAIN_LIST__MAX + 1, -1},
    {DB_ACCOUNT, ACCOUNT__MAX, 0},
    {DB_ACCOUNT, 0, -1},
    {DB_EVENT_LIST, EVENT_LIST__MAX, 0},
    {DB_ADDR_INSERT, ADDR_STORE__MAX, 0},
    {DB_ADDR_UPDATE, ADDR_STORE__MAX, 0},
    {DB_KEY_INSERT, 0, 0}, /* returns nothing */
    {DB_KEY_INSERT, 1, -1},
    {DB_BEGIN, 0, 0},
    /* named parameters: a description without them fails */
    {DB_SWEEP_CLAIM, SWEEP_CLAIM__MAX, -1},
    {DB_SWEEP_SAVE, SWEEP_SAVE__MAX, -1},
};

/* A description with n columns and no parameters. */
static PGresult *
described(int n)
{
	PGresAttDesc att[32];
	PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_COMMAND_OK);
	int i;

	for (i = 0; i < n && i < 32; i++) {
		memset(&att[i], 0, sizeof att[i]);
		att[i].name = "c";
		att[i].typid = 25; /* text */
		att[i].typlen = -1;
		att[i].atttypmod = -1;
	}
	if (r != NULL && n > 0 && !PQsetResultAttrs(r, n, att)) {
		PQclear(r);
		return NULL;
	}
	return r;
}

int
main(void)
{
	PGresult *r;
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		r = described(rows[i].ncols);
		t_ok(r != NULL && PQnfields(r) == rows[i].ncols &&
			 db_check_shape(rows[i].st, r) == rows[i].want,
		     "statement %d described with %d columns: %s",
		     (int)rows[i].st, rows[i].ncols,
		     rows[i].want == 0 ? "accepted" : "refused");
		PQclear(r);
	}
	return t_done();
}
