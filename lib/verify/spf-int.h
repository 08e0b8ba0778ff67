/*
 * spf-int.h - what the files of the SPF module share, and nothing outside
 * them includes: a parsed record, the tokens of a macro-string, the state
 * of one check_host() evaluation, and the functions each file offers the
 * others. lib/verify/spf.h stays the interface for everyone else.
 *
 *   spf-parse.c    the grammar: record, terms, macro-strings (§4.5, §7.1,
 *                  §12), and reading a record out of a TXT RR (§3.3)
 *   spf-state.c    one evaluation's state: the client address, the names
 *                  it may ask about, the first error, validated PTR names
 *   spf-macro.c    macro expansion (§7.3) and target names (§4.8)
 *   spf-eval.c     check_host() (§4) and the mechanisms (§5)
 *   spf-verdict.c  the product's verdict and the record to suggest
 *
 * The first four are RFC 7208; only spf-verdict.c holds product policy.
 */
#ifndef SA_SPF_INT_H
#define SA_SPF_INT_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "spf.h"
#include "util.h"

#define NAME_MAX_LEN 253 /* RFC 1035 §2.3.4, text form without the dot */
#define LABEL_MAX_LEN 63 /* RFC 1035 §2.3.4 */
#define PROBLEM_MAX 160	 /* bytes of a problem description */

/*
 * A parsed record (spf-parse.c)
 */

enum spf_kind {
	K_ALL,
	K_INCLUDE,
	K_A,
	K_MX,
	K_PTR,
	K_IP4,
	K_IP6,
	K_EXISTS,
	K_REDIRECT, /* modifiers from here on */
	K_EXP,
	K_UNKNOWN,
	K__MAX
};

struct spf_term {
	enum spf_kind kind;
	char qual;  /* '+', '-', '~', '?' */
	char *spec; /* domain-spec or modifier value, or NULL */
	int cidr4, cidr6;
	uint8_t net[16]; /* ip4 (first 4 bytes) / ip6 network */
};

struct spf_record {
	char *text; /* owned copy, split in place into the terms' strings */
	size_t nterms;
	struct spf_term *terms;
	int redirect, exp; /* index of the modifier, or -1 */
	int all;	   /* index of the first "all", or -1 */
};

/* Checks the bytes of a record: printable ASCII and spaces only (§3.1,
 * §4.6.1). NULL, or a static problem with the offending offset in *at. */
const char *spf_check_record_bytes(const char *txt, size_t len, size_t *at);
/* Whether s[0..n) is one well-formed term on its own (§12). */
int spf_term_valid(const char *s, size_t n);
/* toplabel of §7.1 over s[0..n). */
int spf_toplabel_ok(const char *s, size_t n);
/* Appends the strings of a TXT RR without separators (§3.3) to b, at
 * most max bytes in all; returns the full length. */
size_t spf_txt_concat(const struct dns_rr *, struct buf *b, size_t max);
/* Whether a TXT RR starts "v=spf1" and a space or its end (§4.5). */
int spf_txt_is_spf(const struct dns_rr *);

/*
 * Macro-strings (§7.1): the grammar is spf-parse.c's, expansion
 * spf-macro.c's.
 */

enum mtok_kind { MT_LIT, MT_MACRO, MT_PCT, MT_SPACE, MT_URLSPACE };

struct mtok {
	enum mtok_kind kind;
	char letter;   /* lower case */
	int upper;     /* URL-escape the result (§7.3) */
	unsigned keep; /* rightmost parts to keep, 0 = all */
	int reverse;
	char delim[8]; /* NUL-terminated set; empty means "." */
	size_t len;    /* bytes of s the token spans */
};

#define MT_EXPLAIN 1 /* explain-string: spaces allowed */
#define MT_CRT 2     /* c, r, t letters allowed (§7.2: exp text only) */

/* Reads the token at s (not at its end) into *t; -1 when s does not start
 * with a macro-expand or macro-literal of the grammar of §7.1. */
int spf_mtok_next(const char *s, int flags, struct mtok *t);

/*
 * One evaluation (spf-state.c)
 */

struct spf_ip {
	int v6;
	uint8_t b[16]; /* IPv4 in the first 4 bytes */
};

/* Why a permerror or temperror happened, for spf_verdict()'s reasons. */
enum spf_cause {
	C_NONE,
	C_SYNTAX,
	C_LOOKUPS,
	C_VOID,
	C_OTHER, /* other permerror */
	C_DNS,
	C_NOMEM,
};

struct spf_eval {
	const struct spf_request *req;
	const struct dns_source *src;
	struct spf_ip ip;
	char *local;   /* local-part of <sender>, "postmaster" if none */
	char *odomain; /* domain of <sender> */
	int lookups, voids, depth, nomem;
	enum spf_cause cause;
	char *problem;
};

/* How a mechanism or a target name came out. */
enum mres { M_NOMATCH, M_MATCH, M_TEMPERROR, M_PERMERROR, M_NEED };

/* Sets up *ev for req over src: the client address and the parts of
 * <sender> (§4.3). -1 on an invalid address or allocation failure (then
 * ev->nomem); spf_eval_release() frees what it holds either way. */
int spf_eval_init(struct spf_eval *ev, const struct spf_request *req,
		  const struct dns_source *src);
void spf_eval_release(struct spf_eval *ev);
/* Records the first error of the evaluation; later ones are consequences
 * (an include's permerror is its caller's permerror). */
void spf_ev_fail(struct spf_eval *ev, enum spf_cause c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Whether the client address is in net/cidr of the given family. */
int spf_ip_in(const struct spf_ip *ip, const uint8_t *net, int v6, int cidr);
/* The source's answer, or NULL when it is not known yet. */
const struct dns_answer *spf_ask(struct spf_eval *ev, const char *name,
				 enum dns_type type);
/* A name as it comes in DNS data, without its trailing dot, into out
 * (NAME_MAX_LEN + 2 bytes); -1 when it cannot be a name. */
int spf_host_copy(const char *host, char *out);
/* Whether a name can be asked: 1..253 octets, labels of 1..63. */
int spf_name_usable(const char *s);
/* Whether host is domain or a subdomain of it, ignoring case (§5.5). */
int spf_name_within(const char *host, const char *domain);
/* The PTR records of the client address; NULL when not known yet or on
 * allocation failure (then ev->nomem). */
const struct dns_answer *spf_ask_ptr(struct spf_eval *ev);
/* Whether name has an address record equal to the client address (§5.5):
 * 1 yes, 0 no or DNS error, -1 when the answer is not known yet. */
int spf_name_validates(struct spf_eval *ev, const char *name);

/*
 * Macro expansion (spf-macro.c)
 */

/* Expands macro-string s for <domain> into b (§7). flags MT_EXPLAIN for
 * exp= text. 0, 1 when DNS is needed, -1 on a syntax error, an over-long
 * expansion or allocation failure (then ev->nomem). */
int spf_macro_expand(struct spf_eval *ev, const char *domain, const char *s,
		     int flags, struct buf *b);
/* The <target-name> of a term (§4.8): its domain-spec expanded, or domain
 * when spec is NULL. M_MATCH with *out malloc'ed; M_NOMATCH when the
 * result is not a usable name; M_NEED; M_PERMERROR when expansion failed
 * (callers decide whether that matters). */
enum mres spf_target(struct spf_eval *ev, const char *spec, const char *domain,
		     char **out);

/*
 * check_host() (spf-eval.c)
 */

/* spf_check_host() with the cause of an error in *cause, for the
 * verdict's reasons. */
enum spf_result spf_check_host_cause(const struct spf_request *req,
				     const struct dns_source *src,
				     struct spf_outcome *out,
				     enum spf_cause *cause);

#endif
