/*
 * export - GET /mail-settings/export?format=zone|csv[&id=<domain>]: the DNS
 * records the organization's domains (or the one id names) should
 * publish, as a zone-file fragment (text/dns) or as CSV (host,type,value),
 * offered for download. The records are the page's: the one SPF record to
 * publish, the DKIM key the status follows, a rotation's new key (to add)
 * and the previous one (to keep while it is retiring), the DMARC record
 * suggested to a domain without one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "page.h"
#include "records.h"
#include "util.h"
#include "validate.h"

/* n: 1 for csv, 0 for zone. */
static const char *
check_format(const char *in, struct field_value *v)
{
	v->n = strcmp(in, "csv") == 0;
	return v->n || strcmp(in, "zone") == 0 ? NULL : "bad_request";
}

enum { F_FORMAT, F_ID, F__MAX };
static const struct field fields[F__MAX] = {
    [F_FORMAT] = {"format", check_format, FIELD_PARAM | FIELD_REQUIRED},
    [F_ID] = {"id", valid_id, FIELD_PARAM},
};

/* One domain of the organization, when id names one (404 when not). */
static int
find(struct req *r)
{
	return r->v[F_ID].present ? page_find(r, DB_DOMAIN_GET, r->v[F_ID].n)
				  : 0;
}

/* One TXT record: a CSV row (RFC 4180, every field quoted), or a comment
 * saying what it is and a zone-file line. */
static void
put(struct buf *b, int csv, const char *what, const char *host,
    const char *value, size_t len)
{
	char *v = strndup(value, len), *zone;

	if (v == NULL) {
		b->err = 1;
		return;
	}
	if (csv) {
		records_csv_field(b, host);
		buf_adds(b, ",\"TXT\",");
		records_csv_field(b, v);
		buf_adds(b, "\r\n");
	} else if ((zone = records_zone_line(host, v, 255)) != NULL) {
		buf_addf(b, "; %s\n%s\n", what, zone);
		free(zone);
	} else {
		b->err = 1;
	}
	free(v);
}

/* The record of the DKIM key with selector sel and public key p. */
static void
put_key(struct buf *b, int csv, const char *what, const char *sel,
	const char *domain, const char *p)
{
	char *host = records_dkim_host(sel, domain);
	char *value = records_dkim_value(p);

	if (host != NULL && value != NULL)
		put(b, csv, what, host, value, strlen(value));
	else
		b->err = 1;
	free(host);
	free(value);
}

/* A rotation's new key (pending beside an active one) and the keys
 * retiring, of domain id, from DB_KEY_OTHERS. */
static void
other_keys(struct buf *b, int csv, const char *id, const char *domain,
	   PGresult *keys)
{
	const char *state;
	char what[96];
	int j;

	for (j = 0; j < PQntuples(keys); j++) {
		state = PQgetvalue(keys, j, KEY_OTHERS_STATE);
		if (strcmp(PQgetvalue(keys, j, KEY_OTHERS_DOMAIN_ID), id) ||
		    !strcmp(state, "retired"))
			continue;
		if (!strcmp(state, "pending"))
			snprintf(what, sizeof what, "%s DKIM, new key: add it",
				 domain);
		else
			snprintf(what, sizeof what,
				 "%s DKIM, previous key: keep it until %s",
				 domain, PQgetvalue(keys, j, KEY_OTHERS_UNTIL));
		put_key(b, csv, what, PQgetvalue(keys, j, KEY_OTHERS_SELECTOR),
			domain, PQgetvalue(keys, j, KEY_OTHERS_PUBLIC_KEY));
	}
}

/* The records of domain row i of DB_DOMAIN_LIST. */
static void
domain_records(struct buf *b, int csv, PGresult *d, int i, PGresult *keys,
	       PGresult *addrs)
{
	const char *id = PQgetvalue(d, i, DOMAIN_LIST_ID);
	const char *name = PQgetvalue(d, i, DOMAIN_LIST_NAME), *spf;
	char what[96], *host, *value;
	size_t len;

	spf =
	    records_spf_publish(PQgetvalue(d, i, DOMAIN_LIST_SPF_RECORD),
				PQgetvalue(d, i, DOMAIN_LIST_SPF_FOUND),
				PQgetvalue(d, i, DOMAIN_LIST_SPF_SUGGESTED),
				PQgetvalue(d, i, DOMAIN_LIST_SPF_STATUS), &len);
	snprintf(what, sizeof what, "%s SPF", name);
	put(b, csv, what, name, spf, len);
	snprintf(what, sizeof what, "%s DKIM", name);
	if (!PQgetisnull(d, i, DOMAIN_LIST_SELECTOR))
		put_key(b, csv, what, PQgetvalue(d, i, DOMAIN_LIST_SELECTOR),
			name, PQgetvalue(d, i, DOMAIN_LIST_PUBLIC_KEY));
	other_keys(b, csv, id, name, keys);
	if (strcmp(PQgetvalue(d, i, DOMAIN_LIST_DMARC_STATUS), "missing"))
		return;
	snprintf(what, sizeof what, "%s DMARC, recommended", name);
	host = records_dmarc_host(name);
	value = records_dmarc(page_dmarc_rua(addrs, name));
	if (host != NULL && value != NULL)
		put(b, csv, what, host, value, strlen(value));
	free(host);
	free(value);
}

static int export(struct req *r)
{
	static const enum db_stmt st[3] = {DB_DOMAIN_LIST, DB_KEY_OTHERS,
					   DB_ADDR_LIST};
	PGresult *res[3] = {NULL, NULL, NULL};
	const char *only =
	    r->found != NULL ? PQgetvalue(r->found, 0, DOMAIN_GET_ID) : NULL;
	int csv = (int)r->v[F_FORMAT].n, i, rc = -1;
	char name[DOMAIN_MAX + 8], *body;
	struct buf b;
	size_t len;

	if (page_lists(r, 3, st, res) == -1)
		return -1;
	buf_init(&b);
	buf_adds(&b, csv ? "host,type,value\r\n"
			 : "; DNS records to publish (senderauth)\n");
	for (i = 0; i < PQntuples(res[0]); i++)
		if (only == NULL ||
		    strcmp(only, PQgetvalue(res[0], i, DOMAIN_LIST_ID)) == 0)
			domain_records(&b, csv, res[0], i, res[1], res[2]);
	snprintf(name, sizeof name, "%s.%s",
		 only ? PQgetvalue(r->found, 0, DOMAIN_GET_NAME)
		      : "dns-records",
		 csv ? "csv" : "zone");
	len = b.len;
	if ((body = buf_detach(&b)) != NULL) {
		http_raw(r,
			 csv ? "text/csv; charset=utf-8; header=present"
			     : "text/dns",
			 name, body, len);
		rc = 0;
	}
	for (i = 0; i < 3; i++)
		PQclear(res[i]);
	return rc;
}

HTTP_MAIN(.name = "export", .methods = HTTP_GET, .fields = fields,
	  .nfields = F__MAX, .find = find, .handle = export)
