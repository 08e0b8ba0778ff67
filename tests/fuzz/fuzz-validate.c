/*
 * fuzz-validate.c - libFuzzer target for every validator of what users
 * type (lib/core/validate.c): the input, as a C string, goes through each.
 * What a validator accepts it leaves in bounded, NUL-terminated outputs;
 * a name offered from a refused URL or host:port is itself accepted;
 * an accepted domain's A-label is lower-case LDH and validates again to
 * itself; an accepted address's key has one "@"; a port is 1..65535.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

static char *
cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

static void
domain(const char *in)
{
	char a[DOMAIN_MAX + 1], u[ULABEL_MAX + 1], a2[DOMAIN_MAX + 1],
	    u2[ULABEL_MAX + 1];
	const char *p;

	if (validate_domain(in, a, u) != NULL)
		return;
	if (memchr(a, '\0', sizeof a) == NULL ||
	    memchr(u, '\0', sizeof u) == NULL || strlen(a) > DOMAIN_MAX)
		abort();
	for (p = a; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '.'))
			abort();
	if (validate_domain(a, a2, u2) != NULL || strcmp(a, a2) != 0)
		abort();
}

/* A URL or host:port is refused with the name in it offered only when that
 * name would be accepted by itself. */
static void
offered(const char *in)
{
	char a[DOMAIN_MAX + 1], u[ULABEL_MAX + 1], found[ULABEL_MAX + 1];
	struct domain_typed typed;
	const char *e;

	e = validate_domain_typed(in, a, u, &typed);
	if (e != NULL && strcmp(e, "url") == 0 && typed.found[0] != '\0' &&
	    validate_domain(typed.found, a, u) != NULL)
		abort();
	e = validate_smtp_host(in, found, sizeof found);
	if (memchr(found, '\0', sizeof found) == NULL)
		abort();
	if (e != NULL && strcmp(e, "url") == 0 && found[0] != '\0' &&
	    validate_smtp_host(found, a, sizeof a) != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *(*const fields[])(const char *,
					     struct field_value *) = {
	    valid_address, valid_domain, valid_smtp_host, valid_port,
	    valid_line,	   valid_id,	 valid_flag,
	};
	struct field_value v;
	char key[ADDRESS_MAX + 1];
	char *s = cstr(data, size);
	long port;
	size_t i;

	if (s == NULL)
		return 0;
	if (validate_address(s, key, sizeof key) == NULL &&
	    (strchr(key, '@') == NULL || strchr(key, '@') != strrchr(key, '@')))
		abort();
	if (validate_port(s, &port) == NULL && (port < 1 || port > 65535))
		abort();
	if (validate_text(s, 1000, 0) == NULL && strchr(s, '\n') != NULL)
		abort();
	validate_text(s, 1000, 1);
	domain(s);
	offered(s);
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		memset(&v, 0, sizeof v);
		v.s = s;
		v.present = 1;
		if (fields[i](s, &v) == NULL &&
		    (memchr(v.norm, '\0', sizeof v.norm) == NULL ||
		     memchr(v.unicode, '\0', sizeof v.unicode) == NULL))
			abort();
	}
	free(s);
	return 0;
}
