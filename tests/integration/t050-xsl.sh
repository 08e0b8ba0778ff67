#!/usr/bin/env bash
# t050-xsl.sh - the presentation layer on its own, no stack needed:
# xsl/senderauth.rng against the vocabulary examples, xsl/page.xsl rendered
# with xsltproc (the libxslt nginx uses) against golden HTML, the texts of
# every code, escaping of hostile data, and the message catalogues.
#
# SA_REWRITE_GOLDEN=1 bash tests/integration/t050-xsl.sh rewrites
# tests/golden/*.html from the examples and shows what changed.
. "$(dirname "$0")/../lib/common.sh"
cd "$SA_TOP" || exit 1

XSL=xsl/page.xsl
RNG=xsl/senderauth.rng
G=tests/golden
EX=$G/settings-example.xml

if ! command -v xsltproc >/dev/null || ! command -v xmllint >/dev/null; then
	not_ok "xsltproc and xmllint installed (tests/lib/deps.sh)"
	exit 1
fi

# render OUT ARGS...: xsltproc ARGS into OUT; fails on any libxslt message.
render() {
	local out=$1
	shift
	xsltproc "$@" >"$out" 2>"$out.err" && [ ! -s "$out.err" ]
}
# has FILE TEXT / hasnt FILE TEXT: fixed-string search.
has() { grep -qF -- "$2" "$1"; }
hasnt() { ! grep -qF -- "$2" "$1"; }
# One tag per line, for readable diffs of the one-line HTML.
split_tags() { sed 's/></>\n</g' "$1"; }
# A key with no catalogue entry renders as [key].
no_missing_key() { ! grep -qE '\[[a-z][a-z0-9_]*(\.[a-z0-9_]+)+\]' "$1"; }
valid() { xmllint --noout --relaxng "$RNG" "$1" 2>"$T/xmllint.err"; }

# Helper stylesheets, written once: the values of an RNG define, the keys
# of a catalogue, and an editor that changes one attribute of the example.
cat >"$T/values.xsl" <<'EOF'
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:r="http://relaxng.org/ns/structure/1.0">
  <xsl:output method="text"/>
  <xsl:param name="define"/>
  <xsl:template match="/">
    <xsl:for-each select="//r:define[@name = $define]//r:value[. != '']">
      <xsl:value-of select="concat(., '&#10;')"/>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
EOF
cat >"$T/keys.xsl" <<'EOF'
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text"/>
  <xsl:template match="/">
    <xsl:for-each select="/*/xsl:template[starts-with(@match, 'k:')]">
      <xsl:value-of select="concat(substring-after(@match, 'k:'), '&#10;')"/>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
EOF
# edit.xsl: copy of the input with attribute $attr of the elements at
# $path (a name: spf, dkim, dmarc, settings, error, event) set to $value;
# drop=dkim-record removes the DKIM key: dkim/record, dkim/@state and the
# keys of a rotation (next, retiring, retired).
cat >"$T/edit.xsl" <<'EOF'
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:param name="path" select="''"/>
  <xsl:param name="attr" select="''"/>
  <xsl:param name="value" select="''"/>
  <xsl:param name="drop" select="''"/>
  <xsl:template match="@* | node()">
    <xsl:copy>
      <xsl:apply-templates select="@*"/>
      <xsl:if test="name() = $path">
        <xsl:attribute name="{$attr}"><xsl:value-of select="$value"/></xsl:attribute>
      </xsl:if>
      <xsl:apply-templates select="node()"/>
    </xsl:copy>
  </xsl:template>
  <xsl:template match="dkim/record | dkim/@state | dkim/next | dkim/retiring | dkim/retired">
    <xsl:if test="$drop != 'dkim-record'"><xsl:copy-of select="."/></xsl:if>
  </xsl:template>
</xsl:stylesheet>
EOF
rng_values() { xsltproc --stringparam define "$1" "$T/values.xsl" "$RNG"; }
# variant NAME PATH ATTR VALUE [DROP]: $T/NAME.xml from the example.
variant() {
	xsltproc --stringparam path "$2" --stringparam attr "$3" \
		--stringparam value "$4" --stringparam drop "${5:-}" \
		"$T/edit.xsl" "$EX" >"$T/$1.xml"
}

# ---- the schema ----
for x in "$G"/*-example.xml; do
	check "$(basename "$x") validates against senderauth.rng" valid "$x"
done
variant bad-notice settings notice bogus
check "schema rejects an unknown notice code" eval '! valid "$T/bad-notice.xml"'
variant bad-reason spf reason no_such_reason
check "schema rejects an unknown SPF reason" eval '! valid "$T/bad-reason.xml"'
variant bad-state dkim state retiring
check "schema rejects a dkim state other than active or pending" eval '! valid "$T/bad-state.xml"'
variant bad-auth address reason no_such_reason
check "schema rejects an unknown address reason" eval '! valid "$T/bad-auth.xml"'
sed 's/<retiring selector="20261001"/<retiring/' "$EX" >"$T/bad-retiring.xml"
check "schema rejects a retiring key without a selector" eval '! valid "$T/bad-retiring.xml"'

# ---- golden HTML ----
golden() { # golden NAME XML [XSLTPROC ARGS...]
	local name=$1 xml=$2
	shift 2
	if ! render "$T/$name.html" "$@" "$XSL" "$xml"; then
		not_ok "$name.html renders"
		cat "$T/$name.html.err"
		return
	fi
	if [ -n "${SA_REWRITE_GOLDEN:-}" ]; then
		if [ -f "$G/$name.html" ] && cmp -s "$G/$name.html" "$T/$name.html"; then
			ok "$name.html unchanged"
			return
		fi
		if [ -f "$G/$name.html" ]; then
			diff -u --label "a/$G/$name.html" --label "b/$G/$name.html" \
				<(split_tags "$G/$name.html") <(split_tags "$T/$name.html")
		fi
		cp "$T/$name.html" "$G/$name.html"
		ok "$name.html rewritten"
	elif cmp -s "$G/$name.html" "$T/$name.html"; then
		ok "$name.html matches the golden file"
	else
		not_ok "$name.html matches the golden file (SA_REWRITE_GOLDEN=1 to rewrite)"
		diff -u <(split_tags "$G/$name.html") <(split_tags "$T/$name.html") |
			head -n 40 | sed 's/^/# /'
	fi
}
golden settings-example "$EX"
golden error-example "$G/error-example.xml"
golden log-example "$G/log-example.xml"
golden settings-example.en "$EX" --stringparam lang en

# ---- the settings page ----
S=$T/settings-example.html
check "HTML5 doctype and lang=ja" eval 'head -c 200 "$S" | grep -q "^<!DOCTYPE html>" && has "$S" "<html lang=\"ja\">"'
for text in \
	'<h1>メール設定</h1>' '株式会社〇〇〇〇' '山田 太郎' \
	'href="/mail-settings/log">ログ</a>' \
	'アカウント設定を更新しました' \
	'<div class="box err" role="alert">下記にエラーがあります。</div>' \
	'送信元メールアドレスを編集' '送信者アドレス' '必須' 'SMTPサーバ' \
	'SMTPポート' 'SMTPユーザ名' 'SMTPパスワード' '備考' \
	'SPF利用時は空欄のまま' '空欄の場合は587が自動入力されます' \
	'佐藤 花子さんが既に taro@example.jp を登録済みです' \
	'<button type="submit" class="btn primary">登録</button>' \
	'<input type="hidden" name="id" value="7">' \
	'<input type="hidden" name="csrf" value="b64urltoken">' \
	'メールアドレス情報' 'メールアドレス登録者' \
	'href="/mail-settings/?edit=7">編集</a>' \
	'ドメイン情報' '新規ドメインを追加' \
	'メールアドレスの @ の後ろにあるドメイン名を入力してください' \
	'value="Example.JP."' \
	'action="/mail-settings/add-domain"' \
	'<input type="hidden" name="confirm_readd" value="1">' \
	'ドメイン「example.jp」を削除しますか？' \
	'<input type="hidden" name="confirm" value="1">' \
	'<strong class="dname">日本語.jp</strong>' 'xn--wgv71a119e.jp' \
	'<th>For</th>' '<th>種別</th>' '<th class="entry">エントリ</th>' \
	'未設定' '~all に変更してください' \
	'今すぐ確認' \
	'20261126._domainkey.xn--wgv71a119e.jp' \
	'value="v=spf1 ip4:210.198.21.20 include:m01-ahd-sys.net ~all"' \
	'IN TXT ( "v=DKIM1; k=rsa; p=MIIB..." "..." )</textarea>' \
	'data-copy="dkim-3-zone"' 'コピー' \
	'<script src="/mail-settings/static/senderauth.js"></script>' \
	'<code class="found">v=spf1 include:_spf.example.net -all</code>' \
	'設定されています（ポリシー: none）' \
	'2026/11/26 10:05' \
	'既にSPFレコードがある場合' \
	'<code>ip4:210.198.21.20 include:m01-ahd-sys.net</code> を追加してください'; do
	check "settings page shows: $text" has "$S" "$text"
done

# DKIM key rotation: domain 3 has a pending key (再発行), domain 4 an active
# key with a rotation under way (next), the previous key (retiring) and a
# retired one.
F='<form class="inline" method="post" action="/mail-settings/reissue#domain-3"><input type="hidden" name="csrf" value="b64urltoken">'
check "pending key: DKIMキーを再発行 posts id and rotate=1 to reissue, at the card" \
	has "$S" "$F"'<input type="hidden" name="id" value="3"><input type="hidden" name="rotate" value="1"><button type="submit" class="btn">DKIMキーを再発行</button></form>'
check "active key: DKIMキーを更新 posts id and rotate=1 (no confirm) to reissue, at the card" \
	has "$S" "${F/domain-3/domain-4}"'<input type="hidden" name="id" value="4"><input type="hidden" name="rotate" value="1"><button type="submit" class="btn">DKIMキーを更新</button></form>'
check "only the active keys' buttons say 更新" eval '[ "$(grep -o "DKIMキーを更新</button>" "$S" | wc -l)" = "$(grep -c "state=\"active\"" "$EX")" ]'
for text in \
	'<p class="muted">DKIMキーを更新中です（新しいレコードの確認待ち）。</p>' \
	'<p class="kstate keep">現在のレコード（署名に使用中・削除しないでください）</p>' \
	'<p class="kstate add">追加するレコード（新しいキー）</p><span class="st no">未設定</span><p class="why">DKIMレコードが見つかりません。' \
	'<td data-label="ドメイン"><span class="mono">20261201._domainkey.example.jp</span>' \
	'data-copy="dkim-4-next"' 'data-copy="dkim-4-next-zone"' \
	'<p class="kstate keep">古いレコード（2026/12/08 10:00まで残してください）</p>' \
	'<td data-label="ドメイン"><span class="mono">20261001._domainkey.example.jp</span>' \
	'<h4>削除できる古いレコード</h4>' \
	'<td data-label="ドメイン"><span class="mono">20260901._domainkey.example.jp</span>'; do
	check "rotation shows: $text" has "$S" "$text"
done
check "rotation: the record to add comes after the current one, the old one last" \
	eval 'grep -o "<td data-label=\"ドメイン\"><span class=\"mono\">20261[0-9]*\._domainkey" "$S" | sed "s/.*>//" | tr -d "\n" | grep -qF "20261120._domainkey20261201._domainkey20261001._domainkey"'
check "pending key without a rotation: no key-state labels on its card" \
	eval '! grep -o "<details class=\"domain\" id=\"domain-3\".*</details><details class=\"domain\" id=\"domain-4\"" "$S" | grep -qE "現在のレコード|追加するレコード|古いレコード"'
sed '/<next /,/<\/next>/d' "$EX" >"$T/nonext.xml"
render "$T/nonext.html" "$XSL" "$T/nonext.xml"
check "active key, no rotation: validates, still 更新, no 現在のレコード label" \
	eval 'valid "$T/nonext.xml" && has "$T/nonext.html" "DKIMキーを更新</button>" && hasnt "$T/nonext.html" "現在のレコード" && hasnt "$T/nonext.html" "更新中"'
sed 's/removable="0"/removable="1"/' "$EX" >"$T/removable.xml"
render "$T/removable.html" "$XSL" "$T/removable.xml"
check "retiring key past its date: 古いレコード（削除できます）" \
	eval 'valid "$T/removable.xml" && has "$T/removable.html" "<p class=\"kstate old\">古いレコード（削除できます）</p>" && hasnt "$T/removable.html" "まで残してください"'
sed 's/<confirm kind="domain" id="3" name="example.jp"\/>/<confirm kind="rotate" id="4" name="example.jp"\/>/' "$EX" >"$T/confirm-rotate.xml"
check "rotation confirmation validates" valid "$T/confirm-rotate.xml"
render "$T/confirm-rotate.html" "$XSL" "$T/confirm-rotate.xml"
render "$T/confirm-rotate.en.html" --stringparam lang en "$XSL" "$T/confirm-rotate.xml"
for text in \
	'ドメイン「example.jp」のDKIMキーを更新しますか？' \
	'新しいセレクタのDKIMレコードを追加していただきます。現在のレコードは有効なままで、新しいレコードがDNSで確認されるまで署名に使われます。' \
	'<form class="actions flat" method="post" action="/mail-settings/reissue"><input type="hidden" name="csrf" value="b64urltoken"><input type="hidden" name="id" value="4"><input type="hidden" name="rotate" value="1"><input type="hidden" name="confirm" value="1"><button type="submit" class="btn primary">DKIMキーを更新</button><a class="btn" href="/mail-settings/#domain-4">キャンセル</a></form>'; do
	check "rotation confirmation shows: $text" has "$T/confirm-rotate.html" "$text"
done
check "rotation confirmation is not a delete" eval 'hasnt "$T/confirm-rotate.html" "を削除しますか" && hasnt "$T/confirm-rotate.html" "action=\"/mail-settings/delete\"><input type=\"hidden\" name=\"csrf\" value=\"b64urltoken\"><input type=\"hidden\" name=\"kind\" value=\"rotate\""'
check "rotation confirmation in English" \
	eval 'has "$T/confirm-rotate.en.html" "<p>Renew the DKIM key of the domain \"example.jp\"?</p><p>You will add a DKIM record at a new selector." && no_missing_key "$T/confirm-rotate.en.html"'

# One SPF record to copy: the merged record when the domain publishes SPF,
# saying it replaces the existing one; the issued record only when there
# is none.
P='v=spf1 ip4:210.198.21.20 include:m01-ahd-sys.net ~all'
M='v=spf1 include:_spf.example.net ip4:210.198.21.20 include:m01-ahd-sys.net ~all'
spf_row() { grep -o "<input id=\"spf-$2\" type=\"text\" readonly spellcheck=\"false\" value=\"[^\"]*\"" "$1" | sed 's/.*value="//; s/"$//'; }
check_eq "SPF found: the row offers the merged record" "$M" "$(spf_row "$S" 3)"
check "… and says it replaces the existing record" \
	has "$S" '<p class="kstate add">既にDNSにあるSPFレコードを、このレコードに置き換えてください（既存の内容に当サービスの設定を統合済みです。SPFレコードは1つのドメインに1つだけです）。</p><div class="copy"><input id="spf-3"'
check "… and the issued record is not offered on that card" \
	eval '! grep -o "<details class=\"domain\" id=\"domain-3\".*</details><details class=\"domain\" id=\"domain-4\"" "$S" | grep -qF "value=\"$P\""'
check "… nor the suggestion a second time" eval 'hasnt "$S" "spf-3-suggested" && [ "$(grep -o "value=\"$M\"" "$S" | wc -l)" = 1 ]'
check_eq "SPF verified: the record as published" "$P" "$(spf_row "$S" 4)"
sed -e '/<found>v=spf1 include:_spf.example.net -all<\/found>/d' -e '/<suggested>/d' \
	-e 's/status="unverified" reason="hardfail_all"/status="unverified" reason="no_record"/' "$EX" >"$T/spf-none.xml"
render "$T/spf-none.html" "$XSL" "$T/spf-none.xml"
check_eq "no SPF record found: the issued record" "$P" "$(spf_row "$T/spf-none.html" 3)"
check "… without a replace note" eval 'valid "$T/spf-none.xml" && hasnt "$T/spf-none.html" "置き換えてください（既存"'
sed 's|<found>v=spf1 include:_spf.example.net -all</found>|&<found>v=spf1 mx ~all</found>|; s/reason="hardfail_all"/reason="multiple_records"/' "$EX" >"$T/spf-two.xml"
render "$T/spf-two.html" "$XSL" "$T/spf-two.xml"
check "two SPF records found: remove them all, publish the one" \
	eval 'valid "$T/spf-two.xml" && has "$T/spf-two.html" "DNSにあるSPFレコードをすべて削除し、このレコード1つに置き換えてください" && [ "$(spf_row "$T/spf-two.html" 3)" = "$M" ]'
sed 's|<found>v=spf1 ip4:210.198.21.20 include:m01-ahd-sys.net ~all</found>|<found>v=spf1 include:m01-ahd-sys.net ~all</found>|' "$EX" >"$T/spf-own.xml"
render "$T/spf-own.html" "$XSL" "$T/spf-own.xml"
check "verified with a record of the customer's own: that record, nothing to change" \
	eval '[ "$(spf_row "$T/spf-own.html" 4)" = "v=spf1 include:m01-ahd-sys.net ~all" ] && has "$T/spf-own.html" "<p class=\"kstate keep\">DNSに登録済みのレコードです。変更は必要ありません。</p>"'

# Addresses whose domain is not authenticated: a reason and a link to the
# domain's card (to the add-domain form when it is not registered).
check "authenticated address: no warning" has "$S" '<span class="mono">taro@example.jp</span></td>'
check "address, SPF not set up: warning links to the domain card" \
	has "$S" '<span class="mono">sales@日本語.jp</span><p class="why">SPFが未設定です <a href="#domain-3">ドメイン情報を確認</a></p>'
check "address, domain not registered: warning links to the add-domain form" \
	has "$S" '<span class="mono">news@example.com</span><p class="why">ドメインが未登録です <a href="#domains">ドメインを追加</a></p>'
check "every #domain-N link has its card, every #id link a target" \
	eval '[ -z "$(grep -o "href=\"#[^\"]*\"" "$S" | sed "s/^href=\"#//; s/\"$//" | sort -u | while read -r id; do has "$S" "id=\"$id\"" || echo "$id"; done)" ]'
for code in $(rng_values address-auth-reason | grep -vx ok); do
	sed "s/reason=\"spf\" domain-id=\"3\"/reason=\"$code\" domain-id=\"3\"/" "$EX" >"$T/aa-$code.xml"
	render "$T/aa-$code.html" "$XSL" "$T/aa-$code.xml"
	check "address reason $code has a sentence" \
		eval 'valid "$T/aa-$code.xml" && no_missing_key "$T/aa-$code.html" && hasnt "$T/aa-$code.html" "送信ドメイン認証が設定されていません"'
done
check "address reason dkim: 有効なDKIMキーがありません" has "$T/aa-dkim.html" '有効なDKIMキーがありません <a href="#domain-3">'

check "password field is never prefilled" \
	eval 'grep -qE "<input id=\"f-smtp_password\" name=\"smtp_password\" type=\"password\" autocomplete=\"new-password\"[^>]*>" "$S" && ! grep -qE "name=\"smtp_password\"[^>]*value=" "$S"'
check "copy buttons are hidden until the script reveals them" \
	eval '! grep -E "<button[^>]*data-copy" "$S" | grep -qv "hidden=\"hidden\""'
check "one script element, no inline handlers" \
	eval '[ "$(grep -o "<script" "$S" | wc -l)" = 1 ] && ! grep -qiE " on[a-z]+=" "$S"'

# Notices, by code.
while read -r code want; do
	variant "n-$code" settings notice "$code"
	render "$T/n-$code.html" "$XSL" "$T/n-$code.xml"
	check "notice $code: $want" has "$T/n-$code.html" "$want"
done <<'EOF'
updated アカウント設定を更新しました
deleted 削除しました
issued 発行が完了しました。
dkim_issued DKIMレコードを発行しました。下記のDKIMレコードをDNSに登録してください。
reissued 新しいDKIMキーを発行しました。DNSのDKIMレコードを下記の新しいレコードに置き換えてください（以前のセレクタのレコードは使われなくなります）。
dkim_failed DKIMレコードの発行に失敗しました。再度、発行ボタンを押下してください。
checked DNSを確認しました
rotation_started 新しいDKIMキーを発行しました。下記の「追加するレコード」をDNSに追加してください。現在のレコードは削除しないでください。
check_tempfail DNSサーバに問い合わせできなかったため、確認できませんでした。
EOF
# About a domain: the notice names it, on its card (the top of the page
# has none), in the colour of its kind.
notice_at() { # notice_at NAME CODE ID: $T/NAME.xml with the notice about domain ID
	sed "s/notice=\"updated\"/notice=\"$2\" notice-domain=\"日本語.jp\" notice-domain-id=\"$3\"/" "$EX" >"$T/$1.xml"
	render "$T/$1.html" "$XSL" "$T/$1.xml"
}
card3() { grep -o '<details class="domain" id="domain-3".*</details><details class="domain" id="domain-4"' "$1"; }
while read -r code class want; do
	notice_at "nd-$code" "$code" 3
	check "notice $code about a domain: on its card, $class: $want" \
		eval 'valid "$T/nd-$code.xml" && card3 "$T/nd-$code.html" | grep -qF "<div class=\"in\"><div role=\"status\" class=\"box $class\">$want" && ! grep -qF "<main><div role=\"status\"" "$T/nd-$code.html"'
done <<'EOF'
issued ok 日本語.jp のSPF/DKIMレコードを発行しました。
reissued warn 日本語.jp の新しいDKIMキーを発行しました。
dkim_issued ok 日本語.jp のDKIMレコードを発行しました。
dkim_failed err 日本語.jp のDKIMレコードの発行に失敗しました。
rotation_started warn 日本語.jp の新しいDKIMキーを発行しました。下記の「追加するレコード」
checked ok 日本語.jp のDNSを確認しました。
check_tempfail warn 日本語.jp のDNSサーバに問い合わせできなかったため、確認できませんでした。前回の確認結果を表示しています。
EOF
notice_at nd-gone deleted 9
check "a deleted domain's notice: above the domain list" \
	eval 'grep -o "<section class=\"card\" id=\"domains\"><h2>ドメイン情報</h2>.*<h3 id=\"add-domain\">" "$T/nd-gone.html" | grep -qF "<div role=\"status\" class=\"box ok\">日本語.jp を削除しました。</div><h3"'
sed 's/notice-domain-id="3"/notice-domain-id="3" notice-from="address"/' "$T/nd-issued.xml" >"$T/nd-from.xml"
render "$T/nd-from.html" "$XSL" "$T/nd-from.xml"
check "a domain taken from an address: the notice says so" \
	eval 'valid "$T/nd-from.xml" && has "$T/nd-from.html" "日本語.jp のSPF/DKIMレコードを発行しました。入力されたメールアドレスから、ドメイン「日本語.jp」を取り出して追加しました。"'
render "$T/nd-from.en.html" --stringparam lang en "$XSL" "$T/nd-from.xml"
check "… in English" has "$T/nd-from.en.html" 'The SPF and DKIM records of 日本語.jp have been issued. You entered an e-mail address; its domain "日本語.jp" was added.'
check "the delete question about a domain is on its card, its cancel goes back there" \
	eval 'card3 "$S" | grep -qF "<div class=\"in\"><div class=\"box warn\" role=\"alert\"><p>ドメイン「example.jp」を削除しますか？</p>" && card3 "$S" | grep -qF "<a class=\"btn\" href=\"/mail-settings/#domain-3\">キャンセル</a>"'
check "… and not at the top" eval '! grep -qF "<div class=\"box err\" role=\"alert\">下記にエラーがあります。</div><div class=\"box warn\"" "$S"'
sed 's/<confirm kind="domain" id="3" name="example.jp"\/>/<confirm kind="address" id="7" name="taro@example.jp"\/>/' "$EX" >"$T/confirm-address.xml"
render "$T/confirm-address.html" "$XSL" "$T/confirm-address.xml"
check "the delete question about an address stays at the top" \
	has "$T/confirm-address.html" '<div class="box err" role="alert">下記にエラーがあります。</div><div class="box warn" role="alert"><p>送信元メールアドレス「taro@example.jp」を削除しますか？</p>'

# More than three domains: a summary linking to the cards; a card whose
# records are all in place starts folded unless a notice is about it.
cat >"$T/many.xsl" <<'EOF2'
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:param name="notice-id" select="''"/>
  <xsl:template match="@* | node()"><xsl:copy><xsl:apply-templates select="@* | node()"/></xsl:copy></xsl:template>
  <xsl:template match="settings/@notice">
    <xsl:copy/>
    <xsl:if test="$notice-id != ''">
      <xsl:attribute name="notice-domain">d5.example.jp</xsl:attribute>
      <xsl:attribute name="notice-domain-id"><xsl:value-of select="$notice-id"/></xsl:attribute>
    </xsl:if>
  </xsl:template>
  <xsl:template match="domains">
    <xsl:copy>
      <xsl:apply-templates select="domain"/>
      <xsl:apply-templates select="domain[@id = '4']" mode="clone"><xsl:with-param name="id" select="5"/></xsl:apply-templates>
      <xsl:apply-templates select="domain[@id = '3']" mode="clone"><xsl:with-param name="id" select="6"/></xsl:apply-templates>
    </xsl:copy>
  </xsl:template>
  <xsl:template match="domain" mode="clone">
    <xsl:param name="id"/>
    <domain id="{$id}" name="d{$id}.example.jp" unicode="d{$id}.example.jp">
      <xsl:apply-templates select="spf"/>
      <dkim><xsl:apply-templates select="dkim/@* | dkim/record | dkim/found"/></dkim>
      <xsl:apply-templates select="dkim/following-sibling::*"/>
    </domain>
  </xsl:template>
</xsl:stylesheet>
EOF2
xsltproc "$T/many.xsl" "$EX" >"$T/many.xml"
render "$T/many.html" "$XSL" "$T/many.xml"
check "more than three domains validate" valid "$T/many.xml"
check "more than three domains: a summary table" has "$T/many.html" '<table class="stack summary"><thead><tr><th>ドメイン</th><th>SPF</th><th>DKIM</th><th>DMARC</th><th>最終確認</th></tr></thead>'
check_eq "… one row per domain, each linking to its card" "#domain-3 #domain-4 #domain-7 #domain-5 #domain-6" \
	"$(grep -o '<table class="stack summary">.*</table>' "$T/many.html" | grep -o 'href="#domain-[0-9]*"' | sed 's/href="//; s/"//' | tr '\n' ' ' | sed 's/ $//')"
check "… a row: name, SPF, DKIM, DMARC with its policy, last check" \
	has "$T/many.html" '<tr><td><a class="dname" href="#domain-5">d5.example.jp</a></td><td data-label="SPF"><span class="st yes">✔ 設定済</span></td><td data-label="DKIM"><span class="st yes">✔ 設定済</span></td><td data-label="DMARC">✔ 設定済（reject）</td><td class="nowrap" data-label="最終確認"><time datetime="2026-12-01T10:05:00+09:00">2026/12/01 10:05</time></td></tr>'
check "… the domain with every record in place starts folded" has "$T/many.html" '<details class="domain" id="domain-5"><summary>'
check "… the others are open (未設定, a rotation under way)" \
	eval 'has "$T/many.html" "<details class=\"domain\" id=\"domain-3\" open=\"open\">" && has "$T/many.html" "<details class=\"domain\" id=\"domain-4\" open=\"open\">" && has "$T/many.html" "<details class=\"domain\" id=\"domain-6\" open=\"open\">"'
check "… a folded card's heading shows its name and statuses" \
	has "$T/many.html" '<summary><strong class="dname">d5.example.jp</strong><span class="chips">SPF <span class="st yes">✔ 設定済</span> · DKIM <span class="st yes">✔ 設定済</span></span></summary>'
xsltproc --stringparam notice-id 5 "$T/many.xsl" "$EX" >"$T/many-n.xml"
render "$T/many-n.html" "$XSL" "$T/many-n.xml"
check "… but open when the notice is about it" has "$T/many-n.html" '<details class="domain" id="domain-5" open="open">'
check "three domains or fewer: no summary, every card open" \
	eval 'hasnt "$S" "class=\"summary\"" && [ "$(grep -o "<details class=\"domain\" id=\"domain-[0-9]*\" open=\"open\">" "$S" | wc -l)" = "$(grep -c "<domain id=" "$EX")" ]'

# Verdicts: every reason code has a sentence; a few say exactly what to do.
for kind in spf dkim; do
	for code in $(rng_values "$kind-reason"); do
		variant "r-$kind-$code" "$kind" reason "$code"
		render "$T/r-$kind-$code.html" "$XSL" "$T/r-$kind-$code.xml"
		check "$kind reason $code has a sentence" \
			eval 'no_missing_key "$T/r-$kind-$code.html" && ! has "$T/r-$kind-$code.html" "を確認できませんでした。"'
	done
done
check "spf multiple_records: merge into one" has "$T/r-spf-multiple_records.html" "1つのレコードに統合してください"
check "spf lookup_limit: over 10 lookups" has "$T/r-spf-lookup_limit.html" "10回を超えています"
check "spf concatenated_records: joined records" has "$T/r-spf-concatenated_records.html" "1つの文字列に連結されています"
check "dkim key_truncated: 255 characters" has "$T/r-dkim-key_truncated.html" "255文字で切れています"
check "dkim doubled_domain: enter the host part only" has "$T/r-dkim-doubled_domain.html" "<code>セレクタ._domainkey</code>"
variant verified spf status verified
render "$T/verified.html" "$XSL" "$T/verified.xml"
check "verified SPF shows ✔ 設定済 in green" has "$T/verified.html" '<span class="st yes">✔ 設定済</span>'
variant tempfail spf status tempfail
render "$T/tempfail.html" "$XSL" "$T/tempfail.xml"
check "tempfail says DNS could not be reached" has "$T/tempfail.html" "DNSサーバに問い合わせできませんでした。前回の確認結果を表示しています。"
variant nodkim dkim status pending dkim-record
render "$T/nodkim.html" "$XSL" "$T/nodkim.xml"
check "no DKIM key: DKIMレコード発行 posts to reissue" \
	eval 'has "$T/nodkim.html" "<button type=\"submit\" class=\"btn primary\">DKIMレコード発行</button>" && hasnt "$T/nodkim.html" "name=\"rotate\""'
check "no DKIM key: the example without dkim/record validates" valid "$T/nodkim.xml"
for st in missing invalid tempfail; do
	variant "dm-$st" dmarc status "$st"
	render "$T/dm-$st.html" "$XSL" "$T/dm-$st.xml"
	check "dmarc $st has a sentence" no_missing_key "$T/dm-$st.html"
done
check "dmarc missing names _dmarc.<domain>" has "$T/dm-missing.html" "_dmarc.xn--wgv71a119e.jp"
check "dmarc of the organizational domain: the page names it" has "$S" \
	'設定されています（ポリシー: quarantine）<p class="muted">親ドメイン 日本語.jp のDMARCレコードが適用されます。</p>'
check "dmarc of the domain's own record: no parent named" \
	eval '[ "$(grep -o "親ドメイン" "$S" | wc -l)" = 1 ]'
variant dm-org dmarc org-domain example.jp
sed -i 's/ org-domain-unicode="[^"]*"//' "$T/dm-org.xml"
render "$T/dm-org.html" "$XSL" "$T/dm-org.xml"
check "dmarc org-domain without its Unicode form: the A-label is named" \
	has "$T/dm-org.html" "親ドメイン example.jp のDMARCレコードが適用されます"
sed 's/status="found" reason="ok" policy="quarantine"/status="invalid" reason="syntax_error" policy=""/' "$EX" >"$T/dm-org-invalid.xml"
render "$T/dm-org-invalid.html" "$XSL" "$T/dm-org-invalid.xml"
check "dmarc invalid at the organizational domain: the page says whose" \
	has "$T/dm-org-invalid.html" "DMARCレコードの書式に誤りがあります。<p class=\"muted\">このドメイン自体にはDMARCレコードがなく、上記は親ドメイン 日本語.jp のDMARCレコードについての結果です。</p>"
render "$T/dm-org.en.html" --stringparam lang en "$XSL" "$EX"
check "dmarc of the organizational domain in English" has "$T/dm-org.en.html" \
	"The DMARC record of the parent domain 日本語.jp applies."
sed 's|<result ip="210.198.21.20">pass</result>|<result ip="210.198.21.20">maybe</result>|' "$EX" >"$T/bad-result.xml"
check "schema rejects an SPF result RFC 7208 does not define" eval '! valid "$T/bad-result.xml"'
sed 's|<result ip="210.198.21.20">fail</result>||' "$EX" >"$T/no-result.xml"
check "schema: a verdict without results (not checked yet) validates" valid "$T/no-result.xml"
variant unchecked spf checked-at ''
sed -i 's/checked-at="[^"]*"//' "$T/unchecked.xml"
render "$T/unchecked.html" "$XSL" "$T/unchecked.xml"
check "never checked: 未確認" has "$T/unchecked.html" "最終確認: 未確認"

# Empty states, and a page with nothing optional.
cat >"$T/empty.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<settings status="200" base="/mail-settings/" csrf="t"><account id="2" name="佐藤 花子"/><organization id="1" name="株式会社〇〇〇〇"/><addresses/><domains/></settings>
EOF
check "empty page validates" valid "$T/empty.xml"
render "$T/empty.html" "$XSL" "$T/empty.xml"
check "empty: メールアドレス情報が登録されていません" has "$T/empty.html" "メールアドレス情報が登録されていません"
check "empty: ドメインが登録されていません" has "$T/empty.html" "ドメインが登録されていません"
check "empty: add form, no id, no notice, no script" \
	eval 'has "$T/empty.html" "+ 送信元メールアドレスを追加" && hasnt "$T/empty.html" "name=\"id\"" && hasnt "$T/empty.html" "role=\"status\"" && hasnt "$T/empty.html" "<script"'

# Field errors: every code has a sentence on every field.
for code in $(rng_values field-error-code); do
	sed "s/<error code=\"invalid_label\"\/>/<error code=\"$code\"\/>/" "$EX" >"$T/fe-$code.xml"
	render "$T/fe-$code.html" "$XSL" "$T/fe-$code.xml"
	check "field error $code has a sentence" \
		eval 'no_missing_key "$T/fe-$code.html" && hasnt "$T/fe-$code.html" "入力内容を確認してください"'
done
sed 's/<field name="smtp_port" value=""\/>/<field name="smtp_port" value="x"><error code="invalid_port"\/><\/field>/; s/<error code="duplicate"[^>]*>/<error code="required"\/>/' "$EX" >"$T/fe-port.xml"
render "$T/fe-port.html" "$XSL" "$T/fe-port.xml"
check "field errors: port and required address sentences" \
	eval 'has "$T/fe-port.html" "SMTPポートは1〜65535の数字で入力してください" && has "$T/fe-port.html" "送信者アドレスは必須です"'

sed 's/<error code="invalid_label"\/>/<error code="url" suggestion="www.example.jp"\/>/' "$EX" >"$T/fe-offer.xml"
render "$T/fe-offer.html" "$XSL" "$T/fe-offer.xml"
check "url error with a suggestion validates" valid "$T/fe-offer.xml"
check "url error: the sentence names the domain found" \
	has "$T/fe-offer.html" "ドメイン名だけを入力してください（例: example.jp）。入力された内容にあるドメインは「www.example.jp」です"
check "url error: a form posts the domain found" \
	has "$T/fe-offer.html" '<form class="actions flat offer" method="post" action="/mail-settings/add-domain#add-domain"><input type="hidden" name="csrf" value="b64urltoken"><input type="hidden" name="domain" value="www.example.jp"><button type="submit" class="btn">「www.example.jp」を追加する</button></form>'
check "url error without a suggestion: no offer" \
	eval 'hasnt "$T/fe-url.html" "offer" && has "$T/fe-url.html" "ドメイン名だけを入力してください（例: example.jp）</p>"'
sed 's/<field name="smtp_host" value=""\/>/<field name="smtp_host" value="127.0.0.1:25"><error code="private_address"\/><\/field>/' "$EX" >"$T/fe-host.xml"
render "$T/fe-host.html" "$XSL" "$T/fe-host.xml"
check "smtp host private_address: says which addresses and what to enter" \
	eval 'valid "$T/fe-host.xml" && has "$T/fe-host.html" "127.0.0.1、10.x.x.x、172.16〜31.x.x、192.168.x.x、169.254.x.x、localhost など）は指定できません"'

# ---- the error and log pages ----
for code in $(rng_values error-code); do
	printf '<error status="400" code="%s" base="/mail-settings/"/>\n' "$code" >"$T/e-$code.xml"
	render "$T/e-$code.html" "$XSL" "$T/e-$code.xml"
	check "error $code: a sentence and a link back" \
		eval 'no_missing_key "$T/e-$code.html" && hasnt "$T/e-$code.html" "処理できませんでした。" && has "$T/e-$code.html" "メール設定に戻る</a>"'
done
check "error no_session: ログインしてください" has "$T/error-example.html" "ログインしてください"
# Without a session every page answers 401: the 401 page links to none.
for code in no_session bad_session; do
	printf '<error status="401" code="%s" base="/mail-settings/"/>\n' "$code" >"$T/e401-$code.xml"
	render "$T/e401-$code.html" "$XSL" "$T/e401-$code.xml"
	check "error 401 $code: no link back to a page that answers 401, no navigation" \
		eval 'has "$T/e401-$code.html" "<h1>メール設定</h1>" && hasnt "$T/e401-$code.html" "<a " && hasnt "$T/e401-$code.html" "<nav"'
done
render "$T/e401-embed.html" --stringparam embed embed/ "$XSL" "$T/e401-no_session.xml"
check "error 401 in the portal's frame: no header bar, no link either" \
	eval 'hasnt "$T/e401-embed.html" "<header" && hasnt "$T/e401-embed.html" "<a " && hasnt "$T/e401-embed.html" "<nav" && has "$T/e401-embed.html" "ログインしてください"'

check "error bad_csrf: reload" has "$T/e-bad_csrf.html" "ページを再読み込み"
sed 's|<settings status="200"|<settings status="403"|; s|<error code="invalid_form"/>|<error code="bad_csrf"/>|; s|value="Example.JP."|value="retry.example.jp"|' "$EX" >"$T/csrf-retry.xml"
render "$T/csrf-retry.html" "$XSL" "$T/csrf-retry.xml"
render "$T/csrf-retry.en.html" --stringparam lang en "$XSL" "$T/csrf-retry.xml"
check "page with a stale CSRF token validates" valid "$T/csrf-retry.xml"
check "… its box stands above the form to send again (where the page lands), not at the top" \
	eval 'has "$T/csrf-retry.html" "もう一度送信してください。</div><form method=\"post\" action=\"/mail-settings/add-domain#add-domain\"" && hasnt "$T/csrf-retry.html" "<main><div class=\"box warn\""'
check "… says nothing was done and to send again, not to reload, the input kept" \
	eval 'has "$T/csrf-retry.html" "<div class=\"box warn\" role=\"alert\">ページの有効期限が切れていたため、操作は実行されていません。" && hasnt "$T/csrf-retry.html" "ページを再読み込み" && has "$T/csrf-retry.html" "value=\"retry.example.jp\"" && has "$T/csrf-retry.en.html" "so nothing was done"'
check "error db_unavailable: try again" has "$T/e-db_unavailable.html" "しばらくしてから、もう一度お試しください"
L=$T/log-example.html
for text in '<h2>ログ</h2>' '<th>日時</th>' '<th>操作者</th>' '<th>操作</th>' \
	'<th>対象</th>' '<th>詳細</th>' 'ドメインを追加' 'selector=20261126' \
	'aria-current="page">ログ</a>'; do
	check "log page shows: $text" has "$L" "$text"
done
for action in $(rng_values log-action); do
	sed "s/action=\"domain_added\"/action=\"$action\"/" "$G/log-example.xml" >"$T/la-$action.xml"
	render "$T/la-$action.html" "$XSL" "$T/la-$action.xml"
	check "log action $action is named" \
		eval 'no_missing_key "$T/la-$action.html" && hasnt "$T/la-$action.html" "その他の操作"'
done
# Status changes: codes as sentences with the settings page's reasons;
# the verifier's own checks are 自動確認, 今すぐ確認 names its account; a
# change stored as text before the codes shows that text; names never wrap.
row() { grep -o "<tr><td class=\"nowrap\"><time datetime=\"$1\".*" "$L" | sed 's|</tr>.*|</tr>|'; }
tr -d '\n' <"$L" | sed 's|<tr>|\n<tr>|g' >"$T/log-rows.html"
L=$T/log-rows.html
check "log: a change in words, with the reason sentence of the page" \
	eval 'row 2026-12-02T08:00:00+09:00 | grep -qF "<p class=\"change\">SPFが「設定済」から「未設定」になりました。SPFレコードに当サービスの送信サーバが含まれていません。"'
check "log: an unchanged record says so" \
	eval 'row 2026-12-02T08:00:00+09:00 | grep -qF "DKIMは「設定済」のままです。"'
check "log: the verifier's change is by 自動確認" \
	eval 'row 2026-12-02T08:00:00+09:00 | grep -qF "<td class=\"name\">自動確認</td>"'
check "log: 今すぐ確認 names who pressed it" \
	eval 'row 2026-12-02T08:05:00+09:00 | grep -qF "<td class=\"name\">山田 太郎</td><td>DNSを確認</td>"'
check "log: a change stored as text shows the text" \
	eval 'row 2026-12-01T12:00:00+09:00 | grep -qF "<td class=\"mono note\">SPF pending -&gt; verified (ok), DKIM pending -&gt; verified (ok)</td>"'
check "log: the object's name is kept whole" \
	eval 'row 2026-12-01T12:00:00+09:00 | grep -qF "<span class=\"name\">example.jp</span>"'
check "css: names in the log are not broken inside" grep -qF '.name{display:inline-block;max-width:100%;overflow-wrap:break-word;word-break:keep-all}' "$SA_TOP/xsl/static/senderauth.css"
for st in pending verified unverified tempfail; do
	sed "s/<spf from=\"verified\" to=\"unverified\"/<spf from=\"$st\" to=\"$st\"/" "$G/log-example.xml" >"$T/ls-$st.xml"
	render "$T/ls-$st.html" "$XSL" "$T/ls-$st.xml"
	check "log status $st is named" eval 'no_missing_key "$T/ls-$st.html" && hasnt "$T/ls-$st.html" "不明"'
done
render "$T/log-en.html" --stringparam lang en "$XSL" "$G/log-example.xml"
check "log in English: the change in words" \
	eval 'has "$T/log-en.html" "SPF changed from “set up” to “not set up”." && has "$T/log-en.html" "Automatic check" && no_missing_key "$T/log-en.html"'
printf '<log status="200" base="/mail-settings/"><account id="1" name="a"/><organization id="1" name="o"/></log>\n' >"$T/log-empty.xml"
render "$T/log-empty.html" "$XSL" "$T/log-empty.xml"
check "log empty state" has "$T/log-empty.html" "ログはまだありません"
check "log: a first issue reads 発行, not 再発行" \
	eval 'has "$T/la-dkim_issued.html" "<td>DKIMキーを発行</td>" && hasnt "$T/la-dkim_issued.html" "再発行"'
while read -r action want; do
	check "log action $action: $want" has "$T/la-$action.html" "<td>$want</td>"
done <<'EOF'
dkim_activated DKIMキーを有効化
dkim_retiring DKIMキーを引退中に変更
dkim_retired DKIMキーを引退
dkim_rotation_started DKIMキーの更新を開始
dkim_rotated_auto DKIMキーの定期更新を開始
EOF

# ---- English ----
E=$T/settings-example.en.html
check "lang=en: English page" \
	eval 'has "$E" "<html lang=\"en\">" && has "$E" "<h1>Mail settings</h1>" && has "$E" "taro@example.jp is already registered by 佐藤 花子." && no_missing_key "$E"'

# Help: "?" explanations of SPF, DKIM and DMARC; publishing takes up to
# 24 hours and the verifier keeps checking (how often: settings/schedule);
# what DNS panels want in the host field.
for q in SPFとは DKIMとは DMARCとは; do
	check "help: $q behind a ?" has "$S" "<details class=\"q\"><summary>$q<span class=\"qm\" aria-hidden=\"true\">?</span></summary><p>"
done
check "help: up to 24 hours, then checked automatically, how often" \
	has "$S" 'DNSに登録したレコードが反映されるまで、最大24時間ほどかかることがあります。登録の後も、自動で確認を続けます。追加・再発行から72時間は約5分ごとに確認します。その後は間隔をあけながら、少なくとも24時間ごとに確認します。'
sed 's/<schedule new-hours="72" new-minutes="5" max-hours="24"\/>/<schedule new-hours="48" new-minutes="10" max-hours="12"\/>/' "$EX" >"$T/schedule.xml"
render "$T/schedule.html" "$XSL" "$T/schedule.xml"
check "help: the schedule comes from the answer" \
	has "$T/schedule.html" '追加・再発行から48時間は約10分ごとに確認します。その後は間隔をあけながら、少なくとも12時間ごとに確認します。'
check "help: @ or empty for the domain itself" has "$S" '<li>ドメインそのもの（SPF）のレコードは、多くのDNS管理画面でホスト名欄に「<code>@</code>」を入力するか、空欄にします。</li>'
check "help: only selector._domainkey where the panel appends the domain" has "$S" 'DKIMのホスト名欄には「<code>セレクタ._domainkey</code>」の部分だけを入力してください'
check "help: the DKIM value whole, the space after ; kept" has "$S" '「<code>;</code>」の後ろの空白も消さずにそのまま残します。'
check "each record: the host field for the domain itself" \
	has "$S" '<td data-label="ドメイン"><span class="mono">xn--wgv71a119e.jp</span><p class="hint">管理画面のホスト名欄: <code>@</code>（または空欄）</p></td>'
check "each record: the host field for a DKIM key" \
	has "$S" '<td data-label="ドメイン"><span class="mono">20261126._domainkey.xn--wgv71a119e.jp</span><p class="hint">ドメイン名を自動で付ける管理画面のホスト名欄: <code>20261126._domainkey</code></p></td>'

# DNS担当者に依頼する: ?request=ID, one printable page and a mail.
check "each card links to its DNS request" has "$S" '<a class="btn" href="/mail-settings/?request=3">DNS担当者に依頼する</a>'
sed 's/<settings status="200"/<settings request="3" status="200"/; s|<dmarc status="found" reason="ok" policy="none"/>|<dmarc status="missing" reason="no_record" policy=""><record host="_dmarc.xn--wgv71a119e.jp" type="TXT" value="v=DMARC1; p=none; rua=mailto:dmarc@example.jp"/></dmarc>|' "$EX" >"$T/request.xml"
R=$T/request.html
render "$R" "$XSL" "$T/request.xml"
render "$T/request.en.html" --stringparam lang en "$XSL" "$T/request.xml"
check "request validates" valid "$T/request.xml"
check "request: its title and who asks" \
	eval 'has "$R" "<h2>DNSレコード登録のお願い（日本語.jp）</h2><p>株式会社〇〇〇〇 のメール送信のため、ドメイン 日本語.jp のDNSに、次のレコードの登録をお願いします。</p>"'
check "request: the SPF record to publish (the merged one, replacing)" \
	has "$R" '<td>SPF</td><td data-label="ホスト名"><span class="mono">xn--wgv71a119e.jp</span><p class="hint">管理画面のホスト名欄: <code>@</code>（または空欄）</p></td><td>TXT</td><td><code class="val">v=spf1 include:_spf.example.net ip4:210.198.21.20 include:m01-ahd-sys.net ~all</code><p class="hint">既にDNSにあるSPFレコードを、このレコードに置き換えてください'
check "request: the DKIM record, pasted whole" \
	has "$R" '<code class="val">v=DKIM1; k=rsa; p=MIIB...</code><p class="hint">値は分割せず、全体を1つのTXTレコードとして登録してください'
check "request: the DMARC record, recommended" has "$R" '<td>DMARC（推奨）</td><td data-label="ホスト名"><span class="mono">_dmarc.xn--wgv71a119e.jp</span>'
check "request: only that domain" eval 'hasnt "$R" "example.jp</span>" && hasnt "$R" "20261120"'
check "request: nothing to post, nothing else of the page" \
	eval 'hasnt "$R" "method=\"post\"" && hasnt "$R" "id=\"addresses\"" && hasnt "$R" "id=\"domains\""'
check "request: a print button the script reveals, hidden in print with the links" \
	has "$R" '<p class="tools noprint"><a class="btn primary" href="mailto:?subject='
check "request: downloads of the records, and the way back" \
	eval 'has "$R" "href=\"/mail-settings/export?format=zone&amp;id=3\"" && has "$R" "href=\"/mail-settings/export?format=csv&amp;id=3\"" && has "$R" "<a class=\"btn\" href=\"/mail-settings/#domain-3\">メール設定に戻る</a>"'
mailto=$(grep -o 'href="mailto:[^"]*"' "$R" | sed 's/^href="//; s/"$//; s/&amp;/\&/g')
decode() { printf '%s' "$1" | python3 -c 'import sys, urllib.parse; print(urllib.parse.unquote(sys.stdin.read()), end="")'; }
subject=$(decode "$(printf '%s' "$mailto" | sed 's/^mailto:?subject=//; s/&body=.*//')")
body=$(decode "$(printf '%s' "$mailto" | sed 's/.*&body=//')")
check_eq "request mail: its subject" "DNSレコード登録のお願い（日本語.jp）" "$subject"
check "request mail: the records, the host fields and the notes, one per line (CRLF)" \
	eval 'printf "%s" "$body" | tr -d "\r" | grep -qzF "■ SPF
ホスト名: xn--wgv71a119e.jp（管理画面の入力: @）
種別: TXT
値: v=spf1 include:_spf.example.net ip4:210.198.21.20 include:m01-ahd-sys.net ~all
※既にDNSにあるSPFレコードを" && printf "%s" "$body" | grep -q $'"'"'\r$'"'"''
check "request mail: DKIM and DMARC too, and the 24 hours" \
	eval 'printf "%s" "$body" | grep -qF "ホスト名: 20261126._domainkey.xn--wgv71a119e.jp（管理画面の入力: 20261126._domainkey）" && printf "%s" "$body" | grep -qF "値: v=DMARC1; p=none; rua=mailto:dmarc@example.jp" && printf "%s" "$body" | grep -qF "最大24時間"'
check "request mail: only ASCII in the link" eval '! printf "%s" "$mailto" | LC_ALL=C grep -q "[^ -~]"'
check "request in English" eval 'has "$T/request.en.html" "<h2>Please add DNS records (日本語.jp)</h2>" && no_missing_key "$T/request.en.html"'

# DMARC missing: the record suggested, to copy, and the way to reject.
sed 's|<dmarc status="found" reason="ok" policy="none"/>|<dmarc status="missing" reason="no_record" policy=""><record host="_dmarc.xn--wgv71a119e.jp" type="TXT" value="v=DMARC1; p=none; rua=mailto:dmarc@example.jp"/></dmarc>|' "$EX" >"$T/dm-suggest.xml"
render "$T/dm-suggest.html" "$XSL" "$T/dm-suggest.xml"
render "$T/dm-suggest.en.html" --stringparam lang en "$XSL" "$T/dm-suggest.xml"
check "DMARC suggestion validates" valid "$T/dm-suggest.xml"
check "DMARC missing: the host and the record to copy" \
	has "$T/dm-suggest.html" '<p class="muted">ドメイン <span class="mono">_dmarc.xn--wgv71a119e.jp</span> · 種別 TXT</p><div class="copy"><input id="dmarc-3" type="text" readonly spellcheck="false" value="v=DMARC1; p=none; rua=mailto:dmarc@example.jp" aria-label="DMARC _dmarc.xn--wgv71a119e.jp"><button type="button" class="btn sm" data-copy="dmarc-3"'
check "… then none → quarantine → reject, in two sentences" \
	has "$T/dm-suggest.html" '<p class="hint">まずは p=none（受信側は何もせず、レポートだけを送る設定）で始め、届くレポートで自社から送るメールがすべてSPFかDKIMに合格していることを確かめます。問題がなければ p=quarantine（迷惑メールとして扱う）、さらに p=reject（受信を拒否する）へと段階的に強めてください。</p>'
check "… in English" has "$T/dm-suggest.en.html" 'Then tighten the policy step by step: p=quarantine (treat failing mail as spam), then p=reject (refuse it).'
check "every value to copy is labelled (the record it is, for screen readers)" \
	eval '[ "$(grep -o "<input id=\"[a-z]*-[0-9][^>]*readonly[^>]*>" "$S" "$T/dm-suggest.html" | grep -vc "aria-label=\"")" = 0 ] && [ "$(grep -o "<textarea id=\"[a-z]*-[0-9][^>]*readonly[^>]*>" "$S" | grep -vc "aria-label=\"")" = 0 ] && has "$S" "aria-label=\"DKIM 20261126._domainkey.xn--wgv71a119e.jp ゾーンファイル形式（255文字ごとに分割済み）\""'
check "addresses: plain value cells, labelled on a phone by column (labels.css)" \
	eval 'has "$S" "<table class=\"stack addrs\">" && has "$S" "<td>smtp.example.jp</td><td>587</td>" && hasnt "$S" "data-label=\"SMTPサーバ\""'
check "DMARC found: nothing suggested" eval 'hasnt "$S" "id=\"dmarc-" && hasnt "$S" "p=quarantine"'
# The bulk-sender line: a mark per requirement.
check "bulk-sender: all in place" \
	has "$S" '<p class="bulk"><span class="muted">大量送信者の要件（Gmail・Yahoo）:</span> <span class="ck yes">SPF ✔</span> <span class="ck yes">DKIM ✔</span> <span class="ck yes">DMARCあり ✔</span> <span class="ck yes">DKIMアライメント ✔</span></p>'
check "bulk-sender: what is missing" \
	has "$S" '<span class="ck no">SPF ✕</span> <span class="ck no">DKIM ✕</span> <span class="ck yes">DMARCあり ✔</span> <span class="ck no">DKIMアライメント ✕</span>'
check "bulk-sender in English" has "$E" '<span class="muted">Bulk sender requirements (Gmail, Yahoo):</span> <span class="ck yes">SPF ✔</span>'
sed 's/<bulk-sender spf="yes"/<bulk-sender spf="maybe"/' "$EX" >"$T/bad-bulk.xml"
check "schema rejects a bulk-sender mark other than yes or no" eval '! valid "$T/bad-bulk.xml"'

# ---- hostile data comes out as text ----
sed -e 's|<note>備考</note>|<note>\&lt;script\&gt;alert(1)\&lt;/script\&gt;</note>|' \
	-e 's|<email>taro@example.jp</email>|<email>\&lt;img src=x onerror=alert(2)\&gt;</email>|' \
	-e 's|<found>v=spf1 include:_spf.example.net -all</found>|<found>\&lt;/code\&gt;\&lt;script\&gt;alert(3)\&lt;/script\&gt;</found>|' \
	-e 's|value="Example.JP."|value="\&quot;\&gt;\&lt;script\&gt;alert(4)\&lt;/script\&gt;"|' \
	-e 's|registrant="佐藤 花子"|registrant="\&lt;b onmouseover=alert(5)\&gt;x\&lt;/b\&gt;"|' \
	-e 's|<organization id="1" name="[^"]*"/>|<organization id="1" name="\&lt;/dd\&gt;\&lt;script\&gt;alert(6)\&lt;/script\&gt;"/>|' \
	"$EX" >"$T/xss.xml"
check "the XSS copy still validates" valid "$T/xss.xml"
X=$T/xss.html
render "$X" "$XSL" "$T/xss.xml"
check "XSS: only our own script element" eval '[ "$(grep -o "<script" "$X" | wc -l)" = 1 ]'
check "XSS: no live img, b or event handler" eval '! grep -qiE "<img|<b |<[^>]* on[a-z]+=" "$X"'
for text in \
	'<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>' \
	'<span class="mono">&lt;img src=x onerror=alert(2)&gt;</span>' \
	'<code class="found">&lt;/code&gt;&lt;script&gt;alert(3)&lt;/script&gt;</code>' \
	"value='\"&gt;&lt;script&gt;alert(4)&lt;/script&gt;'" \
	'&lt;b onmouseover=alert(5)&gt;x&lt;/b&gt;さんが既に' \
	'<dd>&lt;/dd&gt;&lt;script&gt;alert(6)&lt;/script&gt;</dd>'; do
	check "XSS escaped: $text" has "$X" "$text"
done
for b in 'javascript:alert(7)//' '//evil.example/' '/\evil.example/'; do
	sed "s|base=\"/mail-settings/\"|base=\"${b//\\/\\\\}\"|" "$EX" >"$T/base.xml"
	render "$T/base.html" "$XSL" "$T/base.xml"
	check "base '$b' is not used for links" \
		eval 'hasnt "$T/base.html" "$b" && has "$T/base.html" "action=\"/mail-settings/delete\""'
done

# ---- embedded in the legacy portal (embed=1) ----
sed 's|base="/mail-settings/"|base="/mail-settings/embed/"|' "$EX" >"$T/embed.xml"
M=$T/embed.html
render "$M" --stringparam embed 1 "$XSL" "$T/embed.xml"
check "embed: no header bar" eval 'hasnt "$M" "<header" && hasnt "$M" "<h1>" && hasnt "$M" "class=\"who\""'
check "embed: the navigation stays, under the embed base" \
	has "$M" '<nav class="tabs"><a href="/mail-settings/embed/" aria-current="page">メール設定</a><a href="/mail-settings/embed/log">ログ</a></nav>'
check "embed: every form posts under /mail-settings/embed/" \
	eval '[ -z "$(grep -o "action=\"[^\"]*\"" "$M" | grep -v "action=\"/mail-settings/embed/")" ] && has "$M" "action=\"/mail-settings/embed/add-domain\""'
check "embed: the same main content" \
	eval 'cmp -s <(grep -o "<main>.*</main>" "$S" | sed "s|/mail-settings/|/mail-settings/embed/|g") <(grep -o "<main>.*</main>" "$M")'
check "not embedded: the header bar" has "$S" '<header class="bar">'

# ---- every POST carries the CSRF token; a button outside its form (the
# address list's 削除, form="address-delete") names a form of its page ----
forms_ok() {
	python3 - "$@" <<'PY'
import re, sys
bad = []
for f in sys.argv[1:]:
    html = open(f, encoding="utf-8").read()
    ids = set(re.findall(r'<form [^>]*id="([^"]+)"', html))
    for m in re.finditer(r'<form [^>]*method="post"[^>]*>', html):
        if not html.startswith('<input type="hidden" name="csrf" value="', m.end()):
            bad.append("%s: form without the token first: %s" % (f, m.group(0)))
    for ref in re.findall(r'<button [^>]*form="([^"]*)"', html):
        if ref not in ids:
            bad.append("%s: button of a missing form %s" % (f, ref))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
}
check "every POST form starts with the CSRF token; every button's form= names a form of its page" \
	forms_ok "$T"/*.html
check "the address list's 削除 buttons post through one form, each with its row's id" \
	eval 'has "$S" "<button form=\"address-delete\" name=\"id\" value=\"7\" class=\"btn sm danger\">削除</button>" && has "$S" "<form id=\"address-delete\" method=\"post\" action=\"/mail-settings/delete\"><input type=\"hidden\" name=\"csrf\" value=\"b64urltoken\"><input type=\"hidden\" name=\"kind\" value=\"address\"></form>"'

# ---- no inline style or script (the Content-Security-Policy allows none) ----
check "no <style> element and no style attribute" eval '! grep -lE "<style|[[:space:]]style=" "$T"/*.html'
check "every <script> has a src and no content" \
	eval '! grep -hoE "<script[^>]*>[^<]*" "$T"/*.html | grep -vxE "<script src=\"/mail-settings/static/senderauth.js\">"'
check "every page links /mail-settings/static/senderauth.css" \
	eval '[ -z "$(grep -L "<link rel=\"stylesheet\" href=\"/mail-settings/static/senderauth.css\">" "$T"/*.html)" ]'
check "every page links /mail-settings/static/labels.css" \
	eval '[ -z "$(grep -L "<link rel=\"stylesheet\" href=\"/mail-settings/static/labels.css\">" "$T"/*.html)" ]'
xsltproc dist/labels-css.xsl dist/labels-css.xsl >"$T/labels.css"
check "xsl/static/labels.css is current (make writes it from the catalogues)" cmp -s "$T/labels.css" xsl/static/labels.css
check "labels.css labels the address table's four value columns in both languages" \
	eval '[ "$(grep -cE "^:lang\((ja|en)\) \.addrs td:nth-child\([2-5]\)::before\{content:\"[^\"]+: \"\}$" xsl/static/labels.css)" = 8 ]'
unstyled=$(cat "$T"/*.html | grep -oE 'class="[^"]*"' | sed 's/^class="//; s/"$//' |
	tr ' ' '\n' | sort -u | while read -r c; do
		grep -qE "\.$c([^a-z0-9_-]|$)" xsl/static/senderauth.css || echo "$c"
	done | tr '\n' ' ')
check_eq "every class the pages use has a rule in senderauth.css" "" "$unstyled"

# ---- the stylesheets themselves ----
check "no disable-output-escaping in xsl/" eval '! grep -lE "disable-output-escaping[[:space:]]*=" xsl/*.xsl xsl/*.xml'
xsltproc "$T/keys.xsl" xsl/messages.ja.xml | sort >"$T/keys.ja"
xsltproc "$T/keys.xsl" xsl/messages.en.xml | sort >"$T/keys.en"
check "catalogues have entries" eval '[ "$(wc -l <"$T/keys.ja")" -gt 100 ]'
check "ja and en catalogues have the same keys" diff "$T/keys.ja" "$T/keys.en"
check "no key defined twice" eval '[ -z "$(uniq -d "$T/keys.ja")" ]'
# Keys written literally in page.xsl ('key' for msg, <k:key/> for t), and
# PREFIX.CODE for every code the schema allows where page.xsl builds a key
# from a code.
{
	grep -oE "'[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+'" "$XSL" | tr -d "'"
	grep -oE "<k:[a-z][a-z0-9_.]*/>" "$XSL" | sed 's/^<k://; s#/>$##'
	for c in $(rng_values notice-code); do echo "notice.$c"; done
	for c in invalid_form $(rng_values error-code); do echo "error.$c"; done
	for c in $(rng_values field-error-code); do echo "err.$c"; done
	for c in $(rng_values spf-reason); do echo "spf.reason.$c"; done
	for c in $(rng_values dkim-reason); do echo "dkim.reason.$c"; done
	for c in $(rng_values log-action); do echo "log.action.$c"; done
	for c in $(rng_values object-kind); do echo "log.object.$c" "confirm.$c"; done | tr ' ' '\n'
	for c in $(rng_values confirm-kind); do echo "confirm.$c"; done
	for c in $(rng_values address-auth-reason | grep -vx ok); do echo "addr.auth.$c"; done
	for c in found missing tempfail; do echo "dmarc.$c"; done
	for c in multiple_records syntax_error; do echo "dmarc.invalid.$c"; done
	for c in found invalid; do echo "dmarc.org_domain.$c"; done
} | sort -u >"$T/keys.used"
check "page.xsl uses at least 100 keys" eval '[ "$(wc -l <"$T/keys.used")" -gt 100 ]'
missing=$(comm -23 "$T/keys.used" "$T/keys.ja" | tr '\n' ' ')
check_eq "every key used exists in both catalogues" "" "$missing"
for f in "$T"/*.html; do
	no_missing_key "$f" || not_ok "$(basename "$f") has no [key] placeholder"
done
ok "rendered $(ls "$T"/*.html | wc -l) pages"

sa_done
