CREATE TABLE "stats_step_daily" (
	"day" date NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"procedure_code" text NOT NULL,
	"channel" text NOT NULL,
	"officer_code" text NOT NULL,
	"step_code" text NOT NULL,
	"step_name" text NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"open_overdue" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_step_daily_pk" PRIMARY KEY("day","unit_code","resolving_unit_code","procedure_code","channel","officer_code","step_code")
);
--> statement-breakpoint
CREATE TABLE "stats_step_monthly" (
	"month" date NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"procedure_code" text NOT NULL,
	"channel" text NOT NULL,
	"officer_code" text NOT NULL,
	"step_code" text NOT NULL,
	"step_name" text NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"open_overdue" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_step_monthly_pk" PRIMARY KEY("month","unit_code","resolving_unit_code","procedure_code","channel","officer_code","step_code")
);
--> statement-breakpoint
CREATE INDEX "stats_step_daily_unit_day_idx" ON "stats_step_daily" USING btree ("unit_code","day");--> statement-breakpoint
CREATE INDEX "stats_step_daily_resolving_day_idx" ON "stats_step_daily" USING btree ("resolving_unit_code","day");--> statement-breakpoint
CREATE INDEX "stats_step_monthly_resolving_month_idx" ON "stats_step_monthly" USING btree ("resolving_unit_code","month");--> statement-breakpoint
CREATE INDEX "dossier_steps_end_idx" ON "dossier_steps" USING btree ("end_at");--> statement-breakpoint
INSERT INTO "stats_dirty" ("unit_code", "from_day")
SELECT "unit", min("day") FROM (
  SELECT d."unit_code" AS "unit", (s."start_at" AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS "day"
  FROM "dossier_steps" s JOIN "dossiers" d ON d."id" = s."dossier_id"
  UNION ALL
  SELECT d."resolving_unit_code", (s."start_at" AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
  FROM "dossier_steps" s JOIN "dossiers" d ON d."id" = s."dossier_id"
) runs GROUP BY "unit"
ON CONFLICT ("unit_code") DO UPDATE SET "from_day" = least("stats_dirty"."from_day", excluded."from_day"), "marked_at" = now();
