-- 006: which way the answers of the last verdict came.
--
-- The verifier asks a domain's authoritative servers for 今すぐ確認 and
-- for domains not verified yet (lib/verify/dns.c), the resolver
-- otherwise. Per part of the verdict: 'authoritative' when every answer it
-- rests on came from an authoritative server, 'recursive' when any came
-- from the resolver, NULL when the verdict needed no lookup or was saved
-- before 006. `verifier run` writes them in the transaction of
-- sa_save_verdicts(), by a statement of its own (lib/core/db.c,
-- DB_SWEEP_VIA) that touches only the rows that call saved (checked_at =
-- now()); a check that could not ask DNS keeps the previous value with the
-- verdict it keeps.
ALTER TABLE domains
	ADD COLUMN spf_via text
		CHECK (spf_via IN ('authoritative', 'recursive')),
	ADD COLUMN dkim_via text
		CHECK (dkim_via IN ('authoritative', 'recursive')),
	ADD COLUMN dmarc_via text
		CHECK (dmarc_via IN ('authoritative', 'recursive'));
