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

-- The verifier's batch statements, sa_claim and sa_save_verdicts, are
-- defined once, in 006_claims.sql, with the claims that replaced these
-- leases. (A cluster that applied an earlier 004 had them here, over
-- domain_leases; 006 drops those.)
