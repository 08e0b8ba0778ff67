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
#include "xml.h"

static const char *
check_address(const char *v)
{
	char key[ADDRESS_MAX + 1];

	return validate_address(v, key, sizeof key);
}

static const char *
check_line(const char *v)
{
	return validate_text(v, 255, 0);
}

static const char *
check_port(const char *v)
{
	long port;

	return validate_port(v, &port);
}

static const char *
check_note(const char *v)
{
	return validate_text(v, 1000, 1);
}

enum { F_ADDRESS, F_HOST, F_PORT, F_USER, F_PASSWORD, F_NOTE, F__MAX };
static const struct field_spec fields[F__MAX] = {
    [F_ADDRESS] = {"address", check_address, 0},
    [F_HOST] = {"smtp_host", check_line, 0},
    [F_PORT] = {"smtp_port", check_port, 0},
    [F_USER] = {"smtp_user", check_line, 0},
    [F_PASSWORD] = {"smtp_password", check_line, 1},
    [F_NOTE] = {"note", check_note, 0},
};

static const char *
field(const struct req *r, int f)
{
	const char *v = http_param(r, fields[f].name);

	return v != NULL ? v : "";
}

/* 422: the whole page again, the form as typed, errs attached. */
static void
reject(struct req *r, long id, const char **errs)
{
	if (page_begin(r, 422, NULL) == -1)
		return;
	page_error(r, "invalid_form");
	page_fields(r, "register", id, fields, F__MAX, errs);
	page_end(r);
}

/* 422 naming the registrant of the address with key, when another
 * address than id holds it; 1 when answered, 0 when free, -1 on error. */
static int
duplicate(struct req *r, const char *key, long id)
{
	const char *errs[F__MAX] = {0};
	char org[NUMBUF];
	const char *p[2] = {num(r->sess.org_id, org), key};
	mxml_node_t *err, *form;
	PGresult *res;

	if ((res = db_exec(DB_ADDR_BY_KEY, 2, p)) == NULL)
		return -1;
	if (PQntuples(res) == 0 ||
	    atol(PQgetvalue(res, 0, ADDR_BY_KEY_ID)) == id) {
		PQclear(res);
		return 0;
	}
	db_rollback();
	if (page_begin(r, 422, NULL) == 0) {
		page_error(r, "invalid_form");
		form = page_fields(r, "register", id, fields, F__MAX, errs);
		err = xml_el(mxmlFindElement(form, form, "field", "name",
					     "address", MXML_DESCEND_FIRST),
			     "error");
		xml_attr(err, "code", "duplicate");
		xml_attr(err, "registrant",
			 PQgetvalue(res, 0, ADDR_BY_KEY_ACCOUNT_NAME));
		xml_attr(err, "address",
			 PQgetvalue(res, 0, ADDR_BY_KEY_ADDRESS));
		page_end(r);
	}
	PQclear(res);
	return 1;
}

/* Inserts (id 0) or updates the address; its id, or -1. The two
 * statements take the same parameters, the insert without the id. */
static long
store(struct req *r, long id, const char *key, const uint8_t *sealed,
      size_t slen)
{
	char ids[NUMBUF], org[NUMBUF], acct[NUMBUF], port[NUMBUF];
	const char *p[10] = {num(id, ids),
			     num(r->sess.org_id, org),
			     num(r->sess.account_id, acct),
			     field(r, F_ADDRESS),
			     key,
			     field(r, F_HOST),
			     port,
			     (const char *)sealed,
			     field(r, F_USER),
			     field(r, F_NOTE)};
	int len[10] = {[7] = (int)slen}, fmt[10] = {[7] = 1};
	int skip = id > 0 ? 0 : 1;
	long portv, newid = -1;
	PGresult *res;

	validate_port(field(r, F_PORT), &portv);
	num(portv, port);
	res = db_execb(id > 0 ? DB_ADDR_UPDATE : DB_ADDR_INSERT, 10 - skip,
		       p + skip, len + skip, fmt + skip);
	if (res != NULL && PQntuples(res) == 1)
		newid = atol(PQgetvalue(res, 0, ADDR_STORE_ID));
	PQclear(res);
	return newid;
}

/* Seals the password when one was typed; 0 / -1. */
static int
seal_password(struct req *r, uint8_t **sealed, size_t *slen)
{
	const char *pw = field(r, F_PASSWORD);

	*sealed = NULL;
	*slen = 0;
	if (*pw == '\0')
		return 0;
	return crypto_seal("smtp_password", pw, strlen(pw), sealed, slen);
}

static void
save(struct req *r, long id, const char *key)
{
	uint8_t *sealed = NULL;
	size_t slen;
	long newid;
	int dup;

	if (seal_password(r, &sealed, &slen) == -1 || db_begin() == -1)
		goto fail;
	if ((dup = duplicate(r, key, id)) != 0) {
		if (dup == -1)
			goto fail;
		goto out;
	}
	newid = store(r, id, key, sealed, slen);
	if (newid == -1 && db_unique_violation()) {
		db_rollback();
		/* lost a race with another registration of the same key */
		if (duplicate(r, key, id) == 1)
			goto out;
	}
	if (newid == -1 ||
	    eventlog_add(r->sess.org_id, r->sess.account_id,
			 id > 0 ? "address_updated" : "address_added",
			 "address", newid, field(r, F_ADDRESS), NULL) == -1 ||
	    db_commit() == -1)
		goto fail;
	http_redirect(r, "updated");
	goto out;
fail:
	http_fail(r, 500, "internal");
out:
	free(sealed);
}

static void
reg(struct req *r)
{
	const char *errs[F__MAX];
	char key[ADDRESS_MAX + 1];
	long id = http_id(r, "id");
	PGresult *res = NULL;

	/* an edit (any id field): only of the account's own address */
	if (http_param(r, "id") != NULL &&
	    (res = page_own_address(r, id)) == NULL)
		return;
	PQclear(res);
	if (page_check(r, fields, F__MAX, errs) > 0) {
		reject(r, id, errs);
		return;
	}
	validate_address(field(r, F_ADDRESS), key, sizeof key);
	save(r, id, key);
}

int
main(void)
{
	static const struct action a = {"register", HTTP_POST, reg};

	return http_main(&a);
}
