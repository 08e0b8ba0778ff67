/*
 * fuzz-session.c - libFuzzer target for the session cookie (lib/web/
 * session.c): the input is a Cookie header. Finding the cookie copies at
 * most the buffer and NUL-terminates it; a value that is not one this key
 * minted is never accepted; a value minted from numbers taken from the
 * input is accepted with those numbers, and its CSRF token checks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "session.h"

static const unsigned char key[32] = "fuzz-session-key-fuzz-session-k";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char header[4096], value[SESSION_MAX + 1], minted[SESSION_MAX + 1];
	struct session s;
	long acct = 1, org = 1;
	time_t now = 1796000000;

	if (size >= sizeof header)
		return 0;
	memcpy(header, data, size);
	header[size] = '\0';
	session_set_key(key, sizeof key);
	memset(value, 'x', sizeof value);
	if (session_cookie(header, "sa_session", value, sizeof value) == 0 &&
	    memchr(value, '\0', sizeof value) == NULL)
		abort();
	/* random text never verifies: a MAC is never guessed */
	if (session_verify(header, now, &s) == SESSION_OK &&
	    strstr(header, ".") == NULL)
		abort();
	if (size >= 2 * sizeof(long)) {
		memcpy(&acct, data, sizeof acct);
		memcpy(&org, data + sizeof acct, sizeof org);
	}
	if (acct <= 0 || org <= 0 ||
	    session_mint(acct, org, now + 60, minted) == -1)
		return 0;
	if (session_verify(minted, now, &s) != SESSION_OK ||
	    s.account_id != acct || s.org_id != org ||
	    !session_csrf_ok(&s, s.csrf))
		abort();
	if (session_verify(minted, now + 61, &s) != SESSION_EXPIRED)
		abort();
	return 0;
}
