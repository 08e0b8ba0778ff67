/*
 * util.c - logging, the growable buffer, bounded number parsing, ASCII
 * case folding, UTF-8 decoding and the one definition of how untrusted
 * bytes are made printable or storable, shared by every module. Nothing
 * here does I/O but sa_log().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
sa_log(const char *func, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* What we log may come from the network: no control characters. */
	printable_line(line);
	fprintf(stderr, "senderauth: %s: %s\n", func, line);
}

void
printable_bytes(char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			s[i] = '?';
}

void
printable_line(char *s)
{
	printable_bytes(s, strlen(s));
}

/* Whether text_clean() keeps code point c: XML 1.0 §2.2 Char, but DEL. */
static int
text_char(unsigned long c)
{
	if (c < 0x20)
		return c == '\t' || c == '\n' || c == '\r';
	return c != 0x7f && c != 0xfffe && c != 0xffff;
}

size_t
text_clean_span(const char *s, size_t len)
{
	unsigned long c;
	size_t i = 0, n;

	while (i < len && (n = utf8_char(s + i, len - i, &c)) > 0 &&
	       text_char(c))
		i += n;
	return i;
}

int
text_clean(struct buf *out, const char *s, size_t len)
{
	unsigned long c;
	size_t i = text_clean_span(s, len), run = 0, n;

	/* Runs of acceptable characters are copied whole. */
	while (i < len) {
		n = utf8_char(s + i, len - i, &c);
		if (n > 0 && text_char(c)) {
			i += n;
			continue;
		}
		buf_add(out, s + run, i - run);
		buf_adds(out, "\xef\xbf\xbd");
		run = ++i;
	}
	buf_add(out, s + run, len - run);
	return out->err ? -1 : 0;
}

void
buf_init(struct buf *b)
{
	memset(b, 0, sizeof *b);
}

void
buf_release(struct buf *b)
{
	free(b->s);
	buf_init(b);
}

static int
buf_grow(struct buf *b, size_t more)
{
	size_t cap;
	char *s;

	if (b->err)
		return -1;
	if (b->len + more + 1 <= b->cap)
		return 0;
	if (more > ((size_t)-1) / 4 - b->len)
		goto fail;
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + more + 1)
		cap *= 2;
	if ((s = realloc(b->s, cap)) == NULL)
		goto fail;
	b->s = s;
	b->cap = cap;
	return 0;
fail:
	b->err = 1;
	return -1;
}

int
buf_add(struct buf *b, const void *p, size_t n)
{
	if (buf_grow(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_grow(b, (size_t)n) == -1)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

char *
buf_detach(struct buf *b)
{
	char *s;

	if (b->err) {
		buf_release(b);
		return NULL;
	}
	if (b->s == NULL && buf_add(b, "", 0) == -1)
		return NULL;
	s = b->s;
	buf_init(b);
	return s;
}

const char *
name_of(const char *const *names, size_t n, unsigned i)
{
	return i < n && names[i] != NULL ? names[i] : "unknown";
}

const char *
num(long v, char *buf)
{
	snprintf(buf, NUMBUF, "%ld", v);
	return buf;
}

int
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0' || *s == ' ' || *s == '+')
		return -1;
	if (strlen(s) > 20)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int
ascii_ncasecmp(const char *a, const char *b, size_t n)
{
	size_t i;
	int d;

	for (i = 0; i < n; i++) {
		d = lower((unsigned char)a[i]) - lower((unsigned char)b[i]);
		if (d != 0 || a[i] == '\0')
			return d;
	}
	return 0;
}

int
ascii_casecmp(const char *a, const char *b)
{
	return ascii_ncasecmp(a, b, (size_t)-1);
}

void
ascii_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)lower((unsigned char)*s);
}

size_t
utf8_char(const char *str, size_t n, unsigned long *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned long c;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

int
utf8_valid(const char *s, size_t len)
{
	unsigned long c;
	size_t i = 0, n;

	while (i < len) {
		if ((n = utf8_char(s + i, len - i, &c)) == 0)
			return 0;
		i += n;
	}
	return 1;
}
