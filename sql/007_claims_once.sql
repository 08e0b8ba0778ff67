-- 007: which claims a claim must skip, said once; each planner setting of
-- the verifier's batch functions with the plan it protects.
--
-- 006 wrote the test "inside another run's live claim" three times in
-- sa_claim, and the copy for a_domain (`verifier run --domain`, 今すぐ確認)
-- lacked the owner condition. README ("The verifier") says other runs skip
-- a live claim, so the owner condition belongs there too; the difference
-- was never seen, since a --domain run claims once and owns no claim
-- before that. Which claims count (another run's, not expired) is now
-- sa_other_claims(); only the span test stays at each use, for the reason
-- given there.

-- The live claims of every run but a_owner. A single SELECT, STABLE, with
-- no SET clause, returning a set: the planner inlines it where it is used
-- in FROM, so the three uses in sa_claim plan exactly as 006's written-out
-- subqueries did (a nested-loop anti join against domain_claims, read once
-- and materialized).
--
-- The span test, (due, id) BETWEEN (lo_due, lo_id) AND (hi_due, hi_id),
-- cannot move in here. Given the domain's (due, id) as arguments, the
-- function is still inlined, but only after the planner has tried to turn
-- NOT EXISTS into an anti join, which it does not do for a subquery whose
-- FROM refers to the outer row: the test then runs as a subplan that scans
-- domain_claims once per domain. Walking 100,000 due domains in claims of
-- 500 took a median 5.6 s that way against 3.9 s for 006 and for this
-- version (five alternating runs each, same cluster).
CREATE OR REPLACE FUNCTION sa_other_claims(a_owner text)
RETURNS SETOF domain_claims LANGUAGE sql STABLE
AS $$
	SELECT * FROM domain_claims o
	WHERE o.owner <> a_owner AND o.until >= now()
$$;

-- sa_claim as in 006 (see there for what it does), with the claims to
-- skip from sa_other_claims() in all three places. Its planner settings:
--
-- enable_seqscan = off keeps the walk of domains_due in (due_at, id) order
-- from where the last claim ended, stopping after a_limit rows, and the
-- probe of domains_pkey for a_domain. A sequential scan of every domain
-- and a sort is the plan it rules out: the planner may pick it when it
-- expects many rows to pass (a generic plan, which plpgsql may use after
-- five calls, takes LIMIT a_limit for a tenth of what is due) and an
-- index walk to cost much (once the verifier's rewrites have taken due
-- order away from the table's physical order).
--
-- jit = off: domain_claims has no index the claim test can use, so with
-- sequential scans priced out its scan (a few rows) counts 10^10 in the
-- plan's cost, far past jit_above_cost; without this every call would
-- compile its plan.
--
-- 006 also set enable_hashjoin and enable_mergejoin off. Nothing here
-- joins on equality (the claim test is a range test, the DKIM key a
-- per-row subquery on dkim_keys_active), so they steered no plan: EXPLAIN
-- of all four statements, generic and custom plans, is the same without
-- them, and they are not kept.
CREATE OR REPLACE FUNCTION sa_claim(a_limit integer, a_lease_s integer,
	a_owner text, a_start timestamptz, a_domain bigint,
	a_after_due timestamptz, a_after_id bigint)
RETURNS TABLE (id bigint, name text, dkim text, due text, claim bigint)
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
	SELECT u.id, u.name,
		(SELECT k.selector || ' ' || k.public_key FROM dkim_keys k
		 WHERE k.domain_id = u.id AND k.retired_at IS NULL),
		u.due::text, c
	FROM unnest(ids, names, dues) WITH ORDINALITY AS u(id, name, due, n)
	WHERE NOT EXISTS (SELECT FROM sa_other_claims(a_owner) o
		WHERE (u.due, u.id) BETWEEN (o.lo_due, o.lo_id)
			AND (o.hi_due, o.hi_id))
	ORDER BY u.n;
END
$$;

-- sa_save_verdicts keeps 006's body and settings; here they are again,
-- each with the plan it protects. The planner cannot know how many
-- verdicts a batch holds (it guesses 10 elements for an array parameter)
-- nor that a_claims picks out exactly the batch's domains: the batch must
-- drive, one primary-key probe of domains per verdict for the join on
-- (id, due_at) and one for the UPDATE.
ALTER FUNCTION sa_save_verdicts(bigint[], bigint[], timestamptz[], text[],
	text[], text[], text[], integer[], text[], text[], text[], text[],
	text[], text[], text, bigint[], integer, integer, integer, integer,
	integer)
	-- rules out reading domains by a sequential scan for those two joins
	SET enable_seqscan = off
	-- rules out a hash join for them: the verdicts hashed and probed by
	-- every domain, or every domain hashed
	SET enable_hashjoin = off
	-- rules out sorting the verdicts by id and merging them with a full
	-- scan of domains_pkey
	SET enable_mergejoin = off
	-- as in sa_claim: a scan left without an index path would count 10^10
	-- with sequential scans priced out and make every call compile its
	-- plan (today every scan here has one: domains_pkey,
	-- domain_claims_pkey)
	SET jit = off;
