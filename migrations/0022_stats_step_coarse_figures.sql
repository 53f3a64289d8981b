CREATE TABLE "stats_step_channel_daily" (
	"day" date NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"channel" text NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"open_overdue" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_step_channel_daily_pk" PRIMARY KEY("day","unit_code","resolving_unit_code","channel")
);
--> statement-breakpoint
CREATE TABLE "stats_step_channel_monthly" (
	"month" date NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"channel" text NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"open_overdue" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_step_channel_monthly_pk" PRIMARY KEY("month","unit_code","resolving_unit_code","channel")
);
--> statement-breakpoint
CREATE TABLE "stats_step_officer_daily" (
	"day" date NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"officer_code" text NOT NULL,
	"step_code" text NOT NULL,
	"step_name" text NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"open_overdue" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_step_officer_daily_pk" PRIMARY KEY("day","unit_code","resolving_unit_code","officer_code","step_code")
);
--> statement-breakpoint
CREATE TABLE "stats_step_officer_monthly" (
	"month" date NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"officer_code" text NOT NULL,
	"step_code" text NOT NULL,
	"step_name" text NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"open_overdue" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_step_officer_monthly_pk" PRIMARY KEY("month","unit_code","resolving_unit_code","officer_code","step_code")
);
--> statement-breakpoint
CREATE TABLE "stats_step_unit_daily" (
	"day" date NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"open_overdue" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_step_unit_daily_pk" PRIMARY KEY("day","unit_code","resolving_unit_code")
);
--> statement-breakpoint
CREATE TABLE "stats_step_unit_monthly" (
	"month" date NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"open_overdue" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_step_unit_monthly_pk" PRIMARY KEY("month","unit_code","resolving_unit_code")
);
--> statement-breakpoint
INSERT INTO "stats_step_officer_daily" ("day", "unit_code", "resolving_unit_code", "officer_code", "step_code", "step_name", "early", "on_time", "overdue", "open_overdue")
SELECT "day", "unit_code", "resolving_unit_code", "officer_code", "step_code", min("step_name"), sum("early"), sum("on_time"), sum("overdue"), sum("open_overdue")
FROM "stats_step_daily" GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
INSERT INTO "stats_step_officer_monthly" ("month", "unit_code", "resolving_unit_code", "officer_code", "step_code", "step_name", "early", "on_time", "overdue", "open_overdue")
SELECT "month", "unit_code", "resolving_unit_code", "officer_code", "step_code", min("step_name"), sum("early"), sum("on_time"), sum("overdue"), sum("open_overdue")
FROM "stats_step_monthly" GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
INSERT INTO "stats_step_unit_daily" ("day", "unit_code", "resolving_unit_code", "early", "on_time", "overdue", "open_overdue")
SELECT "day", "unit_code", "resolving_unit_code", sum("early"), sum("on_time"), sum("overdue"), sum("open_overdue")
FROM "stats_step_daily" GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO "stats_step_unit_monthly" ("month", "unit_code", "resolving_unit_code", "early", "on_time", "overdue", "open_overdue")
SELECT "month", "unit_code", "resolving_unit_code", sum("early"), sum("on_time"), sum("overdue"), sum("open_overdue")
FROM "stats_step_monthly" GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO "stats_step_channel_daily" ("day", "unit_code", "resolving_unit_code", "channel", "early", "on_time", "overdue", "open_overdue")
SELECT "day", "unit_code", "resolving_unit_code", "channel", sum("early"), sum("on_time"), sum("overdue"), sum("open_overdue")
FROM "stats_step_daily" GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO "stats_step_channel_monthly" ("month", "unit_code", "resolving_unit_code", "channel", "early", "on_time", "overdue", "open_overdue")
SELECT "month", "unit_code", "resolving_unit_code", "channel", sum("early"), sum("on_time"), sum("overdue"), sum("open_overdue")
FROM "stats_step_monthly" GROUP BY 1, 2, 3, 4;
