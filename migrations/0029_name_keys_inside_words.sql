-- The name keys inside a word run on into the next words: from each letter inside a word, the next 10
-- characters of the name ('15~anh giang' in 'thanh giang', where the key was '15~anh'). A search whose text
-- starts inside a word and runs on into the next one ('anh giang', 'an thi m') then reads the names whose keys
-- begin with it, instead of every name with a word ending in its first part ('anh': a name in six)
-- intersected with every name with a word starting with the rest. Ten characters, not the 16 of the keys of a
-- word: keys shared between names, so that an intake adds few new entries to the index. The index is rebuilt
-- with the new keys: on 5 million dossiers 70 to 100 seconds, while intakes wait (docs/operations.md).
CREATE OR REPLACE FUNCTION dossier_name_keys(id bigint, search text) RETURNS tsvector
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
      FOR i IN 1..length(word) - 1 LOOP
        keys := keys || (block || '~' || substr(search, start + i, 10));
      END LOOP;
    END IF;
    start := start + length(word) + 1;
  END LOOP;
  RETURN array_to_tsvector(keys);
END
$$;--> statement-breakpoint
REINDEX INDEX "dossiers_applicant_name_keys_idx";
