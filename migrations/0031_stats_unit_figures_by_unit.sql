-- The statistics figures by units (daily, monthly, before each month; flows and step runs) read by one unit's
-- rows: an answer for a commune or a department read every unit's rows of its days or months and kept its own
-- (35,000 rows for a commune's official year at 5 million dossiers). Indexes on small tables: seconds.
CREATE INDEX "stats_unit_daily_unit_day_idx" ON "stats_unit_daily" USING btree ("unit_code","day");--> statement-breakpoint
CREATE INDEX "stats_unit_daily_resolving_day_idx" ON "stats_unit_daily" USING btree ("resolving_unit_code","day");--> statement-breakpoint
CREATE INDEX "stats_unit_cumulative_unit_month_idx" ON "stats_unit_cumulative" USING btree ("unit_code","month");--> statement-breakpoint
CREATE INDEX "stats_unit_cumulative_resolving_month_idx" ON "stats_unit_cumulative" USING btree ("resolving_unit_code","month");--> statement-breakpoint
CREATE INDEX "stats_unit_monthly_unit_month_idx" ON "stats_unit_monthly" USING btree ("unit_code","month");--> statement-breakpoint
CREATE INDEX "stats_unit_monthly_resolving_month_idx" ON "stats_unit_monthly" USING btree ("resolving_unit_code","month");--> statement-breakpoint
CREATE INDEX "stats_step_unit_daily_unit_day_idx" ON "stats_step_unit_daily" USING btree ("unit_code","day");--> statement-breakpoint
CREATE INDEX "stats_step_unit_daily_resolving_day_idx" ON "stats_step_unit_daily" USING btree ("resolving_unit_code","day");--> statement-breakpoint
CREATE INDEX "stats_step_unit_cumulative_unit_month_idx" ON "stats_step_unit_cumulative" USING btree ("unit_code","month");--> statement-breakpoint
CREATE INDEX "stats_step_unit_cumulative_resolving_month_idx" ON "stats_step_unit_cumulative" USING btree ("resolving_unit_code","month");--> statement-breakpoint
CREATE INDEX "stats_step_unit_monthly_unit_month_idx" ON "stats_step_unit_monthly" USING btree ("unit_code","month");--> statement-breakpoint
CREATE INDEX "stats_step_unit_monthly_resolving_month_idx" ON "stats_step_unit_monthly" USING btree ("resolving_unit_code","month");