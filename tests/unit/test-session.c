/*
 * test-session - cookies (valid, expired, forged, malformed) and CSRF
 * tokens bound to the session.
 */
#include <stdio.h>
#include <time.h>

#include "session.h"
#include "t.h"
#include "util.h"

static const char key[] = "0123456789abcdef0123456789abcdef-unit";
static const char other_key[] = "fedcba9876543210fedcba9876543210-unit";

int
main(void)
{
	char c[SESSION_MAX + 1], c2[SESSION_MAX + 1], forged[SESSION_MAX + 1],
	    v[SESSION_MAX + 1];
	struct session s, s2;
	time_t now = 1790000000;
	size_t i;
	static const char *const malformed[] = {
	    "v1",
	    "v1.1.2.3",
	    "v2.1.2.1790000100.00",
	    "v1.a.2.1790000100.0000000000000000000000000000000000000000000000"
	    "000000000000000000",
	    "v1.-1.2.1790000100.000000000000000000000000000000000000000000000"
	    "0000000000000000000",
	    "v1.1.2.1790000100.short",
	    "v1..2.1790000100.000000000000000000000000000000000000000000000000"
	    "0000000000000000",
	};

	t_ok(session_set_key(key, sizeof key - 1) == 0, "set key");
	t_ok(session_set_key("short", 5) == -1, "short key refused");
	t_ok(session_mint(7, 3, now + 60, c) == 0, "mint");
	t_ok(session_verify(c, now, &s) == SESSION_OK, "valid cookie accepted");
	t_ok(s.account_id == 7 && s.org_id == 3, "ids read back");
	t_ok(strlen(s.csrf) == SESSION_CSRF_LEN, "csrf token length");
	t_ok(session_csrf_ok(&s, s.csrf), "own csrf token accepted");
	t_ok(!session_csrf_ok(&s, NULL), "missing csrf token refused");
	t_ok(!session_csrf_ok(&s, ""), "empty csrf token refused");
	snprintf(v, sizeof v, "%s", s.csrf);
	v[0] = v[0] == 'A' ? 'B' : 'A';
	t_ok(!session_csrf_ok(&s, v), "altered csrf token refused");
	session_mint(7, 3, now + 61, c2);
	session_verify(c2, now, &s2);
	t_ok(!session_csrf_ok(&s, s2.csrf),
	     "another session's csrf token refused");
	t_ok(session_verify(c, now + 60, &s) == SESSION_EXPIRED,
	     "expired at expiry");
	t_ok(s.account_id == 0, "refused session leaves no identity");
	t_ok(session_verify("", now, &s) == SESSION_MISSING, "empty missing");
	t_ok(session_verify(NULL, now, &s) == SESSION_MISSING, "NULL missing");
	snprintf(forged, sizeof forged, "%s", c);
	forged[strlen(forged) - 1] ^= 1;
	t_ok(session_verify(forged, now, &s) == SESSION_FORGED,
	     "flipped mac bit forged");
	snprintf(forged, sizeof forged, "v1.8%s", c + 4);
	t_ok(session_verify(forged, now, &s) == SESSION_FORGED,
	     "changed account forged");
	session_set_key(other_key, sizeof other_key - 1);
	t_ok(session_verify(c, now, &s) == SESSION_FORGED,
	     "cookie of another key forged");
	for (i = 0; i < sizeof malformed / sizeof malformed[0]; i++)
		t_ok(session_verify(malformed[i], now, &s) == SESSION_MALFORMED,
		     "malformed cookie %zu", i);
	t_ok(session_cookie("a=1; sa_session=abc; b=2", "sa_session", v,
			    sizeof v) == 0 &&
		 strcmp(v, "abc") == 0,
	     "cookie found among others");
	t_ok(session_cookie("xsa_session=abc", "sa_session", v, sizeof v) == -1,
	     "cookie name must match whole");
	return t_done();
}
