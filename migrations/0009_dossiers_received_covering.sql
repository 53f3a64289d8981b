DROP INDEX "dossiers_received_idx";--> statement-breakpoint
CREATE INDEX "dossiers_received_idx" ON "dossiers" USING btree ("received_at","id","unit_code","handling_unit_code");