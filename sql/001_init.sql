-- 001: organizations, accounts, sender addresses and the event log.
-- Applied once, in a transaction, by tests/lib/stack.sh (sa_migrate), which
-- records it in schema_version.

CREATE TABLE organizations (
	id bigserial PRIMARY KEY,
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE accounts (
	id bigserial PRIMARY KEY,
	org_id bigint NOT NULL REFERENCES organizations (id),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accounts_org ON accounts (org_id);

-- An address is unique within its organization, the domain part compared
-- case-insensitively (addr_key = local part || '@' || lower(domain)).
CREATE TABLE sender_addresses (
	id bigserial PRIMARY KEY,
	org_id bigint NOT NULL REFERENCES organizations (id),
	account_id bigint NOT NULL REFERENCES accounts (id),
	address text NOT NULL CHECK (length(address) BETWEEN 3 AND 254),
	addr_key text NOT NULL,
	smtp_host text NOT NULL DEFAULT '',
	smtp_port integer NOT NULL DEFAULT 587
		CHECK (smtp_port BETWEEN 1 AND 65535),
	smtp_user text NOT NULL DEFAULT '',
	-- AES-256-GCM sealed (lib/crypto.c); NULL when no password was given
	smtp_password_sealed bytea,
	note text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (org_id, addr_key)
);

CREATE TABLE events (
	id bigserial PRIMARY KEY,
	org_id bigint NOT NULL REFERENCES organizations (id),
	account_id bigint REFERENCES accounts (id), -- NULL: the verifier
	action text NOT NULL,
	object_type text NOT NULL,
	object_id bigint,
	object_name text NOT NULL DEFAULT '',
	detail text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_org ON events (org_id, id DESC);

-- Times leave the database as ISO 8601 in Japan time, the product's users'.
CREATE FUNCTION sa_ts(t timestamptz) RETURNS text LANGUAGE sql STABLE AS $$
	SELECT to_char(t AT TIME ZONE 'Asia/Tokyo',
		'YYYY-MM-DD"T"HH24:MI:SS"+09:00"')
$$;
