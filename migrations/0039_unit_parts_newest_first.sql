-- A unit's newest dossiers with nothing else to filter (a commune's list) read in three ordered parts, each along
-- its own index: received there (dossiers_unit_id_idx), handled there after another unit received them, and
-- resolved there while another handles them. The list walked the primary key down and passed every other unit's
-- newer dossiers (a commune holds 0.4 % of a province's: thousands of rows a page, more after each day's intakes).
-- Partial: a dossier received, handled and resolved by one unit is in neither. Built in about 3 s at 5 million
-- dossiers; intakes and transfers wait meanwhile.
CREATE INDEX "dossiers_handled_elsewhere_id_idx" ON "dossiers" USING btree ("handling_unit_code","id" DESC NULLS LAST) WHERE "dossiers"."handling_unit_code" <> "dossiers"."unit_code";--> statement-breakpoint
CREATE INDEX "dossiers_resolved_elsewhere_id_idx" ON "dossiers" USING btree ("resolving_unit_code","id" DESC NULLS LAST) WHERE "dossiers"."resolved_elsewhere" and "dossiers"."handling_unit_code" <> "dossiers"."resolving_unit_code";