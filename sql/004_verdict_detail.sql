-- 004: what a verdict rests on, kept for the page and the API.
--
-- spf_results: the RFC 7208 check_host() result for each platform
-- address (pass, fail, softfail, neutral, none, permerror, temperror), one
-- line "<address> <result>" each in the platform's order, next to the
-- product's SPF verdict; written with it and kept with it when the check
-- could not reach DNS.
-- dmarc_org_domain: where the DMARC record judged was found when the
-- domain has none of its own (RFC 7489 §6.6.3): its organizational
-- domain; empty when the record is the domain's own or none was found.
ALTER TABLE domains
	ADD COLUMN spf_results text NOT NULL DEFAULT '',
	ADD COLUMN dmarc_org_domain text NOT NULL DEFAULT '';

-- sa_save_verdicts as in 002, every parameter kept, with the two columns
-- above as two more arrays (a_spf_results, a_dmarc_org_domain) after
-- a_next_reason; a NULL element writes ''.
DROP FUNCTION sa_save_verdicts(bigint[], bigint[], timestamptz[], text[],
	text[], text[], text[], integer[], text[], text[], text[], text[],
	text[], text[], text[], text[], text, bigint[], integer, integer,
	integer, integer, integer);
CREATE FUNCTION sa_save_verdicts(a_ids bigint[], a_claims bigint[],
	a_dues timestamptz[], a_spf_status text[],
	a_spf_reason text[], a_spf_found text[], a_spf_suggested text[],
	a_spf_lookups integer[], a_dkim_status text[], a_dkim_reason text[],
	a_dkim_found text[], a_dmarc_status text[], a_dmarc_reason text[],
	a_dmarc_policy text[], a_next_status text[], a_next_reason text[],
	a_spf_results text[], a_dmarc_org_domain text[], a_owner text,
	a_done bigint[], a_new_hours integer, a_new_s integer,
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
			a_dmarc_reason, a_dmarc_policy, a_next_status, a_next_reason,
			a_spf_results, a_dmarc_org_domain)
			AS v(id, claim, due, spf_status, spf_reason, spf_found,
			spf_suggested, spf_lookups, dkim_status, dkim_reason,
			dkim_found, dmarc_status, dmarc_reason, dmarc_policy,
			next_status, next_reason, spf_results, dmarc_org_domain)
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
			spf_results = CASE WHEN u.keep_spf THEN d.spf_results
				ELSE coalesce(u.spf_results, '') END,
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
			dmarc_org_domain = CASE WHEN u.keep_dmarc THEN d.dmarc_org_domain
				ELSE coalesce(u.dmarc_org_domain, '') END,
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
