/*
 * config.c - parsing and lookup of the configuration file. The table of
 * known keys is here, with the bounds of numeric keys, so a bad value stops
 * the program at start-up rather than at the first request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"
#include "validate.h"

/*
 * Every key with its default, the one place defaults live (README.md lists
 * them for users). A string key without a default (NULL) is absent until
 * the file gives it: the programs that need it say so.
 */
static const struct key {
	const char *name;
	int list;	 /* may repeat */
	long min, max;	 /* numeric when min < max */
	const char *def; /* a string key's default (a list's only value) */
	long num;	 /* a numeric key's default */
} keys[] = {
    /* libpq conninfo */
    {"database", 0, 0, 0, NULL, 0},
    /* the sealing master secret */
    {"master_key_file", 0, 0, 0, NULL, 0},
    /* the HMAC key shared with the portal */
    {"session_key_file", 0, 0, 0, NULL, 0},
    /* the cookie's name */
    {"session_cookie", 0, 0, 0, "sa_session", 0},
    {"body_limit", 0, 1024, 1 << 20, NULL, 65536},
    {"spf_ip", 1, 0, 0, "210.198.21.20", 0},
    {"spf_include", 0, 0, 0, "m01-ahd-sys.net", 0},
    /* softfail | any */
    {"spf_all", 0, 0, 0, "softfail", 0},
    {"dkim_bits", 0, 1024, 4096, NULL, 2048},
    /* days a replaced key's record must stay published (retiring) */
    {"dkim_retire_days", 0, 0, 365, NULL, 7},
    /* days after which an active key is rotated; 0: never */
    {"dkim_rotate_days", 0, 0, 3650, NULL, 0},
    /* keys generated ahead (senderauth-admin pool-fill) */
    {"dkim_pool_size", 0, 0, 100000, NULL, 20},
    /* test switch: issuance fails while it exists */
    {"dkim_fault_file", 0, 0, 0, NULL, 0},
    /* HOST:PORT; none: the system's */
    {"resolver", 1, 0, 0, NULL, 0},
    /* for 今すぐ確認 (cgi-bin/check); none: next to its directory */
    {"verifier_path", 0, 0, 0, NULL, 0},
    {"dns_timeout_ms", 0, 50, 60000, NULL, 2000},
    {"dns_tries", 0, 1, 10, NULL, 2},
    /* the port authoritative servers are asked on: 53, but where tests
     * and benchmarks serve zones on loopback on a port of their own */
    {"dns_auth_port", 0, 1, 65535, NULL, 53},
    {"check_timeout_ms", 0, 50, 60000, NULL, 3000},
    /* 1: rechecks of verified domains ask the authoritative servers too
     * (new and unverified ones and 今すぐ確認 always do) */
    {"authoritative_recheck", 0, 0, 1, NULL, 0},
    {"verify_batch", 0, 1, 100000, NULL, 500},
    /* checks in flight: the only default of that number */
    {"verify_inflight", 0, 1, 100000, NULL, 1500},
    {"verify_lease_s", 0, 10, 86400, NULL, 300},
    {"verify_new_hours", 0, 0, 720, NULL, 72},
    {"verify_new_interval_s", 0, 10, 86400, NULL, 240},
    {"verify_min_interval_s", 0, 60, 86400 * 30, NULL, 300},
    {"verify_max_interval_s", 0, 60, 86400 * 30, NULL, 86400},
    {"verify_retry_s", 0, 10, 86400, NULL, 300},
    /* how often the verifier runs: senderauth-admin status exits 1 when
     * no run completed within three periods */
    {"verifier_period_s", 0, 30, 86400, NULL, 300},
    /* the verifier's Prometheus textfile; none: not written */
    {"metrics_file", 0, 0, 0, NULL, 0},
    /* senderauth-admin export-keys without options: its targets (lists),
     * the key files' owner and group, the signer's reload command */
    {"export_opendkim_dir", 1, 0, 0, NULL, 0},
    {"export_rspamd_dir", 1, 0, 0, NULL, 0},
    {"export_owner", 0, 0, 0, NULL, 0},
    {"export_group", 0, 0, 0, NULL, 0},
    {"export_reload", 0, 0, 0, NULL, 0},
    /* where the suggested DMARC record sends aggregate reports (rua);
     * none: the domain's first sender address */
    {"dmarc_rua", 0, 0, 0, NULL, 0},
    /* alerts (lib/verify/notify.c): the page's address in the mail's
     * link, the mail command (the message on its standard input), the
     * From header, the signed webhook (none: no webhook), the least
     * interval between two alerts of a kind for a domain */
    {"site_url", 0, 0, 0, "http://localhost/mail-settings/", 0},
    {"sendmail_command", 0, 0, 0, "/usr/sbin/sendmail -t -i", 0},
    {"notify_from", 0, 0, 0, "senderauth@localhost", 0},
    {"notify_url", 0, 0, 0, NULL, 0},
    {"notify_min_interval_s", 0, 0, 86400 * 30, NULL, 86400},
};
#define NKEYS (sizeof keys / sizeof keys[0])

/* A mail address (dmarc_rua); NULL when it is one, else the problem. */
static const char *
check_address(const char *v)
{
	char key[ADDRESS_MAX + 1];

	return validate_address(v, key, sizeof key) == NULL
		   ? NULL
		   : "not a mail address";
}

/* String keys whose value has a grammar: refused at start-up too. */
static const struct {
	const char *name;
	const char *(*check)(const char *); /* NULL, else the problem */
} checked[] = {
    {"dmarc_rua", check_address},
};

struct entry {
	const char *key;
	char *val;
};
static struct entry *entries;
static size_t nentries;

const char *
config_default_path(void)
{
	const char *p = getenv("SENDERAUTH_CONFIG");

	return p != NULL && *p != '\0' ? p : "/etc/senderauth/senderauth.conf";
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			 e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static const struct key *
find_key(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* Validates and stores one "key = value" line; returns a problem or NULL. */
static const char *
config_line(char *line)
{
	const struct key *k;
	struct entry *e;
	char *eq, *name, *val;
	const char *problem;
	long n;
	size_t i;

	if ((eq = strchr(line, '=')) == NULL)
		return "expected key = value";
	*eq = '\0';
	name = trim(line);
	val = trim(eq + 1);
	if ((k = find_key(name)) == NULL)
		return "unknown key";
	if (k->min < k->max && parse_long(val, k->min, k->max, &n) == -1)
		return "number out of range";
	for (i = 0; i < sizeof checked / sizeof checked[0]; i++)
		if (strcmp(checked[i].name, k->name) == 0 &&
		    (problem = checked[i].check(val)) != NULL)
			return problem;
	for (i = 0; !k->list && i < nentries; i++)
		if (entries[i].key == k->name)
			return "key given twice";
	e = realloc(entries, (nentries + 1) * sizeof *e);
	if (e == NULL)
		return "out of memory";
	entries = e;
	if ((entries[nentries].val = strdup(val)) == NULL)
		return "out of memory";
	entries[nentries++].key = k->name;
	return NULL;
}

int
config_load(const char *path)
{
	char line[4096], *s;
	const char *problem;
	FILE *f;
	int lineno = 0, rc = -1;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "%s: cannot open configuration\n", path);
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if ((problem = config_line(s)) != NULL) {
			fprintf(stderr, "%s:%d: %s\n", path, lineno, problem);
			goto out;
		}
	}
	rc = 0;
out:
	fclose(f);
	return rc;
}

void
config_free(void)
{
	size_t i;

	for (i = 0; i < nentries; i++)
		free(entries[i].val);
	free(entries);
	entries = NULL;
	nentries = 0;
}

/* The table's entry for a key the code asks for: a key missing from the
 * table is a mistake in the program, not in the file. */
static const struct key *
known_key(const char *name)
{
	const struct key *k = find_key(name);

	if (k == NULL) {
		log_warnx("no configuration key %s", name);
		abort();
	}
	return k;
}

/* The value the file gives, or NULL. */
static const char *
config_value(const char *name)
{
	size_t i;

	for (i = 0; i < nentries; i++)
		if (strcmp(entries[i].key, name) == 0)
			return entries[i].val;
	return NULL;
}

const char *
config_str(const char *key)
{
	const struct key *k = known_key(key);
	const char *v = config_value(k->name);

	return v != NULL ? v : k->def;
}

long
config_num(const char *key)
{
	const struct key *k = known_key(key);
	const char *s = config_value(k->name);
	long n;

	if (s == NULL || parse_long(s, k->min, k->max, &n) == -1)
		return k->num;
	return n;
}

size_t
config_list(const char *key, const char **vals, size_t max)
{
	const struct key *k = known_key(key);
	size_t i, n = 0;

	for (i = 0; i < nentries && n < max; i++)
		if (strcmp(entries[i].key, k->name) == 0)
			vals[n++] = entries[i].val;
	if (n == 0 && max > 0 && k->def != NULL)
		vals[n++] = k->def;
	return n;
}
