CREATE TABLE "stats_step_unit_cumulative" (
	"month" date NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"early" integer NOT NULL,
	"on_time" integer NOT NULL,
	"overdue" integer NOT NULL,
	CONSTRAINT "stats_step_unit_cumulative_pk" PRIMARY KEY("month","unit_code","resolving_unit_code")
);
--> statement-breakpoint
-- The step figures already kept: the step runs ended before every month from the second of the history through
-- the month after the last one with figures (the worker keeps them from here on).
INSERT INTO "stats_step_unit_cumulative" ("month", "unit_code", "resolving_unit_code", "early", "on_time", "overdue")
SELECT m.month::date, f."unit_code", f."resolving_unit_code", sum(f."early"), sum(f."on_time"), sum(f."overdue")
FROM generate_series(
  (SELECT min("month") FROM "stats_step_unit_monthly") + interval '1 month',
  (SELECT max("month") FROM "stats_step_unit_monthly") + interval '1 month',
  interval '1 month') m(month)
JOIN "stats_step_unit_monthly" f ON f."month" < m.month
GROUP BY 1, 2, 3;
