/*
 * page.c - the organization's settings as XML: account, addresses,
 * domains with the records issued and the verifier's verdicts. Columns
 * are read by the names lib/core/db.h gives them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "page.h"
#include "records.h"
#include "util.h"
#include "validate.h"
#include "xml.h"

static const char *const notices[] = {
    "updated",	"deleted",	    "issued",
    "reissued", "dkim_issued",	    "dkim_failed",
    "checked",	"rotation_started", "check_tempfail",
};

static const char *
notice_ok(const char *n)
{
	size_t i;

	for (i = 0; n != NULL && i < sizeof notices / sizeof notices[0]; i++)
		if (strcmp(n, notices[i]) == 0)
			return notices[i];
	return NULL;
}

/* The addresses and domains page_begin() fetched for page_end(). */
enum { L_ADDR, L_DOMAIN, L_KEYS, L__MAX };
static PGresult *lists[L__MAX];

static void
lists_release(void)
{
	int i;

	for (i = 0; i < L__MAX; i++) {
		PQclear(lists[i]);
		lists[i] = NULL;
	}
}

/*
 * Fetches, in one round trip, the lists a page shows into out[0..n)
 * (statements taking the organization id, DB_KEY_OTHERS also
 * dkim_retire_days) and, with acct set, the session's account first (the
 * serve loop's check, r->account). 0, or -1 with the answer set (500).
 */
static int
page_fetch(struct req *r, int acct, int n, const enum db_stmt *st,
	   PGresult **out)
{
	enum db_stmt all[1 + L__MAX];
	PGresult *res[1 + L__MAX];
	int np[1 + L__MAX], i, k = 0;
	char org[NUMBUF], days[NUMBUF], id[NUMBUF];
	const char *pa[2] = {num(r->sess.account_id, id),
			     num(r->sess.org_id, org)};
	const char *po[2] = {org, num(config_num("dkim_retire_days"), days)};
	const char *const *params[1 + L__MAX];

	if (acct) {
		all[k] = DB_ACCOUNT;
		np[k] = 2;
		params[k++] = pa;
	}
	for (i = 0; i < n; i++, k++) {
		all[k] = st[i];
		np[k] = st[i] == DB_KEY_OTHERS ? 2 : 1;
		params[k] = po;
	}
	if (db_exec_all(k, all, np, params, res) == -1) {
		http_fail(r, 500, "internal");
		return -1;
	}
	if (acct)
		r->account = res[0];
	for (i = 0; i < n; i++)
		out[i] = res[acct + i];
	return 0;
}

int
page_lists(struct req *r, int n, const enum db_stmt *st, PGresult **out)
{
	return page_fetch(r, 0, n, st, out);
}

/* The root element root (status, base), the account and the organization
 * (their names as the serve loop checked them). */
static void
page_head(struct req *r, const char *root, int status)
{
	PGresult *acct = r->account;
	mxml_node_t *el;

	r->doc = xml_doc(root, &r->root);
	r->status = status;
	xml_attr_num(r->root, "status", status);
	xml_attr(r->root, "base", r->base);
	el = xml_el(r->root, "account");
	xml_attr_num(el, "id", r->sess.account_id);
	xml_attr(el, "name", PQgetvalue(acct, 0, ACCOUNT_NAME));
	el = xml_el(r->root, "organization");
	xml_attr_num(el, "id", r->sess.org_id);
	xml_attr(el, "name", PQgetvalue(acct, 0, ACCOUNT_ORG_NAME));
}

/* Read with the account check; the other keys (L_KEYS) only for a page
 * that has some (page_end), which most pages do not. */
static const enum db_stmt settings_lists[L_KEYS] = {
    [L_ADDR] = DB_ADDR_LIST,
    [L_DOMAIN] = DB_DOMAIN_LIST,
};
/* The lists page_reads_settings() fetched with the account check. */
static int prefetched;

int
page_reads_settings(struct req *r)
{
	lists_release();
	if (page_fetch(r, 1, L_KEYS, settings_lists, lists) == -1)
		return -1;
	prefetched = 1;
	return 0;
}

/* The verifier's timer and cron line run it every five minutes
 * (dist/senderauth-verifier.timer): no check comes sooner. */
#define VERIFIER_PERIOD_S 300

/* How often the verifier checks, for the page's help: every
 * verify_new_interval_s (at least the timer's period) for the first
 * verify_new_hours after an issue, then at least every
 * verify_max_interval_s. */
static void
page_schedule(struct req *r)
{
	mxml_node_t *el = xml_el(r->root, "schedule");
	long every = config_num("verify_new_interval_s");

	if (every < VERIFIER_PERIOD_S)
		every = VERIFIER_PERIOD_S;
	xml_attr_num(el, "new-hours", config_num("verify_new_hours"));
	xml_attr_num(el, "new-minutes", (every + 59) / 60);
	xml_attr_num(el, "max-hours",
		     (config_num("verify_max_interval_s") + 3599) / 3600);
}

int
page_begin(struct req *r, int status, const char *notice)
{
	if (!prefetched) {
		lists_release();
		if (page_fetch(r, 0, L_KEYS, settings_lists, lists) == -1)
			return -1;
	}
	prefetched = 0;
	page_head(r, "settings", status);
	xml_attr(r->root, "csrf", r->sess.csrf);
	xml_attr(r->root, "notice", notice_ok(notice));
	page_schedule(r);
	return 0;
}

int
page_notice_domain(struct req *r, long id, int from_address)
{
	char ids[NUMBUF], org[NUMBUF];
	const char *p[2] = {num(id, ids), num(r->sess.org_id, org)};
	PGresult *res;

	if (id <= 0 || mxmlElementGetAttr(r->root, "notice") == NULL)
		return 0;
	if ((res = db_exec(DB_DOMAIN_NAME, 2, p)) == NULL) {
		http_fail(r, 500, "internal");
		return -1;
	}
	if (PQntuples(res) == 1) {
		xml_attr(r->root, "notice-domain",
			 PQgetvalue(res, 0, DOMAIN_NAME_UNICODE));
		xml_attr_num(r->root, "notice-domain-id", id);
		xml_attr(r->root, "notice-from",
			 from_address ? "address" : NULL);
	}
	PQclear(res);
	return 0;
}

static PGresult *events;

int
page_reads_log(struct req *r)
{
	static const enum db_stmt st[1] = {DB_EVENT_LIST};

	PQclear(events);
	events = NULL;
	return page_fetch(r, 1, 1, st, &events);
}

PGresult *
page_log(struct req *r)
{
	PGresult *res = events;

	events = NULL;
	if (res == NULL) {
		http_fail(r, 500, "internal");
		return NULL;
	}
	page_head(r, "log", 200);
	return res;
}

void
page_error(struct req *r, const char *code)
{
	xml_attr(xml_el(r->root, "error"), "code", code);
}

void
page_refuse(struct req *r, int status, const char *code)
{
	if (page_begin(r, status, NULL) == -1)
		return;
	page_error(r, code);
	page_end(r);
}

int
page_find(struct req *r, enum db_stmt st, long id)
{
	char ids[NUMBUF], org[NUMBUF];
	const char *p[2] = {num(id, ids), num(r->sess.org_id, org)};
	PGresult *res;

	if (id <= 0) {
		page_refuse(r, 404, "not_found");
		return -1;
	}
	if ((res = db_exec(st, 2, p)) == NULL) {
		http_fail(r, 500, "internal");
		return -1;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		page_refuse(r, 404, "not_found");
		return -1;
	}
	r->found = res;
	return 0;
}

int
page_find_own(struct req *r, long id)
{
	PGresult *res;

	if (page_find(r, DB_ADDR_GET, id) == -1)
		return -1;
	res = r->found;
	if (atol(PQgetvalue(res, 0, ADDR_GET_ACCOUNT_ID)) !=
	    r->sess.account_id) {
		PQclear(res);
		r->found = NULL;
		page_refuse(r, 403, "not_registrant");
		return -1;
	}
	return 0;
}

mxml_node_t *
page_form(struct req *r, const char *name, long id)
{
	mxml_node_t *f = xml_el(r->root, "form");

	xml_attr(f, "name", name);
	if (id > 0)
		xml_attr_num(f, "id", id);
	return f;
}

mxml_node_t *
page_field(mxml_node_t *form, const char *name, const char *value,
	   const char *error)
{
	mxml_node_t *f = xml_el(form, "field");

	xml_attr(f, "name", name);
	xml_attr(f, "value", value != NULL ? value : "");
	if (error != NULL)
		xml_attr(xml_el(f, "error"), "code", error);
	return f;
}

/* The error element of field f, with its detail attributes. */
static void
page_field_error(mxml_node_t *f, const struct field_error *e)
{
	mxml_node_t *el = mxmlGetLastChild(f);
	size_t i;

	for (i = 0; i + 1 < 4 && e->detail[i + 1] != NULL; i += 2)
		xml_attr(el, e->detail[i], e->detail[i + 1]);
}

mxml_node_t *
page_fields(struct req *r)
{
	const struct action *a = r->action;
	const struct field *spec;
	mxml_node_t *form = page_form(r, a->form, 0), *f;
	size_t i;

	for (i = 0; i < a->nfields; i++) {
		spec = &a->fields[i];
		if (spec->flags & FIELD_PARAM) {
			if ((spec->flags & FIELD_FORM_ID) && r->v[i].n > 0)
				xml_attr_num(form, "id", r->v[i].n);
			continue;
		}
		f = page_field(form, spec->name,
			       spec->flags & FIELD_SECRET ? "" : r->v[i].s,
			       r->err[i].code);
		if (r->err[i].code != NULL)
			page_field_error(f, &r->err[i]);
	}
	return form;
}

/* The whole page answering status with the page-level error code and the
 * action's form, as typed, when it has one. */
static int
page_again(struct req *r, int status, const char *code)
{
	if (page_begin(r, status, NULL) == -1)
		return -1;
	page_error(r, code);
	if (r->action->form != NULL)
		page_fields(r);
	return page_end(r);
}

int
page_invalid(struct req *r)
{
	return page_again(r, 422, "invalid_form");
}

int
page_retry(struct req *r)
{
	return page_again(r, 403, "bad_csrf");
}

static void attr_col(mxml_node_t *, const char *, PGresult *, int, int);

/* The row of domains (DB_DOMAIN_LIST) named name, or -1. */
static int
domain_row(PGresult *domains, const char *name)
{
	int j;

	for (j = 0; j < PQntuples(domains); j++)
		if (strcmp(PQgetvalue(domains, j, DOMAIN_LIST_NAME), name) == 0)
			return j;
	return -1;
}

/* Whether the platform can send as the address authenticated: its domain
 * added, with SPF 設定済 and an active DKIM key (the signer has one; the
 * key a domain's row carries is the active one when there is one). */
static void
page_gate(mxml_node_t *a, PGresult *res, int i, PGresult *domains)
{
	int d = domain_row(domains, PQgetvalue(res, i, ADDR_LIST_DOMAIN));
	const char *reason = "ok";

	if (d == -1)
		reason = "no_domain";
	else if (strcmp(PQgetvalue(domains, d, DOMAIN_LIST_SPF_STATUS),
			"verified"))
		reason = "spf";
	else if (strcmp(PQgetvalue(domains, d, DOMAIN_LIST_KEY_STATE),
			"active"))
		reason = "dkim";
	xml_attr(a, "authenticated", strcmp(reason, "ok") ? "no" : "yes");
	xml_attr(a, "reason", reason);
	if (d != -1)
		xml_attr(a, "domain-id",
			 PQgetvalue(domains, d, DOMAIN_LIST_ID));
}

static void
page_address(struct req *r, mxml_node_t *list, PGresult *res, int i,
	     PGresult *domains)
{
	mxml_node_t *a = xml_el(list, "address"), *reg;
	long owner = atol(PQgetvalue(res, i, ADDR_LIST_ACCOUNT_ID));

	xml_attr(a, "id", PQgetvalue(res, i, ADDR_LIST_ID));
	xml_attr(a, "mine", owner == r->sess.account_id ? "1" : "0");
	page_gate(a, res, i, domains);
	xml_text_el(a, "email", PQgetvalue(res, i, ADDR_LIST_ADDRESS));
	xml_text_el(a, "smtp-host", PQgetvalue(res, i, ADDR_LIST_SMTP_HOST));
	xml_text_el(a, "smtp-port", PQgetvalue(res, i, ADDR_LIST_SMTP_PORT));
	xml_text_el(a, "smtp-user", PQgetvalue(res, i, ADDR_LIST_SMTP_USER));
	xml_text_el(a, "password-set",
		    PQgetvalue(res, i, ADDR_LIST_PASSWORD_SET)[0] == 't' ? "1"
									 : "0");
	xml_text_el(a, "note", PQgetvalue(res, i, ADDR_LIST_NOTE));
	reg = xml_el(a, "registrant");
	xml_attr(reg, "id", PQgetvalue(res, i, ADDR_LIST_ACCOUNT_ID));
	xml_attr(reg, "name", PQgetvalue(res, i, ADDR_LIST_ACCOUNT_NAME));
	xml_text_el(a, "created-at", PQgetvalue(res, i, ADDR_LIST_CREATED_AT));
}

/* One <found> per line of what the verifier saw. */
static void
page_found(mxml_node_t *el, const char *found)
{
	const char *nl;

	while (*found != '\0') {
		nl = strchr(found, '\n');
		xml_bytes_el(el, "found", found,
			     nl ? (size_t)(nl - found) : strlen(found));
		if (nl == NULL)
			break;
		found = nl + 1;
	}
}

/* One <result ip="…">RESULT</result> per "<address> <result>" line the
 * verifier wrote (sql/004_verdict_detail.sql). */
static void
page_spf_results(mxml_node_t *el, const char *lines)
{
	char ip[64];
	const char *sp, *nl;
	size_t n;

	for (; *lines != '\0'; lines = nl + 1) {
		nl = strchr(lines, '\n');
		n = nl ? (size_t)(nl - lines) : strlen(lines);
		sp = memchr(lines, ' ', n);
		if (sp != NULL && (size_t)(sp - lines) < sizeof ip) {
			snprintf(ip, sizeof ip, "%.*s", (int)(sp - lines),
				 lines);
			xml_attr(xml_bytes_el(el, "result", sp + 1,
					      n - (size_t)(sp - lines) - 1),
				 "ip", ip);
		}
		if (nl == NULL)
			break;
	}
}

static void
page_record(mxml_node_t *el, const char *host, const char *value,
	    const char *zone)
{
	mxml_node_t *rec = xml_el(el, "record");

	xml_attr(rec, "host", host);
	xml_attr(rec, "type", "TXT");
	xml_attr(rec, "value", value);
	xml_attr(rec, "zone", zone);
}

/* Attribute from a column unless it is NULL. */
static void
attr_col(mxml_node_t *el, const char *name, PGresult *res, int i, int col)
{
	if (!PQgetisnull(res, i, col))
		xml_attr(el, name, PQgetvalue(res, i, col));
}

/* The checks' times of a verdict of status column st: checked-at, and
 * which way its answers came (via column via, sql/006), only once a check
 * gave a verdict (pending: never checked; tempfail: every check so far
 * failed to ask DNS), tempfail-at of the last check that could not ask. */
static void
attr_checked(mxml_node_t *el, PGresult *res, int i, int st, int via)
{
	const char *status = PQgetvalue(res, i, st);

	if (strcmp(status, "verified") == 0 ||
	    strcmp(status, "unverified") == 0) {
		attr_col(el, "checked-at", res, i, DOMAIN_LIST_CHECKED_AT);
		attr_col(el, "via", res, i, via);
	}
	attr_col(el, "tempfail-at", res, i, DOMAIN_LIST_TEMPFAIL_AT);
}

/* The <record> of a DKIM key; its value (free it), or NULL. */
static char *
page_key_record(mxml_node_t *el, const char *selector, const char *domain,
		const char *p)
{
	char *host = records_dkim_host(selector, domain);
	char *value = records_dkim_value(p);
	char *zone = host && value ? records_zone_line(host, value, 255) : NULL;

	page_record(el, host, value, zone);
	free(host);
	free(zone);
	return value;
}

/* The domain's other keys (DB_KEY_OTHERS, ordered by domain): a
 * rotation's <next>, <retiring> and <retired> ones. */
static void
page_other_keys(mxml_node_t *k, const char *domain_id, const char *domain,
		PGresult *keys)
{
	const char *state;
	mxml_node_t *el;
	int j;

	for (j = 0; j < PQntuples(keys); j++) {
		if (strcmp(PQgetvalue(keys, j, KEY_OTHERS_DOMAIN_ID),
			   domain_id))
			continue;
		state = PQgetvalue(keys, j, KEY_OTHERS_STATE);
		el = xml_el(k, strcmp(state, "pending") == 0 ? "next" : state);
		xml_attr(el, "selector",
			 PQgetvalue(keys, j, KEY_OTHERS_SELECTOR));
		if (strcmp(state, "pending") == 0) {
			xml_attr(el, "bits",
				 PQgetvalue(keys, j, KEY_OTHERS_BITS));
			xml_attr(el, "status",
				 PQgetvalue(keys, j, KEY_OTHERS_NEXT_STATUS));
			xml_attr(el, "reason",
				 PQgetvalue(keys, j, KEY_OTHERS_NEXT_REASON));
			xml_attr(el, "created-at",
				 PQgetvalue(keys, j, KEY_OTHERS_CREATED_AT));
		} else if (strcmp(state, "retiring") == 0) {
			xml_attr(el, "until",
				 PQgetvalue(keys, j, KEY_OTHERS_UNTIL));
			xml_attr(el, "removable",
				 PQgetvalue(keys, j, KEY_OTHERS_REMOVABLE)[0] ==
					 't'
				     ? "1"
				     : "0");
		} else {
			xml_attr(el, "retired-at",
				 PQgetvalue(keys, j, KEY_OTHERS_RETIRED_AT));
		}
		free(page_key_record(
		    el, PQgetvalue(keys, j, KEY_OTHERS_SELECTOR), domain,
		    PQgetvalue(keys, j, KEY_OTHERS_PUBLIC_KEY)));
	}
}

static void
page_dkim(mxml_node_t *d, PGresult *res, int i, PGresult *keys)
{
	mxml_node_t *k = xml_el(d, "dkim");
	char *value = NULL;

	xml_attr(k, "status", PQgetvalue(res, i, DOMAIN_LIST_DKIM_STATUS));
	xml_attr(k, "reason", PQgetvalue(res, i, DOMAIN_LIST_DKIM_REASON));
	attr_checked(k, res, i, DOMAIN_LIST_DKIM_STATUS, DOMAIN_LIST_DKIM_VIA);
	if (!PQgetisnull(res, i, DOMAIN_LIST_SELECTOR)) {
		xml_attr(k, "selector",
			 PQgetvalue(res, i, DOMAIN_LIST_SELECTOR));
		xml_attr(k, "bits", PQgetvalue(res, i, DOMAIN_LIST_BITS));
		xml_attr(k, "state", PQgetvalue(res, i, DOMAIN_LIST_KEY_STATE));
		value =
		    page_key_record(k, PQgetvalue(res, i, DOMAIN_LIST_SELECTOR),
				    PQgetvalue(res, i, DOMAIN_LIST_NAME),
				    PQgetvalue(res, i, DOMAIN_LIST_PUBLIC_KEY));
	}
	/* NULL: DNS held exactly the record issued (sql/001_baseline.sql) */
	page_found(k, PQgetisnull(res, i, DOMAIN_LIST_DKIM_FOUND)
			  ? (value ? value : "")
			  : PQgetvalue(res, i, DOMAIN_LIST_DKIM_FOUND));
	free(value);
	page_other_keys(k, PQgetvalue(res, i, DOMAIN_LIST_ID),
			PQgetvalue(res, i, DOMAIN_LIST_NAME), keys);
}

const char *
page_dmarc_rua(PGresult *addrs, const char *domain)
{
	const char *rua = config_str("dmarc_rua");
	int j;

	for (j = 0; rua == NULL && j < PQntuples(addrs); j++)
		if (strcmp(PQgetvalue(addrs, j, ADDR_LIST_DOMAIN), domain) == 0)
			rua = PQgetvalue(addrs, j, ADDR_LIST_ADDRESS);
	return rua;
}

/* org-domain (and its Unicode form for the page) when the DMARC record is
 * the organizational domain's. */
static void
page_org_domain(mxml_node_t *el, const char *org)
{
	char alabel[DOMAIN_MAX + 1], ulabel[ULABEL_MAX + 1];

	if (org[0] == '\0')
		return;
	xml_attr(el, "org-domain", org);
	if (validate_domain(org, alabel, ulabel) == NULL)
		xml_attr(el, "org-domain-unicode", ulabel);
}

/* DMARC as the verifier saw it (absent until checked); when the domain
 * has none, the record to publish: p=none, reports to dmarc_rua, else to
 * the domain's first sender address, else nowhere. */
static void
page_dmarc(mxml_node_t *d, PGresult *res, int i, PGresult *addrs)
{
	const char *status = PQgetvalue(res, i, DOMAIN_LIST_DMARC_STATUS);
	mxml_node_t *el;
	char *host, *value;

	if (*status == '\0')
		return;
	el = xml_el(d, "dmarc");
	xml_attr(el, "status", status);
	xml_attr(el, "reason", PQgetvalue(res, i, DOMAIN_LIST_DMARC_REASON));
	xml_attr(el, "policy", PQgetvalue(res, i, DOMAIN_LIST_DMARC_POLICY));
	page_org_domain(el, PQgetvalue(res, i, DOMAIN_LIST_DMARC_ORG_DOMAIN));
	if (strcmp(status, "tempfail") != 0)
		attr_col(el, "via", res, i, DOMAIN_LIST_DMARC_VIA);
	if (strcmp(status, "missing") != 0)
		return;
	host = records_dmarc_host(PQgetvalue(res, i, DOMAIN_LIST_NAME));
	value = records_dmarc(
	    page_dmarc_rua(addrs, PQgetvalue(res, i, DOMAIN_LIST_NAME)));
	page_record(el, host, value, NULL);
	free(host);
	free(value);
}

/* What Gmail and Yahoo ask of bulk senders since 2024: SPF and DKIM
 * pass, a DMARC record, and a DKIM signature aligned with the From domain
 * (RFC 7489 §3.1.1), which the platform's keys are, being the domain's
 * own, once DKIM is verified. */
static void
page_bulk_sender(mxml_node_t *d, PGresult *res, int i)
{
	mxml_node_t *el = xml_el(d, "bulk-sender");
	int dkim = strcmp(PQgetvalue(res, i, DOMAIN_LIST_DKIM_STATUS),
			  "verified") == 0;

	xml_attr(el, "spf",
		 strcmp(PQgetvalue(res, i, DOMAIN_LIST_SPF_STATUS), "verified")
		     ? "no"
		     : "yes");
	xml_attr(el, "dkim", dkim ? "yes" : "no");
	xml_attr(el, "dmarc",
		 strcmp(PQgetvalue(res, i, DOMAIN_LIST_DMARC_STATUS), "found")
		     ? "no"
		     : "yes");
	xml_attr(el, "aligned", dkim ? "yes" : "no");
}

static void
page_domain(mxml_node_t *list, PGresult *res, int i, PGresult *keys,
	    PGresult *addrs)
{
	mxml_node_t *d = xml_el(list, "domain"), *el;

	xml_attr(d, "id", PQgetvalue(res, i, DOMAIN_LIST_ID));
	xml_attr(d, "name", PQgetvalue(res, i, DOMAIN_LIST_NAME));
	xml_attr(d, "unicode", PQgetvalue(res, i, DOMAIN_LIST_UNICODE));
	xml_attr(d, "created-at", PQgetvalue(res, i, DOMAIN_LIST_CREATED_AT));
	el = xml_el(d, "spf");
	xml_attr(el, "status", PQgetvalue(res, i, DOMAIN_LIST_SPF_STATUS));
	xml_attr(el, "reason", PQgetvalue(res, i, DOMAIN_LIST_SPF_REASON));
	attr_checked(el, res, i, DOMAIN_LIST_SPF_STATUS, DOMAIN_LIST_SPF_VIA);
	attr_col(el, "verified-at", res, i, DOMAIN_LIST_VERIFIED_AT);
	page_record(el, PQgetvalue(res, i, DOMAIN_LIST_NAME),
		    PQgetvalue(res, i, DOMAIN_LIST_SPF_RECORD), NULL);
	page_found(el, PQgetvalue(res, i, DOMAIN_LIST_SPF_FOUND));
	page_spf_results(el, PQgetvalue(res, i, DOMAIN_LIST_SPF_RESULTS));
	if (PQgetvalue(res, i, DOMAIN_LIST_SPF_SUGGESTED)[0] != '\0')
		xml_text_el(el, "suggested",
			    PQgetvalue(res, i, DOMAIN_LIST_SPF_SUGGESTED));
	page_dkim(d, res, i, keys);
	page_dmarc(d, res, i, addrs);
	page_bulk_sender(d, res, i);
}

/* The keys shown beside the domains' own (DB_KEY_OTHERS) into
 * lists[L_KEYS], asked only when a domain row says it has some; 0, or -1
 * with the answer set (500). */
static int
page_other_keys_read(struct req *r)
{
	static const enum db_stmt st = DB_KEY_OTHERS;
	PGresult *d = lists[L_DOMAIN];
	int i;

	for (i = 0; i < PQntuples(d); i++)
		if (PQgetvalue(d, i, DOMAIN_LIST_OTHER_KEYS)[0] == 't')
			return page_fetch(r, 0, 1, &st, &lists[L_KEYS]);
	return 0;
}

int
page_end(struct req *r)
{
	mxml_node_t *list;
	int i;

	if (lists[L_ADDR] == NULL || lists[L_DOMAIN] == NULL) {
		http_fail(r, 500, "internal");
		return -1;
	}
	if (page_other_keys_read(r) == -1)
		return -1;
	list = xml_el(r->root, "addresses");
	for (i = 0; i < PQntuples(lists[L_ADDR]); i++)
		page_address(r, list, lists[L_ADDR], i, lists[L_DOMAIN]);
	list = xml_el(r->root, "domains");
	for (i = 0; i < PQntuples(lists[L_DOMAIN]); i++)
		page_domain(list, lists[L_DOMAIN], i, lists[L_KEYS],
			    lists[L_ADDR]);
	lists_release();
	return 0;
}

int
page_confirm(struct req *r, const char *kind, long id, const char *name)
{
	mxml_node_t *c;

	if (page_begin(r, 200, NULL) == -1)
		return -1;
	c = xml_el(r->root, "confirm");
	xml_attr(c, "kind", kind);
	xml_attr_num(c, "id", id);
	xml_attr(c, "name", name);
	return page_end(r);
}
