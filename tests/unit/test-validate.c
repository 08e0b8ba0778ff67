/*
 * test-validate - sender addresses, ports, text, every form of domain
 * name people type (URLs and host:port included) and SMTP servers.
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
    {"ta\xe2\x80\xaero@example.jp", "bidi_control", NULL}, /* U+202E */
    {"taro@example.jp\xc2\x85", "invalid_text", NULL},	   /* U+0085 */
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

/* What people paste into the domain field besides a name: the code, the
 * name found in a URL or host:port, whether it came from an address. */
static const struct {
	const char *in, *err, *found;
	int from_address;
} typed[] = {
    {"example.jp", NULL, "", 0},
    {"taro@example.jp", NULL, "", 1},
    {" Taro.Yamada@Example.JP ", NULL, "", 1},
    {"@example.jp", NULL, "", 0},
    {"https://www.example.jp/contact", "url", "www.example.jp", 0},
    {"http://example.jp", "url", "example.jp", 0},
    {"https://user:pw@example.jp:8443/x?y#z", "url", "example.jp", 0},
    {"HTTPS://日本語.JP/", "url", "日本語.jp", 0},
    {"example.jp/contact", "url", "example.jp", 0},
    {"example.jp?x=1", "url", "example.jp", 0},
    {"example.jp#top", "url", "example.jp", 0},
    {"example.jp\\path", "url", "example.jp", 0},
    {"example.jp:8080", "url", "example.jp", 0},
    {"example.jp:", "url", "example.jp", 0},
    {" mail.example.jp:25 ", "url", "mail.example.jp", 0},
    {"taro@example.jp:25", "url", "example.jp", 0},
    {"http://192.0.2.1/", "url", "", 0},
    {"https://[2001:db8::1]:443/", "url", "", 0},
    {"[2001:db8::1]:25", "url", "", 0},
    {"https:///", "url", "", 0},
    {"http://localhost/", "url", "", 0},
    {"192.0.2.1", "ip_literal", "", 0},
    {"2001:db8::1", "ip_literal", "", 0},
    {"example.jp:http", "ip_literal", "", 0},
    {"exa\xe2\x80\xaemple.jp", "bidi_control", "", 0}, /* U+202E RLO */
    {"\xe2\x81\xa6"
     "example.jp",
     "bidi_control", "", 0},			   /* U+2066 LRI */
    {"example\xc2\x85.jp", "invalid_text", "", 0}, /* U+0085 NEL */
};

/* SMTP servers: host names and public addresses only. */
static const struct {
	const char *in, *err, *found;
} smtp_hosts[] = {
    {"", NULL, ""},
    {"smtp.example.jp", NULL, ""},
    {"SMTP.Example.JP.", NULL, ""},
    {"mail-1.example.co.jp", NULL, ""},
    {"203.0.113.25", NULL, ""},
    {"8.8.8.8", NULL, ""},
    {"2001:db8::25", NULL, ""},
    {"[2001:db8::25]", NULL, ""},
    {"100.63.255.255", NULL, ""},
    {"100.128.0.1", NULL, ""},
    {"172.15.255.255", NULL, ""},
    {"172.32.0.1", NULL, ""},
    {"169.253.1.1", NULL, ""},
    {"127.0.0.1", "private_address", ""},
    {"127.255.255.254", "private_address", ""},
    {"::1", "private_address", ""},
    {"[::1]", "private_address", ""},
    {"::", "private_address", ""},
    {"0.0.0.0", "private_address", ""},
    {"10.0.0.1", "private_address", ""},
    {"10.255.255.255", "private_address", ""},
    {"172.16.0.1", "private_address", ""},
    {"172.31.255.255", "private_address", ""},
    {"192.168.1.1", "private_address", ""},
    {"169.254.169.254", "private_address", ""},
    {"169.254.0.1", "private_address", ""},
    {"100.64.0.1", "private_address", ""},
    {"100.127.255.255", "private_address", ""},
    {"224.0.0.1", "private_address", ""},
    {"255.255.255.255", "private_address", ""},
    {"fe80::1", "private_address", ""},
    {"febf::1", "private_address", ""},
    {"fc00::1", "private_address", ""},
    {"fd00:ec2::254", "private_address", ""},
    {"ff02::1", "private_address", ""},
    {"::ffff:127.0.0.1", "private_address", ""},
    {"::ffff:169.254.169.254", "private_address", ""},
    {"64:ff9b::a9fe:a9fe", "private_address", ""},
    {"::ffff:203.0.113.25", NULL, ""},
    {"localhost", "private_address", ""},
    {"LOCALHOST.", "private_address", ""},
    {"db.localhost", "private_address", ""},
    {"printer.local", "private_address", ""},
    {"metadata.google.internal", "private_address", ""},
    {"nas.home.arpa", "private_address", ""},
    {"127.1", "invalid_host", ""},
    {"0x7f.0.0.1", "invalid_host", ""},
    {"0x7f000001", "invalid_host", ""},
    {"2130706433", "invalid_host", ""},
    {"017700000001", "invalid_host", ""},
    {"1.2.3.999", "invalid_host", ""},
    {"smtp", "invalid_host", ""},
    {"smtp_1.example.jp", "invalid_host", ""},
    {"-smtp.example.jp", "invalid_host", ""},
    {"smtp..example.jp", "invalid_host", ""},
    {"smtp example.jp", "invalid_host", ""},
    {"メール.example.jp", "invalid_host", ""},
    {"[smtp.example.jp]", "invalid_host", ""},
    {"[192.0.2.1]", "invalid_host", ""},
    {"smtp.example.jp:587", "url", "smtp.example.jp"},
    {"smtp://smtp.example.jp", "url", "smtp.example.jp"},
    {"https://smtp.example.jp/", "url", "smtp.example.jp"},
    {"203.0.113.25:25", "url", "203.0.113.25"},
    {"[2001:db8::25]:587", "url", "[2001:db8::25]"},
    {"127.0.0.1:5432", "private_address", ""},
    {"http://169.254.169.254/latest/meta-data/", "private_address", ""},
    {"[::1]:25", "private_address", ""},
    {"smtp.example.jp\t", "invalid_text", ""},
    {"smtp.\xe2\x80\xae"
     "example.jp",
     "bidi_control", ""},
    {"smtp.\xc2\x9b"
     "example.jp",
     "invalid_text", ""},
};

/* Free text: what a one-line field and the multi-line note refuse. */
static const struct {
	const char *in, *err;
	int multiline;
} texts[] = {
    {"営業部", NULL, 0},
    {"line1\nline2", NULL, 1},
    {"line1\r\nline2\tx", NULL, 1},
    {"line1\nline2", "invalid_text", 0},
    {"a\x01", "invalid_text", 1},
    {"a\x7f", "invalid_text", 1},
    {"a\xc2\x80", "invalid_text", 1}, /* U+0080 */
    {"a\xc2\x9f", "invalid_text", 0}, /* U+009F */
    {"a\xc2\xa0"
     "b",
     NULL, 0},					      /* U+00A0 NBSP */
    {"\xe2\x80\xaa", "bidi_control", 0},	      /* U+202A LRE */
    {"\xe2\x80\xab", "bidi_control", 0},	      /* U+202B RLE */
    {"\xe2\x80\xac", "bidi_control", 0},	      /* U+202C PDF */
    {"\xe2\x80\xad", "bidi_control", 0},	      /* U+202D LRO */
    {"note \xe2\x80\xae txt.exe", "bidi_control", 1}, /* U+202E RLO */
    {"\xe2\x81\xa6", "bidi_control", 0},	      /* U+2066 LRI */
    {"\xe2\x81\xa7", "bidi_control", 0},	      /* U+2067 RLI */
    {"\xe2\x81\xa8", "bidi_control", 0},	      /* U+2068 FSI */
    {"\xe2\x81\xa9", "bidi_control", 1},	      /* U+2069 PDI */
    {"\xe2\x80\xa9", NULL, 0},			      /* U+2029 para sep */
    {"\xe2\x81\xaa", NULL, 0},			      /* U+206A */
    {"\xe2\x80\x8f", NULL, 0},			      /* U+200F RLM */
    {"\xff", "invalid_text", 1},		      /* not UTF-8 */
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
    /* an A-label IDNA2008 would not make (found by fuzz-validate) */
    {valid_domain, "domain", "xn--720e.jp", "idn_invalid", 0, NULL, NULL},
    {valid_domain, "domain", "\xcf\x9b.xn--720e.jp", "idn_invalid", 0, NULL,
     NULL},
    {valid_domain, "domain", "XN--WGV71A119E.JP", NULL, 0, "xn--wgv71a119e.jp",
     "日本語.jp"},
    {valid_domain, "domain", "taro@Example.JP", NULL, 1, "example.jp",
     "example.jp"},
    {valid_domain, "domain", "https://example.jp/", "url", 0, NULL, NULL},
    {valid_smtp_host, "smtp_host", "smtp.example.jp", NULL, 0, NULL, NULL},
    {valid_smtp_host, "smtp_host", "", NULL, 0, NULL, NULL},
    {valid_smtp_host, "smtp_host", "10.1.2.3", "private_address", 0, NULL,
     NULL},
    {valid_line, "line",
     "a\xe2\x80\xae"
     "b",
     "bidi_control", 0, NULL, NULL},
};

static void
test_table(void)
{
	struct field_value v;
	const char *e;
	char line[TEXT_LINE_MAX + 2], kanji[3 * (TEXT_LINE_MAX + 1) + 1],
	    note[NOTE_MAX + 2];
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
	memset(&v, 0, sizeof v);
	t_ok(valid_domain("http://example.jp:80/", &v) != NULL &&
		 strcmp(v.suggest, "example.jp") == 0,
	     "valid_domain: a URL's name offered");
	memset(&v, 0, sizeof v);
	t_ok(valid_smtp_host("smtp.example.jp:587", &v) != NULL &&
		 strcmp(v.suggest, "smtp.example.jp") == 0,
	     "valid_smtp_host: host:port's host offered");
	memset(line, 'a', TEXT_LINE_MAX);
	line[TEXT_LINE_MAX] = '\0';
	t_ok(valid_line(line, &v) == NULL, "valid_line: 255 characters");
	line[TEXT_LINE_MAX] = 'a';
	line[TEXT_LINE_MAX + 1] = '\0';
	t_ok(valid_line(line, &v) != NULL &&
		 strcmp(valid_line(line, &v), "too_long") == 0,
	     "valid_line: 256 characters: too_long");
	for (i = 0; i < TEXT_LINE_MAX; i++) /* 255 kanji: 765 bytes */
		memcpy(kanji + 3 * i, "\xe6\xbc\xa2", 3);
	kanji[3 * TEXT_LINE_MAX] = '\0';
	t_ok(valid_line(kanji, &v) == NULL, "valid_line: 255 kanji");
	memcpy(kanji + 3 * TEXT_LINE_MAX, "\xe6\xbc\xa2", 4);
	t_ok(valid_line(kanji, &v) != NULL, "valid_line: 256 kanji");
	for (i = 0; i < NOTE_MAX; i++) /* 1000 characters with line breaks */
		note[i] = i % 50 == 49 ? '\n' : 'x';
	note[NOTE_MAX] = '\0';
	t_ok(validate_text(note, NOTE_MAX, 1) == NULL,
	     "validate_text: 1000 characters of a note");
	note[NOTE_MAX] = 'x';
	note[NOTE_MAX + 1] = '\0';
	t_ok(validate_text(note, NOTE_MAX, 1) != NULL,
	     "validate_text: 1001 characters of a note");
}

static void
test_typed(void)
{
	char a[DOMAIN_MAX + 1], u[ULABEL_MAX + 1];
	struct domain_typed t;
	const char *e;
	size_t i;

	for (i = 0; i < sizeof typed / sizeof typed[0]; i++) {
		e = validate_domain_typed(typed[i].in, a, u, &t);
		t_ok(e == typed[i].err ||
			 (e && typed[i].err && !strcmp(e, typed[i].err)),
		     "typed domain '%s' -> %s", typed[i].in, e ? e : "ok");
		T_STREQ(t.found, typed[i].found,
			"typed domain '%s': found '%s'", typed[i].in, t.found);
		t_ok(t.from_address == typed[i].from_address,
		     "typed domain '%s': from an address %d", typed[i].in,
		     t.from_address);
	}
}

static void
test_smtp_hosts(void)
{
	char found[ULABEL_MAX + 1], longer[300];
	const char *e;
	size_t i;

	for (i = 0; i < sizeof smtp_hosts / sizeof smtp_hosts[0]; i++) {
		e = validate_smtp_host(smtp_hosts[i].in, found, sizeof found);
		t_ok(e == smtp_hosts[i].err || (e && smtp_hosts[i].err &&
						!strcmp(e, smtp_hosts[i].err)),
		     "smtp host '%s' -> %s", smtp_hosts[i].in, e ? e : "ok");
		T_STREQ(found, smtp_hosts[i].found,
			"smtp host '%s': found '%s'", smtp_hosts[i].in, found);
	}
	memset(longer, 'a', 256);
	longer[256] = '\0';
	e = validate_smtp_host(longer, found, sizeof found);
	t_ok(e != NULL && strcmp(e, "too_long") == 0, "smtp host: 256 bytes");
}

static void
test_texts(void)
{
	const char *e;
	size_t i;

	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		e = validate_text(texts[i].in, 100, texts[i].multiline);
		t_ok(e == texts[i].err ||
			 (e && texts[i].err && !strcmp(e, texts[i].err)),
		     "text %zu%s -> %s", i, texts[i].multiline ? " (note)" : "",
		     e ? e : "ok");
	}
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
	test_typed();
	test_smtp_hosts();
	test_texts();
	test_table();
	return t_done();
}
