#!/usr/bin/env bash
# t450-alerts.sh - the alerts of a domain going 設定済 -> 未設定
# (regression) and becoming fully 設定済 for the first time (completion),
# against PostgreSQL, the verifier over NSD, a sendmail stand-in that
# records what it is given (no real receiver runs here) and a webhook
# receiver on loopback that checks the signature: each alert is mailed once
# to the organization's accounts with addresses in the domain, in
# Japanese, with the reason sentence of the page and a link to the card;
# a flap within notify_min_interval_s mails nothing more; an alert whose
# sending failed after its verdict was written (the verifier killed, or
# sendmail failing) goes out exactly once at the next run; a claim whose
# lease is still running is left alone; others get nothing.
source "$(dirname "$0")/../lib/common.sh"
source "$SA_TOP/tests/lib/stack.sh"
source "$SA_TOP/tests/lib/nsd.sh"
source "$SA_TOP/tests/integration/lib.sh"
SA_PG_FAST=1

mkdir -p "$T/zones" "$T/mail" "$T/hook"
sa_platform_zone "$T/zones"
sa_soa example.jp >"$T/zones/example.jp.zone"
sa_nsd_start "$T/zones" m01-ahd-sys.net example.jp || { not_ok "nsd starts"; exit 1; }

# The sendmail stand-in: each message it accepts in mail/N.eml with its
# arguments in mail/N.args; while sendmail-fail exists it reads the
# message and exits 75 (EX_TEMPFAIL), as sendmail does when it cannot
# queue.
cat >"$T/sendmail" <<EOF
#!/bin/sh
if [ -e "$T/sendmail-fail" ]; then cat >/dev/null; exit 75; fi
f=\$(mktemp "$T/mail/XXXXXXXX")
cat >"\$f.eml"
echo "\$@" >"\$f.args"
rm -f "\$f"
EOF
chmod +x "$T/sendmail"

# The webhook receiver: each POST in hook/N.xml with its signature check
# (hook/N.sig: "valid" when the header is HMAC-SHA256 of the body under
# the session key); answers 500 while hook-fail exists.
cat >"$T/hook.py" <<'EOF'
import hashlib, hmac, http.server, os, sys, tempfile
port, keyfile, out, fail = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers['Content-Length']))
        if os.path.exists(fail):
            self.send_response(500); self.end_headers(); return
        key = open(keyfile, 'rb').read()
        want = 'sha256=' + hmac.new(key, body, hashlib.sha256).hexdigest()
        got = self.headers.get('X-Senderauth-Signature', '')
        fd, path = tempfile.mkstemp(dir=out)
        os.write(fd, body); os.close(fd)
        os.rename(path, path + '.xml')
        with open(path + '.sig', 'w') as f:
            f.write('valid' if hmac.compare_digest(want, got) else 'invalid')
        with open(path + '.hdr', 'w') as f:
            f.write(got + '\n' + self.headers.get('Content-Type', ''))
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(('127.0.0.1', port), H).serve_forever()
EOF
hport=$(sa_free_port)

conf=("resolver = 127.0.0.1:$SA_NSD_PORT" "dns_timeout_ms = 300" "dns_tries = 1"
	"dkim_bits = 1024" "verify_lease_s = 60"
	"sendmail_command = $T/sendmail -t -i"
	"notify_from = Mail settings <noreply@platform.example>"
	"notify_url = http://127.0.0.1:$hport/hook"
	"site_url = https://portal.example/mail-settings/"
	"notify_min_interval_s = 3600")
sa_stack_start "${conf[@]}" || { not_ok "stack starts"; exit 1; }
sa_bg hook python3 "$T/hook.py" "$hport" "$SA_DIR/session.key" "$T/hook" "$T/hook-fail"
sa_wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$hport/" ||
	{ not_ok "webhook receiver starts"; exit 1; }

org=$(sa_org "株式会社〇〇〇〇")
taro=$(sa_account "$org" "山田 太郎")
hanako=$(sa_account "$org" "佐藤 花子")
jiro=$(sa_account "$org" "鈴木 次郎")
org2=$(sa_org "別会社")
ken=$(sa_account "$org2" "田中 健")
ct=$(sa_mint "$taro" "$org")
csrf=$(csrf_of "$ct")
post /mail-settings/add-domain "$ct" csrf="$csrf" domain=example.jp
post /mail-settings/register "$ct" csrf="$csrf" address=sales@example.jp
post /mail-settings/register "$ct" csrf="$csrf" address=info@EXAMPLE.JP
ch=$(sa_mint "$hanako" "$org")
post /mail-settings/register "$ch" csrf="$(csrf_of "$ch")" address=hanako@example.jp
cj=$(sa_mint "$jiro" "$org")
post /mail-settings/register "$cj" csrf="$(csrf_of "$cj")" address=jiro@other.example
ck=$(sa_mint "$ken" "$org2")
post /mail-settings/register "$ck" csrf="$(csrf_of "$ck")" address=ken@example.jp
get /mail-settings/api/ "$ct"
id=$(xpath 'string(//domain/@id)')
sel=$(xpath 'string(//domain/dkim/@selector)')
dkim=$(xpath 'string(//domain/dkim/record/@value)')
check "set up: a domain and four addresses" test -n "$id" -a "$CODE" = 200

run() { "$BUILD/verifier" run 2>>"$T/verifier.err"; }
due_now() { sa_psql -c "UPDATE domains SET due_at = now()" >/dev/null; }
# zone SPF-POLICY: example.jp with its DKIM record and SPF ending so.
zone() {
	sa_soa example.jp >"$T/zones/example.jp.zone"
	printf '%s\n' "@ IN TXT \"v=spf1 include:m01-ahd-sys.net $1\"" \
		"$sel._domainkey IN TXT ( \"${dkim:0:200}\" \"${dkim:200}\" )" \
		>>"$T/zones/example.jp.zone"
	sa_nsd_restart
}
check_run() { due_now && run >/dev/null; }
status() { sa_psql -tAc "SELECT spf_status || ' ' || dkim_status FROM domains WHERE id = $id"; }
nmail() { find "$T/mail" -name '*.eml' | wc -l; }
nhook() { find "$T/hook" -name '*.xml' | wc -l; }
# mails: "To<TAB>Subject" of every message received, decoded, sorted.
mails() {
	python3 - "$T/mail" <<'EOF'
import email, email.header, email.policy, glob, sys
rows = []
for f in glob.glob(sys.argv[1] + '/*.eml'):
    m = email.message_from_binary_file(open(f, 'rb'), policy=email.policy.default)
    rows.append('%s\t%s' % (m['To'], m['Subject']))
print('\n'.join(sorted(rows)))
EOF
}
# mail_part FILE WHAT: a message's header (raw) or decoded body.
mail_part() {
	python3 - "$1" "$2" <<'EOF'
import email, email.policy, sys
raw = open(sys.argv[1], 'rb').read()
m = email.message_from_bytes(raw, policy=email.policy.default)
w = sys.argv[2]
if w == 'body':
    print(m.get_content())
elif w == 'raw':
    sys.stdout.write(raw.decode('utf-8'))
else:
    print(m[w])
EOF
}
newest() { ls -t "$T/$1"/*."$2" | head -1; }
clear_received() { rm -f "$T"/mail/* "$T"/hook/*; }
# catalogue CODE: the page's sentence for an SPF or DKIM reason, markup
# dropped (xsl/messages.ja.xml, spf.reason.CODE or dkim.reason.CODE).
catalogue() {
	python3 - "$SA_TOP/xsl/messages.ja.xml" "$1" <<'EOF'
import re, sys
s = open(sys.argv[1], encoding='utf-8').read()
m = re.search(r'match="k:%s">(.*?)</xsl:template>' % re.escape(sys.argv[2]), s)
print(re.sub(r'<[^>]+>', '', m.group(1)))
EOF
}

# --- the mail's sentences are the page's
python3 - "$SA_TOP/lib/verify/notify.c" "$SA_TOP/xsl/messages.ja.xml" >"$T/sentences" <<'EOF'
import re, sys
c = open(sys.argv[1], encoding='utf-8').read()
x = open(sys.argv[2], encoding='utf-8').read()
bad = n = 0
for kind in ('spf', 'dkim'):
    table = re.search(r'%s_reasons\[\] = \{(.*?)\n\};' % kind, c, re.S).group(1)
    # an entry's text may be split into adjacent literals
    pairs = [(k, ''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', v))) for k, v in
             re.findall(r'\{"([a-z_]+)",((?:\s*"(?:[^"\\]|\\.)*")+)\}', table)]
    page = {k: re.sub(r'<[^>]+>', '', v) for k, v in
            re.findall(r'match="k:%s\.reason\.([a-z_]+)">(.*?)</xsl:template>' % kind, x)}
    n += len(pairs)
    for k, v in pairs:
        if page.get(k) != v:
            bad += 1
            print('differs: %s.reason.%s' % (kind, k))
    for k in page:
        if k not in dict(pairs):
            bad += 1
            print('missing in the mail: %s.reason.%s' % (kind, k))
print('%d %d' % (n, bad))
EOF
check_eq "every reason sentence of the mail is the page's" 0 "$(tail -1 "$T/sentences" | cut -d' ' -f2)"

# --- completion: the first 設定済, mailed once to each account concerned
zone '~all'
check_run
check_eq "verified" "verified verified" "$(status)"
check_eq "completion: one mail per account with addresses in the domain" \
	"$(printf '%s\t%s\n%s\t%s' "hanako@example.jp" "【メール設定】example.jp のSPF/DKIM設定が完了しました" \
		"info@EXAMPLE.JP, sales@example.jp" "【メール設定】example.jp のSPF/DKIM設定が完了しました")" \
	"$(mails)"
check "nobody else: not the account without an address there, not the other organization" \
	eval '! grep -lq -e jiro -e ken "$T"/mail/*.eml'
m=$(ls "$T"/mail/*.eml | head -1)
check "sendmail is given -t -i and the message on its standard input" \
	eval 'grep -qx -- "-t -i" "$T"/mail/*.args'
mail_part "$m" raw >"$T/raw"
check "the Subject is MIME-encoded UTF-8" grep -q '^Subject: =?UTF-8?B?' "$T/raw"
check "the body is base64 of UTF-8 text" \
	eval 'grep -q "^Content-Type: text/plain; charset=UTF-8" "$T/raw" && grep -q "^Content-Transfer-Encoding: base64" "$T/raw"'
check "a From header and a Message-ID" \
	eval 'grep -q "^From: " "$T/raw" && grep -q "^Message-ID: <senderauth-alert-[0-9]*@" "$T/raw"'
check_eq "From is notify_from" "Mail settings <noreply@platform.example>" "$(mail_part "$m" From)"
mail_part "$m" body >"$T/body1"
# kept with the test's output, for a person to read
[ -n "${SA_TEST_OUT:-}" ] && cp "$T/body1" "$SA_TEST_OUT/t450-completion-mail.txt"
check "completion: the Japanese text says it is done" grep -qF "example.jp のSPFレコードとDKIMレコードがDNSで確認でき、「設定済」になりました。" "$T/body1"
check "completion: the reason sentences of the page" \
	eval 'grep -qxF "$(catalogue spf.reason.ok)" "$T/body1" && grep -qxF "$(catalogue dkim.reason.ok)" "$T/body1"'
check "completion: the link to the card" grep -qxF "https://portal.example/mail-settings/#domain-$id" "$T/body1"
# secret_in FILE: whether FILE holds a key file's bytes, or them in base64
# or hex (compared as bytes: a key is 32 random bytes, and as a grep
# pattern each of its newlines would start another, perhaps short, pattern)
secret_in() {
	python3 - "$1" "$SA_DIR/session.key" "$SA_DIR/master.key" <<'PY'
import base64, sys
data = open(sys.argv[1], 'rb').read()
for f in sys.argv[2:]:
    k = open(f, 'rb').read()
    if any(x in data for x in (k, base64.b64encode(k), k.hex().encode())):
        sys.exit(0)
sys.exit(1)
PY
}
check "no secret in the mail: no session or master key, no private key" \
	eval '! grep -qi "private" "$T/body1" && ! secret_in "$T/raw"'
check_eq "completion: one webhook" 1 "$(nhook)"
h=$(newest hook xml)
check_eq "the webhook's signature verifies with the session key" valid "$(cat "${h%.xml}.sig")"
check "the webhook's signature header and type" \
	eval 'grep -Eqx "sha256=[0-9a-f]{64}" <(head -1 "${h%.xml}.hdr") && grep -qx "text/xml; charset=utf-8" <(tail -1 "${h%.xml}.hdr")'
check "a wrong key would not verify it" python3 - "$h" "${h%.xml}.hdr" <<'EOF'
import hashlib, hmac, sys
body = open(sys.argv[1], 'rb').read()
got = open(sys.argv[2]).readline().strip()
wrong = 'sha256=' + hmac.new(b'\0' * 32, body, hashlib.sha256).hexdigest()
sys.exit(0 if got.startswith('sha256=') and not hmac.compare_digest(wrong, got) else 1)
EOF
check_eq "the webhook is the event as XML" \
	"completion $id example.jp verified ok verified ok https://portal.example/mail-settings/#domain-$id" \
	"$(xmllint --xpath 'concat(/alert/@kind, " ", /alert/@domain-id, " ", /alert/@domain, " ", /alert/spf/@status, " ", /alert/spf/@reason, " ", /alert/dkim/@status, " ", /alert/dkim/@reason, " ", /alert/@url)' "$h")"
check_eq "every alert row is marked sent" "3 0" \
	"$(sa_psql -tAc "SELECT count(*) || ' ' || count(*) FILTER (WHERE sent_at IS NULL) FROM notify_outbox")"

# --- no change: nothing more
clear_received
check_run
check_eq "still verified: nothing sent" "0 0" "$(nmail) $(nhook)"

# --- regression: 設定済 -> 未設定, mailed once with the reason
zone '-all'
check_run
check_eq "regression: unverified" "unverified verified" "$(status)"
check_eq "regression: one mail per account" \
	"$(printf '%s\t%s\n%s\t%s' "hanako@example.jp" "【メール設定】example.jp のSPF/DKIM設定が未設定になりました" \
		"info@EXAMPLE.JP, sales@example.jp" "【メール設定】example.jp のSPF/DKIM設定が未設定になりました")" \
	"$(mails)"
mail_part "$(ls "$T"/mail/*.eml | head -1)" body >"$T/body2"
[ -n "${SA_TEST_OUT:-}" ] && cp "$T/body2" "$SA_TEST_OUT/t450-regression-mail.txt"
check "regression: what changed" grep -qF "「設定済」から「未設定」に変わりました" "$T/body2"
check "regression: the reason sentence of the page" \
	eval 'grep -qxF "SPF: 未設定" "$T/body2" && grep -qxF "$(catalogue spf.reason.hardfail_all)" "$T/body2"'
check "regression: the link to the card" grep -qxF "https://portal.example/mail-settings/#domain-$id" "$T/body2"
check_eq "regression: one webhook, signed" "1 valid regression" \
	"$(nhook) $(cat "$(newest hook sig)") $(xmllint --xpath 'string(/alert/@kind)' "$(newest hook xml)")"

# --- a flap within notify_min_interval_s: logged, not mailed again
clear_received
zone '~all'
check_run
check_eq "fixed: verified again" "verified verified" "$(status)"
zone '-all'
check_run
check_eq "broken again within the interval" "unverified verified" "$(status)"
check_eq "the flap mails nothing (and the fix is no first completion)" "0 0" "$(nmail) $(nhook)"
check_eq "the log has every change (broken, fixed, broken)" 3 \
	"$(sa_psql -tAc "SELECT count(*) FROM events WHERE object_id = $id AND action = 'status_changed' AND old_spf IS NOT NULL AND old_spf <> 'pending'")"

# --- the interval over: a regression whose sending fails after the
# verdict (sendmail failing, the webhook answering 500, as a verifier
# killed after its verdict leaves it) goes out exactly once later
sa_psql -c "UPDATE notify_outbox SET created_at = created_at - interval '2 hours'" >/dev/null
zone '~all'
check_run
touch "$T/sendmail-fail" "$T/hook-fail"
zone '-all'
out=$(due_now && run)
check_eq "the verdict is written though nothing could be sent" "unverified verified" "$(status)"
check "the run says what failed" eval 'echo "$out" | grep -qx "verifier: alerts sent 0, failed 3"'
check_eq "nothing received" "0 0" "$(nmail) $(nhook)"
check_eq "the alert waits in the outbox" 3 \
	"$(sa_psql -tAc "SELECT count(*) FROM notify_outbox WHERE sent_at IS NULL")"
admin_alerts() { "$BUILD/senderauth-admin" status 2>>"$T/verifier.err" | sed -n 's/^alerts: //p'; }
check "senderauth-admin status shows them, the oldest and its tries" \
	eval 'admin_alerts | grep -Eqx "3 unsent, the oldest from [0-9T:+-]+, tried up to 1 times"'
rm -f "$T/sendmail-fail" "$T/hook-fail"
check_run
check_eq "the next run sends it: once per account, one webhook" "2 1" "$(nmail) $(nhook)"
"$BUILD/verifier" notify >/dev/null 2>>"$T/verifier.err"
check_run
check_eq "and never again" "2 1" "$(nmail) $(nhook)"
check_eq "the outbox is empty of unsent rows" 0 \
	"$(sa_psql -tAc "SELECT count(*) FROM notify_outbox WHERE sent_at IS NULL")"
check_eq "… and status says so" "none unsent" "$(admin_alerts)"

# --- a sender killed while it held a claim: its lease keeps others off
# until it runs out, then the row is sent once
clear_received
sa_psql -c "UPDATE notify_outbox SET created_at = created_at - interval '2 hours'" >/dev/null
touch "$T/sendmail-fail" "$T/hook-fail"
zone '~all'
check_run
zone '-all'
check_run
rm -f "$T/sendmail-fail" "$T/hook-fail"
sa_psql -c "UPDATE notify_outbox SET claim_owner = 'killed', claimed_until = now() + interval '1 hour' WHERE sent_at IS NULL" >/dev/null
"$BUILD/verifier" notify >/dev/null 2>>"$T/verifier.err"
check_eq "a claim whose lease runs is left alone" "0 0" "$(nmail) $(nhook)"
sa_psql -c "UPDATE notify_outbox SET claimed_until = now() - interval '1 second' WHERE sent_at IS NULL" >/dev/null
"$BUILD/verifier" notify >/dev/null 2>>"$T/verifier.err"
"$BUILD/verifier" notify >/dev/null 2>>"$T/verifier.err"
check_eq "its lease over, the alert is sent once" "2 1" "$(nmail) $(nhook)"

# --- the outbox is written with the verdict or not at all
n0=$(sa_psql -tAc "SELECT count(*) FROM notify_outbox")
c0=$(sa_psql -tAc "SELECT checks FROM domains WHERE id = $id")
zone '~all'
due_now
sa_psql -c "CREATE FUNCTION t450_fail() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RAISE EXCEPTION 'no'; END \$\$; CREATE TRIGGER t450_fail BEFORE INSERT ON notify_outbox FOR EACH ROW EXECUTE FUNCTION t450_fail()" >/dev/null
sa_psql -c "UPDATE notify_outbox SET created_at = created_at - interval '2 hours'" >/dev/null
sa_psql -c "UPDATE domains SET verified_at = NULL WHERE id = $id" >/dev/null # a first completion
run >/dev/null 2>&1
check_eq "an outbox that cannot be written keeps the verdict from being written" \
	"$c0 unverified $n0" \
	"$(sa_psql -tAc "SELECT checks || ' ' || spf_status FROM domains WHERE id = $id") $(sa_psql -tAc "SELECT count(*) FROM notify_outbox")"
sa_psql -c "DROP TRIGGER t450_fail ON notify_outbox" >/dev/null
sa_done
