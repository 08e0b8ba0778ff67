/*
 * log - GET /mail-settings/log: the organization's event log ("ログ"),
 * newest first (tests/golden/log-example.xml). A status change carries
 * its codes (<spf>, <dkim>), which the page turns into sentences; one
 * written before they were stored keeps its text (<detail>).
 */
#include <stdio.h>

#include "db.h"
#include "page.h"
#include "util.h"
#include "xml.h"

/* The attributes an event takes from its columns, in document order; a
 * NULL column gives none. */
static const struct {
	const char *name;
	int col;
} attrs[] = {
    {"id", EVENT_LIST_ID},
    {"at", EVENT_LIST_AT},
    {"action", EVENT_LIST_ACTION},
    {"object-type", EVENT_LIST_OBJECT_TYPE},
    {"object-id", EVENT_LIST_OBJECT_ID},
    {"object", EVENT_LIST_OBJECT_NAME},
};

/* A status change's codes per record: <spf from= to= reason=/> and
 * <dkim .../>, from the columns that hold them. */
static const struct {
	const char *name;
	int from, to, reason;
} changes[] = {
    {"spf", EVENT_LIST_OLD_SPF, EVENT_LIST_NEW_SPF, EVENT_LIST_SPF_REASON},
    {"dkim", EVENT_LIST_OLD_DKIM, EVENT_LIST_NEW_DKIM, EVENT_LIST_DKIM_REASON},
};

static void
change(mxml_node_t *e, PGresult *res, int i, size_t k)
{
	mxml_node_t *c;

	if (PQgetisnull(res, i, changes[k].to))
		return;
	c = xml_el(e, changes[k].name);
	xml_attr(c, "from", PQgetvalue(res, i, changes[k].from));
	xml_attr(c, "to", PQgetvalue(res, i, changes[k].to));
	xml_attr(c, "reason", PQgetvalue(res, i, changes[k].reason));
}

static void
event(mxml_node_t *root, PGresult *res, int i)
{
	mxml_node_t *e = xml_el(root, "event"), *a;
	size_t k;

	for (k = 0; k < sizeof attrs / sizeof attrs[0]; k++)
		if (!PQgetisnull(res, i, attrs[k].col))
			xml_attr(e, attrs[k].name,
				 PQgetvalue(res, i, attrs[k].col));
	if (!PQgetisnull(res, i, EVENT_LIST_ACCOUNT_ID)) {
		a = xml_el(e, "actor");
		xml_attr(a, "id", PQgetvalue(res, i, EVENT_LIST_ACCOUNT_ID));
		xml_attr(a, "name",
			 PQgetvalue(res, i, EVENT_LIST_ACCOUNT_NAME));
	}
	for (k = 0; k < sizeof changes / sizeof changes[0]; k++)
		change(e, res, i, k);
	if (PQgetvalue(res, i, EVENT_LIST_DETAIL)[0] != '\0')
		xml_text_el(e, "detail", PQgetvalue(res, i, EVENT_LIST_DETAIL));
}

static int
log_page(struct req *r)
{
	PGresult *res;
	int i, rc = -1;

	if ((res = page_log(r)) == NULL)
		goto out;
	for (i = 0; i < PQntuples(res); i++)
		event(r->root, res, i);
	PQclear(res);
	rc = 0;
out:
	return rc;
}

HTTP_MAIN(.name = "log", .methods = HTTP_GET, .handle = log_page,
	  .reads = page_reads_log)
