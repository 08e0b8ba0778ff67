/*
 * spf.h - Sender Policy Framework (RFC 7208): record parsing, the check_host()
 * evaluator, and the product's verdict on a customer domain.
 *
 * Evaluation runs over a struct dns_source (lib/verify/dns.h) and is
 * restartable: when an answer is not known yet the result is SPF_NEED_DNS and
 * the caller resolves what the source recorded and calls again from the start.
 *
 * The implementation is lib/verify/spf-*.c, one concern a file, with
 * lib/verify/spf-int.h as what they share; nothing else includes that.
 */
#ifndef SA_SPF_H
#define SA_SPF_H

#include <stddef.h>

#include "dns.h"
#include "records.h"

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
 * semantics", SPF): a reason, and the status it implies (ok is verified,
 * dns_error tempfail, every other reason unverified); records holds each
 * v=spf1 TXT record found (strings of one RR concatenated, bytes that are
 * not printable ASCII shown as '?'); suggested the merged record to
 * publish when not verified (platform terms before the record's all, or the
 * platform record of records_spf() in lib/core/records.h when none exists).
 * The platform (lib/core/records.h) gives the addresses that must pass
 * and the policy the record's "all" is judged by.
 */
enum spf_status {
	SPF_STATUS_UNVERIFIED, /* first: a zeroed verdict is not verified */
	SPF_STATUS_VERIFIED,
	SPF_STATUS_TEMPFAIL,
	SPF_STATUS__MAX
};

/* The reasons, in the order of xsl/senderauth.rng (spf-reason). */
enum spf_reason {
	SPF_REASON_OK,
	SPF_REASON_NO_RECORD,		 /* no v=spf1 record */
	SPF_REASON_MULTIPLE_RECORDS,	 /* more than one v=spf1 record */
	SPF_REASON_SYNTAX_ERROR,	 /* the record does not parse */
	SPF_REASON_CONCATENATED_RECORDS, /* a second v=spf1 inside it */
	SPF_REASON_NOT_AUTHORIZED,	 /* not pass for a platform IP */
	SPF_REASON_HARDFAIL_ALL,	 /* -all under the softfail policy */
	SPF_REASON_PLUS_ALL,		 /* +all authorizes everyone */
	SPF_REASON_LOOKUP_LIMIT,	 /* over SPF_MAX_LOOKUPS */
	SPF_REASON_VOID_LOOKUP_LIMIT,	 /* over SPF_MAX_VOID_LOOKUPS */
	SPF_REASON_PERMERROR,		 /* any other permerror */
	SPF_REASON_DNS_ERROR,		 /* temperror: the answer is unknown */
	SPF_REASON__MAX
};

/* The names of DESIGN.md and the schema, for XML and the database;
 * "unknown" out of range. */
const char *spf_status_name(enum spf_status);
const char *spf_reason_name(enum spf_reason);

/* The RFC 7208 result of check_host(ip, domain, postmaster@domain) for
 * one platform address: what a receiver would conclude, next to the
 * product's verdict (a record with no SPF record is none, several
 * records or one that does not parse permerror, a DNS failure at the
 * domain temperror). */
#define SPF_IP_TEXT_MAX 46 /* INET6_ADDRSTRLEN */
struct spf_ip_result {
	char ip[SPF_IP_TEXT_MAX]; /* the platform address as configured */
	enum spf_result result;
};

struct spf_verdict {
	enum spf_status status;
	enum spf_reason reason;
	int lookups;
	size_t nrecords;
	char **records;	 /* malloc'ed */
	char *suggested; /* malloc'ed or NULL */
	size_t nresults; /* one per platform address, in the platform's order */
	struct spf_ip_result *results; /* malloc'ed */
};

/* The verdict, with check_host()'s result for each platform address in
 * results. Returns 0 when the verdict is complete, 1 when DNS answers are
 * needed (resolve and call again), -1 on allocation failure; only after 0
 * does *out hold anything, which spf_verdict_release() frees. */
int spf_verdict(const char *domain, const struct platform *,
		const struct dns_source *, struct spf_verdict *out);
void spf_verdict_release(struct spf_verdict *);

/*
 * Limits (RFC 7208 §4.6.4) and the bounds this implementation adds: a
 * record longer than SPF_MAX_RECORD bytes or with more than SPF_MAX_TERMS
 * terms is a syntax error (permerror).
 */
#define SPF_MAX_LOOKUPS 10     /* include, a, mx, ptr, exists, redirect */
#define SPF_MAX_VOID_LOOKUPS 2 /* NXDOMAIN or empty answers */
#define SPF_MAX_MX 10	       /* MX names per "mx" (more: permerror) */
#define SPF_MAX_PTR 10	       /* PTR names per "ptr" / %{p} (rest ignored) */
#define SPF_MAX_RECORD 4096
#define SPF_MAX_TERMS 512

/*
 * Record parsing on its own, for tests, fuzzing and record-checking tools
 * (check_host() and spf_verdict() use it internally). txt is the record as
 * published, the strings of one TXT RR concatenated (it may hold any byte).
 * SPF_PARSE_NOT_SPF: it does not start with "v=spf1" followed by a space or
 * its end (§4.5). SPF_PARSE_SYNTAX: a term anywhere violates the grammar
 * of §12 (or a bound above); problem receives a short description naming
 * the term. The whole record is checked, not just up to the first match.
 */
enum spf_parse {
	SPF_PARSE_OK,
	SPF_PARSE_NOT_SPF,
	SPF_PARSE_SYNTAX,
	SPF_PARSE_NOMEM,
};
struct spf_record;
enum spf_parse spf_record_parse(const char *txt, size_t len,
				struct spf_record **out, char *problem,
				size_t problemsz);
void spf_record_free(struct spf_record *);
size_t spf_record_nterms(const struct spf_record *);
/* The qualifier of the first "all" mechanism ('+', '-', '~', '?'), or 0
 * when the record has none. */
int spf_record_all(const struct spf_record *);

/*
 * Macro expansion (RFC 7208 §7) of macro-string s with req as context
 * (req->domain is <domain>). explain = 1 for exp= text (spaces and the
 * c, r, t letters allowed); explain = 0 for a domain-spec, whose result
 * loses its trailing dot and is left-truncated to 253 octets (§7.3).
 * %{p} asks src (NULL: "unknown"). Returns 0 with *out malloc'ed, 1 when
 * src needs to resolve (restart), -1 on a syntax error, an invalid
 * req->ip or allocation failure.
 */
int spf_expand(const struct spf_request *req, const struct dns_source *src,
	       const char *s, int explain, char **out);

#endif
