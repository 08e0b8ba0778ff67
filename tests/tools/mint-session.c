/*
 * mint-session - prints a session cookie value as the portal mints it
 * (format in lib/web/session.h and README): for `make run`'s demo login link
 * and for tests.
 *
 *   mint-session KEYFILE ACCOUNT_ID ORG_ID [TTL_SECONDS]
 */
#include <limits.h>
#include <stdio.h>
#include <time.h>

#include "session.h"
#include "util.h"

int
main(int argc, char **argv)
{
	char cookie[SESSION_MAX + 1];
	long account, org, ttl = 3600;

	if (argc < 4 || argc > 5 ||
	    parse_long(argv[2], 1, LONG_MAX, &account) == -1 ||
	    parse_long(argv[3], 1, LONG_MAX, &org) == -1 ||
	    (argc == 5 && parse_long(argv[4], -86400L * 365, 86400L * 365 * 10,
				     &ttl) == -1)) {
		fprintf(stderr, "usage: mint-session KEYFILE ACCOUNT_ID ORG_ID "
				"[TTL_SECONDS]\n");
		return 2;
	}
	if (session_init(argv[1]) == -1 ||
	    session_mint(account, org, time(NULL) + ttl, cookie) == -1)
		return 1;
	printf("%s\n", cookie);
	return 0;
}
