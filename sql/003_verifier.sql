-- 003: what the verifier needs to schedule checks and keep verdicts
-- through DNS failures (cron/verifier.c, lib/sweep.c).

ALTER TABLE domains
	-- when the current key was issued: checks run at every verifier run
	-- for verify_new_hours after it
	ADD COLUMN issued_at timestamptz NOT NULL DEFAULT now(),
	-- the last interval between checks, doubled up to the maximum
	ADD COLUMN interval_s integer NOT NULL DEFAULT 0,
	-- the last check that DNS could not answer; the verdict before it
	-- stays shown
	ADD COLUMN tempfail_at timestamptz;

CREATE INDEX domains_lease ON domains (lease_owner) WHERE lease_owner IS NOT NULL;

-- how many checks wrote a verdict: lets tests prove a domain was checked
-- once by two verifiers started together
ALTER TABLE domains ADD COLUMN checks integer NOT NULL DEFAULT 0;
