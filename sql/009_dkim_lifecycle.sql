-- placeholder for the key lifecycle; folded into the baseline later
CREATE TYPE dkim_key_state AS ENUM ('pending', 'active', 'retiring',
	'retired');
ALTER TABLE dkim_keys ADD COLUMN state dkim_key_state NOT NULL DEFAULT 'pending';
