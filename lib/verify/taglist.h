/*
 * taglist.h - the tag-list syntax of RFC 6376 §3.2 ("v=DKIM1; p=..."),
 * which DKIM key records (lib/verify/dkim.c) and DMARC records
 * (lib/verify/dmarc.c, RFC 7489 §6.3) share: splitting a record into
 * tag=value pairs, finding a tag, and the folding whitespace between them
 * (RFC 6376 §2.8). What a tag means is its record's business.
 */
#ifndef SA_TAGLIST_H
#define SA_TAGLIST_H

#include <stddef.h>

/* One tag=value pair of a tag-list; both point into the parsed text. The
 * value has its leading and trailing FWS removed; inner FWS is kept. */
struct taglist_tag {
	const char *name;
	size_t nlen;
	const char *val;
	size_t vlen;
};

#define TAGLIST_MAX 64 /* tags a caller's array usually holds */

/*
 * Splits s[0..len) as an RFC 6376 §3.2 tag-list into tags[0..max). Tag
 * names are ALPHA *(ALPHA / DIGIT / "_"); values hold VALCHARs separated by
 * FWS; a trailing ";" (and whitespace after it) is allowed, an empty
 * tag-spec is not. Duplicate names (compared exactly, or ASCII
 * case-insensitively when fold is set) make the whole list invalid.
 * Returns the number of tags, or -1 with *problem set (static text).
 */
int taglist_parse(const char *s, size_t len, int fold, struct taglist_tag *tags,
		  size_t max, const char **problem);

/* Finds a tag by name (exact, or case-insensitive when fold is set). */
const struct taglist_tag *taglist_find(const struct taglist_tag *tags, size_t n,
				       const char *name, int fold);

/* Whether s[0..len) is word (exactly, or ASCII case-insensitively when
 * fold is set): for tag names and values. */
int taglist_word_is(const char *s, size_t len, const char *word, int fold);

/* Skips FWS = [*WSP CRLF] 1*WSP (RFC 5322 §3.2.2 as used by RFC 6376
 * §2.8) at s[*i]; a CRLF not followed by WSP is not FWS. Returns -1 on a
 * bare CR or LF, else 0. For values with an inner syntax of their own. */
int taglist_skip_fws(const char *s, size_t len, size_t *i);

#endif
