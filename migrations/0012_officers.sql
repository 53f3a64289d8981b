CREATE TABLE "officers" (
	"code" text PRIMARY KEY NOT NULL,
	"full_name" text NOT NULL,
	"full_name_search" text NOT NULL,
	"title" text NOT NULL,
	"unit_code" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "require_officer" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "officer_code" text;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "holder_officer_code" text;--> statement-breakpoint
ALTER TABLE "dossier_events" ADD COLUMN "officer_code" text;--> statement-breakpoint
ALTER TABLE "officers" ADD CONSTRAINT "officers_unit_code_units_code_fk" FOREIGN KEY ("unit_code") REFERENCES "public"."units"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "officers_unit_code_idx" ON "officers" USING btree ("unit_code","code");--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_officer_code_officers_code_fk" FOREIGN KEY ("officer_code") REFERENCES "public"."officers"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossiers" ADD CONSTRAINT "dossiers_holder_officer_code_officers_code_fk" FOREIGN KEY ("holder_officer_code") REFERENCES "public"."officers"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_events" ADD CONSTRAINT "dossier_events_officer_code_officers_code_fk" FOREIGN KEY ("officer_code") REFERENCES "public"."officers"("code") ON DELETE no action ON UPDATE no action;