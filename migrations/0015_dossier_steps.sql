CREATE TABLE "dossier_steps" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "dossier_steps_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"dossier_id" bigint NOT NULL,
	"seq" integer NOT NULL,
	"step_code" text NOT NULL,
	"step_name" text NOT NULL,
	"allotment_minutes" integer NOT NULL,
	"unit_code" text NOT NULL,
	"from_unit_code" text,
	"from_officer_code" text,
	"to_officer_code" text,
	"handed_over_at" timestamp with time zone NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"end_at" timestamp with time zone,
	"outcome" text,
	"paused_minutes" integer DEFAULT 0 NOT NULL,
	"pauses" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"note" text
);
--> statement-breakpoint
ALTER TABLE "alerts" DROP CONSTRAINT "alerts_dossier_kind_due_unique";--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "current_step_seq" integer;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "current_step_code" text;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "current_step_name" text;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "current_step_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "step_seq" integer;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "step_code" text;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "officer_code" text;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "unit_code" text;--> statement-breakpoint
ALTER TABLE "dossier_steps" ADD CONSTRAINT "dossier_steps_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_steps" ADD CONSTRAINT "dossier_steps_unit_code_units_code_fk" FOREIGN KEY ("unit_code") REFERENCES "public"."units"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_steps" ADD CONSTRAINT "dossier_steps_from_unit_code_units_code_fk" FOREIGN KEY ("from_unit_code") REFERENCES "public"."units"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_steps" ADD CONSTRAINT "dossier_steps_from_officer_code_officers_code_fk" FOREIGN KEY ("from_officer_code") REFERENCES "public"."officers"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_steps" ADD CONSTRAINT "dossier_steps_to_officer_code_officers_code_fk" FOREIGN KEY ("to_officer_code") REFERENCES "public"."officers"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "dossier_steps_dossier_seq_idx" ON "dossier_steps" USING btree ("dossier_id","seq");--> statement-breakpoint
CREATE INDEX "dossiers_holder_id_idx" ON "dossiers" USING btree ("holder_officer_code","id" DESC NULLS FIRST) WHERE "dossiers"."holder_officer_code" is not null;--> statement-breakpoint
CREATE INDEX "dossiers_step_code_id_idx" ON "dossiers" USING btree ("current_step_code","id" DESC NULLS FIRST) WHERE "dossiers"."current_step_code" is not null;--> statement-breakpoint
CREATE INDEX "dossiers_open_step_due_idx" ON "dossiers" USING btree ("current_step_due_at") WHERE "dossiers"."finished_at" is null and "dossiers"."current_step_due_at" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_dossier_kind_due_idx" ON "alerts" USING btree ("dossier_id","kind","due_at") WHERE "alerts"."step_seq" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_dossier_kind_step_idx" ON "alerts" USING btree ("dossier_id","kind","step_seq") WHERE "alerts"."step_seq" is not null;