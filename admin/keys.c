/*
 * keys.c - the key subcommands the verifier's timer runs after the
 * verifier (DESIGN.md "DKIM key lifecycle and the signer"):
 *
 *   pool-fill [--size N]  generates keys of dkim_bits until the pool holds
 *                         N (dkim_pool_size), each sealed for its pool row,
 *                         so add-domain and rotations need not wait for RSA
 *                         key generation
 *   rotate-keys           issues a pending key for every domain whose
 *                         active key is older than dkim_rotate_days (0: off)
 *                         and has none pending; the customer sees the new
 *                         record to add, the active key keeps signing
 *
 * One summary line each on stdout; exit 1 only when the job could not be
 * done (configuration, database, key generation).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "eventlog.h"
#include "keys.h"
#include "util.h"

/* How many keys of bits the pool holds, or -1. */
static long
pool_count(const char *bits)
{
	const char *p[1] = {bits};
	PGresult *res = db_exec(DB_POOL_COUNT, 1, p);
	long n = res != NULL ? atol(PQgetvalue(res, 0, POOL_COUNT_N)) : -1;

	PQclear(res);
	return n;
}

/* One new key into the pool, sealed for its row; 0 / -1. */
static int
pool_add(void)
{
	char ids[NUMBUF], bits[NUMBUF], row[CRYPTO_ROW_MAX];
	const char *p[4] = {ids, bits, NULL, NULL};
	int len[4] = {0}, fmt[4] = {[3] = 1};
	struct key_pair k;
	PGresult *res;
	uint8_t *sealed = NULL;
	size_t slen = 0;
	long id;
	int rc = -1;

	if (keys_generate(&k) == -1)
		return -1;
	if ((id = db_next_id(DB_POOL_NEXT_ID)) == -1 ||
	    keys_seal(&k, crypto_row(row, "dkim_key_pool", id, 0), &sealed,
		      &slen) == -1)
		goto out;
	num(id, ids);
	num(k.bits, bits);
	p[2] = k.pub_b64;
	p[3] = (const char *)sealed;
	len[3] = (int)slen;
	res = db_execb(DB_POOL_INSERT, 4, p, len, fmt);
	rc = res != NULL ? 0 : -1;
	PQclear(res);
out:
	free(sealed);
	keys_release(&k);
	return rc;
}

int
admin_pool_fill(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"size", required_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	char bits[NUMBUF];
	long size = config_num("dkim_pool_size"), have, added = 0;
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (ch != 's' || parse_long(optarg, 0, 100000, &size) == -1)
			return admin_usage("pool-fill [--size N]");
	if (optind != argc)
		return admin_usage("pool-fill [--size N]");
	num(config_num("dkim_bits"), bits);
	if (crypto_load_master(config_str("master_key_file")) == -1 ||
	    admin_db() == -1 || (have = pool_count(bits)) == -1)
		return ADMIN_FAIL;
	for (; have + added < size; added++)
		if (pool_add() == -1) {
			fprintf(stderr, "senderauth-admin: pool-fill: a key "
					"could not be made\n");
			return ADMIN_FAIL;
		}
	printf("pool-fill: %ld added, %ld %s-bit keys in the pool\n", added,
	       have + added, bits);
	return ADMIN_OK;
}

/* Issues the pending key of one domain of DB_ROTATE_DUE's row i. */
static int
rotate_one(PGresult *res, int i)
{
	char sel[SELECTOR_MAX + 1];
	const char *p[1] = {PQgetvalue(res, i, ROTATE_DUE_ID)};
	long id = atol(p[0]), org = atol(PQgetvalue(res, i, ROTATE_DUE_ORG));
	struct key_pair k;
	int rc = -1;

	if (keys_get(&k) == -1)
		return -1;
	if (db_begin() == 0 &&
	    keys_store(id, org, PQgetvalue(res, i, ROTATE_DUE_NAME), &k, sel) ==
		0 &&
	    db_run(DB_DOMAIN_ROTATE, 1, p) == 0 &&
	    eventlog_add(org, 0, "dkim_rotated_auto", "domain", id,
			 PQgetvalue(res, i, ROTATE_DUE_UNICODE), sel) == 0 &&
	    db_commit() == 0)
		rc = 0;
	db_rollback();
	keys_release(&k);
	return rc;
}

int
admin_rotate_keys(int argc, char **argv)
{
	char days[NUMBUF];
	const char *p[1] = {num(config_num("dkim_rotate_days"), days)};
	PGresult *res;
	int i, n, done = 0, rc = ADMIN_OK;

	if (argc != 1)
		return admin_usage("rotate-keys");
	if (config_num("dkim_rotate_days") == 0) {
		printf("rotate-keys: off (dkim_rotate_days = 0)\n");
		return ADMIN_OK;
	}
	if (crypto_load_master(config_str("master_key_file")) == -1 ||
	    admin_db() == -1 || (res = db_exec(DB_ROTATE_DUE, 1, p)) == NULL)
		return ADMIN_FAIL;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if (rotate_one(res, i) == 0) {
			done++;
			continue;
		}
		fprintf(stderr, "senderauth-admin: rotate-keys: %s failed\n",
			PQgetvalue(res, i, ROTATE_DUE_NAME));
		rc = ADMIN_FAIL;
	}
	PQclear(res);
	printf("rotate-keys: %d of %d domains given a new key to publish\n",
	       done, n);
	return rc;
}
