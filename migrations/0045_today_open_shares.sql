-- Today's snapshot counted the pending-overdue and open-overdue counts whole at each snapshot (a day of dues: the
-- dossiers whose due or open step's due passed since yesterday's figures, thousands at a province). With the day's
-- granularity and since yesterday's figures, each dossier's and step run's part of them is kept in its share now,
-- and counted again only when it changed, as the flows are; `open_shared_at` says which slot's shares hold them.
ALTER TABLE "stats_step_today_shares" ADD COLUMN "open_overdue" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "stats_today_shares" ADD COLUMN "pending_overdue" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "stats_today_snapshots" ADD COLUMN "open_shared_at" timestamp with time zone;