/*
 * test-taglist.c - the tag-list syntax of RFC 6376 §3.2 that DKIM key
 * records and DMARC records share (lib/verify/taglist.c): valid and
 * malformed lists, values with folding whitespace, exact and folded
 * names, the tag cap.
 */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "taglist.h"
#include "util.h"

static const struct {
	const char *in;
	int n; /* tags, or -1 */
} taglists[] = {
    {"a=1", 1},
    {"a=1;", 1},
    {"a=1; ", 1},
    {"a=1;\t", 1},
    {" a = 1 ; b = 2 ", 2},
    {"a=;b=", 2},
    {"a=x y  z", 1},
    {"a=1;\r\n b=2", 2},
    {"a=1\r\n\t;b=2", 2},
    {"a_b9=1", 1},
    {"A=1;a=2", 2}, /* names are case-sensitive (RFC 6376 §3.2) */
    {"a=!\"#$%&'()*+,-./:<=>?@[\\]^_`{|}~", 1},
    {"", -1},
    {" ", -1},
    {";", -1},
    {";a=1", -1},
    {"a=1;;b=2", -1},
    {"a=1; ;b=2", -1},
    {"a=1;a=2", -1},
    {"a=1;b=2;a=3", -1},
    {"a", -1},
    {"a;b=1", -1},
    {"=1", -1},
    {"1a=1", -1},
    {"_a=1", -1},
    {"a-b=1", -1},
    {"a.b=1", -1},
    {"a b=1", -1},
    {"a=1\nb", -1},
    {"a=1\n b=2", -1},
    {"a=1\r b=2", -1},
    {"a=1\r\nb=2", -1},
    {"a=1;\r\n", -1},
    {"a=\x01", -1},
    {"a=\x7f", -1},
    {"a=\xc3\xa9", -1},
    {"a=x\x80y", -1},
};

static void
test_taglist(void)
{
	struct taglist_tag tags[TAGLIST_MAX];
	const char *problem;
	size_t i;
	int n;

	for (i = 0; i < sizeof taglists / sizeof taglists[0]; i++) {
		n = taglist_parse(taglists[i].in, strlen(taglists[i].in), 0,
				  tags, TAGLIST_MAX, &problem);
		t_ok(n == taglists[i].n, "taglist \"%s\": %d tags",
		     taglists[i].in, taglists[i].n);
	}
}

static void
test_taglist_values(void)
{
	static const char in[] = " v = DKIM1 ;\tp= AB CD \t;";
	struct taglist_tag tags[4];
	const struct taglist_tag *t;
	const char *problem;
	int n;

	n = taglist_parse(in, sizeof in - 1, 0, tags, 4, &problem);
	t_ok(n == 2, "taglist values: two tags");
	t = taglist_find(tags, 2, "p", 0);
	t_ok(t != NULL && t->vlen == 5 && memcmp(t->val, "AB CD", 5) == 0,
	     "taglist values: FWS trimmed around, kept inside");
	t_ok(taglist_find(tags, 2, "V", 0) == NULL &&
		 taglist_find(tags, 2, "V", 1) != NULL,
	     "taglist find: exact or folded");
	n = taglist_parse("A=1;a=2", 7, 1, tags, 4, &problem);
	t_ok(n == -1, "taglist folded: A and a are duplicates");
	n = taglist_parse("a=1\0b", 5, 0, tags, 4, &problem);
	t_ok(n == -1, "taglist: NUL byte refused");
	n = taglist_parse("a=1;b=2;c=3", 11, 0, tags, 2, &problem);
	t_ok(n == -1 && strcmp(problem, "too many tags") == 0,
	     "taglist: over the tag cap");
}

static void
test_taglist_many(void)
{
	struct taglist_tag tags[TAGLIST_MAX];
	const char *problem;
	struct buf b;
	int i, n;

	buf_init(&b);
	for (i = 0; i < TAGLIST_MAX; i++)
		buf_addf(&b, "t%d=%d;", i, i);
	n = taglist_parse(b.s, b.len, 0, tags, TAGLIST_MAX, &problem);
	t_ok(n == TAGLIST_MAX, "taglist: %d tags fit", TAGLIST_MAX);
	buf_addf(&b, "x=1");
	n = taglist_parse(b.s, b.len, 0, tags, TAGLIST_MAX, &problem);
	t_ok(n == -1, "taglist: %d tags refused", TAGLIST_MAX + 1);
	buf_release(&b);
}

static void
test_word_is(void)
{
	t_ok(taglist_word_is("DKIM1", 5, "DKIM1", 0) &&
		 !taglist_word_is("dkim1", 5, "DKIM1", 0) &&
		 taglist_word_is("dkim1", 5, "DKIM1", 1) &&
		 !taglist_word_is("DKIM", 4, "DKIM1", 1) &&
		 !taglist_word_is("DKIM1x", 6, "DKIM1", 1),
	     "word_is: exact or folded, whole words only");
}

int
main(void)
{
	test_taglist();
	test_taglist_values();
	test_taglist_many();
	test_word_is();
	return t_done();
}
