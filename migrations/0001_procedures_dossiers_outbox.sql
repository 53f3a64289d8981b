CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE TABLE "procedures" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"field_code" text NOT NULL,
	"field_name" text NOT NULL,
	"duration_value" numeric NOT NULL,
	"duration_unit" text NOT NULL,
	"online_duration_value" numeric,
	"online_duration_unit" text,
	"receipt_cutoff" text,
	"supplement_policy" text DEFAULT 'restart' NOT NULL,
	"online_level" text DEFAULT 'none' NOT NULL,
	"fee" bigint,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "procedures_online_duration_check" CHECK (("procedures"."online_duration_value" is null) = ("procedures"."online_duration_unit" is null))
);
--> statement-breakpoint
CREATE TABLE "dossier_code_counters" (
	"unit_code" text NOT NULL,
	"day" date NOT NULL,
	"last" integer NOT NULL,
	CONSTRAINT "dossier_code_counters_unit_code_day_pk" PRIMARY KEY("unit_code","day")
);
--> statement-breakpoint
CREATE TABLE "dossier_deadlines" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "dossier_deadlines_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"dossier_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"start_at" timestamp with time zone,
	"due_at" timestamp with time zone NOT NULL,
	"effective_at" timestamp with time zone NOT NULL,
	"reason" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dossier_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "dossier_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"dossier_id" bigint NOT NULL,
	"type" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_key_id" uuid,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dossier_pauses" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "dossier_pauses_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"dossier_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"policy" text NOT NULL,
	"paused_at" timestamp with time zone NOT NULL,
	"resumed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "dossiers" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "dossiers_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"code" text NOT NULL,
	"unit_code" text NOT NULL,
	"handling_unit_code" text NOT NULL,
	"procedure_code" text NOT NULL,
	"channel" text NOT NULL,
	"status" text NOT NULL,
	"applicant_type" text NOT NULL,
	"applicant_name" text NOT NULL,
	"applicant_name_search" text NOT NULL,
	"applicant_id_number" text,
	"applicant_phone" text,
	"applicant_email" text,
	"applicant_address" text,
	"summary" text,
	"components" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"duration_value" numeric NOT NULL,
	"duration_unit" text NOT NULL,
	"receipt_cutoff" text,
	"supplement_policy" text NOT NULL,
	"submitted_at" timestamp with time zone,
	"received_at" timestamp with time zone,
	"start_at" timestamp with time zone,
	"due_at" timestamp with time zone,
	"rescheduled_due_at" timestamp with time zone,
	"paused_at" timestamp with time zone,
	"pause_kind" text,
	"resolved_at" timestamp with time zone,
	"result" text,
	"returned_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"outcome" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dossiers_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"api_key_id" uuid NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"response_status" integer NOT NULL,
	"response_body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_api_key_id_key_pk" PRIMARY KEY("api_key_id","key")
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "outbox_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"type" text NOT NULL,
	"dossier_id" bigint,
	"unit_code" text,
	"payload" jsonb NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "dossier_deadlines" ADD CONSTRAINT "dossier_deadlines_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_events" ADD CONSTRAINT "dossier_events_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_pauses" ADD CONSTRAINT "dossier_pauses_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossiers" ADD CONSTRAINT "dossiers_unit_code_units_code_fk" FOREIGN KEY ("unit_code") REFERENCES "public"."units"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossiers" ADD CONSTRAINT "dossiers_handling_unit_code_units_code_fk" FOREIGN KEY ("handling_unit_code") REFERENCES "public"."units"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossiers" ADD CONSTRAINT "dossiers_procedure_code_procedures_code_fk" FOREIGN KEY ("procedure_code") REFERENCES "public"."procedures"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "procedures_field_code_idx" ON "procedures" USING btree ("field_code");--> statement-breakpoint
CREATE INDEX "dossier_deadlines_dossier_idx" ON "dossier_deadlines" USING btree ("dossier_id","effective_at");--> statement-breakpoint
CREATE INDEX "dossier_events_dossier_idx" ON "dossier_events" USING btree ("dossier_id","id");--> statement-breakpoint
CREATE INDEX "dossier_pauses_dossier_idx" ON "dossier_pauses" USING btree ("dossier_id","paused_at");--> statement-breakpoint
CREATE INDEX "dossiers_unit_received_idx" ON "dossiers" USING btree ("unit_code","received_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "dossiers_unit_id_idx" ON "dossiers" USING btree ("unit_code","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "dossiers_handling_unit_idx" ON "dossiers" USING btree ("handling_unit_code");--> statement-breakpoint
CREATE INDEX "dossiers_procedure_idx" ON "dossiers" USING btree ("procedure_code");--> statement-breakpoint
CREATE INDEX "dossiers_status_due_idx" ON "dossiers" USING btree ("status","due_at");--> statement-breakpoint
CREATE INDEX "dossiers_open_due_idx" ON "dossiers" USING btree ("due_at") WHERE "dossiers"."finished_at" is null;--> statement-breakpoint
CREATE INDEX "dossiers_applicant_id_idx" ON "dossiers" USING btree ("applicant_id_number");--> statement-breakpoint
CREATE INDEX "dossiers_applicant_name_trgm_idx" ON "dossiers" USING gin ("applicant_name_search" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "outbox_txid_idx" ON "outbox" USING btree ("txid","id");