#!/usr/bin/python3
"""spf-diff.py - a differential test of the SPF engine against pyspf.

Generates random SPF record sets, valid and broken (every mechanism and
modifier, macros, CIDR lengths, IPv6, includes and redirects several
levels deep, loops, void lookups, the 10-lookup limit, long TXT strings,
DNS failures), as zone files for a private NSD; then, for each record set,
compares the RFC 7208 result `verifier check` gives for each platform
address (<spf><result ip="...">) with pyspf's check_host() for the same
address, domain, sender (postmaster@domain) and HELO (the domain), pyspf
asking the same NSD through dnspython.

    spf-diff.py generate --seed S --cases N --out DIR [--case K]
    spf-diff.py compare --cases DIR/cases.json --port PORT --verifier BIN
                        [--jobs J] [--verbose]

tests/conformance/spf-diff.sh runs both around NSD; the README next to
this file says how to run it, replay a case, and what the known pyspf
deviations are. Every case is generated from its own random stream
(seed, case number), so one case replays alone: --case K generates only
it, with the same records and addresses as in the full run.

Run it with Debian's /usr/bin/python3, whose python3-spf it tests.
"""

import argparse
import ipaddress
import json
import os
import random
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

ZONE = "spfdiff.test"
FAIL_ZONE = "fail.test"  # configured, not loadable: SERVFAIL
PTR_NAME = "ptr." + ZONE
# Reverse zones: PTR fixtures for 192.0.2.0/24, 198.51.100.0/24 and
# 2001:db8::/32; 203.0.113.0/24 is not loadable (SERVFAIL on PTR).
REV4_OK = ["2.0.192.in-addr.arpa", "100.51.198.in-addr.arpa"]
REV4_FAIL = "113.0.203.in-addr.arpa"
REV6 = "8.b.d.0.1.0.0.2.ip6.arpa"
ZONES_OK = [ZONE] + REV4_OK + [REV6]
ZONES_FAIL = [FAIL_ZONE, REV4_FAIL]

V4 = ([f"192.0.2.{n}" for n in range(1, 31)] +
      [f"198.51.100.{n}" for n in range(1, 21)] +
      [f"203.0.113.{n}" for n in range(1, 11)])
V6 = ([f"2001:db8::{n:x}" for n in range(1, 17)] +
      [f"2001:db8:{n:x}::{n:x}" for n in range(1, 9)])
MAPPED = ["::ffff:192.0.2.7", "::ffff:198.51.100.3"]

RESULTS = ("pass", "fail", "softfail", "neutral", "none", "permerror",
           "temperror")


# ---------------------------------------------------------------------------
# Zone data

class Zones:
    """RRs by zone, name (absolute, lower case, no dot) and type."""

    def __init__(self):
        self.rrs = {}  # zone -> list of (name, type, rdata text)

    def zone_of(self, name):
        best = None
        for z in ZONES_OK:
            if (name == z or name.endswith("." + z)) and \
                    (best is None or len(z) > len(best)):
                best = z
        return best

    def add(self, name, rtype, rdata):
        z = self.zone_of(name)
        if z is None:
            return  # outside the zones served: not published
        self.rrs.setdefault(z, []).append((name, rtype, rdata))

    def txt(self, name, text):
        """One TXT RR holding text (bytes), split into strings of at most
        255 bytes."""
        data = text if isinstance(text, bytes) else text.encode()
        parts = [data[i:i + 255] for i in range(0, len(data), 255)] or [b""]
        self.add(name, "TXT", " ".join(quote(p) for p in parts))

    def write(self, outdir):
        # a CNAME is the only data at its name (RFC 1034 §3.6.2)
        for z, rrs in self.rrs.items():
            alias = {}
            for name, rtype, rdata in rrs:
                if rtype == "CNAME":
                    alias.setdefault(name, (name, rtype, rdata))
            self.rrs[z] = [rr for rr in rrs if rr[0] not in alias] + \
                list(alias.values())
        for z in ZONES_OK:
            with open(os.path.join(outdir, z + ".zone"), "w") as f:
                f.write(f"$ORIGIN {z}.\n$TTL 300\n")
                f.write(f"@ IN SOA ns.{ZONE}. host.{ZONE}. 1 3600 600 "
                        "86400 300\n")
                f.write(f"@ IN NS ns.{ZONE}.\n")
                if z == ZONE:
                    f.write("ns IN A 127.0.0.1\n")
                for name, rtype, rdata in self.rrs.get(z, []):
                    f.write(f"{name}. IN {rtype} {rdata}\n")
        for z in ZONES_FAIL:
            with open(os.path.join(outdir, z + ".zone"), "w") as f:
                f.write("this zone does not load: SERVFAIL\n")


def quote(b):
    out = '"'
    for c in b:
        if c in (0x22, 0x5c):
            out += "\\" + chr(c)
        elif 0x20 <= c < 0x7f:
            out += chr(c)
        else:
            out += "\\%03d" % c
    return out + '"'


def fixtures(z):
    """What every case shares: PTR names for the addresses of the pool,
    some validating (the name's address is the client's), some not, some
    with several names, one with more than ten."""
    for s in V4[:50]:
        ip = ipaddress.ip_address(s)
        n = int(s.split(".")[3])
        net = s.split(".")[2]
        rev = ip.reverse_pointer
        if net == "2":
            if n % 2:
                host = f"h{n}.{PTR_NAME}"
                z.add(rev, "PTR", host + ".")
                z.add(host, "A", s)
            else:
                host = f"bad{n}.{PTR_NAME}"
                z.add(rev, "PTR", host + ".")
                z.add(host, "A", "192.0.2.250")
            if n % 5 == 0:
                z.add(rev, "PTR", f"h{n}.{PTR_NAME}.")
                z.add(f"h{n}.{PTR_NAME}", "A", s)
            if n == 30:
                for k in range(12):
                    z.add(rev, "PTR", f"many{k}.{PTR_NAME}.")
                    z.add(f"many{k}.{PTR_NAME}", "A", s)
        elif n % 3 == 0:  # 198.51.100.n: a few names without address
            z.add(rev, "PTR", f"noaddr{n}.{PTR_NAME}.")
    for s in V6:
        ip = ipaddress.ip_address(s)
        n = int(s.rsplit(":", 1)[1], 16)
        if n % 2:
            host = f"v6h{n}.{PTR_NAME}"
            z.add(ip.reverse_pointer, "PTR", host + ".")
            z.add(host, "AAAA", s)


def ptr_names(ip):
    """The validated PTR names of ip in the fixtures (for %{p})."""
    ip = ipaddress.ip_address(ip)
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    s = str(ip)
    if ip.version == 4 and s.startswith("192.0.2."):
        n = int(s.split(".")[3])
        names = []
        if n % 2:
            names.append(f"h{n}.{PTR_NAME}")
        if n % 5 == 0:
            names.append(f"h{n}.{PTR_NAME}")
        if n == 30:
            names += [f"many{k}.{PTR_NAME}" for k in range(12)]
        return names
    if ip.version == 6 and s in V6:
        n = int(s.rsplit(":", 1)[1], 16)
        return [f"v6h{n}.{PTR_NAME}"] if n % 2 else []
    return []


# ---------------------------------------------------------------------------
# Macro expansion, only to publish the names some macros produce (RFC 7208
# §7.3); whether the engines agree with it is not the question here.

def macro_value(letter, ctx):
    ip = ctx["ip"]
    if letter == "i":
        if ip.version == 6:
            return ".".join(ip.exploded.replace(":", ""))
        return str(ip)
    if letter == "v":
        return "ip6" if ip.version == 6 else "in-addr"
    if letter in "so":
        return {"s": ctx["sender"], "o": ctx["o"]}[letter]
    if letter == "l":
        return "postmaster"
    if letter == "d":
        return ctx["d"]
    if letter == "h":
        return ctx["h"]
    if letter == "p":
        names = ptr_names(str(ip))
        within = [n for n in names if n == ctx["d"] or
                  n.endswith("." + ctx["d"])]
        return (within or names or ["unknown"])[0]
    return None


def expand(spec, ctx):
    out, i = "", 0
    while i < len(spec):
        c = spec[i]
        if c != "%":
            out += c
            i += 1
            continue
        nxt = spec[i + 1:i + 2]
        if nxt == "%":
            out += "%"
            i += 2
            continue
        if nxt in ("_", "-"):
            return None  # spaces: not a name to publish
        end = spec.find("}", i)
        if nxt != "{" or end < 0:
            return None
        body = spec[i + 2:end]
        letter = body[:1].lower()
        val = macro_value(letter, ctx)
        if val is None:
            return None
        rest = body[1:]
        digits = ""
        while rest[:1].isdigit():
            digits += rest[0]
            rest = rest[1:]
        rev = rest[:1] == "r"
        if rev:
            rest = rest[1:]
        delims = rest or "."
        parts, cur = [], ""
        for ch in val:
            if ch in delims:
                parts.append(cur)
                cur = ""
            else:
                cur += ch
        parts.append(cur)
        if rev:
            parts.reverse()
        if digits:
            if int(digits) == 0:
                return None
            parts = parts[-int(digits):]
        out += ".".join(parts)
        i = end + 1
    out = out.rstrip(".").lower()
    return out if 0 < len(out) <= 253 else None


# ---------------------------------------------------------------------------
# One case: a domain, its records and the platform addresses

class Case:
    def __init__(self, seed, k):
        self.k = k
        self.rnd = random.Random(f"spf-diff:{seed}:{k}")
        self.base = f"c{k}.{ZONE}"
        self.z = Zones()
        self.ips = []
        self.nsub = 0
        self.records = {}  # name -> list of record texts (for reports)

    # --- the platform addresses -------------------------------------
    def pick_ips(self):
        r = self.rnd
        n = r.choice([1, 1, 2, 2, 3])
        ips = []
        while len(ips) < n:
            pool = r.choice([V4, V4, V4, V6, V6, MAPPED])
            ip = r.choice(pool)
            if ip not in ips:
                ips.append(ip)
        self.ips = ips

    def near_ip(self, v6):
        """An address that is often a platform one, or in its network."""
        r = self.rnd
        same = [i for i in self.ips
                if (ipaddress.ip_address(i).version == 6) == v6 and
                not i.startswith("::ffff:")]
        if v6:
            if same and r.random() < 0.6:
                return same[0] if r.random() < 0.7 else r.choice(same)
            return r.choice(V6)
        mapped = [i[7:] for i in self.ips if i.startswith("::ffff:")]
        same += mapped
        if same and r.random() < 0.6:
            return r.choice(same)
        return r.choice(V4)

    # --- names ----------------------------------------------------------
    def sub(self, prefix):
        self.nsub += 1
        return f"{prefix}{self.nsub}.{self.base}"

    def host(self):
        """A name with addresses (often the platform's), or none."""
        r = self.rnd
        name = self.sub("h")
        kind = r.random()
        if kind < 0.75:
            for _ in range(r.choice([1, 1, 2, 3])):
                self.z.add(name, "A", self.near_ip(False))
            if r.random() < 0.5:
                self.z.add(name, "AAAA", self.near_ip(True))
        elif kind < 0.85:
            self.z.add(name, "AAAA", self.near_ip(True))
        elif kind < 0.95:
            self.z.txt(name, "not an address")
        else:
            name = f"h.{FAIL_ZONE}"
        return name

    def cname_target(self):
        """A CNAME target in the zone served, so NSD answers with the
        chain as a recursive resolver would: dnspython, which pyspf uses,
        does not follow a CNAME the answer leaves unresolved (the README's
        "What the test does not cover")."""
        h = self.host()
        return (h if h.endswith(ZONE) else self.sub("nxc")) + "."

    def mx_name(self):
        r = self.rnd
        name = self.sub("m")
        kind = r.random()
        if kind < 0.8:
            for p in range(r.choice([1, 1, 2, 3])):
                hn = (self.host() if r.random() < 0.8
                      else self.sub("nxh"))
                self.z.add(name, "MX", f"{10 * (p + 1)} {hn}.")
        elif kind < 0.87:
            for p in range(11):
                self.z.add(name, "MX", f"{p} {self.host()}.")
        elif kind < 0.93:
            self.z.add(name, "MX", "0 .")  # null MX (RFC 7505)
        else:
            self.z.add(name, "A", self.near_ip(False))  # no MX
        return name

    def void_name(self):
        r = self.rnd
        if r.random() < 0.2:
            self.z.txt(self.sub("t"), "x")
        return self.sub("nx")

    def macro_name(self):
        """A domain-spec with macros; publishes an address at what it
        expands to for some of the platform addresses."""
        r = self.rnd
        tpl = r.choice([
            "%{i}.e.{B}", "%{ir}.%{v}.e.{B}", "%{i}.%{d}", "%{l}.e.%{d}",
            "%{o}", "%{d}", "%{d2}.{B}", "%{ir}.%{v}._spf.%{d2}",
            "%{l1r-}.e.{B}", "%{p}.e.{B}", "%{h}", "%{s}.e.{B}",
            "%{dr}.e.{B}", "%{i2}.e.{B}", "%{I}.e.{B}", "%{d1}.e.{B}",
            "%{i0}.e.{B}", "%{ir}.%{v}.%{d}", "e.%{d}.",
            "%{i}.e.{B}.", "%{i.}.e.{B}", "%{l}-%{o}.e.{B}",
            "%{d3r}.e.{B}", "%{i-}.e.{B}", "%{v}.%{v}.%{v}.e.{B}",
            "%%.e.{B}", "%{c}.e.{B}",
        ])
        spec = tpl.replace("{B}", self.base)
        return spec

    def publish_macro(self, spec, d):
        for ip in self.ips:
            if self.rnd.random() < 0.6:
                ctx = {"ip": unmap(ip), "sender": "postmaster@" + self.base,
                       "o": self.base, "d": d, "h": self.base}
                name = expand(spec, ctx)
                if name is not None and all(
                        0 < len(x) < 64 and x.replace("-", "").replace(
                            "_", "").isalnum() and x.isascii()
                        for x in name.split(".")):
                    self.z.add(name, "A", "127.0.0.2")

    # --- terms ------------------------------------------------------------
    def qual(self):
        return self.rnd.choice(["", "", "", "+", "-", "~", "?"])

    def cidr4(self):
        r = self.rnd
        return r.choice(["", "", "", f"/{r.randint(0, 32)}", "/32", "/24"])

    def cidr6(self):
        r = self.rnd
        return r.choice(["", "", "", f"//{r.randint(0, 128)}", "//64",
                         "//128"])

    def target(self, mech, d):
        r = self.rnd
        x = r.random()
        if x < 0.4:
            return self.mx_name() if mech == "mx" else self.host()
        if x < 0.5:
            return self.void_name()
        if x < 0.7:
            spec = self.macro_name()
            self.publish_macro(spec, d)
            return spec
        if x < 0.75:
            return f"x{r.randint(1, 3)}.{FAIL_ZONE}"
        if x < 0.8:
            return self.host().upper()
        if x < 0.85:
            return self.host() + "."
        if x < 0.9:
            return r.choice([PTR_NAME, ZONE, "outside.example"])
        return d

    def term(self, d, depth):
        r = self.rnd
        kind = r.choices(
            ["ip4", "ip6", "a", "mx", "ptr", "exists", "include", "all",
             "unknown"],
            [15, 8, 12, 8, 4, 8, 10 if depth < 5 else 0, 3, 2])[0]
        q = self.qual()
        if kind == "ip4":
            ip = self.near_ip(False)
            return f"{q}ip4:{ip}{self.cidr4()}"
        if kind == "ip6":
            ip = self.near_ip(True)
            c = r.choice(["", "", f"/{r.randint(0, 128)}", "/64", "/128"])
            return f"{q}ip6:{ip}{c}"
        if kind in ("a", "mx"):
            spec = "" if r.random() < 0.3 else ":" + self.target(kind, d)
            return f"{q}{kind}{spec}{self.cidr4()}{self.cidr6()}"
        if kind == "ptr":
            spec = r.choice(["", ":" + PTR_NAME, ":" + ZONE,
                             ":" + self.target("ptr", d)])
            return f"{q}ptr{spec}"
        if kind == "exists":
            return f"{q}exists:{self.target('exists', d)}"
        if kind == "include":
            return f"{q}include:{self.child(d, depth)}"
        if kind == "all":
            return f"{q}all"
        name = r.choice(["foo", "x-y.z", "moo_1", "v", "default", "op"])
        val = r.choice(["bar", "%{d}", "", "%{i}.x", "a=b", "%%"])
        return f"{name}={val}"

    def child(self, d, depth):
        """The target of an include or redirect: a new name with its own
        record(s), or a loop back, or a name without a record."""
        r = self.rnd
        x = r.random()
        if x < 0.65 and depth < 5:
            name = self.sub("i")
            self.publish(name, depth + 1)
            return name
        if x < 0.72:
            return d  # a loop onto itself
        if x < 0.77:
            return self.base  # back to the top
        if x < 0.84:
            return self.void_name()
        if x < 0.88:
            return f"inc.{FAIL_ZONE}"
        if x < 0.92:
            t = self.sub("t")
            self.z.txt(t, "v=spf10 not spf")
            return t
        if x < 0.96:
            return "%{d}" if r.random() < 0.5 else "i.%{d}"
        return self.macro_name()

    def record(self, d, depth):
        r = self.rnd
        n = r.choices([0, 1, 2, 3, 4, 6, 8, 12, 16],
                      [4, 10, 15, 15, 12, 10, 6, 3, 2])[0]
        terms = [self.term(d, depth) for _ in range(n)]
        if r.random() < 0.08:  # many lookups: past the limit
            terms += [r.choice(["a", "mx", f"a:{self.host()}",
                                f"exists:{self.void_name()}"])
                      for _ in range(r.randint(8, 12))]
            r.shuffle(terms)
        if r.random() < 0.06:  # many void lookups
            terms.insert(r.randint(0, len(terms)),
                         f"a:{self.void_name()}")
            terms.insert(r.randint(0, len(terms)),
                         f"mx:{self.void_name()}")
            terms.insert(r.randint(0, len(terms)),
                         f"exists:{self.void_name()}")
        if r.random() < 0.65:
            terms.append(self.qual() + "all")
        if r.random() < 0.2:
            terms.append("redirect=" + self.child(d, depth))
        if r.random() < 0.1:
            e = self.sub("exp")
            self.z.txt(e, r.choice(["Not %{i} for %{d}", "%{c} %{r} %{t}",
                                    "bad %{z}"]))
            terms.insert(r.randint(0, len(terms)), "exp=" + e)
        if r.random() < 0.08:  # long: many address terms
            terms = [f"ip4:{self.near_ip(False)}{self.cidr4()}"
                     for _ in range(r.randint(20, 45))] + terms
        if r.random() < 0.1:
            terms = [self.mutate(t) for t in terms] or ["foo"]
        sep = "  " if r.random() < 0.05 else " "
        text = "v=spf1" + "".join(sep + t for t in terms)
        if r.random() < 0.03:
            text += " "
        if r.random() < 0.03:
            text = text.upper()
        return text

    def mutate(self, t):
        """Breaks a term, sometimes, the ways records are broken."""
        r = self.rnd
        if r.random() < 0.6:
            return t
        x = r.choice([
            lambda: t + "/33", lambda: t + "//129", lambda: t + "/",
            lambda: t.replace("ip4:", "ip4:1.2.") if "ip4:" in t else t,
            lambda: "ip4:256.1.1.1", lambda: "ip4:1.2.03.4",
            lambda: "ip6:2001:db8:::1", lambda: "ip6:gggg::",
            lambda: "ip4:192.0.2.1//64", lambda: "a:%{z}.x.test",
            lambda: "a:%{i", lambda: "exists:%x", lambda: "exists",
            lambda: "include:", lambda: "mx:", lambda: "all:x",
            lambda: "ptr/24", lambda: "-+all", lambda: "redirect=",
            lambda: "exp=", lambda: "=foo", lambda: "1foo=bar",
            lambda: "a:192.0.2.1", lambda: "a:foo", lambda: "a:a..b.test",
            lambda: "a:" + "x" * 64 + ".test", lambda: "ip4:192.0.2.1,",
            lambda: "a:h\u00fc.test", lambda: "%{d}",
            lambda: "redirect=a.test redirect=b.test",
            lambda: "exp=a.test exp=b.test", lambda: "Redirect=" + ZONE,
            lambda: "foo=1 foo=2", lambda: "IP4:192.0.2.1",
            lambda: "a:%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}",
            lambda: "exists:%{ir}.%{ir}.%{ir}.%{ir}.%{ir}.%{ir}.%{ir}."
                    "%{ir}.%{ir}.%{ir}.%{ir}.x.test",
            lambda: "a:%{l}", lambda: "a/0", lambda: "mx//0",
            lambda: "v=spf1",
        ])
        return x()

    def publish(self, name, depth):
        """The TXT RRs at name: its SPF record and, now and then, a second
        one, a non-SPF one, a record split into strings, bytes that are
        not ASCII."""
        r = self.rnd
        rec = self.record(name, depth)
        recs = [rec]
        data = rec.encode()
        if r.random() < 0.02:
            data = data.replace(b" ", b" \xc3\xa9", 1)
        self.z.txt(name, data)
        if r.random() < 0.3:
            self.z.txt(name, r.choice(["google-site-verification=x",
                                       "v=spf10", "spf1", "v=DKIM1; p="]))
        if r.random() < 0.03:
            second = self.record(name, depth)
            recs.append(second)
            self.z.txt(name, second)
        if r.random() < 0.02:
            self.z.txt(name, "v=spf1 " + ("ip4:192.0.2.250 " * 30) + "~all")
        self.records[name] = recs

    def generate(self):
        self.pick_ips()
        r = self.rnd
        x = r.random()
        if x < 0.04:
            self.z.txt(self.base, "not spf")  # none
        elif x < 0.06:
            self.z.add(self.base, "A", "192.0.2.1")  # NODATA
        elif x < 0.07:
            pass  # NXDOMAIN
        elif x < 0.09:
            # in the zone: NSD answers with the chain (see spf_target())
            self.z.add(self.base, "CNAME", self.cname_target())
        elif x < 0.11:
            t = self.sub("i")
            self.publish(t, 1)
            self.z.add(self.base, "CNAME", t + ".")
        else:
            self.publish(self.base, 0)
        return self


def unmap(ip):
    a = ipaddress.ip_address(ip)
    if a.version == 6 and a.ipv4_mapped:
        return a.ipv4_mapped
    return a


def generate(args):
    os.makedirs(args.out, exist_ok=True)
    z = Zones()
    fixtures(z)
    cases = []
    ks = [args.case] if args.case is not None else range(args.cases)
    for k in ks:
        c = Case(args.seed, k).generate()
        for zone, rrs in c.z.rrs.items():
            z.rrs.setdefault(zone, []).extend(rrs)
        cases.append({"k": k, "domain": c.base, "ips": c.ips,
                      "records": c.records})
    z.write(args.out)
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump({"seed": args.seed, "cases": cases}, f)
    print(" ".join(ZONES_OK))
    print(" ".join(ZONES_FAIL))


# ---------------------------------------------------------------------------
# Comparing

def use_nsd(port):
    import dns.resolver
    res = dns.resolver.Resolver(configure=False)
    res.nameservers = ["127.0.0.1"]
    res.port = port
    res.lifetime = 10
    res.timeout = 5
    dns.resolver.default_resolver = res


# pyspf's departures from RFC 7208 that the differential run found, each
# undone here by a correction that can be switched on alone, so that a
# disagreement is explained only when the correction the README gives it
# removes it. The README quotes the RFC's text for each.
DEVIATIONS = {
    "include-self": "RFC 7208 §4.6, §4.6.4, §5.2: include of the record's "
                    "own domain refused before evaluation",
    "ptr-dns-error": "RFC 7208 §5.5, §7.3: a DNS error on the PTR (or a "
                     "validating address) lookup is temperror",
    "void-per-query": "RFC 7208 §4.6.4: void lookups counted per query "
                      "(MX hosts, PTR names, %{p}), not per term",
    "zero-digit": "RFC 7208 §7.3, §4.6: a zero DIGIT transformer "
                  "(%{i0}) accepted",
    "unknown-modifier-twice": "RFC 7208 §6: an unrecognized modifier "
                              "repeated is permerror",
    "modifier-case": "RFC 7208 §12, RFC 5234 §2.3: Redirect= / EXP= not "
                     "recognized",
    "truncation": "RFC 7208 §7.3: a name over 253 octets loses one label, "
                  "not as many as needed",
    "percent-percent": "RFC 7208 §7.1: %% at the end of a macro-string "
                       "refused",
    "upper-r": "RFC 7208 §7.1, RFC 5234 §2.3: the R transformer (%{IR}) "
               "does not reverse",
    "redirect-lookup": "RFC 7208 §4.6.4, §5.1, §6.1: redirect= counted "
                       "against the lookup limit when parsed, used or not",
}


def rfc_query_class():
    """A subclass of pyspf's query with each correction behind a flag."""
    import inspect
    import re
    import threading
    import spf

    zero = re.compile(r"%\{[A-Za-z]0+r?[^}]*\}")
    local = threading.local()
    # Where pyspf's check0() counts a redirect= while parsing the record,
    # and where it follows one (Debian's python3-spf 2.0.14).
    src, first = inspect.getsourcelines(spf.query.check0)
    at = {"parse": None, "follow": None}
    for i, line in enumerate(src):
        if "elif mod == 'redirect':" in line:
            at["parse"] = first + i + 1
        if "redirect_record = self.dns_spf(redirect)" in line:
            at["follow"] = first + i

    def called_at(where):
        f = sys._getframe(2)
        return f.f_code is spf.query.check0.__code__ and \
            f.f_lineno == at[where]

    class InvalidMacro:
        """pyspf's check for an invalid "%" (spf.RE_INVALID_MACRO, which
        refuses "%%" at the end of a string), or with percent-percent the
        grammar of §7.1: an odd run of "%" followed by anything but "{",
        "_" or "-", or by the end."""
        orig = spf.RE_INVALID_MACRO
        rfc = re.compile(r"(?<!%)(?:%%)*%(?:[^{%_-]|$)")

        def search(self, s):
            if "percent-percent" in getattr(local, "fixes", ()):
                return self.rfc.search(s)
            return self.orig.search(s)

    spf.RE_INVALID_MACRO = InvalidMacro()

    class Query(spf.query):
        fixes = frozenset()
        secondary = 0

        def check(self, spf=None):
            local.fixes = self.fixes
            try:
                return super().check(spf)
            finally:
                local.fixes = ()

        def validate_mechanism(self, mech):
            try:
                return super().validate_mechanism(mech)
            except spf.PermError as x:
                if ("include-self" not in self.fixes or
                        x.msg != "include has trivial recursion"):
                    raise
            m, arg = spf.parse_mechanism(mech, self.d)[:2]
            result = spf.RESULTS.get(m[0], "pass")
            return mech, "include", self.expand_domain(arg), \
                self.cidrmax, result

        def check_lookups(self):
            if "redirect-lookup" in self.fixes and called_at("parse"):
                return  # counted when the redirect is followed
            return super().check_lookups()

        def dns_spf(self, domain):
            if "redirect-lookup" in self.fixes and called_at("follow"):
                super().check_lookups()
            return super().dns_spf(domain)

        def note_error(self, *msg):
            if ("unknown-modifier-twice" in self.fixes and
                    str(msg[0]).endswith("= MUST appear at most once") and
                    not str(msg[0]).startswith("exp=")):
                return self.perm_error
            return super().note_error(*msg)

        def check0(self, text, recursion):
            if "modifier-case" in self.fixes and text:
                text = re.sub(r"(?i)(?<= )(redirect|exp)=",
                              lambda mo: mo.group(1).lower() + "=", text)
            return super().check0(text, recursion)

        def expand(self, s, stripdot=True):
            if "zero-digit" in self.fixes and zero.search(s):
                raise spf.PermError("zero DIGIT transformer", s)
            if "upper-r" in self.fixes:
                s = re.sub(r"(%\{[A-Za-z][0-9]*)R", r"\1r", s)
            out = super().expand(s, stripdot)
            if "truncation" in self.fixes:
                while len(out) > 253 and "." in out:
                    out = out[out.index(".") + 1:]
            return out

        def dns(self, name, qtype, cnames=None, ignore_void=False):
            if "void-per-query" in self.fixes and self.secondary:
                ignore_void = True
            return super().dns(name, qtype, cnames, ignore_void)

        def dns_mx(self, domainname):
            if "void-per-query" not in self.fixes:
                return super().dns_mx(domainname)
            mxnames = self.dns(domainname, "MX")
            if len(mxnames) > spf.MAX_MX:
                raise spf.PermError(
                    "More than %d MX records returned" % spf.MAX_MX)
            mxnames.sort()
            self.secondary += 1
            try:
                return [a for mx in mxnames[:spf.MAX_MX]
                        for a in self.dns_a(mx[1], self.A)]
            finally:
                self.secondary -= 1

        def getp(self):
            self.secondary += "void-per-query" in self.fixes
            try:
                return super().getp()
            finally:
                self.secondary -= "void-per-query" in self.fixes

        def validated_ptrs(self):
            if not self.fixes & {"ptr-dns-error", "void-per-query"}:
                return super().validated_ptrs()
            try:
                names = self.dns_ptr(self.i)
            except spf.TempError:
                if "ptr-dns-error" not in self.fixes:
                    raise
                return []
            out = []
            self.secondary += "void-per-query" in self.fixes
            try:
                for name in names[:spf.MAX_PTR]:
                    try:
                        addrs = self.dns_a(name, self.A)
                    except spf.TempError:
                        if "ptr-dns-error" not in self.fixes:
                            raise
                        continue
                    if self.cidrmatch(addrs, self.cidrmax):
                        out.append(name)
            finally:
                self.secondary -= "void-per-query" in self.fixes
            return out

    return Query


QUERY = None


def pyspf_result(ip, domain, fixes=frozenset()):
    global QUERY
    if QUERY is None:
        QUERY = rfc_query_class()
    try:
        q = QUERY(i=ip, s="postmaster@" + domain, h=domain, querytime=0,
                  timeout=10)
        q.fixes = frozenset(fixes)
        return q.check()[0]
    except Exception as x:  # pyspf crashed: its own failure
        return "crash:" + type(x).__name__


def explain(ip, domain, mine):
    """The smallest sets of corrections (one, else two) that make pyspf
    agree, each as "a+b"; or None when not even all of them do."""
    import itertools
    for n in (1, 2):
        sets = ["+".join(c) for c in itertools.combinations(DEVIATIONS, n)
                if pyspf_result(ip, domain, set(c)) == mine]
        if sets:
            return sets
    if pyspf_result(ip, domain, set(DEVIATIONS)) == mine:
        return ["+".join(DEVIATIONS)]
    return None


def verifier_results(binary, port, domain, ips):
    cmd = [binary, "check", domain, "--resolver", f"127.0.0.1:{port}",
           "--timeout", "3000"]
    for ip in ips:
        cmd += ["--spf-ip", ip]
    env = dict(os.environ, SENDERAUTH_CONFIG="/dev/null")
    p = subprocess.run(cmd, capture_output=True, env=env, timeout=120)
    if p.returncode != 0:
        return {ip: f"exit{p.returncode}" for ip in ips}
    root = ET.fromstring(p.stdout)
    got = {e.get("ip"): e.text for e in root.findall("./spf/result")}
    return {ip: got.get(ip, "missing") for ip in ips}


def compare_case(binary, port, case):
    """(case, rows): per address, the verifier's result, pyspf's, and the
    corrections that explain a difference (None: unexplained)."""
    d = case["domain"]
    mine = verifier_results(binary, port, d, case["ips"])
    out = []
    for ip in case["ips"]:
        theirs = pyspf_result(ip, d)
        why = explain(ip, d, mine[ip]) if theirs != mine[ip] else []
        out.append((ip, mine[ip], theirs, why))
    return case, out


def compare(args):
    with open(args.cases) as f:
        data = json.load(f)
    seed, cases = data["seed"], data["cases"]
    use_nsd(args.port)
    t0 = time.time()
    n_ip = agree = 0
    bad = []
    explained = {}
    seen = {}  # the verifier's results, for the summary
    with ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = [ex.submit(compare_case, args.verifier, args.port, c)
                for c in cases]
        for fut in futs:
            case, rows = fut.result()
            n_ip += len(rows)
            k, dom = case["k"], case["domain"]
            unexplained = False
            for ip, m, p, why in rows:
                seen[m] = seen.get(m, 0) + 1
                if m == p:
                    agree += 1
                    if args.verbose:
                        print(f"ok - case {k} {dom} {ip}: {m}")
                elif why:
                    for w in why:
                        explained[w] = explained.get(w, 0) + 1
                    print(f"ok - case {k} {dom} {ip}: verifier {m}, "
                          f"pyspf {p}: pyspf deviation {', '.join(why)}")
                else:
                    unexplained = True
                    print(f"not ok - case {k} {dom} {ip}: verifier {m}, "
                          f"pyspf {p} (replay: --seed {seed} --case {k})")
            if unexplained:
                bad.append(k)
                for name, recs in sorted(case["records"].items()):
                    for rec in recs:
                        print(f"#   {name}: {rec}")
    dt = time.time() - t0
    n_ex = n_ip - agree
    print(f"# spf-diff: seed {seed}, {len(cases)} record sets, {n_ip} "
          f"addresses: {agree} agree, {n_ex} differ", end="")
    print(f" ({sum(explained.values())} by pyspf deviations of the README"
          f"{': ' if explained else ''}"
          + ", ".join(f"{w} {n}" for w, n in sorted(explained.items()))
          + f"), {len(bad)} record sets with an unexplained "
          f"disagreement; {dt:.1f} s")
    print("# results: " + ", ".join(f"{r} {seen.get(r, 0)}"
                                    for r in RESULTS + tuple(
                                        sorted(set(seen) - set(RESULTS)))))
    if not bad:
        print(f"ok - spf-diff: {len(cases)} record sets, no unexplained "
              f"disagreement with pyspf")
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser()
    sp = ap.add_subparsers(dest="cmd", required=True)
    g = sp.add_parser("generate")
    g.add_argument("--seed", type=int, required=True)
    g.add_argument("--cases", type=int, default=300)
    g.add_argument("--case", type=int)
    g.add_argument("--out", required=True)
    c = sp.add_parser("compare")
    c.add_argument("--cases", required=True)
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--verifier", required=True)
    c.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    c.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if args.cmd == "generate":
        generate(args)
        return 0
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
