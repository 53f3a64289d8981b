DROP INDEX "dossiers_procedure_idx";--> statement-breakpoint
CREATE INDEX "dossiers_procedure_id_idx" ON "dossiers" USING btree ("procedure_code","id" DESC NULLS LAST);