CREATE TABLE "stats_tree_procedure_daily" (
	"day" date NOT NULL,
	"procedure_code" text NOT NULL,
	"channel" text NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"withdrawn" integer DEFAULT 0 NOT NULL,
	"stopped" integer DEFAULT 0 NOT NULL,
	"pending_overdue" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_tree_procedure_daily_pk" PRIMARY KEY("day","procedure_code","channel")
);
--> statement-breakpoint
CREATE TABLE "stats_tree_step_procedure_daily" (
	"day" date NOT NULL,
	"procedure_code" text NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"open_overdue" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_tree_step_procedure_daily_pk" PRIMARY KEY("day","procedure_code")
);
--> statement-breakpoint
-- The daily figures already kept, summed over the whole tree (the worker keeps them from here on; its first
-- refresh rebuilds them once more, after what a worker of the version before wrote meanwhile).
INSERT INTO "stats_tree_procedure_daily" ("day", "procedure_code", "channel", "received", "early", "on_time",
  "overdue", "withdrawn", "stopped", "pending_overdue")
SELECT "day", "procedure_code", "channel", sum("received"), sum("early"), sum("on_time"), sum("overdue"),
  sum("withdrawn"), sum("stopped"), sum("pending_overdue")
FROM "stats_daily" GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO "stats_tree_step_procedure_daily" ("day", "procedure_code", "early", "on_time", "overdue", "open_overdue")
SELECT "day", "procedure_code", sum("early"), sum("on_time"), sum("overdue"), sum("open_overdue")
FROM "stats_step_procedure_daily" GROUP BY 1, 2;
