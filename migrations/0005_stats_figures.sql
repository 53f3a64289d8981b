CREATE TABLE "stats_daily" (
	"day" date NOT NULL,
	"unit_code" text NOT NULL,
	"procedure_code" text NOT NULL,
	"channel" text NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"withdrawn" integer DEFAULT 0 NOT NULL,
	"stopped" integer DEFAULT 0 NOT NULL,
	"pending_overdue" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_daily_day_unit_code_procedure_code_channel_pk" PRIMARY KEY("day","unit_code","procedure_code","channel")
);
--> statement-breakpoint
CREATE TABLE "stats_dirty" (
	"unit_code" text PRIMARY KEY NOT NULL,
	"from_day" date NOT NULL,
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stats_unit_daily" (
	"day" date NOT NULL,
	"unit_code" text NOT NULL,
	"channel" text NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"withdrawn" integer DEFAULT 0 NOT NULL,
	"stopped" integer DEFAULT 0 NOT NULL,
	"pending_overdue" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_unit_daily_day_unit_code_channel_pk" PRIMARY KEY("day","unit_code","channel")
);
--> statement-breakpoint
CREATE TABLE "stats_unit_monthly" (
	"month" date NOT NULL,
	"unit_code" text NOT NULL,
	"channel" text NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"withdrawn" integer DEFAULT 0 NOT NULL,
	"stopped" integer DEFAULT 0 NOT NULL,
	"pending_overdue" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_unit_monthly_month_unit_code_channel_pk" PRIMARY KEY("month","unit_code","channel")
);
--> statement-breakpoint
CREATE INDEX "stats_daily_unit_day_idx" ON "stats_daily" USING btree ("unit_code","day");--> statement-breakpoint
CREATE INDEX "dossiers_finished_idx" ON "dossiers" USING btree ("finished_at");