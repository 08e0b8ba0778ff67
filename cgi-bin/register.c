/*
 * register - POST /mail-settings/register: adds a sender address, or edits
 * one (field id) when the account registered it. An address already in the
 * organization (domain part compared case-insensitively) answers 422 naming
 * who registered it. The SMTP password is sealed and never sent back.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "eventlog.h"
#include "page.h"
#include "util.h"
#include "validate.h"

static const char *
check_note(const char *in, struct field_value *v)
{
	return validate_text(in, NOTE_MAX, 1);
}

enum { F_ID, F_ADDRESS, F_HOST, F_PORT, F_USER, F_PASSWORD, F_NOTE, F__MAX };
static const struct field fields[F__MAX] = {
    /* an edit: any id, which must be an address the account registered */
    [F_ID] = {"id", valid_id, FIELD_PARAM | FIELD_FORM_ID},
    [F_ADDRESS] = {"address", valid_address, FIELD_REQUIRED},
    [F_HOST] = {"smtp_host", valid_smtp_host, 0},
    [F_PORT] = {"smtp_port", valid_port, 0},
    [F_USER] = {"smtp_user", valid_line, 0},
    [F_PASSWORD] = {"smtp_password", valid_line, FIELD_SECRET},
    [F_NOTE] = {"note", check_note, 0},
};

static int
find(struct req *r)
{
	return r->v[F_ID].present ? page_find_own(r, r->v[F_ID].n) : 0;
}

/* A 422 naming the registrant of the address's key, when another address
 * than id holds it: 1 when so, 0 when the key is free, -1 on error. */
static int
duplicate(struct req *r, long id)
{
	char org[NUMBUF];
	const char *p[2] = {num(r->sess.org_id, org), r->v[F_ADDRESS].norm};
	const char *detail[5] = {"registrant", NULL, "address", NULL, NULL};
	PGresult *res;
	int dup = 0;

	if ((res = db_exec(DB_ADDR_BY_KEY, 2, p)) == NULL)
		return -1;
	if (PQntuples(res) > 0 &&
	    atol(PQgetvalue(res, 0, ADDR_BY_KEY_ID)) != id) {
		detail[1] = PQgetvalue(res, 0, ADDR_BY_KEY_ACCOUNT_NAME);
		detail[3] = PQgetvalue(res, 0, ADDR_BY_KEY_ADDRESS);
		dup = http_invalid(r, F_ADDRESS, "duplicate", detail) == 0 ? 1
									   : -1;
	}
	PQclear(res);
	return dup;
}

/* Inserts (new) or updates the address id; its id, or -1. The two
 * statements take the same parameters. */
static long
store(struct req *r, long id, int new, const uint8_t *sealed, size_t slen)
{
	char ids[NUMBUF], org[NUMBUF], acct[NUMBUF], port[NUMBUF];
	const char *p[10] = {num(id, ids),
			     num(r->sess.org_id, org),
			     num(r->sess.account_id, acct),
			     r->v[F_ADDRESS].s,
			     r->v[F_ADDRESS].norm,
			     r->v[F_HOST].s,
			     num(r->v[F_PORT].n, port),
			     (const char *)sealed,
			     r->v[F_USER].s,
			     r->v[F_NOTE].s};
	int len[10] = {[7] = (int)slen}, fmt[10] = {[7] = 1};
	long newid = -1;
	PGresult *res;

	res = db_execb(new ? DB_ADDR_INSERT : DB_ADDR_UPDATE, 10, p, len, fmt);
	if (res != NULL && PQntuples(res) == 1)
		newid = atol(PQgetvalue(res, 0, ADDR_STORE_ID));
	PQclear(res);
	return newid;
}

/* Seals the password for the address's row when one was typed; 0 / -1. */
static int
seal_password(struct req *r, long id, uint8_t **sealed, size_t *slen)
{
	const char *pw = r->v[F_PASSWORD].s;
	char row[CRYPTO_ROW_MAX];

	*sealed = NULL;
	*slen = 0;
	if (*pw == '\0')
		return 0;
	return crypto_seal(
	    "smtp_password",
	    crypto_row(row, "sender_addresses", id, r->sess.org_id), pw,
	    strlen(pw), sealed, slen);
}

static int
reg(struct req *r)
{
	long id = r->v[F_ID].n, newid;
	uint8_t *sealed = NULL;
	size_t slen;
	int rc = -1, new = id == 0;

	if (db_begin() == -1 || duplicate(r, id) != 0 ||
	    (new && (id = db_next_id(DB_ADDR_NEXT_ID)) == -1) ||
	    seal_password(r, id, &sealed, &slen) == -1)
		goto out;
	if ((newid = store(r, id, new, sealed, slen)) == -1 &&
	    db_unique_violation()) {
		/* lost a race with another registration of the same key */
		db_rollback();
		duplicate(r, new ? 0 : id);
		goto out;
	}
	if (newid == -1 ||
	    eventlog_add(r->sess.org_id, r->sess.account_id,
			 new ? "address_added" : "address_updated", "address",
			 newid, r->v[F_ADDRESS].s, NULL) == -1 ||
	    db_commit() == -1)
		goto out;
	http_redirect(r, "updated");
	rc = 0;
out:
	free(sealed);
	return rc;
}

HTTP_MAIN(.name = "register", .methods = HTTP_POST, .fields = fields,
	  .nfields = F__MAX, .form = "register", .find = find, .handle = reg,
	  .seals = 1)
