/*
 * notify.c - the alerts' sender (notify.h). It owns the text of the alert
 * mail, the one place it lives: the subject and lead per kind, the status
 * names, and the reason sentences, which are the settings page's
 * (xsl/messages.ja.xml spf.reason.* and dkim.reason.*, without markup;
 * tests/integration/t450-alerts.sh checks they stay the same). It does
 * not decide what is an alert: sa_save_verdicts() writes the outbox in the
 * verdict's transaction. Mail goes through the system's sendmail
 * interface, the webhook through curl, both as child processes fed on
 * their standard input; neither is given a secret on its command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "notify.h"
#include "util.h"
#include "xml.h"

extern char **environ;

/* a child that takes longer is killed and its delivery failed */
#define CHILD_LIMIT_S 30
#define CLAIM_BATCH "50"
#define SIG_HEADER "X-Senderauth-Signature"

struct text {
	const char *code, *text;
};

/* Subject and lead of the mail per kind; %s: the domain. */
static const struct {
	const char *kind, *subject, *lead;
} kinds[] = {
    {"regression", "【メール設定】%s のSPF/DKIM設定が未設定になりました",
     "%s の送信ドメイン認証（SPF/DKIM）の確認結果が「設定済」から"
     "「未設定」に変わりました。このままでは、このドメインの送信元"
     "アドレスから送ったメールが迷惑メールと判定されたり、届かなかったり"
     "するおそれがあります。"},
    {"completion", "【メール設定】%s のSPF/DKIM設定が完了しました",
     "%s のSPFレコードとDKIMレコードがDNSで確認でき、「設定済」になり"
     "ました。このドメインの送信元アドレスから送るメールは、当サービスの"
     "送信サーバで認証されます。"},
};

static const struct text statuses[] = {
    {"pending", "未確認"},
    {"verified", "設定済"},
    {"unverified", "未設定"},
    {"tempfail", "確認できず"},
};

static const struct text spf_reasons[] = {
    {"ok", "SPFレコードは正しく設定されています。"},
    {"no_record",
     "SPFレコードが見つかりません。下記のSPFレコードをDNSに登録してください。"},
    {"multiple_records",
     "SPFレコードが複数あります。1つのレコードに統合してください（SPFレコードが"
     "2つ以上あると無効になります）。"},
    {"syntax_error", "SPFレコードの書式に誤りがあります。下記の推奨レコードと見"
		     "比べて修正してください。"},
    {"concatenated_records",
     "2つのSPFレコードが1つの文字列に連結されています（「v="
     "spf1」が2回含まれています）。1つのSPFレコードに統合してください。"},
    {"not_authorized", "SPFレコードに当サービスの送信サーバが含まれていません。"
		       "~all の前に当サービスの設定を追加してください。"},
    {"hardfail_all",
     "SPFレコードの末尾が -all になっています。~all に変更してください。"},
    {"plus_all",
     "SPFレコードが +all（または all）で、誰でも送信できる状態です。~all "
     "に変更してください。"},
    {"lookup_limit",
     "DNS参照（include、a、mx など）が10回を超えています。不要な include "
     "を削除するなどして10回以内にしてください。"},
    {"void_lookup_limit",
     "存在しないドメインへの参照が2回を超えています。include "
     "などに指定したドメイン名を確認し、不要なものを削除してください。"},
    {"permerror",
     "SPFレコード（または include 先のレコード）を評価できません。include "
     "先のドメインとレコードの書式を確認してください。"},
    {"dns_error", "DNSの問い合わせに失敗しました。しばらくしてから「今すぐ確認"
		  "」を押してください。"},
    {"unknown", "SPFレコードを確認できませんでした。"},
};

static const struct text dkim_reasons[] = {
    {"ok", "DKIMレコードは正しく設定されています。"},
    {"no_record", "DKIMレコードが見つかりません。下記のホスト名でDKIMレコードを"
		  "DNSに登録してください。"},
    {"key_mismatch",
     "DKIMレコードの公開鍵が発行したものと一致しません。エントリを下記の値に置"
     "き換えてください（再発行前の古い値の可能性があります）。"},
    {"key_truncated", "DKIMレコードの値が途中で切れています（多くの場合255文字"
		      "で切れています）。値全体を貼り付けるか、255文字ごとに分"
		      "割したゾーンファイル形式の文字列を使ってください。"},
    {"revoked",
     "DKIMレコードの公開鍵（p=）が空です。下記の値に置き換えてください。"},
    {"syntax_error", "DKIMレコードの書式に誤りがあります。エントリを下記の値に"
		     "置き換えてください。"},
    {"multiple_records",
     "同じホスト名にDKIMレコードが複数あります。1つだけ残してください。"},
    {"wrong_key_type", "DKIMレコードの鍵の種類が違います（k=rsa "
		       "ではありません）。下記の値に置き換えてください。"},
    {"doubled_domain",
     "ドメイン名が2回付いたホスト名で登録されています。DNSの管理画面ではホスト"
     "名に「セレクタ._domainkey」の部分だけを入力してください。"},
    {"dns_error", "DNSの問い合わせに失敗しました。しばらくしてから「今すぐ確認"
		  "」を押してください。"},
    {"no_selector", "DKIMキーが発行されていないため、確認していません。「DKIMレ"
		    "コード発行」ボタンを押してください。"},
    {"unknown", "DKIMレコードを確認できませんでした。"},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* code's text in t[0..n), else the one of "unknown" (or ""). */
static const char *
text_of(const struct text *t, size_t n, const char *code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].code, code) == 0)
			return t[i].text;
	return strcmp(code, "unknown") == 0 ? "" : text_of(t, n, "unknown");
}

/* An outbox row being sent: its columns by name. */
struct alert {
	PGresult *res;
	int row;
};

static const char *
col(const struct alert *a, int c)
{
	return PQgetvalue(a->res, a->row, c);
}

/* The card's address: site_url, then #domain-ID. */
static void
card_url(const struct alert *a, struct buf *b)
{
	buf_addf(b, "%s#domain-%s", config_str("site_url"),
		 col(a, NOTIFY_CLAIM_DOMAIN_ID));
}

/* Base64 of s[0..len) into b, lines of at most 76 characters. */
static int
base64_lines(struct buf *b, const char *s, size_t len)
{
	char *e = crypto_base64(s, len);
	size_t i, n;

	if (e == NULL)
		return -1;
	n = strlen(e);
	for (i = 0; i < n; i += 76) {
		buf_add(b, e + i, n - i < 76 ? n - i : 76);
		buf_adds(b, "\r\n");
	}
	free(e);
	return 0;
}

/* The Subject header of s as RFC 2047 encoded words ("B", UTF-8), each of
 * whole characters and at most 75 characters long, folded between. */
static int
subject_header(struct buf *b, const char *s)
{
	size_t len = strlen(s), start = 0, end, step;
	unsigned long cp;
	char *e;

	buf_adds(b, "Subject:");
	while (start < len) {
		/* 45 bytes make 60 base64 characters, 72 with the markers */
		for (end = start; end < len && end - start < 45; end += step)
			if ((step = utf8_char(s + end, len - end, &cp)) == 0 ||
			    end + step - start > 45)
				break;
		if (end == start)
			return -1;
		if ((e = crypto_base64(s + start, end - start)) == NULL)
			return -1;
		buf_addf(b, "%s=?UTF-8?B?%s?=", start == 0 ? " " : "\r\n ", e);
		free(e);
		start = end;
	}
	return buf_adds(b, "\r\n");
}

/* One record's lines of the mail body. */
static void
record_lines(struct buf *b, const char *label, const char *status,
	     const char *reason, const struct text *reasons, size_t n)
{
	buf_addf(b, "%s: %s\n", label,
		 text_of(statuses, NELEM(statuses), status));
	if (reason[0] != '\0')
		buf_addf(b, "%s\n", text_of(reasons, n, reason));
	buf_addc(b, '\n');
}

/* The mail body (UTF-8 text) of alert a, its kind's entry k. */
static void
mail_body(struct buf *b, const struct alert *a, size_t k)
{
	const char *domain = col(a, NOTIFY_CLAIM_DOMAIN);

	buf_addf(b, kinds[k].lead, domain);
	buf_adds(b, "\n\nメール設定の画面の確認結果:\n\n");
	record_lines(b, "SPF", col(a, NOTIFY_CLAIM_SPF_STATUS),
		     col(a, NOTIFY_CLAIM_SPF_REASON), spf_reasons,
		     NELEM(spf_reasons));
	record_lines(b, "DKIM", col(a, NOTIFY_CLAIM_DKIM_STATUS),
		     col(a, NOTIFY_CLAIM_DKIM_REASON), dkim_reasons,
		     NELEM(dkim_reasons));
	buf_adds(b, "詳しくは、メール設定の画面でご確認ください。\n");
	card_url(a, b);
	buf_addf(b,
		 "\n\nこのメールは、%s の送信元メールアドレスを登録した"
		 "アカウントにお送りしています。このメールには返信"
		 "できません。\n",
		 domain);
}

/* Whether s can go into a header as it is: no line break, no control. */
static int
header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* The whole message of alert a: headers, then the body in base64. */
static int
mail_message(struct buf *m, const struct alert *a, size_t k)
{
	char host[256] = "localhost", subject[512];
	const char *from = config_str("notify_from");
	const char *rcpt = col(a, NOTIFY_CLAIM_RCPT);
	struct buf body;
	int rc;

	if (!header_safe(from) || !header_safe(rcpt) || rcpt[0] == '\0')
		return -1;
	gethostname(host, sizeof host - 1);
	if (!header_safe(host))
		snprintf(host, sizeof host, "localhost");
	rc = snprintf(subject, sizeof subject, kinds[k].subject,
		      col(a, NOTIFY_CLAIM_DOMAIN));
	if (rc < 0 || (size_t)rc >= sizeof subject)
		return -1;
	buf_addf(m, "From: %s\r\nTo: %s\r\n", from, rcpt);
	if (subject_header(m, subject) == -1)
		return -1;
	/* the same for a copy sent again after a crash (notify.h) */
	buf_addf(m,
		 "Message-ID: <senderauth-alert-%s@%s>\r\n"
		 "MIME-Version: 1.0\r\n"
		 "Content-Type: text/plain; charset=UTF-8\r\n"
		 "Content-Transfer-Encoding: base64\r\n\r\n",
		 col(a, NOTIFY_CLAIM_ID), host);
	buf_init(&body);
	mail_body(&body, a, k);
	rc = body.err ? -1 : base64_lines(m, body.s, body.len);
	buf_release(&body);
	return rc == -1 || m->err ? -1 : 0;
}

/* Writes in to fd w and reads fd r, keeping the first outlen - 1 bytes
 * in out, until both reach their end or the deadline; closes both. 0 /
 * -1 (the deadline). */
static int
pump(int w, const char *in, size_t len, int r, char *out, size_t outlen,
     time_t deadline)
{
	struct pollfd p[2];
	size_t done = 0, got = 0;
	char scratch[512];
	ssize_t n;
	int late = 0;

	while (w != -1 || r != -1) {
		if ((late = time(NULL) >= deadline))
			break;
		p[0] = (struct pollfd){.fd = w, .events = POLLOUT};
		p[1] = (struct pollfd){.fd = r, .events = POLLIN};
		if (poll(p, 2, 1000) == -1 && errno != EINTR)
			break;
		if (w != -1 && p[0].revents != 0) {
			n = write(w, in + done, len - done);
			done += n > 0 ? (size_t)n : 0;
			if (n <= 0 || done == len) {
				close(w);
				w = -1;
			}
		}
		if (r != -1 && p[1].revents != 0) {
			/* what does not fit is read and dropped */
			n = got < outlen - 1
				? read(r, out + got, outlen - 1 - got)
				: read(r, scratch, sizeof scratch);
			got += n > 0 && got < outlen - 1 ? (size_t)n : 0;
			if (n <= 0) {
				close(r);
				r = -1;
			}
		}
	}
	out[got] = '\0';
	if (w != -1)
		close(w);
	if (r != -1)
		close(r);
	return late || w != -1 || r != -1 ? -1 : 0;
}

/* Runs argv (from PATH) with in[0..len) on its standard input and its
 * standard output into out (outlen > 0); killed after CHILD_LIMIT_S. Its
 * exit status, or -1. */
static int
run(char *const argv[], const char *in, size_t len, char *out, size_t outlen)
{
	posix_spawn_file_actions_t fa;
	int to[2], from[2], status, pumped;
	time_t deadline = time(NULL) + CHILD_LIMIT_S;
	pid_t pid;

	if (pipe2(to, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(from, O_CLOEXEC) == -1) {
		close(to[0]);
		close(to[1]);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, to[0], 0);
	posix_spawn_file_actions_adddup2(&fa, from[1], 1);
	status = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(to[0]);
	close(from[1]);
	if (status != 0) {
		close(to[1]);
		close(from[0]);
		log_warnx("cannot start %s", argv[0]);
		return -1;
	}
	pumped = pump(to[1], in, len, from[0], out, outlen, deadline);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (time(NULL) >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			log_warnx("%s killed after %d s", argv[0],
				  CHILD_LIMIT_S);
			return -1;
		}
		usleep(20000);
	}
	if (pumped == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int
send_mail(const struct alert *a, size_t k)
{
	char out[512];
	char *argv[] = {"/bin/sh", "-c", NULL, NULL};
	struct buf m;
	int rc = -1;

	argv[2] = (char *)config_str("sendmail_command");
	buf_init(&m);
	if (mail_message(&m, a, k) == -1)
		log_warnx("alert %s: no message", col(a, NOTIFY_CLAIM_ID));
	else if ((rc = run(argv, m.s, m.len, out, sizeof out)) != 0)
		log_warnx("alert %s: sendmail_command exited %d",
			  col(a, NOTIFY_CLAIM_ID), rc);
	buf_release(&m);
	return rc == 0 ? 0 : -1;
}

/* The webhook's body: the alert as XML (README "Alerts"). */
static char *
webhook_body(const struct alert *a)
{
	static const struct {
		const char *name;
		int status, reason;
	} recs[] = {
	    {"spf", NOTIFY_CLAIM_SPF_STATUS, NOTIFY_CLAIM_SPF_REASON},
	    {"dkim", NOTIFY_CLAIM_DKIM_STATUS, NOTIFY_CLAIM_DKIM_REASON},
	};
	mxml_node_t *root, *doc = xml_doc("alert", &root), *e;
	struct buf url;
	char *s;
	size_t i;

	if (doc == NULL)
		return NULL;
	xml_attr(root, "id", col(a, NOTIFY_CLAIM_ID));
	xml_attr(root, "kind", col(a, NOTIFY_CLAIM_KIND));
	xml_attr(root, "at", col(a, NOTIFY_CLAIM_AT));
	xml_attr(root, "org-id", col(a, NOTIFY_CLAIM_ORG_ID));
	xml_attr(root, "domain-id", col(a, NOTIFY_CLAIM_DOMAIN_ID));
	xml_attr(root, "domain", col(a, NOTIFY_CLAIM_DOMAIN));
	buf_init(&url);
	card_url(a, &url);
	xml_attr(root, "url", url.err ? NULL : url.s);
	buf_release(&url);
	for (i = 0; i < NELEM(recs); i++) {
		e = xml_el(root, recs[i].name);
		xml_attr(e, "status", col(a, recs[i].status));
		xml_attr(e, "reason", col(a, recs[i].reason));
	}
	s = xml_string(doc);
	mxmlDelete(doc);
	return s;
}

/* The session key (session_key_file), read at the first webhook of a
 * notify_send() and wiped at its end. */
static uint8_t key[4096];
static size_t keylen;

/* The key; NULL when unreadable. */
static const uint8_t *
webhook_key(size_t *len)
{
	const char *path = config_str("session_key_file");

	if (keylen == 0 &&
	    (path == NULL ||
	     crypto_read_secret(path, key, sizeof key, &keylen) == -1)) {
		keylen = 0;
		return NULL;
	}
	*len = keylen;
	return key;
}

static int
send_webhook(const struct alert *a)
{
	char sig[64 + sizeof SIG_HEADER ": sha256=" + 1], out[16];
	char *argv[] = {"curl",
			"-sS",
			"--max-time",
			"20",
			"--proto",
			"=http,https",
			"-o",
			"/dev/null",
			"-w",
			"%{http_code}",
			"-H",
			"Content-Type: text/xml; charset=utf-8",
			"-H",
			sig,
			"--data-binary",
			"@-",
			"--url",
			NULL,
			NULL};
	uint8_t mac[CRYPTO_MAC_LEN];
	const uint8_t *k;
	size_t klen, n = NELEM(argv);
	char *body;
	int rc = -1;

	argv[n - 2] = (char *)config_str("notify_url");
	if ((k = webhook_key(&klen)) == NULL) {
		log_warnx("no session_key_file to sign the webhook with");
		return -1;
	}
	if ((body = webhook_body(a)) == NULL ||
	    crypto_hmac(k, klen, body, strlen(body), mac) == -1) {
		free(body);
		return -1;
	}
	n = (size_t)snprintf(sig, sizeof sig, "%s: sha256=", SIG_HEADER);
	crypto_hex(mac, sizeof mac, sig + n);
	if (run(argv, body, strlen(body), out, sizeof out) == 0 &&
	    out[0] == '2' && strlen(out) == 3)
		rc = 0;
	else
		log_warnx("alert %s: the webhook answered %s",
			  col(a, NOTIFY_CLAIM_ID), out[0] ? out : "nothing");
	free(body);
	return rc;
}

/* Delivers alert a; 0 / -1. A webhook row left from when notify_url was
 * set counts as delivered once it is unset (nowhere to send it). */
static int
deliver(const struct alert *a)
{
	size_t k;

	for (k = 0; k < NELEM(kinds); k++)
		if (strcmp(kinds[k].kind, col(a, NOTIFY_CLAIM_KIND)) == 0)
			break;
	if (k == NELEM(kinds))
		return -1;
	if (strcmp(col(a, NOTIFY_CLAIM_CHANNEL), "mail") == 0)
		return send_mail(a, k);
	if (config_str("notify_url") == NULL) {
		log_warnx("alert %s: notify_url unset, webhook dropped",
			  col(a, NOTIFY_CLAIM_ID));
		return 0;
	}
	return send_webhook(a);
}

/* Claims the next batch after *after; the result, or NULL. */
static PGresult *
claim(const char *owner, char *after)
{
	char lease[NUMBUF];
	const char *p[4] = {owner, num(config_num("verify_lease_s"), lease),
			    after, CLAIM_BATCH};

	return db_exec(DB_NOTIFY_CLAIM, 4, p);
}

int
notify_send(struct notify_stats *st)
{
	char host[200] = "", owner[256], after[NUMBUF] = "0";
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	struct alert a;
	const char *p[2];
	int n, rc = -1;
	long id, max = 0;

	memset(st, 0, sizeof *st);
	gethostname(host, sizeof host - 1);
	snprintf(owner, sizeof owner, "notify:%s:%ld:%ld", host, (long)getpid(),
		 (long)time(NULL));
	/* a child that exits before reading its input is its failure */
	sigaction(SIGPIPE, &ign, &old);
	p[1] = owner;
	while ((a.res = claim(owner, after)) != NULL &&
	       (n = PQntuples(a.res)) > 0) {
		for (a.row = 0; a.row < n; a.row++) {
			p[0] = col(&a, NOTIFY_CLAIM_ID);
			if (parse_long(p[0], 1, LONG_MAX, &id) == 0 && id > max)
				max = id;
			if (deliver(&a) == 0) {
				st->sent++;
				if (db_run(DB_NOTIFY_SENT, 2, p) == -1)
					goto out;
			} else {
				st->failed++;
				if (db_run(DB_NOTIFY_RELEASE, 2, p) == -1)
					goto out;
			}
		}
		PQclear(a.res);
		num(max, after);
	}
	rc = a.res != NULL ? 0 : -1;
out:
	PQclear(a.res);
	sigaction(SIGPIPE, &old, NULL);
	crypto_wipe(key, sizeof key);
	keylen = 0;
	return rc;
}
