/*
 * spf.h - Sender Policy Framework (RFC 7208): record parsing, the check_host()
 * evaluator, and the product's verdict on a customer domain.
 *
 * Evaluation runs over a struct dns_source (lib/dns.h) and is restartable:
 * when an answer is not known yet the result is SPF_NEED_DNS and the caller
 * resolves what the source recorded and calls again from the start.
 */
#ifndef SA_SPF_H
#define SA_SPF_H

#include <stddef.h>
#include "dns.h"

enum spf_result {
	SPF_NONE,
	SPF_NEUTRAL,
	SPF_PASS,
	SPF_FAIL,
	SPF_SOFTFAIL,
	SPF_TEMPERROR,
	SPF_PERMERROR,
	SPF_NEED_DNS, /* not a result: resolve and call again */
	SPF_RESULT__MAX
};

const char *spf_result_name(enum spf_result);

/* The inputs of check_host() (RFC 7208 §4.1). ip is "192.0.2.1" or an IPv6
 * text form; sender is the MAIL FROM (or postmaster@helo); helo the HELO. */
struct spf_request {
	const char *ip;
	const char *domain;
	const char *sender;
	const char *helo;
	const char *receiver; /* %{r}; "unknown" when NULL */
};

struct spf_outcome {
	enum spf_result result;
	int lookups;	   /* DNS-querying terms counted (§4.6.4) */
	int void_lookups;  /* §4.6.4 */
	char *explanation; /* exp= text on fail, or NULL (malloc'ed) */
	char *problem;	   /* short description on permerror/temperror */
};

/* RFC 7208 check_host(). Returns the result, also stored in *out.
 * spf_outcome_release() frees what *out holds. */
enum spf_result spf_check_host(const struct spf_request *,
			       const struct dns_source *,
			       struct spf_outcome *out);
void spf_outcome_release(struct spf_outcome *);

/*
 * The product's verdict on a customer domain (DESIGN.md "Verification
 * semantics", SPF). status is "verified", "unverified" or "tempfail";
 * reason one of the codes of DESIGN.md; records holds each v=spf1 TXT record
 * found (strings of one RR concatenated); suggested the merged record to
 * publish when not verified (platform terms before the record's all, or the
 * platform record of records_spf() in lib/records.h when none exists).
 */
enum spf_policy { SPF_POLICY_SOFTFAIL, SPF_POLICY_ANY };

struct spf_platform {
	const char *const *ips; /* platform IPs, v4 or v6 */
	size_t nips;
	const char *include; /* platform include, may be NULL */
	enum spf_policy policy;
};

struct spf_verdict {
	const char *status; /* static string */
	const char *reason; /* static string */
	int lookups;
	size_t nrecords;
	char **records;	 /* malloc'ed */
	char *suggested; /* malloc'ed or NULL */
};

/* Returns 0 when the verdict is complete, 1 when DNS answers are needed
 * (resolve and call again), -1 on allocation failure. */
int spf_verdict(const char *domain, const struct spf_platform *,
		const struct dns_source *, struct spf_verdict *out);
void spf_verdict_release(struct spf_verdict *);

#endif
