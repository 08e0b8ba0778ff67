/*
 * validate.c - validators for user input. Lengths are checked before
 * grammar, characters against allowlists.
 */
#include <ctype.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "util.h"
#include "validate.h"

static int
is_ldh(int c)
{
	return isalnum((unsigned char)c) || c == '-';
}

/* atext of RFC 5322 §3.2.3. */
static int
is_atext(int c)
{
	return isalnum((unsigned char)c) || strchr("!#$%&'*+-/=?^_`{|}~", c);
}

/* A dot-separated LDH name s[0..len): 0 ok, else an error code. */
static const char *
check_labels(const char *s, size_t len, int need_dot)
{
	size_t i, start = 0;
	int dots = 0;

	if (len == 0)
		return "invalid_label";
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			if (!is_ldh((unsigned char)s[i]))
				return "invalid_label";
			continue;
		}
		if (i == start)
			return "invalid_label";
		if (i - start > LABEL_MAX)
			return "label_too_long";
		if (s[start] == '-' || s[i - 1] == '-')
			return "invalid_label";
		if (i < len)
			dots++;
		start = i + 1;
	}
	return need_dot && dots == 0 ? "single_label" : NULL;
}

/* The dot-atom local part of RFC 5322 §3.2.3. */
static int
local_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 64 || s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++)
		if (!(is_atext((unsigned char)s[i]) ||
		      (s[i] == '.' && s[i + 1] != '.')))
			return 0;
	return 1;
}

const char *
validate_address(const char *in, char *key, size_t keylen)
{
	const char *at;
	size_t len = strlen(in), llen;

	if (len == 0)
		return "required";
	if (len > ADDRESS_MAX)
		return "too_long";
	if ((at = strchr(in, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return "invalid_address";
	llen = (size_t)(at - in);
	if (!local_ok(in, llen) || len - llen - 1 > DOMAIN_MAX ||
	    check_labels(at + 1, len - llen - 1, 1) != NULL)
		return "invalid_address";
	if (len + 1 > keylen)
		return "too_long";
	memcpy(key, in, len + 1);
	ascii_lower(key + llen + 1);
	return NULL;
}

const char *
validate_port(const char *in, long *port)
{
	if (in == NULL || *in == '\0') {
		*port = 587;
		return NULL;
	}
	return parse_long(in, 1, 65535, port) == 0 ? NULL : "invalid_port";
}

const char *
validate_text(const char *in, size_t max, int multiline)
{
	const unsigned char *p = (const unsigned char *)in;

	if (strlen(in) > max)
		return "too_long";
	for (; *p != '\0'; p++)
		if ((*p < 0x20 || *p == 0x7f) &&
		    !(multiline && (*p == '\n' || *p == '\r' || *p == '\t')))
			return "invalid_text";
	return NULL;
}

/* Strips what people add around a name: spaces (also U+3000), a leading
 * "@" or a whole address, a trailing dot. Returns the core in out. */
static const char *
domain_core(const char *in, char *out, size_t outlen)
{
	const char *s = in, *e = in + strlen(in), *at;

	for (;;) {
		if (s < e && (*s == ' ' || *s == '\t'))
			s++;
		else if (e - s >= 3 && memcmp(s, "\xe3\x80\x80", 3) == 0)
			s += 3;
		else if (e > s && (e[-1] == ' ' || e[-1] == '\t' ||
				   e[-1] == '\r' || e[-1] == '\n'))
			e--;
		else if (e - s >= 3 && memcmp(e - 3, "\xe3\x80\x80", 3) == 0)
			e -= 3;
		else
			break;
	}
	for (at = e; at > s && at[-1] != '@'; at--)
		;
	s = at;
	if (e > s && e[-1] == '.')
		e--;
	if (e == s)
		return "required";
	if ((size_t)(e - s) >= outlen)
		return "too_long";
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = '\0';
	return NULL;
}

/* An IPv4 dotted quad or anything with ':' or brackets. */
static int
is_ip_literal(const char *s)
{
	size_t i;
	int digits = 1;

	if (strpbrk(s, ":[]") != NULL)
		return 1;
	for (i = 0; s[i] != '\0'; i++)
		if (!isdigit((unsigned char)s[i]) && s[i] != '.')
			digits = 0;
	return digits;
}

static int
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* Copies s into out when it has at most max bytes; 0 / -1. */
static int
copy_max(const char *s, char *out, size_t max)
{
	size_t n = strlen(s);

	if (n > max)
		return -1;
	memcpy(out, s, n + 1);
	return 0;
}

/* IDNA2008 + UTS #46 to the A-label form in out. */
static const char *
to_alabel(const char *core, char *out)
{
	const char *err = NULL;
	char *a = NULL;
	int rc;

	if (!utf8_valid(core, strlen(core)))
		return "idn_invalid";
	rc = idn2_to_ascii_8z(core, &a, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK)
		err = rc == IDN2_TOO_BIG_DOMAIN	 ? "too_long"
		      : rc == IDN2_TOO_BIG_LABEL ? "label_too_long"
						 : "idn_invalid";
	else if (copy_max(a, out, DOMAIN_MAX) == -1)
		err = "too_long";
	idn2_free(a);
	return err;
}

const char *
validate_domain(const char *in, char *alabel, char *ulabel)
{
	char core[1024];
	char *u = NULL;
	const char *err;

	if ((err = domain_core(in, core, sizeof core)) != NULL)
		return err;
	if (is_ascii(core)) {
		if (copy_max(core, alabel, DOMAIN_MAX) == -1)
			return "too_long";
	} else if ((err = to_alabel(core, alabel)) != NULL) {
		return err;
	}
	ascii_lower(alabel);
	if (is_ip_literal(alabel))
		return "ip_literal";
	if ((err = check_labels(alabel, strlen(alabel), 1)) != NULL)
		return err;
	if (idn2_to_unicode_8z8z(alabel, &u, 0) != IDN2_OK ||
	    copy_max(u, ulabel, ULABEL_MAX) == -1)
		err = "idn_invalid";
	idn2_free(u);
	return err;
}

const char *
valid_address(const char *in, struct field_value *v)
{
	return validate_address(in, v->norm, sizeof v->norm);
}

const char *
valid_domain(const char *in, struct field_value *v)
{
	return validate_domain(in, v->norm, v->unicode);
}

const char *
valid_port(const char *in, struct field_value *v)
{
	return validate_port(in, &v->n);
}

const char *
valid_line(const char *in, struct field_value *v)
{
	return validate_text(in, 255, 0);
}

const char *
valid_id(const char *in, struct field_value *v)
{
	if (parse_long(in, 1, LONG_MAX, &v->n) == -1)
		v->n = 0;
	return NULL;
}

const char *
valid_flag(const char *in, struct field_value *v)
{
	v->n = strcmp(in, "1") == 0;
	return NULL;
}
