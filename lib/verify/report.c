/*
 * report.c - the <check> document of a completed check (DESIGN.md
 * "Commands"). Statuses and reasons are spelled by the verdicts' name
 * tables; values are cleaned by lib/core/xml.c. Not here: computing the
 * result (lib/verify/verify.c), writing it to the database
 * (lib/verify/sweep.c).
 */
#include <stddef.h>

#include "report.h"
#include "verify.h"
#include "xml.h"

static void
xml_spf(mxml_node_t *root, const struct spf_verdict *v,
	const struct verify_via *via)
{
	mxml_node_t *el = xml_el(root, "spf");
	size_t i;

	xml_attr(el, "status", spf_status_name(v->status));
	xml_attr(el, "reason", spf_reason_name(v->reason));
	xml_attr_num(el, "lookups", v->lookups);
	xml_attr(el, "via", verify_via_name(via));
	for (i = 0; i < v->nrecords; i++)
		xml_text_el(el, "record", v->records[i]);
	for (i = 0; i < v->nresults; i++)
		xml_attr(xml_text_el(el, "result",
				     spf_result_name(v->results[i].result)),
			 "ip", v->results[i].ip);
	if (v->suggested != NULL && v->status != SPF_STATUS_VERIFIED)
		xml_text_el(el, "suggested", v->suggested);
}

mxml_node_t *
report_check_xml(const struct verify_request *req,
		 const struct verify_result *res)
{
	mxml_node_t *doc, *root, *el;

	if ((doc = xml_doc("check", &root)) == NULL || root == NULL)
		return doc;
	xml_attr(root, "domain", req->domain);
	xml_spf(root, &res->spf, &res->spf_via);
	el = xml_el(root, "dkim");
	xml_attr(el, "status", dkim_status_name(res->dkim.status));
	xml_attr(el, "reason", dkim_reason_name(res->dkim.reason));
	if (req->selector != NULL) {
		xml_attr(el, "selector", req->selector);
		xml_attr(el, "name", res->dkim.name);
	}
	xml_attr(el, "via", verify_via_name(&res->dkim_via));
	el = xml_el(root, "dmarc");
	xml_attr(el, "status", dmarc_status_name(res->dmarc.status));
	xml_attr(el, "reason", dmarc_reason_name(res->dmarc.reason));
	xml_attr(el, "policy", res->dmarc.policy);
	xml_attr(el, "org-domain", res->dmarc.org_domain);
	xml_attr(el, "via", verify_via_name(&res->dmarc_via));
	return doc;
}
