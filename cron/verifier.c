/*
 * verifier.c - the verifier command: `verifier check DOMAIN [options]`
 * checks one domain's SPF, DKIM and DMARC records over DNS without a
 * database and prints the <check> document of DESIGN.md "Commands".
 * `verifier run` checks every due domain of the database and writes the
 * verdicts (lib/verify/sweep.c), then the metrics file when metrics_file
 * is set (lib/verify/metrics.c); cron runs it every five minutes.
 * Subcommands dispatch through one table (like git's commands[]), each
 * with the configuration file loaded and checked first.
 *
 * Exit status: 0 whenever the check or run ran (whatever the verdicts), 2
 * on a usage error (one line on stderr), 1 when something else failed (the
 * configuration file, the database, memory). Never linked with libfcgi.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "config.h"
#include "db.h"
#include "dkim.h"
#include "dns.h"
#include "metrics.h"
#include "notify.h"
#include "records.h"
#include "report.h"
#include "spf.h"
#include "sweep.h"
#include "util.h"
#include "validate.h"
#include "verify.h"
#include "xml.h"

#define EXIT_USAGE 2
#define MAX_RESOLVERS 8

static const char usage_text[] =
    "usage: verifier run [--domain ID [--account ID]] [--timeout MS]\n"
    "                [--no-alerts]\n"
    "       verifier notify\n"
    "       verifier check DOMAIN [--resolver HOST:PORT]... [--spf-ip IP]...\n"
    "                [--spf-include NAME] [--spf-all softfail|any]\n"
    "                [--selector SEL (--public-key FILE.pem | --dkim-p "
    "BASE64)]\n"
    "                [--timeout MS] [--authoritative]\n"
    "\n"
    "Checks DOMAIN's SPF, DKIM and DMARC records and prints one XML\n"
    "document. Exit status 0 when the check ran, 2 on a usage error.\n"
    "\n"
    "  --resolver HOST:PORT  DNS server to ask (repeatable; default: the\n"
    "                        configuration's resolver, else the system's)\n"
    "  --spf-ip IP           platform IP that SPF must authorize\n"
    "                        (repeatable; default: spf_ip, 210.198.21.20)\n"
    "  --spf-include NAME    platform include for the suggested record\n"
    "                        (default: spf_include, m01-ahd-sys.net)\n"
    "  --spf-all POLICY      softfail: a record ending -all is unverified;\n"
    "                        any: any all is accepted (default: spf_all,\n"
    "                        softfail)\n"
    "  --selector SEL        DKIM selector; without it DKIM is skipped\n"
    "  --public-key FILE     the issued public key (PEM)\n"
    "  --dkim-p BASE64       the issued public key as its p= value\n"
    "  --timeout MS          DNS timeout per try (default: dns_timeout_ms,\n"
    "                        2000)\n"
    "  --authoritative       ask the domain's authoritative servers (found\n"
    "                        through the resolver), the resolver only when\n"
    "                        none answers; each element says via=\n"
    "\n"
    "run checks every domain of the database that is due (or only domain\n"
    "ID, due or not, asking its authoritative servers), writes the\n"
    "verdicts and prints a summary: the verdicts, then the DNS queries,\n"
    "those to authoritative servers, and their questions the resolver\n"
    "answered instead. Domains not yet verified are checked at their\n"
    "authoritative servers, verified ones through the resolver\n"
    "(authoritative_recheck = 1: at their servers too);\n"
    "without --domain it also writes the metrics file (metrics_file) and\n"
    "then sends the alerts of the outbox (mail through sendmail_command,\n"
    "the webhook notify_url) unless --no-alerts; notify sends only those\n"
    "alerts.\n"
    "Several runs, on one host or many, share the work. Exit status 0\n"
    "when it ran, whatever the verdicts; 1 when the database or the\n"
    "configuration failed.\n"
    "\n"
    "The configuration file is $SENDERAUTH_CONFIG, else\n"
    "/etc/senderauth/senderauth.conf, when it exists.\n";

/* Prints one line to stderr and returns the usage exit status. */
static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int
usage_error(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* It quotes the arguments: keep it one printable line. */
	printable_line(line);
	fprintf(stderr, "verifier: %s (try verifier --help)\n", line);
	return EXIT_USAGE;
}

/* The options of `check`, after parsing and validation. */
struct check_opts {
	char domain[DOMAIN_MAX + 1];
	char ulabel[ULABEL_MAX + 1];
	const char *resolvers[MAX_RESOLVERS];
	size_t nresolvers;
	const char *ips[PLATFORM_MAX_IPS];
	size_t nips;
	char include[DOMAIN_MAX + 1];
	int has_include;
	enum spf_policy policy;
	int has_all;
	const char *selector;
	const char *pubkey_file;
	const char *dkim_p_arg;
	char *dkim_p; /* malloc'ed */
	long timeout_ms;
	int authoritative;
};

/* "HOST", "HOST:PORT", "[V6]:PORT" or a bare IPv6 address, with HOST an
 * IP address: c-ares takes addresses only. */
static int
resolver_ok(const char *s)
{
	char host[INET6_ADDRSTRLEN + 2];
	unsigned char addr[16];
	const char *colon, *port = NULL;
	size_t n;
	long p;

	if (inet_pton(AF_INET6, s, addr) == 1)
		return 1;
	if (s[0] == '[') {
		if ((colon = strchr(s, ']')) == NULL)
			return 0;
		n = (size_t)(colon - s - 1);
		port = colon[1] == ':' ? colon + 2 : colon[1] ? "" : NULL;
		s++;
	} else {
		colon = strchr(s, ':');
		n = colon != NULL ? (size_t)(colon - s) : strlen(s);
		port = colon != NULL ? colon + 1 : NULL;
	}
	if (n >= sizeof host)
		return 0;
	memcpy(host, s, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, addr) != 1 &&
	    inet_pton(AF_INET6, host, addr) != 1)
		return 0;
	return port == NULL || parse_long(port, 1, 65535, &p) == 0;
}

static int
ip_ok(const char *s)
{
	unsigned char addr[16];

	return inet_pton(AF_INET, s, addr) == 1 ||
	       inet_pton(AF_INET6, s, addr) == 1;
}

/* A selector is dot-separated labels of letters, digits, "-" and "_"
 * (RFC 6376 §3.1 allows sub-domains; "_" appears in practice). */
static int
selector_ok(const char *s)
{
	size_t label = 0, total = 0;

	for (; *s != '\0'; s++, total++) {
		if (*s == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_') ||
		    ++label > LABEL_MAX)
			return 0;
	}
	return label > 0 && total <= 200;
}

/* Reads a PEM public key and returns its DER SubjectPublicKeyInfo in
 * base64 (the DKIM p= value), or NULL. */
static char *
pem_to_p(const char *path)
{
	unsigned char *der = NULL;
	EVP_PKEY *key = NULL;
	char *b64 = NULL;
	BIO *bio;
	int n;

	if ((bio = BIO_new_file(path, "r")) == NULL)
		return NULL;
	key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (key == NULL || (n = i2d_PUBKEY(key, &der)) <= 0)
		goto out;
	if ((b64 = malloc((size_t)(n + 2) / 3 * 4 + 1)) != NULL)
		EVP_EncodeBlock((unsigned char *)b64, der, n);
out:
	OPENSSL_free(der);
	EVP_PKEY_free(key);
	return b64;
}

/* Checks the base64 of --dkim-p: non-empty and decodable. */
static int
dkim_p_ok(const char *s)
{
	size_t len = strlen(s);
	unsigned char *tmp = malloc(len / 4 * 3 + 3);
	long n;

	if (tmp == NULL)
		return 0;
	n = dkim_base64_decode(s, len, tmp);
	free(tmp);
	return n > 0;
}

enum {
	OPT_RESOLVER = 256,
	OPT_SPF_IP,
	OPT_SPF_INCLUDE,
	OPT_SPF_ALL,
	OPT_SELECTOR,
	OPT_PUBLIC_KEY,
	OPT_DKIM_P,
	OPT_TIMEOUT,
	OPT_AUTHORITATIVE,
	OPT_HELP,
};

static const struct option check_longopts[] = {
    {"resolver", required_argument, NULL, OPT_RESOLVER},
    {"spf-ip", required_argument, NULL, OPT_SPF_IP},
    {"spf-include", required_argument, NULL, OPT_SPF_INCLUDE},
    {"spf-all", required_argument, NULL, OPT_SPF_ALL},
    {"selector", required_argument, NULL, OPT_SELECTOR},
    {"public-key", required_argument, NULL, OPT_PUBLIC_KEY},
    {"dkim-p", required_argument, NULL, OPT_DKIM_P},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"authoritative", no_argument, NULL, OPT_AUTHORITATIVE},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* Appends the value arg of the repeatable option opt to list, which
 * holds *n of at most max, once ok() accepts it; returns 0, or the exit
 * status to leave with. */
static int
add_value(const char *opt, const char *arg, int (*ok)(const char *),
	  const char **list, size_t *n, size_t max)
{
	if (!ok(arg))
		return usage_error("bad %s %s", opt, arg);
	if (*n == max)
		return usage_error("too many %s", opt);
	list[(*n)++] = arg;
	return 0;
}

/* Applies one option; returns 0, or the exit status to leave with. */
static int
check_option(int c, const char *arg, struct check_opts *o)
{
	char ulabel[ULABEL_MAX + 1];

	switch (c) {
	case OPT_RESOLVER:
		return add_value("--resolver", arg, resolver_ok, o->resolvers,
				 &o->nresolvers, MAX_RESOLVERS);
	case OPT_SPF_IP:
		return add_value("--spf-ip", arg, ip_ok, o->ips, &o->nips,
				 PLATFORM_MAX_IPS);
	case OPT_SPF_INCLUDE:
		if (validate_domain(arg, o->include, ulabel) != NULL)
			return usage_error("bad --spf-include %s", arg);
		o->has_include = 1;
		return 0;
	case OPT_SPF_ALL:
		if (records_spf_policy(arg, &o->policy) == -1)
			return usage_error("--spf-all takes softfail or any, "
					   "not %s",
					   arg);
		o->has_all = 1;
		return 0;
	case OPT_SELECTOR:
		if (!selector_ok(arg))
			return usage_error("bad --selector %s", arg);
		o->selector = arg;
		return 0;
	case OPT_PUBLIC_KEY:
		o->pubkey_file = arg;
		return 0;
	case OPT_DKIM_P:
		if (!dkim_p_ok(arg))
			return usage_error("--dkim-p is not base64");
		o->dkim_p_arg = arg;
		return 0;
	case OPT_TIMEOUT:
		if (parse_long(arg, 50, 60000, &o->timeout_ms) == -1)
			return usage_error(
			    "--timeout takes 50..60000 ms, not %s", arg);
		return 0;
	case OPT_AUTHORITATIVE:
		o->authoritative = 1;
		return 0;
	default:
		return usage_error("unknown option");
	}
}

/* The DKIM options go together: a selector and exactly one key. */
static int
check_dkim_opts(struct check_opts *o)
{
	if (o->pubkey_file != NULL && o->dkim_p_arg != NULL)
		return usage_error("give --public-key or --dkim-p, not both");
	if (o->selector == NULL && (o->pubkey_file || o->dkim_p_arg))
		return usage_error("a key needs --selector");
	if (o->selector != NULL && !o->pubkey_file && !o->dkim_p_arg)
		return usage_error("--selector needs --public-key or --dkim-p");
	if (o->pubkey_file != NULL &&
	    (o->dkim_p = pem_to_p(o->pubkey_file)) == NULL)
		return usage_error("cannot read a public key from %s",
				   o->pubkey_file);
	if (o->dkim_p_arg != NULL &&
	    (o->dkim_p = strdup(o->dkim_p_arg)) == NULL)
		return 1;
	return 0;
}

static int
check_parse(int argc, char **argv, struct check_opts *o)
{
	const char *err;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", check_longopts, NULL)) != -1) {
		if (c == OPT_HELP) {
			fputs(usage_text, stdout);
			exit(0);
		}
		if (c == ':')
			return usage_error("option %s needs a value",
					   argv[optind - 1]);
		if (c == '?')
			return usage_error("unknown option %s",
					   argv[optind - 1]);
		if ((rc = check_option(c, optarg, o)) != 0)
			return rc;
	}
	if (optind != argc - 1)
		return usage_error("%s", optind == argc
					     ? "no DOMAIN given"
					     : "more than one DOMAIN");
	if ((err = validate_domain(argv[optind], o->domain, o->ulabel)))
		return usage_error("not a domain name: %s", argv[optind]);
	return check_dkim_opts(o);
}

/* Platform values: flags first, then the configuration, then the
 * product's defaults (records_platform()). */
static void
check_platform(const struct check_opts *o, struct platform *p)
{
	size_t i;

	records_platform(p);
	if (o->nips > 0) {
		for (i = 0; i < o->nips; i++)
			p->ips[i] = o->ips[i];
		p->nips = o->nips;
	}
	if (o->has_include)
		p->include = o->include;
	if (o->has_all)
		p->policy = o->policy;
}

static struct dns_resolver *
check_resolver(const struct check_opts *o, int max_inflight, size_t max_cached)
{
	struct dns_resolver_opts ro;
	const char *conf[MAX_RESOLVERS];

	memset(&ro, 0, sizeof ro);
	if (o->nresolvers > 0) {
		ro.servers = o->resolvers;
		ro.nservers = o->nresolvers;
	} else {
		ro.nservers = config_list("resolver", conf, MAX_RESOLVERS);
		ro.servers = conf;
	}
	ro.timeout_ms = (int)(o->timeout_ms > 0 ? o->timeout_ms
						: config_num("dns_timeout_ms"));
	ro.tries = (int)config_num("dns_tries");
	ro.auth_port = (int)config_num("dns_auth_port");
	ro.max_inflight = max_inflight;
	ro.max_cached = max_cached;
	return dns_resolver_new(&ro);
}

struct check_out {
	int printed;
};

/* The batch's done callback: prints the document. */
static void
check_done(void *arg, void *user, const struct verify_request *req,
	   const struct verify_result *res)
{
	struct check_out *out = arg;
	mxml_node_t *doc;
	char *s;

	if (res == NULL || (doc = report_check_xml(req, res)) == NULL)
		return;
	if ((s = xml_string(doc)) != NULL) {
		fputs(s, stdout);
		if (*s == '\0' || s[strlen(s) - 1] != '\n')
			fputc('\n', stdout);
		out->printed = fflush(stdout) == 0;
		free(s);
	}
	mxmlDelete(doc);
}

static int
cmd_check(int argc, char **argv)
{
	struct check_opts o;
	struct platform p;
	struct verify_request req = {0};
	struct check_out out = {0};
	struct dns_resolver *r = NULL;
	struct verify_batch *b = NULL;
	int rc;

	memset(&o, 0, sizeof o);
	if ((rc = check_parse(argc, argv, &o)) != 0)
		goto out;
	rc = 1;
	check_platform(&o, &p);
	if ((r = check_resolver(&o, 64, 0)) == NULL) {
		log_warnx("cannot set up the resolver");
		goto out;
	}
	req.domain = o.domain;
	req.selector = o.selector;
	req.dkim_p = o.dkim_p;
	req.authoritative = o.authoritative;
	if ((b = verify_batch_new(r, &p, 1, check_done, &out)) == NULL ||
	    verify_batch_add(b, &req, NULL) == -1)
		goto out;
	verify_batch_run(b, -1);
	rc = out.printed ? 0 : 1;
out:
	verify_batch_free(b);
	dns_resolver_free(r);
	free(o.dkim_p);
	return rc;
}

static const struct option run_longopts[] = {
    {"domain", required_argument, NULL, 'd'},
    {"account", required_argument, NULL, 'a'},
    {"no-alerts", no_argument, NULL, 'n'},
    {"timeout", required_argument, NULL, 't'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Options of `run` into o (timeout), so (domain, and the account of
 * 今すぐ確認, the actor of its events) and *alerts (cleared by
 * --no-alerts); 0 or an exit status. */
static int
run_parse(int argc, char **argv, struct check_opts *o, struct sweep_opts *so,
	  int *alerts)
{
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", run_longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return -1;
		}
		if (c == 'd' &&
		    parse_long(optarg, 1, LONG_MAX, &so->domain_id) == 0)
			continue;
		if (c == 'a' &&
		    parse_long(optarg, 1, LONG_MAX, &so->account_id) == 0)
			continue;
		if (c == 'n') {
			*alerts = 0;
			continue;
		}
		if (c == 't' &&
		    parse_long(optarg, 50, 60000, &o->timeout_ms) == 0)
			continue;
		return usage_error("bad option %s", argv[optind - 1]);
	}
	if (optind < argc)
		return usage_error("unexpected argument %s", argv[optind]);
	if (so->account_id > 0 && so->domain_id == 0)
		return usage_error("--account goes with --domain");
	return 0;
}

/* Sends the outbox's alerts (lib/verify/notify.c), with a summary line
 * when there were any; 0 / -1 (the database). */
static int
send_alerts(void)
{
	struct notify_stats ns;

	if (notify_send(&ns) == -1) {
		fprintf(stderr, "verifier: alerts: the database failed\n");
		return -1;
	}
	if (ns.sent + ns.failed > 0)
		printf("verifier: alerts sent %lu, failed %lu\n", ns.sent,
		       ns.failed);
	return 0;
}

static int
cmd_run(int argc, char **argv)
{
	struct check_opts o;
	struct platform p;
	struct sweep_opts so;
	struct sweep_stats st;
	struct dns_stats ds;
	struct dns_resolver *r = NULL;
	const char *mf;
	int rc, alerts = 1;

	memset(&o, 0, sizeof o);
	sweep_opts_config(&so);
	if ((rc = run_parse(argc, argv, &o, &so, &alerts)) != 0)
		return rc == -1 ? 0 : rc;
	so.progress = so.domain_id == 0 && isatty(STDERR_FILENO);
	check_platform(&o, &p);
	rc = 1;
	if (config_str("database") == NULL) {
		fprintf(stderr, "verifier: no database in %s\n",
			config_default_path());
		goto out;
	}
	if (db_connect(config_str("database")) == -1) {
		fprintf(stderr, "verifier: the database is unreachable\n");
		goto out;
	}
	/* A few answers per check in progress: memory stays bounded over
	 * any number of domains, and a name many domains include stays
	 * cached for the whole run (least recently used goes first). */
	if ((r = check_resolver(&o, (int)so.inflight, 8 * so.inflight)) ==
		NULL ||
	    sweep_run(r, &p, &so, &st) == -1)
		goto out;
	printf("verifier: checked %lu, verified %lu, unverified %lu, "
	       "tempfail %lu, %.2f s\n",
	       st.checked, st.verified, st.unverified, st.tempfail, st.seconds);
	dns_resolver_stats(r, &ds);
	printf("verifier: %lu DNS queries, %lu of them to authoritative "
	       "servers; %lu questions for them answered by the resolver\n",
	       ds.queries, ds.auth_queries, ds.auth_fallbacks);
	/* 今すぐ確認's runs of one domain are not the periodic run */
	if (so.domain_id == 0 && (mf = config_str("metrics_file")) != NULL &&
	    metrics_write(mf, &st, time(NULL)) == -1)
		goto out;
	/* the alerts these verdicts (and any run before) left in the
	 * outbox; 今すぐ確認's runs, under its time limit, leave them to the
	 * next periodic run; the systemd unit sends them outside its
	 * sandbox (--no-alerts, dist/senderauth-notify.service.in) */
	if (so.domain_id == 0 && alerts && send_alerts() == -1)
		goto out;
	rc = 0;
out:
	dns_resolver_free(r);
	db_close();
	return rc;
}

/* `notify`: only the alerts' sending that ends every run. */
static int
cmd_notify(int argc, char **argv)
{
	int rc = 1;

	if (argc > 1)
		return usage_error("unexpected argument %s", argv[1]);
	if (config_str("database") == NULL)
		fprintf(stderr, "verifier: no database in %s\n",
			config_default_path());
	else if (db_connect(config_str("database")) == -1)
		fprintf(stderr, "verifier: the database is unreachable\n");
	else if (send_alerts() == 0)
		rc = 0;
	db_close();
	return rc;
}

/* Loads the configuration file when there is one, and checks the values
 * config.c leaves to its users. */
static int
load_config(void)
{
	const char *path = config_default_path(), *v[PLATFORM_MAX_IPS];
	enum spf_policy policy;
	size_t i, n;

	if (getenv("SENDERAUTH_CONFIG") == NULL && access(path, F_OK) != 0)
		return 0;
	if (config_load(path) == -1)
		return -1;
	if ((v[0] = config_str("spf_all")) != NULL &&
	    records_spf_policy(v[0], &policy) == -1) {
		fprintf(stderr, "%s: spf_all must be softfail or any\n", path);
		return -1;
	}
	n = config_list("spf_ip", v, PLATFORM_MAX_IPS);
	for (i = 0; i < n; i++)
		if (!ip_ok(v[i])) {
			fprintf(stderr, "%s: bad spf_ip %s\n", path, v[i]);
			return -1;
		}
	n = config_list("resolver", v, MAX_RESOLVERS);
	for (i = 0; i < n; i++)
		if (!resolver_ok(v[i])) {
			fprintf(stderr, "%s: bad resolver %s\n", path, v[i]);
			return -1;
		}
	return 0;
}

/* Subcommands: each runs with the configuration loaded. */
static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
    {"check", cmd_check},
    {"run", cmd_run},
    {"notify", cmd_notify},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

int
main(int argc, char **argv)
{
	size_t i;
	int rc;

	if (argc < 2)
		return usage_error("no command given");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	for (i = 0; i < NCOMMANDS && strcmp(argv[1], commands[i].name); i++)
		;
	if (i == NCOMMANDS)
		return usage_error("unknown command %s", argv[1]);
	if (load_config() == -1)
		return 1;
	rc = commands[i].fn(argc - 1, argv + 1);
	config_free();
	return rc;
}
