/*
 * xml.c - building XML answers with mxml, and writing them out; every
 * value goes through text_clean() (lib/core/util.c) on its way in. The
 * output is compact; line breaks and tabs in attribute values are written
 * as character references, so they survive parsing. It is written here,
 * not by mxmlSaveAllocString(): that wrote a character at a time through
 * a callback (a quarter of the settings page's instructions) and left the
 * line breaks in attributes to a second pass.
 */
#include <stdlib.h>
#include <string.h>

#include "xml.h"

/*
 * s[0..len) as text_clean() leaves it, for mxml (which copies it): s
 * itself when cleaning changes nothing and s ends there (most values),
 * else a cleaned copy, also left in *copy for the caller to free. NULL on
 * failure. The clean start is scanned once.
 */
static const char *
clean(const char *s, size_t len, char **copy)
{
	size_t span = text_clean_span(s, len);
	struct buf b;

	*copy = NULL;
	if (span == len && s[len] == '\0')
		return s;
	buf_init(&b);
	buf_add(&b, s, span);
	text_clean(&b, s + span, len - span);
	return *copy = buf_detach(&b);
}

mxml_node_t *
xml_doc(const char *root_name, mxml_node_t **root)
{
	mxml_node_t *doc = mxmlNewXML("1.0");

	*root = mxmlNewElement(doc, root_name);
	return doc;
}

mxml_node_t *
xml_el(mxml_node_t *parent, const char *name)
{
	return mxmlNewElement(parent, name);
}

void
xml_attr(mxml_node_t *el, const char *name, const char *value)
{
	const char *v;
	char *copy;

	if (value == NULL || (v = clean(value, strlen(value), &copy)) == NULL)
		return;
	mxmlElementSetAttr(el, name, v);
	free(copy);
}

void
xml_attr_num(mxml_node_t *el, const char *name, long value)
{
	mxmlElementSetAttrf(el, name, "%ld", value);
}

mxml_node_t *
xml_bytes_el(mxml_node_t *parent, const char *name, const char *text,
	     size_t len)
{
	mxml_node_t *el = mxmlNewElement(parent, name);
	const char *v;
	char *copy;

	if (len > 0 && (v = clean(text, len, &copy)) != NULL) {
		mxmlNewOpaque(el, v);
		free(copy);
	}
	return el;
}

mxml_node_t *
xml_text_el(mxml_node_t *parent, const char *name, const char *text)
{
	return xml_bytes_el(parent, name, text != NULL ? text : "",
			    text != NULL ? strlen(text) : 0);
}

/*
 * Writes s escaped as mxml did: &, <, > and " as entities. In an
 * attribute value (attr) a tab, CR or LF is written as a character
 * reference too: an XML parser normalizes each to a space (XML 1.0
 * §3.3.3), and a multi-line note put back into a form would come back as
 * one line.
 */
static void
put_escaped(struct buf *b, const char *s, int attr)
{
	static const char *const entity[128] = {
	    ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;"};
	size_t n;

	for (;; s++) {
		n = strcspn(s, attr ? "&<>\"\t\n\r" : "&<>\"");
		buf_add(b, s, n);
		s += n;
		if (*s == '\0')
			return;
		if (entity[(unsigned char)*s] != NULL)
			buf_adds(b, entity[(unsigned char)*s]);
		else
			buf_addf(b, "&#%d;", *s);
	}
}

/* Writes node and its following siblings: elements (an empty one as
 * <name />, the declaration "?xml ...?" without an end tag) and the text
 * xml_bytes_el adds, the only kinds of node built here. */
static void
put_nodes(struct buf *b, mxml_node_t *node)
{
	const char *name, *an, *av;
	int i, n;

	for (; node != NULL; node = mxmlGetNextSibling(node)) {
		if (mxmlGetType(node) == MXML_OPAQUE) {
			put_escaped(b, mxmlGetOpaque(node), 0);
			continue;
		}
		if (mxmlGetType(node) != MXML_ELEMENT)
			continue;
		name = mxmlGetElement(node);
		buf_addc(b, '<');
		buf_adds(b, name);
		n = mxmlElementGetAttrCount(node);
		for (i = 0; i < n; i++) {
			if ((av = mxmlElementGetAttrByIndex(node, i, &an)) ==
			    NULL)
				continue;
			buf_addc(b, ' ');
			buf_adds(b, an);
			buf_adds(b, "=\"");
			put_escaped(b, av, 1);
			buf_addc(b, '"');
		}
		if (name[0] != '?' && mxmlGetFirstChild(node) == NULL) {
			buf_adds(b, " />");
			continue;
		}
		buf_addc(b, '>');
		put_nodes(b, mxmlGetFirstChild(node));
		if (name[0] != '?') {
			buf_adds(b, "</");
			buf_adds(b, name);
			buf_addc(b, '>');
		}
	}
}

char *
xml_string(mxml_node_t *doc)
{
	struct buf b;

	buf_init(&b);
	put_nodes(&b, doc);
	buf_addc(&b, '\n');
	return buf_detach(&b);
}
