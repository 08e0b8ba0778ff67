/*
 * xml.h - every XML answer is built here, over mxml. Callers create
 * elements and attributes; values pass through text_clean() (util.h) so bytes
 * from users or from DNS that XML 1.0 cannot carry (invalid UTF-8, C0 controls
 * other than tab and newline) become U+FFFD instead of breaking the
 * document. mxml escapes markup characters on output; nothing is ever
 * printed into markup by hand. The vocabulary is documented in
 * xsl/senderauth.rnc.
 */
#ifndef SA_XML_H
#define SA_XML_H

#include <mxml.h>
#include <stddef.h>

#include "util.h"

/* A new document with its root element; *root receives the root. */
mxml_node_t *xml_doc(const char *root_name, mxml_node_t **root);
mxml_node_t *xml_el(mxml_node_t *parent, const char *name);
/* Sets an attribute (value cleaned; NULL value sets nothing). */
void xml_attr(mxml_node_t *el, const char *name, const char *value);
void xml_attr_num(mxml_node_t *el, const char *name, long value);
/* A child element holding text (cleaned); returns the element. */
mxml_node_t *xml_text_el(mxml_node_t *parent, const char *name,
			 const char *text);
/* The same for text[0..len), which may hold any byte; text[len] must be
 * readable (a part of a longer string, or its NUL). */
mxml_node_t *xml_bytes_el(mxml_node_t *parent, const char *name,
			  const char *text, size_t len);
/* Serializes the whole document (malloc'ed), or NULL. */
char *xml_string(mxml_node_t *doc);

#endif
