/*
 * eventlog.c - the event-log writer over the DB_EVENT_INSERT statement.
 */
#include <stdio.h>

#include "db.h"
#include "eventlog.h"
#include "util.h"

int
eventlog_add(long org_id, long account_id, const char *action,
	     const char *object_type, long object_id, const char *object_name,
	     const char *detail)
{
	char org[24], acct[24], obj[24];
	const char *p[7];

	snprintf(org, sizeof org, "%ld", org_id);
	snprintf(acct, sizeof acct, "%ld", account_id);
	snprintf(obj, sizeof obj, "%ld", object_id);
	p[0] = org;
	p[1] = account_id > 0 ? acct : NULL;
	p[2] = action;
	p[3] = object_type;
	p[4] = object_id > 0 ? obj : NULL;
	p[5] = object_name != NULL ? object_name : "";
	p[6] = detail != NULL ? detail : "";
	return db_run(DB_EVENT_INSERT, 7, p);
}
