/*
 * form.c - decoding of urlencoded bodies and query strings into a small
 * array of fields. No I/O; the caller enforces the body size limit before
 * reading.
 */
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "util.h"

void
form_init(struct form *f)
{
	memset(f, 0, sizeof *f);
}

void
form_release(struct form *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->f[i].name);
		free(f->f[i].value);
	}
	form_init(f);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..len) into a new string; NULL with *err set. */
static char *
decode(const char *s, size_t len, enum form_error *err)
{
	char *out, *o;
	size_t i;
	int hi, lo;

	if ((out = malloc(len + 1)) == NULL) {
		*err = FORM_NOMEM;
		return NULL;
	}
	for (i = 0, o = out; i < len; i++) {
		if (s[i] == '+') {
			*o++ = ' ';
		} else if (s[i] != '%') {
			*o++ = s[i];
		} else if (i + 2 < len &&
			   (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
			   (lo = hexval((unsigned char)s[i + 2])) >= 0) {
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else {
			goto bad;
		}
	}
	*o = '\0';
	if (memchr(out, '\0', (size_t)(o - out)) != NULL ||
	    !utf8_valid(out, (size_t)(o - out)))
		goto bad;
	return out;
bad:
	free(out);
	*err = FORM_BAD_ENCODING;
	return NULL;
}

/* Decodes one "name=value" pair and appends it. */
static enum form_error
form_pair(struct form *f, const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);
	size_t nlen = eq ? (size_t)(eq - s) : len;
	enum form_error err = FORM_OK;
	char *name, *value;

	if (nlen == 0 || f->n == FORM_MAX_FIELDS)
		return FORM_BAD_SYNTAX;
	if ((name = decode(s, nlen, &err)) == NULL)
		return err;
	value = eq ? decode(eq + 1, len - nlen - 1, &err) : decode("", 0, &err);
	if (value == NULL || form_get(f, name) != NULL) {
		free(name);
		free(value);
		return value == NULL ? err : FORM_BAD_SYNTAX;
	}
	f->f[f->n].name = name;
	f->f[f->n++].value = value;
	return FORM_OK;
}

enum form_error
form_decode(struct form *f, const char *s, size_t len)
{
	const char *amp;
	size_t n;
	enum form_error err;

	while (len > 0) {
		amp = memchr(s, '&', len);
		n = amp ? (size_t)(amp - s) : len;
		if (n > 0 && (err = form_pair(f, s, n)) != FORM_OK) {
			form_release(f);
			return err;
		}
		s += n + (amp != NULL);
		len -= n + (amp != NULL);
	}
	return FORM_OK;
}

const char *
form_get(const struct form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->f[i].name, name) == 0)
			return f->f[i].value;
	return NULL;
}
