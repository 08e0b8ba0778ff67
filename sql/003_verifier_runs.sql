-- 003: the verifier's completed runs. Each `verifier run` that checked
-- everything due (not a `verifier run --domain ID`, 今すぐ確認's) adds one
-- row as it ends (lib/verify/sweep.c); a run that failed adds none.
-- `senderauth-admin status` shows the last one and exits 1 when none
-- finished within three periods of verifier_period_s. Rows older than 30
-- days go as new ones come (the statement that adds one removes them).
CREATE TABLE verifier_runs (
	id bigserial PRIMARY KEY,
	started timestamptz NOT NULL,	-- the database's time at its start
	finished timestamptz NOT NULL DEFAULT now(),
	checked integer NOT NULL,	-- domains checked, then by outcome
	verified integer NOT NULL,
	unverified integer NOT NULL,
	tempfail integer NOT NULL,
	seconds double precision NOT NULL,	-- as the verifier measured it
	host text NOT NULL
);
CREATE INDEX verifier_runs_finished ON verifier_runs (finished);
