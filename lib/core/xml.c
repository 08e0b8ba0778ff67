/*
 * xml.c - building and serializing XML answers with mxml; every value goes
 * through text_clean() (lib/core/util.c) on its way in. Output is compact
 * (no whitespace callback); line breaks and tabs in attribute values are
 * written as character references, so they survive parsing.
 */
#include <stdlib.h>
#include <string.h>

#include "xml.h"

/* Cleans s into a string owned by the caller (NULL on failure). */
static char *
cleaned(const char *s, size_t len)
{
	struct buf b;

	buf_init(&b);
	text_clean(&b, s, len);
	return buf_detach(&b);
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
	size_t len;
	char *v;

	if (value == NULL)
		return;
	/* mxml copies the value: a clean one (most) as it is */
	len = strlen(value);
	if (text_clean_span(value, len) == len) {
		mxmlElementSetAttr(el, name, value);
		return;
	}
	if ((v = cleaned(value, len)) == NULL)
		return;
	mxmlElementSetAttr(el, name, v);
	free(v);
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
	char *v;

	if (len == 0)
		return el;
	/* mxml copies the text: a clean one that ends there as it is */
	if (text[len] == '\0' && text_clean_span(text, len) == len)
		mxmlNewOpaque(el, text);
	else if ((v = cleaned(text, len)) != NULL) {
		mxmlNewOpaque(el, v);
		free(v);
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
 * mxml writes a tab, CR or LF in an attribute value as it is, and an XML
 * parser normalizes each to a space (XML 1.0 §3.3.3): a multi-line note
 * put back into a form would come back as one line. As character
 * references they survive. mxml escapes '<' and '>' everywhere but in
 * markup, so such a byte between '<' and '>' is in an attribute value.
 * Returns s, or a new string replacing it (s freed), or NULL.
 */
static char *
attr_breaks(char *s)
{
	struct buf b;
	const char *p, *q;
	int in_tag = 0;

	/* The first of the three inside a tag: each one found is in a tag
	 * when the nearest '<' or '>' before it is a '<'. Most answers hold
	 * none but mxml's final line break, so this rarely looks far. */
	for (p = s; (p = strpbrk(p, "\n\r\t")) != NULL; p++) {
		for (q = p; q > s && q[-1] != '<' && q[-1] != '>'; q--)
			;
		if (q > s && q[-1] == '<') {
			in_tag = 1;
			break;
		}
	}
	if (p == NULL)
		return s;
	buf_init(&b);
	buf_add(&b, s, (size_t)(p - s));
	for (; *p != '\0'; p++) {
		in_tag = *p == '<' ? 1 : *p == '>' ? 0 : in_tag;
		if (in_tag && (*p == '\n' || *p == '\r' || *p == '\t'))
			buf_addf(&b, "&#%d;", *p);
		else
			buf_addc(&b, *p);
	}
	free(s);
	return buf_detach(&b);
}

char *
xml_string(mxml_node_t *doc)
{
	char *s;

	mxmlSetWrapMargin(0);
	s = mxmlSaveAllocString(doc, MXML_NO_CALLBACK);
	return s != NULL ? attr_breaks(s) : NULL;
}
