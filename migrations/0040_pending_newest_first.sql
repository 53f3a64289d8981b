-- The province's overdue list with nothing else to filter, newest first: the pending dossiers (received or
-- processing, not finished) by id, their due beside it, walked down from the newest with the due checked in the
-- index. It passes the newer pending dossiers not yet overdue (4,247 for the first page at 5 million dossiers)
-- instead of fetching and sorting every overdue one (31,681 through dossiers_pending_due_idx: 7 ms against 0.2).
-- Partial: about 2 % of the dossiers, 3 MB at 5 million; built in about 2 s, intakes and actions wait meanwhile.
CREATE INDEX "dossiers_pending_id_idx" ON "dossiers" USING btree ("id" DESC NULLS FIRST,"due_at") WHERE "dossiers"."finished_at" is null and "dossiers"."status" in ('received', 'processing');