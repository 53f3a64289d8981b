-- Today's figures as the worker takes them every few seconds (src/stats/today.ts), in two slots written in turn:
-- the flows of today up to the snapshot's instant and the pending-overdue counts at it, by the figures' cells and
-- by units and channel, so that an answer for the current month or year reads them instead of every dossier
-- received or finished today. New tables; nothing rewritten.
CREATE TABLE "stats_step_today" (
	"slot" smallint NOT NULL,
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
	CONSTRAINT "stats_step_today_pk" PRIMARY KEY("slot","unit_code","resolving_unit_code","procedure_code","channel","officer_code","step_code")
);
--> statement-breakpoint
CREATE TABLE "stats_step_unit_today" (
	"slot" smallint NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"channel" text NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"open_overdue" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_step_unit_today_pk" PRIMARY KEY("slot","unit_code","resolving_unit_code","channel")
);
--> statement-breakpoint
CREATE TABLE "stats_today" (
	"slot" smallint NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"procedure_code" text NOT NULL,
	"channel" text NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"withdrawn" integer DEFAULT 0 NOT NULL,
	"stopped" integer DEFAULT 0 NOT NULL,
	"pending_overdue" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_today_pk" PRIMARY KEY("slot","unit_code","resolving_unit_code","procedure_code","channel")
);
--> statement-breakpoint
CREATE TABLE "stats_today_snapshots" (
	"slot" smallint PRIMARY KEY NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"since_yesterday" boolean NOT NULL,
	"granularity" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stats_unit_today" (
	"slot" smallint NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"channel" text NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	"early" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"overdue" integer DEFAULT 0 NOT NULL,
	"withdrawn" integer DEFAULT 0 NOT NULL,
	"stopped" integer DEFAULT 0 NOT NULL,
	"pending_overdue" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_unit_today_pk" PRIMARY KEY("slot","unit_code","resolving_unit_code","channel")
);
