CREATE TABLE "procedure_processes" (
	"procedure_code" text NOT NULL,
	"version" integer NOT NULL,
	"steps" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_key_id" text NOT NULL,
	CONSTRAINT "procedure_processes_procedure_code_version_pk" PRIMARY KEY("procedure_code","version")
);
--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "process_version" integer;--> statement-breakpoint
ALTER TABLE "procedure_processes" ADD CONSTRAINT "procedure_processes_procedure_code_procedures_code_fk" FOREIGN KEY ("procedure_code") REFERENCES "public"."procedures"("code") ON DELETE no action ON UPDATE no action;