/*
 * validate.h - pure validators for what users type: sender addresses,
 * ports, free text and domain names. No I/O. Each returns NULL when the
 * input is acceptable, else a stable error code that the XML carries and
 * the page turns into a sentence (xsl/messages.*.xml).
 */
#ifndef SA_VALIDATE_H
#define SA_VALIDATE_H

#include <stddef.h>

#define ADDRESS_MAX 254 /* RFC 5321 §4.5.3.1.3 path limit less "<>" */
#define DOMAIN_MAX 253
#define LABEL_MAX 63 /* octets of one DNS label, RFC 1035 §2.3.4 */
#define ULABEL_MAX (4 * DOMAIN_MAX) /* UTF-8 of a DOMAIN_MAX A-label */
/* Characters (not bytes) of free text; the catalogue's err.FIELD.too_long
 * sentences name these numbers. */
#define TEXT_LINE_MAX 255 /* a user name, a password */
#define NOTE_MAX 1000	  /* an address's note (備考) */

/* A sender address: one "@", a dot-atom local part of 1..64 octets
 * (RFC 5321 §4.5.3.1.1), a domain of dot-separated LDH labels with at least
 * one dot. key receives local@lower(domain), the uniqueness key. */
const char *validate_address(const char *in, char *key, size_t keylen);
/* An SMTP port: empty means 587, else 1..65535. */
const char *validate_port(const char *in, long *port);
/* Free text of at most max characters, no control characters (tab and newline
 * allowed when multiline): C0, DEL and C1 (U+0080-U+009F) are
 * invalid_text; the bidirectional embeddings, overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069), which make text display in another
 * order than it is stored, are bidi_control. */
const char *validate_text(const char *in, size_t max, int multiline);

/*
 * What people type for a domain, normalized: surrounding spaces, a leading
 * "@", a whole address (its domain part), upper case and a trailing dot
 * are accepted; an internationalized name becomes its A-label (IDNA2008
 * with UTS #46 mapping, libidn2). alabel receives the A-label form, ulabel
 * the Unicode form for display (DOMAIN_MAX + 1 and ULABEL_MAX + 1
 * bytes).
 */
const char *validate_domain(const char *in, char *alabel, char *ulabel);

/* What validate_domain_typed() says about the input besides the name. */
struct domain_typed {
	int from_address; /* the name was the domain part of an address */
	/* code "url" (a URL, a path or host:port, not a bare name): the
	 * name found in it in U-label form when it is one, else "" */
	char found[ULABEL_MAX + 1];
};
/* validate_domain(), and what the input was: an address, or a URL or
 * host:port (code "url", with the name found in it). */
const char *validate_domain_typed(const char *in, char *alabel, char *ulabel,
				  struct domain_typed *);

/*
 * The SMTP server of a sender address: empty (the platform sends), a host
 * name (LDH labels with a dot, not all-numeric at the end), or an IP
 * address that the internet can reach. Loopback, private, shared (CGNAT),
 * link-local (cloud metadata), unspecified, multicast and reserved
 * addresses, and the names reserved for local use (localhost, .local,
 * .internal, .home.arpa), are private_address; a URL or host:port is url
 * (found receives the host in it, ULABEL_MAX + 1 bytes); a number that
 * resolvers would read as an IPv4 address in another form (127.1,
 * 0x7f000001) is invalid_host.
 */
const char *validate_smtp_host(const char *in, char *found, size_t foundlen);

/*
 * A form field as a table validator leaves it for its handler (kcgi's
 * struct kpair; the tables are struct field, lib/web/http.h). The caller
 * sets s and present; the validator fills what it parsed.
 */
struct field_value {
	const char *s; /* the text as sent, "" when absent */
	int present;   /* sent at all */
	long n; /* a port, a positive id (0: none), a flag (1/0); a domain:
		   1 when taken from an address */
	char norm[ADDRESS_MAX + 1];   /* address key, or domain A-label */
	char unicode[ULABEL_MAX + 1]; /* a domain's U-label form */
	/* with an error: what the validator found in the refused input and
	 * offers instead (the name in a URL), else "" */
	char suggest[ULABEL_MAX + 1];
};

/*
 * Table validators (kcgi's kvalid_*): NULL when in is acceptable, with
 * what was parsed in the value, else an error code. No I/O.
 */
/* validate_address(); norm: the uniqueness key. */
const char *valid_address(const char *in, struct field_value *);
/* validate_domain_typed(); norm: the A-label, unicode: the U-label, n: 1
 * when taken from an address; refused as url, suggest: the name found. */
const char *valid_domain(const char *in, struct field_value *);
/* validate_smtp_host(); refused as url, suggest: the host found. */
const char *valid_smtp_host(const char *in, struct field_value *);
/* validate_port(); n: the port. */
const char *valid_port(const char *in, struct field_value *);
/* One line of at most TEXT_LINE_MAX characters (a user name, a password). */
const char *valid_line(const char *in, struct field_value *);
/* Never refuses: n is the positive id in, else 0, which names nothing
 * (the action answers 404 for it). */
const char *valid_id(const char *in, struct field_value *);
/* Never refuses: n is 1 for "1", else 0 (confirm=1, rotate=1). */
const char *valid_flag(const char *in, struct field_value *);

#endif
