-- The snapshot of today judged every dossier changed today by its history at yesterday's end at every snapshot
-- (two statements a dossier, each reading its pauses, its statutory dues and its step runs), so that its cost grew
-- all day with the day's changes. Each dossier is now judged once a day into stats_today_judged, and judged again
-- only while one of today's events reaches back before the day: those are read from a partial index of their own.
CREATE TABLE "stats_today_judged" (
	"day" date NOT NULL,
	"granularity" text NOT NULL,
	"dossier_id" bigint NOT NULL,
	"pending_overdue" boolean NOT NULL,
	"overdue_step_seqs" integer[] NOT NULL,
	CONSTRAINT "stats_today_judged_pk" PRIMARY KEY("day","granularity","dossier_id")
);
--> statement-breakpoint
CREATE INDEX "dossier_events_reaching_back_idx" ON "dossier_events" USING btree ("recorded_at","dossier_id") WHERE ("dossier_events"."type" = 'due_changed' or ("dossier_events"."at" at time zone 'Asia/Ho_Chi_Minh')::date < ("dossier_events"."recorded_at" at time zone 'Asia/Ho_Chi_Minh')::date);