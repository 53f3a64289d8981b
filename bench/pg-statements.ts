/**
 * Where PostgreSQL's time went during a step, from `pg_stat_statements` when the server has it loaded and the
 * benchmark database has the extension (`create extension pg_stat_statements`): the statements' counters read
 * before and after, their difference sorted by time (execution, plus planning when track_planning is on). Costs
 * nothing during the step, unlike --pg-sample.
 */
import type pg from 'pg';
import { fmt } from './results.js';
import { shortened } from './pg-activity.js';

interface Counters {
  calls: number;
  ms: number;
  planMs: number;
  query: string;
}

export type StatementCounters = Map<string, Counters>;

export interface StatementDelta extends Counters {
  /** Share of the step's statement time. */
  share: number;
}

/** The database's statements' counters now, or null without pg_stat_statements. */
export async function readStatements(client: pg.Client): Promise<StatementCounters | null> {
  try {
    // One row per statement: pg_stat_statements keeps one per user and nesting level too.
    const { rows } = await client.query<{ id: string } & Counters>(
      `select queryid::text as id, sum(calls)::float8 as calls,
              sum(total_exec_time + total_plan_time)::float8 as ms, sum(total_plan_time)::float8 as "planMs",
              min(query) as query
         from pg_stat_statements
        where dbid = (select oid from pg_database where datname = current_database()) and queryid is not null
        group by queryid`,
    );
    return new Map(rows.map(({ id, ...counters }) => [id, counters]));
  } catch {
    return null; // not loaded, or not created in this database
  }
}

/** What ran between two reads, costliest first. */
export function statementsBetween(before: StatementCounters, after: StatementCounters): StatementDelta[] {
  const deltas: Counters[] = [];
  for (const [id, a] of after) {
    const b = before.get(id) ?? { calls: 0, ms: 0, planMs: 0 };
    if (a.calls > b.calls)
      deltas.push({ ...a, calls: a.calls - b.calls, ms: a.ms - b.ms, planMs: a.planMs - b.planMs });
  }
  const total = deltas.reduce((n, d) => n + d.ms, 0) || 1;
  return deltas.map((d) => ({ ...d, share: d.ms / total })).sort((x, y) => y.ms - x.ms);
}

export function statementsText(deltas: StatementDelta[], seconds: number, top = 12): string {
  const total = deltas.reduce((n, d) => n + d.ms, 0);
  // Planning is counted only with pg_stat_statements.track_planning on.
  const planned = deltas.some((d) => d.planMs > 0);
  return [
    `pg_stat_statements: ${fmt(total / 1000, 1)} s of statement time in ${seconds.toFixed(0)} s ` +
      `(${fmt(total / 10 / seconds, 0)} % of a core), the costliest:`,
    ...deltas
      .slice(0, top)
      .map(
        (d) =>
          `- ${fmt(d.share * 100, 1)} %: ${fmt(d.calls)} calls, ${fmt(d.ms / d.calls, 2)} ms each` +
          `${planned ? ` (planning ${fmt(d.planMs / d.calls, 2)})` : ''}: ` +
          shortened(d.query).replace(/\s+/g, ' ').slice(0, 300),
      ),
  ].join('\n');
}
