DROP INDEX "dossiers_handling_unit_idx";--> statement-breakpoint
CREATE INDEX "dossiers_unit_status_due_idx" ON "dossiers" USING btree ("unit_code","status","due_at");--> statement-breakpoint
CREATE INDEX "dossiers_handling_status_due_idx" ON "dossiers" USING btree ("handling_unit_code","status","due_at");