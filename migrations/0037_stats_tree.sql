CREATE TABLE "stats_tree_rating_procedure_monthly" (
	"month" date NOT NULL,
	"procedure_code" text NOT NULL,
	"channel" text NOT NULL,
	"rated" integer DEFAULT 0 NOT NULL,
	"very_satisfied" integer DEFAULT 0 NOT NULL,
	"satisfied" integer DEFAULT 0 NOT NULL,
	"dissatisfied" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_tree_rating_procedure_monthly_pk" PRIMARY KEY("month","procedure_code","channel")
);
--> statement-breakpoint
CREATE TABLE "stats_tree_procedure_cumulative" (
	"month" date NOT NULL,
	"procedure_code" text NOT NULL,
	"channel" text NOT NULL,
	"received" integer NOT NULL,
	"early" integer NOT NULL,
	"on_time" integer NOT NULL,
	"overdue" integer NOT NULL,
	"withdrawn" integer NOT NULL,
	"stopped" integer NOT NULL,
	CONSTRAINT "stats_tree_procedure_cumulative_pk" PRIMARY KEY("month","procedure_code","channel")
);
--> statement-breakpoint
CREATE TABLE "stats_tree_step_procedure_cumulative" (
	"month" date NOT NULL,
	"procedure_code" text NOT NULL,
	"early" integer NOT NULL,
	"on_time" integer NOT NULL,
	"overdue" integer NOT NULL,
	CONSTRAINT "stats_tree_step_procedure_cumulative_pk" PRIMARY KEY("month","procedure_code")
);
--> statement-breakpoint
-- The figures already kept, summed over the whole tree (the worker keeps them from here on; its first refresh
-- rebuilds them once more, after what a worker of the version before wrote meanwhile).
INSERT INTO "stats_tree_procedure_cumulative" ("month", "procedure_code", "channel", "received", "early", "on_time",
  "overdue", "withdrawn", "stopped")
SELECT c.month, f.procedure_code, f.channel, sum(f.received), sum(f.early), sum(f.on_time), sum(f.overdue),
  sum(f.withdrawn), sum(f.stopped)
FROM (SELECT DISTINCT month FROM "stats_unit_cumulative") c
JOIN (
  SELECT month, procedure_code, channel, sum(received) AS received, sum(early) AS early, sum(on_time) AS on_time,
    sum(overdue) AS overdue, sum(withdrawn) AS withdrawn, sum(stopped) AS stopped
  FROM "stats_procedure_monthly" GROUP BY 1, 2, 3
) f ON f.month < c.month
GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO "stats_tree_step_procedure_cumulative" ("month", "procedure_code", "early", "on_time", "overdue")
SELECT c.month, f.procedure_code, sum(f.early), sum(f.on_time), sum(f.overdue)
FROM (SELECT DISTINCT month FROM "stats_step_unit_cumulative") c
JOIN (
  SELECT month, procedure_code, sum(early) AS early, sum(on_time) AS on_time, sum(overdue) AS overdue
  FROM "stats_step_procedure_monthly" GROUP BY 1, 2
) f ON f.month < c.month
GROUP BY 1, 2;
--> statement-breakpoint
-- The ratings counted over the whole tree too, from now on by the trigger, those already given under a lock that
-- holds new ones back until the new trigger body counts them.
LOCK TABLE "dossier_ratings" IN SHARE MODE;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stats_rating_counted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rated_day date := (NEW.rated_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date;
  rated_month date := date_trunc('month', rated_day)::date;
  very int := (NEW.level = 'very_satisfied')::int;
  sat int := (NEW.level = 'satisfied')::int;
  dis int := (NEW.level = 'dissatisfied')::int;
BEGIN
  INSERT INTO stats_rating_attributed_monthly AS m
    (month, attribution, unit_code, channel, rated, very_satisfied, satisfied, dissatisfied)
  VALUES (rated_month, 'receiving', NEW.unit_code, NEW.channel, 1, very, sat, dis),
    (rated_month, 'resolving', NEW.resolving_unit_code, NEW.channel, 1, very, sat, dis)
  ON CONFLICT (month, attribution, unit_code, channel) DO UPDATE SET rated = m.rated + 1,
    very_satisfied = m.very_satisfied + very, satisfied = m.satisfied + sat, dissatisfied = m.dissatisfied + dis;
  INSERT INTO stats_rating_attributed_daily AS d
    (day, attribution, unit_code, channel, rated, very_satisfied, satisfied, dissatisfied)
  VALUES (rated_day, 'receiving', NEW.unit_code, NEW.channel, 1, very, sat, dis),
    (rated_day, 'resolving', NEW.resolving_unit_code, NEW.channel, 1, very, sat, dis)
  ON CONFLICT (day, attribution, unit_code, channel) DO UPDATE SET rated = d.rated + 1,
    very_satisfied = d.very_satisfied + very, satisfied = d.satisfied + sat, dissatisfied = d.dissatisfied + dis;
  INSERT INTO stats_rating_procedure_monthly AS m
    (month, unit_code, resolving_unit_code, procedure_code, channel, rated, very_satisfied, satisfied, dissatisfied)
  VALUES (rated_month, NEW.unit_code, NEW.resolving_unit_code, NEW.procedure_code, NEW.channel, 1, very, sat, dis)
  ON CONFLICT (month, unit_code, resolving_unit_code, procedure_code, channel) DO UPDATE SET rated = m.rated + 1,
    very_satisfied = m.very_satisfied + very, satisfied = m.satisfied + sat, dissatisfied = m.dissatisfied + dis;
  INSERT INTO stats_tree_rating_procedure_monthly AS m
    (month, procedure_code, channel, rated, very_satisfied, satisfied, dissatisfied)
  VALUES (rated_month, NEW.procedure_code, NEW.channel, 1, very, sat, dis)
  ON CONFLICT (month, procedure_code, channel) DO UPDATE SET rated = m.rated + 1,
    very_satisfied = m.very_satisfied + very, satisfied = m.satisfied + sat, dissatisfied = m.dissatisfied + dis;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Every count of the ratings made again from the ratings themselves (as in migrations/0036), the tree's too.
CREATE OR REPLACE FUNCTION stats_rating_recount() RETURNS void LANGUAGE sql AS $$
  DELETE FROM stats_rating_attributed_daily;
  DELETE FROM stats_rating_attributed_monthly;
  DELETE FROM stats_rating_procedure_monthly;
  DELETE FROM stats_tree_rating_procedure_monthly;
  INSERT INTO stats_rating_attributed_daily
    (day, attribution, unit_code, channel, rated, very_satisfied, satisfied, dissatisfied)
  SELECT day, attribution, unit_code, channel, count(*), count(*) FILTER (WHERE level = 'very_satisfied'),
    count(*) FILTER (WHERE level = 'satisfied'), count(*) FILTER (WHERE level = 'dissatisfied')
  FROM (
    SELECT (rated_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, 'receiving' AS attribution, unit_code, channel,
      level FROM dossier_ratings
    UNION ALL
    SELECT (rated_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 'resolving', resolving_unit_code, channel, level
    FROM dossier_ratings
  ) r
  GROUP BY 1, 2, 3, 4;
  INSERT INTO stats_rating_attributed_monthly
    (month, attribution, unit_code, channel, rated, very_satisfied, satisfied, dissatisfied)
  SELECT date_trunc('month', day)::date, attribution, unit_code, channel, sum(rated), sum(very_satisfied),
    sum(satisfied), sum(dissatisfied)
  FROM stats_rating_attributed_daily GROUP BY 1, 2, 3, 4;
  INSERT INTO stats_rating_procedure_monthly
    (month, unit_code, resolving_unit_code, procedure_code, channel, rated, very_satisfied, satisfied, dissatisfied)
  SELECT date_trunc('month', rated_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, unit_code, resolving_unit_code,
    procedure_code, channel, count(*), count(*) FILTER (WHERE level = 'very_satisfied'),
    count(*) FILTER (WHERE level = 'satisfied'), count(*) FILTER (WHERE level = 'dissatisfied')
  FROM dossier_ratings GROUP BY 1, 2, 3, 4, 5;
  INSERT INTO stats_tree_rating_procedure_monthly
    (month, procedure_code, channel, rated, very_satisfied, satisfied, dissatisfied)
  SELECT month, procedure_code, channel, sum(rated), sum(very_satisfied), sum(satisfied), sum(dissatisfied)
  FROM stats_rating_procedure_monthly GROUP BY 1, 2, 3;
$$;
--> statement-breakpoint
INSERT INTO stats_tree_rating_procedure_monthly
  (month, procedure_code, channel, rated, very_satisfied, satisfied, dissatisfied)
SELECT month, procedure_code, channel, sum(rated), sum(very_satisfied), sum(satisfied), sum(dissatisfied)
FROM stats_rating_procedure_monthly GROUP BY 1, 2, 3;
