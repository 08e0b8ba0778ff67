/*
 * admin.h - what the subcommands of senderauth-admin share: the
 * configuration and database set-up of admin/senderauth-admin.c, and one
 * entry point per subcommand file.
 */
#ifndef SA_ADMIN_H
#define SA_ADMIN_H

#define ADMIN_OK 0
#define ADMIN_FAIL 1
#define ADMIN_USAGE 2

/* The connection string of the configuration, or of -d. */
const char *admin_conninfo(void);
/* Connects and prepares the statement catalogue (lib/core/db.c): for
 * subcommands that run once the schema is in place. 0 / -1. */
int admin_db(void);
/* One line on stderr prefixed "senderauth-admin: "; returns ADMIN_USAGE. */
int admin_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int admin_migrate(int argc, char **argv);
int admin_org(int argc, char **argv);
int admin_account(int argc, char **argv);
int admin_status(int argc, char **argv);
int admin_export_keys(int argc, char **argv);
int admin_pool_fill(int argc, char **argv);
int admin_rotate_keys(int argc, char **argv);

#endif
