#!/usr/bin/python3
"""dkim-verify.py - test tool: verifies the DKIM signatures of the message on
standard input with python3-dkim (an implementation independent of
OpenDKIM and rspamd), reading public keys from the DNS server given.

    dkim-verify.py 127.0.0.1:PORT < message

Prints "pass d=<domain> s=<selector>" for each signature that verifies and
"fail d=... s=...: <why>" for each that does not; exit 0 when there is at
least one signature and all verify, 1 otherwise.
"""
import sys

import dkim
import dns.resolver


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    res = dns.resolver.Resolver(configure=False)
    res.nameservers = [host]
    res.port = int(port)

    def txt(name, timeout=5):
        try:
            ans = res.resolve(name.decode().rstrip("."), "TXT",
                              lifetime=timeout)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return None
        return b"".join(ans[0].strings)

    msg = sys.stdin.buffer.read()
    d = dkim.DKIM(msg)
    sigs = [v for (k, v) in d.headers if k.lower() == b"dkim-signature"]
    if not sigs:
        print("fail: no DKIM-Signature")
        return 1
    ok = True
    for i, sig in enumerate(sigs):
        tags = dkim.util.parse_tag_value(b"".join(sig.split()))
        who = "d=%s s=%s" % (tags[b"d"].decode(), tags[b"s"].decode())
        try:
            good = d.verify(idx=i, dnsfunc=txt)
            why = "" if good else ": signature does not verify"
        except dkim.DKIMException as e:
            good, why = False, ": %s" % e
        print(("pass " if good else "fail ") + who + why)
        ok = ok and good
    return 0 if ok else 1


sys.exit(main())
