/*
 * test-crypto - sealing round trips, every flipped bit detected, purposes
 * kept apart; HKDF against RFC 5869 test case 3; RSA keys of both sizes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "crypto.h"
#include "t.h"
#include "util.h"

static int
write_master(char *path)
{
	int fd = mkstemp(path);
	int ok =
	    fd >= 0 && write(fd, "0123456789abcdef0123456789abcdef", 32) == 32;

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

static void
test_seal(void)
{
	static const char plain[] = "s3cr3t パスワード";
	uint8_t *sealed, *out;
	size_t slen, olen, bit, bad = 0;

	/* the rows a sealed value might be moved to, each refused */
	static const struct {
		const char *table;
		long id, org;
	} other[] = {
	    {"sender_addresses", 8, 1},
	    {"sender_addresses", 7, 2},
	    {"dkim_keys", 7, 1},
	};
	char row[CRYPTO_ROW_MAX], wrong[CRYPTO_ROW_MAX];
	size_t i;

	crypto_row(row, "sender_addresses", 7, 1);
	T_STREQ(row, "sender_addresses:7:1", "a row is table:id:org");
	t_ok(crypto_seal("smtp_password", row, plain, sizeof plain - 1, &sealed,
			 &slen) == 0,
	     "seal");
	t_ok(memmem(sealed, slen, "s3cr3t", 6) == NULL, "no clear text");
	t_ok(crypto_unseal("smtp_password", row, sealed, slen, &out, &olen) ==
		     0 &&
		 olen == sizeof plain - 1 && memcmp(out, plain, olen) == 0,
	     "round trip");
	free(out);
	t_ok(crypto_unseal("dkim_private", row, sealed, slen, &out, &olen) ==
		 -1,
	     "another purpose cannot unseal");
	for (i = 0; i < sizeof other / sizeof other[0]; i++) {
		crypto_row(wrong, other[i].table, other[i].id, other[i].org);
		t_ok(crypto_unseal("smtp_password", wrong, sealed, slen, &out,
				   &olen) == -1,
		     "a value moved to %s does not open", wrong);
	}
	for (bit = 0; bit < slen * 8; bit++) {
		sealed[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		if (crypto_unseal("smtp_password", row, sealed, slen, &out,
				  &olen) == 0) {
			bad++;
			free(out);
		}
		sealed[bit / 8] ^= (uint8_t)(1 << (bit % 8));
	}
	t_ok(bad == 0, "every one of %zu flipped bits detected", slen * 8);
	t_ok(crypto_unseal("smtp_password", row, sealed, slen - 1, &out,
			   &olen) == -1,
	     "truncated seal refused");
	free(sealed);
}

static void
test_hkdf(void)
{
	/* RFC 5869 A.3: IKM 22 x 0x0b, no salt, no info, L = 42 */
	static const char want[] = "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee"
				   "1879ec3454e5f3c738d2d9d201395faa4b61a96c8";
	uint8_t ikm[22], out[42];
	char hex[85];

	memset(ikm, 0x0b, sizeof ikm);
	t_ok(crypto_hkdf(ikm, sizeof ikm, "", out, sizeof out) == 0, "hkdf");
	crypto_hex(out, sizeof out, hex);
	T_STREQ(hex, want, "hkdf matches RFC 5869 A.3");
}

int
main(void)
{
	char path[] = "/tmp/test-crypto.XXXXXX";
	uint8_t *priv;
	size_t plen;
	char *pub;
	int bits;

	t_ok(crypto_load_master("/nonexistent") == -1,
	     "missing master refused");
	t_ok(write_master(path) == 0 && crypto_load_master(path) == 0,
	     "master loaded");
	unlink(path);
	test_seal();
	test_hkdf();
	for (bits = 1024; bits <= 2048; bits += 1024) {
		t_ok(crypto_rsa_new(bits, &pub, &priv, &plen) == 0, "rsa %d",
		     bits);
		/* SPKI DER of RSA-1024 is 162 bytes, of RSA-2048 294 */
		t_ok(strlen(pub) == (bits == 1024 ? 216u : 392u),
		     "p= length for %d bits", bits);
		t_ok(strncmp(pub, "MI", 2) == 0, "p= is DER base64");
		free(pub);
		crypto_free_secret(priv, plen);
	}
	return t_done();
}
