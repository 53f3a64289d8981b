CREATE TABLE "dossier_ratings" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "dossier_ratings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"dossier_id" bigint NOT NULL,
	"level" text NOT NULL,
	"comment" text,
	"source" text NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"procedure_code" text NOT NULL,
	"channel" text NOT NULL,
	"rated_at" timestamp with time zone NOT NULL,
	"actor_key_id" uuid,
	"officer_code" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "dossier_ratings" ADD CONSTRAINT "dossier_ratings_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_ratings" ADD CONSTRAINT "dossier_ratings_unit_code_units_code_fk" FOREIGN KEY ("unit_code") REFERENCES "public"."units"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_ratings" ADD CONSTRAINT "dossier_ratings_resolving_unit_code_units_code_fk" FOREIGN KEY ("resolving_unit_code") REFERENCES "public"."units"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_ratings" ADD CONSTRAINT "dossier_ratings_procedure_code_procedures_code_fk" FOREIGN KEY ("procedure_code") REFERENCES "public"."procedures"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_ratings" ADD CONSTRAINT "dossier_ratings_officer_code_officers_code_fk" FOREIGN KEY ("officer_code") REFERENCES "public"."officers"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "dossier_ratings_dossier_idx" ON "dossier_ratings" USING btree ("dossier_id");--> statement-breakpoint
CREATE INDEX "dossier_ratings_rated_idx" ON "dossier_ratings" USING btree ("rated_at");--> statement-breakpoint
CREATE INDEX "dossier_ratings_resolving_rated_idx" ON "dossier_ratings" USING btree ("resolving_unit_code","rated_at");--> statement-breakpoint
CREATE INDEX "dossier_ratings_unit_rated_idx" ON "dossier_ratings" USING btree ("unit_code","rated_at");