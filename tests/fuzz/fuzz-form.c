/*
 * fuzz-form.c - libFuzzer target for the form decoder (lib/web/form.c):
 * the input is a request body or query string. A decoded form holds at
 * most FORM_MAX_FIELDS fields, each name non-empty and unique, each name
 * and value free of NUL and valid UTF-8, and form_get finds every field
 * under its name; a refused input leaves nothing behind.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"

/* 1 when s is valid UTF-8 (RFC 3629: no overlongs, no surrogates). */
static int
utf8_ok(const unsigned char *s)
{
	unsigned c, n, i;

	while (*s != '\0') {
		c = *s++;
		if (c < 0x80)
			continue;
		n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
		if (n == 0 || c > 0xf4 || c < 0xc2)
			return 0;
		for (i = 0; i < n; i++)
			if ((s[i] & 0xc0) != 0x80)
				return 0;
		if ((c == 0xe0 && s[0] < 0xa0) || (c == 0xed && s[0] > 0x9f) ||
		    (c == 0xf0 && s[0] < 0x90) || (c == 0xf4 && s[0] > 0x8f))
			return 0;
		s += n;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form f;
	size_t i, j;

	form_init(&f);
	if (form_decode(&f, (const char *)data, size) != FORM_OK) {
		if (f.n != 0)
			abort();
		form_release(&f);
		return 0;
	}
	if (f.n > FORM_MAX_FIELDS)
		abort();
	for (i = 0; i < f.n; i++) {
		if (f.f[i].name[0] == '\0' ||
		    !utf8_ok((const unsigned char *)f.f[i].name) ||
		    !utf8_ok((const unsigned char *)f.f[i].value) ||
		    form_get(&f, f.f[i].name) != f.f[i].value)
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(f.f[i].name, f.f[j].name) == 0)
				abort();
	}
	form_release(&f);
	return 0;
}
