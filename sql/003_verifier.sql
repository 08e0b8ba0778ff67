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

-- Room on each page for the new version of a row the verifier writes at
-- every check, so it stays on its page.
ALTER TABLE domains SET (fillfactor = 70);

-- how many checks wrote a verdict: lets tests prove a domain was checked
-- once by two verifiers started together
ALTER TABLE domains ADD COLUMN checks integer NOT NULL DEFAULT 0;

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

-- The verifier's batch statements, sa_claim and sa_save_verdicts, are
-- defined once, in 006_claims.sql, with the claims they work on. (A
-- cluster that applied an earlier 003 or 004 had them there; 006 replaces
-- them.)
