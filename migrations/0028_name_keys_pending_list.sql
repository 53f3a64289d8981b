-- The name keys' pending list (new entries a search reads whole until they are merged into the index): 128 kB
-- instead of the server's 4 MB default. Set on the index as it stands; no rebuild.
ALTER INDEX "dossiers_applicant_name_keys_idx" SET (gin_pending_list_limit = 128);
