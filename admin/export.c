/*
 * export.c - `senderauth-admin export-keys`: hands the platform's DKIM
 * signer what it needs for every active key (DESIGN.md "DKIM key lifecycle
 * and the signer"), from the database:
 *
 *   --opendkim DIR  DIR/KeyTable, DIR/SigningTable (refile: `*@domain`)
 *                   and DIR/keys/<domain>.<selector>.pem
 *   --rspamd DIR    DIR/dkim_selectors.map, DIR/dkim_paths.map (the
 *                   selector_map and path_map of dkim_signing) and the
 *                   same key files under DIR/keys/
 *
 * Each file is written to a temporary name and renamed over the old one,
 * and only when its content or mode changed; key files of keys no longer
 * active are removed once the tables no longer name them. `--reload CMD`
 * runs (through /bin/sh) only when something changed. Key files are mode
 * 0600, owned by `--owner U` when given (the signer's account: OpenDKIM's
 * RequireSafeKeys refuses a key others may read), with group `--group G`
 * when given; the keys/ directory is 0750 with the same owner and group. One
 * summary line on stdout; exit 1 only when it could not do its job. This is the
 * only way private keys leave the database; they are never printed or logged.
 *
 * Without options it takes them from the configuration (export_opendkim_dir
 * and export_rspamd_dir, lists; export_owner, export_group, export_reload):
 * the verifier's timer and cron line run it so. An option given replaces
 * its key (--opendkim or --rspamd replaces both directory keys); with no
 * target from either it says so and exits 2.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "file.h"
#include "util.h"

#define EXPORT_USAGE                                                           \
	"export-keys [--opendkim DIR | --rspamd DIR]... [--owner USER] "       \
	"[--group GROUP] [--reload CMD]"
#define EXPORT_DIRS_MAX 8 /* of each kind */
#define EXPORT_FILE_MAX (1 << 24)

struct xkey {
	char *domain, *selector;
	char *pem; /* secret */
	size_t pemlen;
};

struct xrun {
	struct xkey *keys;
	size_t nkeys;
	uid_t uid; /* (uid_t)-1: keep the process's */
	gid_t gid; /* (gid_t)-1: keep the process's */
	unsigned written, removed;
	int failed;
};

/* A name safe as a file name and a table field: the validated A-labels
 * and selectors of the database, checked again here. */
static int
safe_name(const char *s)
{
	if (*s == '\0' || *s == '.' || *s == '-' || strlen(s) > 253)
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '.' || *s == '-'))
			return 0;
	return 1;
}

/* dir/name into out (PATH_MAX bytes); -1 when too long. */
static int
join(char *out, const char *dir, const char *name)
{
	return (size_t)snprintf(out, PATH_MAX, "%s/%s", dir, name) < PATH_MAX
		   ? 0
		   : -1;
}

/* 1 when path holds exactly data with this mode and group. */
static int
same_file(const struct xrun *x, const char *path, const char *data, size_t len,
	  mode_t mode)
{
	struct stat st;
	char *old;
	int fd, same = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	if (fstat(fd, &st) == 0 && (size_t)st.st_size == len &&
	    (st.st_mode & 07777) == mode &&
	    (x->uid == (uid_t)-1 || st.st_uid == x->uid) &&
	    (x->gid == (gid_t)-1 || st.st_gid == x->gid) &&
	    (old = malloc(len + 1)) != NULL) {
		same = read(fd, old, len + 1) == (ssize_t)len &&
		       memcmp(old, data, len) == 0;
		crypto_wipe(old, len);
		free(old);
	}
	close(fd);
	return same;
}

/* Writes path atomically unless it already holds data; counts it. */
static int
put_file(struct xrun *x, const char *path, const char *data, size_t len,
	 mode_t mode)
{
	if (same_file(x, path, data, len, mode))
		return 0;
	if (file_replace(path, data, len, mode, x->uid, x->gid) == -1) {
		fprintf(stderr, "senderauth-admin: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	x->written++;
	return 0;
}

static int
key_path(char *out, size_t len, const char *dir, const struct xkey *k)
{
	return (size_t)snprintf(out, len, "%s/keys/%s.%s.pem", dir, k->domain,
				k->selector) < len
		   ? 0
		   : -1;
}

enum table {
	T_OPENDKIM_KEYS,
	T_OPENDKIM_SIGNING,
	T_RSPAMD_SELECTORS,
	T_RSPAMD_PATHS,
	T__MAX
};
static const char *const table_file[T__MAX] = {
    [T_OPENDKIM_KEYS] = "KeyTable",
    [T_OPENDKIM_SIGNING] = "SigningTable",
    [T_RSPAMD_SELECTORS] = "dkim_selectors.map",
    [T_RSPAMD_PATHS] = "dkim_paths.map",
};

/* One line of table t for key k whose file is path. */
static int
table_line(struct buf *b, enum table t, const struct xkey *k, const char *path)
{
	switch (t) {
	case T_OPENDKIM_KEYS:
		return buf_addf(b, "%s.%s %s:%s:%s\n", k->domain, k->selector,
				k->domain, k->selector, path);
	case T_OPENDKIM_SIGNING:
		return buf_addf(b, "*@%s %s.%s\n", k->domain, k->domain,
				k->selector);
	case T_RSPAMD_SELECTORS:
		return buf_addf(b, "%s %s\n", k->domain, k->selector);
	case T_RSPAMD_PATHS:
		return buf_addf(b, "%s %s\n", k->domain, path);
	default:
		return -1;
	}
}

static int
put_table(struct xrun *x, const char *dir, enum table t)
{
	char path[PATH_MAX], kp[PATH_MAX];
	struct buf b;
	size_t i;
	int rc = -1;

	buf_init(&b);
	buf_addf(&b, "# written by senderauth-admin export-keys\n");
	for (i = 0; i < x->nkeys; i++)
		if (key_path(kp, sizeof kp, dir, &x->keys[i]) == -1 ||
		    table_line(&b, t, &x->keys[i], kp) == -1)
			goto out;
	if (join(path, dir, table_file[t]) == -1)
		goto out;
	rc = b.err ? -1 : put_file(x, path, b.s, b.len, 0644);
out:
	buf_release(&b);
	return rc;
}

/* 1 when name is the file of an exported key. */
static int
exported(const struct xrun *x, const char *name)
{
	char want[PATH_MAX];
	size_t i;

	for (i = 0; i < x->nkeys; i++) {
		snprintf(want, sizeof want, "%s.%s.pem", x->keys[i].domain,
			 x->keys[i].selector);
		if (strcmp(want, name) == 0)
			return 1;
	}
	return 0;
}

/* Removes DIR/keys/ *.pem files of keys no longer exported. */
static int
prune(struct xrun *x, const char *dir)
{
	char keys[PATH_MAX], path[PATH_MAX];
	struct dirent *e;
	size_t len;
	DIR *d;
	int rc = 0;

	if (join(keys, dir, "keys") == -1 || (d = opendir(keys)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".pem") != 0 ||
		    exported(x, e->d_name))
			continue;
		if (join(path, keys, e->d_name) == 0 && unlink(path) == 0)
			x->removed++;
		else
			rc = -1;
	}
	closedir(d);
	return rc;
}

static int
make_dirs(const struct xrun *x, const char *dir)
{
	char keys[PATH_MAX];

	if (join(keys, dir, "keys") == -1 ||
	    (mkdir(dir, 0755) == -1 && errno != EEXIST) ||
	    (mkdir(keys, 0750) == -1 && errno != EEXIST) ||
	    chown(keys, x->uid, x->gid) == -1) {
		fprintf(stderr, "senderauth-admin: %s: %s\n", dir,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Key files first, then the tables that name them, then the files of
 * keys the tables no longer name. */
static int
export_dir(struct xrun *x, const char *dir, enum table first, enum table last)
{
	char kp[PATH_MAX];
	size_t i;
	int t;

	if (make_dirs(x, dir) == -1)
		return -1;
	for (i = 0; i < x->nkeys; i++)
		if (key_path(kp, sizeof kp, dir, &x->keys[i]) == -1 ||
		    put_file(x, kp, x->keys[i].pem, x->keys[i].pemlen, 0600) ==
			-1)
			return -1;
	for (t = (int)first; t <= (int)last; t++)
		if (put_table(x, dir, (enum table)t) == -1)
			return -1;
	return prune(x, dir);
}

/* The PEM of one row's sealed key; -1 when it does not open. */
static int
unseal_key(PGresult *res, int i, struct xkey *k)
{
	uint8_t *sealed, *der = NULL;
	size_t slen, dlen = 0;
	char row[CRYPTO_ROW_MAX];
	int rc = -1;

	crypto_row(row, "dkim_keys", atol(PQgetvalue(res, i, KEY_EXPORT_ID)),
		   atol(PQgetvalue(res, i, KEY_EXPORT_ORG)));
	sealed = PQunescapeBytea(
	    (const unsigned char *)PQgetvalue(res, i, KEY_EXPORT_SEALED),
	    &slen);
	if (sealed != NULL &&
	    crypto_unseal("dkim_private", row, sealed, slen, &der, &dlen) ==
		0 &&
	    crypto_private_pem(der, dlen, &k->pem, &k->pemlen) == 0)
		rc = 0;
	crypto_free_secret(der, dlen);
	PQfreemem(sealed);
	return rc;
}

/* Every active key whose private key opens; a key that does not open is
 * reported and left out (and the run fails). */
static int
load_keys(struct xrun *x)
{
	PGresult *res;
	struct xkey *k;
	int i, n;

	if ((res = db_exec(DB_KEY_EXPORT, 0, NULL)) == NULL)
		return -1;
	n = PQntuples(res);
	if ((x->keys = calloc((size_t)n + 1, sizeof *x->keys)) == NULL) {
		PQclear(res);
		return -1;
	}
	for (i = 0; i < n; i++) {
		k = &x->keys[x->nkeys];
		k->domain = strdup(PQgetvalue(res, i, KEY_EXPORT_DOMAIN));
		k->selector = strdup(PQgetvalue(res, i, KEY_EXPORT_SELECTOR));
		if (k->domain != NULL && k->selector != NULL &&
		    safe_name(k->domain) && safe_name(k->selector) &&
		    unseal_key(res, i, k) == 0) {
			x->nkeys++;
			continue;
		}
		fprintf(stderr,
			"senderauth-admin: key %s of %s left out: it does "
			"not open\n",
			PQgetvalue(res, i, KEY_EXPORT_ID),
			PQgetvalue(res, i, KEY_EXPORT_DOMAIN));
		free(k->domain);
		free(k->selector);
		memset(k, 0, sizeof *k);
		x->failed = 1;
	}
	PQclear(res);
	return 0;
}

static void
free_keys(struct xrun *x)
{
	size_t i;

	for (i = 0; i < x->nkeys; i++) {
		free(x->keys[i].domain);
		free(x->keys[i].selector);
		crypto_free_secret((uint8_t *)x->keys[i].pem,
				   x->keys[i].pemlen);
	}
	free(x->keys);
}

struct xopts {
	const char *opendkim[EXPORT_DIRS_MAX], *rspamd[EXPORT_DIRS_MAX];
	const char *owner, *group, *reload;
	size_t nopendkim, nrspamd;
};

static int
parse(int argc, char **argv, struct xopts *o)
{
	static const struct option opts[] = {
	    {"opendkim", required_argument, NULL, 'o'},
	    {"rspamd", required_argument, NULL, 'r'},
	    {"owner", required_argument, NULL, 'u'},
	    {"group", required_argument, NULL, 'g'},
	    {"reload", required_argument, NULL, 'R'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'o' && o->nopendkim < EXPORT_DIRS_MAX)
			o->opendkim[o->nopendkim++] = optarg;
		else if (ch == 'r' && o->nrspamd < EXPORT_DIRS_MAX)
			o->rspamd[o->nrspamd++] = optarg;
		else if (ch == 'u')
			o->owner = optarg;
		else if (ch == 'g')
			o->group = optarg;
		else if (ch == 'R')
			o->reload = optarg;
		else
			return -1;
	}
	return optind == argc ? 0 : -1;
}

/* What the command line left out, from the configuration; 0, or -1 when
 * neither names a directory to write. */
static int
from_config(struct xopts *o)
{
	if (o->nopendkim + o->nrspamd == 0) {
		o->nopendkim = config_list("export_opendkim_dir", o->opendkim,
					   EXPORT_DIRS_MAX);
		o->nrspamd = config_list("export_rspamd_dir", o->rspamd,
					 EXPORT_DIRS_MAX);
	}
	if (o->owner == NULL)
		o->owner = config_str("export_owner");
	if (o->group == NULL)
		o->group = config_str("export_group");
	if (o->reload == NULL)
		o->reload = config_str("export_reload");
	return o->nopendkim + o->nrspamd > 0 ? 0 : -1;
}

static int
owner_group(const struct xopts *o, struct xrun *x)
{
	struct passwd *pw;
	struct group *g;

	if (o->owner != NULL) {
		if ((pw = getpwnam(o->owner)) == NULL) {
			fprintf(stderr, "senderauth-admin: no user %s\n",
				o->owner);
			return -1;
		}
		x->uid = pw->pw_uid;
	}
	if (o->group != NULL) {
		if ((g = getgrnam(o->group)) == NULL) {
			fprintf(stderr, "senderauth-admin: no group %s\n",
				o->group);
			return -1;
		}
		x->gid = g->gr_gid;
	}
	return 0;
}

static int
export_all(struct xrun *x, const struct xopts *o)
{
	size_t i;

	for (i = 0; i < o->nopendkim; i++)
		if (export_dir(x, o->opendkim[i], T_OPENDKIM_KEYS,
			       T_OPENDKIM_SIGNING) == -1)
			return -1;
	for (i = 0; i < o->nrspamd; i++)
		if (export_dir(x, o->rspamd[i], T_RSPAMD_SELECTORS,
			       T_RSPAMD_PATHS) == -1)
			return -1;
	return 0;
}

int
admin_export_keys(int argc, char **argv)
{
	struct xopts o = {0};
	struct xrun x = {.uid = (uid_t)-1, .gid = (gid_t)-1};
	int reloaded = 0, rc = ADMIN_FAIL;

	if (parse(argc, argv, &o) == -1)
		return admin_usage(EXPORT_USAGE);
	if (from_config(&o) == -1) {
		fprintf(stderr,
			"senderauth-admin: export-keys: no target: give "
			"--opendkim DIR or --rspamd DIR, or set "
			"export_opendkim_dir or export_rspamd_dir in "
			"the configuration\n");
		return ADMIN_USAGE;
	}
	if (owner_group(&o, &x) == -1)
		return ADMIN_FAIL;
	umask(077);
	if (crypto_load_master(config_str("master_key_file")) == -1 ||
	    admin_db() == -1 || load_keys(&x) == -1 || export_all(&x, &o) == -1)
		goto out;
	if (x.written + x.removed > 0 && o.reload != NULL) {
		if (system(o.reload) != 0) {
			fprintf(stderr, "senderauth-admin: %s failed\n",
				o.reload);
			goto out;
		}
		reloaded = 1;
	}
	printf("export-keys: %zu keys, %u files written, %u removed%s\n",
	       x.nkeys, x.written, x.removed,
	       reloaded ? ", signer reloaded" : "");
	rc = x.failed ? ADMIN_FAIL : ADMIN_OK;
out:
	free_keys(&x);
	return rc;
}
