/*
 * test-validate - sender addresses, ports, text and every form of domain
 * name people type.
 */
#include "t.h"
#include "util.h"
#include "validate.h"

static const struct {
	const char *in, *err, *key;
} addresses[] = {
    {"taro@example.jp", NULL, "taro@example.jp"},
    {"Taro.Yamada@Example.JP", NULL, "Taro.Yamada@example.jp"},
    {"a+tag@sub.example.co.jp", NULL, "a+tag@sub.example.co.jp"},
    {"o'brien@example.jp", NULL, "o'brien@example.jp"},
    {"", "required", NULL},
    {"plain", "invalid_address", NULL},
    {"a@@b.jp", "invalid_address", NULL},
    {"a@b@c.jp", "invalid_address", NULL},
    {"@b.jp", "invalid_address", NULL},
    {"a@", "invalid_address", NULL},
    {"a@localhost", "invalid_address", NULL},
    {"a@b..jp", "invalid_address", NULL},
    {"a@-b.jp", "invalid_address", NULL},
    {"a@b-.jp", "invalid_address", NULL},
    {"a@b_c.jp", "invalid_address", NULL},
    {".a@b.jp", "invalid_address", NULL},
    {"a.@b.jp", "invalid_address", NULL},
    {"a..b@c.jp", "invalid_address", NULL},
    {"a b@c.jp", "invalid_address", NULL},
    {"<script>@c.jp", "invalid_address", NULL},
    {"\"q\"@c.jp", "invalid_address", NULL},
    {"太郎@example.jp", "invalid_address", NULL},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.jp",
     "invalid_address", NULL}, /* 65-octet local part */
    {"a@bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.jp",
     "invalid_address", NULL}, /* 64-octet label */
};

static const struct {
	const char *in, *err, *alabel, *ulabel;
} domains[] = {
    {"example.jp", NULL, "example.jp", "example.jp"},
    {"  Example.JP.  ", NULL, "example.jp", "example.jp"},
    {"@example.jp", NULL, "example.jp", "example.jp"},
    {"taro@Example.jp", NULL, "example.jp", "example.jp"},
    {"\xe3\x80\x80"
     "example.jp",
     NULL, "example.jp", "example.jp"},
    {"日本語.jp", NULL, "xn--wgv71a119e.jp", "日本語.jp"},
    {"ＥＸＡＭＰＬＥ．ｊｐ", NULL, "example.jp", "example.jp"},
    {"xn--wgv71a119e.jp", NULL, "xn--wgv71a119e.jp", "日本語.jp"},
    {"", "required", NULL, NULL},
    {"   ", "required", NULL, NULL},
    {"@", "required", NULL, NULL},
    {"localhost", "single_label", NULL, NULL},
    {"192.0.2.1", "ip_literal", NULL, NULL},
    {"[2001:db8::1]", "ip_literal", NULL, NULL},
    {"a..jp", "invalid_label", NULL, NULL},
    {"-a.jp", "invalid_label", NULL, NULL},
    {"a_b.jp", "invalid_label", NULL, NULL},
    {"exa mple.jp", "invalid_label", NULL, NULL},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.jp",
     "label_too_long", NULL, NULL},
    {"a.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.jp",
     "too_long", NULL, NULL},
    {"\xff\xfe.jp", "idn_invalid", NULL, NULL},
};

/* The table validators: what each leaves in the value. */
static const struct {
	const char *(*check)(const char *, struct field_value *);
	const char *name, *in, *err;
	long n;
	const char *norm, *unicode;
} table[] = {
    {valid_id, "id", "1", NULL, 1, NULL, NULL},
    {valid_id, "id", "9223372036854775807", NULL, 0x7fffffffffffffffL, NULL,
     NULL},
    {valid_id, "id", "", NULL, 0, NULL, NULL},
    {valid_id, "id", "0", NULL, 0, NULL, NULL},
    {valid_id, "id", "-1", NULL, 0, NULL, NULL},
    {valid_id, "id", "abc", NULL, 0, NULL, NULL},
    {valid_id, "id", " 1", NULL, 0, NULL, NULL},
    {valid_flag, "flag", "1", NULL, 1, NULL, NULL},
    {valid_flag, "flag", "", NULL, 0, NULL, NULL},
    {valid_flag, "flag", "2", NULL, 0, NULL, NULL},
    {valid_flag, "flag", "true", NULL, 0, NULL, NULL},
    {valid_port, "port", "", NULL, 587, NULL, NULL},
    {valid_port, "port", "25", NULL, 25, NULL, NULL},
    {valid_port, "port", "0", "invalid_port", 0, NULL, NULL},
    {valid_line, "line", "smtp.example.jp", NULL, 0, NULL, NULL},
    {valid_line, "line", "a\tb", "invalid_text", 0, NULL, NULL},
    {valid_address, "address", "Taro@Example.JP", NULL, 0, "Taro@example.jp",
     NULL},
    {valid_address, "address", "", "required", 0, NULL, NULL},
    {valid_domain, "domain", " @日本語.JP. ", NULL, 0, "xn--wgv71a119e.jp",
     "日本語.jp"},
    {valid_domain, "domain", "localhost", "single_label", 0, NULL, NULL},
};

static void
test_table(void)
{
	struct field_value v;
	const char *e;
	char line[257];
	size_t i;

	for (i = 0; i < sizeof table / sizeof table[0]; i++) {
		memset(&v, 0, sizeof v);
		e = table[i].check(table[i].in, &v);
		t_ok(e == table[i].err ||
			 (e && table[i].err && !strcmp(e, table[i].err)),
		     "valid_%s '%s' -> %s", table[i].name, table[i].in,
		     e ? e : "ok");
		if (e != NULL)
			continue;
		t_ok(v.n == table[i].n, "valid_%s '%s': n %ld", table[i].name,
		     table[i].in, v.n);
		if (table[i].norm != NULL)
			T_STREQ(v.norm, table[i].norm, "valid_%s '%s': norm",
				table[i].name, table[i].in);
		if (table[i].unicode != NULL)
			T_STREQ(v.unicode, table[i].unicode,
				"valid_%s '%s': unicode", table[i].name,
				table[i].in);
	}
	memset(line, 'a', 255);
	line[255] = '\0';
	t_ok(valid_line(line, &v) == NULL, "valid_line: 255 bytes");
	line[255] = 'a';
	line[256] = '\0';
	t_ok(valid_line(line, &v) != NULL, "valid_line: 256 bytes");
}

int
main(void)
{
	char key[ADDRESS_MAX + 1], a[DOMAIN_MAX + 1], u[ULABEL_MAX + 1];
	const char *e;
	long port;
	size_t i;

	for (i = 0; i < sizeof addresses / sizeof addresses[0]; i++) {
		e = validate_address(addresses[i].in, key, sizeof key);
		t_ok(e == addresses[i].err || (e && addresses[i].err &&
					       !strcmp(e, addresses[i].err)),
		     "address '%s' -> %s", addresses[i].in, e ? e : "ok");
		if (e == NULL && addresses[i].key != NULL)
			T_STREQ(key, addresses[i].key, "address key '%s'",
				addresses[i].in);
	}
	t_ok(validate_port("", &port) == NULL && port == 587, "port default");
	t_ok(validate_port("1", &port) == NULL && port == 1, "port 1");
	t_ok(validate_port("65535", &port) == NULL, "port 65535");
	t_ok(validate_port("0", &port) != NULL, "port 0");
	t_ok(validate_port("65536", &port) != NULL, "port 65536");
	t_ok(validate_port("25a", &port) != NULL, "port 25a");
	t_ok(validate_port(" 25", &port) != NULL, "port with space");
	t_ok(validate_text("line1\nline2", 100, 1) == NULL, "multiline note");
	t_ok(validate_text("line1\nline2", 100, 0) != NULL, "newline in host");
	t_ok(validate_text("a\x01", 100, 1) != NULL, "control character");
	t_ok(validate_text("abcd", 3, 0) != NULL, "too long text");
	for (i = 0; i < sizeof domains / sizeof domains[0]; i++) {
		e = validate_domain(domains[i].in, a, u);
		t_ok(e == domains[i].err ||
			 (e && domains[i].err && !strcmp(e, domains[i].err)),
		     "domain '%s' -> %s", domains[i].in, e ? e : "ok");
		if (e == NULL && domains[i].alabel != NULL) {
			T_STREQ(a, domains[i].alabel, "A-label of '%s'",
				domains[i].in);
			T_STREQ(u, domains[i].ulabel, "U-label of '%s'",
				domains[i].in);
		}
	}
	test_table();
	return t_done();
}
