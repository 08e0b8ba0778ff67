/*
 * config.h - the configuration file: "key = value" lines, '#' comments,
 * a key may repeat to form a list (spf_ip, resolver). Loaded once at start-up
 * into a process-wide table; getters never fail, they fall back to the
 * key's default in config.c's table of keys, the one place defaults live.
 * Asking for a key that table lacks aborts (a mistake in the program). The
 * key reference is in README.md.
 */
#ifndef SA_CONFIG_H
#define SA_CONFIG_H

#include <stddef.h>

/* $SENDERAUTH_CONFIG, else /etc/senderauth/senderauth.conf */
const char *config_default_path(void);
/* Loads the file; on error prints "path:line: problem" to stderr and
 * returns -1. Unknown keys are errors (a typo must not pass silently). */
int config_load(const char *path);
void config_free(void);

/* The value, else the default; NULL for a key without one (database,
 * the key files, dkim_fault_file, verifier_path, metrics_file, export_*)
 * that the file lacks. */
const char *config_str(const char *key);
/* Number in [min, max]; values out of range were refused by config_load. */
long config_num(const char *key);
/* Every value of a repeated key, in file order, into vals[0..max-1], else
 * its default as the only one; returns the count stored. */
size_t config_list(const char *key, const char **vals, size_t max);

#endif
