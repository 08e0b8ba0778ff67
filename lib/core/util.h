/*
 * util.h - what every module needs and nothing more: stderr logging prefixed
 * with the function, a growable byte buffer, making untrusted bytes
 * printable or storable, bounded number parsing, UTF-8 decoding and
 * case-insensitive ASCII helpers. Includes banned.h last.
 */
#ifndef SA_UTIL_H
#define SA_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* Log lines go to stderr (nginx's error log for FastCGI): lowercase, no
 * full stop, prefixed with the function. Never pass secrets. */
#define log_warnx(...) sa_log(__func__, __VA_ARGS__)
void sa_log(const char *func, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A NUL-terminated growable buffer. Functions return 0 / -1 (allocation);
 * after a failure the buffer stays valid and keeps failing (err set). */
struct buf {
	char *s;
	size_t len;
	size_t cap;
	int err;
};
void buf_init(struct buf *);
void buf_release(struct buf *);
int buf_add(struct buf *, const void *, size_t);
int buf_adds(struct buf *, const char *);
int buf_addc(struct buf *, char);
int buf_addf(struct buf *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hands the string over to the caller (NULL on earlier failure). */
char *buf_detach(struct buf *);

/*
 * Two ways to make untrusted bytes (from the network, the command line or
 * the database) safe, one for each use:
 *
 * printable_bytes() replaces, in place, each byte of s[0..len) that is not
 * printable ASCII (a control character, DEL, or 0x80 and above) by '?', so
 * the text shows as one line of plain ASCII: for log lines, messages and
 * DNS text shown as it was published. printable_line() does it to a
 * string.
 *
 * text_clean() appends s[0..len) to out as text that may be stored
 * (PostgreSQL text) or put in XML 1.0: valid UTF-8 with no control
 * characters but tab, LF and CR. Every byte of anything else (invalid
 * UTF-8, NUL, other controls, DEL, U+FFFE, U+FFFF) becomes U+FFFD.
 * 0 / -1.
 */
void printable_bytes(char *s, size_t len);
void printable_line(char *s);
int text_clean(struct buf *out, const char *s, size_t len);
/* How many bytes from the start of s[0..len) text_clean() keeps as they
 * are: len when it would change nothing. */
size_t text_clean_span(const char *s, size_t len);

/* The name of enum value i in a table of names indexed by the enum, or
 * "unknown" when i is out of range or has none. NAME_OF() sizes the table
 * itself. */
const char *name_of(const char *const *names, size_t n, unsigned i);
#define NAME_OF(table, i)                                                      \
	name_of((table), sizeof(table) / sizeof((table)[0]), (unsigned)(i))

/* Decimal text of v in buf (NUMBUF bytes); returns buf. */
#define NUMBUF 24
const char *num(long v, char *buf);

/* Parses a whole decimal string into [min, max]; 0 / -1. */
int parse_long(const char *s, long min, long max, long *out);

/* Length of the valid UTF-8 sequence at s (at most n bytes: no overlongs,
 * no surrogates, nothing above U+10FFFF) with its code point in *cp; 0 when
 * invalid. */
size_t utf8_char(const char *s, size_t n, unsigned long *cp);
/* 1 when s[0..len) is valid UTF-8. */
int utf8_valid(const char *s, size_t len);

/* ABNF's ALPHA, DIGIT, ALPHA / DIGIT and WSP (RFC 5234 B.1) for a byte
 * value, independent of the locale (unlike <ctype.h>). */
static inline int
ascii_isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int
ascii_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int
ascii_isalnum(int c)
{
	return ascii_isalpha(c) || ascii_isdigit(c);
}

static inline int
ascii_iswsp(int c)
{
	return c == ' ' || c == '\t';
}

/* ASCII-only case folding, independent of the locale. */
int ascii_casecmp(const char *, const char *);
int ascii_ncasecmp(const char *, const char *, size_t);
void ascii_lower(char *);

#include "banned.h"
#endif
