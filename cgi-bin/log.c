/*
 * log - GET /mail-settings/log: the organization's event log ("ログ"),
 * newest first (tests/golden/log-example.xml).
 */
#include <stdio.h>

#include "db.h"
#include "page.h"
#include "util.h"
#include "xml.h"

static void
event(mxml_node_t *root, PGresult *res, int i)
{
	mxml_node_t *e = xml_el(root, "event"), *a;

	xml_attr(e, "id", PQgetvalue(res, i, EVENT_LIST_ID));
	xml_attr(e, "at", PQgetvalue(res, i, EVENT_LIST_AT));
	xml_attr(e, "action", PQgetvalue(res, i, EVENT_LIST_ACTION));
	xml_attr(e, "object-type", PQgetvalue(res, i, EVENT_LIST_OBJECT_TYPE));
	if (!PQgetisnull(res, i, EVENT_LIST_OBJECT_ID))
		xml_attr(e, "object-id",
			 PQgetvalue(res, i, EVENT_LIST_OBJECT_ID));
	xml_attr(e, "object", PQgetvalue(res, i, EVENT_LIST_OBJECT_NAME));
	if (!PQgetisnull(res, i, EVENT_LIST_ACCOUNT_ID)) {
		a = xml_el(e, "actor");
		xml_attr(a, "id", PQgetvalue(res, i, EVENT_LIST_ACCOUNT_ID));
		xml_attr(a, "name",
			 PQgetvalue(res, i, EVENT_LIST_ACCOUNT_NAME));
	}
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

HTTP_MAIN(.name = "log", .methods = HTTP_GET, .handle = log_page)
