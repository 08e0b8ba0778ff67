-- 003: what the verifier needs to schedule checks and keep verdicts
-- through DNS failures (cron/verifier.c, lib/sweep.c).

ALTER TABLE domains
	-- when the current key was issued: checks run at every verifier run
	-- for verify_new_hours after it
	ADD COLUMN issued_at timestamptz NOT NULL DEFAULT now(),
	-- the last interval between checks, doubled up to the maximum
	ADD COLUMN interval_s integer NOT NULL DEFAULT 0,
	-- the last check that DNS could not answer; the verdict before it
	-- stays shown
	ADD COLUMN tempfail_at timestamptz;

-- Taking a lease changes no indexed column: with room on the page the
-- update is HOT, so claims do not bloat the indexes a run scans.
ALTER TABLE domains SET (fillfactor = 70);

-- how many checks wrote a verdict: lets tests prove a domain was checked
-- once by two verifiers started together
ALTER TABLE domains ADD COLUMN checks integer NOT NULL DEFAULT 0;

-- Seconds until a domain's next check (README "The verifier"): soon after a
-- DNS failure, every run during the first hours after its key was issued,
-- then doubling from the minimum to the maximum.
CREATE FUNCTION sa_next_check(tempfail boolean, issued_at timestamptz,
	interval_s integer, new_hours integer, new_s integer, min_s integer,
	max_s integer, retry_s integer) RETURNS integer LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN tempfail THEN retry_s
		WHEN issued_at > now() - make_interval(hours => new_hours) THEN new_s
		ELSE least(max_s, greatest(min_s, interval_s * 2)) END
$$;

-- One batch of the verifier's verdicts, for the domains still leased to
-- a_owner (lib/sweep.c); returns how many were written. A part DNS could
-- not answer (tempfail) keeps its previous verdict unless it had none.
-- Every status change is an event of the organization's log.
-- The planner settings hold the plan the batch needs whatever the
-- statistics say (they cannot know that the lease owner picks out exactly
-- the batch): the batch drives, one primary-key probe per domain.
CREATE FUNCTION sa_save_verdicts(a_ids bigint[], a_spf_status text[],
	a_spf_reason text[], a_spf_found text[], a_spf_suggested text[],
	a_spf_lookups integer[], a_dkim_status text[], a_dkim_reason text[],
	a_dkim_found text[], a_dmarc_status text[], a_dmarc_reason text[],
	a_dmarc_policy text[], a_owner text, a_new_hours integer,
	a_new_s integer, a_min_s integer, a_max_s integer, a_retry_s integer)
RETURNS bigint LANGUAGE sql
SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off
AS $$
	WITH u AS (
		SELECT v.*, x.id AS did,
			x.spf_status::text AS old_spf, x.dkim_status::text AS old_dkim,
			v.spf_status = 'tempfail' AND x.spf_status <> 'pending' AS keep_spf,
			v.dkim_status = 'tempfail' AND x.dkim_status <> 'pending' AS keep_dkim,
			v.dmarc_status = 'tempfail' AND x.dmarc_status <> '' AS keep_dmarc,
			v.spf_status = 'tempfail' OR v.dkim_status = 'tempfail' AS tf,
			sa_next_check(v.spf_status = 'tempfail' OR v.dkim_status = 'tempfail',
				x.issued_at, x.interval_s, a_new_hours, a_new_s,
				a_min_s, a_max_s, a_retry_s) AS next_s
		FROM unnest(a_ids, a_spf_status, a_spf_reason, a_spf_found,
			a_spf_suggested, a_spf_lookups, a_dkim_status,
			a_dkim_reason, a_dkim_found, a_dmarc_status,
			a_dmarc_reason, a_dmarc_policy)
			AS v(id, spf_status, spf_reason, spf_found, spf_suggested,
			spf_lookups, dkim_status, dkim_reason, dkim_found,
			dmarc_status, dmarc_reason, dmarc_policy)
		JOIN domains x ON x.id = v.id AND x.lease_owner = a_owner
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
			checks = d.checks + 1,
			lease_until = NULL,
			lease_owner = NULL
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
	)
	SELECT count(*) FROM w
$$;

-- Leases up to a_limit due domains (or only a_domain, due or not) to
-- a_owner for a_lease_s seconds and returns them in (due_at, id) order with
-- their active DKIM key ("<selector> <p>"). FOR UPDATE SKIP LOCKED and the
-- lease let overlapping runs share the work; a run takes only what was due
-- when it started (a_start) and, with a_after_due/a_after_id (the last row
-- of its previous claim), starts where that claim ended instead of walking
-- again past what it already took. Plans pinned as in sa_save_verdicts.
CREATE FUNCTION sa_claim(a_limit integer, a_lease_s integer, a_owner text,
	a_start timestamptz, a_domain bigint, a_after_due timestamptz,
	a_after_id bigint)
RETURNS TABLE (id bigint, name text, dkim text, due text) LANGUAGE sql
SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off
AS $$
	WITH due AS (
		SELECT x.id FROM domains x
		WHERE x.deleted_at IS NULL
			AND (CASE WHEN a_domain IS NULL THEN x.due_at <= a_start
				ELSE x.id = a_domain END)
			AND (a_after_due IS NULL
				OR (x.due_at, x.id) > (a_after_due, a_after_id))
			AND (x.lease_until IS NULL OR x.lease_until < now())
		ORDER BY x.due_at, x.id LIMIT a_limit
		FOR UPDATE SKIP LOCKED),
	upd AS (
		UPDATE domains d
		SET lease_until = now() + make_interval(secs => a_lease_s),
			lease_owner = a_owner
		FROM due WHERE d.id = due.id
		RETURNING d.id, d.name, d.due_at,
			(SELECT k.selector || ' ' || k.public_key FROM dkim_keys k
			 WHERE k.domain_id = d.id AND k.retired_at IS NULL) AS dkim)
	SELECT upd.id, upd.name, upd.dkim, upd.due_at::text FROM upd
	ORDER BY upd.due_at, upd.id
$$;
