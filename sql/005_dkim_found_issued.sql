-- 005: a DKIM record found that is exactly the one issued is not stored a
-- second time.
--
-- dkim_found is NULL when DNS held exactly the record issued for the
-- domain's active key (the verifier decides, lib/sweep.c); the page shows
-- that record then (lib/page.c). The 2048-bit key is most of a domain's
-- row, and the verifier writes the row at every check: without the copy a
-- check writes less than half the bytes it did.
ALTER TABLE domains ALTER COLUMN dkim_found DROP NOT NULL;
