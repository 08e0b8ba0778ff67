<?xml version="1.0" encoding="utf-8"?>
<!--
  page.xsl - renders every XML answer under /mail-settings/ as an HTML5 page.

  nginx applies it (xslt_stylesheet) to the answers of the cgi-bin actions:
  root <settings> (the メール設定 screen), <log> (ログ) and <error> (a short
  page per error code). The vocabulary is xsl/senderauth.rng. The same XML
  without this stylesheet is the API, so nothing here may be needed to
  understand an answer: this file only presents it.

  Rules kept here:
  - every text a user sees comes from the message catalogues (template
    "msg"); the templates hold markup and keys only;
  - data reaches the output only through xsl:value-of and attribute value
    templates, so the serializer escapes all of it (output escaping is
    never switched off, and no data goes inside <script> or <style>);
  - every action is a plain form POST with the CSRF token; the only script
    fills the clipboard for the copy buttons, which stay hidden without it;
  - no inline style or script (the Content-Security-Policy of
    nginx/senderauth.conf.in allows none): both are files under xsl/static/,
    served at /mail-settings/static/.

  Parameters (nginx sets them with xslt_string_param):
  lang:  'ja' (default) or 'en';
  embed: not empty (nginx passes 'embed/') for /mail-settings/embed/, the
         page inside the legacy portal's frame: no header bar (title,
         organization, account), only the navigation. Links and forms
         follow @base (SA_BASE), so they stay under /mail-settings/embed/.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:k="urn:senderauth:msg"
    xmlns:exsl="http://exslt.org/common"
    xmlns:str="http://exslt.org/strings"
    exclude-result-prefixes="k exsl str">

<xsl:include href="messages.ja.xml"/>
<xsl:include href="messages.en.xml"/>

<xsl:output method="html" encoding="utf-8" indent="no"
    doctype-system="about:legacy-compat"/>

<xsl:param name="lang" select="'ja'"/>
<xsl:param name="embed" select="''"/>

<!-- Where nginx serves xsl/static/. -->
<xsl:variable name="static" select="'/mail-settings/static/'"/>

<!-- 'en' or 'ja': the lang attribute and the catalogue mode. -->
<xsl:variable name="L" select="substring('jaen', 1 + 2 * ($lang = 'en'), 2)"/>

<!-- Links and form actions are built on @base. Only a local path is
     accepted ("/x", not "//host" or "/\host", which browsers treat as
     another host); anything else falls back to the product default. -->
<xsl:variable name="base-ok" select="starts-with(/*/@base, '/')
    and not(contains('/\', substring(/*/@base, 2, 1)))
    and string-length(/*/@base) &gt; 1
    or /*/@base = '/'"/>
<xsl:variable name="base" select="concat(
    substring(/*/@base, 1, 1000 * $base-ok),
    substring('/mail-settings/', 1, 1000 * not($base-ok)))"/>

<!-- Labels repeated on every row or record, looked up once. -->
<xsl:variable name="t-copy">
  <xsl:call-template name="t"><xsl:with-param name="k"><k:btn.copy/></xsl:with-param></xsl:call-template>
</xsl:variable>
<xsl:variable name="t-copied">
  <xsl:call-template name="t"><xsl:with-param name="k"><k:btn.copied/></xsl:with-param></xsl:call-template>
</xsl:variable>
<xsl:variable name="t-spf">
  <xsl:call-template name="t"><xsl:with-param name="k"><k:dom.col.spf/></xsl:with-param></xsl:call-template>
</xsl:variable>
<xsl:variable name="t-dkim">
  <xsl:call-template name="t"><xsl:with-param name="k"><k:dom.col.dkim/></xsl:with-param></xsl:call-template>
</xsl:variable>
<xsl:variable name="t-rec-domain">
  <xsl:call-template name="t"><xsl:with-param name="k"><k:rec.domain/></xsl:with-param></xsl:call-template>
</xsl:variable>

<!-- ================================================================
     Messages

     An entry of the catalogue is a template matching an element named
     like its key, in mode ja or en (see messages.ja.xml). Looking a key
     up applies templates to such an element: libxslt finds the entry
     through its template hash, so a lookup costs the same whatever the
     size of the catalogue, and nothing is parsed per request.

     t:   a key written in this stylesheet, as that element:
          <xsl:with-param name="k"><k:title/></xsl:with-param>. The fast
          path (about half the cost of msg's: no element built by name);
          templates that hand a key on to t (field's label and hint,
          post-button's label, term, req-item) take it the same way.
     msg: a key built at run time, from a code of the answer
          (concat('notice.', .)), or an entry with arguments a and b. The
          element is built by name; a key that is not [a-z0-9._]+ is never
          built; it and a key without an entry fall back to fallback, then
          fallback2.
     A key without an entry and without a fallback is written as [key],
     visibly (t050-xsl.sh checks that none is).
     ================================================================ -->
<xsl:variable name="keychars" select="'abcdefghijklmnopqrstuvwxyz0123456789._'"/>

<xsl:template name="t">
  <xsl:param name="k"/>
  <xsl:choose>
    <xsl:when test="$L = 'en'">
      <xsl:apply-templates select="exsl:node-set($k)/*" mode="en"/>
    </xsl:when>
    <xsl:otherwise>
      <xsl:apply-templates select="exsl:node-set($k)/*" mode="ja"/>
    </xsl:otherwise>
  </xsl:choose>
</xsl:template>

<xsl:template name="msg">
  <xsl:param name="k"/>
  <xsl:param name="fallback" select="''"/>
  <xsl:param name="fallback2" select="''"/>
  <xsl:param name="a" select="''"/>
  <xsl:param name="b" select="''"/>
  <xsl:choose>
    <xsl:when test="string($k) != '' and translate($k, $keychars, '') = ''">
      <xsl:variable name="key">
        <xsl:element name="{$k}" namespace="urn:senderauth:msg"/>
      </xsl:variable>
      <xsl:choose>
        <xsl:when test="$L = 'en'">
          <xsl:apply-templates select="exsl:node-set($key)/*" mode="en">
            <xsl:with-param name="fallback" select="$fallback"/>
            <xsl:with-param name="fallback2" select="$fallback2"/>
            <xsl:with-param name="a" select="$a"/>
            <xsl:with-param name="b" select="$b"/>
          </xsl:apply-templates>
        </xsl:when>
        <xsl:otherwise>
          <xsl:apply-templates select="exsl:node-set($key)/*" mode="ja">
            <xsl:with-param name="fallback" select="$fallback"/>
            <xsl:with-param name="fallback2" select="$fallback2"/>
            <xsl:with-param name="a" select="$a"/>
            <xsl:with-param name="b" select="$b"/>
          </xsl:apply-templates>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:when>
    <xsl:when test="$fallback != ''">
      <xsl:call-template name="msg">
        <xsl:with-param name="k" select="$fallback"/>
        <xsl:with-param name="fallback" select="$fallback2"/>
        <xsl:with-param name="a" select="$a"/>
        <xsl:with-param name="b" select="$b"/>
      </xsl:call-template>
    </xsl:when>
  </xsl:choose>
</xsl:template>

<!-- A key without an entry in the catalogue of this language. -->
<xsl:template match="k:*" mode="ja" priority="-1">
  <xsl:param name="fallback" select="''"/>
  <xsl:param name="fallback2" select="''"/>
  <xsl:param name="a" select="''"/>
  <xsl:param name="b" select="''"/>
  <xsl:call-template name="missing">
    <xsl:with-param name="fallback" select="$fallback"/>
    <xsl:with-param name="fallback2" select="$fallback2"/>
    <xsl:with-param name="a" select="$a"/>
    <xsl:with-param name="b" select="$b"/>
  </xsl:call-template>
</xsl:template>
<xsl:template match="k:*" mode="en" priority="-1">
  <xsl:param name="fallback" select="''"/>
  <xsl:param name="fallback2" select="''"/>
  <xsl:param name="a" select="''"/>
  <xsl:param name="b" select="''"/>
  <xsl:call-template name="missing">
    <xsl:with-param name="fallback" select="$fallback"/>
    <xsl:with-param name="fallback2" select="$fallback2"/>
    <xsl:with-param name="a" select="$a"/>
    <xsl:with-param name="b" select="$b"/>
  </xsl:call-template>
</xsl:template>
<xsl:template name="missing">
  <xsl:param name="fallback"/>
  <xsl:param name="fallback2"/>
  <xsl:param name="a"/>
  <xsl:param name="b"/>
  <xsl:choose>
    <xsl:when test="$fallback != ''">
      <xsl:call-template name="msg">
        <xsl:with-param name="k" select="$fallback"/>
        <xsl:with-param name="fallback" select="$fallback2"/>
        <xsl:with-param name="a" select="$a"/>
        <xsl:with-param name="b" select="$b"/>
      </xsl:call-template>
    </xsl:when>
    <xsl:otherwise>[<xsl:value-of select="local-name()"/>]</xsl:otherwise>
  </xsl:choose>
</xsl:template>

<!-- ================================================================
     Page frame, shared by the three roots
     ================================================================ -->
<xsl:template match="/">
  <html lang="{$L}">
    <head>
      <meta name="viewport" content="width=device-width, initial-scale=1"/>
      <title><xsl:apply-templates select="*" mode="title"/></title>
      <link rel="stylesheet" href="{$static}senderauth.css"/>
      <link rel="stylesheet" href="{$static}labels.css"/>
    </head>
    <body>
      <!-- the log's table is styled apart (its rows stack on a phone) -->
      <xsl:if test="log"><xsl:attribute name="class">p-log</xsl:attribute></xsl:if>
      <xsl:choose>
        <xsl:when test="error/@status = 401">
          <!-- without a session every page of ours answers 401: no
               links to them, only the title (none in the frame) -->
          <xsl:if test="$embed = ''">
            <header class="bar">
              <h1><xsl:call-template name="t"><xsl:with-param name="k"><k:title/></xsl:with-param></xsl:call-template></h1>
            </header>
          </xsl:if>
        </xsl:when>
        <xsl:when test="$embed != ''">
          <nav class="tabs"><xsl:call-template name="nav"/></nav>
        </xsl:when>
        <xsl:otherwise>
          <header class="bar">
            <h1><xsl:call-template name="t"><xsl:with-param name="k"><k:title/></xsl:with-param></xsl:call-template></h1>
            <xsl:apply-templates select="*/organization"/>
            <nav><xsl:call-template name="nav"/></nav>
          </header>
        </xsl:otherwise>
      </xsl:choose>
      <main>
        <xsl:apply-templates select="*" mode="main"/>
      </main>
      <xsl:if test="settings/domains/domain">
        <script src="{$static}senderauth.js"></script>
      </xsl:if>
    </body>
  </html>
</xsl:template>

<!-- The two pages: メール設定 and ログ. -->
<xsl:template name="nav">
  <a href="{$base}">
    <xsl:if test="settings"><xsl:attribute name="aria-current">page</xsl:attribute></xsl:if>
    <xsl:call-template name="t"><xsl:with-param name="k"><k:nav.settings/></xsl:with-param></xsl:call-template>
  </a>
  <a href="{$base}log">
    <xsl:if test="log"><xsl:attribute name="aria-current">page</xsl:attribute></xsl:if>
    <xsl:call-template name="t"><xsl:with-param name="k"><k:nav.log/></xsl:with-param></xsl:call-template>
  </a>
</xsl:template>

<!-- Who is looking: the organization and the account. -->
<xsl:template match="organization">
  <dl class="who">
    <dt><xsl:call-template name="t"><xsl:with-param name="k"><k:who.org/></xsl:with-param></xsl:call-template></dt>
    <dd><xsl:value-of select="@name"/></dd>
    <xsl:if test="../account">
      <dt><xsl:call-template name="t"><xsl:with-param name="k"><k:who.account/></xsl:with-param></xsl:call-template></dt>
      <dd><xsl:value-of select="../account/@name"/></dd>
    </xsl:if>
  </dl>
</xsl:template>

<xsl:template match="settings" mode="title">
  <xsl:call-template name="t"><xsl:with-param name="k"><k:title/></xsl:with-param></xsl:call-template>
</xsl:template>
<xsl:template match="log" mode="title">
  <xsl:call-template name="t"><xsl:with-param name="k"><k:log.title/></xsl:with-param></xsl:call-template>
  <xsl:text> | </xsl:text>
  <xsl:call-template name="t"><xsl:with-param name="k"><k:title/></xsl:with-param></xsl:call-template>
</xsl:template>
<xsl:template match="*" mode="title">
  <xsl:call-template name="t"><xsl:with-param name="k"><k:error.title/></xsl:with-param></xsl:call-template>
  <xsl:text> | </xsl:text>
  <xsl:call-template name="t"><xsl:with-param name="k"><k:title/></xsl:with-param></xsl:call-template>
</xsl:template>

<!-- ================================================================
     error root: one sentence per code and a way back
     ================================================================ -->
<xsl:template match="*" mode="main">
  <section class="card">
    <h2><xsl:call-template name="t"><xsl:with-param name="k"><k:error.title/></xsl:with-param></xsl:call-template></h2>
    <p class="box err" role="alert">
      <xsl:call-template name="msg">
        <xsl:with-param name="k" select="concat('error.', @code)"/>
        <xsl:with-param name="fallback" select="'error.unknown'"/>
      </xsl:call-template>
    </p>
    <xsl:if test="@status != 401">
      <p><a class="btn" href="{$base}"><xsl:call-template name="t"><xsl:with-param name="k"><k:error.back/></xsl:with-param></xsl:call-template></a></p>
    </xsl:if>
  </section>
</xsl:template>

<!-- ================================================================
     settings root: the メール設定 screen
     ================================================================ -->
<xsl:template match="settings[@request = domains/domain/@id]" mode="main">
  <xsl:call-template name="request">
    <xsl:with-param name="d" select="domains/domain[@id = current()/@request]"/>
  </xsl:call-template>
</xsl:template>
<xsl:template match="settings" mode="main">
  <!-- a notice or a question about a domain shows at its card -->
  <xsl:apply-templates select="@notice[not(../@notice-domain-id)]"/>
  <!-- a form to send again shows its box at the form -->
  <xsl:apply-templates select="error[not(@code = 'bad_csrf' and ../form)]"/>
  <xsl:apply-templates select="confirm[@kind = 'address' or not(@id = ../domains/domain/@id)]"/>
  <xsl:call-template name="address-form"/>
  <xsl:call-template name="address-list"/>
  <xsl:call-template name="domain-section"/>
</xsl:template>

<!-- Notice after a successful POST (303 → ?notice=…). About a domain
     (@notice-domain), it names it: notice.CODE.domain; from an address
     (@notice-from), it says which domain was taken. -->
<xsl:template match="@notice">
  <div role="status">
    <xsl:attribute name="class">
      <xsl:choose>
        <xsl:when test=". = 'dkim_failed'">box err</xsl:when>
        <xsl:when test=". = 'reissued' or . = 'rotation_started' or . = 'check_tempfail'">box warn</xsl:when>
        <xsl:otherwise>box ok</xsl:otherwise>
      </xsl:choose>
    </xsl:attribute>
    <xsl:choose>
      <xsl:when test="../@notice-domain">
        <xsl:call-template name="msg">
          <xsl:with-param name="k" select="concat('notice.', ., '.domain')"/>
          <xsl:with-param name="fallback" select="concat('notice.', .)"/>
          <xsl:with-param name="fallback2" select="'notice.unknown'"/>
          <xsl:with-param name="a" select="../@notice-domain"/>
        </xsl:call-template>
        <xsl:if test="../@notice-from = 'address'">
          <xsl:call-template name="msg">
            <xsl:with-param name="k" select="'notice.from_address'"/>
            <xsl:with-param name="a" select="../@notice-domain"/>
          </xsl:call-template>
        </xsl:if>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="msg">
          <xsl:with-param name="k" select="concat('notice.', .)"/>
          <xsl:with-param name="fallback" select="'notice.unknown'"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </div>
</xsl:template>

<!-- Page-level error of a 422 (or a refusal shown on the page). -->
<xsl:template match="settings/error">
  <div class="box err" role="alert">
    <xsl:call-template name="msg">
      <xsl:with-param name="k" select="concat('error.', @code)"/>
      <xsl:with-param name="fallback" select="'error.unknown'"/>
    </xsl:call-template>
  </div>
</xsl:template>
<!-- A form sent with a token the session no longer gives (the page was
     older than the login): nothing was done; the page again, the input
     kept in its form, to send once more. The box stands above that form
     (where the page lands), at the top for a button without one. -->
<xsl:template match="settings/error[@code = 'bad_csrf']">
  <div class="box warn" role="alert">
    <xsl:call-template name="t"><xsl:with-param name="k"><k:error.bad_csrf.retry/></xsl:with-param></xsl:call-template>
  </div>
</xsl:template>

<!-- A delete asked for without confirm=1: ask, without JavaScript. -->
<xsl:template match="confirm">
  <div class="box warn" role="alert">
    <p>
      <xsl:call-template name="msg">
        <xsl:with-param name="k" select="concat('confirm.', @kind)"/>
        <xsl:with-param name="fallback" select="'confirm.unknown'"/>
        <xsl:with-param name="a" select="@name"/>
      </xsl:call-template>
    </p>
    <form class="actions flat" method="post" action="{$base}delete">
      <xsl:call-template name="csrf"/>
      <input type="hidden" name="kind" value="{@kind}"/>
      <input type="hidden" name="id" value="{@id}"/>
      <input type="hidden" name="confirm" value="1"/>
      <button type="submit" class="btn danger">
        <xsl:call-template name="t"><xsl:with-param name="k"><k:btn.delete/></xsl:with-param></xsl:call-template>
      </button>
      <a class="btn" href="{$base}">
        <xsl:if test="@kind = 'domain'"><xsl:attribute name="href"><xsl:value-of select="concat($base, '#domain-', @id)"/></xsl:attribute></xsl:if>
        <xsl:call-template name="t"><xsl:with-param name="k"><k:btn.cancel/></xsl:with-param></xsl:call-template>
      </a>
    </form>
  </div>
</xsl:template>

<!-- DKIMキーを更新 asked without confirm=1: say what will happen (a new
     record to add at a new selector; the current one stays valid and
     keeps signing until the new one is seen in DNS), then post id,
     rotate=1 and confirm=1 to reissue. -->
<xsl:template match="confirm[@kind = 'rotate']">
  <div class="box warn" role="alert">
    <p>
      <xsl:call-template name="msg">
        <xsl:with-param name="k" select="'confirm.rotate'"/>
        <xsl:with-param name="a" select="@name"/>
      </xsl:call-template>
    </p>
    <p><xsl:call-template name="t"><xsl:with-param name="k"><k:confirm.rotate.body/></xsl:with-param></xsl:call-template></p>
    <form class="actions flat" method="post" action="{$base}reissue">
      <xsl:call-template name="csrf"/>
      <input type="hidden" name="id" value="{@id}"/>
      <input type="hidden" name="rotate" value="1"/>
      <input type="hidden" name="confirm" value="1"/>
      <button type="submit" class="btn primary">
        <xsl:call-template name="t"><xsl:with-param name="k"><k:btn.dkim_update/></xsl:with-param></xsl:call-template>
      </button>
      <a class="btn" href="{$base}#domain-{@id}"><xsl:call-template name="t"><xsl:with-param name="k"><k:btn.cancel/></xsl:with-param></xsl:call-template></a>
    </form>
  </div>
</xsl:template>

<!-- ==== Sender addresses ==== -->

<!-- "+ 送信元メールアドレスを追加", or the edit form when form/@id. -->
<xsl:template name="address-form">
  <xsl:variable name="f" select="form[@name = 'register']"/>
  <section class="card" id="address-form">
    <h2>
      <xsl:choose>
        <xsl:when test="$f/@id">
          <xsl:call-template name="t"><xsl:with-param name="k"><k:addr.edit.title/></xsl:with-param></xsl:call-template>
        </xsl:when>
        <xsl:otherwise>
          <xsl:call-template name="t"><xsl:with-param name="k"><k:addr.add.title/></xsl:with-param></xsl:call-template>
        </xsl:otherwise>
      </xsl:choose>
    </h2>
    <xsl:apply-templates select="error[@code = 'bad_csrf'][$f]"/>
    <form method="post" action="{$base}register" novalidate="novalidate">
      <xsl:call-template name="csrf"/>
      <xsl:if test="$f/@id">
        <input type="hidden" name="id" value="{$f/@id}"/>
      </xsl:if>
      <xsl:call-template name="field">
        <xsl:with-param name="form" select="$f"/>
        <xsl:with-param name="name" select="'address'"/>
        <xsl:with-param name="label"><k:addr.address/></xsl:with-param>
        <xsl:with-param name="type" select="'email'"/>
        <xsl:with-param name="required" select="true()"/>
        <xsl:with-param name="autocomplete" select="'email'"/>
      </xsl:call-template>
      <xsl:call-template name="field">
        <xsl:with-param name="form" select="$f"/>
        <xsl:with-param name="name" select="'smtp_host'"/>
        <xsl:with-param name="label"><k:addr.smtp_host/></xsl:with-param>
        <xsl:with-param name="hint"><k:addr.hint.spf/></xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="field">
        <xsl:with-param name="form" select="$f"/>
        <xsl:with-param name="name" select="'smtp_port'"/>
        <xsl:with-param name="label"><k:addr.smtp_port/></xsl:with-param>
        <xsl:with-param name="hint"><k:addr.hint.port/></xsl:with-param>
        <xsl:with-param name="inputmode" select="'numeric'"/>
      </xsl:call-template>
      <xsl:call-template name="field">
        <xsl:with-param name="form" select="$f"/>
        <xsl:with-param name="name" select="'smtp_user'"/>
        <xsl:with-param name="label"><k:addr.smtp_user/></xsl:with-param>
        <xsl:with-param name="hint"><k:addr.hint.spf/></xsl:with-param>
        <xsl:with-param name="autocomplete" select="'off'"/>
      </xsl:call-template>
      <xsl:call-template name="field">
        <xsl:with-param name="form" select="$f"/>
        <xsl:with-param name="name" select="'smtp_password'"/>
        <xsl:with-param name="label"><k:addr.smtp_password/></xsl:with-param>
        <xsl:with-param name="type" select="'password'"/>
        <!-- editing: an empty password keeps the one stored -->
        <xsl:with-param name="hint">
          <xsl:choose>
            <xsl:when test="$f/@id"><k:addr.hint.password.keep/></xsl:when>
            <xsl:otherwise><k:addr.hint.spf/></xsl:otherwise>
          </xsl:choose>
        </xsl:with-param>
        <xsl:with-param name="autocomplete" select="'new-password'"/>
      </xsl:call-template>
      <xsl:call-template name="field">
        <xsl:with-param name="form" select="$f"/>
        <xsl:with-param name="name" select="'note'"/>
        <xsl:with-param name="label"><k:addr.note/></xsl:with-param>
        <xsl:with-param name="type" select="'textarea'"/>
      </xsl:call-template>
      <div class="actions">
        <button type="submit" class="btn primary">
          <xsl:call-template name="t"><xsl:with-param name="k"><k:btn.register/></xsl:with-param></xsl:call-template>
        </button>
        <xsl:if test="$f/@id">
          <a class="btn" href="{$base}"><xsl:call-template name="t"><xsl:with-param name="k"><k:btn.cancel/></xsl:with-param></xsl:call-template></a>
        </xsl:if>
      </div>
    </form>
  </section>
</xsl:template>

<!-- One labelled form field with its hint and its errors.
     form: the <form> element of the answer (its field/@value fills the
     input, never for a password); name: the field name; label and hint:
     keys as t takes them (no hint: none shown). -->
<xsl:template name="field">
  <xsl:param name="form"/>
  <xsl:param name="name"/>
  <xsl:param name="label"/>
  <xsl:param name="type" select="'text'"/>
  <xsl:param name="required" select="false()"/>
  <xsl:param name="hint" select="/.."/>
  <xsl:param name="autocomplete" select="''"/>
  <xsl:param name="inputmode" select="''"/>
  <xsl:variable name="fd" select="$form/field[@name = $name]"/>
  <xsl:variable name="id" select="concat('f-', $name)"/>
  <div class="field">
    <label for="{$id}">
      <xsl:call-template name="t"><xsl:with-param name="k" select="$label"/></xsl:call-template>
      <xsl:if test="$required">
        <span class="req"><xsl:call-template name="t"><xsl:with-param name="k"><k:required/></xsl:with-param></xsl:call-template></span>
      </xsl:if>
    </label>
    <div>
      <xsl:choose>
        <xsl:when test="$type = 'textarea'">
          <textarea id="{$id}" name="{$name}">
            <xsl:call-template name="field-state">
              <xsl:with-param name="fd" select="$fd"/>
              <xsl:with-param name="id" select="$id"/>
              <xsl:with-param name="hint" select="boolean($hint)"/>
            </xsl:call-template>
            <xsl:value-of select="$fd/@value"/>
          </textarea>
        </xsl:when>
        <xsl:otherwise>
          <input id="{$id}" name="{$name}" type="{$type}">
            <xsl:if test="$type != 'password'">
              <xsl:attribute name="value"><xsl:value-of select="$fd/@value"/></xsl:attribute>
            </xsl:if>
            <xsl:if test="$autocomplete != ''">
              <xsl:attribute name="autocomplete"><xsl:value-of select="$autocomplete"/></xsl:attribute>
            </xsl:if>
            <xsl:if test="$inputmode != ''">
              <xsl:attribute name="inputmode"><xsl:value-of select="$inputmode"/></xsl:attribute>
            </xsl:if>
            <xsl:call-template name="field-state">
              <xsl:with-param name="fd" select="$fd"/>
              <xsl:with-param name="id" select="$id"/>
              <xsl:with-param name="hint" select="boolean($hint)"/>
            </xsl:call-template>
          </input>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:if test="$hint">
        <p class="hint" id="{$id}-hint">
          <xsl:call-template name="t"><xsl:with-param name="k" select="$hint"/></xsl:call-template>
        </p>
      </xsl:if>
      <xsl:if test="$fd/error">
        <div id="{$id}-err">
          <xsl:apply-templates select="$fd/error"/>
        </div>
      </xsl:if>
    </div>
  </div>
</xsl:template>

<!-- aria attributes of an input: its hint (hint: whether it has one) and
     its errors. -->
<xsl:template name="field-state">
  <xsl:param name="fd"/>
  <xsl:param name="id"/>
  <xsl:param name="hint"/>
  <xsl:if test="$fd/error">
    <xsl:attribute name="aria-invalid">true</xsl:attribute>
  </xsl:if>
  <xsl:if test="$fd/error or $hint">
    <xsl:attribute name="aria-describedby">
      <xsl:if test="$hint"><xsl:value-of select="$id"/>-hint</xsl:if>
      <xsl:if test="$fd/error and $hint"><xsl:text> </xsl:text></xsl:if>
      <xsl:if test="$fd/error"><xsl:value-of select="$id"/>-err</xsl:if>
    </xsl:attribute>
  </xsl:if>
</xsl:template>

<!-- A field error: err.FIELD.CODE, else err.CODE. duplicate names the
     registrant and the address; url what the input holds instead. -->
<xsl:template match="field/error">
  <p class="ferr">
    <xsl:call-template name="msg">
      <xsl:with-param name="k" select="concat('err.', ../@name, '.', @code)"/>
      <xsl:with-param name="fallback" select="concat('err.', @code)"/>
      <xsl:with-param name="fallback2" select="'err.unknown'"/>
      <xsl:with-param name="a" select="@registrant | @suggestion"/>
      <xsl:with-param name="b" select="@address"/>
    </xsl:call-template>
  </p>
</xsl:template>

<!-- "メールアドレス情報": the organization's sender addresses. -->
<xsl:template name="address-list">
  <section class="card" id="addresses">
    <h2><xsl:call-template name="t"><xsl:with-param name="k"><k:addr.list.title/></xsl:with-param></xsl:call-template></h2>
    <xsl:choose>
      <xsl:when test="addresses/address">
        <xsl:variable name="t-edit">
          <xsl:call-template name="t"><xsl:with-param name="k"><k:btn.edit/></xsl:with-param></xsl:call-template>
        </xsl:variable>
        <xsl:variable name="t-delete">
          <xsl:call-template name="t"><xsl:with-param name="k"><k:btn.delete/></xsl:with-param></xsl:call-template>
        </xsl:variable>
        <!-- why an address's mail would not pass: each sentence looked
             up once, when some row needs it (the catalogue lookup costs
             more than a row); with no domain the paragraph is the same on
             every row, so it is built once and copied -->
        <xsl:variable name="why" select="addresses/address[@authenticated = 'no']"/>
        <xsl:variable name="why-spf">
          <xsl:if test="$why[@reason = 'spf']">
            <xsl:call-template name="t"><xsl:with-param name="k"><k:addr.auth.spf/></xsl:with-param></xsl:call-template>
          </xsl:if>
        </xsl:variable>
        <xsl:variable name="why-dkim">
          <xsl:if test="$why[@reason = 'dkim']">
            <xsl:call-template name="t"><xsl:with-param name="k"><k:addr.auth.dkim/></xsl:with-param></xsl:call-template>
          </xsl:if>
        </xsl:variable>
        <xsl:variable name="why-no-domain">
          <xsl:if test="$why[@reason = 'no_domain']">
            <p class="why">
              <xsl:call-template name="t"><xsl:with-param name="k"><k:addr.auth.no_domain/></xsl:with-param></xsl:call-template>
              <xsl:text> </xsl:text>
              <a href="#domains"><xsl:call-template name="t"><xsl:with-param name="k"><k:addr.auth.add/></xsl:with-param></xsl:call-template></a>
            </p>
          </xsl:if>
        </xsl:variable>
        <xsl:variable name="why-link">
          <xsl:if test="$why[not(@reason = 'no_domain')]">
            <xsl:call-template name="t"><xsl:with-param name="k"><k:addr.auth.link/></xsl:with-param></xsl:call-template>
          </xsl:if>
        </xsl:variable>
        <!-- one form for every row's 削除 button (its form attribute);
             the button sends the row's id -->
        <form id="address-delete" method="post" action="{$base}delete">
          <xsl:call-template name="csrf"/>
          <input type="hidden" name="kind" value="address"/>
        </form>
        <div class="scroll">
          <table class="stack addrs">
            <thead>
              <tr>
                <th><xsl:call-template name="t"><xsl:with-param name="k"><k:addr.address/></xsl:with-param></xsl:call-template></th>
                <th><xsl:call-template name="t"><xsl:with-param name="k"><k:addr.smtp_host/></xsl:with-param></xsl:call-template></th>
                <th><xsl:call-template name="t"><xsl:with-param name="k"><k:addr.col.port/></xsl:with-param></xsl:call-template></th>
                <th><xsl:call-template name="t"><xsl:with-param name="k"><k:addr.note/></xsl:with-param></xsl:call-template></th>
                <th><xsl:call-template name="t"><xsl:with-param name="k"><k:addr.col.registrant/></xsl:with-param></xsl:call-template></th>
                <th class="act"><xsl:call-template name="t"><xsl:with-param name="k"><k:addr.col.actions/></xsl:with-param></xsl:call-template></th>
              </tr>
            </thead>
            <tbody>
              <xsl:for-each select="addresses/address">
                <tr>
                  <td>
                    <span class="mono"><xsl:value-of select="email"/></span>
                    <!-- under an address whose mail would not pass SPF and
                         DKIM: why, and a link to its domain's card (to the
                         add-domain form when the domain is not registered) -->
                    <xsl:if test="@authenticated = 'no'">
                      <xsl:choose>
                        <xsl:when test="@reason = 'no_domain'"><xsl:copy-of select="$why-no-domain"/></xsl:when>
                        <xsl:otherwise>
                          <p class="why">
                            <xsl:choose>
                              <xsl:when test="@reason = 'spf'"><xsl:value-of select="$why-spf"/></xsl:when>
                              <xsl:when test="@reason = 'dkim'"><xsl:value-of select="$why-dkim"/></xsl:when>
                              <xsl:otherwise><xsl:call-template name="t"><xsl:with-param name="k"><k:addr.auth.unknown/></xsl:with-param></xsl:call-template></xsl:otherwise>
                            </xsl:choose>
                            <xsl:text> </xsl:text>
                            <a href="#domain-{@domain-id}"><xsl:value-of select="$why-link"/></a>
                          </p>
                        </xsl:otherwise>
                      </xsl:choose>
                    </xsl:if>
                  </td>
                  <!-- the cells are styled by their column (table.addrs
                       in senderauth.css) and labelled on a phone by it
                       (labels.css, from the catalogues), not by a class or
                       a data-label each: every attribute costs on every
                       row. The columns' order is theirs too. -->
                  <td><xsl:value-of select="smtp-host"/></td>
                  <td><xsl:value-of select="smtp-port"/></td>
                  <td><xsl:value-of select="note"/></td>
                  <td><xsl:value-of select="registrant/@name"/></td>
                  <td>
                    <xsl:if test="@mine = '1'">
                      <a class="btn sm" href="{$base}?edit={@id}"><xsl:value-of select="$t-edit"/></a>
                      <xsl:text> </xsl:text>
                      <button form="address-delete" name="id" value="{@id}" class="btn sm danger"><xsl:value-of select="$t-delete"/></button>
                    </xsl:if>
                  </td>
                </tr>
              </xsl:for-each>
            </tbody>
          </table>
        </div>
      </xsl:when>
      <xsl:otherwise>
        <p class="empty"><xsl:call-template name="t"><xsl:with-param name="k"><k:addr.empty/></xsl:with-param></xsl:call-template></p>
      </xsl:otherwise>
    </xsl:choose>
  </section>
</xsl:template>


<!-- ==== Domains ==== -->

<!-- "ドメイン情報": with more than three domains a summary linking to
     the cards; the add form, the re-add warning, one card per domain, and
     how to merge into an existing SPF record. A notice about a domain
     that is gone (deleted) shows at the top. -->
<xsl:template name="domain-section">
  <section class="card" id="domains">
    <h2><xsl:call-template name="t"><xsl:with-param name="k"><k:dom.title/></xsl:with-param></xsl:call-template></h2>
    <xsl:call-template name="terms"/>
    <xsl:apply-templates select="@notice[../@notice-domain-id][not(../domains/domain/@id = ../@notice-domain-id)]"/>
    <xsl:if test="count(domains/domain) &gt; 3">
      <xsl:call-template name="domain-summary"/>
    </xsl:if>
    <h3 id="add-domain"><xsl:call-template name="t"><xsl:with-param name="k"><k:dom.add.title/></xsl:with-param></xsl:call-template></h3>
    <xsl:apply-templates select="error[@code = 'bad_csrf'][../form/@name = 'add_domain']"/>
    <form method="post" action="{$base}add-domain#add-domain" novalidate="novalidate">
      <xsl:call-template name="csrf"/>
      <xsl:call-template name="field">
        <xsl:with-param name="form" select="form[@name = 'add_domain']"/>
        <xsl:with-param name="name" select="'domain'"/>
        <xsl:with-param name="label"><k:dom.domain/></xsl:with-param>
        <xsl:with-param name="required" select="true()"/>
        <xsl:with-param name="hint"><k:dom.hint/></xsl:with-param>
        <xsl:with-param name="autocomplete" select="'off'"/>
      </xsl:call-template>
      <div class="actions">
        <button type="submit" class="btn primary">
          <xsl:call-template name="t"><xsl:with-param name="k"><k:btn.register/></xsl:with-param></xsl:call-template>
        </button>
      </div>
    </form>
    <xsl:apply-templates select="form[@name = 'add_domain']/field/error[@code = 'url'][@suggestion != '']" mode="offer"/>
    <xsl:apply-templates select="readd-warning"/>
    <xsl:choose>
      <xsl:when test="domains/domain">
        <xsl:call-template name="howto"/>
        <xsl:apply-templates select="domains/domain"/>
        <xsl:call-template name="spf-help"/>
      </xsl:when>
      <xsl:otherwise>
        <p class="empty"><xsl:call-template name="t"><xsl:with-param name="k"><k:dom.empty/></xsl:with-param></xsl:call-template></p>
      </xsl:otherwise>
    </xsl:choose>
  </section>
</xsl:template>

<!-- A URL or host:port typed for a domain: add the name found in it. -->
<xsl:template match="error" mode="offer">
  <form class="actions flat offer" method="post" action="{$base}add-domain#add-domain">
    <xsl:call-template name="csrf"/>
    <input type="hidden" name="domain" value="{@suggestion}"/>
    <button type="submit" class="btn">
      <xsl:call-template name="msg">
        <xsl:with-param name="k" select="'dom.url.offer'"/>
        <xsl:with-param name="a" select="@suggestion"/>
      </xsl:call-template>
    </button>
  </form>
</xsl:template>

<!-- The typed domain was deleted before: confirm before a new selector. -->
<xsl:template match="readd-warning">
  <div class="box warn" role="alert">
    <p>
      <xsl:call-template name="msg">
        <xsl:with-param name="k" select="'dom.readd'"/>
        <xsl:with-param name="a" select="(@unicode[. != ''] | @domain[not(../@unicode != '')])"/>
      </xsl:call-template>
    </p>
    <form class="actions flat" method="post" action="{$base}add-domain">
      <xsl:call-template name="csrf"/>
      <input type="hidden" name="domain" value="{@domain}"/>
      <input type="hidden" name="confirm_readd" value="1"/>
      <button type="submit" class="btn primary">
        <xsl:call-template name="t"><xsl:with-param name="k"><k:btn.register/></xsl:with-param></xsl:call-template>
      </button>
      <a class="btn" href="{$base}"><xsl:call-template name="t"><xsl:with-param name="k"><k:btn.cancel/></xsl:with-param></xsl:call-template></a>
    </form>
  </div>
</xsl:template>

<!-- With more than three domains: one row per domain, its name linking
     to its card, the statuses and the last check. -->
<xsl:template name="domain-summary">
  <div class="scroll">
    <xsl:variable name="h-dmarc">
      <xsl:call-template name="t"><xsl:with-param name="k"><k:dom.col.dmarc/></xsl:with-param></xsl:call-template>
    </xsl:variable>
    <xsl:variable name="h-checked">
      <xsl:call-template name="t"><xsl:with-param name="k"><k:dom.checked/></xsl:with-param></xsl:call-template>
    </xsl:variable>
    <table class="stack summary">
      <thead>
        <tr>
          <th><xsl:call-template name="t"><xsl:with-param name="k"><k:dom.domain/></xsl:with-param></xsl:call-template></th>
          <th><xsl:value-of select="$t-spf"/></th>
          <th><xsl:value-of select="$t-dkim"/></th>
          <th><xsl:value-of select="$h-dmarc"/></th>
          <th><xsl:value-of select="$h-checked"/></th>
        </tr>
      </thead>
      <tbody>
        <xsl:for-each select="domains/domain">
          <tr>
            <td><a class="dname" href="#domain-{@id}"><xsl:value-of select="@unicode[. != ''] | @name[not(../@unicode != '')]"/></a></td>
            <td data-label="{$t-spf}"><xsl:apply-templates select="spf" mode="chip"/></td>
            <td data-label="{$t-dkim}"><xsl:apply-templates select="dkim" mode="chip"/></td>
            <td data-label="{$h-dmarc}">
              <xsl:call-template name="msg">
                <xsl:with-param name="k" select="concat('dmarc.short.', dmarc/@status)"/>
                <xsl:with-param name="fallback" select="'dmarc.short.none'"/>
                <xsl:with-param name="a" select="dmarc/@policy"/>
              </xsl:call-template>
            </td>
            <td class="nowrap" data-label="{$h-checked}"><xsl:call-template name="checked-at"/></td>
          </tr>
        </xsl:for-each>
      </tbody>
    </table>
  </div>
</xsl:template>

<!-- ✔ 設定済 or 未設定, without the reason: the summary and a card's
     heading. -->
<xsl:template match="spf | dkim" mode="chip">
  <xsl:choose>
    <xsl:when test="@status = 'verified'">
      <span class="st yes"><xsl:call-template name="t"><xsl:with-param name="k"><k:status.verified/></xsl:with-param></xsl:call-template></span>
    </xsl:when>
    <xsl:otherwise>
      <span class="st no"><xsl:call-template name="t"><xsl:with-param name="k"><k:status.unverified/></xsl:with-param></xsl:call-template></span>
    </xsl:otherwise>
  </xsl:choose>
</xsl:template>

<!-- One domain, a card that folds (details): its heading with the
     statuses; the notice or question about it, when there is one; status
     row, actions, the records to publish, what DNS holds now. With more
     than three domains a card whose records are all in place starts
     folded, unless a notice or a question is about it. -->
<xsl:template match="domain">
  <details class="domain" id="domain-{@id}">
    <xsl:if test="count(../domain) &lt;= 3 or not(spf/@status = 'verified' and dkim/@status = 'verified')
        or dkim/next or @id = /settings/@notice-domain-id or @id = /settings/confirm[@kind != 'address']/@id">
      <xsl:attribute name="open">open</xsl:attribute>
    </xsl:if>
    <summary>
      <strong class="dname"><xsl:value-of select="@unicode[. != ''] | @name[not(../@unicode != '')]"/></strong>
      <span class="chips">
        <xsl:value-of select="$t-spf"/>
        <xsl:text> </xsl:text>
        <xsl:apply-templates select="spf" mode="chip"/>
        <xsl:text> · </xsl:text>
        <xsl:value-of select="$t-dkim"/>
        <xsl:text> </xsl:text>
        <xsl:apply-templates select="dkim" mode="chip"/>
      </span>
    </summary>
    <xsl:if test="@id = /settings/@notice-domain-id or @id = /settings/confirm[@kind != 'address']/@id">
      <div class="in">
        <xsl:apply-templates select="/settings/@notice[../@notice-domain-id = current()/@id]"/>
        <xsl:apply-templates select="/settings/confirm[@kind != 'address'][@id = current()/@id]"/>
      </div>
    </xsl:if>
    <div class="scroll">
      <table class="stack dstat">
        <thead>
          <tr>
            <th><xsl:call-template name="t"><xsl:with-param name="k"><k:dom.domain/></xsl:with-param></xsl:call-template></th>
            <th><xsl:value-of select="$t-spf"/></th>
            <th><xsl:value-of select="$t-dkim"/></th>
            <th class="act"><xsl:call-template name="t"><xsl:with-param name="k"><k:dom.col.delete/></xsl:with-param></xsl:call-template></th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <strong class="dname"><xsl:value-of select="@unicode[. != ''] | @name[not(../@unicode != '')]"/></strong>
              <xsl:if test="@unicode != '' and @unicode != @name">
                <div class="mono muted"><xsl:value-of select="@name"/></div>
              </xsl:if>
              <div class="muted">
                <xsl:call-template name="t"><xsl:with-param name="k"><k:dom.checked/></xsl:with-param></xsl:call-template>
                <xsl:text>: </xsl:text>
                <xsl:call-template name="checked-at"/>
              </div>
              <xsl:if test="(spf | dkim | dmarc)/@via = 'authoritative'">
                <div class="muted"><xsl:call-template name="t"><xsl:with-param name="k"><k:dom.via.authoritative/></xsl:with-param></xsl:call-template></div>
              </xsl:if>
            </td>
            <td data-label="{$t-spf}"><xsl:apply-templates select="spf" mode="status"/></td>
            <td data-label="{$t-dkim}"><xsl:apply-templates select="dkim" mode="status"/></td>
            <td class="act">
              <form class="inline" method="post" action="{$base}delete#domain-{@id}">
                <xsl:call-template name="csrf"/>
                <input type="hidden" name="kind" value="domain"/>
                <input type="hidden" name="id" value="{@id}"/>
                <button type="submit" class="btn sm danger">
                  <xsl:call-template name="t"><xsl:with-param name="k"><k:btn.delete/></xsl:with-param></xsl:call-template>
                </button>
              </form>
            </td>
          </tr>
        </tbody>
      </table>
    </div>
    <div class="in">
      <xsl:apply-templates select="bulk-sender"/>
      <div class="tools">
        <xsl:call-template name="post-button">
          <xsl:with-param name="action" select="'check'"/>
          <xsl:with-param name="label"><k:btn.check/></xsl:with-param>
        </xsl:call-template>
        <xsl:choose>
          <xsl:when test="dkim/@state = 'active'">
            <!-- rotation: the server answers with a confirmation -->
            <xsl:call-template name="post-button">
              <xsl:with-param name="action" select="'reissue'"/>
              <xsl:with-param name="label"><k:btn.dkim_update/></xsl:with-param>
              <xsl:with-param name="rotate" select="true()"/>
            </xsl:call-template>
          </xsl:when>
          <xsl:when test="not(dkim/record)">
            <xsl:call-template name="post-button">
              <xsl:with-param name="action" select="'reissue'"/>
              <xsl:with-param name="label"><k:btn.dkim_issue/></xsl:with-param>
              <xsl:with-param name="class" select="'btn primary'"/>
            </xsl:call-template>
          </xsl:when>
          <xsl:otherwise>
            <xsl:call-template name="post-button">
              <xsl:with-param name="action" select="'reissue'"/>
              <xsl:with-param name="label"><k:btn.dkim_rotate/></xsl:with-param>
              <xsl:with-param name="rotate" select="true()"/>
            </xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
        <a class="btn" href="{$base}?request={@id}">
          <xsl:call-template name="t"><xsl:with-param name="k"><k:btn.request/></xsl:with-param></xsl:call-template>
        </a>
      </div>
      <h4><xsl:call-template name="t"><xsl:with-param name="k"><k:rec.title/></xsl:with-param></xsl:call-template></h4>
      <div class="scroll">
        <table class="stack rec">
          <xsl:call-template name="rec-head"/>
          <tbody>
            <xsl:apply-templates select="spf/record | dkim/record | dkim/next/record | dkim/retiring/record"/>
          </tbody>
        </table>
      </div>
      <xsl:if test="dkim/retired">
        <h4><xsl:call-template name="t"><xsl:with-param name="k"><k:dkim.key.retired/></xsl:with-param></xsl:call-template></h4>
        <p class="hint"><xsl:call-template name="t"><xsl:with-param name="k"><k:dkim.key.retired.note/></xsl:with-param></xsl:call-template></p>
        <div class="scroll">
          <table class="stack rec">
            <xsl:call-template name="rec-head"/>
            <tbody>
              <xsl:apply-templates select="dkim/retired/record"/>
            </tbody>
          </table>
        </div>
      </xsl:if>
      <dl class="dns">
        <xsl:apply-templates select="spf | dkim" mode="dns"/>
        <xsl:apply-templates select="dmarc"/>
      </dl>
    </div>
  </details>
</xsl:template>

<!-- The header of a table of records. -->
<xsl:template name="rec-head">
  <thead>
    <tr>
      <th><xsl:call-template name="t"><xsl:with-param name="k"><k:rec.for/></xsl:with-param></xsl:call-template></th>
      <th><xsl:call-template name="t"><xsl:with-param name="k"><k:rec.domain/></xsl:with-param></xsl:call-template></th>
      <th><xsl:call-template name="t"><xsl:with-param name="k"><k:rec.type/></xsl:with-param></xsl:call-template></th>
      <th class="entry"><xsl:call-template name="t"><xsl:with-param name="k"><k:rec.entry/></xsl:with-param></xsl:call-template></th>
    </tr>
  </thead>
</xsl:template>

<!-- Time of the last check of a domain (SPF's, else DKIM's) or 未確認. -->
<xsl:template name="checked-at">
  <xsl:variable name="t" select="(spf/@checked-at[. != ''] | dkim/@checked-at[. != ''])[1]"/>
  <xsl:choose>
    <xsl:when test="$t">
      <xsl:call-template name="datetime"><xsl:with-param name="v" select="$t"/></xsl:call-template>
    </xsl:when>
    <xsl:otherwise>
      <xsl:call-template name="t"><xsl:with-param name="k"><k:dom.unchecked/></xsl:with-param></xsl:call-template>
    </xsl:otherwise>
  </xsl:choose>
</xsl:template>

<!-- A one-button form posting the domain id (今すぐ確認, DKIM発行/再発行). -->
<xsl:template name="post-button">
  <xsl:param name="action"/>
  <xsl:param name="label"/>
  <xsl:param name="class" select="'btn'"/>
  <xsl:param name="rotate" select="false()"/>
  <form class="inline" method="post" action="{$base}{$action}#domain-{@id}">
    <xsl:call-template name="csrf"/>
    <input type="hidden" name="id" value="{@id}"/>
    <xsl:if test="$rotate">
      <input type="hidden" name="rotate" value="1"/>
    </xsl:if>
    <button type="submit" class="{$class}">
      <xsl:call-template name="t"><xsl:with-param name="k" select="$label"/></xsl:call-template>
    </button>
  </form>
</xsl:template>

<!-- SPF / DKIM column: ✔ 設定済, or 未設定 with what to change. -->
<xsl:template match="spf | dkim | next" mode="status">
  <xsl:choose>
    <xsl:when test="@status = 'verified'">
      <span class="st yes"><xsl:call-template name="t"><xsl:with-param name="k"><k:status.verified/></xsl:with-param></xsl:call-template></span>
      <xsl:if test="@tempfail-at">
        <p class="why"><xsl:call-template name="t"><xsl:with-param name="k"><k:status.tempfail.note/></xsl:with-param></xsl:call-template></p>
      </xsl:if>
    </xsl:when>
    <xsl:otherwise>
      <span class="st no"><xsl:call-template name="t"><xsl:with-param name="k"><k:status.unverified/></xsl:with-param></xsl:call-template></span>
      <xsl:call-template name="reason"/>
    </xsl:otherwise>
  </xsl:choose>
  <xsl:if test="self::dkim and next">
    <p class="muted"><xsl:call-template name="t"><xsl:with-param name="k"><k:dkim.rotating/></xsl:with-param></xsl:call-template></p>
  </xsl:if>
</xsl:template>

<!-- The sentence under 未設定 for the current spf, dkim or dkim/next
     element: no DKIM key issued; not checked yet; or the reason code as a
     sentence (spf.reason.CODE, dkim.reason.CODE); tempfail adds that DNS
     could not be reached and the previous verdict stays. -->
<xsl:template name="reason">
  <xsl:variable name="kind" select="local-name(self::spf | self::dkim | parent::dkim)"/>
  <xsl:choose>
    <xsl:when test="$kind = 'dkim' and not(record)">
      <p class="why"><xsl:call-template name="t"><xsl:with-param name="k"><k:dkim.none/></xsl:with-param></xsl:call-template></p>
    </xsl:when>
    <xsl:when test="@status = 'pending' and not(@reason != '')">
      <p class="why"><xsl:call-template name="t"><xsl:with-param name="k"><k:status.pending.note/></xsl:with-param></xsl:call-template></p>
    </xsl:when>
    <xsl:when test="@reason != '' and not(@status = 'tempfail' and @reason = 'dns_error')">
      <p class="why">
        <xsl:call-template name="msg">
          <xsl:with-param name="k" select="concat($kind, '.reason.', @reason)"/>
          <xsl:with-param name="fallback" select="concat($kind, '.reason.unknown')"/>
        </xsl:call-template>
      </p>
    </xsl:when>
  </xsl:choose>
  <xsl:if test="@status = 'tempfail' or @tempfail-at">
    <p class="why"><xsl:call-template name="t"><xsl:with-param name="k"><k:status.tempfail.note/></xsl:with-param></xsl:call-template></p>
  </xsl:if>
</xsl:template>

<!-- A For / ドメイン / 種別 / エントリ row: the record to publish (spf,
     dkim), or a DKIM key's record during and after a rotation (dkim/next:
     to add; dkim/retiring: to keep, or to remove once removable;
     dkim/retired: to remove), with what to do with it. -->
<xsl:template match="record">
  <xsl:variable name="kind" select="local-name(ancestor::spf | ancestor::dkim)"/>
  <xsl:variable name="key" select="local-name(..)"/>
  <xsl:variable name="id">
    <xsl:value-of select="concat($kind, '-', ancestor::domain/@id)"/>
    <xsl:if test="$key != $kind">
      <xsl:value-of select="concat('-', $key)"/>
    </xsl:if>
    <xsl:if test="$key = 'retired'">
      <xsl:value-of select="concat('-', count(../preceding-sibling::retired) + 1)"/>
    </xsl:if>
  </xsl:variable>
  <xsl:variable name="what">
    <xsl:call-template name="kind-name"><xsl:with-param name="kind" select="$kind"/></xsl:call-template>
  </xsl:variable>
  <tr>
    <td><xsl:value-of select="$what"/></td>
    <td data-label="{$t-rec-domain}">
      <span class="mono"><xsl:value-of select="@host"/></span>
      <xsl:if test="$key != 'retired'"><xsl:call-template name="panel-host"/></xsl:if>
    </td>
    <td><xsl:value-of select="@type"/></td>
    <td>
      <xsl:variable name="value">
        <xsl:choose>
          <xsl:when test="$key = 'spf'"><xsl:apply-templates select=".." mode="publish"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="@value"/></xsl:otherwise>
        </xsl:choose>
      </xsl:variable>
      <xsl:choose>
        <xsl:when test="$key = 'spf' and ../found and ../suggested != ''">
          <p class="kstate add">
            <xsl:choose>
              <xsl:when test="../found[2]"><xsl:call-template name="t"><xsl:with-param name="k"><k:spf.replace.many/></xsl:with-param></xsl:call-template></xsl:when>
              <xsl:otherwise><xsl:call-template name="t"><xsl:with-param name="k"><k:spf.replace/></xsl:with-param></xsl:call-template></xsl:otherwise>
            </xsl:choose>
          </p>
        </xsl:when>
        <xsl:when test="$key = 'spf' and ../found and string($value) != @value">
          <p class="kstate keep"><xsl:call-template name="t"><xsl:with-param name="k"><k:spf.published/></xsl:with-param></xsl:call-template></p>
        </xsl:when>
        <xsl:when test="$key = 'dkim' and ../next">
          <p class="kstate keep"><xsl:call-template name="t"><xsl:with-param name="k"><k:dkim.key.current/></xsl:with-param></xsl:call-template></p>
        </xsl:when>
        <xsl:when test="$key = 'next'">
          <p class="kstate add"><xsl:call-template name="t"><xsl:with-param name="k"><k:dkim.key.next/></xsl:with-param></xsl:call-template></p>
          <xsl:apply-templates select=".." mode="status"/>
        </xsl:when>
        <xsl:when test="$key = 'retiring' and ../@removable = '1'">
          <p class="kstate old"><xsl:call-template name="t"><xsl:with-param name="k"><k:dkim.key.removable/></xsl:with-param></xsl:call-template></p>
        </xsl:when>
        <xsl:when test="$key = 'retiring'">
          <p class="kstate keep">
            <xsl:call-template name="msg">
              <xsl:with-param name="k" select="'dkim.key.retiring'"/>
              <xsl:with-param name="a">
                <xsl:call-template name="datetime-text"><xsl:with-param name="v" select="../@until"/></xsl:call-template>
              </xsl:with-param>
            </xsl:call-template>
          </p>
        </xsl:when>
      </xsl:choose>
      <xsl:call-template name="copy-field">
        <xsl:with-param name="id" select="$id"/>
        <xsl:with-param name="value" select="$value"/>
        <xsl:with-param name="multiline" select="string-length($value) &gt; 90"/>
        <xsl:with-param name="label" select="concat($what, ' ', @host)"/>
      </xsl:call-template>
      <xsl:if test="$kind = 'dkim'">
        <p class="muted">
          <xsl:call-template name="t"><xsl:with-param name="k"><k:dom.selector/></xsl:with-param></xsl:call-template>
          <xsl:text> </xsl:text>
          <span class="mono"><xsl:value-of select="../@selector"/></span>
          <xsl:if test="../@bits != ''">
            <xsl:text> · </xsl:text>
            <xsl:call-template name="t"><xsl:with-param name="k"><k:dom.bits/></xsl:with-param></xsl:call-template>
            <xsl:text> </xsl:text>
            <xsl:value-of select="../@bits"/>
          </xsl:if>
        </p>
      </xsl:if>
      <xsl:if test="@zone != ''">
        <p class="hint"><xsl:call-template name="t"><xsl:with-param name="k"><k:rec.zone/></xsl:with-param></xsl:call-template></p>
        <xsl:call-template name="copy-field">
          <xsl:with-param name="id" select="concat($id, '-zone')"/>
          <xsl:with-param name="value" select="@zone"/>
          <xsl:with-param name="multiline" select="true()"/>
          <xsl:with-param name="label">
            <xsl:value-of select="concat($what, ' ', @host, ' ')"/>
            <xsl:call-template name="t"><xsl:with-param name="k"><k:rec.zone/></xsl:with-param></xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:if>
    </td>
  </tr>
</xsl:template>

<!-- SPF or DKIM, the name of kind ('spf' or 'dkim'), from the labels
     looked up once per page. -->
<xsl:template name="kind-name">
  <xsl:param name="kind"/>
  <xsl:choose>
    <xsl:when test="$kind = 'spf'"><xsl:value-of select="$t-spf"/></xsl:when>
    <xsl:otherwise><xsl:value-of select="$t-dkim"/></xsl:otherwise>
  </xsl:choose>
</xsl:template>

<!-- What DNS holds now (found). -->
<xsl:template match="spf | dkim" mode="dns">
  <xsl:variable name="kind" select="local-name()"/>
  <xsl:if test="found">
    <dt>
      <xsl:call-template name="kind-name"><xsl:with-param name="kind" select="$kind"/></xsl:call-template>
      <xsl:text>: </xsl:text>
      <xsl:call-template name="t"><xsl:with-param name="k"><k:rec.found/></xsl:with-param></xsl:call-template>
    </dt>
    <dd>
      <xsl:for-each select="found">
        <code class="found"><xsl:value-of select="."/></code>
      </xsl:for-each>
    </dd>
  </xsl:if>
</xsl:template>

<!-- The one SPF record to publish: when the domain publishes SPF
     records (found), the verifier's merge of them with the platform's
     terms (suggested), which replaces them, or the one found when it is
     right already; the issued record only when there is none. The page,
     the DNS request and /mail-settings/export (cgi-bin/export.c) choose
     alike. -->
<xsl:template match="spf" mode="publish">
  <xsl:choose>
    <xsl:when test="found and suggested != ''"><xsl:value-of select="suggested"/></xsl:when>
    <xsl:when test="found and @status = 'verified'"><xsl:value-of select="found"/></xsl:when>
    <xsl:otherwise><xsl:value-of select="record/@value"/></xsl:otherwise>
  </xsl:choose>
</xsl:template>

<!-- DMARC, as information: found (policy), missing, invalid, tempfail;
     with org-domain, the record judged is the organizational domain's
     (the domain has none of its own), which the page names. -->
<xsl:template match="dmarc">
  <dt><xsl:call-template name="t"><xsl:with-param name="k"><k:dmarc.label/></xsl:with-param></xsl:call-template></dt>
  <dd>
    <xsl:choose>
      <xsl:when test="@status = 'invalid'">
        <xsl:call-template name="msg">
          <xsl:with-param name="k" select="concat('dmarc.invalid.', @reason)"/>
          <xsl:with-param name="fallback" select="'dmarc.invalid'"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:when test="@status = 'missing'">
        <xsl:call-template name="msg">
          <xsl:with-param name="k" select="'dmarc.missing'"/>
          <xsl:with-param name="a" select="../@name"/>
        </xsl:call-template>
        <xsl:apply-templates select="record" mode="dmarc"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="msg">
          <xsl:with-param name="k" select="concat('dmarc.', @status)"/>
          <xsl:with-param name="fallback" select="'dmarc.unknown'"/>
          <xsl:with-param name="a" select="@policy"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
    <xsl:if test="@org-domain != '' and (@status = 'found' or @status = 'invalid')">
      <p class="muted">
        <xsl:call-template name="msg">
          <xsl:with-param name="k" select="concat('dmarc.org_domain.', @status)"/>
          <xsl:with-param name="a">
            <xsl:choose>
              <xsl:when test="@org-domain-unicode != ''"><xsl:value-of select="@org-domain-unicode"/></xsl:when>
              <xsl:otherwise><xsl:value-of select="@org-domain"/></xsl:otherwise>
            </xsl:choose>
          </xsl:with-param>
        </xsl:call-template>
      </p>
    </xsl:if>
  </dd>
</xsl:template>

<!-- The DMARC record suggested to a domain without one: where, what (to
     copy), and how its policy is meant to grow. -->
<xsl:template match="record" mode="dmarc">
  <p class="muted">
    <xsl:call-template name="t"><xsl:with-param name="k"><k:rec.domain/></xsl:with-param></xsl:call-template>
    <xsl:text> </xsl:text>
    <span class="mono"><xsl:value-of select="@host"/></span>
    <xsl:text> · </xsl:text>
    <xsl:call-template name="t"><xsl:with-param name="k"><k:rec.type/></xsl:with-param></xsl:call-template>
    <xsl:text> </xsl:text>
    <xsl:value-of select="@type"/>
  </p>
  <xsl:call-template name="copy-field">
    <xsl:with-param name="id" select="concat('dmarc-', ancestor::domain/@id)"/>
    <xsl:with-param name="value" select="@value"/>
    <xsl:with-param name="label" select="concat('DMARC ', @host)"/>
  </xsl:call-template>
  <p class="hint"><xsl:call-template name="t"><xsl:with-param name="k"><k:dmarc.path/></xsl:with-param></xsl:call-template></p>
</xsl:template>

<!-- What Gmail and Yahoo require from bulk senders, one mark each. -->
<xsl:template match="bulk-sender">
  <p class="bulk">
    <span class="muted"><xsl:call-template name="t"><xsl:with-param name="k"><k:bulk.title/></xsl:with-param></xsl:call-template></span>
    <xsl:apply-templates select="@spf | @dkim | @dmarc | @aligned" mode="bulk"/>
  </p>
</xsl:template>
<!-- bulk.NAME of the requirement (a name of the schema's, so the fast
     lookup), then its mark. -->
<xsl:template match="bulk-sender/@*" mode="bulk">
  <xsl:text> </xsl:text>
  <span class="ck {.}">
    <xsl:call-template name="msg"><xsl:with-param name="k" select="concat('bulk.', local-name())"/></xsl:call-template>
    <xsl:text> </xsl:text>
    <xsl:choose>
      <xsl:when test=". = 'yes'"><xsl:call-template name="t"><xsl:with-param name="k"><k:bulk.yes/></xsl:with-param></xsl:call-template></xsl:when>
      <xsl:otherwise><xsl:call-template name="t"><xsl:with-param name="k"><k:bulk.no/></xsl:with-param></xsl:call-template></xsl:otherwise>
    </xsl:choose>
  </span>
</xsl:template>

<!-- Merging into an existing SPF record, and why ~all rather than -all.
     The platform terms are those of the issued record between "v=spf1 "
     and " ~all". Open when a verdict says the record must be changed. -->
<xsl:template name="spf-help">
  <xsl:variable name="v" select="domains/domain/spf/record/@value"/>
  <details class="help">
    <xsl:if test="domains/domain/spf[@status != 'verified'][@reason = 'multiple_records'
        or @reason = 'concatenated_records' or @reason = 'hardfail_all'
        or @reason = 'plus_all' or @reason = 'not_authorized']">
      <xsl:attribute name="open">open</xsl:attribute>
    </xsl:if>
    <summary><xsl:call-template name="t"><xsl:with-param name="k"><k:spf.merge.title/></xsl:with-param></xsl:call-template></summary>
    <p>
      <xsl:call-template name="msg">
        <xsl:with-param name="k" select="'spf.merge.body'"/>
        <xsl:with-param name="a" select="substring-before(substring-after($v, 'v=spf1 '), ' ~all')"/>
      </xsl:call-template>
    </p>
    <p><xsl:call-template name="t"><xsl:with-param name="k"><k:spf.merge.all/></xsl:with-param></xsl:call-template></p>
  </details>
</xsl:template>

<!-- ==== Help, and the page for the person who edits DNS ==== -->

<!-- "?" marks: what SPF, DKIM and DMARC are, folded. -->
<xsl:template name="terms">
  <div class="terms">
    <xsl:call-template name="term">
      <xsl:with-param name="q"><k:help.spf.q/></xsl:with-param>
      <xsl:with-param name="a"><k:help.spf/></xsl:with-param>
    </xsl:call-template>
    <xsl:call-template name="term">
      <xsl:with-param name="q"><k:help.dkim.q/></xsl:with-param>
      <xsl:with-param name="a"><k:help.dkim/></xsl:with-param>
    </xsl:call-template>
    <xsl:call-template name="term">
      <xsl:with-param name="q"><k:help.dmarc.q/></xsl:with-param>
      <xsl:with-param name="a"><k:help.dmarc/></xsl:with-param>
    </xsl:call-template>
  </div>
</xsl:template>
<xsl:template name="term">
  <xsl:param name="q"/>
  <xsl:param name="a"/>
  <details class="q">
    <summary><xsl:call-template name="t"><xsl:with-param name="k" select="$q"/></xsl:call-template><span class="qm" aria-hidden="true">?</span></summary>
    <p><xsl:call-template name="t"><xsl:with-param name="k" select="$a"/></xsl:call-template></p>
  </details>
</xsl:template>

<!-- How to publish: the delay, how often the verifier checks
     (settings/schedule), what DNS panels want. Open while a record is
     not in place. -->
<xsl:template name="howto">
  <details class="help" id="howto">
    <xsl:if test="domains/domain[spf/@status != 'verified' or dkim/@status != 'verified']">
      <xsl:attribute name="open">open</xsl:attribute>
    </xsl:if>
    <summary><xsl:call-template name="t"><xsl:with-param name="k"><k:help.howto/></xsl:with-param></xsl:call-template></summary>
    <p>
      <xsl:call-template name="t"><xsl:with-param name="k"><k:help.propagation/></xsl:with-param></xsl:call-template>
      <xsl:apply-templates select="schedule"/>
    </p>
    <xsl:call-template name="panel-hints"/>
  </details>
</xsl:template>
<!-- (The English entries start with the space between sentences.) -->
<xsl:template match="schedule">
  <xsl:call-template name="msg">
    <xsl:with-param name="k" select="'help.schedule'"/>
    <xsl:with-param name="a" select="@new-hours"/>
    <xsl:with-param name="b" select="@new-minutes"/>
  </xsl:call-template>
  <xsl:call-template name="msg">
    <xsl:with-param name="k" select="'help.schedule.max'"/>
    <xsl:with-param name="a" select="@max-hours"/>
  </xsl:call-template>
</xsl:template>
<xsl:template name="panel-hints">
  <ul class="hints">
    <li><xsl:call-template name="t"><xsl:with-param name="k"><k:help.panel.apex/></xsl:with-param></xsl:call-template></li>
    <li><xsl:call-template name="t"><xsl:with-param name="k"><k:help.panel.sub/></xsl:with-param></xsl:call-template></li>
    <li><xsl:call-template name="t"><xsl:with-param name="k"><k:help.panel.value/></xsl:with-param></xsl:call-template></li>
  </ul>
</xsl:template>

<!-- What goes into a DNS panel's host field for the record's host: @
     (or nothing) for the domain itself, else the part before the domain,
     which most panels append. -->
<xsl:template name="panel-host">
  <xsl:param name="host" select="@host"/>
  <xsl:variable name="d" select="ancestor::domain/@name"/>
  <p class="hint">
    <xsl:choose>
      <xsl:when test="$host = $d">
        <xsl:call-template name="t"><xsl:with-param name="k"><k:rec.panel.apex/></xsl:with-param></xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="msg">
          <xsl:with-param name="k" select="'rec.panel.sub'"/>
          <xsl:with-param name="a" select="substring($host, 1, string-length($host) - string-length($d) - 1)"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </p>
</xsl:template>

<!-- ?request=ID: one page for the person who edits DNS, printable, with
     a mailto link carrying the same records as text. -->
<xsl:template name="request">
  <xsl:param name="d"/>
  <xsl:variable name="name" select="$d/@unicode[. != ''] | $d/@name[not(../@unicode != '')]"/>
  <xsl:variable name="items" select="$d/spf | $d/dkim/record | $d/dkim/next/record | $d/dmarc/record"/>
  <xsl:variable name="title">
    <xsl:call-template name="msg">
      <xsl:with-param name="k" select="'req.title'"/>
      <xsl:with-param name="a" select="$name"/>
    </xsl:call-template>
  </xsl:variable>
  <xsl:variable name="intro">
    <xsl:call-template name="msg">
      <xsl:with-param name="k" select="'req.intro'"/>
      <xsl:with-param name="a" select="$name"/>
      <xsl:with-param name="b" select="organization/@name"/>
    </xsl:call-template>
  </xsl:variable>
  <xsl:variable name="text">
    <xsl:value-of select="$intro"/>
    <xsl:text>&#13;&#10;&#13;&#10;</xsl:text>
    <xsl:apply-templates select="$items" mode="req">
      <xsl:with-param name="as" select="'text'"/>
    </xsl:apply-templates>
    <xsl:call-template name="t"><xsl:with-param name="k"><k:help.propagation/></xsl:with-param></xsl:call-template>
    <xsl:text>&#13;&#10;</xsl:text>
  </xsl:variable>
  <section class="card request" id="request">
    <h2><xsl:value-of select="$title"/></h2>
    <p><xsl:value-of select="$intro"/></p>
    <div class="scroll">
      <table class="stack rec">
        <thead>
          <tr>
            <th><xsl:call-template name="t"><xsl:with-param name="k"><k:rec.for/></xsl:with-param></xsl:call-template></th>
            <th><xsl:call-template name="t"><xsl:with-param name="k"><k:req.col.host/></xsl:with-param></xsl:call-template></th>
            <th><xsl:call-template name="t"><xsl:with-param name="k"><k:rec.type/></xsl:with-param></xsl:call-template></th>
            <th class="entry"><xsl:call-template name="t"><xsl:with-param name="k"><k:req.col.value/></xsl:with-param></xsl:call-template></th>
          </tr>
        </thead>
        <tbody>
          <xsl:apply-templates select="$items" mode="req">
            <xsl:with-param name="as" select="'row'"/>
          </xsl:apply-templates>
        </tbody>
      </table>
    </div>
    <xsl:call-template name="panel-hints"/>
    <p><xsl:call-template name="t"><xsl:with-param name="k"><k:help.propagation/></xsl:with-param></xsl:call-template></p>
    <p class="tools noprint">
      <a class="btn primary" href="mailto:?subject={str:encode-uri($title, true())}&amp;body={str:encode-uri($text, true())}">
        <xsl:call-template name="t"><xsl:with-param name="k"><k:btn.mail/></xsl:with-param></xsl:call-template>
      </a>
      <button type="button" class="btn" data-print="print" hidden="hidden">
        <xsl:call-template name="t"><xsl:with-param name="k"><k:btn.print/></xsl:with-param></xsl:call-template>
      </button>
      <a class="btn" href="{$base}export?format=zone&amp;id={$d/@id}">
        <xsl:call-template name="t"><xsl:with-param name="k"><k:btn.export.zone/></xsl:with-param></xsl:call-template>
      </a>
      <a class="btn" href="{$base}export?format=csv&amp;id={$d/@id}">
        <xsl:call-template name="t"><xsl:with-param name="k"><k:btn.export.csv/></xsl:with-param></xsl:call-template>
      </a>
      <a class="btn" href="{$base}#domain-{$d/@id}">
        <xsl:call-template name="t"><xsl:with-param name="k"><k:error.back/></xsl:with-param></xsl:call-template>
      </a>
    </p>
  </section>
</xsl:template>

<!-- A record of the request, as a table row or as lines of the mail. -->
<xsl:template match="spf" mode="req">
  <xsl:param name="as"/>
  <xsl:call-template name="req-item">
    <xsl:with-param name="as" select="$as"/>
    <xsl:with-param name="what"><k:dom.col.spf/></xsl:with-param>
    <xsl:with-param name="host" select="record/@host"/>
    <xsl:with-param name="value"><xsl:apply-templates select="." mode="publish"/></xsl:with-param>
    <xsl:with-param name="note">
      <xsl:if test="found and suggested != ''">
        <xsl:choose>
          <xsl:when test="found[2]"><xsl:call-template name="t"><xsl:with-param name="k"><k:spf.replace.many/></xsl:with-param></xsl:call-template></xsl:when>
          <xsl:otherwise><xsl:call-template name="t"><xsl:with-param name="k"><k:spf.replace/></xsl:with-param></xsl:call-template></xsl:otherwise>
        </xsl:choose>
      </xsl:if>
    </xsl:with-param>
  </xsl:call-template>
</xsl:template>
<xsl:template match="dkim/record" mode="req">
  <xsl:param name="as"/>
  <xsl:call-template name="req-item">
    <xsl:with-param name="as" select="$as"/>
    <xsl:with-param name="what"><k:dom.col.dkim/></xsl:with-param>
    <xsl:with-param name="note">
      <xsl:choose>
        <xsl:when test="../next"><xsl:call-template name="t"><xsl:with-param name="k"><k:dkim.key.current/></xsl:with-param></xsl:call-template></xsl:when>
        <xsl:otherwise><xsl:call-template name="t"><xsl:with-param name="k"><k:req.dkim.value/></xsl:with-param></xsl:call-template></xsl:otherwise>
      </xsl:choose>
    </xsl:with-param>
  </xsl:call-template>
</xsl:template>
<xsl:template match="next/record" mode="req">
  <xsl:param name="as"/>
  <xsl:call-template name="req-item">
    <xsl:with-param name="as" select="$as"/>
    <xsl:with-param name="what"><k:req.dkim.next/></xsl:with-param>
    <xsl:with-param name="note"><xsl:call-template name="t"><xsl:with-param name="k"><k:req.dkim.next.note/></xsl:with-param></xsl:call-template></xsl:with-param>
  </xsl:call-template>
</xsl:template>
<xsl:template match="dmarc/record" mode="req">
  <xsl:param name="as"/>
  <xsl:call-template name="req-item">
    <xsl:with-param name="as" select="$as"/>
    <xsl:with-param name="what"><k:req.dmarc/></xsl:with-param>
    <xsl:with-param name="note"><xsl:call-template name="t"><xsl:with-param name="k"><k:req.dmarc.note/></xsl:with-param></xsl:call-template></xsl:with-param>
  </xsl:call-template>
</xsl:template>
<xsl:template name="req-item">
  <xsl:param name="as"/>
  <xsl:param name="what"/>
  <xsl:param name="host" select="@host"/>
  <xsl:param name="value" select="@value"/>
  <xsl:param name="note" select="''"/>
  <xsl:variable name="d" select="ancestor::domain/@name"/>
  <xsl:choose>
    <xsl:when test="$as = 'row'">
      <tr>
        <td><xsl:call-template name="t"><xsl:with-param name="k" select="$what"/></xsl:call-template></td>
        <td>
          <xsl:attribute name="data-label"><xsl:call-template name="t"><xsl:with-param name="k"><k:req.col.host/></xsl:with-param></xsl:call-template></xsl:attribute>
          <span class="mono"><xsl:value-of select="$host"/></span>
          <xsl:call-template name="panel-host"><xsl:with-param name="host" select="$host"/></xsl:call-template>
        </td>
        <td>TXT</td>
        <td>
          <code class="val"><xsl:value-of select="$value"/></code>
          <xsl:if test="string($note) != ''"><p class="hint"><xsl:value-of select="$note"/></p></xsl:if>
        </td>
      </tr>
    </xsl:when>
    <xsl:otherwise>
      <xsl:call-template name="msg">
        <xsl:with-param name="k" select="'req.text.item'"/>
        <xsl:with-param name="a"><xsl:call-template name="t"><xsl:with-param name="k" select="$what"/></xsl:call-template></xsl:with-param>
      </xsl:call-template>
      <xsl:text>&#13;&#10;</xsl:text>
      <xsl:call-template name="msg">
        <xsl:with-param name="k" select="'req.text.host'"/>
        <xsl:with-param name="a" select="$host"/>
        <xsl:with-param name="b">
          <xsl:choose>
            <xsl:when test="$host = $d">@</xsl:when>
            <xsl:otherwise><xsl:value-of select="substring($host, 1, string-length($host) - string-length($d) - 1)"/></xsl:otherwise>
          </xsl:choose>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:text>&#13;&#10;</xsl:text>
      <xsl:call-template name="t"><xsl:with-param name="k"><k:req.text.type/></xsl:with-param></xsl:call-template>
      <xsl:text>TXT&#13;&#10;</xsl:text>
      <xsl:call-template name="t"><xsl:with-param name="k"><k:req.text.value/></xsl:with-param></xsl:call-template>
      <xsl:value-of select="$value"/>
      <xsl:text>&#13;&#10;</xsl:text>
      <xsl:if test="string($note) != ''">
        <xsl:call-template name="msg">
          <xsl:with-param name="k" select="'req.text.note'"/>
          <xsl:with-param name="a" select="$note"/>
        </xsl:call-template>
        <xsl:text>&#13;&#10;</xsl:text>
      </xsl:if>
      <xsl:text>&#13;&#10;</xsl:text>
    </xsl:otherwise>
  </xsl:choose>
</xsl:template>

<!-- ================================================================
     log root: ログ
     ================================================================ -->
<xsl:template match="log" mode="main">
  <section class="card">
    <h2><xsl:call-template name="t"><xsl:with-param name="k"><k:log.title/></xsl:with-param></xsl:call-template></h2>
    <xsl:choose>
      <xsl:when test="event">
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th><xsl:call-template name="t"><xsl:with-param name="k"><k:log.col.at/></xsl:with-param></xsl:call-template></th>
                <th><xsl:call-template name="t"><xsl:with-param name="k"><k:log.col.actor/></xsl:with-param></xsl:call-template></th>
                <th><xsl:call-template name="t"><xsl:with-param name="k"><k:log.col.action/></xsl:with-param></xsl:call-template></th>
                <th><xsl:call-template name="t"><xsl:with-param name="k"><k:log.col.object/></xsl:with-param></xsl:call-template></th>
                <th><xsl:call-template name="t"><xsl:with-param name="k"><k:log.col.detail/></xsl:with-param></xsl:call-template></th>
              </tr>
            </thead>
            <tbody>
              <xsl:apply-templates select="event"/>
            </tbody>
          </table>
        </div>
      </xsl:when>
      <xsl:otherwise>
        <p class="empty"><xsl:call-template name="t"><xsl:with-param name="k"><k:log.empty/></xsl:with-param></xsl:call-template></p>
      </xsl:otherwise>
    </xsl:choose>
  </section>
</xsl:template>

<!-- An event; names (of the actor and the object) never wrap inside. A
     status change or check says per record what it is now, what it was,
     and why (its reason sentence of the settings page); one written before
     its codes were stored shows its text. -->
<xsl:template match="event">
  <tr>
    <td class="nowrap"><xsl:call-template name="datetime"><xsl:with-param name="v" select="@at"/></xsl:call-template></td>
    <td class="name">
      <xsl:choose>
        <xsl:when test="actor"><xsl:value-of select="actor/@name"/></xsl:when>
        <xsl:when test="@action = 'status_changed' or @action = 'checked'
            or @action = 'dkim_activated' or @action = 'dkim_retiring'">
          <xsl:call-template name="t"><xsl:with-param name="k"><k:log.actor.auto/></xsl:with-param></xsl:call-template>
        </xsl:when>
        <xsl:otherwise>
          <xsl:call-template name="t"><xsl:with-param name="k"><k:log.actor.system/></xsl:with-param></xsl:call-template>
        </xsl:otherwise>
      </xsl:choose>
    </td>
    <td>
      <xsl:call-template name="msg">
        <xsl:with-param name="k" select="concat('log.action.', @action)"/>
        <xsl:with-param name="fallback" select="'log.action.unknown'"/>
      </xsl:call-template>
    </td>
    <td>
      <span class="muted">
        <xsl:call-template name="msg">
          <xsl:with-param name="k" select="concat('log.object.', @object-type)"/>
          <xsl:with-param name="fallback" select="'log.object.unknown'"/>
        </xsl:call-template>
      </span>
      <xsl:text> </xsl:text>
      <span class="name"><xsl:value-of select="@object"/></span>
    </td>
    <xsl:choose>
      <xsl:when test="spf or dkim">
        <td><xsl:apply-templates select="spf | dkim" mode="change"/></td>
      </xsl:when>
      <xsl:otherwise>
        <td class="mono note"><xsl:value-of select="detail"/></td>
      </xsl:otherwise>
    </xsl:choose>
  </tr>
</xsl:template>

<xsl:template match="spf | dkim" mode="change">
  <xsl:variable name="label" select="translate(local-name(), 'spfdkim', 'SPFDKIM')"/>
  <xsl:variable name="to">
    <xsl:call-template name="msg">
      <xsl:with-param name="k" select="concat('log.status.', @to)"/>
      <xsl:with-param name="fallback" select="'log.status.unknown'"/>
    </xsl:call-template>
  </xsl:variable>
  <p class="change">
    <xsl:choose>
      <xsl:when test="@from = @to">
        <xsl:call-template name="msg">
          <xsl:with-param name="k" select="'log.unchanged'"/>
          <xsl:with-param name="a" select="$label"/>
          <xsl:with-param name="b" select="$to"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="msg">
          <xsl:with-param name="k" select="'log.changed'"/>
          <xsl:with-param name="a" select="$label"/>
          <xsl:with-param name="b">
            <xsl:call-template name="msg">
              <xsl:with-param name="k" select="'log.from_to'"/>
              <xsl:with-param name="a">
                <xsl:call-template name="msg">
                  <xsl:with-param name="k" select="concat('log.status.', @from)"/>
                  <xsl:with-param name="fallback" select="'log.status.unknown'"/>
                </xsl:call-template>
              </xsl:with-param>
              <xsl:with-param name="b" select="$to"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
    <xsl:if test="@reason != ''">
      <xsl:if test="$L = 'en'"><xsl:text> </xsl:text></xsl:if>
      <xsl:call-template name="msg">
        <xsl:with-param name="k" select="concat(local-name(), '.reason.', @reason)"/>
        <xsl:with-param name="fallback" select="concat(local-name(), '.reason.unknown')"/>
      </xsl:call-template>
    </xsl:if>
  </p>
</xsl:template>

<!-- ================================================================
     Small parts
     ================================================================ -->

<!-- The CSRF token every POST form carries. -->
<xsl:template name="csrf">
  <input type="hidden" name="csrf" value="{/*/@csrf}"/>
</xsl:template>

<!-- A value to paste into a DNS panel: readonly, selectable without
     JavaScript, with a コピー button that the script reveals. -->
<xsl:template name="copy-field">
  <xsl:param name="id"/>
  <xsl:param name="value"/>
  <xsl:param name="multiline" select="false()"/>
  <xsl:param name="label"/>
  <div class="copy">
    <xsl:choose>
      <xsl:when test="$multiline">
        <textarea id="{$id}" readonly="readonly" spellcheck="false" aria-label="{$label}"><xsl:value-of select="$value"/></textarea>
      </xsl:when>
      <xsl:otherwise>
        <input id="{$id}" type="text" readonly="readonly" spellcheck="false" value="{$value}" aria-label="{$label}"/>
      </xsl:otherwise>
    </xsl:choose>
    <button type="button" class="btn sm" data-copy="{$id}" data-done="{$t-copied}" hidden="hidden">
      <xsl:value-of select="$t-copy"/>
    </button>
  </div>
</xsl:template>

<!-- ISO 8601 "2026-11-26T10:05:00Z" as "2026/11/26 10:05 UTC" in a
     <time> element; anything else is written as given. -->
<xsl:template name="datetime">
  <xsl:param name="v"/>
  <time datetime="{$v}">
    <xsl:call-template name="datetime-text"><xsl:with-param name="v" select="$v"/></xsl:call-template>
  </time>
</xsl:template>
<!-- The same as text only, for a message argument. -->
<xsl:template name="datetime-text">
  <xsl:param name="v"/>
  <xsl:choose>
    <xsl:when test="string-length($v) &gt;= 16 and substring($v, 5, 1) = '-' and substring($v, 11, 1) = 'T'">
      <xsl:value-of select="concat(substring($v, 1, 4), '/', substring($v, 6, 2), '/',
          substring($v, 9, 2), ' ', substring($v, 12, 5))"/>
      <xsl:if test="substring($v, string-length($v)) = 'Z'">
        <xsl:text> </xsl:text>
        <xsl:call-template name="t"><xsl:with-param name="k"><k:time.utc/></xsl:with-param></xsl:call-template>
      </xsl:if>
    </xsl:when>
    <xsl:otherwise><xsl:value-of select="$v"/></xsl:otherwise>
  </xsl:choose>
</xsl:template>

</xsl:stylesheet>
