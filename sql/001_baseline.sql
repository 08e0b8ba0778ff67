-- 001: the baseline schema: organizations and their accounts, sender
-- addresses, the event log, sending domains with their DKIM keys and
-- verdicts, and the verifier's claims and batch functions.
--
-- Applied by `senderauth-admin migrate` (admin/migrate.c), which records
-- it with its SHA-256 in schema_migrations. It folds the six migrations of
-- the first version and the two of its restructuring (no installation
-- existed yet). From here on a merged migration is never edited: a change
-- is a new file.
CREATE TABLE organizations (
	id bigserial PRIMARY KEY,
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	created_at timestamptz NOT NULL DEFAULT now()
);

-- A row naming both an organization and an account (a sender address and
-- who registered it, a domain and who added it, an event and who did it)
-- names the account's own organization: those references are foreign
-- keys to accounts (id, org_id). The web binaries refuse a session whose
-- account is not in the session's organization before any action runs
-- (lib/web/http.c); this is the same rule where the data is.
CREATE TABLE accounts (
	id bigserial PRIMARY KEY,
	org_id bigint NOT NULL REFERENCES organizations (id),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	created_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT accounts_id_org UNIQUE (id, org_id)
);
CREATE INDEX accounts_org ON accounts (org_id);

-- An address is unique within its organization, the domain part compared
-- case-insensitively (addr_key = local part || '@' || lower(domain)).
CREATE TABLE sender_addresses (
	id bigserial PRIMARY KEY,
	org_id bigint NOT NULL REFERENCES organizations (id),
	account_id bigint NOT NULL,
	address text NOT NULL CHECK (length(address) BETWEEN 3 AND 254),
	addr_key text NOT NULL,
	smtp_host text NOT NULL DEFAULT '',
	smtp_port integer NOT NULL DEFAULT 587
		CHECK (smtp_port BETWEEN 1 AND 65535),
	smtp_user text NOT NULL DEFAULT '',
	-- AES-256-GCM sealed (lib/core/crypto.c); NULL when no password was
	-- given
	smtp_password_sealed bytea,
	note text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (org_id, addr_key),
	CONSTRAINT sender_addresses_account_org_fkey
		FOREIGN KEY (account_id, org_id) REFERENCES accounts (id, org_id)
);

-- The log is append-only and its organization comes from a row that
-- references organizations already: org_id has no key of its own (checking
-- it for every status change cost the verifier's batch about 10 µs per
-- event). The verifier's events have no account (NULL), which the MATCH
-- SIMPLE key on (account_id, org_id) does not look up.
CREATE TABLE events (
	id bigserial PRIMARY KEY,
	org_id bigint NOT NULL,
	account_id bigint, -- NULL: the verifier
	action text NOT NULL,
	object_type text NOT NULL,
	object_id bigint,
	object_name text NOT NULL DEFAULT '',
	detail text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT events_account_org_fkey
		FOREIGN KEY (account_id, org_id) REFERENCES accounts (id, org_id)
);
CREATE INDEX events_org ON events (org_id, id DESC);

-- Times leave the database as ISO 8601 in Japan time, the product's users'.
CREATE FUNCTION sa_ts(t timestamptz) RETURNS text LANGUAGE sql STABLE AS $$
	SELECT to_char(t AT TIME ZONE 'Asia/Tokyo',
		'YYYY-MM-DD"T"HH24:MI:SS"+09:00"')
$$;

-- Sending domains, their DKIM keys and verification state.

CREATE TYPE verify_status AS ENUM ('pending', 'verified', 'unverified',
	'tempfail');

-- A row is written by the verifier at every check: room on each page for
-- its new version keeps it on its page (fillfactor).
CREATE TABLE domains (
	id bigserial PRIMARY KEY,
	org_id bigint NOT NULL REFERENCES organizations (id),
	name text NOT NULL,		-- A-label form, lower case, no dot
	unicode_name text NOT NULL,	-- U-label form for display
	created_by bigint NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz,
	spf_record text NOT NULL,	-- the record issued
	spf_status verify_status NOT NULL DEFAULT 'pending',
	spf_reason text NOT NULL DEFAULT '',
	spf_found text NOT NULL DEFAULT '',	-- records seen, one per line
	spf_suggested text NOT NULL DEFAULT '',
	spf_lookups integer NOT NULL DEFAULT 0,
	dkim_status verify_status NOT NULL DEFAULT 'pending',
	dkim_reason text NOT NULL DEFAULT '',
	-- NULL when DNS held exactly the record issued for the key the
	-- status follows (the verifier decides, lib/verify/sweep.c; the page
	-- shows that record then): the 2048-bit key is most of a row the
	-- verifier writes at every check
	dkim_found text,
	dmarc_status text NOT NULL DEFAULT '',
	dmarc_reason text NOT NULL DEFAULT '',
	dmarc_policy text NOT NULL DEFAULT '',
	checked_at timestamptz,
	verified_at timestamptz,
	-- scheduling of the verifier (lib/verify/sweep.c): the next check;
	-- when the current key was issued (checks run at every verifier run
	-- for verify_new_hours after it); the last interval between checks,
	-- doubled up to the maximum
	due_at timestamptz NOT NULL DEFAULT now(),
	issued_at timestamptz NOT NULL DEFAULT now(),
	interval_s integer NOT NULL DEFAULT 0,
	-- the last check that DNS could not answer; the verdict before it
	-- stays shown
	tempfail_at timestamptz,
	-- how many checks wrote a verdict: lets tests prove a domain was
	-- checked once by two verifiers started together
	checks integer NOT NULL DEFAULT 0,
	CONSTRAINT domains_created_by_org_fkey
		FOREIGN KEY (created_by, org_id) REFERENCES accounts (id, org_id)
) WITH (fillfactor = 70);
CREATE UNIQUE INDEX domains_org_name ON domains (org_id, name)
	WHERE deleted_at IS NULL;
-- the verifier's claims walk it in order, from where the last one ended
CREATE INDEX domains_due ON domains (due_at, id) WHERE deleted_at IS NULL;

-- One current key per domain (retired_at IS NULL); retired ones stay for
-- history. A selector is unique per domain name across organizations, so
-- two organizations adding the same name never publish at the same host.
CREATE TABLE dkim_keys (
	id bigserial PRIMARY KEY,
	domain_id bigint NOT NULL REFERENCES domains (id),
	domain_name text NOT NULL,
	selector text NOT NULL,
	bits integer NOT NULL,
	public_key text NOT NULL,	-- base64 SubjectPublicKeyInfo
	private_sealed bytea NOT NULL,	-- AES-256-GCM sealed PKCS#8 DER
	created_at timestamptz NOT NULL DEFAULT now(),
	retired_at timestamptz,
	UNIQUE (domain_name, selector)
);
CREATE UNIQUE INDEX dkim_keys_active ON dkim_keys (domain_id)
	WHERE retired_at IS NULL;

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

-- A claim of the verifier (a batch of due domains, FOR UPDATE SKIP LOCKED)
-- is one row of domain_claims: its run, its expiry, and the span it took
-- in the order claims walk (due_at, id). While it lives, other runs skip
-- every domain in that span; the run's verdicts count only for domains
-- still at the due time it claimed (a reissue or another run moves it);
-- the write that brings a claim's last verdict deletes it. The table is
-- UNLOGGED: after a crash of the database it starts empty, which is what a
-- claim means there (no run survives the crash, so every domain is free
-- to take).
CREATE UNLOGGED TABLE domain_claims (
	id bigserial PRIMARY KEY,
	owner text NOT NULL,	-- the run: "<host>:<pid>:<start>"
	until timestamptz NOT NULL,
	lo_due timestamptz NOT NULL,	-- the first domain taken
	lo_id bigint NOT NULL,
	hi_due timestamptz NOT NULL,	-- the last
	hi_id bigint NOT NULL
);

-- The live claims of every run but a_owner. A single SELECT, STABLE, with
-- no SET clause, returning a set: the planner inlines it where it is used
-- in FROM, so the three uses in sa_claim plan as written-out subqueries
-- would (a nested-loop anti join against domain_claims, read once and
-- materialized).
--
-- The span test, (due, id) BETWEEN (lo_due, lo_id) AND (hi_due, hi_id),
-- cannot move in here. Given the domain's (due, id) as arguments, the
-- function is still inlined, but only after the planner has tried to turn
-- NOT EXISTS into an anti join, which it does not do for a subquery whose
-- FROM refers to the outer row: the test then runs as a subplan that scans
-- domain_claims once per domain. Walking 100,000 due domains in claims of
-- 500 took a median 5.6 s that way against 3.9 s with the test written
-- at each use (five alternating runs each, same cluster).
CREATE FUNCTION sa_other_claims(a_owner text)
RETURNS SETOF domain_claims LANGUAGE sql STABLE
AS $$
	SELECT * FROM domain_claims o
	WHERE o.owner <> a_owner AND o.until >= now()
$$;

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
-- claims go at the same time: their runs' verdicts no longer count.
--
-- Its planner settings:
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
-- enable_hashjoin and enable_mergejoin stay on: nothing here joins on
-- equality (the claim test is a range test, the DKIM key a per-row
-- subquery on dkim_keys_active), so they would steer no plan.
CREATE FUNCTION sa_claim(a_limit integer, a_lease_s integer,
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

-- One batch of the verifier's verdicts; returns how many were written. A
-- verdict counts when its claim (a_claims) is still a_owner's and its
-- domain is still at the due time claimed (a_dues). A part DNS could not
-- answer (tempfail) keeps its previous verdict unless it had none. Every
-- status change is an event of the organization's log. a_done are the
-- claims whose last verdict this batch brings: they go with it.
--
-- Its planner settings: the planner cannot know how many verdicts a batch
-- holds (it guesses 10 elements for an array parameter) nor that a_claims
-- picks out exactly the batch's domains: the batch must drive, one
-- primary-key probe of domains per verdict for the join on (id, due_at)
-- and one for the UPDATE.
CREATE FUNCTION sa_save_verdicts(a_ids bigint[], a_claims bigint[],
	a_dues timestamptz[], a_spf_status text[],
	a_spf_reason text[], a_spf_found text[], a_spf_suggested text[],
	a_spf_lookups integer[], a_dkim_status text[], a_dkim_reason text[],
	a_dkim_found text[], a_dmarc_status text[], a_dmarc_reason text[],
	a_dmarc_policy text[], a_owner text, a_done bigint[], a_new_hours integer,
	a_new_s integer, a_min_s integer, a_max_s integer, a_retry_s integer)
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
