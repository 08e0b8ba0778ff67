-- 006: a lease per claim, not per domain.
--
-- A claim of the verifier (a batch of due domains, FOR UPDATE SKIP LOCKED)
-- is one row of domain_claims: its run, its expiry, and the span it took
-- in the order claims walk (due_at, id). While it lives, other runs skip
-- every domain in that span; the run's verdicts count only for domains
-- still at the due time it claimed (a reissue or another run moves it);
-- the write that brings a claim's last verdict deletes it. 004 wrote and
-- deleted a row of domain_leases per domain, which was a sixth of the
-- database's work per check. The table is UNLOGGED for the reason 004
-- gave: after a crash no run survives, and every domain is free to take.
CREATE UNLOGGED TABLE domain_claims (
	id bigserial PRIMARY KEY,
	owner text NOT NULL,	-- the run: "<host>:<pid>:<start>"
	until timestamptz NOT NULL,
	lo_due timestamptz NOT NULL,	-- the first domain taken
	lo_id bigint NOT NULL,
	hi_due timestamptz NOT NULL,	-- the last
	hi_id bigint NOT NULL
);
DROP TABLE domain_leases;

-- Claims up to a_limit due domains (or only a_domain, due or not) for
-- a_owner for a_lease_s seconds and returns them in (due_at, id) order
-- with their active DKIM key ("<selector> <p>") and the claim's id. A run
-- takes only what was due when it started (a_start) and, with
-- a_after_due/a_after_id (the last row of its previous claim), starts
-- where that claim ended: both bound the index scan.
--
-- Two statements, so the second sees what the first could not: the first
-- locks candidates outside every live claim of another run; the second,
-- with a newer snapshot, drops those a claim committed in between covers
-- (that run held them locked until then) and records the claim. Expired
-- claims go at the same time: their runs' verdicts no longer count. The
-- table is a few rows, read whole; with sequential scans priced out for
-- the big tables the planner would otherwise compile every call (jit).
DROP FUNCTION IF EXISTS sa_claim(integer, integer, text, timestamptz, bigint,
	timestamptz, bigint);
CREATE FUNCTION sa_claim(a_limit integer, a_lease_s integer,
	a_owner text, a_start timestamptz, a_domain bigint,
	a_after_due timestamptz, a_after_id bigint)
RETURNS TABLE (id bigint, name text, dkim text, due text, claim bigint)
LANGUAGE plpgsql
SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off
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
			AND NOT EXISTS (SELECT FROM domain_claims o
				WHERE o.owner <> a_owner AND o.until >= now()
				AND (x.due_at, x.id) BETWEEN (o.lo_due, o.lo_id)
					AND (o.hi_due, o.hi_id))
		ORDER BY x.due_at, x.id LIMIT a_limit
		FOR UPDATE OF x SKIP LOCKED),
	one AS (
		SELECT x.id, x.name, x.due_at FROM domains x
		WHERE x.id = a_domain AND x.deleted_at IS NULL
			AND NOT EXISTS (SELECT FROM domain_claims o
				WHERE o.until >= now()
				AND (x.due_at, x.id) BETWEEN (o.lo_due, o.lo_id)
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
	WHERE NOT EXISTS (SELECT FROM domain_claims o
		WHERE o.owner <> a_owner AND o.until >= now()
		AND (u.due, u.id) BETWEEN (o.lo_due, o.lo_id)
			AND (o.hi_due, o.hi_id))
	ORDER BY u.n;
END
$$;

-- One batch of the verifier's verdicts; returns how many were written. A
-- verdict counts when its claim (a_claims) is still a_owner's and its
-- domain is still at the due time claimed (a_dues). A part DNS could not
-- answer (tempfail) keeps its previous verdict unless it had none. Every
-- status change is an event of the organization's log. a_done are the
-- claims whose last verdict this batch brings: they go with it.
DROP FUNCTION IF EXISTS sa_save_verdicts(bigint[], text[], text[], text[], text[],
	integer[], text[], text[], text[], text[], text[], text[], text,
	integer, integer, integer, integer, integer);
CREATE FUNCTION sa_save_verdicts(a_ids bigint[], a_claims bigint[],
	a_dues timestamptz[], a_spf_status text[],
	a_spf_reason text[], a_spf_found text[], a_spf_suggested text[],
	a_spf_lookups integer[], a_dkim_status text[], a_dkim_reason text[],
	a_dkim_found text[], a_dmarc_status text[], a_dmarc_reason text[],
	a_dmarc_policy text[], a_owner text, a_done bigint[], a_new_hours integer,
	a_new_s integer, a_min_s integer, a_max_s integer, a_retry_s integer)
RETURNS bigint LANGUAGE sql
SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off
SET jit = off
AS $$
	WITH live AS (
		SELECT array_agg(c.id) AS ids FROM domain_claims c
		WHERE c.owner = a_owner
			AND c.id IN (SELECT DISTINCT unnest(a_claims))
	), u AS (
		SELECT v.*, x.id AS did,
			x.spf_status::text AS old_spf, x.dkim_status::text AS old_dkim,
			v.spf_status = 'tempfail' AND x.spf_status <> 'pending' AS keep_spf,
			v.dkim_status = 'tempfail' AND x.dkim_status <> 'pending' AS keep_dkim,
			v.dmarc_status = 'tempfail' AND x.dmarc_status <> '' AS keep_dmarc,
			v.spf_status = 'tempfail' OR v.dkim_status = 'tempfail' AS tf,
			sa_next_check(v.spf_status = 'tempfail' OR v.dkim_status = 'tempfail',
				x.issued_at, x.interval_s, a_new_hours, a_new_s,
				a_min_s, a_max_s, a_retry_s) AS next_s
		FROM live, unnest(a_ids, a_claims, a_dues, a_spf_status,
			a_spf_reason, a_spf_found, a_spf_suggested, a_spf_lookups,
			a_dkim_status, a_dkim_reason, a_dkim_found, a_dmarc_status,
			a_dmarc_reason, a_dmarc_policy)
			AS v(id, claim, due, spf_status, spf_reason, spf_found,
			spf_suggested, spf_lookups, dkim_status, dkim_reason,
			dkim_found, dmarc_status, dmarc_reason, dmarc_policy)
		JOIN domains x ON x.id = v.id AND x.due_at = v.due
		WHERE v.claim = ANY(live.ids)
	), w AS (
		UPDATE domains d SET
			spf_status = CASE WHEN u.keep_spf THEN d.spf_status
				ELSE u.spf_status::verify_status END,
			spf_reason = CASE WHEN u.keep_spf THEN d.spf_reason ELSE u.spf_reason END,
			spf_found = CASE WHEN u.keep_spf THEN d.spf_found ELSE u.spf_found END,
			spf_suggested = CASE WHEN u.keep_spf THEN d.spf_suggested
				ELSE u.spf_suggested END,
			spf_lookups = CASE WHEN u.keep_spf THEN d.spf_lookups ELSE u.spf_lookups END,
			dkim_status = CASE WHEN u.keep_dkim THEN d.dkim_status
				ELSE u.dkim_status::verify_status END,
			dkim_reason = CASE WHEN u.keep_dkim THEN d.dkim_reason ELSE u.dkim_reason END,
			dkim_found = CASE WHEN u.keep_dkim THEN d.dkim_found ELSE u.dkim_found END,
			dmarc_status = CASE WHEN u.keep_dmarc THEN d.dmarc_status ELSE u.dmarc_status END,
			dmarc_reason = CASE WHEN u.keep_dmarc THEN d.dmarc_reason ELSE u.dmarc_reason END,
			dmarc_policy = CASE WHEN u.keep_dmarc THEN d.dmarc_policy ELSE u.dmarc_policy END,
			checked_at = now(),
			tempfail_at = CASE WHEN u.tf THEN now() END,
			verified_at = CASE WHEN u.spf_status = 'verified'
				AND u.dkim_status = 'verified' THEN now()
				ELSE d.verified_at END,
			interval_s = u.next_s,
			due_at = now() + make_interval(secs => u.next_s),
			checks = d.checks + 1
		FROM u
		WHERE d.id = u.did
		RETURNING d.id, d.org_id, d.unicode_name, u.old_spf, u.old_dkim,
			d.spf_status::text AS spf, d.dkim_status::text AS dkim,
			d.spf_reason, d.dkim_reason
	), e AS (
		INSERT INTO events (org_id, action, object_type, object_id,
			object_name, detail)
		SELECT org_id, 'status_changed', 'domain', id, unicode_name,
			'SPF ' || old_spf || ' -> ' || spf || ' (' || spf_reason ||
			'), DKIM ' || old_dkim || ' -> ' || dkim || ' (' ||
			dkim_reason || ')'
		FROM w WHERE old_spf <> spf OR old_dkim <> dkim
	), r AS (
		DELETE FROM domain_claims c
		WHERE c.id = ANY(a_done) AND c.owner = a_owner
	)
	SELECT count(*) FROM w
$$;
