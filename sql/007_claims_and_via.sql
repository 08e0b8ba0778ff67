-- 007: one claim at a time, and the verdicts' ways (006) written with them.
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

-- sa_save_verdicts as in 005, every parameter kept, with which way each
-- verdict's answers came (006) as three more arrays after
-- a_dmarc_org_domain: authoritative | recursive, '' when the part needed
-- no lookup, NULL to keep the stored value (a part that could not ask
-- DNS). They were a second statement of `verifier run`, an UPDATE over
-- the batch in the same transaction, pipelined after this one: it wrote
-- every saved domain row a second time, and the planner ran it as a join
-- of every domain with checked_at = now(), which it expected to be none,
-- scanned sequentially, against the batch: 0.3-0.9 s a batch of 1,000 at
-- 50,000 domains. With the claim's test of settled domains, which had the
-- same fault (lib/core/db.c), it took PostgreSQL from about 6 to 23 CPU
-- seconds of a recheck of 100,000 domains (bench/verifier-run.sh).
DROP FUNCTION sa_save_verdicts(bigint[], bigint[], timestamptz[], text[],
	text[], text[], text[], integer[], text[], text[], text[], text[],
	text[], text[], text[], text[], text[], text[], text, bigint[],
	integer, integer, integer, integer, integer, bigint, integer, boolean);
CREATE FUNCTION sa_save_verdicts(a_ids bigint[], a_claims bigint[],
	a_dues timestamptz[], a_spf_status text[],
	a_spf_reason text[], a_spf_found text[], a_spf_suggested text[],
	a_spf_lookups integer[], a_dkim_status text[], a_dkim_reason text[],
	a_dkim_found text[], a_dmarc_status text[], a_dmarc_reason text[],
	a_dmarc_policy text[], a_next_status text[], a_next_reason text[],
	a_spf_results text[], a_dmarc_org_domain text[], a_spf_via text[],
	a_dkim_via text[], a_dmarc_via text[], a_owner text,
	a_done bigint[], a_new_hours integer, a_new_s integer,
	a_min_s integer, a_max_s integer, a_retry_s integer,
	a_account bigint, a_notify_min_s integer, a_webhook boolean)
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
			x.verified_at IS NOT NULL AS was_verified, x.name,
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
			a_spf_results, a_dmarc_org_domain, a_spf_via, a_dkim_via,
			a_dmarc_via)
			AS v(id, claim, due, spf_status, spf_reason, spf_found,
			spf_suggested, spf_lookups, dkim_status, dkim_reason,
			dkim_found, dmarc_status, dmarc_reason, dmarc_policy,
			next_status, next_reason, spf_results, dmarc_org_domain,
			spf_via, dkim_via, dmarc_via)
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
			spf_via = CASE WHEN u.spf_via IS NULL THEN d.spf_via
				ELSE nullif(u.spf_via, '') END,
			dkim_via = CASE WHEN u.dkim_via IS NULL THEN d.dkim_via
				ELSE nullif(u.dkim_via, '') END,
			dmarc_via = CASE WHEN u.dmarc_via IS NULL THEN d.dmarc_via
				ELSE nullif(u.dmarc_via, '') END,
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
		RETURNING d.id, d.org_id, d.name, d.unicode_name, u.old_spf,
			u.old_dkim, u.was_verified,
			d.spf_status::text AS spf, d.dkim_status::text AS dkim,
			d.spf_reason, d.dkim_reason
	), e AS (
		-- a change of status, or 今すぐ確認's check (a_account) that
		-- changed nothing
		INSERT INTO events (org_id, account_id, action, object_type,
			object_id, object_name, old_spf, new_spf, spf_reason,
			old_dkim, new_dkim, dkim_reason)
		SELECT org_id, a_account, CASE WHEN old_spf <> spf
			OR old_dkim <> dkim THEN 'status_changed'
			ELSE 'checked' END, 'domain', id, unicode_name,
			old_spf, spf, spf_reason, old_dkim, dkim, dkim_reason
		FROM w WHERE old_spf <> spf OR old_dkim <> dkim
			OR a_account IS NOT NULL
	), n AS (
		-- the alerts: 設定済 -> anything else, and the first 設定済
		SELECT w.*, CASE WHEN old_spf = 'verified'
			AND old_dkim = 'verified' THEN 'regression'
			ELSE 'completion' END AS kind
		FROM w
		WHERE (old_spf = 'verified' AND old_dkim = 'verified')
			<> (spf = 'verified' AND dkim = 'verified')
			AND (old_spf = 'verified' AND old_dkim = 'verified'
				OR NOT was_verified)
	), nt AS (
		-- at most one alert of a kind per domain a_notify_min_s
		SELECT n.* FROM n WHERE NOT EXISTS (SELECT FROM notify_outbox ob
			WHERE ob.domain_id = n.id AND ob.kind = n.kind
			AND ob.created_at > now()
				- make_interval(secs => a_notify_min_s))
	), o AS (
		INSERT INTO notify_outbox (org_id, domain_id, domain_name,
			kind, channel, account_id, rcpt, spf_status, spf_reason,
			dkim_status, dkim_reason)
		SELECT nt.org_id, nt.id, nt.unicode_name, nt.kind, 'mail',
			s.account_id, string_agg(s.address, ', '
				ORDER BY s.address), nt.spf, nt.spf_reason,
			nt.dkim, nt.dkim_reason
		FROM nt JOIN sender_addresses s ON s.org_id = nt.org_id
			AND split_part(s.addr_key, '@', 2) = nt.name
		GROUP BY nt.org_id, nt.id, nt.unicode_name, nt.kind,
			s.account_id, nt.spf, nt.spf_reason, nt.dkim,
			nt.dkim_reason
		UNION ALL
		SELECT org_id, id, unicode_name, kind, 'webhook', NULL, '', spf,
			spf_reason, dkim, dkim_reason
		FROM nt WHERE a_webhook
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
