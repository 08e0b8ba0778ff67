/*
 * dkim-sign - test tool: unseals a DKIM private key as stored in
 * dkim_keys.private_sealed (given as hex) and signs a message with
 * RSA-SHA256, so a test can verify the signature with the published p=.
 * ROW is the row the value is sealed for ("dkim_keys:<id>:<org_id>"):
 * it does not open for another.
 *
 *   dkim-sign MASTER_KEY_FILE ROW SEALED_HEX MESSAGE_FILE SIGNATURE_FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto.h"
#include "util.h"

static int
unhex(const char *s, uint8_t **out, size_t *len)
{
	size_t n = strlen(s) / 2, i;
	unsigned v;

	if (strlen(s) % 2 != 0 || (*out = malloc(n + 1)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		(*out)[i] = (uint8_t)v;
	}
	*len = n;
	return 0;
}

static int
sign(const uint8_t *der, size_t dlen, const char *msgfile, const char *sigfile)
{
	const unsigned char *p = der;
	unsigned char msg[4096], sig[1024];
	size_t mlen, slen = sizeof sig;
	EVP_PKEY *pkey = d2i_AutoPrivateKey(NULL, &p, (long)dlen);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	FILE *f;
	int rc = -1;

	if (pkey == NULL || ctx == NULL || (f = fopen(msgfile, "rb")) == NULL)
		goto out;
	mlen = fread(msg, 1, sizeof msg, f);
	fclose(f);
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) != 1 ||
	    EVP_DigestSign(ctx, sig, &slen, msg, mlen) != 1 ||
	    (f = fopen(sigfile, "wb")) == NULL)
		goto out;
	fwrite(sig, 1, slen, f);
	fclose(f);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return rc;
}

int
main(int argc, char **argv)
{
	uint8_t *sealed = NULL, *der = NULL;
	size_t slen, dlen;
	int rc = 1;

	if (argc != 6) {
		fprintf(stderr,
			"usage: dkim-sign MASTER_KEY_FILE ROW SEALED_HEX "
			"MESSAGE_FILE SIGNATURE_FILE\n");
		return 2;
	}
	if (crypto_load_master(argv[1]) == -1 ||
	    unhex(argv[3], &sealed, &slen) == -1 ||
	    crypto_unseal("dkim_private", argv[2], sealed, slen, &der, &dlen) ==
		-1 ||
	    sign(der, dlen, argv[4], argv[5]) == -1)
		fprintf(stderr, "dkim-sign: failed\n");
	else
		rc = 0;
	if (der != NULL)
		crypto_wipe(der, dlen);
	free(der);
	free(sealed);
	return rc;
}
