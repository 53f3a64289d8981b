CREATE TABLE "stats_rating_procedure_monthly" (
	"month" date NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"procedure_code" text NOT NULL,
	"channel" text NOT NULL,
	"rated" integer DEFAULT 0 NOT NULL,
	"very_satisfied" integer DEFAULT 0 NOT NULL,
	"satisfied" integer DEFAULT 0 NOT NULL,
	"dissatisfied" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_rating_procedure_monthly_pk" PRIMARY KEY("month","unit_code","resolving_unit_code","procedure_code","channel")
);
--> statement-breakpoint
CREATE TABLE "stats_rating_unit_monthly" (
	"month" date NOT NULL,
	"unit_code" text NOT NULL,
	"resolving_unit_code" text NOT NULL,
	"channel" text NOT NULL,
	"rated" integer DEFAULT 0 NOT NULL,
	"very_satisfied" integer DEFAULT 0 NOT NULL,
	"satisfied" integer DEFAULT 0 NOT NULL,
	"dissatisfied" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_rating_unit_monthly_pk" PRIMARY KEY("month","unit_code","resolving_unit_code","channel")
);
--> statement-breakpoint
CREATE INDEX "stats_rating_procedure_monthly_unit_idx" ON "stats_rating_procedure_monthly" USING btree ("unit_code","month");--> statement-breakpoint
CREATE INDEX "stats_rating_procedure_monthly_resolving_idx" ON "stats_rating_procedure_monthly" USING btree ("resolving_unit_code","month");--> statement-breakpoint
CREATE INDEX "stats_rating_unit_monthly_unit_idx" ON "stats_rating_unit_monthly" USING btree ("unit_code","month");--> statement-breakpoint
CREATE INDEX "stats_rating_unit_monthly_resolving_idx" ON "stats_rating_unit_monthly" USING btree ("resolving_unit_code","month");--> statement-breakpoint
-- Each rating counted into its month's cells as it is written, in the rating's own transaction: a rating is given
-- once, at the instant it is recorded, so the months never need recounting (and nothing updates or deletes one).
CREATE FUNCTION stats_rating_counted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rated_month date := date_trunc('month', NEW.rated_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date;
  very int := (NEW.level = 'very_satisfied')::int;
  sat int := (NEW.level = 'satisfied')::int;
  dis int := (NEW.level = 'dissatisfied')::int;
BEGIN
  INSERT INTO stats_rating_unit_monthly AS m
    (month, unit_code, resolving_unit_code, channel, rated, very_satisfied, satisfied, dissatisfied)
  VALUES (rated_month, NEW.unit_code, NEW.resolving_unit_code, NEW.channel, 1, very, sat, dis)
  ON CONFLICT (month, unit_code, resolving_unit_code, channel) DO UPDATE SET rated = m.rated + 1,
    very_satisfied = m.very_satisfied + very, satisfied = m.satisfied + sat, dissatisfied = m.dissatisfied + dis;
  INSERT INTO stats_rating_procedure_monthly AS m
    (month, unit_code, resolving_unit_code, procedure_code, channel, rated, very_satisfied, satisfied, dissatisfied)
  VALUES (rated_month, NEW.unit_code, NEW.resolving_unit_code, NEW.procedure_code, NEW.channel, 1, very, sat, dis)
  ON CONFLICT (month, unit_code, resolving_unit_code, procedure_code, channel) DO UPDATE SET rated = m.rated + 1,
    very_satisfied = m.very_satisfied + very, satisfied = m.satisfied + sat, dissatisfied = m.dissatisfied + dis;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- The ratings already given are counted under a lock that holds new ones back until the trigger counts them too.
LOCK TABLE "dossier_ratings" IN SHARE MODE;
--> statement-breakpoint
CREATE TRIGGER stats_rating_counted AFTER INSERT ON dossier_ratings FOR EACH ROW EXECUTE FUNCTION stats_rating_counted();
--> statement-breakpoint
INSERT INTO stats_rating_procedure_monthly
  (month, unit_code, resolving_unit_code, procedure_code, channel, rated, very_satisfied, satisfied, dissatisfied)
SELECT date_trunc('month', rated_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, unit_code, resolving_unit_code,
  procedure_code, channel, count(*), count(*) FILTER (WHERE level = 'very_satisfied'),
  count(*) FILTER (WHERE level = 'satisfied'), count(*) FILTER (WHERE level = 'dissatisfied')
FROM dossier_ratings GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
INSERT INTO stats_rating_unit_monthly
  (month, unit_code, resolving_unit_code, channel, rated, very_satisfied, satisfied, dissatisfied)
SELECT month, unit_code, resolving_unit_code, channel, sum(rated), sum(very_satisfied), sum(satisfied),
  sum(dissatisfied)
FROM stats_rating_procedure_monthly GROUP BY 1, 2, 3, 4;
