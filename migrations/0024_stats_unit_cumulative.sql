CREATE TABLE "stats_unit_cumulative" (
	"month" date NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"channel" text NOT NULL,
	"received" integer NOT NULL,
	"early" integer NOT NULL,
	"on_time" integer NOT NULL,
	"overdue" integer NOT NULL,
	"withdrawn" integer NOT NULL,
	"stopped" integer NOT NULL,
	CONSTRAINT "stats_unit_cumulative_pk" PRIMARY KEY("month","unit_code","resolving_unit_code","channel")
);
--> statement-breakpoint
-- The figures already kept: the flows before every month from the second of the history through the month after
-- the last one with figures (the worker keeps them from here on).
INSERT INTO "stats_unit_cumulative" ("month", "unit_code", "resolving_unit_code", "channel", "received", "early",
  "on_time", "overdue", "withdrawn", "stopped")
SELECT m.month::date, f."unit_code", f."resolving_unit_code", f."channel", sum(f."received"), sum(f."early"),
  sum(f."on_time"), sum(f."overdue"), sum(f."withdrawn"), sum(f."stopped")
FROM generate_series(
  (SELECT min("month") FROM "stats_unit_monthly") + interval '1 month',
  (SELECT max("month") FROM "stats_unit_monthly") + interval '1 month',
  interval '1 month') m(month)
JOIN "stats_unit_monthly" f ON f."month" < m.month
GROUP BY 1, 2, 3, 4;
