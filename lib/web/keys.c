/*
 * keys.c - DKIM key issuance: generation and sealing (crypto.c), selector
 * choice and storage (db.c), and a request's issuance from the slow step
 * to the answer. The clear private key never leaves this file and is wiped
 * once sealed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "eventlog.h"
#include "http.h"
#include "keys.h"
#include "util.h"

int
keys_generate(struct key_pair *k)
{
	const char *fault = config_str("dkim_fault_file");
	uint8_t *der = NULL;
	size_t len = 0;
	int rc;

	memset(k, 0, sizeof *k);
	k->bits = (int)config_num("dkim_bits");
	if (fault != NULL && access(fault, F_OK) == 0) {
		log_warnx("dkim issuance failed on purpose (%s exists)", fault);
		return -1;
	}
	if (crypto_rsa_new(k->bits, &k->pub_b64, &der, &len) == -1)
		return -1;
	rc = crypto_seal("dkim_private", der, len, &k->sealed, &k->sealed_len);
	crypto_free_secret(der, len);
	if (rc == -1)
		keys_release(k);
	return rc;
}

void
keys_release(struct key_pair *k)
{
	free(k->pub_b64);
	free(k->sealed);
	memset(k, 0, sizeof *k);
}

/* YYYYMMDD of today in Japan time. */
static void
selector_base(char *out, size_t len)
{
	time_t now = time(NULL) + 9 * 3600;
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, len, "%Y%m%d", &tm);
}

void
keys_selector_pick(const char *base, const char *const *taken, size_t n,
		   char *out)
{
	size_t i;
	int k, used;

	for (k = 1;; k++) {
		if (k == 1)
			snprintf(out, SELECTOR_MAX + 1, "%s", base);
		else
			snprintf(out, SELECTOR_MAX + 1, "%s-%d", base, k);
		for (used = 0, i = 0; i < n && !used; i++)
			used = strcmp(taken[i], out) == 0;
		if (!used)
			return;
	}
}

int
keys_store(long domain_id, const char *domain, const struct key_pair *k,
	   char *selector)
{
	char id[NUMBUF], bits[NUMBUF], base[16];
	const char *p[6] = {num(domain_id, id), domain,
			    selector,		num(k->bits, bits),
			    k->pub_b64,		(const char *)k->sealed};
	int len[6] = {0, 0, 0, 0, 0, (int)k->sealed_len};
	int fmt[6] = {0, 0, 0, 0, 0, 1};
	const char *q[2] = {domain, base};
	const char **taken;
	PGresult *res;
	int i;

	selector_base(base, sizeof base);
	if (db_run(DB_KEY_RETIRE, 1, p) == -1 ||
	    db_run(DB_KEY_LOCK, 1, q) == -1 ||
	    (res = db_exec(DB_KEY_SELECTORS, 2, q)) == NULL)
		return -1;
	if ((taken = calloc((size_t)PQntuples(res) + 1, sizeof *taken)) ==
	    NULL) {
		PQclear(res);
		return -1;
	}
	for (i = 0; i < PQntuples(res); i++)
		taken[i] = PQgetvalue(res, i, KEY_SELECTORS_SELECTOR);
	keys_selector_pick(base, taken, (size_t)PQntuples(res), selector);
	free(taken);
	PQclear(res);
	res = db_execb(DB_KEY_INSERT, 6, p, len, fmt);
	PQclear(res);
	return res != NULL ? 0 : -1;
}

int
keys_issue(struct req *r, long id, const char *name, const char *unicode,
	   long (*add)(struct req *))
{
	char sel[SELECTOR_MAX + 1], ids[NUMBUF];
	const char *p[1], *event = add ? "dkim_issued" : "dkim_reissued";
	const char *notice = add ? "issued" : "reissued";
	struct key_pair k;
	int have_key, rc = -1;

	/* the slow step, outside the transaction; a name added meanwhile is
	 * still caught by the unique index */
	have_key = keys_generate(&k) == 0;
	if (!have_key)
		event = notice = "dkim_failed";
	if (db_begin() == -1 || (add != NULL && (id = add(r)) == -1))
		goto out;
	p[0] = num(id, ids);
	if (have_key &&
	    (keys_store(id, name, &k, sel) == -1 ||
	     (add == NULL && db_run(DB_DOMAIN_RESET_DKIM, 1, p) == -1)))
		goto out;
	if (eventlog_add(r->sess.org_id, r->sess.account_id, event, "domain",
			 id, unicode, have_key ? sel : NULL) == -1 ||
	    db_commit() == -1)
		goto out;
	http_redirect(r, notice);
	rc = 0;
out:
	keys_release(&k);
	return rc;
}
