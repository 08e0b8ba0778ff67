/*
 * session.h - identity from the portal's session cookie, and CSRF tokens
 * bound to it.
 *
 * Cookie value (README "Session cookie"):
 *   v1.<account_id>.<org_id>.<expiry>.<mac>
 * account_id, org_id: decimal ids; expiry: Unix time in seconds; mac: 64
 * lower-case hex digits of HMAC-SHA256(session key, "v1.<account_id>.
 * <org_id>.<expiry>"). The session key is the content of the file named by
 * session_key_file, shared with the portal.
 *
 * The CSRF token is base64url of HMAC-SHA256(HKDF(session key, "csrf"),
 * cookie value): it changes with every session and needs no storage.
 */
#ifndef SA_SESSION_H
#define SA_SESSION_H

#include <stddef.h>
#include <time.h>

#define SESSION_MAX 160
#define SESSION_CSRF_LEN 43

struct session {
	long account_id;
	long org_id;
	time_t expiry;
	char value[SESSION_MAX + 1];
	char csrf[SESSION_CSRF_LEN + 1];
};

enum session_result {
	SESSION_OK,
	SESSION_MISSING,
	SESSION_MALFORMED,
	SESSION_FORGED,
	SESSION_EXPIRED,
};

/* Loads the key; 0 / -1. */
int session_init(const char *key_file);
/* Sets the key directly (tests, mint tool). */
int session_set_key(const void *key, size_t len);
/* Verifies a cookie value at time now and fills *s (with its CSRF token). */
enum session_result session_verify(const char *value, time_t now,
				   struct session *s);
/* Mints a cookie value into out (SESSION_MAX + 1 bytes); 0 / -1. */
int session_mint(long account_id, long org_id, time_t expiry, char *out);
/* Constant-time check of a submitted CSRF token against the session's. */
int session_csrf_ok(const struct session *, const char *token);
/* Finds cookie name in a Cookie header; copies its value into out. */
int session_cookie(const char *header, const char *name, char *out,
		   size_t outlen);

#endif
