-- The snapshot of today counted every dossier received or finished today, and every step run ended today, at each
-- snapshot, and compared each of its tens of thousands of cells with the slot's. Each slot now keeps each dossier's
-- and each step run's share of its cells, and which transactions it saw: the slot's next snapshot counts again only
-- the dossiers changed since (their outbox rows) and those whose receipt, finish or step end it passed, and adds
-- the difference to the cells.
CREATE TABLE "stats_step_today_shares" (
	"slot" smallint NOT NULL,
	"dossier_id" bigint NOT NULL,
	"seq" integer NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"procedure_code" text NOT NULL,
	"channel" text NOT NULL,
	"officer_code" text NOT NULL,
	"step_code" text NOT NULL,
	"step_name" text NOT NULL,
	"early" integer NOT NULL,
	"on_time" integer NOT NULL,
	"overdue" integer NOT NULL,
	CONSTRAINT "stats_step_today_shares_pk" PRIMARY KEY("slot","dossier_id","seq")
);
--> statement-breakpoint
CREATE TABLE "stats_today_shares" (
	"slot" smallint NOT NULL,
	"dossier_id" bigint NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"procedure_code" text NOT NULL,
	"channel" text NOT NULL,
	"received" integer NOT NULL,
	"early" integer NOT NULL,
	"on_time" integer NOT NULL,
	"overdue" integer NOT NULL,
	"withdrawn" integer NOT NULL,
	"stopped" integer NOT NULL,
	CONSTRAINT "stats_today_shares_pk" PRIMARY KEY("slot","dossier_id")
);
--> statement-breakpoint
ALTER TABLE "stats_today_snapshots" ADD COLUMN "seen" "pg_snapshot";--> statement-breakpoint
ALTER TABLE "stats_today_snapshots" ADD COLUMN "shares_at" timestamp with time zone;