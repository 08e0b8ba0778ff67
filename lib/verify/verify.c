/*
 * verify.c - one customer domain's check (SPF through spf_verdict(), DKIM
 * and DMARC) and the batch driver that keeps many checks in flight over
 * one dns_resolver.
 *
 * The driver owns no DNS logic: each check is re-evaluated from the start
 * (cheap next to a round trip) every time all the answers its last pass
 * waited on have arrived. A check's pass asks through a small source of its
 * own that registers the check as a waiter on each unknown question
 * (dns_resolver_get()), so nothing is polled and nothing is evaluated
 * twice for the same answers. What does not belong here: the database
 * (`verifier run`), command-line handling (cron/verifier.c) and
 * presenting a result (lib/verify/report.c).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "util.h"
#include "verify.h"

void
verify_result_init(struct verify_result *res)
{
	memset(res, 0, sizeof *res);
}

void
verify_result_release(struct verify_result *res)
{
	spf_verdict_release(&res->spf);
	dkim_verdict_release(&res->dkim);
	dkim_verdict_release(&res->dkim_next);
	dmarc_verdict_release(&res->dmarc);
	memset(res, 0, sizeof *res);
}

/* DKIM on one key (selector, p), or its "skipped" verdict without a
 * selector. */
static int
part_dkim(const char *domain, const char *selector, const char *p,
	  const struct dns_source *src, struct dkim_verdict *v)
{
	if (selector != NULL)
		return dkim_verdict(domain, selector, p != NULL ? p : "", src,
				    v);
	memset(v, 0, sizeof *v);
	v->reason = DKIM_NO_SELECTOR;
	v->status = dkim_reason_status(DKIM_NO_SELECTOR);
	return 0;
}

/* Notes the outcome rc of one part's pass: done when its verdict is
 * complete (0), "need DNS" (1) added to *need. Returns rc. */
static int
note(int rc, int *done, int *need)
{
	*done = rc == 0;
	*need |= rc == 1;
	return rc;
}

/* A part's source: the check's, counting which way the answers came.
 * A part's pass reads every answer its verdict rests on, so the counts
 * of the pass that completes it are the verdict's. */
struct via_src {
	const struct dns_source *src;
	struct verify_via *via;
};

static const struct dns_answer *
via_get(void *ctx, const char *name, enum dns_type type)
{
	struct via_src *s = ctx;
	const struct dns_answer *a = s->src->get(s->src->ctx, name, type);

	if (a != NULL) {
		s->via->asked++;
		s->via->recursive += a->via != DNS_VIA_AUTHORITATIVE;
	}
	return a;
}

static struct dns_source
part_src(const struct dns_source *src, struct verify_via *via,
	 struct via_src *s)
{
	struct dns_source ps = {via_get, s};

	s->src = src;
	s->via = via;
	memset(via, 0, sizeof *via);
	return ps;
}

const char *
verify_via_name(const struct verify_via *v)
{
	if (v->asked == 0)
		return NULL;
	return v->recursive > 0 ? "recursive" : "authoritative";
}

/* A verdict function that does not return 0 leaves nothing to free, so a
 * part's next pass starts clean. */
int
verify_check(const struct verify_request *req, const struct platform *pf,
	     const struct dns_source *src, struct verify_result *res)
{
	struct via_src vs;
	struct dns_source ps;
	int need = 0;

	if (!res->spf_done) {
		ps = part_src(src, &res->spf_via, &vs);
		if (note(spf_verdict(req->domain, pf, &ps, &res->spf),
			 &res->spf_done, &need) == -1)
			return -1;
	}
	if (!res->dkim_done) {
		ps = part_src(src, &res->dkim_via, &vs);
		if (note(part_dkim(req->domain, req->selector, req->dkim_p, &ps,
				   &res->dkim),
			 &res->dkim_done, &need) == -1)
			return -1;
	}
	if (!res->dkim_next_done) {
		ps = part_src(src, &res->dkim_next_via, &vs);
		if (note(part_dkim(req->domain, req->next_selector, req->next_p,
				   &ps, &res->dkim_next),
			 &res->dkim_next_done, &need) == -1)
			return -1;
	}
	if (!res->dmarc_done) {
		ps = part_src(src, &res->dmarc_via, &vs);
		if (note(dmarc_verdict(req->domain, &ps, &res->dmarc),
			 &res->dmarc_done, &need) == -1)
			return -1;
	}
	return need;
}

int
verify_result_verified(const struct verify_result *res)
{
	return res->spf_done && res->dkim_done &&
	       res->spf.status == SPF_STATUS_VERIFIED &&
	       (res->dkim.status == DKIM_STATUS_VERIFIED ||
		res->dkim.status == DKIM_STATUS_SKIPPED);
}

/* ------------------------------------------------------------------ */
/* The batch driver.                                                    */

struct vcheck {
	struct vcheck *next;	      /* in the queued or the ready list */
	struct vcheck *aprev, *anext; /* in the list of started checks */
	struct verify_batch *b;
	struct verify_request req;
	char *domain, *selector, *dkim_p, *next_selector, *next_p;
	void *user;
	struct verify_result res;
	int nwait; /* answers still awaited by the last pass */
};

struct vlist {
	struct vcheck *head, *tail;
};

struct verify_batch {
	struct dns_resolver *r;
	const struct platform *pf;
	size_t max_active, active, pending;
	struct vlist queued;	/* added, not started */
	struct vlist ready;	/* to evaluate */
	struct vcheck *started; /* every started check, until complete */
	verify_done_fn done;
	void *arg;
};

static void
vl_push(struct vlist *l, struct vcheck *c)
{
	c->next = NULL;
	if (l->tail != NULL)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
}

static struct vcheck *
vl_pop(struct vlist *l)
{
	struct vcheck *c = l->head;

	if (c != NULL && (l->head = c->next) == NULL)
		l->tail = NULL;
	return c;
}

static void
vcheck_free(struct vcheck *c)
{
	verify_result_release(&c->res);
	free(c->domain);
	free(c->selector);
	free(c->dkim_p);
	free(c->next_selector);
	free(c->next_p);
	free(c);
}

/* An answer the check waited on arrived (called by the resolver). */
static void
wake(void *arg)
{
	struct vcheck *c = arg;

	if (--c->nwait == 0)
		vl_push(&c->b->ready, c);
}

/* The source a check's pass asks: the resolver's cache, registering the
 * check as a waiter on every question not answered yet. */
static const struct dns_answer *
vget(void *ctx, const char *name, enum dns_type type)
{
	struct vcheck *c = ctx;
	struct dns_wait w = {wake, c, c->b};
	const struct dns_answer *a;

	if ((a = dns_resolver_ask(c->b->r, name, type, c->req.authoritative,
				  &w)) == NULL)
		c->nwait++;
	return a;
}

struct verify_batch *
verify_batch_new(struct dns_resolver *r, const struct platform *pf,
		 size_t max_active, verify_done_fn done, void *arg)
{
	struct verify_batch *b = calloc(1, sizeof *b);

	if (b == NULL)
		return NULL;
	b->r = r;
	b->pf = pf;
	b->max_active =
	    max_active > 0 ? max_active : (size_t)config_num("verify_inflight");
	b->done = done;
	b->arg = arg;
	return b;
}

static char *
dup_or_null(const char *s, int *err)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*err = 1;
	return d;
}

int
verify_batch_add(struct verify_batch *b, const struct verify_request *req,
		 void *user)
{
	struct vcheck *c = calloc(1, sizeof *c);
	int err = 0;

	if (c == NULL)
		return -1;
	c->b = b;
	c->user = user;
	c->domain = dup_or_null(req->domain, &err);
	c->selector = dup_or_null(req->selector, &err);
	c->dkim_p = dup_or_null(req->dkim_p, &err);
	c->next_selector = dup_or_null(req->next_selector, &err);
	c->next_p = dup_or_null(req->next_p, &err);
	if (err || c->domain == NULL) {
		vcheck_free(c);
		return -1;
	}
	c->req.domain = c->domain;
	c->req.selector = c->selector;
	c->req.dkim_p = c->dkim_p;
	c->req.next_selector = c->next_selector;
	c->req.next_p = c->next_p;
	c->req.authoritative = req->authoritative;
	verify_result_init(&c->res);
	vl_push(&b->queued, c);
	b->pending++;
	return 0;
}

static void
start(struct verify_batch *b, struct vcheck *c)
{
	b->active++;
	c->aprev = NULL;
	if ((c->anext = b->started) != NULL)
		c->anext->aprev = c;
	b->started = c;
	vl_push(&b->ready, c);
}

static void
complete(struct verify_batch *b, struct vcheck *c, int ok)
{
	if (c->aprev != NULL)
		c->aprev->anext = c->anext;
	else
		b->started = c->anext;
	if (c->anext != NULL)
		c->anext->aprev = c->aprev;
	b->active--;
	b->pending--;
	if (b->done != NULL)
		b->done(b->arg, c->user, &c->req, ok ? &c->res : NULL);
	vcheck_free(c);
}

/* One pass of one check; it either waits on answers or completes. */
static void
evaluate(struct verify_batch *b, struct vcheck *c)
{
	struct dns_source src = {vget, c};
	int rc;

	c->nwait = 0;
	rc = verify_check(&c->req, b->pf, &src, &c->res);
	if (rc == 1 && c->nwait > 0)
		return;
	if (rc == 1) /* "need DNS" without a question: an evaluator bug */
		log_warnx("check of %s made no progress", c->req.domain);
	complete(b, c, rc == 0);
}

/* Starts queued checks up to the cap and evaluates every ready one. */
static void
advance(struct verify_batch *b)
{
	struct vcheck *c;

	do {
		while (b->active < b->max_active &&
		       (c = vl_pop(&b->queued)) != NULL)
			start(b, c);
		while ((c = vl_pop(&b->ready)) != NULL)
			evaluate(b, c);
	} while (b->active < b->max_active && b->queued.head != NULL);
}

size_t
verify_batch_run(struct verify_batch *b, int timeout_ms)
{
	struct timespec t0, t;
	long left = timeout_ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		advance(b);
		if (b->pending == 0 || (timeout_ms >= 0 && left <= 0))
			break;
		if (dns_resolver_wait(b->r, (int)left) == 0 &&
		    b->ready.head == NULL && b->queued.head == NULL &&
		    !dns_resolver_woken(b->r)) {
			log_warnx("%zu checks wait on nothing", b->pending);
			break;
		}
		if (dns_resolver_woken(b->r)) {
			advance(b);
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (timeout_ms >= 0)
			left =
			    timeout_ms - ((t.tv_sec - t0.tv_sec) * 1000 +
					  (t.tv_nsec - t0.tv_nsec) / 1000000);
	}
	return b->pending;
}

size_t
verify_batch_pending(const struct verify_batch *b)
{
	return b->pending;
}

void
verify_batch_free(struct verify_batch *b)
{
	struct vcheck *c, *next;

	if (b == NULL)
		return;
	dns_resolver_cancel(b->r, b);
	for (c = b->queued.head; c != NULL; c = next) {
		next = c->next;
		vcheck_free(c);
	}
	for (c = b->started; c != NULL; c = next) {
		next = c->anext;
		vcheck_free(c);
	}
	free(b);
}
