-- 008: an account's rows stay in its organization.
--
-- A row naming both an organization and an account (a sender address and
-- who registered it, a domain and who added it, an event and who did it)
-- names the account's own organization: each such account reference
-- becomes a foreign key to accounts (id, org_id). The web binaries refuse
-- a session whose account is not in the session's organization before any
-- action runs (lib/web/http.c); this is the same rule where the data is.
-- Each composite key replaces the key on the account alone, so an insert
-- checks as many keys as before; the verifier's events have no account
-- (NULL), which a MATCH SIMPLE key does not look up.
ALTER TABLE accounts ADD CONSTRAINT accounts_id_org UNIQUE (id, org_id);

ALTER TABLE sender_addresses DROP CONSTRAINT sender_addresses_account_id_fkey,
	ADD CONSTRAINT sender_addresses_account_org_fkey
	FOREIGN KEY (account_id, org_id) REFERENCES accounts (id, org_id);

ALTER TABLE domains DROP CONSTRAINT domains_created_by_fkey,
	ADD CONSTRAINT domains_created_by_org_fkey
	FOREIGN KEY (created_by, org_id) REFERENCES accounts (id, org_id);

ALTER TABLE events DROP CONSTRAINT events_account_id_fkey,
	ADD CONSTRAINT events_account_org_fkey
	FOREIGN KEY (account_id, org_id) REFERENCES accounts (id, org_id);
