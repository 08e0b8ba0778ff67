/*
 * eventlog.h - the event log ("ログ"): one row per action, written inside the
 * action's transaction so history and state never disagree.
 */
#ifndef SA_EVENTLOG_H
#define SA_EVENTLOG_H

/* account_id 0 means the verifier. object_name and detail may be NULL.
 * 0 / -1. */
int eventlog_add(long org_id, long account_id, const char *action,
		 const char *object_type, long object_id,
		 const char *object_name, const char *detail);

#endif
