/*
 * keys.c - DKIM key pairs: generation or the pool, sealing for a row
 * (crypto.c), selector choice and storage as a domain's pending key
 * (db.c). A request's issuance is lib/web/issue.c's. The clear private key
 * is wiped when the pair is released.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "keys.h"
#include "util.h"

int
keys_generate(struct key_pair *k)
{
	memset(k, 0, sizeof *k);
	k->bits = (int)config_num("dkim_bits");
	return crypto_rsa_new(k->bits, &k->pub_b64, &k->der, &k->der_len);
}

/* A pair of k->bits from the pool: 1, 0 when it is empty, -1 when a pool
 * key could not be taken or opened. */
static int
keys_from_pool(struct key_pair *k)
{
	char bits[NUMBUF], row[CRYPTO_ROW_MAX];
	const char *p[1] = {num(k->bits, bits)};
	PGresult *res;
	uint8_t *sealed = NULL;
	size_t slen = 0;
	int rc = -1;

	if ((res = db_exec(DB_POOL_TAKE, 1, p)) == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return 0;
	}
	crypto_row(row, "dkim_key_pool", atol(PQgetvalue(res, 0, POOL_TAKE_ID)),
		   0);
	sealed = PQunescapeBytea(
	    (const unsigned char *)PQgetvalue(res, 0, POOL_TAKE_SEALED), &slen);
	if (sealed != NULL &&
	    crypto_unseal("dkim_private", row, sealed, slen, &k->der,
			  &k->der_len) == 0 &&
	    (k->pub_b64 = strdup(PQgetvalue(res, 0, POOL_TAKE_PUBLIC_KEY))) !=
		NULL) {
		k->pooled = 1;
		rc = 1;
	} else {
		log_warnx("a key of the pool does not open: generating one");
	}
	PQfreemem(sealed);
	PQclear(res);
	return rc;
}

int
keys_get(struct key_pair *k)
{
	const char *fault = config_str("dkim_fault_file");

	memset(k, 0, sizeof *k);
	k->bits = (int)config_num("dkim_bits");
	if (fault != NULL && access(fault, F_OK) == 0) {
		log_warnx("dkim issuance failed on purpose (%s exists)", fault);
		return -1;
	}
	if (keys_from_pool(k) == 1)
		return 0;
	keys_release(k);
	return keys_generate(k);
}

void
keys_release(struct key_pair *k)
{
	free(k->pub_b64);
	crypto_free_secret(k->der, k->der_len);
	memset(k, 0, sizeof *k);
}

int
keys_seal(const struct key_pair *k, const char *row, uint8_t **sealed,
	  size_t *len)
{
	return crypto_seal("dkim_private", row, k->der, k->der_len, sealed,
			   len);
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

/* The selector for domain today: YYYYMMDD, with a suffix when taken
 * (serialized per domain name across organizations by DB_KEY_LOCK). */
static int
pick_selector(const char *domain, char *selector)
{
	char base[16];
	const char *q[2] = {domain, base};
	const char **taken;
	PGresult *res;
	int i;

	selector_base(base, sizeof base);
	if (db_run(DB_KEY_LOCK, 1, q) == -1 ||
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
	return 0;
}

int
keys_store(long domain_id, long org_id, const char *domain,
	   const struct key_pair *k, char *selector)
{
	char kid[NUMBUF], did[NUMBUF], bits[NUMBUF], row[CRYPTO_ROW_MAX];
	const char *p[7] = {kid,      num(domain_id, did), domain,
			    selector, num(k->bits, bits),  k->pub_b64,
			    NULL};
	int len[7] = {0}, fmt[7] = {[6] = 1};
	uint8_t *sealed = NULL;
	size_t slen = 0;
	PGresult *res = NULL;
	long id;

	if (db_run(DB_KEY_RETIRE, 1, p + 1) == -1 ||
	    pick_selector(domain, selector) == -1 ||
	    (id = db_next_id(DB_KEY_NEXT_ID)) == -1 ||
	    keys_seal(k, crypto_row(row, "dkim_keys", id, org_id), &sealed,
		      &slen) == -1)
		goto out;
	num(id, kid);
	p[6] = (const char *)sealed;
	len[6] = (int)slen;
	res = db_execb(DB_KEY_INSERT, 7, p, len, fmt);
out:
	free(sealed);
	PQclear(res);
	return res != NULL ? 0 : -1;
}
