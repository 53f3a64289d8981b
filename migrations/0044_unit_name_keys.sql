-- The name keys by receiving unit: the keys of dossier_name_keys (migrations 0008 and 0029) with the unit's code
-- where those have the block of ids ('000.20.04.H56:van cuong', '000.20.04.H56~anh giang'). A name searched within
-- one commune reads that commune's keys, which lead to its own rows carrying the name; the block keys lead to
-- every unit's, which were fetched to find the commune's few (a rare name: 2,965 rows fetched for 73). The body is
-- dossier_name_keys's, written again rather than shared through a third function: an index's function may call only
-- what the server finds on any search_path (pg_restore, and CREATE INDEX from PostgreSQL 17, run with pg_catalog
-- alone). The new index took 4.5 to 5.5 minutes on 5 million dossiers on the benchmark machine, while every write
-- to the dossiers waits (docs/operations.md).
CREATE FUNCTION dossier_unit_name_keys(unit text, search text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL RESTRICTED AS $$
DECLARE
  keys text[] := '{}';
  word text;
  start int := 1;
  i int;
BEGIN
  FOREACH word IN ARRAY string_to_array(search, ' ') LOOP
    IF word <> '' THEN
      keys := keys || (unit || ':' || substr(search, start, 16));
      FOR i IN 1..length(word) - 1 LOOP
        keys := keys || (unit || '~' || substr(search, start + i, 10));
      END LOOP;
    END IF;
    start := start + length(word) + 1;
  END LOOP;
  RETURN array_to_tsvector(keys);
END
$$;--> statement-breakpoint
CREATE INDEX "dossiers_unit_name_keys_idx" ON "dossiers" USING gin (dossier_unit_name_keys("unit_code", "applicant_name_search")) WITH (gin_pending_list_limit=128);
