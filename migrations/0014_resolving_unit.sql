ALTER TABLE "stats_daily" DROP CONSTRAINT "stats_daily_day_unit_code_procedure_code_channel_pk";--> statement-breakpoint
ALTER TABLE "stats_unit_daily" DROP CONSTRAINT "stats_unit_daily_day_unit_code_channel_pk";--> statement-breakpoint
ALTER TABLE "stats_unit_monthly" DROP CONSTRAINT "stats_unit_monthly_month_unit_code_channel_pk";--> statement-breakpoint
ALTER TABLE "stats_procedure_monthly" DROP CONSTRAINT "stats_procedure_monthly_month_unit_code_procedure_code_channel_pk";--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "resolving_unit_code" text;--> statement-breakpoint
ALTER TABLE "stats_daily" ADD COLUMN "resolving_unit_code" text;--> statement-breakpoint
ALTER TABLE "stats_unit_daily" ADD COLUMN "resolving_unit_code" text;--> statement-breakpoint
ALTER TABLE "stats_unit_monthly" ADD COLUMN "resolving_unit_code" text;--> statement-breakpoint
ALTER TABLE "stats_procedure_monthly" ADD COLUMN "resolving_unit_code" text;--> statement-breakpoint
-- hand-written: the receiving unit fills the new column in the one rewrite of each table that makes it NOT NULL
-- (every dossier received so far is resolved where it was received, and every figure's cell is too); the
-- dossiers' generated column is added in the same rewrite.
ALTER TABLE "dossiers" ALTER COLUMN "resolving_unit_code" SET DATA TYPE text USING "unit_code", ALTER COLUMN "resolving_unit_code" SET NOT NULL, ADD COLUMN "resolved_elsewhere" boolean GENERATED ALWAYS AS ("dossiers"."resolving_unit_code" <> "dossiers"."unit_code") STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "stats_daily" ALTER COLUMN "resolving_unit_code" SET DATA TYPE text USING "unit_code", ALTER COLUMN "resolving_unit_code" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "stats_unit_daily" ALTER COLUMN "resolving_unit_code" SET DATA TYPE text USING "unit_code", ALTER COLUMN "resolving_unit_code" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "stats_unit_monthly" ALTER COLUMN "resolving_unit_code" SET DATA TYPE text USING "unit_code", ALTER COLUMN "resolving_unit_code" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "stats_procedure_monthly" ALTER COLUMN "resolving_unit_code" SET DATA TYPE text USING "unit_code", ALTER COLUMN "resolving_unit_code" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "stats_daily" ADD CONSTRAINT "stats_daily_pk" PRIMARY KEY("day","unit_code","resolving_unit_code","procedure_code","channel");--> statement-breakpoint
ALTER TABLE "stats_unit_daily" ADD CONSTRAINT "stats_unit_daily_pk" PRIMARY KEY("day","unit_code","resolving_unit_code","channel");--> statement-breakpoint
ALTER TABLE "stats_unit_monthly" ADD CONSTRAINT "stats_unit_monthly_pk" PRIMARY KEY("month","unit_code","resolving_unit_code","channel");--> statement-breakpoint
ALTER TABLE "stats_procedure_monthly" ADD CONSTRAINT "stats_procedure_monthly_pk" PRIMARY KEY("month","unit_code","resolving_unit_code","procedure_code","channel");--> statement-breakpoint
ALTER TABLE "dossiers" ADD CONSTRAINT "dossiers_resolving_unit_code_units_code_fk" FOREIGN KEY ("resolving_unit_code") REFERENCES "public"."units"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dossiers_resolved_elsewhere_received_idx" ON "dossiers" USING btree ("resolving_unit_code","received_at","id") WHERE "dossiers"."resolved_elsewhere";--> statement-breakpoint
CREATE INDEX "dossiers_resolved_elsewhere_status_due_idx" ON "dossiers" USING btree ("resolving_unit_code","status","due_at") WHERE "dossiers"."resolved_elsewhere";--> statement-breakpoint
CREATE INDEX "stats_daily_resolving_day_idx" ON "stats_daily" USING btree ("resolving_unit_code","day");