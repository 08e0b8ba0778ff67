/*
 * sweep.c - the database side of `verifier run`.
 *
 * One verify_batch (lib/verify/verify.c) runs the checks; this file keeps it
 * fed and drains it: it claims `batch` more domains whenever there is room for
 * them among `inflight` checks, and writes verdicts with one statement per
 * `batch` of them (DB_SWEEP_SAVE). Claims and writes go out on connections of
 * their own without waiting (db_async), so the database works while DNS answers
 * arrive. Each claim and each write is its own short transaction: a run killed
 * at any point leaves only its claims, which expire. A claim's domains carry it
 * to their verdicts (struct item), and the write that brings its last verdict
 * ends it. A run that checked everything due and wrote every verdict is
 * recorded in verifier_runs as it ends (sql/003).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "records.h"
#include "sweep.h"
#include "util.h"
#include "verify.h"

/* A claim (sql/001_baseline.sql): its domains, each the user pointer of its
 * check, and how many checks are still to come. */
struct claim;
struct item {
	struct claim *c;
	long id;
	char due[48]; /* the due time claimed, as PostgreSQL wrote it */
};
struct claim {
	struct claim *next;
	long id;
	size_t left;
	struct item items[];
};

struct sweep {
	const struct sweep_opts *o;
	struct dns_resolver *r;
	struct sweep_stats *st;
	struct verify_batch *vb;
	struct db_async *cl; /* claims */
	struct db_async *wr; /* verdicts */
	char owner[128];
	char host[64];
	char start[64];
	char after_due[64]; /* the last row of the last claim, or "" */
	char after_id[NUMBUF];
	/* DB_SWEEP_SAVE's arrays as PostgreSQL array literals being built,
	 * and those of the statement in flight */
	struct buf col[SAVE_P_NARRAYS], sent[SAVE_P_NARRAYS];
	struct buf done, done_sent; /* claims whose last verdict is in col */
	struct claim *claims;	    /* claims with checks still to come */
	struct buf scratch;
	size_t nrows;
	int exhausted; /* the last claim found nothing more */
	int failed;    /* the database failed: stop */
};

void
sweep_opts_config(struct sweep_opts *o)
{
	memset(o, 0, sizeof *o);
	o->batch = (size_t)config_num("verify_batch");
	o->inflight = (size_t)config_num("verify_inflight");
	o->lease_s = (int)config_num("verify_lease_s");
	o->new_hours = (int)config_num("verify_new_hours");
	o->new_interval_s = (int)config_num("verify_new_interval_s");
	o->min_interval_s = (int)config_num("verify_min_interval_s");
	o->max_interval_s = (int)config_num("verify_max_interval_s");
	o->retry_s = (int)config_num("verify_retry_s");
	o->retire_days = (int)config_num("dkim_retire_days");
	o->authoritative_recheck = (int)config_num("authoritative_recheck");
	o->notify_min_s = (int)config_num("notify_min_interval_s");
	o->webhook = config_str("notify_url") != NULL;
}

/* Appends one element to a PostgreSQL array literal: quoted, with
 * backslash and quote escaped, bytes PostgreSQL text cannot hold (invalid
 * UTF-8, NUL) replaced by text_clean(). scratch is reused between calls. */
static void
arr_add(struct buf *b, const char *s, struct buf *scratch)
{
	size_t i, run = 0;

	scratch->len = 0;
	text_clean(scratch, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
	buf_adds(b, b->len == 0 ? "{\"" : ",\"");
	for (i = 0; i < scratch->len; i++) {
		if (scratch->s[i] != '"' && scratch->s[i] != '\\')
			continue;
		buf_add(b, scratch->s + run, i - run);
		buf_addc(b, '\\');
		run = i;
	}
	buf_add(b, scratch->s + run, scratch->len - run);
	buf_addc(b, '"');
}

/* Appends SQL NULL to a PostgreSQL array literal. */
static void
arr_null(struct buf *b)
{
	buf_adds(b, b->len == 0 ? "{NULL" : ",NULL");
}

/* Whether the DKIM record found is exactly the one issued for the key
 * checked: the row then holds NULL instead of a second copy of the key
 * (sql/001_baseline.sql). */
static int
dkim_found_issued(const struct verify_request *req, const char *found)
{
	char *issued;
	int same;

	if (req->dkim_p == NULL || found == NULL)
		return 0;
	issued = records_dkim_value(req->dkim_p);
	same = issued != NULL && strcmp(issued, found) == 0;
	free(issued);
	return same;
}

/* The RFC 7208 result per platform address, "<address> <result>" per
 * line (sql/004_verdict_detail.sql). */
static char *
results_text(const struct spf_verdict *v)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < v->nresults; i++)
		buf_addf(&b, "%s%s %s", i > 0 ? "\n" : "", v->results[i].ip,
			 spf_result_name(v->results[i].result));
	return buf_detach(&b);
}

/* The records seen, one per line. */
static char *
joined(char *const *rec, size_t n)
{
	struct buf b;
	size_t i, j;

	buf_init(&b);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(&b, '\n');
		for (j = 0; rec[i][j] != '\0'; j++)
			buf_addc(&b, rec[i][j] == '\n' ? ' ' : rec[i][j]);
	}
	return buf_detach(&b);
}

static void
count(struct sweep *s, const struct verify_result *r)
{
	s->st->checked++;
	if (r->spf.status == SPF_STATUS_TEMPFAIL ||
	    r->dkim.status == DKIM_STATUS_TEMPFAIL)
		s->st->tempfail++;
	else if (verify_result_verified(r))
		s->st->verified++;
	else
		s->st->unverified++;
}

/* Adds which way the answers of one part of a verdict came to its array:
 * NULL for a part that could not ask DNS, whose stored verdict (and way)
 * sa_save_verdicts() may keep. */
static void
via_one(struct sweep *s, int col, int tempfail, const struct verify_via *v)
{
	const char *name = verify_via_name(v);

	if (tempfail)
		arr_null(&s->col[col]);
	else
		arr_add(&s->col[col], name != NULL ? name : "", &s->scratch);
}

static void
via_row(struct sweep *s, const struct verify_result *r)
{
	via_one(s, SAVE_P_SPF_VIA, r->spf.status == SPF_STATUS_TEMPFAIL,
		&r->spf_via);
	via_one(s, SAVE_P_DKIM_VIA, r->dkim.status == DKIM_STATUS_TEMPFAIL,
		&r->dkim_via);
	via_one(s, SAVE_P_DMARC_VIA, r->dmarc.status == DMARC_STATUS_TEMPFAIL,
		&r->dmarc_via);
}

/* Adds one verdict to the arrays. A domain without a key (issuance
 * failed) has nothing to verify for DKIM: it stays pending. */
static void
row(struct sweep *s, const struct verify_request *req, const struct item *it,
    const struct verify_result *r)
{
	struct buf *col = s->col, *sc = &s->scratch;
	char n[NUMBUF];
	char *found = joined(r->spf.records, r->spf.nrecords);
	char *results = results_text(&r->spf);
	int skipped = r->dkim.status == DKIM_STATUS_SKIPPED;

	arr_add(&col[SAVE_P_ID], num(it->id, n), sc);
	arr_add(&col[SAVE_P_CLAIM], num(it->c->id, n), sc);
	arr_add(&col[SAVE_P_DUE], it->due, sc);
	arr_add(&col[SAVE_P_SPF_STATUS], spf_status_name(r->spf.status), sc);
	arr_add(&col[SAVE_P_SPF_REASON], spf_reason_name(r->spf.reason), sc);
	arr_add(&col[SAVE_P_SPF_FOUND], found, sc);
	arr_add(&col[SAVE_P_SPF_SUGGESTED], r->spf.suggested, sc);
	arr_add(&col[SAVE_P_SPF_LOOKUPS], num(r->spf.lookups, n), sc);
	arr_add(&col[SAVE_P_DKIM_STATUS],
		skipped ? "pending" : dkim_status_name(r->dkim.status), sc);
	arr_add(&col[SAVE_P_DKIM_REASON],
		skipped ? "" : dkim_reason_name(r->dkim.reason), sc);
	if (dkim_found_issued(req, r->dkim.record))
		arr_null(&col[SAVE_P_DKIM_FOUND]);
	else
		arr_add(&col[SAVE_P_DKIM_FOUND], r->dkim.record, sc);
	arr_add(&col[SAVE_P_DMARC_STATUS], dmarc_status_name(r->dmarc.status),
		sc);
	arr_add(&col[SAVE_P_DMARC_REASON], dmarc_reason_name(r->dmarc.reason),
		sc);
	arr_add(&col[SAVE_P_DMARC_POLICY], r->dmarc.policy, sc);
	arr_add(&col[SAVE_P_DMARC_ORG_DOMAIN], r->dmarc.org_domain, sc);
	arr_add(&col[SAVE_P_SPF_RESULTS], results, sc);
	if (req->next_selector == NULL) {
		arr_null(&col[SAVE_P_NEXT_STATUS]);
		arr_null(&col[SAVE_P_NEXT_REASON]);
	} else {
		arr_add(&col[SAVE_P_NEXT_STATUS],
			dkim_status_name(r->dkim_next.status), sc);
		arr_add(&col[SAVE_P_NEXT_REASON],
			dkim_reason_name(r->dkim_next.reason), sc);
	}
	via_row(s, r);
	free(found);
	free(results);
	s->nrows++;
	count(s, r);
}

/* Takes the result of the write in flight once it is there (or waits for
 * it with wait set); 0 / -1. */
static int
write_done(struct sweep *s, int wait)
{
	PGresult *res;
	int i;

	if (!db_async_busy(s->wr) || (!wait && !db_async_ready(s->wr)))
		return 0;
	res = db_async_result(s->wr);
	PQclear(res);
	for (i = 0; i < SAVE_P_NARRAYS; i++)
		buf_release(&s->sent[i]);
	buf_release(&s->done_sent);
	return res != NULL ? 0 : -1;
}

/* Has the DNS event loop wake when a statement in flight answers. Called
 * whenever one is sent, also from inside the loop, which sees the change
 * at its next poll. */
static void
watch(struct sweep *s)
{
	int fds[2] = {db_async_socket(s->cl), db_async_socket(s->wr)};

	dns_resolver_watch(s->r, fds, 2);
}

/* Ends the array literal being built in col and moves it to sent, to be
 * kept until its statement completed; the literal, or NULL when memory
 * ran out. */
static const char *
seal(struct buf *col, struct buf *sent)
{
	buf_addc(col, '}');
	if (col->err)
		return NULL;
	*sent = *col;
	buf_init(col);
	return sent->s;
}

/* Sends the verdicts collected, if there are at least `min`, as one
 * transaction without waiting for it, once the write before it completed:
 * with wait set, waits for that; without, leaves them to collect more. The
 * arrays are kept until the statement completed. 0 / -1. */
static int
flush(struct sweep *s, size_t min, int wait)
{
	char nh[NUMBUF], mi[NUMBUF], ma[NUMBUF], re[NUMBUF], ni[NUMBUF];
	char ac[NUMBUF], nm[NUMBUF];
	const char *p[SAVE_P__MAX];
	int i;

	if (write_done(s, wait) == -1)
		return -1;
	if (s->nrows < min || db_async_busy(s->wr))
		return 0;
	for (i = 0; i < SAVE_P_NARRAYS; i++)
		if ((p[i] = seal(&s->col[i], &s->sent[i])) == NULL)
			return -1;
	buf_addc(&s->done_sent, '{');
	buf_add(&s->done_sent, s->done.s, s->done.len);
	buf_addc(&s->done_sent, '}');
	s->done.len = 0;
	if (s->done.err || s->done_sent.err)
		return -1;
	p[SAVE_P_OWNER] = s->owner;
	p[SAVE_P_DONE] = s->done_sent.s;
	p[SAVE_P_NEW_HOURS] = num(s->o->new_hours, nh);
	p[SAVE_P_NEW_INTERVAL_S] = num(s->o->new_interval_s, ni);
	p[SAVE_P_MIN_INTERVAL_S] = num(s->o->min_interval_s, mi);
	p[SAVE_P_MAX_INTERVAL_S] = num(s->o->max_interval_s, ma);
	p[SAVE_P_RETRY_S] = num(s->o->retry_s, re);
	p[SAVE_P_ACCOUNT] =
	    s->o->account_id > 0 ? num(s->o->account_id, ac) : NULL;
	p[SAVE_P_NOTIFY_MIN_S] = num(s->o->notify_min_s, nm);
	p[SAVE_P_WEBHOOK] = s->o->webhook ? "t" : "f";
	s->nrows = 0;
	if (db_async_send(s->wr, DB_SWEEP_SAVE, SAVE_P__MAX, p) == -1)
		return -1;
	watch(s);
	return 0;
}

/* Asks for up to `batch` more due domains when no more than `inflight`
 * checks are waiting and no claim is in flight. */
static void
claim_send(struct sweep *s)
{
	char lim[NUMBUF], lease[NUMBUF], id[NUMBUF];
	int after = s->after_due[0] != '\0';
	const char *p[CLAIM_P__MAX] = {
	    [CLAIM_P_LIMIT] = num((long)s->o->batch, lim),
	    [CLAIM_P_LEASE_S] = num(s->o->lease_s, lease),
	    [CLAIM_P_OWNER] = s->owner,
	    [CLAIM_P_START] = s->start,
	    [CLAIM_P_DOMAIN] =
		s->o->domain_id > 0 ? num(s->o->domain_id, id) : NULL,
	    [CLAIM_P_AFTER_DUE] = after ? s->after_due : NULL,
	    [CLAIM_P_AFTER_ID] = after ? s->after_id : NULL};

	if (s->failed || s->exhausted || db_async_busy(s->cl) ||
	    verify_batch_pending(s->vb) > s->o->inflight)
		return;
	if (db_async_send(s->cl, DB_SWEEP_CLAIM, CLAIM_P__MAX, p) == -1)
		s->failed = 1;
	watch(s);
}

/* One check of claim c is over: after its last, the claim goes with the
 * verdicts collected (sql/001_baseline.sql). */
static void
claim_done(struct sweep *s, struct claim *c)
{
	struct claim **cp;
	char n[NUMBUF];

	if (--c->left > 0)
		return;
	if (s->done.len > 0)
		buf_addc(&s->done, ',');
	buf_adds(&s->done, num(c->id, n));
	for (cp = &s->claims; *cp != c; cp = &(*cp)->next)
		;
	*cp = c->next;
	free(c);
}

/* A claim's "<selector> <p>" column as the two strings of a request (cut
 * in place); both NULL when the column is. */
static void
split_key(PGresult *res, int i, int col, const char **selector, const char **p)
{
	char *key = PQgetisnull(res, i, col) ? NULL : PQgetvalue(res, i, col);
	char *sp = key != NULL ? strchr(key, ' ') : NULL;

	*selector = *p = NULL;
	if (sp != NULL) {
		*sp = '\0';
		*selector = key;
		*p = sp + 1;
	}
}

/* Queues the checks of the claim in flight once its answer is there (or
 * waits for it with wait set). */
static void
claim_take(struct sweep *s, int wait)
{
	struct verify_request req;
	struct claim *c;
	PGresult *res;
	int i, n;

	if (!db_async_busy(s->cl) || (!wait && !db_async_ready(s->cl)))
		return;
	if ((res = db_async_result(s->cl)) == NULL) {
		s->failed = 1;
		return;
	}
	n = PQntuples(res);
	s->exhausted = n < (int)s->o->batch || s->o->domain_id > 0;
	if (n == 0) {
		PQclear(res);
		return;
	}
	snprintf(s->after_due, sizeof s->after_due, "%s",
		 PQgetvalue(res, n - 1, SWEEP_CLAIM_DUE));
	snprintf(s->after_id, sizeof s->after_id, "%s",
		 PQgetvalue(res, n - 1, SWEEP_CLAIM_ID));
	if ((c = calloc(1, sizeof *c + (size_t)n * sizeof c->items[0])) ==
	    NULL) {
		s->failed = 1; /* the claim expires */
		PQclear(res);
		return;
	}
	c->id = atol(PQgetvalue(res, 0, SWEEP_CLAIM_CLAIM));
	c->left = (size_t)n;
	c->next = s->claims;
	s->claims = c;
	for (i = 0; i < n; i++) {
		c->items[i].c = c;
		c->items[i].id = atol(PQgetvalue(res, i, SWEEP_CLAIM_ID));
		snprintf(c->items[i].due, sizeof c->items[i].due, "%s",
			 PQgetvalue(res, i, SWEEP_CLAIM_DUE));
		req.domain = PQgetvalue(res, i, SWEEP_CLAIM_NAME);
		split_key(res, i, SWEEP_CLAIM_DKIM, &req.selector, &req.dkim_p);
		split_key(res, i, SWEEP_CLAIM_DKIM_NEXT, &req.next_selector,
			  &req.next_p);
		/* a negative answer cached by the resolver from before the
		 * records were published must not hide them (DESIGN.md
		 * "Lookups") */
		req.authoritative =
		    s->o->domain_id > 0 || s->o->authoritative_recheck ||
		    PQgetvalue(res, i, SWEEP_CLAIM_SETTLED)[0] != 't';
		if (verify_batch_add(s->vb, &req, &c->items[i]) == -1) {
			log_warnx("cannot queue %s", req.domain);
			claim_done(s, c);
		}
	}
	PQclear(res);
}

/* A check completed: collect it, and write when a batch is full and the
 * write before it is done. While that one runs, verdicts keep collecting
 * (the loop sends them once it completes); only at four batches does a
 * check wait for it. Ask for more domains as soon as there is room. */
static void
done(void *arg, void *user, const struct verify_request *req,
     const struct verify_result *res)
{
	struct sweep *s = arg;
	struct item *it = user;
	size_t b = s->o->batch;

	if (res == NULL)
		log_warnx("check of %s failed; it stays due", req->domain);
	else
		row(s, req, it, res);
	claim_done(s, it->c);
	if (res != NULL && s->nrows >= b &&
	    (!db_async_busy(s->wr) || s->nrows >= 4 * b) &&
	    flush(s, b, 1) == -1)
		s->failed = 1;
	claim_send(s);
}

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The run's identity on claims, and the database's idea of its start. */
static int
sweep_begin(struct sweep *s)
{
	char days[NUMBUF];
	const char *p[1];
	PGresult *res;

	gethostname(s->host, sizeof s->host - 1);
	snprintf(s->owner, sizeof s->owner, "%s:%ld:%ld", s->host,
		 (long)getpid(), (long)time(NULL));
	if ((res = db_exec(DB_NOW, 0, NULL)) == NULL)
		return -1;
	snprintf(s->start, sizeof s->start, "%s", PQgetvalue(res, 0, NOW_TEXT));
	PQclear(res);
	/* keys replaced dkim_retire_days ago go to history (sql/002) */
	p[0] = num(s->o->retire_days, days);
	return s->o->domain_id > 0 ? 0 : db_run(DB_KEY_RETIRE_DUE, 1, p);
}

/* Feeds and drains the batch until nothing due is left. The checks run
 * until a database connection has an answer (the resolver watches both),
 * and the answers are taken without waiting. */
static void
sweep_loop(struct sweep *s)
{
	claim_send(s);
	while (!s->failed) {
		if (verify_batch_pending(s->vb) == 0) {
			if (!db_async_busy(s->cl) && s->exhausted)
				break;
			claim_send(s);
			claim_take(s, 1);
			continue;
		}
		watch(s);
		verify_batch_run(s->vb, 50);
		if (flush(s, s->o->batch, 0) == -1)
			s->failed = 1;
		claim_take(s, 0);
		claim_send(s);
		if (s->o->progress)
			fprintf(stderr,
				"\rverifier: %lu checked, %zu in progress",
				s->st->checked, verify_batch_pending(s->vb));
	}
	dns_resolver_watch(s->r, NULL, 0);
	if (s->o->progress)
		fprintf(stderr, "\n");
}

/* The run in verifier_runs, with the database's time at its start. */
static int
record(const struct sweep *s)
{
	const struct sweep_stats *st = s->st;
	char c[NUMBUF], v[NUMBUF], u[NUMBUF], t[NUMBUF], secs[32];
	const char *p[7] = {s->start,
			    num((long)st->checked, c),
			    num((long)st->verified, v),
			    num((long)st->unverified, u),
			    num((long)st->tempfail, t),
			    secs,
			    s->host};

	snprintf(secs, sizeof secs, "%.3f", st->seconds);
	return db_run(DB_RUN_RECORD, 7, p);
}

int
sweep_run(struct dns_resolver *r, const struct platform *pf,
	  const struct sweep_opts *o, struct sweep_stats *st)
{
	struct sweep s;
	double t0 = now_s();
	const char *p[1];
	struct claim *c;
	int i;

	memset(&s, 0, sizeof s);
	memset(st, 0, sizeof *st);
	s.o = o;
	s.r = r;
	s.st = st;
	for (i = 0; i < SAVE_P_NARRAYS; i++) {
		buf_init(&s.col[i]);
		buf_init(&s.sent[i]);
	}
	buf_init(&s.done);
	buf_init(&s.done_sent);
	if (sweep_begin(&s) == -1 || (s.cl = db_async_open()) == NULL ||
	    (s.wr = db_async_open()) == NULL ||
	    (s.vb = verify_batch_new(r, pf, o->inflight, done, &s)) == NULL)
		s.failed = 1;
	else
		sweep_loop(&s);
	if (!s.failed && (flush(&s, 1, 1) == -1 || write_done(&s, 1) == -1))
		s.failed = 1;
	verify_batch_free(s.vb);
	while ((c = s.claims) != NULL) {
		s.claims = c->next;
		free(c);
	}
	for (i = 0; i < SAVE_P_NARRAYS; i++) {
		buf_release(&s.col[i]);
		buf_release(&s.sent[i]);
	}
	buf_release(&s.done);
	buf_release(&s.done_sent);
	buf_release(&s.scratch);
	db_async_close(s.cl);
	db_async_close(s.wr);
	/* what is left: a failed run's claims, or one whose checks failed */
	p[0] = s.owner;
	db_run(DB_SWEEP_RELEASE, 1, p);
	st->seconds = now_s() - t0;
	if (!s.failed && o->domain_id == 0 && record(&s) == -1)
		s.failed = 1;
	return s.failed ? -1 : 0;
}
