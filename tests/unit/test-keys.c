/*
 * test-keys - selector choice with collisions, and a key pair that is
 * generated, sealed and usable (no database needed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "crypto.h"
#include "keys.h"
#include "t.h"
#include "util.h"

static const struct {
	const char *taken[4];
	size_t n;
	const char *want;
} rows[] = {
    {{NULL}, 0, "20261126"},
    {{"20261125"}, 1, "20261126"},
    {{"20261126"}, 1, "20261126-2"},
    {{"20261126", "20261126-2"}, 2, "20261126-3"},
    {{"20261126-2", "20261126"}, 2, "20261126-3"},
    {{"20261126", "20261126-3"}, 2, "20261126-2"},
    {{"20261126", "20261126-2", "20261126-3", "20261126-4"}, 4, "20261126-5"},
};

int
main(void)
{
	char path[] = "/tmp/test-keys.XXXXXX", sel[SELECTOR_MAX + 1];
	struct key_pair k;
	uint8_t *plain, *sealed = NULL;
	char row[CRYPTO_ROW_MAX];
	size_t i, plen, slen = 0;
	int fd;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		keys_selector_pick("20261126", rows[i].taken, rows[i].n, sel);
		T_STREQ(sel, rows[i].want, "selector row %zu -> %s", i, sel);
	}
	fd = mkstemp(path);
	t_ok(fd >= 0 && write(fd, "0123456789abcdef0123456789abcdef", 32) == 32,
	     "master written");
	close(fd);
	t_ok(crypto_load_master(path) == 0, "master loaded");
	unlink(path);
	t_ok(keys_generate(&k) == 0 && k.bits == 2048, "2048-bit by default");
	t_ok(k.der_len > 1000 && k.pub_b64 != NULL, "a private key (%zu bytes)",
	     k.der_len);
	plen = 0;
	plain = NULL;
	crypto_row(row, "dkim_keys", 5, 1);
	fd = keys_seal(&k, row, &sealed, &slen) == 0
		 ? crypto_unseal("dkim_private", row, sealed, slen, &plain,
				 &plen)
		 : -1;
	t_ok(fd == 0 && plen == k.der_len && memcmp(plain, k.der, plen) == 0,
	     "sealed for its row, it unseals to the same key");
	free(plain);
	crypto_row(row, "dkim_keys", 6, 1);
	t_ok(crypto_unseal("dkim_private", row, sealed, slen, &plain, &plen) ==
		 -1,
	     "not for another row");
	free(sealed);
	keys_release(&k);
	t_ok(k.der == NULL && k.pub_b64 == NULL, "release clears the pair");
	return t_done();
}
