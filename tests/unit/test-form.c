/*
 * test-form - the strict urlencoded decoder: every malformed input its own
 * row, and the decoded values of the valid ones.
 */
#include <stdlib.h>

#include "form.h"
#include "t.h"
#include "util.h"

static const struct {
	const char *in;
	enum form_error want;
	const char *name, *value; /* one field to check when FORM_OK */
} rows[] = {
    {"", FORM_OK, NULL, NULL},
    {"a=b", FORM_OK, "a", "b"},
    {"a=b&c=d", FORM_OK, "c", "d"},
    {"a=", FORM_OK, "a", ""},
    {"a", FORM_OK, "a", ""},
    {"a=b&&c=d", FORM_OK, "c", "d"},
    {"a=x+y", FORM_OK, "a", "x y"},
    {"a=%2B%26%3D", FORM_OK, "a", "+&="},
    {"a=%e6%97%a5", FORM_OK, "a", "日"},
    {"na%6De=v", FORM_OK, "name", "v"},
    {"a=%", FORM_BAD_ENCODING, NULL, NULL},
    {"a=%4", FORM_BAD_ENCODING, NULL, NULL},
    {"a=%zz", FORM_BAD_ENCODING, NULL, NULL},
    {"a=%g0", FORM_BAD_ENCODING, NULL, NULL},
    {"a=%00", FORM_BAD_ENCODING, NULL, NULL},
    {"a=%C3%28", FORM_BAD_ENCODING, NULL, NULL},
    {"a=%C0%AF", FORM_BAD_ENCODING, NULL, NULL},       /* overlong */
    {"a=%ED%A0%80", FORM_BAD_ENCODING, NULL, NULL},    /* surrogate */
    {"a=%F4%90%80%80", FORM_BAD_ENCODING, NULL, NULL}, /* > U+10FFFF */
    {"a=%E6%97", FORM_BAD_ENCODING, NULL, NULL},       /* truncated */
    {"a=\xff", FORM_BAD_ENCODING, NULL, NULL},
    {"%zz=1", FORM_BAD_ENCODING, NULL, NULL},
    {"=v", FORM_BAD_SYNTAX, NULL, NULL},
    {"a=1&a=2", FORM_BAD_SYNTAX, NULL, NULL},
    {"a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11&l=12&m=13&n=14&o=15&"
     "p=16&q=17&r=18&s=19&t=20&u=21&v=22&w=23&x=24&y=25&z=26&A=27&B=28&"
     "C=29&D=30&E=31&F=32&G=33",
     FORM_BAD_SYNTAX, NULL, NULL},
};

int
main(void)
{
	struct form f;
	enum form_error e;
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		form_init(&f);
		e = form_decode(&f, rows[i].in, strlen(rows[i].in));
		t_ok(e == rows[i].want, "form_decode row %zu (%.20s) -> %d", i,
		     rows[i].in, (int)e);
		if (e == FORM_OK && rows[i].name != NULL)
			T_STREQ(form_get(&f, rows[i].name), rows[i].value,
				"form_get row %zu", i);
		if (e != FORM_OK)
			t_ok(f.n == 0, "rejected row %zu keeps nothing", i);
		form_release(&f);
	}
	return t_done();
}
