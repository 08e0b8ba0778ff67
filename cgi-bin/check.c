/*
 * check - POST /mail-settings/check: 今すぐ確認. Checks one domain of the
 * organization now, synchronously, by running `verifier run --domain ID
 * --account ID` (the same code path as cron, so the verdict is written the
 * same way; the log names the account that pressed the button) with the
 * short check_timeout_ms, then answers 303 to the domain's card,
 * which shows the result: checked, or check_tempfail when DNS could not
 * be asked (the previous verdict stays). Web binaries never link c-ares:
 * the DNS work stays in the verifier process.
 */
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "page.h"
#include "util.h"
#include "validate.h"

extern char **environ;

enum { F_ID, F__MAX };
static const struct field fields[F__MAX] = {
    [F_ID] = {"id", valid_id, FIELD_PARAM},
};

/* verifier_path, else the verifier next to this binary's directory
 * (build/cgi-bin/check -> build/verifier). */
static const char *
verifier_path(char *buf, size_t len)
{
	const char *p = config_str("verifier_path");
	char self[PATH_MAX], *slash;
	ssize_t n;

	if (p != NULL)
		return p;
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return "senderauth-verifier";
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
	snprintf(buf, len, "%s/../verifier", self);
	return buf;
}

/* Runs the verifier for domain id on behalf of account (the actor of its
 * events), killed after limit_ms; 0 / -1. */
static int
run_verifier(long id, long account, long limit_ms)
{
	char path[PATH_MAX + 16], ids[NUMBUF], acc[NUMBUF], ms[NUMBUF];
	char *argv[] = {"verifier", "run",	 "--domain", ids, "--account",
			acc,	    "--timeout", ms,	     NULL};
	struct timespec pause = {0, 20 * 1000000L};
	pid_t pid;
	long waited;
	int status;

	num(id, ids);
	num(account, acc);
	num(limit_ms / 2 > 50 ? limit_ms / 2 : 50, ms);
	if (posix_spawn(&pid, verifier_path(path, sizeof path), NULL, NULL,
			argv, environ) != 0) {
		log_warnx("cannot start the verifier");
		return -1;
	}
	for (waited = 0; waitpid(pid, &status, WNOHANG) == 0; waited += 20) {
		if (waited > limit_ms + 2000) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			log_warnx("verifier for domain %ld killed", id);
			return -1;
		}
		nanosleep(&pause, NULL);
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int
find(struct req *r)
{
	return page_find(r, DB_DOMAIN_GET, r->v[F_ID].n);
}

/* 1 when the verdict the verifier left for domain id could not ask DNS
 * (the previous one stays), 0 when not, -1. */
static int
tempfail(struct req *r, long id)
{
	char ids[NUMBUF], org[NUMBUF];
	const char *p[2] = {num(id, ids), num(r->sess.org_id, org)};
	PGresult *res = db_exec(DB_DOMAIN_GET, 2, p);
	int tf = -1;

	if (res != NULL && PQntuples(res) == 1)
		tf = PQgetvalue(res, 0, DOMAIN_GET_TEMPFAIL)[0] == 't';
	PQclear(res);
	return tf;
}

static int
check(struct req *r)
{
	long id = r->v[F_ID].n;
	int tf;

	if (run_verifier(id, r->sess.account_id,
			 config_num("check_timeout_ms")) == -1) {
		http_fail(r, 503, "check_failed");
		return -1;
	}
	if ((tf = tempfail(r, id)) == -1)
		return -1;
	/* DNS not reached is a warning, not the green "checked" */
	http_redirect_domain(r, tf ? "check_tempfail" : "checked", id, 1);
	return 0;
}

HTTP_MAIN(.name = "check", .methods = HTTP_POST, .fields = fields,
	  .nfields = F__MAX, .find = find, .handle = check)
