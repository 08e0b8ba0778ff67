/*
 * crypto.c - sealing, HKDF, HMAC, base64 and RSA over OpenSSL 3 EVP.
 *
 * The master secret stays in this file's memory; derived sealing keys are
 * computed per call (HKDF is cheap next to a request) so no table of keys
 * outlives its use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "crypto.h"
#include "util.h"

#define SEAL_VERSION 2 /* 2: bound to its row (crypto_row) */
#define NONCE_LEN 12
#define TAG_LEN 16

static uint8_t master[4096];
static size_t master_len;

int
crypto_read_secret(const char *path, uint8_t *out, size_t max, size_t *len)
{
	FILE *f;
	size_t n;

	if (path == NULL) {
		log_warnx("no file configured for a secret");
		return -1;
	}
	if ((f = fopen(path, "rb")) == NULL) {
		log_warnx("cannot open %s", path);
		return -1;
	}
	n = fread(out, 1, max, f);
	fclose(f);
	if (n < CRYPTO_KEY_LEN || n == max) {
		log_warnx("%s: a secret file holds 32 to %zu bytes", path,
			  max - 1);
		return -1;
	}
	*len = n;
	return 0;
}

int
crypto_load_master(const char *path)
{
	return crypto_read_secret(path, master, sizeof master, &master_len);
}

int
crypto_hkdf(const uint8_t *ikm, size_t ikmlen, const char *info, uint8_t *out,
	    size_t len)
{
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *ctx = NULL;
	OSSL_PARAM params[4];
	int rc = -1;

	if ((kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL ||
	    (ctx = EVP_KDF_CTX_new(kdf)) == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						     "SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						      (void *)ikm, ikmlen);
	params[2] = OSSL_PARAM_construct_octet_string(
	    OSSL_KDF_PARAM_INFO, (void *)info, strlen(info));
	params[3] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, out, len, params) == 1)
		rc = 0;
out:
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return rc;
}

int
crypto_hmac(const uint8_t *key, size_t keylen, const void *msg, size_t msglen,
	    uint8_t out[CRYPTO_MAC_LEN])
{
	unsigned int n = 0;

	if (HMAC(EVP_sha256(), key, (int)keylen, msg, msglen, out, &n) ==
		NULL ||
	    n != CRYPTO_MAC_LEN)
		return -1;
	return 0;
}

int
crypto_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

static int
seal_key(const char *purpose, uint8_t key[CRYPTO_KEY_LEN])
{
	char info[128];
	int n;

	if (master_len == 0) {
		log_warnx("master secret not loaded");
		return -1;
	}
	n = snprintf(info, sizeof info, "senderauth seal v1 %s", purpose);
	if (n < 0 || (size_t)n >= sizeof info)
		return -1;
	return crypto_hkdf(master, master_len, info, key, CRYPTO_KEY_LEN);
}

const char *
crypto_row(char *buf, const char *table, long id, long org_id)
{
	snprintf(buf, CRYPTO_ROW_MAX, "%s:%ld:%ld", table, id, org_id);
	return buf;
}

/* AES-256-GCM in either direction over in[len] into out, with the purpose
 * and the row as additional data; 0 / -1. */
static int
gcm(int enc, const uint8_t key[CRYPTO_KEY_LEN], const uint8_t *nonce,
    const char *purpose, const char *row, const uint8_t *in, size_t len,
    uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx;
	char aad[256];
	int n, rc = -1, alen;

	alen = snprintf(aad, sizeof aad, "%s\n%s", purpose, row);
	if (alen < 0 || (size_t)alen >= sizeof aad || len > 0x7fffffff ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce, enc) !=
		1 ||
	    EVP_CipherUpdate(ctx, NULL, &n, (const uint8_t *)aad, alen) != 1 ||
	    EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1)
		goto out;
	if (!enc &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + n, &n) != 1)
		goto out;
	if (enc &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) != 1)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int
crypto_seal(const char *purpose, const char *row, const void *plain, size_t len,
	    uint8_t **out, size_t *outlen)
{
	uint8_t key[CRYPTO_KEY_LEN], *s;
	size_t total = 1 + NONCE_LEN + len + TAG_LEN;
	int rc = -1;

	if ((s = malloc(total)) == NULL)
		return -1;
	s[0] = SEAL_VERSION;
	if (seal_key(purpose, key) == -1 || RAND_bytes(s + 1, NONCE_LEN) != 1 ||
	    gcm(1, key, s + 1, purpose, row, plain, len, s + 1 + NONCE_LEN,
		s + 1 + NONCE_LEN + len) == -1) {
		free(s);
		goto out;
	}
	*out = s;
	*outlen = total;
	rc = 0;
out:
	crypto_wipe(key, sizeof key);
	return rc;
}

int
crypto_unseal(const char *purpose, const char *row, const uint8_t *sealed,
	      size_t len, uint8_t **out, size_t *outlen)
{
	uint8_t key[CRYPTO_KEY_LEN], tag[TAG_LEN], *p;
	size_t n;
	int rc = -1;

	if (len < 1 + NONCE_LEN + TAG_LEN || sealed[0] != SEAL_VERSION)
		return -1;
	n = len - 1 - NONCE_LEN - TAG_LEN;
	if ((p = malloc(n + 1)) == NULL)
		return -1;
	memcpy(tag, sealed + len - TAG_LEN, TAG_LEN);
	if (seal_key(purpose, key) == -1 ||
	    gcm(0, key, sealed + 1, purpose, row, sealed + 1 + NONCE_LEN, n, p,
		tag) == -1) {
		crypto_wipe(p, n);
		free(p);
		goto out;
	}
	p[n] = '\0';
	*out = p;
	*outlen = n;
	rc = 0;
out:
	crypto_wipe(key, sizeof key);
	return rc;
}

char *
crypto_base64(const void *data, size_t len)
{
	char *s;

	if (len > 0x3fffffff || (s = malloc(4 * ((len + 2) / 3) + 1)) == NULL)
		return NULL;
	EVP_EncodeBlock((unsigned char *)s, data, (int)len);
	return s;
}

void
crypto_hex(const uint8_t *data, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 15];
	}
	out[2 * len] = '\0';
}

/* DER of the private key as PKCS#8 PrivateKeyInfo; 0 / -1. */
static int
private_der(EVP_PKEY *pkey, uint8_t **der, size_t *len)
{
	PKCS8_PRIV_KEY_INFO *p8;
	uint8_t *p = NULL;
	int n;

	if ((p8 = EVP_PKEY2PKCS8(pkey)) == NULL)
		return -1;
	n = i2d_PKCS8_PRIV_KEY_INFO(p8, &p);
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (n <= 0)
		return -1;
	*der = p;
	*len = (size_t)n;
	return 0;
}

int
crypto_rsa_new(int bits, char **pub_b64, uint8_t **priv_der, size_t *priv_len)
{
	EVP_PKEY *pkey;
	uint8_t *spki = NULL;
	int n, rc = -1;

	if ((pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits)) ==
	    NULL) {
		log_warnx("rsa key generation failed");
		return -1;
	}
	if ((n = i2d_PUBKEY(pkey, &spki)) <= 0 ||
	    (*pub_b64 = crypto_base64(spki, (size_t)n)) == NULL)
		goto out;
	if (private_der(pkey, priv_der, priv_len) == -1) {
		free(*pub_b64);
		*pub_b64 = NULL;
		goto out;
	}
	rc = 0;
out:
	OPENSSL_free(spki);
	EVP_PKEY_free(pkey);
	return rc;
}

int
crypto_private_pem(const uint8_t *der, size_t len, char **pem, size_t *pemlen)
{
	BIO *b = BIO_new(BIO_s_secmem());
	char *data;
	long n;
	int rc = -1;

	*pem = NULL;
	if (b == NULL)
		return -1;
	if (PEM_write_bio(b, "PRIVATE KEY", "", der, (long)len) > 0 &&
	    (n = BIO_get_mem_data(b, &data)) > 0 &&
	    (*pem = malloc((size_t)n + 1)) != NULL) {
		memcpy(*pem, data, (size_t)n);
		(*pem)[n] = '\0';
		*pemlen = (size_t)n;
		rc = 0;
	}
	BIO_free(b);
	return rc;
}

void
crypto_wipe(void *p, size_t len)
{
	if (p != NULL)
		OPENSSL_cleanse(p, len);
}

void
crypto_free_secret(uint8_t *p, size_t len)
{
	OPENSSL_clear_free(p, len);
}
