/*
 * xml.c - building and serializing XML answers with mxml, and cleaning the
 * bytes that go into them. Output is compact (no whitespace callback).
 */
#include <stdlib.h>
#include <string.h>

#include "xml.h"

/* Length of the valid UTF-8 sequence at s (max n bytes) that XML 1.0 may
 * hold, or 0. */
static size_t
utf8_char(const unsigned char *s, size_t n)
{
	unsigned long c;
	size_t len, i;

	if (s[0] < 0x80)
		return s[0] >= 0x20 || s[0] == '\t' || s[0] == '\n' ||
			       s[0] == '\r'
			   ? (s[0] == 0x7f ? 0 : 1)
			   : 0;
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
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) || c == 0xfffe ||
	    c == 0xffff)
		return 0;
	return len;
}

int
xml_clean(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if ((n = utf8_char(p + i, len - i)) > 0) {
			buf_add(out, p + i, n);
			i += n;
		} else {
			buf_adds(out, "\xef\xbf\xbd");
			i++;
		}
	}
	return out->err ? -1 : 0;
}

/* Cleans s into a string owned by the caller (NULL on failure). */
static char *
cleaned(const char *s, size_t len)
{
	struct buf b;

	buf_init(&b);
	xml_clean(&b, s, len);
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
	char *v;

	if (value == NULL || (v = cleaned(value, strlen(value))) == NULL)
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

	if (len > 0 && (v = cleaned(text, len)) != NULL) {
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

char *
xml_string(mxml_node_t *doc)
{
	return mxmlSaveAllocString(doc, MXML_NO_CALLBACK);
}
