/*
 * rfc7208.c - runs the openspf RFC 7208 test suite (rfc7208-tests.yml, a
 * YAML stream of documents with description, tests and zonedata) against
 * spf_check_host() over an in-memory dns_table.
 *
 *   build/tests/rfc7208 tests/conformance/rfc7208-tests.yml
 *
 * Prints "ok - <description>/<test>" or "not ok - …: want X got Y" per
 * test, then "# rfc7208: N of M pass"; exits 1 when any test fails.
 *
 * Each test runs twice: once straight over the table, once through a
 * source that answers "not known yet" to every new question, the way the
 * c-ares source does, so that the restart path (SPF_NEED_DNS) is exercised
 * and must reach the same result and explanation.
 *
 * Zone data conventions of the suite (see its header comment): type SPF
 * records are used as TXT only for names without any TXT entry ("TXT:
 * NONE" is such an entry with no record); TIMEOUT makes every query for
 * that name time out, except for types the name has records of (the
 * "spftimeout" test has a TXT record and a TIMEOUT for the type-SPF
 * query we never make).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "dns.h"
#include "dnstable.h"
#include "spf.h"
#include "util.h"

static int passed, failed;

/* Node helpers over a loaded yaml_document_t. */
static const char *
scalar(yaml_document_t *doc, yaml_node_t *n, size_t *len)
{
	(void)doc;
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	if (len != NULL)
		*len = n->data.scalar.length;
	return (const char *)n->data.scalar.value;
}

static yaml_node_t *
map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;
	const char *k;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		k = scalar(doc, yaml_document_get_node(doc, p->key), NULL);
		if (k != NULL && strcmp(k, key) == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

static size_t
seq_len(yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(n->data.sequence.items.top -
			n->data.sequence.items.start);
}

static yaml_node_t *
seq_at(yaml_document_t *doc, yaml_node_t *n, size_t i)
{
	return yaml_document_get_node(doc, n->data.sequence.items.start[i]);
}

/*
 * Zone data
 */

struct zone_name {
	int has_txt, timeout;
	int have[256]; /* RR counts per type number */
};

/* One record of a name's list: a single-key map TYPE: value. */
static int
load_rr(struct dns_table *t, yaml_document_t *doc, const char *name,
	const char *type, yaml_node_t *val, struct zone_name *zn)
{
	const char *v = scalar(doc, val, NULL), *strs[64];
	size_t lens[64], n, i;
	uint8_t addr[16];
	long pref;

	if (strcmp(type, "A") == 0 && v != NULL &&
	    inet_pton(AF_INET, v, addr) == 1) {
		zn->have[DNS_T_A]++;
		return dns_table_add_a(t, name, addr);
	}
	if (strcmp(type, "AAAA") == 0 && v != NULL &&
	    inet_pton(AF_INET6, v, addr) == 1) {
		zn->have[DNS_T_AAAA]++;
		return dns_table_add_aaaa(t, name, addr);
	}
	if (strcmp(type, "MX") == 0 && seq_len(val) == 2 &&
	    parse_long(scalar(doc, seq_at(doc, val, 0), NULL), 0, 65535,
		       &pref) == 0 &&
	    (v = scalar(doc, seq_at(doc, val, 1), NULL)) != NULL) {
		zn->have[DNS_T_MX]++;
		return dns_table_add_mx(t, name, (uint16_t)pref, v);
	}
	if (strcmp(type, "PTR") == 0 && v != NULL) {
		zn->have[DNS_T_PTR]++;
		return dns_table_add_ptr(t, name, v);
	}
	if (strcmp(type, "CNAME") == 0 && v != NULL) {
		zn->have[DNS_T_CNAME]++;
		return dns_table_add_cname(t, name, v);
	}
	if (strcmp(type, "TXT") != 0 && strcmp(type, "SPF") != 0)
		return -1;
	if (strcmp(type, "SPF") == 0 && zn->has_txt)
		return 0; /* type SPF is gone (RFC 7208 §3.1, §14.1) */
	if (v != NULL && strcmp(type, "TXT") == 0 && strcmp(v, "NONE") == 0)
		return 0;
	if (v != NULL) {
		strs[0] = scalar(doc, val, &lens[0]);
		n = 1;
	} else {
		if ((n = seq_len(val)) > 64)
			return -1;
		for (i = 0; i < n; i++)
			if ((strs[i] = scalar(doc, seq_at(doc, val, i),
					      &lens[i])) == NULL)
				return -1;
	}
	zn->have[DNS_T_TXT]++;
	return dns_table_add_txt(t, name, n, strs, lens);
}

/* Whether any entry of the list is a TXT one (TXT: NONE included). */
static int
list_has_txt(yaml_document_t *doc, yaml_node_t *list)
{
	yaml_node_t *item;
	size_t i;

	for (i = 0; i < seq_len(list); i++) {
		item = seq_at(doc, list, i);
		if (item->type == YAML_MAPPING_NODE &&
		    map_get(doc, item, "TXT") != NULL)
			return 1;
	}
	return 0;
}

static int
load_name(struct dns_table *t, yaml_document_t *doc, const char *name,
	  yaml_node_t *list)
{
	static const enum dns_type types[] = {DNS_T_A, DNS_T_AAAA, DNS_T_MX,
					      DNS_T_PTR, DNS_T_TXT};
	struct zone_name zn;
	yaml_node_pair_t *p;
	yaml_node_t *item;
	const char *s;
	size_t i;

	memset(&zn, 0, sizeof zn);
	zn.has_txt = list_has_txt(doc, list);
	for (i = 0; i < seq_len(list); i++) {
		item = seq_at(doc, list, i);
		if ((s = scalar(doc, item, NULL)) != NULL &&
		    strcmp(s, "TIMEOUT") == 0) {
			zn.timeout = 1;
			continue;
		}
		if (item->type != YAML_MAPPING_NODE)
			return -1;
		p = item->data.mapping.pairs.start;
		if (item->data.mapping.pairs.top - p != 1 ||
		    (s = scalar(doc, yaml_document_get_node(doc, p->key),
				NULL)) == NULL ||
		    load_rr(t, doc, name, s,
			    yaml_document_get_node(doc, p->value), &zn) == -1)
			return -1;
	}
	for (i = 0; zn.timeout && i < sizeof types / sizeof types[0]; i++)
		if (zn.have[types[i]] == 0 &&
		    dns_table_set_status(t, name, types[i], DNS_TIMEOUT) == -1)
			return -1;
	return 0;
}

static struct dns_table *
load_zone(yaml_document_t *doc, yaml_node_t *zone)
{
	struct dns_table *t = dns_table_new();
	yaml_node_pair_t *p;
	const char *name;

	if (t == NULL || zone == NULL || zone->type != YAML_MAPPING_NODE)
		return t;
	for (p = zone->data.mapping.pairs.start;
	     p < zone->data.mapping.pairs.top; p++) {
		name = scalar(doc, yaml_document_get_node(doc, p->key), NULL);
		if (name == NULL ||
		    load_name(t, doc, name,
			      yaml_document_get_node(doc, p->value)) == -1) {
			fprintf(stderr, "rfc7208: bad zone data for %s\n",
				name != NULL ? name : "?");
			dns_table_free(t);
			return NULL;
		}
	}
	return t;
}

/*
 * A source that knows nothing at first: every new question is recorded
 * and answered NULL; learn() then makes the recorded ones known.
 */

struct lazy {
	struct dns_source inner;
	char **known, **pending;
	size_t nknown, npending;
};

static char *
lazy_key(const char *name, enum dns_type type)
{
	struct buf b;

	buf_init(&b);
	buf_addf(&b, "%d/%s", (int)type, name);
	if (b.s != NULL)
		ascii_lower(b.s);
	return buf_detach(&b);
}

static int
lazy_has(char **v, size_t n, const char *k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], k) == 0)
			return 1;
	return 0;
}

static const struct dns_answer *
lazy_get(void *ctx, const char *name, enum dns_type type)
{
	struct lazy *l = ctx;
	char *k = lazy_key(name, type), **v;

	if (k == NULL)
		abort();
	if (lazy_has(l->known, l->nknown, k)) {
		free(k);
		return l->inner.get(l->inner.ctx, name, type);
	}
	if (lazy_has(l->pending, l->npending, k) ||
	    (v = realloc(l->pending, (l->npending + 1) * sizeof *v)) == NULL) {
		free(k);
		return NULL;
	}
	l->pending = v;
	l->pending[l->npending++] = k;
	return NULL;
}

/* Moves the pending questions to the known ones; the count moved. */
static size_t
lazy_learn(struct lazy *l)
{
	size_t n = l->npending;
	char **v;

	if (n == 0)
		return 0;
	v = realloc(l->known, (l->nknown + n) * sizeof *v);
	if (v == NULL)
		abort();
	l->known = v;
	memcpy(l->known + l->nknown, l->pending, n * sizeof *v);
	l->nknown += n;
	l->npending = 0;
	return n;
}

static void
lazy_release(struct lazy *l)
{
	size_t i;

	for (i = 0; i < l->nknown; i++)
		free(l->known[i]);
	for (i = 0; i < l->npending; i++)
		free(l->pending[i]);
	free(l->known);
	free(l->pending);
}

/* check_host() through the lazy source, restarting until it is done.
 * The number of rounds is returned through *rounds. */
static enum spf_result
check_restarting(const struct spf_request *req, struct dns_table *t,
		 struct spf_outcome *out, int *rounds)
{
	struct lazy l;
	struct dns_source src;
	enum spf_result r;

	memset(&l, 0, sizeof l);
	l.inner = dns_table_source(t);
	src.get = lazy_get;
	src.ctx = &l;
	for (*rounds = 1;; (*rounds)++) {
		r = spf_check_host(req, &src, out);
		if (r != SPF_NEED_DNS || lazy_learn(&l) == 0)
			break;
		spf_outcome_release(out);
	}
	lazy_release(&l);
	return r;
}

/*
 * Tests
 */

/* Whether the result is one of the expected: a scalar or a list. */
static int
result_ok(yaml_document_t *doc, yaml_node_t *want, enum spf_result got,
	  struct buf *wanted)
{
	const char *s;
	size_t i, n = seq_len(want);
	int ok = 0;

	if ((s = scalar(doc, want, NULL)) != NULL) {
		buf_adds(wanted, s);
		return strcmp(s, spf_result_name(got)) == 0;
	}
	for (i = 0; i < n; i++) {
		s = scalar(doc, seq_at(doc, want, i), NULL);
		buf_addf(wanted, "%s%s", i ? "|" : "", s != NULL ? s : "?");
		if (s != NULL && strcmp(s, spf_result_name(got)) == 0)
			ok = 1;
	}
	return ok;
}

/* The explanation: "DEFAULT" means none from exp= (ours is NULL). The
 * comparison ignores case: the suite writes IPv6 nibbles in upper case as
 * RFC 4408 did, RFC 7208 §7.4 writes them in lower case, and DNS names
 * are case-insensitive anyway (the Mail::SPF driver compares this way). */
static int
explanation_ok(const char *want, const char *got)
{
	if (want == NULL)
		return 1;
	if (strcmp(want, "DEFAULT") == 0)
		return got == NULL;
	return got != NULL && ascii_casecmp(want, got) == 0;
}

/* Builds the request of a test: MAIL FROM's domain, or the HELO identity
 * (sender postmaster@helo) when MAIL FROM is empty (RFC 7208 §2.3, §2.4). */
static void
make_request(const char *helo, const char *host, const char *mailfrom,
	     struct spf_request *req, char *sender, size_t sendersz)
{
	const char *at = strrchr(mailfrom, '@');

	memset(req, 0, sizeof *req);
	req->ip = host;
	req->helo = helo;
	if (*mailfrom == '\0') {
		snprintf(sender, sendersz, "postmaster@%s", helo);
		req->domain = helo;
	} else {
		snprintf(sender, sendersz, "%s", mailfrom);
		req->domain = at != NULL ? at + 1 : mailfrom;
	}
	req->sender = sender;
}

static void
run_test(yaml_document_t *doc, const char *desc, const char *name,
	 yaml_node_t *test, struct dns_table *t)
{
	const char *helo = scalar(doc, map_get(doc, test, "helo"), NULL);
	const char *host = scalar(doc, map_get(doc, test, "host"), NULL);
	const char *from = scalar(doc, map_get(doc, test, "mailfrom"), NULL);
	const char *exp = scalar(doc, map_get(doc, test, "explanation"), NULL);
	struct spf_outcome o1, o2;
	struct dns_source src;
	struct spf_request req;
	enum spf_result r1, r2;
	struct buf want;
	char sender[1024];
	int ok, same, rounds;

	buf_init(&want);
	make_request(helo != NULL ? helo : "", host != NULL ? host : "",
		     from != NULL ? from : "", &req, sender, sizeof sender);
	src = dns_table_source(t);
	r1 = spf_check_host(&req, &src, &o1);
	r2 = check_restarting(&req, t, &o2, &rounds);
	ok = result_ok(doc, map_get(doc, test, "result"), r1, &want) &&
	     explanation_ok(exp, o1.explanation);
	same =
	    r1 == r2 && ((o1.explanation == NULL && o2.explanation == NULL) ||
			 (o1.explanation != NULL && o2.explanation != NULL &&
			  strcmp(o1.explanation, o2.explanation) == 0));
	if (ok && same) {
		printf("ok - %s/%s\n", desc, name);
		passed++;
	} else if (!ok) {
		printf("not ok - %s/%s: want %s%s%s got %s%s%s\n", desc, name,
		       want.s != NULL ? want.s : "?", exp ? " exp=" : "",
		       exp ? exp : "", spf_result_name(r1), exp ? " exp=" : "",
		       exp ? (o1.explanation ? o1.explanation : "DEFAULT")
			   : "");
		failed++;
	} else {
		printf("not ok - %s/%s: want %s got %s after %d restarts\n",
		       desc, name, spf_result_name(r1), spf_result_name(r2),
		       rounds);
		failed++;
	}
	if (!ok && o1.problem != NULL)
		printf("# problem: %s\n", o1.problem);
	spf_outcome_release(&o1);
	spf_outcome_release(&o2);
	buf_release(&want);
}

static int
run_document(yaml_document_t *doc)
{
	yaml_node_t *root = yaml_document_get_root_node(doc), *tests;
	const char *desc = scalar(doc, map_get(doc, root, "description"), NULL);
	struct dns_table *t;
	yaml_node_pair_t *p;
	const char *name;

	tests = map_get(doc, root, "tests");
	if (desc == NULL || tests == NULL || tests->type != YAML_MAPPING_NODE)
		return -1;
	if ((t = load_zone(doc, map_get(doc, root, "zonedata"))) == NULL)
		return -1;
	for (p = tests->data.mapping.pairs.start;
	     p < tests->data.mapping.pairs.top; p++) {
		name = scalar(doc, yaml_document_get_node(doc, p->key), NULL);
		run_test(doc, desc, name != NULL ? name : "?",
			 yaml_document_get_node(doc, p->value), t);
	}
	dns_table_free(t);
	return 0;
}

int
main(int argc, char **argv)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	FILE *f;
	int rc = 0, done = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: rfc7208 rfc7208-tests.yml\n");
		return 2;
	}
	if ((f = fopen(argv[1], "rb")) == NULL) {
		perror(argv[1]);
		return 2;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	while (!done) {
		if (!yaml_parser_load(&parser, &doc)) {
			fprintf(stderr, "rfc7208: %s: yaml: %s at line %zu\n",
				argv[1], parser.problem ? parser.problem : "?",
				parser.problem_mark.line + 1);
			rc = 2;
			break;
		}
		if (yaml_document_get_root_node(&doc) == NULL)
			done = 1;
		else if (run_document(&doc) == -1) {
			fprintf(stderr, "rfc7208: malformed test document\n");
			rc = 2;
		}
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	fclose(f);
	printf("# rfc7208: %d of %d pass\n", passed, passed + failed);
	return rc != 0 ? rc : failed != 0;
}
