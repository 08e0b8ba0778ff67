/*
 * validate.c - validators for user input. Lengths are checked before
 * grammar, characters against allowlists.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
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

/* A character no text field takes, else NULL: C1 controls, and the
 * bidirectional embeddings, overrides and isolates (Unicode UAX #9 §2.1
 * to §2.4), which reorder how the text around them displays (the "Trojan
 * Source" characters, CVE-2021-42574). */
static const char *
refused_char(unsigned long cp)
{
	if (cp >= 0x80 && cp <= 0x9f)
		return "invalid_text";
	if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return "bidi_control";
	return NULL;
}

/* The first character of s[0..len) a text field refuses: C0 controls and
 * DEL (but tab, CR and LF when multiline), invalid UTF-8, refused_char(). */
static const char *
scan_text(const char *s, size_t len, int multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	const char *err;
	size_t i, n;

	for (i = 0; i < len; i += n) {
		n = 1;
		if (p[i] < 0x80) {
			if ((p[i] < 0x20 || p[i] == 0x7f) &&
			    !(multiline &&
			      (p[i] == '\n' || p[i] == '\r' || p[i] == '\t')))
				return "invalid_text";
			continue;
		}
		if ((n = utf8_char(s + i, len - i, &cp)) == 0)
			return "invalid_text";
		if ((err = refused_char(cp)) != NULL)
			return err;
	}
	return NULL;
}

/* refused_char() anywhere in s (which may hold controls that later checks
 * refuse as they are), else NULL. */
static const char *
refused_in(const char *s)
{
	size_t len = strlen(s), i, n;
	unsigned long cp;
	const char *err;

	for (i = 0; i < len; i += n ? n : 1)
		if ((n = utf8_char(s + i, len - i, &cp)) != 0 &&
		    (err = refused_char(cp)) != NULL)
			return err;
	return NULL;
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
	const char *at, *err;
	size_t len = strlen(in), llen;

	if (len == 0)
		return "required";
	if (len > ADDRESS_MAX)
		return "too_long";
	if ((err = refused_in(in)) != NULL)
		return err;
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

/* max counts characters, as the person typing does (a kanji is one). */
const char *
validate_text(const char *in, size_t max, int multiline)
{
	size_t len = strlen(in), chars = 0, i;
	const char *err;

	if ((err = scan_text(in, len, multiline)) != NULL)
		return err;
	for (i = 0; i < len; i++) /* valid UTF-8: count the lead bytes */
		chars += ((unsigned char)in[i] & 0xc0) != 0x80;
	return chars > max ? "too_long" : NULL;
}

/* Strips what people add around a name: spaces (also U+3000), a leading
 * "@" or a whole address (*from_address: 1), a trailing dot. Returns the
 * core in out. */
static const char *
domain_core(const char *in, char *out, size_t outlen, int *from_address)
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
	*from_address = at > s + 1;
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

/* The name of validate_domain_typed() once no URL is left. */
static const char *
domain_name(const char *in, char *alabel, char *ulabel, int *from_address)
{
	char core[1024];
	char *u = NULL;
	const char *err;

	if ((err = domain_core(in, core, sizeof core, from_address)) != NULL)
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
	/* An A-label typed as such (alone, or beside Unicode labels, which
	 * libidn2 passes through) must be one IDNA2008 would make from its
	 * U-label: xn--720e decodes, but to a code point IDNA2008 refuses,
	 * and the name shown (and offered from a URL) would then be refused
	 * when typed. */
	if (err == NULL && strstr(alabel, "xn--") != NULL) {
		char again[DOMAIN_MAX + 1];

		if (to_alabel(ulabel, again) != NULL ||
		    strcmp(again, alabel) != 0)
			err = "idn_invalid";
	}
	return err;
}

/* The host of the authority a[0..n) (RFC 3986 §3.2): without userinfo
 * and port, brackets kept. */
static void
authority_host(const char *a, size_t n, char *out, size_t outlen)
{
	const char *e = a + n, *p;

	for (p = e; p > a && p[-1] != '@'; p--)
		;
	a = p;
	if (a < e && *a == '[') {
		p = memchr(a, ']', (size_t)(e - a));
		e = p != NULL ? p + 1 : e;
	} else if ((p = memchr(a, ':', (size_t)(e - a))) != NULL) {
		e = p;
	}
	snprintf(out, outlen, "%.*s", (int)(e - a), a);
}

/* 1 when s is host:port (digits after the one colon, maybe none, or
 * [IPv6]:port). */
static int
is_host_port(const char *s)
{
	const char *c = strrchr(s, ':');

	if (c == NULL || c == s ||
	    (s[0] == '[' ? c[-1] != ']' : memchr(s, ':', (size_t)(c - s)) != 0))
		return 0;
	for (c++; *c != '\0'; c++)
		if (!isdigit((unsigned char)*c))
			return 0;
	return 1;
}

/* When what was typed is a URL, a path or host:port rather than a bare
 * name: its host (surrounding spaces, a scheme, userinfo, port and path
 * dropped) in host, and 1; else 0. */
static int
url_host(const char *in, char *host, size_t hostlen)
{
	const char *s = in, *e = in + strlen(in), *a;
	char t[1024];

	while (*s == ' ' || *s == '\t')
		s++;
	while (e > s && strchr(" \t\r\n", e[-1]) != NULL)
		e--;
	snprintf(t, sizeof t, "%.*s", (int)(e - s), s);
	if ((a = strstr(t, "://")) != NULL)
		a += 3;
	else if (t[strcspn(t, "/?#\\")] == '\0' && !is_host_port(t))
		return 0;
	else
		a = t;
	authority_host(a, strcspn(a, "/?#\\"), host, hostlen);
	return 1;
}

const char *
validate_domain_typed(const char *in, char *alabel, char *ulabel,
		      struct domain_typed *t)
{
	char host[1024];
	const char *err;
	int ignored;

	memset(t, 0, sizeof *t);
	if ((err = refused_in(in)) != NULL)
		return err;
	if (url_host(in, host, sizeof host)) {
		if (domain_name(host, alabel, ulabel, &ignored) == NULL)
			copy_max(ulabel, t->found, ULABEL_MAX);
		return "url";
	}
	return domain_name(in, alabel, ulabel, &t->from_address);
}

const char *
validate_domain(const char *in, char *alabel, char *ulabel)
{
	struct domain_typed t;

	return validate_domain_typed(in, alabel, ulabel, &t);
}

/* IPv4 networks the internet cannot reach a server at (RFC 6890). */
static const struct {
	uint32_t net;
	unsigned bits;
} v4_private[] = {
    {0x00000000, 8},  /* "this network", 0.0.0.0 (RFC 1122 §3.2.1.3) */
    {0x0a000000, 8},  /* private (RFC 1918) */
    {0x64400000, 10}, /* shared address space, CGNAT (RFC 6598) */
    {0x7f000000, 8},  /* loopback */
    {0xa9fe0000, 16}, /* link-local, cloud metadata 169.254.169.254 */
    {0xac100000, 12}, /* private (RFC 1918) */
    {0xc0a80000, 16}, /* private (RFC 1918) */
    {0xe0000000, 4},  /* multicast */
    {0xf0000000, 4},  /* reserved, limited broadcast */
};

static int
v4_is_private(uint32_t a)
{
	size_t i;

	for (i = 0; i < sizeof v4_private / sizeof v4_private[0]; i++)
		if ((a >> (32 - v4_private[i].bits)) ==
		    (v4_private[i].net >> (32 - v4_private[i].bits)))
			return 1;
	return 0;
}

/* Loopback and unspecified (as IPv4-compatible ::0.0.0.x), link-local
 * fe80::/10, site-local fec0::/10, unique local fc00::/7 (RFC 4193),
 * multicast; an IPv4 address mapped (::ffff:0:0/96) or translated
 * (64:ff9b::/96, RFC 6052) by what it embeds. */
static int
v6_is_private(const unsigned char *b)
{
	static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
	static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};
	static const unsigned char zero[12];

	if (memcmp(b, zero, 12) == 0 || memcmp(b, mapped, 12) == 0 ||
	    memcmp(b, nat64, 12) == 0)
		return v4_is_private((uint32_t)b[12] << 24 |
				     (uint32_t)b[13] << 16 |
				     (uint32_t)b[14] << 8 | b[15]);
	return (b[0] == 0xfe && (b[1] & 0x80) == 0x80) ||
	       (b[0] & 0xfe) == 0xfc || b[0] == 0xff;
}

/* Names reserved for local use: localhost (RFC 6761 §6.3), .local (mDNS,
 * RFC 6762), .home.arpa (RFC 8375), .internal (ICANN, 2024). */
static int
is_local_name(const char *s)
{
	static const char *const suffixes[] = {".localhost", ".local",
					       ".internal", ".home.arpa"};
	size_t i, n = strlen(s), k;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 9 && ascii_ncasecmp(s, "localhost", 9) == 0)
		return 1;
	for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		k = strlen(suffixes[i]);
		if (n > k && ascii_ncasecmp(s + n - k, suffixes[i], k) == 0)
			return 1;
	}
	return 0;
}

/* A host name of the SMTP server: LDH labels with a dot; the last one not
 * all digits (RFC 3696 §2: no top-level domain is), which would make it
 * an address to a resolver. */
static const char *
smtp_host_name(const char *s)
{
	size_t n = strlen(s);
	const char *last;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (!is_ascii(s) || check_labels(s, n, 1) != NULL)
		return "invalid_host";
	for (last = s + n; last > s && last[-1] != '.'; last--)
		;
	while (last < s + n && isdigit((unsigned char)*last))
		last++;
	return last == s + n ? "invalid_host" : NULL;
}

/* validate_smtp_host() of a host alone. */
static const char *
smtp_host_plain(const char *in)
{
	char host[DOMAIN_MAX + 3];
	unsigned char a6[16];
	struct in_addr a4;
	size_t len = strlen(in);
	int bracket = len > 2 && in[0] == '[' && in[len - 1] == ']';

	if (len == 0 || len >= sizeof host)
		return len == 0 ? "invalid_host" : "too_long";
	snprintf(host, sizeof host, "%.*s", (int)(len - 2 * bracket),
		 in + bracket);
	if (inet_pton(AF_INET, host, &a4) == 1 && !bracket)
		return v4_is_private(ntohl(a4.s_addr)) ? "private_address"
						       : NULL;
	if (inet_pton(AF_INET6, host, a6) == 1)
		return v6_is_private(a6) ? "private_address" : NULL;
	/* 127.1, 0x7f.1, 2130706433: an address to inet_aton() and to
	 * resolvers built on it */
	if (bracket || inet_aton(host, &a4) != 0)
		return "invalid_host";
	if (is_local_name(host))
		return "private_address";
	return smtp_host_name(host);
}

const char *
validate_smtp_host(const char *in, char *found, size_t foundlen)
{
	size_t len = strlen(in);
	const char *err;

	found[0] = '\0';
	if (len == 0)
		return NULL;
	if (len > 255)
		return "too_long";
	if ((err = scan_text(in, len, 0)) != NULL)
		return err;
	if (!url_host(in, found, foundlen))
		return smtp_host_plain(in);
	/* the host in it is offered only when it would be accepted */
	if ((err = smtp_host_plain(found)) != NULL) {
		found[0] = '\0';
		return err;
	}
	return "url";
}

const char *
valid_address(const char *in, struct field_value *v)
{
	return validate_address(in, v->norm, sizeof v->norm);
}

const char *
valid_domain(const char *in, struct field_value *v)
{
	struct domain_typed t;
	const char *err = validate_domain_typed(in, v->norm, v->unicode, &t);

	v->n = t.from_address;
	copy_max(t.found, v->suggest, ULABEL_MAX);
	return err;
}

const char *
valid_smtp_host(const char *in, struct field_value *v)
{
	return validate_smtp_host(in, v->suggest, sizeof v->suggest);
}

const char *
valid_port(const char *in, struct field_value *v)
{
	return validate_port(in, &v->n);
}

const char *
valid_line(const char *in, struct field_value *v)
{
	return validate_text(in, TEXT_LINE_MAX, 0);
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
