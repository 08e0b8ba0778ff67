/*
 * records.c - formatting of the SPF and DKIM records the product issues
 * and the DMARC record it suggests, as values, zone-file lines and CSV
 * fields, and the choice of the one SPF record a domain should publish.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "records.h"
#include "util.h"

void
records_platform(struct platform *p)
{
	memset(p, 0, sizeof *p);
	p->nips = config_list("spf_ip", p->ips, PLATFORM_MAX_IPS);
	p->include = config_str("spf_include");
	if (p->include != NULL && *p->include == '\0')
		p->include = NULL;
	if (records_spf_policy(config_str("spf_all"), &p->policy) == -1)
		p->policy = SPF_POLICY_SOFTFAIL;
}

int
records_spf_policy(const char *s, enum spf_policy *out)
{
	if (s != NULL && strcmp(s, "softfail") == 0)
		*out = SPF_POLICY_SOFTFAIL;
	else if (s != NULL && strcmp(s, "any") == 0)
		*out = SPF_POLICY_ANY;
	else
		return -1;
	return 0;
}

void
records_spf_terms(struct buf *b, const struct platform *p)
{
	size_t i;

	for (i = 0; i < p->nips; i++)
		buf_addf(b, "%s%s:%s", i ? " " : "",
			 strchr(p->ips[i], ':') ? "ip6" : "ip4", p->ips[i]);
	if (p->include != NULL && *p->include != '\0')
		buf_addf(b, "%sinclude:%s", p->nips ? " " : "", p->include);
}

char *
records_spf(const struct platform *p)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "v=spf1 ");
	records_spf_terms(&b, p);
	buf_adds(&b, " ~all");
	return buf_detach(&b);
}

/* fmt with its arguments in a new string (malloc'ed), or NULL. */
static char *records_fmt(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static char *
records_fmt(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

char *
records_dkim_value(const char *p_b64)
{
	return records_fmt("v=DKIM1; k=rsa; p=%s", p_b64);
}

char *
records_dkim_host(const char *selector, const char *domain)
{
	return records_fmt("%s._domainkey.%s", selector, domain);
}

const char *
records_spf_publish(const char *issued, const char *found,
		    const char *suggested, const char *status, size_t *len)
{
	const char *r = issued;

	if (*found != '\0' && *suggested != '\0')
		r = suggested;
	else if (*found != '\0' && strcmp(status, "verified") == 0)
		r = found;
	*len = strcspn(r, "\n");
	return r;
}

char *
records_dmarc_host(const char *domain)
{
	return records_fmt("_dmarc.%s", domain);
}

char *
records_dmarc(const char *rua)
{
	const char *at = rua != NULL ? strrchr(rua, '@') : NULL, *p;
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "v=DMARC1; p=none");
	if (at != NULL && at > rua && at[1] != '\0') {
		buf_adds(&b, "; rua=mailto:");
		for (p = rua; p < at; p++)
			if (ascii_isalnum((unsigned char)*p) ||
			    strchr("-._~+", *p))
				buf_addc(&b, *p);
			else
				buf_addf(&b, "%%%02X", (unsigned char)*p);
		buf_adds(&b, at);
	}
	return buf_detach(&b);
}

void
records_csv_field(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s != '\0'; s++)
		if (*s == '"')
			buf_adds(b, "\"\"");
		else
			buf_addc(b, *s);
	buf_addc(b, '"');
}

/* s[0..n) inside a zone file's quoted string (RFC 1035 §5.1): '"' and
 * '\\' escaped, other bytes outside printable ASCII as \\DDD. A value
 * from DNS (a merged SPF record) may hold any of them. */
static void
zone_escape(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == '"' || p[i] == '\\')
			buf_addf(b, "\\%c", p[i]);
		else if (p[i] < 0x20 || p[i] > 0x7e)
			buf_addf(b, "\\%03u", p[i]);
		else
			buf_addc(b, (char)p[i]);
}

char *
records_zone_line(const char *host, const char *value, size_t max)
{
	size_t len = strlen(value), off, n;
	struct buf b;

	buf_init(&b);
	buf_addf(&b, "%s. IN TXT (", host);
	for (off = 0; off < len || off == 0; off += n) {
		n = len - off < max ? len - off : max;
		buf_adds(&b, " \"");
		zone_escape(&b, value + off, n);
		buf_addc(&b, '"');
		if (n == 0)
			break;
	}
	buf_adds(&b, " )");
	return buf_detach(&b);
}
