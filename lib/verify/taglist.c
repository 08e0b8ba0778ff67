/*
 * taglist.c - the tag-list syntax of RFC 6376 §3.2, shared by DKIM key
 * records and DMARC records. Pure text work over bytes from DNS: no
 * allocation, every tag points into the caller's text. Not here: the tags
 * a record requires or the syntax of their values (lib/verify/dkim.c,
 * lib/verify/dmarc.c).
 */
#include <string.h>

#include "taglist.h"
#include "util.h"

/* VALCHAR = %x21-3A / %x3C-7E (RFC 6376 §3.2): printable but ";". */
static int
is_valchar(int c)
{
	return c >= 0x21 && c <= 0x7e && c != ';';
}

int
taglist_skip_fws(const char *s, size_t len, size_t *i)
{
	for (;;) {
		while (*i < len && ascii_iswsp((unsigned char)s[*i]))
			(*i)++;
		if (*i >= len || (s[*i] != '\r' && s[*i] != '\n'))
			return 0;
		if (s[*i] != '\r' || *i + 2 >= len || s[*i + 1] != '\n' ||
		    !ascii_iswsp((unsigned char)s[*i + 2]))
			return -1;
		*i += 2;
	}
}

/* Parses one tag-spec at s[*i] up to the next ";" or the end. */
static int
tag_spec(const char *s, size_t len, size_t *i, struct taglist_tag *t,
	 const char **problem)
{
	size_t end;

	*problem = "bad whitespace";
	if (taglist_skip_fws(s, len, i) == -1)
		return -1;
	*problem = "bad tag name";
	if (*i >= len || !ascii_isalpha((unsigned char)s[*i]))
		return -1;
	t->name = s + *i;
	while (*i < len &&
	       (ascii_isalnum((unsigned char)s[*i]) || s[*i] == '_'))
		(*i)++;
	t->nlen = (size_t)(s + *i - t->name);
	*problem = "expected \"=\"";
	if (taglist_skip_fws(s, len, i) == -1 || *i >= len || s[*i] != '=')
		return -1;
	(*i)++;
	*problem = "bad whitespace";
	if (taglist_skip_fws(s, len, i) == -1)
		return -1;
	t->val = s + *i;
	for (end = *i; *i < len && s[*i] != ';';) {
		*problem = "bad character in value";
		if (is_valchar((unsigned char)s[*i]))
			end = ++(*i);
		else if (taglist_skip_fws(s, len, i) == -1 ||
			 (*i < len && s[*i] != ';' &&
			  !is_valchar((unsigned char)s[*i])))
			return -1;
	}
	t->vlen = (size_t)(s + end - t->val);
	return 0;
}

static int
name_eq(const char *a, size_t alen, const char *b, size_t blen, int fold)
{
	return alen == blen &&
	       (fold ? ascii_ncasecmp(a, b, alen) : memcmp(a, b, alen)) == 0;
}

int
taglist_word_is(const char *s, size_t len, const char *word, int fold)
{
	return name_eq(s, len, word, strlen(word), fold);
}

/* Is what follows a ";" at s[i] only whitespace (a trailing ";")? */
static int
only_wsp_left(const char *s, size_t len, size_t i)
{
	return taglist_skip_fws(s, len, &i) == 0 && i == len;
}

int
taglist_parse(const char *s, size_t len, int fold, struct taglist_tag *tags,
	      size_t max, const char **problem)
{
	size_t i = 0, n = 0, j;

	for (;;) {
		if (n == max) {
			*problem = "too many tags";
			return -1;
		}
		if (tag_spec(s, len, &i, &tags[n], problem) == -1)
			return -1;
		for (j = 0; j < n; j++)
			if (name_eq(tags[j].name, tags[j].nlen, tags[n].name,
				    tags[n].nlen, fold)) {
				*problem = "duplicate tag";
				return -1;
			}
		n++;
		if (i == len || only_wsp_left(s, len, i + 1))
			return (int)n;
		i++; /* the ";" */
	}
}

const struct taglist_tag *
taglist_find(const struct taglist_tag *tags, size_t n, const char *name,
	     int fold)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (taglist_word_is(tags[i].name, tags[i].nlen, name, fold))
			return &tags[i];
	return NULL;
}
