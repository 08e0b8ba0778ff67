/*
 * db.c - the PostgreSQL connection and the statement catalogue.
 *
 * Every statement of the project is in the table below, prepared once per
 * connection under its enum index. Times leave the database through
 * sa_ts() (sql/001_baseline.sql): ISO 8601 in Japan time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "util.h"

/* Whether key K (a dkim_keys alias) is one the page shows beside the
 * domain's key (DB_KEY_OTHERS): the one being retired, one retired in the
 * last 30 days after it signed, or the next one while another signs.
 * Subqueries here are scalar with LIMIT 1, not EXISTS: PostgreSQL plans
 * an EXISTS both hashed and per row and sets up both on every execution,
 * which made DB_DOMAIN_LIST cost half as much again (pgbench, prepared,
 * an organization without domains: 83 against 62 microseconds). */
#define OTHER_KEY(k)                                                           \
	"(" k ".state = 'retiring'"                                            \
	" OR (" k ".state = 'retired' AND " k ".activated_at IS NOT NULL"      \
	"  AND " k ".retired_at > now() - interval '30 days')"                 \
	" OR (" k ".state = 'pending' AND (SELECT true FROM dkim_keys a"       \
	"  WHERE a.domain_id = " k ".domain_id AND a.state = 'active'"         \
	"  LIMIT 1) IS NOT NULL))"

/* clang-format off */
static const char *const sql[DB__MAX] = {
[DB_BEGIN] = "BEGIN",
[DB_COMMIT] = "COMMIT",
[DB_ROLLBACK] = "ROLLBACK",
[DB_ACCOUNT] =
	"SELECT a.name, o.name FROM accounts a"
	" JOIN organizations o ON o.id = a.org_id"
	" WHERE a.id = $1 AND a.org_id = $2",
[DB_ADDR_LIST] =
	"SELECT s.id, s.address, s.smtp_host, s.smtp_port, s.smtp_user,"
	" s.smtp_password_sealed IS NOT NULL, s.note, a.id, a.name,"
	" sa_ts(s.created_at), split_part(s.addr_key, '@', 2)"
	" FROM sender_addresses s JOIN accounts a ON a.id = s.account_id"
	" WHERE s.org_id = $1 ORDER BY s.id",
[DB_ADDR_GET] =
	"SELECT s.id, s.address, s.smtp_host, s.smtp_port, s.smtp_user,"
	" s.smtp_password_sealed IS NOT NULL, s.note, s.account_id"
	" FROM sender_addresses s WHERE s.id = $1 AND s.org_id = $2",
[DB_ADDR_BY_KEY] =
	"SELECT s.id, s.address, a.name"
	" FROM sender_addresses s JOIN accounts a ON a.id = s.account_id"
	" WHERE s.org_id = $1 AND s.addr_key = $2",
/* the parameters of DB_ADDR_UPDATE; the id from DB_ADDR_NEXT_ID, so the
 * password is sealed for its row */
[DB_ADDR_INSERT] =
	"INSERT INTO sender_addresses (id, org_id, account_id, address,"
	" addr_key, smtp_host, smtp_port, smtp_password_sealed, smtp_user,"
	" note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
[DB_ADDR_NEXT_ID] = "SELECT nextval('sender_addresses_id_seq')",
/* $8 NULL keeps the sealed password */
[DB_ADDR_UPDATE] =
	"UPDATE sender_addresses SET address = $4, addr_key = $5,"
	" smtp_host = $6, smtp_port = $7,"
	" smtp_password_sealed = COALESCE($8, smtp_password_sealed),"
	" smtp_user = $9, note = $10, updated_at = now()"
	" WHERE id = $1 AND org_id = $2 AND account_id = $3 RETURNING id",
[DB_ADDR_DELETE] =
	"DELETE FROM sender_addresses"
	" WHERE id = $1 AND org_id = $2 AND account_id = $3"
	" RETURNING address",
[DB_EVENT_INSERT] =
	"INSERT INTO events (org_id, account_id, action, object_type,"
	" object_id, object_name, detail)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7)",
[DB_EVENT_LIST] =
	"SELECT e.id, sa_ts(e.created_at), e.action, e.object_type,"
	" e.object_id, e.object_name, e.detail, e.account_id, a.name,"
	" e.old_spf, e.new_spf, e.spf_reason, e.old_dkim, e.new_dkim,"
	" e.dkim_reason"
	" FROM events e LEFT JOIN accounts a ON a.id = e.account_id"
	" WHERE e.org_id = $1 ORDER BY e.id DESC LIMIT 500",
/* domains with the key their DKIM status follows: the active one, else
 * the pending one */
[DB_DOMAIN_LIST] =
	"SELECT d.id, d.name, d.unicode_name, sa_ts(d.created_at),"
	" d.spf_record, d.spf_status, d.spf_reason, d.spf_found,"
	" d.spf_suggested, d.dkim_status, d.dkim_reason, d.dkim_found,"
	" d.dmarc_status, d.dmarc_reason, d.dmarc_policy,"
	" sa_ts(d.checked_at), sa_ts(d.verified_at),"
	" k.selector, k.bits, k.public_key, sa_ts(d.tempfail_at), k.state,"
	" d.spf_results, d.dmarc_org_domain, d.spf_via, d.dkim_via,"
	" d.dmarc_via, o.other IS NOT NULL"
	" FROM domains d LEFT JOIN LATERAL (SELECT * FROM dkim_keys k"
	"  WHERE k.domain_id = d.id AND k.state IN ('active', 'pending')"
	"  ORDER BY k.state = 'active' DESC LIMIT 1) k ON true"
	" LEFT JOIN LATERAL (SELECT true AS other FROM dkim_keys o"
	"  WHERE o.domain_id = d.id AND " OTHER_KEY("o") " LIMIT 1) o ON true"
	" WHERE d.org_id = $1 AND d.deleted_at IS NULL ORDER BY d.id",
[DB_DOMAIN_GET] =
	"SELECT d.id, d.name, d.unicode_name,"
	" EXISTS (SELECT FROM dkim_keys k"
	"  WHERE k.domain_id = d.id AND k.state = 'active'),"
	" EXISTS (SELECT FROM dkim_keys k WHERE k.domain_id = d.id),"
	" d.tempfail_at IS NOT NULL"
	" FROM domains d"
	" WHERE d.id = $1 AND d.org_id = $2 AND d.deleted_at IS NULL",
[DB_DOMAIN_NAME] =
	"SELECT unicode_name FROM domains WHERE id = $1 AND org_id = $2",
/* the alerts' sender (lib/verify/notify.c): claims with a lease, in id
 * order after $3; a claim whose lease ran out is taken again */
[DB_NOTIFY_CLAIM] =
	"UPDATE notify_outbox o SET claim_owner = $1,"
	" claimed_until = now() + make_interval(secs => $2),"
	" attempts = o.attempts + 1"
	" FROM (SELECT id FROM notify_outbox WHERE sent_at IS NULL"
	"  AND id > $3 AND (claimed_until IS NULL OR claimed_until < now())"
	"  ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) c"
	" WHERE o.id = c.id"
	" RETURNING o.id, o.channel, o.kind, o.org_id, o.domain_id,"
	" o.domain_name, o.rcpt, o.spf_status, o.spf_reason, o.dkim_status,"
	" o.dkim_reason, sa_ts(o.created_at)",
/* $1 the row, $2 the owner: only while the claim is still its own */
[DB_NOTIFY_SENT] =
	"UPDATE notify_outbox SET sent_at = now(), claimed_until = NULL"
	" WHERE id = $1 AND claim_owner = $2 AND sent_at IS NULL",
[DB_NOTIFY_RELEASE] =
	"UPDATE notify_outbox SET claimed_until = NULL"
	" WHERE id = $1 AND claim_owner = $2 AND sent_at IS NULL",
[DB_DOMAIN_BY_NAME] =
	"SELECT id FROM domains"
	" WHERE org_id = $1 AND name = $2 AND deleted_at IS NULL",
[DB_DOMAIN_WAS_DELETED] =
	"SELECT 1 FROM domains"
	" WHERE org_id = $1 AND name = $2 AND deleted_at IS NOT NULL LIMIT 1",
[DB_DOMAIN_INSERT] =
	"INSERT INTO domains (org_id, name, unicode_name, created_by,"
	" spf_record) VALUES ($1, $2, $3, $4, $5) RETURNING id",
[DB_DOMAIN_DELETE] =
	"UPDATE domains SET deleted_at = now()"
	" WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL"
	" RETURNING name",
[DB_DOMAIN_RESET_DKIM] =
	"UPDATE domains SET dkim_status = 'pending', dkim_reason = '',"
	" dkim_found = '', due_at = now(), issued_at = now(), interval_s = 0"
	" WHERE id = $1",
/* serializes selector choice per domain name across organizations */
[DB_KEY_LOCK] =
	"SELECT pg_advisory_xact_lock(hashtext('dkim:' || $1))",
[DB_KEY_SELECTORS] =
	"SELECT selector FROM dkim_keys"
	" WHERE domain_name = $1 AND selector LIKE $2 || '%'",
/* a new key is pending; its id is taken first, to seal it for its row */
[DB_KEY_INSERT] =
	"INSERT INTO dkim_keys (id, domain_id, domain_name, selector, bits,"
	" public_key, private_sealed) VALUES ($1, $2, $3, $4, $5, $6, $7)",
/* the pending key a new one replaces (the active one stays) */
[DB_KEY_RETIRE] =
	"UPDATE dkim_keys SET state = 'retired', retired_at = now()"
	" WHERE domain_id = $1 AND state = 'pending'",
[DB_NOW] = "SELECT now()::text",
/* the verifier's batches: sql/001_baseline.sql, sa_claim as of 007,
 * sa_save_verdicts as of 007 */
[DB_SWEEP_CLAIM] =
	"SELECT c.id, c.name, c.dkim, c.dkim_next, c.due, c.claim,"
	" c.dkim_next IS NULL AND coalesce((SELECT d.spf_status = 'verified'"
	"  AND d.dkim_status = 'verified' FROM domains d WHERE d.id = c.id),"
	"  false) AS settled"
	" FROM sa_claim($1, $2, $3, $4, $5, $6, $7) c",
[DB_SWEEP_SAVE] =
	"SELECT sa_save_verdicts($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
	" $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,"
	" $24, $25, $26, $27, $28, $29, $30, $31)",
/* the claims a run leaves at its end, so the next run need not wait */
[DB_SWEEP_RELEASE] =
	"DELETE FROM domain_claims WHERE owner = $1",
/* the signer's keys (senderauth-admin export-keys) */
[DB_KEY_EXPORT] =
	"SELECT k.id, d.org_id, d.name, k.selector, k.private_sealed"
	" FROM dkim_keys k JOIN domains d ON d.id = k.domain_id"
	" WHERE k.state = 'active' AND d.deleted_at IS NULL"
	" ORDER BY d.name, k.selector",
[DB_KEY_NEXT_ID] = "SELECT nextval('dkim_keys_id_seq')",
/* $2: dkim_retire_days */
[DB_KEY_OTHERS] =
	"SELECT k.domain_id, k.state, k.selector, k.bits, k.public_key,"
	" sa_ts(k.created_at), k.next_status, k.next_reason,"
	" sa_ts(k.retiring_at + make_interval(days => $2)),"
	" k.retiring_at + make_interval(days => $2) <= now(),"
	" sa_ts(k.retired_at)"
	" FROM dkim_keys k JOIN domains d ON d.id = k.domain_id"
	" WHERE d.org_id = $1 AND d.deleted_at IS NULL AND " OTHER_KEY("k")
	" ORDER BY k.domain_id, k.id DESC",
[DB_KEY_RETIRE_DUE] = "SELECT sa_retire_keys($1)",
/* a rotation: the domain's status stays, its checks come soon */
[DB_DOMAIN_ROTATE] =
	"UPDATE domains SET due_at = now(), issued_at = now(), interval_s = 0"
	" WHERE id = $1",
[DB_ROTATE_DUE] =
	"SELECT d.id, d.org_id, d.name, d.unicode_name"
	" FROM domains d JOIN dkim_keys k"
	" ON k.domain_id = d.id AND k.state = 'active'"
	" WHERE d.deleted_at IS NULL"
	" AND k.activated_at <= now() - make_interval(days => $1)"
	" AND NOT EXISTS (SELECT FROM dkim_keys p"
	"  WHERE p.domain_id = d.id AND p.state = 'pending')"
	" ORDER BY d.id",
/* one key of the pool, gone from it whatever the caller does next */
[DB_POOL_TAKE] =
	"DELETE FROM dkim_key_pool WHERE id = (SELECT id FROM dkim_key_pool"
	" WHERE bits = $1 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)"
	" RETURNING id, public_key, private_sealed",
[DB_POOL_NEXT_ID] = "SELECT nextval('dkim_key_pool_id_seq')",
[DB_POOL_INSERT] =
	"INSERT INTO dkim_key_pool (id, bits, public_key, private_sealed)"
	" VALUES ($1, $2, $3, $4)",
[DB_POOL_COUNT] = "SELECT count(*) FROM dkim_key_pool WHERE bits = $1",
/* provisioning: the contract README "Organizations and accounts" gives
 * the portal */
[DB_ORG_INSERT] = "INSERT INTO organizations (name) VALUES ($1) RETURNING id",
[DB_ORG_LIST] =
	"SELECT o.id, o.name, count(a.id) FROM organizations o"
	" LEFT JOIN accounts a ON a.org_id = o.id GROUP BY o.id ORDER BY o.id",
[DB_ACCOUNT_INSERT] =
	"INSERT INTO accounts (org_id, name) SELECT o.id, $2"
	" FROM organizations o WHERE o.id = $1 RETURNING id",
/* a completed `verifier run` (sql/003_verifier_runs.sql); $1 the
 * database's time at its start */
[DB_RUN_RECORD] =
	"WITH old AS (DELETE FROM verifier_runs"
	"  WHERE finished < now() - interval '30 days')"
	" INSERT INTO verifier_runs (started, checked, verified, unverified,"
	" tempfail, seconds, host) VALUES ($1, $2, $3, $4, $5, $6, $7)",
/* one scan of domains into at most 16 groups, spread over the statuses */
[DB_DOMAIN_COUNTS] =
	"SELECT s.status::text,"
	" coalesce(sum(c.n) FILTER (WHERE c.spf = s.status), 0)::bigint,"
	" coalesce(sum(c.n) FILTER (WHERE c.dkim = s.status), 0)::bigint"
	" FROM unnest(enum_range(NULL::verify_status)) AS s (status)"
	" LEFT JOIN (SELECT spf_status AS spf, dkim_status AS dkim,"
	"  count(*) AS n FROM domains WHERE deleted_at IS NULL GROUP BY 1, 2) c"
	" ON s.status IN (c.spf, c.dkim)"
	" GROUP BY s.status ORDER BY s.status",
[DB_KEY_COUNTS] =
	"SELECT s.state::text, count(k.id)"
	" FROM unnest(enum_range(NULL::dkim_key_state)) AS s (state)"
	" LEFT JOIN (dkim_keys k JOIN domains d"
	"  ON d.id = k.domain_id AND d.deleted_at IS NULL) ON k.state = s.state"
	" GROUP BY s.state ORDER BY s.state",
/* $1: verifier_period_s */
[DB_STATUS] =
	"SELECT due.name, sa_ts(due.due_at),"
	" extract(epoch FROM now() - due.due_at)::bigint,"
	" sa_ts(r.finished), r.host,"
	" extract(epoch FROM now() - r.finished)::bigint,"
	" r.checked, r.verified, r.unverified, r.tempfail,"
	" to_char(r.seconds, 'FM999999990.00'),"
	" coalesce(r.finished >= now() - make_interval(secs => 3 * $1::integer),"
	"  false),"
	" (SELECT count(*) FROM domain_claims c WHERE c.until >= now()),"
	" (SELECT count(*) FROM dkim_key_pool),"
	" o.n, sa_ts(o.since), o.tries"
	" FROM (VALUES (1)) AS one (x)"
	" LEFT JOIN LATERAL (SELECT x.name, x.due_at FROM domains x"
	"  WHERE x.deleted_at IS NULL ORDER BY x.due_at, x.id LIMIT 1) due"
	" ON true"
	" LEFT JOIN LATERAL (SELECT * FROM verifier_runs v"
	"  ORDER BY v.finished DESC LIMIT 1) r ON true"
	" CROSS JOIN (SELECT count(*) AS n, min(u.created_at) AS since,"
	"  coalesce(max(u.attempts), 0) AS tries FROM notify_outbox u"
	"  WHERE u.sent_at IS NULL) o",
};

/* The columns each statement returns, the __MAX of its enum in db.h; 0 for
 * those that return none. */
static const int ncols[DB__MAX] = {
[DB_ACCOUNT] = ACCOUNT__MAX,
[DB_ADDR_LIST] = ADDR_LIST__MAX,
[DB_ADDR_GET] = ADDR_GET__MAX,
[DB_ADDR_BY_KEY] = ADDR_BY_KEY__MAX,
[DB_ADDR_INSERT] = ADDR_STORE__MAX,
[DB_ADDR_UPDATE] = ADDR_STORE__MAX,
[DB_ADDR_DELETE] = ADDR_DELETE__MAX,
[DB_EVENT_LIST] = EVENT_LIST__MAX,
[DB_DOMAIN_LIST] = DOMAIN_LIST__MAX,
[DB_DOMAIN_GET] = DOMAIN_GET__MAX,
[DB_DOMAIN_BY_NAME] = DOMAIN_BY_NAME__MAX,
[DB_DOMAIN_WAS_DELETED] = DOMAIN_WAS_DELETED__MAX,
[DB_DOMAIN_INSERT] = DOMAIN_INSERT__MAX,
[DB_DOMAIN_DELETE] = DOMAIN_DELETE__MAX,
[DB_KEY_LOCK] = KEY_LOCK__MAX,
[DB_KEY_SELECTORS] = KEY_SELECTORS__MAX,
[DB_NOW] = NOW__MAX,
[DB_SWEEP_CLAIM] = SWEEP_CLAIM__MAX,
[DB_SWEEP_SAVE] = SWEEP_SAVE__MAX,
[DB_KEY_EXPORT] = KEY_EXPORT__MAX,
[DB_KEY_NEXT_ID] = NEXT_ID__MAX,
[DB_ADDR_NEXT_ID] = NEXT_ID__MAX,
[DB_KEY_OTHERS] = KEY_OTHERS__MAX,
[DB_KEY_RETIRE_DUE] = KEY_RETIRE_DUE__MAX,
[DB_ROTATE_DUE] = ROTATE_DUE__MAX,
[DB_POOL_TAKE] = POOL_TAKE__MAX,
[DB_POOL_NEXT_ID] = NEXT_ID__MAX,
[DB_POOL_COUNT] = POOL_COUNT__MAX,
[DB_ORG_INSERT] = ORG_INSERT__MAX,
[DB_ORG_LIST] = ORG_LIST__MAX,
[DB_ACCOUNT_INSERT] = ACCOUNT_INSERT__MAX,
[DB_DOMAIN_COUNTS] = DOMAIN_COUNTS__MAX,
[DB_KEY_COUNTS] = KEY_COUNTS__MAX,
[DB_STATUS] = STATUS__MAX,
[DB_DOMAIN_NAME] = DOMAIN_NAME__MAX,
[DB_NOTIFY_CLAIM] = NOTIFY_CLAIM__MAX,
};

/* The parameters of the statements that name theirs in db.h; 0: not
 * named, not checked. */
static const int nparams[DB__MAX] = {
[DB_SWEEP_CLAIM] = CLAIM_P__MAX,
[DB_SWEEP_SAVE] = SAVE_P__MAX,
};
/* clang-format on */

static PGconn *conn;
static char *conninfo_saved;

struct db_async {
	PGconn *c;
	int busy;
};
static char sqlstate[6];
static int in_tx;

int
db_check_shape(enum db_stmt st, const PGresult *desc)
{
	int ok = PQnfields(desc) == ncols[st] &&
		 (nparams[st] == 0 || PQnparams(desc) == nparams[st]);

	if (!ok)
		log_warnx("statement %d (%.40s) has %d columns and %d "
			  "parameters, db.h names %d and %d",
			  (int)st, sql[st], PQnfields(desc), PQnparams(desc),
			  ncols[st], nparams[st]);
	return ok ? 0 : -1;
}

/* Prepares each statement and checks what PostgreSQL says it returns
 * against db.h: a SELECT list edited without its enum fails here, at
 * start-up, not on a page. */
static int
db_prepare_all(PGconn *c)
{
	PGresult *r;
	char name[16];
	int i, ok;

	for (i = 0; i < DB__MAX; i++) {
		snprintf(name, sizeof name, "s%d", i);
		r = PQprepare(c, name, sql[i], 0, NULL);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (ok) {
			PQclear(r);
			r = PQdescribePrepared(c, name);
			ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		}
		if (!ok)
			log_warnx("prepare %d: %s", i, PQerrorMessage(c));
		else
			ok = db_check_shape(i, r) == 0;
		PQclear(r);
		if (!ok)
			return -1;
	}
	return 0;
}

static int
db_open(void)
{
	db_close();
	conn = PQconnectdb(conninfo_saved);
	if (PQstatus(conn) != CONNECTION_OK) {
		log_warnx("connect: %s", PQerrorMessage(conn));
		db_close();
		return -1;
	}
	if (db_prepare_all(conn) == -1) {
		db_close();
		return -1;
	}
	return 0;
}

int
db_connect(const char *conninfo)
{
	free(conninfo_saved);
	if ((conninfo_saved = strdup(conninfo != NULL ? conninfo : "")) == NULL)
		return -1;
	return db_open();
}

int
db_ensure(void)
{
	in_tx = 0;
	if (conn != NULL && PQstatus(conn) == CONNECTION_OK) {
		if (PQtransactionStatus(conn) == PQTRANS_IDLE)
			return 0;
		if (db_run(DB_ROLLBACK, 0, NULL) == 0)
			return 0;
	}
	return conninfo_saved ? db_open() : -1;
}

void
db_close(void)
{
	if (conn != NULL)
		PQfinish(conn);
	conn = NULL;
}

struct db_async *
db_async_open(void)
{
	struct db_async *a = calloc(1, sizeof *a);

	if (a == NULL)
		return NULL;
	a->c = PQconnectdb(conninfo_saved ? conninfo_saved : "");
	if (PQstatus(a->c) != CONNECTION_OK || db_prepare_all(a->c) == -1) {
		log_warnx("connect: %s", PQerrorMessage(a->c));
		db_async_close(a);
		return NULL;
	}
	return a;
}

void
db_async_close(struct db_async *a)
{
	if (a == NULL)
		return;
	PQfinish(a->c);
	free(a);
}

int
db_async_send(struct db_async *a, enum db_stmt st, int n,
	      const char *const *params)
{
	char name[16];

	snprintf(name, sizeof name, "s%d", (int)st);
	if (a->busy ||
	    !PQsendQueryPrepared(a->c, name, n, params, NULL, NULL, 0)) {
		log_warnx("send: %s", PQerrorMessage(a->c));
		return -1;
	}
	a->busy = 1;
	return 0;
}

int
db_async_busy(const struct db_async *a)
{
	return a->busy;
}

int
db_async_ready(struct db_async *a)
{
	return a->busy && (!PQconsumeInput(a->c) || !PQisBusy(a->c));
}

int
db_async_socket(const struct db_async *a)
{
	return a->busy ? PQsocket(a->c) : -1;
}

PGresult *
db_async_result(struct db_async *a)
{
	PGresult *r, *res = NULL;
	int ok = 1;

	if (!a->busy)
		return NULL;
	a->busy = 0;
	while ((r = PQgetResult(a->c)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK &&
		    PQresultStatus(r) != PGRES_TUPLES_OK) {
			log_warnx("%s", PQerrorMessage(a->c));
			ok = 0;
		}
		PQclear(res);
		res = r;
	}
	if (!ok) {
		PQclear(res);
		return NULL;
	}
	return res;
}

static PGresult *
db_try(enum db_stmt st, int n, const char *const *params, const int *lengths,
       const int *formats)
{
	char name[16];

	snprintf(name, sizeof name, "s%d", (int)st);
	return PQexecPrepared(conn, name, n, params, lengths, formats, 0);
}

PGresult *
db_execb(enum db_stmt st, int n, const char *const *params, const int *lengths,
	 const int *formats)
{
	ExecStatusType s;
	const char *state;
	PGresult *r;

	r = db_try(st, n, params, lengths, formats);
	/* A connection that died since the last request (a database
	 * restart): outside a transaction nothing is lost by asking again. */
	if (PQstatus(conn) == CONNECTION_BAD && !in_tx && db_open() == 0) {
		PQclear(r);
		r = db_try(st, n, params, lengths, formats);
	}
	s = PQresultStatus(r);
	if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) {
		sqlstate[0] = '\0';
		return r;
	}
	state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	snprintf(sqlstate, sizeof sqlstate, "%s",
		 state != NULL ? state : "08006");
	if (strcmp(sqlstate, "23505") != 0)
		log_warnx("statement %d: %s", (int)st,
			  conn ? PQerrorMessage(conn) : "no connection");
	PQclear(r);
	return NULL;
}

/* One pipelined round trip; 0 / -1. */
static int
db_pipeline(int n, const enum db_stmt *st, const int *np,
	    const char *const *const *params, PGresult **res)
{
	PGresult *r;
	char name[16];
	int i, ok = PQenterPipelineMode(conn) == 1;

	for (i = 0; ok && i < n; i++) {
		snprintf(name, sizeof name, "s%d", (int)st[i]);
		ok = PQsendQueryPrepared(conn, name, np[i], params[i], NULL,
					 NULL, 0) == 1;
	}
	ok = ok && PQpipelineSync(conn) == 1;
	for (i = 0; ok && i < n; i++) {
		res[i] = PQgetResult(conn);
		ok = PQresultStatus(res[i]) == PGRES_TUPLES_OK ||
		     PQresultStatus(res[i]) == PGRES_COMMAND_OK;
		while ((r = PQgetResult(conn)) != NULL) /* end of this one */
			PQclear(r);
	}
	/* up to the sync: the rest of an aborted pipeline */
	while (PQstatus(conn) == CONNECTION_OK &&
	       PQpipelineStatus(conn) != PQ_PIPELINE_OFF &&
	       (r = PQgetResult(conn)) != NULL) {
		ok = ok && PQresultStatus(r) == PGRES_PIPELINE_SYNC;
		if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		PQclear(r);
	}
	PQexitPipelineMode(conn);
	return ok ? 0 : -1;
}

int
db_exec_all(int n, const enum db_stmt *st, const int *np,
	    const char *const *const *params, PGresult **res)
{
	int i, rc;

	memset(res, 0, (size_t)n * sizeof *res);
	rc = db_pipeline(n, st, np, params, res);
	/* As in db_execb: a connection lost since the last request. A
	 * pipeline may fail before libpq notices the loss, and the statements
	 * change nothing, so any failure outside a transaction gets one more
	 * try on a new connection. */
	if (rc == -1 && !in_tx && db_open() == 0) {
		for (i = 0; i < n; i++)
			PQclear(res[i]);
		memset(res, 0, (size_t)n * sizeof *res);
		rc = db_pipeline(n, st, np, params, res);
	}
	if (rc == -1) {
		snprintf(sqlstate, sizeof sqlstate, "%s",
			 conn == NULL || PQstatus(conn) == CONNECTION_BAD
			     ? "08006"
			     : "XX000");
		log_warnx("pipeline: %s", PQerrorMessage(conn));
		for (i = 0; i < n; i++)
			PQclear(res[i]);
		memset(res, 0, (size_t)n * sizeof *res);
	}
	return rc;
}

PGresult *
db_exec(enum db_stmt st, int n, const char *const *params)
{
	return db_execb(st, n, params, NULL, NULL);
}

int
db_run(enum db_stmt st, int n, const char *const *params)
{
	PGresult *r = db_exec(st, n, params);

	PQclear(r);
	return r != NULL ? 0 : -1;
}

const char *
db_sqlstate(void)
{
	return sqlstate;
}

int
db_unique_violation(void)
{
	return strcmp(sqlstate, "23505") == 0;
}

long
db_next_id(enum db_stmt st)
{
	PGresult *res = db_exec(st, 0, NULL);
	long id = res != NULL ? atol(PQgetvalue(res, 0, NEXT_ID_ID)) : -1;

	PQclear(res);
	return id;
}

int
db_begin(void)
{
	if (db_run(DB_BEGIN, 0, NULL) == -1)
		return -1;
	in_tx = 1;
	return 0;
}

int
db_commit(void)
{
	in_tx = 0;
	return db_run(DB_COMMIT, 0, NULL);
}

void
db_rollback(void)
{
	if (in_tx)
		db_run(DB_ROLLBACK, 0, NULL);
	in_tx = 0;
}
