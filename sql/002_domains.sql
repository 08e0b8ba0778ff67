-- 002: sending domains, their DKIM keys and verification state.

CREATE TYPE verify_status AS ENUM ('pending', 'verified', 'unverified',
	'tempfail');

CREATE TABLE domains (
	id bigserial PRIMARY KEY,
	org_id bigint NOT NULL REFERENCES organizations (id),
	name text NOT NULL,		-- A-label form, lower case, no dot
	unicode_name text NOT NULL,	-- U-label form for display
	created_by bigint NOT NULL REFERENCES accounts (id),
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
	dkim_found text NOT NULL DEFAULT '',
	dmarc_status text NOT NULL DEFAULT '',
	dmarc_reason text NOT NULL DEFAULT '',
	dmarc_policy text NOT NULL DEFAULT '',
	checked_at timestamptz,
	verified_at timestamptz,
	-- scheduling of the verifier (cron/verifier.c)
	due_at timestamptz NOT NULL DEFAULT now(),
	lease_until timestamptz,
	lease_owner text
);
CREATE UNIQUE INDEX domains_org_name ON domains (org_id, name)
	WHERE deleted_at IS NULL;
-- the verifier's claims walk it in order, from where the last one ended
CREATE INDEX domains_due ON domains (due_at, id) WHERE deleted_at IS NULL;

-- One active key per domain (retired_at IS NULL); retired ones stay for
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
