-- 002: the DKIM key lifecycle (DESIGN.md "DKIM key lifecycle and the
-- signer"), a pool of pre-generated keys, and the verifier's functions
-- that move keys through it.
--
-- A key is pending (issued, not yet seen in DNS; the signer never uses
-- it), active (seen in DNS by the verifier; the one key the signer uses
-- for the domain), retiring (replaced by a newer active key; it no longer
-- signs, but its record must stay in DNS for dkim_retire_days so mail
-- signed before the switch verifies) or retired (history). A domain has at
-- most one active and one pending key. Its DKIM status follows the active
-- key, else the pending one. A rotation issues a pending key beside the
-- active one; the verifier checks both and, when it sees the new record,
-- makes the new key active and the old one retiring in the same
-- transaction as the verdict, with an event for each.
CREATE TYPE dkim_key_state AS ENUM ('pending', 'active', 'retiring',
	'retired');

ALTER TABLE dkim_keys
	ADD COLUMN state dkim_key_state NOT NULL DEFAULT 'pending',
	ADD COLUMN activated_at timestamptz,
	ADD COLUMN retiring_at timestamptz,
	-- the pending key's own verdict while an active key exists (during a
	-- rotation the domain's verdict is the active key's)
	ADD COLUMN next_status verify_status NOT NULL DEFAULT 'pending',
	ADD COLUMN next_reason text NOT NULL DEFAULT '';
UPDATE dkim_keys k SET state = CASE WHEN k.retired_at IS NOT NULL
		THEN 'retired' WHEN d.dkim_status = 'verified' THEN 'active'
		ELSE 'pending' END::dkim_key_state,
	activated_at = CASE WHEN k.retired_at IS NULL
		AND d.dkim_status = 'verified' THEN d.verified_at END
FROM domains d WHERE d.id = k.domain_id;

-- One active and one pending key per domain. Deferrable to the end of
-- each statement, so that one UPDATE can make the pending key active and
-- the active one retiring (a unique index would check row by row).
DROP INDEX dkim_keys_active;
ALTER TABLE dkim_keys
	ADD CONSTRAINT dkim_keys_one_active EXCLUDE USING btree
		(domain_id WITH =) WHERE (state = 'active') DEFERRABLE,
	ADD CONSTRAINT dkim_keys_one_pending EXCLUDE USING btree
		(domain_id WITH =) WHERE (state = 'pending') DEFERRABLE;
-- the keys a domain's status follows (the verifier's claims, the page):
-- without it each claim read every key for every domain it took
CREATE INDEX dkim_keys_current ON dkim_keys (domain_id)
	WHERE state IN ('pending', 'active');
-- the verifier's retirement of keys past dkim_retire_days
CREATE INDEX dkim_keys_retiring ON dkim_keys (retiring_at)
	WHERE state = 'retiring';

-- Keys generated ahead (senderauth-admin pool-fill) so add-domain and a
-- rotation need not wait for RSA key generation. A key taken from the
-- pool is deleted from it in its own statement and stored as the domain's
-- key, sealed again for its row.
CREATE TABLE dkim_key_pool (
	id bigserial PRIMARY KEY,
	bits integer NOT NULL,
	public_key text NOT NULL,	-- base64 SubjectPublicKeyInfo
	private_sealed bytea NOT NULL,	-- sealed, bound to this row
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dkim_key_pool_bits ON dkim_key_pool (bits, id);

-- Keys retiring for a_days or more become retired, each with an event;
-- returns how many. Run by the verifier at the start of each run.
CREATE FUNCTION sa_retire_keys(a_days integer) RETURNS bigint
LANGUAGE sql AS $$
	WITH k AS (
		UPDATE dkim_keys k SET state = 'retired', retired_at = now()
		WHERE k.state = 'retiring'
			AND k.retiring_at <= now() - make_interval(days => a_days)
		RETURNING k.domain_id, k.selector
	), e AS (
		INSERT INTO events (org_id, action, object_type, object_id,
			object_name, detail)
		SELECT d.org_id, 'dkim_retired', 'domain', d.id, d.unicode_name,
			k.selector
		FROM k JOIN domains d ON d.id = k.domain_id
	)
	SELECT count(*) FROM k
$$;

-- sa_claim as in 001, returning for each domain the key its DKIM status
-- follows (dkim: the active key, else the pending one) and, during a
-- rotation, the pending key to check as well (dkim_next).
DROP FUNCTION sa_claim(integer, integer, text, timestamptz, bigint,
	timestamptz, bigint);
CREATE FUNCTION sa_claim(a_limit integer, a_lease_s integer,
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
	WHERE NOT EXISTS (SELECT FROM sa_other_claims(a_owner) o
		WHERE (u.due, u.id) BETWEEN (o.lo_due, o.lo_id)
			AND (o.hi_due, o.hi_id))
	ORDER BY u.n;
END
$$;

-- sa_save_verdicts as in 001, with the pending key's verdict during a
-- rotation (a_next_status, a_next_reason; NULL when there was none to
-- check) and the promotions: a pending key seen in DNS becomes active (no
-- active key: its own verdict; during a rotation: the next verdict), and
-- an active key it replaces becomes retiring. The domain's DKIM verdict is
-- then the new key's.
DROP FUNCTION sa_save_verdicts(bigint[], bigint[], timestamptz[], text[],
	text[], text[], text[], integer[], text[], text[], text[], text[],
	text[], text[], text, bigint[], integer, integer, integer, integer,
	integer);
CREATE FUNCTION sa_save_verdicts(a_ids bigint[], a_claims bigint[],
	a_dues timestamptz[], a_spf_status text[],
	a_spf_reason text[], a_spf_found text[], a_spf_suggested text[],
	a_spf_lookups integer[], a_dkim_status text[], a_dkim_reason text[],
	a_dkim_found text[], a_dmarc_status text[], a_dmarc_reason text[],
	a_dmarc_policy text[], a_next_status text[], a_next_reason text[],
	a_owner text, a_done bigint[], a_new_hours integer, a_new_s integer,
	a_min_s integer, a_max_s integer, a_retry_s integer)
RETURNS bigint LANGUAGE sql
-- rules out reading domains by a sequential scan for those two joins
SET enable_seqscan = off
-- rules out a hash join for them: the verdicts hashed and probed by every
-- domain, or every domain hashed
SET enable_hashjoin = off
-- rules out sorting the verdicts by id and merging them with a full scan
-- of domains_pkey
SET enable_mergejoin = off
-- as in sa_claim: a scan left without an index path would count 10^10
-- with sequential scans priced out and make every call compile its plan
-- (today every scan here has one: domains_pkey, domain_claims_pkey)
SET jit = off
AS $$
	WITH live AS (
		SELECT array_agg(c.id) AS ids FROM domain_claims c
		WHERE c.owner = a_owner
			AND c.id IN (SELECT DISTINCT unnest(a_claims))
	), u AS (
		SELECT v.*, x.id AS did, x.org_id, x.unicode_name,
			ak.id AS active_id, pk.id AS pending_id,
			-- the pending key was seen: it becomes the active one
			pk.id IS NOT NULL AND CASE WHEN ak.id IS NULL
				THEN v.dkim_status = 'verified'
				ELSE v.next_status = 'verified' END AS promote,
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
			a_dmarc_reason, a_dmarc_policy, a_next_status, a_next_reason)
			AS v(id, claim, due, spf_status, spf_reason, spf_found,
			spf_suggested, spf_lookups, dkim_status, dkim_reason,
			dkim_found, dmarc_status, dmarc_reason, dmarc_policy,
			next_status, next_reason)
		JOIN domains x ON x.id = v.id AND x.due_at = v.due
		LEFT JOIN dkim_keys ak ON ak.domain_id = x.id AND ak.state = 'active'
		LEFT JOIN dkim_keys pk ON pk.domain_id = x.id AND pk.state = 'pending'
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
			dkim_status = CASE WHEN u.rotated THEN 'verified'
				WHEN u.keep_dkim THEN d.dkim_status
				ELSE u.dkim_status::verify_status END,
			dkim_reason = CASE WHEN u.rotated THEN 'ok'
				WHEN u.keep_dkim THEN d.dkim_reason ELSE u.dkim_reason END,
			dkim_found = CASE WHEN u.rotated THEN NULL
				WHEN u.keep_dkim THEN d.dkim_found ELSE u.dkim_found END,
			dmarc_status = CASE WHEN u.keep_dmarc THEN d.dmarc_status ELSE u.dmarc_status END,
			dmarc_reason = CASE WHEN u.keep_dmarc THEN d.dmarc_reason ELSE u.dmarc_reason END,
			dmarc_policy = CASE WHEN u.keep_dmarc THEN d.dmarc_policy ELSE u.dmarc_policy END,
			checked_at = now(),
			tempfail_at = CASE WHEN u.tf THEN now() END,
			verified_at = CASE WHEN u.spf_status = 'verified'
				AND (u.dkim_status = 'verified' OR u.rotated) THEN now()
				ELSE d.verified_at END,
			interval_s = u.next_s,
			due_at = now() + make_interval(secs => u.next_s),
			checks = d.checks + 1
		FROM (SELECT *, promote AND active_id IS NOT NULL AS rotated
			FROM u) u
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
	), k AS (
		-- the pending key's own verdict during a rotation, and the
		-- promotion: pending -> active, the active one -> retiring
		UPDATE dkim_keys k SET
			state = CASE WHEN NOT u.promote THEN k.state
				WHEN k.id = u.pending_id THEN 'active'
				ELSE 'retiring' END::dkim_key_state,
			activated_at = CASE WHEN u.promote AND k.id = u.pending_id
				THEN now() ELSE k.activated_at END,
			retiring_at = CASE WHEN u.promote AND k.id = u.active_id
				THEN now() ELSE k.retiring_at END,
			next_status = CASE WHEN k.id = u.pending_id
				AND u.next_status IN ('verified', 'unverified')
				THEN u.next_status::verify_status ELSE k.next_status END,
			next_reason = CASE WHEN k.id = u.pending_id
				AND u.next_status IN ('verified', 'unverified')
				THEN u.next_reason ELSE k.next_reason END
		FROM u
		WHERE k.id IN (u.pending_id, u.active_id)
			AND (u.promote OR (k.id = u.pending_id
				AND u.active_id IS NOT NULL))
		RETURNING k.domain_id, k.selector, k.state, u.org_id,
			u.unicode_name
	), ke AS (
		INSERT INTO events (org_id, action, object_type, object_id,
			object_name, detail)
		SELECT org_id, CASE state WHEN 'active' THEN 'dkim_activated'
			ELSE 'dkim_retiring' END, 'domain', domain_id,
			unicode_name, selector
		FROM k WHERE state IN ('active', 'retiring')
		ORDER BY domain_id, state
	), r AS (
		DELETE FROM domain_claims c
		WHERE c.id = ANY(a_done) AND c.owner = a_owner
	)
	SELECT count(*) FROM w
$$;
