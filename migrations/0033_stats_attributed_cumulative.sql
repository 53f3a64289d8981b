CREATE TABLE "stats_attributed_cumulative" (
	"month" date NOT NULL,
	"attribution" text NOT NULL,
	"unit_code" text NOT NULL,
	"channel" text NOT NULL,
	"received" integer NOT NULL,
	"early" integer NOT NULL,
	"on_time" integer NOT NULL,
	"overdue" integer NOT NULL,
	"withdrawn" integer NOT NULL,
	"stopped" integer NOT NULL,
	CONSTRAINT "stats_attributed_cumulative_pk" PRIMARY KEY("month","attribution","unit_code","channel")
);
--> statement-breakpoint
-- The figures already kept, summed by the attributed unit (the worker keeps them from here on; its first refresh
-- rebuilds them once more, after what a worker of the version before wrote meanwhile). A worker's refresh
-- committing now would not reach them: it waits.
LOCK TABLE "stats_unit_cumulative" IN SHARE MODE;
--> statement-breakpoint
INSERT INTO "stats_attributed_cumulative" ("month", "attribution", "unit_code", "channel", "received", "early",
  "on_time", "overdue", "withdrawn", "stopped")
SELECT "month", 'receiving', "unit_code", "channel", sum("received"), sum("early"), sum("on_time"), sum("overdue"),
  sum("withdrawn"), sum("stopped")
FROM "stats_unit_cumulative" GROUP BY 1, 3, 4
UNION ALL
SELECT "month", 'resolving', "resolving_unit_code", "channel", sum("received"), sum("early"), sum("on_time"),
  sum("overdue"), sum("withdrawn"), sum("stopped")
FROM "stats_unit_cumulative" GROUP BY 1, 3, 4;
