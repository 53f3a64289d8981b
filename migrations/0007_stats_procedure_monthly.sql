CREATE TABLE "stats_procedure_monthly" (
	"month" date NOT NULL,
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
	CONSTRAINT "stats_procedure_monthly_month_unit_code_procedure_code_channel_pk" PRIMARY KEY("month","unit_code","procedure_code","channel")
);
--> statement-breakpoint
INSERT INTO "stats_procedure_monthly" ("month", "unit_code", "procedure_code", "channel", "received", "early", "on_time", "overdue", "withdrawn", "stopped", "pending_overdue")
SELECT date_trunc('month', "day")::date, "unit_code", "procedure_code", "channel", sum("received"), sum("early"), sum("on_time"), sum("overdue"), sum("withdrawn"), sum("stopped"), sum("pending_overdue")
FROM "stats_daily" GROUP BY 1, 2, 3, 4;
