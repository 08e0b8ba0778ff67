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
	DB_KEY_NEXT_ID,
	DB_ADDR_NEXT_ID,
	DB_KEY_OTHERS,
	DB_KEY_RETIRE_DUE,
	DB_DOMAIN_ROTATE,
	DB_ROTATE_DUE,
	DB_POOL_TAKE,
	DB_POOL_NEXT_ID,
	DB_POOL_INSERT,
	DB_POOL_COUNT,
	DB_ORG_INSERT,
	DB_ORG_LIST,
	DB_ACCOUNT_INSERT,
	DB_RUN_RECORD,
	DB_DOMAIN_COUNTS,
	DB_KEY_COUNTS,
	DB_STATUS,
	DB_DOMAIN_NAME,
	DB_NOTIFY_CLAIM,
	DB_NOTIFY_SENT,
	DB_NOTIFY_RELEASE,
	DB__MAX
};

/*
 * The result columns of each statement that returns rows, in the order of
 * its SELECT list or RETURNING clause in db.c: code reads
 * PQgetvalue(res, i, DOMAIN_LIST_NAME), never a number. db_connect()
 * compares each __MAX with what PostgreSQL describes for the prepared
 * statement and fails when they differ; a statement without an enum here
 * returns no columns.
 */
enum { ACCOUNT_NAME, ACCOUNT_ORG_NAME, ACCOUNT__MAX };
enum {
	ADDR_LIST_ID,
	ADDR_LIST_ADDRESS,
	ADDR_LIST_SMTP_HOST,
	ADDR_LIST_SMTP_PORT,
	ADDR_LIST_SMTP_USER,
	ADDR_LIST_PASSWORD_SET, /* 't' / 'f' */
	ADDR_LIST_NOTE,
	ADDR_LIST_ACCOUNT_ID, /* the registrant */
	ADDR_LIST_ACCOUNT_NAME,
	ADDR_LIST_CREATED_AT,
	/* the domain of its key, as DOMAIN_LIST_NAME spells a domain: the
	 * page finds the sending gate there (lib/web/page.c) */
	ADDR_LIST_DOMAIN,
	ADDR_LIST__MAX
};
enum {
	ADDR_GET_ID,
	ADDR_GET_ADDRESS,
	ADDR_GET_SMTP_HOST,
	ADDR_GET_SMTP_PORT,
	ADDR_GET_SMTP_USER,
	ADDR_GET_PASSWORD_SET,
	ADDR_GET_NOTE,
	ADDR_GET_ACCOUNT_ID,
	ADDR_GET__MAX
};
enum {
	ADDR_BY_KEY_ID,
	ADDR_BY_KEY_ADDRESS,
	ADDR_BY_KEY_ACCOUNT_NAME,
	ADDR_BY_KEY__MAX
};
/* DB_ADDR_INSERT and DB_ADDR_UPDATE, a pair: the address stored */
enum { ADDR_STORE_ID, ADDR_STORE__MAX };
enum { ADDR_DELETE_ADDRESS, ADDR_DELETE__MAX };
enum {
	EVENT_LIST_ID,
	EVENT_LIST_AT,
	EVENT_LIST_ACTION,
	EVENT_LIST_OBJECT_TYPE,
	EVENT_LIST_OBJECT_ID,
	EVENT_LIST_OBJECT_NAME,
	EVENT_LIST_DETAIL,
	EVENT_LIST_ACCOUNT_ID, /* NULL: the verifier */
	EVENT_LIST_ACCOUNT_NAME,
	/* a status change or a check (sql/005): the status before and
	 * after and the reason after, per record; NULL for other events
	 * and for those written before 005 (their detail is text) */
	EVENT_LIST_OLD_SPF,
	EVENT_LIST_NEW_SPF,
	EVENT_LIST_SPF_REASON,
	EVENT_LIST_OLD_DKIM,
	EVENT_LIST_NEW_DKIM,
	EVENT_LIST_DKIM_REASON,
	EVENT_LIST__MAX
};
enum {
	DOMAIN_LIST_ID,
	DOMAIN_LIST_NAME,
	DOMAIN_LIST_UNICODE,
	DOMAIN_LIST_CREATED_AT,
	DOMAIN_LIST_SPF_RECORD,
	DOMAIN_LIST_SPF_STATUS,
	DOMAIN_LIST_SPF_REASON,
	DOMAIN_LIST_SPF_FOUND,
	DOMAIN_LIST_SPF_SUGGESTED,
	DOMAIN_LIST_DKIM_STATUS,
	DOMAIN_LIST_DKIM_REASON,
	DOMAIN_LIST_DKIM_FOUND, /* NULL: the record issued
				   (sql/001_baseline.sql) */
	DOMAIN_LIST_DMARC_STATUS,
	DOMAIN_LIST_DMARC_REASON,
	DOMAIN_LIST_DMARC_POLICY,
	DOMAIN_LIST_CHECKED_AT,
	DOMAIN_LIST_VERIFIED_AT,
	DOMAIN_LIST_SELECTOR, /* the key the status follows; NULL: none */
	DOMAIN_LIST_BITS,
	DOMAIN_LIST_PUBLIC_KEY,
	DOMAIN_LIST_TEMPFAIL_AT,
	DOMAIN_LIST_KEY_STATE, /* active | pending */
	/* "<address> <result>" per line: RFC 7208 per platform address */
	DOMAIN_LIST_SPF_RESULTS,
	DOMAIN_LIST_DMARC_ORG_DOMAIN, /* "": the domain's own record */
	/* authoritative | recursive; NULL: no lookup (sql/006) */
	DOMAIN_LIST_SPF_VIA,
	DOMAIN_LIST_DKIM_VIA,
	DOMAIN_LIST_DMARC_VIA,
	/* 't': DB_KEY_OTHERS has rows for it (a rotation, a key retired) */
	DOMAIN_LIST_OTHER_KEYS,
	DOMAIN_LIST__MAX
};
enum {
	DOMAIN_GET_ID,
	DOMAIN_GET_NAME,
	DOMAIN_GET_UNICODE,
	DOMAIN_GET_HAS_ACTIVE, /* 't': an active DKIM key (rotation) */
	DOMAIN_GET_HAS_KEY,    /* 't': a key was ever issued */
	DOMAIN_GET_TEMPFAIL,   /* 't': the last check could not ask DNS */
	DOMAIN_GET__MAX
};
/* a domain of the organization by id, deleted or not: what a notice
 * names */
enum { DOMAIN_NAME_UNICODE, DOMAIN_NAME__MAX };
/* alerts of the outbox (sql/005) claimed by a sender: $1 the owner, $2
 * the lease in seconds, $3 the last id this run claimed, $4 how many */
enum {
	NOTIFY_CLAIM_ID,
	NOTIFY_CLAIM_CHANNEL, /* mail | webhook */
	NOTIFY_CLAIM_KIND,    /* regression | completion */
	NOTIFY_CLAIM_ORG_ID,
	NOTIFY_CLAIM_DOMAIN_ID,
	NOTIFY_CLAIM_DOMAIN, /* U-label form */
	NOTIFY_CLAIM_RCPT,   /* mail: addresses, comma-separated */
	NOTIFY_CLAIM_SPF_STATUS,
	NOTIFY_CLAIM_SPF_REASON,
	NOTIFY_CLAIM_DKIM_STATUS,
	NOTIFY_CLAIM_DKIM_REASON,
	NOTIFY_CLAIM_AT,
	NOTIFY_CLAIM__MAX
};
enum { DOMAIN_BY_NAME_ID, DOMAIN_BY_NAME__MAX };
enum { DOMAIN_WAS_DELETED_ONE, DOMAIN_WAS_DELETED__MAX };
enum { DOMAIN_INSERT_ID, DOMAIN_INSERT__MAX };
enum { DOMAIN_DELETE_NAME, DOMAIN_DELETE__MAX };
enum { KEY_LOCK_VOID, KEY_LOCK__MAX }; /* pg_advisory_xact_lock() */
enum { KEY_SELECTORS_SELECTOR, KEY_SELECTORS__MAX };
enum { NOW_TEXT, NOW__MAX };
enum {
	SWEEP_CLAIM_ID,
	SWEEP_CLAIM_NAME,
	SWEEP_CLAIM_DKIM, /* "<selector> <p>" of the key the status follows */
	SWEEP_CLAIM_DKIM_NEXT, /* the pending key during a rotation, or NULL */
	SWEEP_CLAIM_DUE,
	SWEEP_CLAIM_CLAIM,
	/* SPF and DKIM verified, no key pending: a recheck, asked through the
	 * recursive resolver unless authoritative_recheck */
	SWEEP_CLAIM_SETTLED,
	SWEEP_CLAIM__MAX
};
enum { SWEEP_SAVE_WRITTEN, SWEEP_SAVE__MAX };
/* the keys of the organization's domains the page shows beside the one
 * the status follows: a rotation's pending key, retiring keys, keys
 * retired in the last 30 days */
enum {
	KEY_OTHERS_DOMAIN_ID,
	KEY_OTHERS_STATE,
	KEY_OTHERS_SELECTOR,
	KEY_OTHERS_BITS,
	KEY_OTHERS_PUBLIC_KEY,
	KEY_OTHERS_CREATED_AT,
	KEY_OTHERS_NEXT_STATUS,
	KEY_OTHERS_NEXT_REASON,
	KEY_OTHERS_UNTIL,     /* retiring: when its record may go */
	KEY_OTHERS_REMOVABLE, /* 't': that time has passed */
	KEY_OTHERS_RETIRED_AT,
	KEY_OTHERS__MAX
};
/* DB_KEY_NEXT_ID, DB_ADDR_NEXT_ID, DB_POOL_NEXT_ID (db_next_id) */
enum { NEXT_ID_ID, NEXT_ID__MAX };
enum { KEY_RETIRE_DUE_COUNT, KEY_RETIRE_DUE__MAX };
/* domains whose active key is older than dkim_rotate_days */
enum {
	ROTATE_DUE_ID,
	ROTATE_DUE_ORG,
	ROTATE_DUE_NAME,
	ROTATE_DUE_UNICODE,
	ROTATE_DUE__MAX
};
enum { POOL_TAKE_ID, POOL_TAKE_PUBLIC_KEY, POOL_TAKE_SEALED, POOL_TAKE__MAX };
enum { POOL_COUNT_N, POOL_COUNT__MAX };
/* provisioning (senderauth-admin org, account) */
enum { ORG_INSERT_ID, ORG_INSERT__MAX };
enum { ORG_LIST_ID, ORG_LIST_NAME, ORG_LIST_ACCOUNTS, ORG_LIST__MAX };
enum { ACCOUNT_INSERT_ID, ACCOUNT_INSERT__MAX }; /* no row: no such org */
/* one row per verify_status, in the enum's order: the live domains whose
 * SPF, and whose DKIM, is in it */
enum {
	DOMAIN_COUNTS_STATUS,
	DOMAIN_COUNTS_SPF,
	DOMAIN_COUNTS_DKIM,
	DOMAIN_COUNTS__MAX
};
/* one row per dkim_key_state, in the enum's order: the live domains' keys */
enum { KEY_COUNTS_STATE, KEY_COUNTS_N, KEY_COUNTS__MAX };
/* senderauth-admin status: one row; the DUE columns are NULL without a
 * domain, the RUN columns without a completed run */
enum {
	STATUS_DUE_NAME, /* the domain due first */
	STATUS_DUE_AT,
	STATUS_DUE_LATE_S, /* negative: due in that many seconds */
	STATUS_RUN_FINISHED,
	STATUS_RUN_HOST,
	STATUS_RUN_AGE_S,
	STATUS_RUN_CHECKED,
	STATUS_RUN_VERIFIED,
	STATUS_RUN_UNVERIFIED,
	STATUS_RUN_TEMPFAIL,
	STATUS_RUN_SECONDS,
	STATUS_RUN_FRESH,    /* 't': finished within three periods ($1) */
	STATUS_CLAIMS,	     /* live claims */
	STATUS_POOL,	     /* keys in the pool */
	STATUS_ALERTS,	     /* alerts not sent yet */
	STATUS_ALERTS_SINCE, /* the oldest of them was made; NULL: none */
	STATUS_ALERTS_TRIES, /* the most tries of one of them */
	STATUS__MAX
};
/* every active key, for the signer (senderauth-admin export-keys) */
enum {
	KEY_EXPORT_ID,
	KEY_EXPORT_ORG,
	KEY_EXPORT_DOMAIN,
	KEY_EXPORT_SELECTOR,
	KEY_EXPORT_SEALED,
	KEY_EXPORT__MAX
};

/*
 * The parameters of the verifier's batch statements by name ($1 is the
 * first), checked against PostgreSQL at connect like the columns. The
 * arguments of sa_claim() (sql/002_dkim_lifecycle.sql) and
 * sa_save_verdicts() (sql/005_event_codes_outbox.sql).
 */
enum {
	CLAIM_P_LIMIT,
	CLAIM_P_LEASE_S,
	CLAIM_P_OWNER,
	CLAIM_P_START,
	CLAIM_P_DOMAIN,	   /* NULL: every due domain */
	CLAIM_P_AFTER_DUE, /* NULL: from the first */
	CLAIM_P_AFTER_ID,
	CLAIM_P__MAX
};
/* Arrays with one element per verdict up to SAVE_P_DMARC_ORG_DOMAIN,
 * then the batch's own values. */
enum {
	SAVE_P_ID,
	SAVE_P_CLAIM,
	SAVE_P_DUE,
	SAVE_P_SPF_STATUS,
	SAVE_P_SPF_REASON,
	SAVE_P_SPF_FOUND,
	SAVE_P_SPF_SUGGESTED,
	SAVE_P_SPF_LOOKUPS,
	SAVE_P_DKIM_STATUS,
	SAVE_P_DKIM_REASON,
	SAVE_P_DKIM_FOUND,
	SAVE_P_DMARC_STATUS,
	SAVE_P_DMARC_REASON,
	SAVE_P_DMARC_POLICY,
	SAVE_P_NEXT_STATUS, /* the rotation's pending key; NULL: none */
	SAVE_P_NEXT_REASON,
	SAVE_P_SPF_RESULTS,	 /* "<address> <result>" lines */
	SAVE_P_DMARC_ORG_DOMAIN, /* "": the domain's own record or none */
	/* which way each part's answers came: authoritative | recursive, ""
	 * when the part needed no lookup, NULL to keep the stored value (a
	 * part that could not ask DNS) */
	SAVE_P_SPF_VIA,
	SAVE_P_DKIM_VIA,
	SAVE_P_DMARC_VIA,
	SAVE_P_OWNER,
	SAVE_P_DONE, /* the claims this batch ends */
	SAVE_P_NEW_HOURS,
	SAVE_P_NEW_INTERVAL_S,
	SAVE_P_MIN_INTERVAL_S,
	SAVE_P_MAX_INTERVAL_S,
	SAVE_P_RETRY_S,
	SAVE_P_ACCOUNT,	     /* 今すぐ確認's account; NULL: the verifier */
	SAVE_P_NOTIFY_MIN_S, /* notify_min_interval_s */
	SAVE_P_WEBHOOK,	     /* notify_url is set: alerts get a webhook row */
	SAVE_P__MAX
};
#define SAVE_P_NARRAYS SAVE_P_OWNER /* the per-verdict arrays come first */

/* Connects (conninfo NULL or "": libpq's defaults, the PG* environment)
 * and prepares every statement, checking each one's columns (and named
 * parameters) against the enums above; 0 / -1. */
int db_connect(const char *conninfo);
/* Makes sure the connection is usable, reconnecting when it was lost;
 * 0 / -1 (then the request answers 503). */
int db_ensure(void);
void db_close(void);
/* Whether desc, PostgreSQL's description of prepared statement st, has
 * the columns (and named parameters) db.h gives it; 0, or -1 with a log
 * line naming both. Part of db_connect(), and of the unit tests. */
int db_check_shape(enum db_stmt, const PGresult *desc);

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

/* The id the next row of a table will have (DB_ADDR_NEXT_ID,
 * DB_KEY_NEXT_ID, DB_POOL_NEXT_ID: its sequence's nextval), so a secret
 * can be sealed for that row before it is inserted; -1 on failure. */
long db_next_id(enum db_stmt);

int db_begin(void);
int db_commit(void);
/* Rolls back when a transaction is open. */
void db_rollback(void);

#endif
