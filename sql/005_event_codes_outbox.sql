-- 005: the log's status changes as codes, and the alerts' outbox.
--
-- A status change (status_changed) or 今すぐ確認's check of a domain
-- whose status stayed (checked) stores, per SPF and DKIM, the status
-- before, the status after and the reason code after; the page turns them
-- into sentences through the catalogue (cgi-bin/log.c). Events written
-- before 005 have NULL there and keep their free text in detail, which the
-- page shows as it is.
ALTER TABLE events
	ADD COLUMN old_spf text,
	ADD COLUMN new_spf text,
	ADD COLUMN spf_reason text,
	ADD COLUMN old_dkim text,
	ADD COLUMN new_dkim text,
	ADD COLUMN dkim_reason text;

-- The alerts a verdict raises, written in the verdict's transaction
-- (sa_save_verdicts), so a verifier killed after the verdict neither
-- loses nor doubles one. kind: regression (設定済 -> 未設定) or completion
-- (a domain fully 設定済 for the first time). channel: mail, one row per
-- account with sender addresses in the domain (rcpt: those addresses,
-- comma-separated), or webhook (notify_url), one row per alert. The
-- sender (lib/verify/notify.c) claims rows with a lease (claim_owner,
-- claimed_until), sends, and sets sent_at; a failed send releases the row
-- for the next run.
CREATE TABLE notify_outbox (
	id bigserial PRIMARY KEY,
	org_id bigint NOT NULL REFERENCES organizations (id),
	domain_id bigint NOT NULL REFERENCES domains (id),
	domain_name text NOT NULL,	-- U-label form, for the text
	kind text NOT NULL CHECK (kind IN ('regression', 'completion')),
	channel text NOT NULL CHECK (channel IN ('mail', 'webhook')),
	account_id bigint,
	rcpt text NOT NULL DEFAULT '',
	spf_status text NOT NULL,
	spf_reason text NOT NULL,
	dkim_status text NOT NULL,
	dkim_reason text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	claim_owner text,
	claimed_until timestamptz,
	attempts integer NOT NULL DEFAULT 0,
	sent_at timestamptz,
	CONSTRAINT notify_outbox_account_org_fkey
		FOREIGN KEY (account_id, org_id) REFERENCES accounts (id, org_id)
);
-- the sender's queue
CREATE INDEX notify_outbox_unsent ON notify_outbox (id) WHERE sent_at IS NULL;
-- the interval between two alerts of a kind for a domain
CREATE INDEX notify_outbox_domain ON notify_outbox (domain_id, kind,
	created_at);

-- sa_save_verdicts as in 004, every parameter kept, with three more at the
-- end: a_account, the account that pressed 今すぐ確認 (NULL: the
-- verifier's own run), written as the actor of the events; a_notify_min_s,
-- the least interval between two alerts of a kind for a domain; a_webhook,
-- whether an alert gets a webhook row too (notify_url is set). Events
-- carry codes in the columns above instead of a text; an alert is one
-- notify_outbox row per recipient account and channel.
DROP FUNCTION sa_save_verdicts(bigint[], bigint[], timestamptz[], text[],
	text[], text[], text[], integer[], text[], text[], text[], text[],
	text[], text[], text[], text[], text[], text[], text, bigint[],
	integer, integer, integer, integer, integer);
CREATE FUNCTION sa_save_verdicts(a_ids bigint[], a_claims bigint[],
	a_dues timestamptz[], a_spf_status text[],
	a_spf_reason text[], a_spf_found text[], a_spf_suggested text[],
	a_spf_lookups integer[], a_dkim_status text[], a_dkim_reason text[],
	a_dkim_found text[], a_dmarc_status text[], a_dmarc_reason text[],
	a_dmarc_policy text[], a_next_status text[], a_next_reason text[],
	a_spf_results text[], a_dmarc_org_domain text[], a_owner text,
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
