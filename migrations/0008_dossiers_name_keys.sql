-- Keys for the accent-insensitive name search (listByName in src/dossiers/queries.ts). They replace the
-- trigram index: the trigrams of Vietnamese names are few and common, so any search through it read posting
-- lists of 100,000+ entries (20-60 ms on 1 M dossiers). Ids are grouped by blocks of 65,536 (id >> 16), so
-- that a search can read the newest blocks first. In each block, a name (its search key) has a key for each
-- word: the block, ':' and the name from that word on, 16 characters at most ('15:van cuong'); and one for
-- each letter inside a word: the block, '~' and the rest of that word ('15~uong'). Every occurrence of a text
-- in a name starts at a word or inside one, so the keys lead to all of them.
-- PARALLEL RESTRICTED for the planner's sake: its queries fetch a few hundred rows, cheaper than starting
-- parallel workers.
CREATE FUNCTION dossier_name_keys(id bigint, search text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL RESTRICTED AS $$
DECLARE
  block text := (id >> 16)::text;
  keys text[] := '{}';
  word text;
  start int := 1;
  i int;
BEGIN
  FOREACH word IN ARRAY string_to_array(search, ' ') LOOP
    IF word <> '' THEN
      keys := keys || (block || ':' || substr(search, start, 16));
      FOR i IN 2..length(word) LOOP
        keys := keys || (block || '~' || substr(word, i, 16));
      END LOOP;
    END IF;
    start := start + length(word) + 1;
  END LOOP;
  RETURN array_to_tsvector(keys);
END
$$;--> statement-breakpoint
DROP INDEX "dossiers_applicant_name_trgm_idx";--> statement-breakpoint
CREATE INDEX "dossiers_applicant_name_keys_idx" ON "dossiers" USING gin (dossier_name_keys("id", "applicant_name_search"));