/*
 * dnsreply.c - the DNS reply parser of the c-ares resolver (lib/verify/dns.c):
 * a reply message (RFC 1035 §4.1) becomes a struct dns_answer for one
 * question. Replies are untrusted input: every offset and length is
 * checked against the message, names are decompressed with a bound on
 * pointers and length, and a malformed message is SERVFAIL, never a crash.
 * It keeps TXT RR boundaries and the strings of each RR, and follows CNAME
 * chains inside the answer section. Kept apart from dns.c, which needs
 * c-ares, so that it can be unit-tested and fuzzed on its own
 * (tests/fuzz/fuzz-dnsreply.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "util.h"

#define HDR_LEN 12
#define NAME_TEXT 1100 /* escaped text of a 255-byte wire name, bounded */
#define MAX_CHAIN 16   /* CNAMEs followed inside one reply */

/* RFC 1035 §4.1.1 RCODE values. */
enum { RCODE_NOERROR = 0, RCODE_NXDOMAIN = 3 };

struct rrhead {
	size_t owner; /* offset of the owner name */
	uint16_t type;
	uint16_t class;
	size_t rdoff, rdlen;
};

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Appends one label byte to out, escaping what is not a plain name byte
 * as \DDD (RFC 1035 §5.1) so a '.' inside a label cannot fake a name. */
static int
put_label_byte(char *out, size_t outsz, size_t *o, unsigned char c)
{
	int plain = c > 0x20 && c < 0x7f && c != '.' && c != '\\';
	size_t need = plain ? 1 : 4;

	if (*o + need >= outsz)
		return -1;
	if (plain) {
		out[(*o)++] = (char)c;
		return 0;
	}
	out[(*o)++] = '\\';
	out[(*o)++] = (char)('0' + c / 100);
	out[(*o)++] = (char)('0' + c / 10 % 10);
	out[(*o)++] = (char)('0' + c % 10);
	return 0;
}

/*
 * Decodes the possibly compressed name at msg[off] (RFC 1035 §4.1.4) into
 * out as dotted text without a trailing dot ("" for the root). *next gets
 * the offset just after the name where it sits. Returns 0 / -1 (malformed:
 * out of bounds, more than 64 pointers, longer than 255 bytes).
 */
static int
name_decode(const unsigned char *msg, size_t len, size_t off, char *out,
	    size_t outsz, size_t *next)
{
	size_t o = 0, wire = 1, i;
	int jumps = 0, jumped = 0;
	unsigned c;

	for (;;) {
		if (off >= len)
			return -1;
		c = msg[off];
		if ((c & 0xc0) == 0xc0) {
			if (off + 1 >= len || ++jumps > 64)
				return -1;
			if (!jumped)
				*next = off + 2;
			jumped = 1;
			off = (size_t)(c & 0x3f) << 8 | msg[off + 1];
			continue;
		}
		if (c & 0xc0)
			return -1; /* extended label types: not in use */
		if (c == 0)
			break;
		if (off + 1 + c > len || (wire += c + 1) > 255)
			return -1;
		if (o > 0 && o + 1 < outsz)
			out[o++] = '.';
		for (i = 0; i < c; i++)
			if (put_label_byte(out, outsz, &o, msg[off + 1 + i]))
				return -1;
		off += 1 + c;
	}
	if (!jumped)
		*next = off + 1;
	out[o] = '\0';
	return 0;
}

/* Reads the fixed part of one RR at *off (RFC 1035 §4.1.3). */
static int
rr_head(const unsigned char *msg, size_t len, size_t *off, struct rrhead *h)
{
	char name[NAME_TEXT];
	size_t p;

	h->owner = *off;
	if (name_decode(msg, len, *off, name, sizeof name, &p) == -1 ||
	    p + 10 > len)
		return -1;
	h->type = get16(msg + p);
	h->class = get16(msg + p + 2);
	h->rdlen = get16(msg + p + 8);
	h->rdoff = p + 10;
	if (h->rdoff + h->rdlen > len)
		return -1;
	*off = h->rdoff + h->rdlen;
	return 0;
}

/* Decodes a name inside rdata; the in-place part must stay inside it. */
static char *
rdata_name(const unsigned char *msg, size_t len, size_t off, size_t end)
{
	char name[NAME_TEXT];
	size_t next;

	if (name_decode(msg, len, off, name, sizeof name, &next) == -1 ||
	    next > end)
		return NULL;
	return strdup(name);
}

/*
 * The character-strings of one TXT RR (RFC 1035 §3.3.14), in the block of
 * dns_txt_block().
 * Returns 0, -1 on a malformed RR, -2 on allocation failure.
 */
static int
txt_decode(const unsigned char *msg, const struct rrhead *h, struct dns_rr *rr)
{
	size_t off = h->rdoff, end = h->rdoff + h->rdlen, n = 0, l, bytes = 0;
	char *p;

	while (off < end) { /* count first: one allocation */
		l = msg[off];
		if (off + 1 + l > end)
			return -1;
		off += 1 + l;
		bytes += l + 1;
		n++;
	}
	if ((p = dns_txt_block(rr, n, bytes)) == NULL)
		return -2;
	for (off = h->rdoff; rr->u.txt.nstr < n; off += 1 + l) {
		l = msg[off];
		memcpy(p, msg + off + 1, l);
		p[l] = '\0';
		rr->u.txt.str[rr->u.txt.nstr] = p;
		rr->u.txt.len[rr->u.txt.nstr++] = l;
		p += l + 1;
	}
	return 0;
}

/* Fills rr from the rdata of h. Returns 0, -1 (malformed), -2 (memory). */
static int
rr_decode(const unsigned char *msg, size_t len, const struct rrhead *h,
	  struct dns_rr *rr)
{
	size_t end = h->rdoff + h->rdlen;

	memset(rr, 0, sizeof *rr);
	rr->type = (enum dns_type)h->type;
	switch (h->type) {
	case DNS_T_A:
		if (h->rdlen != 4)
			return -1;
		memcpy(rr->u.a, msg + h->rdoff, 4);
		return 0;
	case DNS_T_AAAA:
		if (h->rdlen != 16)
			return -1;
		memcpy(rr->u.aaaa, msg + h->rdoff, 16);
		return 0;
	case DNS_T_MX:
		if (h->rdlen < 3)
			return -1;
		rr->u.mx.pref = get16(msg + h->rdoff);
		rr->u.mx.host = rdata_name(msg, len, h->rdoff + 2, end);
		return rr->u.mx.host != NULL ? 0 : -1;
	case DNS_T_PTR:
	case DNS_T_CNAME:
	case DNS_T_NS:
		rr->u.host = rdata_name(msg, len, h->rdoff, end);
		return rr->u.host != NULL ? 0 : -1;
	case DNS_T_TXT:
		return txt_decode(msg, h, rr);
	default:
		return -1;
	}
}

/* Does the owner of h equal name (case-insensitively)? */
static int
owner_is(const unsigned char *msg, size_t len, const struct rrhead *h,
	 const char *name)
{
	char owner[NAME_TEXT];
	size_t next;

	if (name_decode(msg, len, h->owner, owner, sizeof owner, &next) == -1)
		return 0;
	return ascii_casecmp(owner, name) == 0;
}

/* Index of the CNAME owned by name among the n RRs, or -1. */
static long
find_cname(const unsigned char *msg, size_t len, const struct rrhead *rrs,
	   size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rrs[i].type == DNS_T_CNAME && rrs[i].class == 1 &&
		    owner_is(msg, len, &rrs[i], name))
			return (long)i;
	return -1;
}

/* Copies the RRs of qtype owned by name into out. 0 / -1 / -2 as above. */
static int
collect(const unsigned char *msg, size_t len, const struct rrhead *rrs,
	size_t n, const char *name, enum dns_type qtype, struct dns_answer *out)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		if (rrs[i].type != qtype || rrs[i].class != 1 ||
		    !owner_is(msg, len, &rrs[i], name))
			continue;
		rc = rr_decode(msg, len, &rrs[i], &out->rr[out->nrr]);
		if (rc != 0) {
			dns_rr_release(&out->rr[out->nrr]);
			return rc;
		}
		out->nrr++;
	}
	return 0;
}

/* Reads the header and the RR heads of the answer section. */
static int
read_sections(const unsigned char *msg, size_t len, struct rrhead **rrsp,
	      size_t *np)
{
	char name[NAME_TEXT];
	size_t off = HDR_LEN, qd, an, i;
	struct rrhead *rrs;

	if (len < HDR_LEN || !(msg[2] & 0x80))
		return -1;
	qd = get16(msg + 4);
	an = get16(msg + 6);
	if (an > (len - HDR_LEN) / 11) /* an RR takes at least 11 bytes */
		return -1;
	for (i = 0; i < qd; i++) {
		if (name_decode(msg, len, off, name, sizeof name, &off) == -1 ||
		    off + 4 > len)
			return -1;
		off += 4;
	}
	if ((rrs = calloc(an ? an : 1, sizeof *rrs)) == NULL)
		return -2;
	for (i = 0; i < an; i++)
		if (rr_head(msg, len, &off, &rrs[i]) == -1) {
			free(rrs);
			return -1;
		}
	*rrsp = rrs;
	*np = an;
	return 0;
}

/* Follows the CNAME chain from qname inside the answer; copies the final
 * name into cur. Returns the number of CNAMEs followed, -1 on a loop. */
static int
follow_chain(const unsigned char *msg, size_t len, const struct rrhead *rrs,
	     size_t n, const char *qname, char *cur, size_t cursz)
{
	char *target;
	long ci;
	int hops;

	snprintf(cur, cursz, "%s", qname);
	for (hops = 0; (ci = find_cname(msg, len, rrs, n, cur)) >= 0; hops++) {
		if (hops == MAX_CHAIN)
			return -1;
		target = rdata_name(msg, len, rrs[ci].rdoff,
				    rrs[ci].rdoff + rrs[ci].rdlen);
		if (target == NULL)
			return -1;
		snprintf(cur, cursz, "%s", target);
		free(target);
	}
	return hops;
}

/* Drops the RRs collected: an error reply carries no data, whatever its
 * answer section holds. */
static void
drop_rrs(struct dns_answer *out)
{
	size_t i;

	for (i = 0; i < out->nrr; i++)
		dns_rr_release(&out->rr[i]);
	out->nrr = 0;
}

/* Sets out's status from the reply code and what the chain found. */
static int
classify(const unsigned char *msg, int hops, const char *cur,
	 struct dns_answer *out)
{
	int rcode = msg[3] & 0x0f, ra = msg[3] & 0x80;

	if (hops > 0 && (out->canon = strdup(cur)) == NULL)
		return -1;
	if (rcode != RCODE_NOERROR)
		drop_rrs(out);
	if (rcode == RCODE_NXDOMAIN)
		out->status = DNS_NXDOMAIN;
	else if (rcode != RCODE_NOERROR)
		out->status = DNS_SERVFAIL;
	else if (out->nrr > 0)
		out->status = DNS_OK;
	else {
		out->status = DNS_NODATA;
		/* An authoritative server (no recursion available) stops at
		 * a CNAME whose target lies outside its zones: ask again. */
		if (hops > 0 && !ra)
			return 1;
	}
	return 0;
}

int
dns_reply_parse(const unsigned char *msg, size_t len, const char *qname,
		enum dns_type qtype, struct dns_answer *out)
{
	struct rrhead *rrs = NULL;
	char cur[NAME_TEXT];
	size_t n = 0;
	int hops, rc;

	memset(out, 0, sizeof *out);
	out->status = DNS_SERVFAIL;
	if ((rc = read_sections(msg, len, &rrs, &n)) != 0)
		return rc == -2 ? -1 : 0;
	rc = -1;
	if ((hops = follow_chain(msg, len, rrs, n, qname, cur, sizeof cur)) < 0)
		goto malformed;
	if ((out->rr = calloc(n ? n : 1, sizeof *out->rr)) == NULL)
		goto out;
	if ((rc = collect(msg, len, rrs, n, cur, qtype, out)) == -1)
		goto malformed;
	if (rc == -2 || (rc = classify(msg, hops, cur, out)) == -1) {
		rc = -1;
		goto out;
	}
	goto out;
malformed:
	dns_reply_release(out);
	out->status = DNS_SERVFAIL;
	rc = 0;
out:
	free(rrs);
	if (rc == -1)
		dns_reply_release(out);
	return rc;
}

void
dns_reply_release(struct dns_answer *a)
{
	size_t i;

	for (i = 0; i < a->nrr; i++)
		dns_rr_release(&a->rr[i]);
	free(a->rr);
	free(a->canon);
	a->rr = NULL;
	a->nrr = 0;
	a->canon = NULL;
}
