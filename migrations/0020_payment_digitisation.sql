CREATE TABLE "stats_service_daily" (
	"day" date NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"digitised" integer DEFAULT 0 NOT NULL,
	"paid" integer DEFAULT 0 NOT NULL,
	"paid_online" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_service_daily_pk" PRIMARY KEY("day","unit_code","resolving_unit_code")
);
--> statement-breakpoint
CREATE TABLE "stats_service_monthly" (
	"month" date NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"digitised" integer DEFAULT 0 NOT NULL,
	"paid" integer DEFAULT 0 NOT NULL,
	"paid_online" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_service_monthly_pk" PRIMARY KEY("month","unit_code","resolving_unit_code")
);
--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "has_digitised_components" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "electronic_result" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "payment_method" text;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "payment_amount" bigint;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "paid_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "dossiers_paid_idx" ON "dossiers" USING btree ("paid_at") WHERE "dossiers"."paid_at" is not null;