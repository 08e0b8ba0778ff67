-- 007: one claim at a time, and the verifier's writes of 006 by index.
--
-- Two runs' claims could interleave: both first statements walked the due
-- domains at once, each locking what the other had not (FOR UPDATE SKIP
-- LOCKED), so each took every other domain of one range. The claim that
-- committed first then covered, as a span, the domains the other had
-- locked, and the other's second statement dropped them: a CI run of t400
-- saw two runs started together check 1 and 31 of 400 due domains, each
-- taking its short claim for the end of what was due. The dropped domains
-- waited for the next run.
--
-- A transaction-scoped advisory lock now makes claims one at a time: a
-- claim's first statement, with a snapshot taken once the lock is held,
-- sees every claim committed before it and none can commit while it
-- runs. So the span of a live claim holds only domains its run took
-- (or that were locked by something else when its scan passed, which it
-- skipped as SKIP LOCKED does), and the second statement's filter, which
-- could only drop domains a run held itself, is gone. A claim is a few
-- milliseconds; `verifier run` asks for one per verify_batch domains.
CREATE OR REPLACE FUNCTION sa_claim(a_limit integer, a_lease_s integer,
	a_owner text, a_start timestamptz, a_domain bigint,
	a_after_due timestamptz, a_after_id bigint)
RETURNS TABLE (id bigint, name text, dkim text, dkim_next text, due text,
	claim bigint)
LANGUAGE plpgsql
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
	ids bigint[];
	names text[];
	dues timestamptz[];
	c bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('senderauth:claim'));
	WITH due AS (
		SELECT x.id, x.name, x.due_at FROM domains x
		WHERE a_domain IS NULL AND x.deleted_at IS NULL
			AND x.due_at <= a_start
			AND (x.due_at, x.id) > (coalesce(a_after_due, '-infinity'),
				coalesce(a_after_id, 0))
			AND NOT EXISTS (SELECT FROM sa_other_claims(a_owner) o
				WHERE (x.due_at, x.id) BETWEEN (o.lo_due, o.lo_id)
					AND (o.hi_due, o.hi_id))
		ORDER BY x.due_at, x.id LIMIT a_limit
		FOR UPDATE OF x SKIP LOCKED),
	one AS (
		SELECT x.id, x.name, x.due_at FROM domains x
		WHERE x.id = a_domain AND x.deleted_at IS NULL
			AND NOT EXISTS (SELECT FROM sa_other_claims(a_owner) o
				WHERE (x.due_at, x.id) BETWEEN (o.lo_due, o.lo_id)
					AND (o.hi_due, o.hi_id))
		FOR UPDATE OF x SKIP LOCKED)
	SELECT array_agg(t.id ORDER BY t.due_at, t.id),
		array_agg(t.name ORDER BY t.due_at, t.id),
		array_agg(t.due_at ORDER BY t.due_at, t.id)
	INTO ids, names, dues
	FROM (SELECT * FROM due UNION ALL SELECT * FROM one) t;
	DELETE FROM domain_claims o WHERE o.until < now();
	IF ids IS NULL THEN
		RETURN;
	END IF;
	INSERT INTO domain_claims (owner, until, lo_due, lo_id, hi_due, hi_id)
	VALUES (a_owner, now() + make_interval(secs => a_lease_s),
		dues[1], ids[1], dues[cardinality(ids)], ids[cardinality(ids)])
	RETURNING domain_claims.id INTO c;
	RETURN QUERY
	SELECT u.id, u.name, coalesce(kk.active, kk.pending),
		CASE WHEN kk.active IS NOT NULL THEN kk.pending END,
		u.due::text, c
	FROM unnest(ids, names, dues) WITH ORDINALITY AS u(id, name, due, n)
	CROSS JOIN LATERAL (SELECT
		max(k.selector || ' ' || k.public_key)
			FILTER (WHERE k.state = 'active') AS active,
		max(k.selector || ' ' || k.public_key)
			FILTER (WHERE k.state = 'pending') AS pending
		FROM dkim_keys k WHERE k.domain_id = u.id
			AND k.state IN ('pending', 'active')) kk
	ORDER BY u.n;
END
$$;

-- Which way each verdict's answers came (006), for the rows the
-- sa_save_verdicts() call of the same transaction saved (checked_at =
-- now()). Written as a statement of `verifier run` (lib/core/db.c) it was
-- planned as a join of every domain with checked_at = now(), which the
-- planner expects to be none, scanned sequentially, against the verdicts:
-- with 50,000 domains a batch of 1,000 took 0.3-0.9 s, and the run went
-- from over 20,000 domains a second to 5,000 (bench/verifier-run.sh). In
-- a function its plan is pinned as sa_save_verdicts's is: for each verdict
-- a probe of domains_pkey.
CREATE FUNCTION sa_save_via(a_ids bigint[], a_spf text[], a_dkim text[],
	a_dmarc text[])
RETURNS void LANGUAGE sql
SET enable_seqscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET jit = off
AS $$
	UPDATE domains d SET
		spf_via = CASE WHEN v.spf IS NULL THEN d.spf_via
			ELSE nullif(v.spf, '') END,
		dkim_via = CASE WHEN v.dkim IS NULL THEN d.dkim_via
			ELSE nullif(v.dkim, '') END,
		dmarc_via = CASE WHEN v.dmarc IS NULL THEN d.dmarc_via
			ELSE nullif(v.dmarc, '') END
	FROM unnest(a_ids, a_spf, a_dkim, a_dmarc) AS v(id, spf, dkim, dmarc)
	WHERE d.id = v.id AND d.checked_at = now()
$$;
