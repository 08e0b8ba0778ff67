/*
 * t.h - the smallest table-driven test helper: every check prints one
 * "ok - name" or "not ok - name" line, which tests/run.sh counts.
 * t_done() returns the exit status for main.
 */
#ifndef SA_T_H
#define SA_T_H

#include <stdio.h>
#include <string.h>

static int t_failures;

static void t_ok(int cond, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void
t_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf(cond ? "ok - " : "not ok - ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		t_failures++;
}

#define T_STREQ(a, b, ...)                                                     \
	t_ok((a) != NULL && (b) != NULL && strcmp((a), (b)) == 0, __VA_ARGS__)

static int
t_done(void)
{
	fflush(stdout);
	return t_failures ? 1 : 0;
}

#endif
