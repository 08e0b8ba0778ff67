/*
 * senderauth-admin.c - the operator's command. One subcommand per task,
 * dispatched from one table (like git's commands[]); each lives in its own
 * file of admin/ and returns the exit status: 0 when it did its job, 1
 * when it could not (configuration, database, files), 2 on a usage error.
 *
 *   senderauth-admin [-c CONFIG] [-d CONNINFO] COMMAND [ARGS]
 *
 * The configuration is $SENDERAUTH_CONFIG or /etc/senderauth/senderauth.conf
 * unless -c names one; -d gives the database connection string instead
 * of the configuration's `database` (then no configuration file is
 * needed by commands that use only the database).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "config.h"
#include "db.h"
#include "util.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
} commands[] = {
    {"migrate", admin_migrate, "migrate [--dry-run] [--sql DIR]"},
    {"org", admin_org, "org add NAME | org list"},
    {"account", admin_account, "account add ORG_ID NAME"},
    {"status", admin_status, "status"},
    {"export-keys", admin_export_keys,
     "export-keys [--opendkim DIR | --rspamd DIR]... [--owner USER] "
     "[--group GROUP] [--reload CMD]"},
    {"pool-fill", admin_pool_fill, "pool-fill [--size N]"},
    {"rotate-keys", admin_rotate_keys, "rotate-keys"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const char *conninfo;

const char *
admin_conninfo(void)
{
	const char *c = conninfo != NULL ? conninfo : config_str("database");

	return c != NULL ? c : "";
}

int
admin_db(void)
{
	return db_connect(admin_conninfo());
}

int
admin_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("usage: senderauth-admin ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return ADMIN_USAGE;
}

static int
usage(void)
{
	size_t i;

	fputs("usage: senderauth-admin [-c CONFIG] [-d CONNINFO] COMMAND\n",
	      stderr);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(stderr, "       senderauth-admin %s\n",
			commands[i].usage);
	return ADMIN_USAGE;
}

int
main(int argc, char **argv)
{
	const char *config = NULL;
	size_t i;
	int ch;

	while ((ch = getopt(argc, argv, "+c:d:h")) != -1) {
		if (ch == 'c')
			config = optarg;
		else if (ch == 'd')
			conninfo = optarg;
		else
			return usage();
	}
	if (optind >= argc)
		return usage();
	if ((config != NULL || conninfo == NULL) &&
	    config_load(config != NULL ? config : config_default_path()) == -1)
		return ADMIN_FAIL;
	argc -= optind;
	argv += optind;
	optind = 1;
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].run(argc, argv);
	fprintf(stderr, "senderauth-admin: no command %s\n", argv[0]);
	return usage();
}
