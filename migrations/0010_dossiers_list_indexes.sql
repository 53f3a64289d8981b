DROP INDEX "dossiers_procedure_idx";--> statement-breakpoint
CREATE INDEX "dossiers_received_day_idx" ON "dossiers" USING btree ((("received_at" at time zone 'Asia/Ho_Chi_Minh')::date),"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "dossiers_handled_elsewhere_received_idx" ON "dossiers" USING btree ("handling_unit_code","received_at","id") WHERE "dossiers"."handling_unit_code" <> "dossiers"."unit_code";--> statement-breakpoint
CREATE INDEX "dossiers_procedure_id_idx" ON "dossiers" USING btree ("procedure_code","id" DESC NULLS FIRST);--> statement-breakpoint
-- Statistics for the new expression at once, so that the planner reads a day's receipts through it.
ANALYZE "dossiers";
