/*
 * form.h - a strict application/x-www-form-urlencoded decoder (URL
 * Standard §5.1, without its leniency): "+" is a space, "%XX" needs two hex
 * digits, the decoded bytes must be valid UTF-8 without NUL, a name may
 * appear once. Anything else is refused as a whole: the request gets 400
 * and nothing is stored. The same decoder reads query strings.
 */
#ifndef SA_FORM_H
#define SA_FORM_H

#include <stddef.h>

#define FORM_MAX_FIELDS 32

struct form_field {
	char *name;
	char *value;
};

struct form {
	size_t n;
	struct form_field f[FORM_MAX_FIELDS];
};

enum form_error {
	FORM_OK,
	FORM_BAD_ENCODING, /* bad %XX, invalid UTF-8, NUL */
	FORM_BAD_SYNTAX,   /* empty or duplicated name, too many fields */
	FORM_NOMEM,
};

void form_init(struct form *);
void form_release(struct form *);
enum form_error form_decode(struct form *, const char *s, size_t len);
/* The value of name, or NULL. */
const char *form_get(const struct form *, const char *name);

#endif
