-- 004: leases in a table of their own, claims that read only what they
-- take, and status events without a per-row key check.
--
-- A lease is a row of domain_leases, not two columns of domains. Taking
-- one no longer writes a new version of the domain's row (with its WAL),
-- and the table is UNLOGGED: after a crash of the database it starts
-- empty, which is what a lease means there (no run survives the crash,
-- so every domain is free to take). FOR UPDATE SKIP LOCKED on the domain
-- rows still keeps two claims from taking the same domain at once; the
-- primary key of domain_leases keeps a claim from taking one another
-- claim committed a moment before (ON CONFLICT ... WHERE the lease ran out).
CREATE UNLOGGED TABLE domain_leases (
	domain_id bigint PRIMARY KEY,
	owner text NOT NULL,	-- the run: "<host>:<pid>:<start>"
	until timestamptz NOT NULL
);
ALTER TABLE domains DROP COLUMN lease_until, DROP COLUMN lease_owner;

-- The log is append-only and its organization comes from a row that
-- references organizations already; checking the key again for every
-- status change cost the verifier's batch about 10 µs per event.
ALTER TABLE events DROP CONSTRAINT events_org_id_fkey;

-- The verifier's batch statements (lib/sweep.c). CREATE OR REPLACE: a
-- cluster that applied an earlier 003 has older versions of both.
--
-- Leases up to a_limit due domains (or only a_domain, due or not) to
-- a_owner for a_lease_s seconds and returns them in (due_at, id) order with
-- their active DKIM key ("<selector> <p>"). A run takes only what was due
-- when it started (a_start) and, with a_after_due/a_after_id (the last row
-- of its previous claim), starts where that claim ended: both bound the
-- index scan. The claim of one domain (今すぐ確認) is a branch of its own
-- on the primary key. The planner settings hold the plans these batches
-- need whatever the statistics say: the batch drives, one primary-key
-- probe per domain.
CREATE OR REPLACE FUNCTION sa_claim(a_limit integer, a_lease_s integer,
	a_owner text, a_start timestamptz, a_domain bigint,
	a_after_due timestamptz, a_after_id bigint)
RETURNS TABLE (id bigint, name text, dkim text, due text) LANGUAGE sql
SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off
AS $$
	WITH due AS (
		SELECT x.id FROM domains x
		WHERE a_domain IS NULL AND x.deleted_at IS NULL
			AND x.due_at <= a_start
			AND (x.due_at, x.id) > (coalesce(a_after_due, '-infinity'),
				coalesce(a_after_id, 0))
			AND NOT EXISTS (SELECT FROM domain_leases l
				WHERE l.domain_id = x.id AND l.until >= now())
		ORDER BY x.due_at, x.id LIMIT a_limit
		FOR UPDATE OF x SKIP LOCKED),
	one AS (
		SELECT x.id FROM domains x
		WHERE x.id = a_domain AND x.deleted_at IS NULL
		FOR UPDATE SKIP LOCKED),
	lease AS (
		INSERT INTO domain_leases (domain_id, owner, until)
		SELECT c.id, a_owner, now() + make_interval(secs => a_lease_s)
		FROM (SELECT due.id FROM due UNION ALL SELECT one.id FROM one) c
		ON CONFLICT (domain_id) DO UPDATE
			SET owner = excluded.owner, until = excluded.until
			WHERE domain_leases.until < now()
		RETURNING domain_id)
	SELECT d.id, d.name,
		(SELECT k.selector || ' ' || k.public_key FROM dkim_keys k
		 WHERE k.domain_id = d.id AND k.retired_at IS NULL),
		d.due_at::text
	FROM lease JOIN domains d ON d.id = lease.domain_id
	ORDER BY d.due_at, d.id
$$;

-- One batch of the verifier's verdicts, for the domains still leased to
-- a_owner; returns how many were written. A part DNS could not answer
-- (tempfail) keeps its previous verdict unless it had none. Every status
-- change is an event of the organization's log. The leases go with the
-- verdicts.
CREATE OR REPLACE FUNCTION sa_save_verdicts(a_ids bigint[], a_spf_status text[],
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
		JOIN domain_leases l ON l.domain_id = v.id AND l.owner = a_owner
		JOIN domains x ON x.id = v.id
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
		DELETE FROM domain_leases l USING w WHERE l.domain_id = w.id
	)
	SELECT count(*) FROM w
$$;
