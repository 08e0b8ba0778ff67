/*
 * report.h - how a check's result is presented: the <check> document of
 * DESIGN.md "Commands" that `verifier check` prints. The engine
 * (lib/verify/verify.h) computes results and knows nothing of XML; this
 * module reads them and builds the document through lib/core/xml.h.
 */
#ifndef SA_REPORT_H
#define SA_REPORT_H

#include <mxml.h>

#include "verify.h"

/* The <check> document: spf (status, reason, lookups, each record found,
 * the RFC 7208 result for each platform address, the suggested record
 * when not verified), dkim (status, reason, selector, name) and dmarc
 * (status, reason, policy, and org-domain when the record judged is the
 * organizational domain's), with the names of the verdict tables. Returns the
 * document (free with mxmlDelete) or NULL. */
mxml_node_t *report_check_xml(const struct verify_request *,
			      const struct verify_result *);

#endif
