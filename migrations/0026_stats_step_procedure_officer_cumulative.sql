CREATE TABLE "stats_step_officer_cumulative" (
	"month" date NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"officer_code" text NOT NULL,
	"step_code" text NOT NULL,
	"step_name" text NOT NULL,
	"early" integer NOT NULL,
	"on_time" integer NOT NULL,
	"overdue" integer NOT NULL,
	CONSTRAINT "stats_step_officer_cumulative_pk" PRIMARY KEY("month","unit_code","resolving_unit_code","officer_code","step_code")
);
--> statement-breakpoint
CREATE TABLE "stats_step_procedure_daily" (
	"day" date NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"procedure_code" text NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"open_overdue" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_step_procedure_daily_pk" PRIMARY KEY("day","unit_code","resolving_unit_code","procedure_code")
);
--> statement-breakpoint
CREATE TABLE "stats_step_procedure_monthly" (
	"month" date NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"procedure_code" text NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"open_overdue" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_step_procedure_monthly_pk" PRIMARY KEY("month","unit_code","resolving_unit_code","procedure_code")
);
--> statement-breakpoint
-- The figures already kept: the step runs by procedure from the full grain, by day and by month; the step runs
-- by officer and step ended before every month from the second of the history through the month after the
-- last one with figures (the worker keeps them all from here on).
INSERT INTO "stats_step_procedure_daily" ("day", "unit_code", "resolving_unit_code", "procedure_code", "early", "on_time", "overdue", "open_overdue")
SELECT "day", "unit_code", "resolving_unit_code", "procedure_code", sum("early"), sum("on_time"), sum("overdue"), sum("open_overdue")
FROM "stats_step_daily" GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO "stats_step_procedure_monthly" ("month", "unit_code", "resolving_unit_code", "procedure_code", "early", "on_time", "overdue", "open_overdue")
SELECT date_trunc('month', "day")::date, "unit_code", "resolving_unit_code", "procedure_code", sum("early"), sum("on_time"), sum("overdue"), sum("open_overdue")
FROM "stats_step_daily" GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO "stats_step_officer_cumulative" ("month", "unit_code", "resolving_unit_code", "officer_code", "step_code", "step_name", "early", "on_time", "overdue")
SELECT m.month::date, f."unit_code", f."resolving_unit_code", f."officer_code", f."step_code", min(f."step_name"), sum(f."early"),
  sum(f."on_time"), sum(f."overdue")
FROM generate_series(
  (SELECT min("month") FROM "stats_step_officer_monthly") + interval '1 month',
  (SELECT max("month") FROM "stats_step_officer_monthly") + interval '1 month',
  interval '1 month') m(month)
JOIN "stats_step_officer_monthly" f ON f."month" < m.month
GROUP BY 1, 2, 3, 4, 5;
