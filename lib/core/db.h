/*
 * db.h - the one PostgreSQL connection of a process and the catalogue of
 * every SQL statement the project runs, prepared at connect. Values travel
 * only as $n parameters. A connection lost between requests is
 * re-established by db_ensure() at the top of the next one.
 */
#ifndef SA_DB_H
#define SA_DB_H

#include <libpq-fe.h>

enum db_stmt {
	DB_BEGIN,
	DB_COMMIT,
	DB_ROLLBACK,
	DB_ACCOUNT,
	DB_ADDR_LIST,
	DB_ADDR_GET,
	DB_ADDR_BY_KEY,
	DB_ADDR_INSERT,
	DB_ADDR_UPDATE,
	DB_ADDR_DELETE,
	DB_EVENT_INSERT,
	DB_EVENT_LIST,
	DB_DOMAIN_LIST,
	DB_DOMAIN_GET,
	DB_DOMAIN_BY_NAME,
	DB_DOMAIN_WAS_DELETED,
	DB_DOMAIN_INSERT,
	DB_DOMAIN_DELETE,
	DB_DOMAIN_RESET_DKIM,
	DB_KEY_LOCK,
	DB_KEY_SELECTORS,
	DB_KEY_INSERT,
	DB_KEY_RETIRE,
	DB_NOW,
	DB_SWEEP_CLAIM,
	DB_SWEEP_SAVE,
	DB_SWEEP_RELEASE,
	DB_KEY_EXPORT,
	DB__MAX
};

/* Columns of DB_KEY_EXPORT: every active key, to hand to the signer. */
enum {
	KEY_EXPORT_ID,
	KEY_EXPORT_ORG,
	KEY_EXPORT_DOMAIN,
	KEY_EXPORT_SELECTOR,
	KEY_EXPORT_SEALED,
	KEY_EXPORT__MAX
};

/* Connects and prepares every statement; 0 / -1. */
int db_connect(const char *conninfo);
/* Makes sure the connection is usable, reconnecting when it was lost;
 * 0 / -1 (then the request answers 503). */
int db_ensure(void);
void db_close(void);

/* Runs a prepared statement with text parameters (NULL = SQL NULL).
 * Returns the result when it succeeded (tuples or command OK), else NULL
 * with db_sqlstate() telling why; the caller PQclear()s the result. */
PGresult *db_exec(enum db_stmt, int n, const char *const *params);
/* The same with lengths and formats (1 = binary, for bytea). */
PGresult *db_execb(enum db_stmt, int n, const char *const *params,
		   const int *lengths, const int *formats);
/* Runs n statements that change nothing in one round trip (libpq
 * pipeline mode): res[i] receives each result. 0, or -1 with every res[i]
 * NULL. */
int db_exec_all(int n, const enum db_stmt *st, const int *nparams,
		const char *const *const *params, PGresult **res);
/* Runs a statement that returns no rows; 0 / -1. */
int db_run(enum db_stmt, int n, const char *const *params);
/* SQLSTATE of the last failure ("" when none, "08006" when the connection
 * was lost). */
const char *db_sqlstate(void);
int db_unique_violation(void);

/*
 * Connections of their own for statements sent without waiting (the
 * verifier claims and writes while DNS answers arrive). One statement in
 * flight per connection; each is its own transaction.
 */
struct db_async;
struct db_async *db_async_open(void);
void db_async_close(struct db_async *);
/* Sends a statement; the previous one's result must have been taken.
 * 0 / -1. */
int db_async_send(struct db_async *, enum db_stmt, int n,
		  const char *const *params);
/* 1 when a statement is in flight. */
int db_async_busy(const struct db_async *);
/* 1 when the result of the statement in flight can be taken without
 * waiting (reads what has arrived). */
int db_async_ready(struct db_async *);
/* The connection's socket while a statement is in flight, else -1: what
 * an event loop waits on for its answer. */
int db_async_socket(const struct db_async *);
/* The result of the statement in flight, waiting for it if need be; NULL
 * when it failed. The caller PQclear()s it. */
PGresult *db_async_result(struct db_async *);

int db_begin(void);
int db_commit(void);
/* Rolls back when a transaction is open. */
void db_rollback(void);

#endif
