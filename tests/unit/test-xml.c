/*
 * test-xml - what the XML answers keep: line breaks and tabs in attribute
 * values (a multi-line note put back into a form) as character
 * references, text as it is, markup characters escaped; and the shape
 * xml_string writes.
 */
#include <stdlib.h>

#include "t.h"
#include "xml.h"

static const struct {
	const char *value, *want;
} attrs[] = {
    {"one line", "<a v=\"one line\" />"},
    {"line1\nline2", "<a v=\"line1&#10;line2\" />"},
    {"line1\r\nline2", "<a v=\"line1&#13;&#10;line2\" />"},
    {"a\tb", "<a v=\"a&#9;b\" />"},
    {"<x>\n\"&'", "<a v=\"&lt;x&gt;&#10;&quot;&amp;'\" />"},
    {"\n", "<a v=\"&#10;\" />"},
    /* what text_clean() replaces, kept out by either way in (a clean
     * value is handed to mxml as it is, any other is cleaned first) */
    {"a\x01"
     "b",
     "<a v=\"a\xef\xbf\xbd"
     "b\" />"},
    {"\xff\xfe\xe6\x97\xa5",
     "<a v=\"\xef\xbf\xbd\xef\xbf\xbd\xe6\x97\xa5\" />"},
    {"\xe6\x97\xa5\xe6\x9c\xac", "<a v=\"\xe6\x97\xa5\xe6\x9c\xac\" />"},
};

int
main(void)
{
	mxml_node_t *doc, *root, *el;
	char *s;
	size_t i;

	for (i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
		doc = xml_doc("a", &root);
		xml_attr(root, "v", attrs[i].value);
		s = xml_string(doc);
		t_ok(s != NULL && strstr(s, attrs[i].want) != NULL,
		     "attribute %zu written as %s", i, attrs[i].want);
		free(s);
		mxmlDelete(doc);
	}
	doc = xml_doc("a", &root);
	el = xml_text_el(root, "note", "line1\nline2");
	xml_attr(el, "v", "x\ny");
	xml_text_el(root, "found", "p\tq");
	s = xml_string(doc);
	t_ok(s != NULL && strstr(s, "<note v=\"x&#10;y\">line1\nline2</note>"),
	     "text keeps its line break, the attribute beside it is escaped");
	t_ok(s != NULL && strstr(s, "<found>p\tq</found>"),
	     "a tab in text stays a tab");
	free(s);
	mxmlDelete(doc);

	doc = xml_doc("a", &root);
	xml_text_el(root, "t", "ok\x7f");
	xml_bytes_el(root, "b", "line1\nline2", 5);
	xml_bytes_el(root, "c",
		     "x\x01"
		     "yz",
		     3);
	s = xml_string(doc);
	t_ok(s != NULL && strstr(s, "<t>ok\xef\xbf\xbd</t>"),
	     "text: DEL becomes U+FFFD");
	t_ok(s != NULL && strstr(s, "<b>line1</b><c>x\xef\xbf\xbd"
				    "y</c>"),
	     "bytes: only the given length, cleaned");
	free(s);
	mxmlDelete(doc);

	/* the whole answer, as xml_string writes it: the declaration, an
	 * empty element as <name />, markup characters escaped in text */
	doc = xml_doc("r", &root);
	xml_attr(root, "a", "1");
	xml_el(root, "e");
	xml_text_el(xml_el(root, "p"), "t", "a<b>&\"c'");
	s = xml_string(doc);
	t_ok(s != NULL &&
		 strcmp(s, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
			   "<r a=\"1\"><e /><p><t>a&lt;b&gt;&amp;&quot;c'"
			   "</t></p></r>\n") == 0,
	     "a whole answer: %s", s != NULL ? s : "(null)");
	free(s);
	mxmlDelete(doc);
	return t_done();
}
