/*
 * crypto.h - every use of OpenSSL in senderauth: sealing secrets at rest
 * (AES-256-GCM under keys derived with HKDF-SHA256 from the master secret
 * file), HMAC-SHA256 and constant-time comparison for sessions, base64, and
 * RSA key pairs for DKIM. Private key material is handled only here and
 * never logged.
 */
#ifndef SA_CRYPTO_H
#define SA_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_KEY_LEN 32
#define CRYPTO_MAC_LEN 32

/* Reads a secret file (at least 32 bytes, at most 4096); 0 / -1 (also
 * for path NULL: none configured). */
int crypto_read_secret(const char *path, uint8_t *out, size_t max, size_t *len);
/* Loads the master secret from which sealing keys are derived; 0 / -1. */
int crypto_load_master(const char *path);

/* HKDF-SHA256(ikm, info) into out[len]; 0 / -1. */
int crypto_hkdf(const uint8_t *ikm, size_t ikmlen, const char *info,
		uint8_t *out, size_t len);
/* HMAC-SHA256; 0 / -1. */
int crypto_hmac(const uint8_t *key, size_t keylen, const void *msg,
		size_t msglen, uint8_t out[CRYPTO_MAC_LEN]);
/* Constant-time equality of two byte strings of the same length. */
int crypto_equal(const void *a, const void *b, size_t len);

/*
 * Seals plain[len] under the key derived for purpose, bound to the row
 * that holds it: the additional authenticated data is the purpose and the
 * row (crypto_row()), so a sealed SMTP password cannot be unsealed as a
 * DKIM key, nor a sealed value copied to another row, organization or
 * table opened there. Output: version(1) nonce(12) ciphertext tag(16),
 * malloc'ed into *out. crypto_unseal fails on any change of a bit and for
 * any other purpose or row.
 */
int crypto_seal(const char *purpose, const char *row, const void *plain,
		size_t len, uint8_t **out, size_t *outlen);
int crypto_unseal(const char *purpose, const char *row, const uint8_t *sealed,
		  size_t len, uint8_t **out, size_t *outlen);
/* The row a sealed value is bound to, "<table>:<id>:<org_id>", in buf
 * (CRYPTO_ROW_MAX bytes); returns buf. */
#define CRYPTO_ROW_MAX 96
const char *crypto_row(char *buf, const char *table, long id, long org_id);

/* Base64 (RFC 4648 §4) of data, malloc'ed; NULL on failure. */
char *crypto_base64(const void *data, size_t len);
/* Lower-case hex into out (2 * len + 1 bytes). */
void crypto_hex(const uint8_t *data, size_t len, char *out);

/*
 * A new RSA key pair of bits bits: the public key as base64 of its DER
 * SubjectPublicKeyInfo (the DKIM p= value) and the private key as PKCS#8
 * DER (release it with crypto_free_secret). 0 / -1.
 */
int crypto_rsa_new(int bits, char **pub_b64, uint8_t **priv_der,
		   size_t *priv_len);
/* The PEM text ("-----BEGIN PRIVATE KEY-----") of a PKCS#8 DER private
 * key, what signers read; release it with crypto_free_secret(pem,
 * *pemlen). 0 / -1. */
int crypto_private_pem(const uint8_t *der, size_t len, char **pem,
		       size_t *pemlen);
void crypto_wipe(void *p, size_t len);
/* Wipes and frees key material from crypto_rsa_new. */
void crypto_free_secret(uint8_t *p, size_t len);

#endif
