/*
 * session.c - verification and minting of the signed session cookie and
 * the CSRF token derived from it. Comparisons of MACs and tokens are
 * constant-time.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "session.h"
#include "util.h"

static uint8_t key[4096];
static size_t keylen;
static uint8_t csrf_key[CRYPTO_KEY_LEN];

int
session_set_key(const void *k, size_t len)
{
	if (len < CRYPTO_KEY_LEN || len > sizeof key)
		return -1;
	memcpy(key, k, len);
	keylen = len;
	return crypto_hkdf(key, keylen, "senderauth csrf v1", csrf_key,
			   sizeof csrf_key);
}

int
session_init(const char *key_file)
{
	uint8_t k[4096];
	size_t len;
	int rc;

	if (crypto_read_secret(key_file, k, sizeof k, &len) == -1)
		return -1;
	rc = session_set_key(k, len);
	crypto_wipe(k, sizeof k);
	return rc;
}

/* "v1.<account>.<org>.<expiry>" into out; length or -1. */
static int
session_payload(long account_id, long org_id, long long expiry, char *out,
		size_t len)
{
	int n =
	    snprintf(out, len, "v1.%ld.%ld.%lld", account_id, org_id, expiry);

	return n < 0 || (size_t)n >= len ? -1 : n;
}

static void
base64url(const uint8_t *in, size_t len, char *out)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
	    "wxyz0123456789-_";
	size_t i, o = 0;
	unsigned v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
		out[o++] = a[v & 63];
	}
	if (len - i == 2) {
		v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
	} else if (len - i == 1) {
		v = (unsigned)in[i] << 16;
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
	}
	out[o] = '\0';
}

int
session_mint(long account_id, long org_id, time_t expiry, char *out)
{
	uint8_t mac[CRYPTO_MAC_LEN];
	char payload[SESSION_MAX];
	int n;

	n = session_payload(account_id, org_id, (long long)expiry, payload,
			    sizeof payload);
	if (n == -1 || keylen == 0 ||
	    crypto_hmac(key, keylen, payload, (size_t)n, mac) == -1)
		return -1;
	if ((size_t)n + 1 + 2 * CRYPTO_MAC_LEN > SESSION_MAX)
		return -1;
	memcpy(out, payload, (size_t)n);
	out[n] = '.';
	crypto_hex(mac, sizeof mac, out + n + 1);
	return 0;
}

/* Splits "v1.A.O.E.MAC" into its numbers and the MAC; 0 / -1. */
static int
session_parse(const char *v, struct session *s, const char **mac)
{
	char part[4][24];
	const char *p = v, *dot;
	long e;
	int i;

	for (i = 0; i < 4; i++) {
		if ((dot = strchr(p, '.')) == NULL ||
		    (size_t)(dot - p) >= sizeof part[i] || dot == p)
			return -1;
		memcpy(part[i], p, (size_t)(dot - p));
		part[i][dot - p] = '\0';
		p = dot + 1;
	}
	if (strcmp(part[0], "v1") != 0 ||
	    parse_long(part[1], 1, LONG_MAX, &s->account_id) == -1 ||
	    parse_long(part[2], 1, LONG_MAX, &s->org_id) == -1 ||
	    parse_long(part[3], 0, LONG_MAX, &e) == -1)
		return -1;
	s->expiry = (time_t)e;
	*mac = p;
	return strlen(p) == 2 * CRYPTO_MAC_LEN ? 0 : -1;
}

static enum session_result
session_check(const char *value, time_t now, struct session *s)
{
	uint8_t csrf[CRYPTO_MAC_LEN];
	char want[SESSION_MAX + 1];
	const char *mac;

	memset(s, 0, sizeof *s);
	if (value == NULL || *value == '\0')
		return SESSION_MISSING;
	if (strlen(value) > SESSION_MAX || session_parse(value, s, &mac) == -1)
		return SESSION_MALFORMED;
	if (session_mint(s->account_id, s->org_id, s->expiry, want) == -1 ||
	    strlen(want) != strlen(value) ||
	    !crypto_equal(want, value, strlen(want)))
		return SESSION_FORGED;
	if (s->expiry <= now)
		return SESSION_EXPIRED;
	memcpy(s->value, value, strlen(value) + 1);
	if (crypto_hmac(csrf_key, sizeof csrf_key, value, strlen(value),
			csrf) == -1)
		return SESSION_FORGED;
	base64url(csrf, sizeof csrf, s->csrf);
	return SESSION_OK;
}

int
session_csrf_ok(const struct session *s, const char *token)
{
	return token != NULL && s->csrf[0] != '\0' &&
	       strlen(token) == SESSION_CSRF_LEN &&
	       crypto_equal(token, s->csrf, SESSION_CSRF_LEN);
}

int
session_cookie(const char *header, const char *name, char *out, size_t outlen)
{
	size_t nlen = strlen(name), vlen;
	const char *p = header, *end;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ';')
			p++;
		end = strchr(p, ';');
		vlen = end ? (size_t)(end - p) : strlen(p);
		if (vlen > nlen && strncmp(p, name, nlen) == 0 &&
		    p[nlen] == '=') {
			vlen -= nlen + 1;
			if (vlen >= outlen)
				return -1;
			memcpy(out, p + nlen + 1, vlen);
			out[vlen] = '\0';
			return 0;
		}
		p = end;
	}
	return -1;
}

enum session_result
session_verify(const char *value, time_t now, struct session *s)
{
	enum session_result r = session_check(value, now, s);

	if (r != SESSION_OK)
		memset(s, 0, sizeof *s);
	return r;
}
