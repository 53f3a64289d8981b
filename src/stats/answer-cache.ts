/**
 * Statistics answers an API process gives again. Dashboards ask the same few questions over and over (a province
 * this month by unit, last year), and an answer from the figures changes only when what it reads does. So an
 * answer is kept under a key that names all of it (answerStatistics): the question, the day it is asked, the state
 * of the figures (the last closed day, how many transactions wrote them, whether the tree's are ready), today's
 * snapshot it is as of, and the generations of the unit tree and the intake targets' cache (the names of units,
 * procedures and officers are the rows' labels, the units' paths the scope). Any of these changing makes a new
 * key; the old entry is never read again and ages out. Only answers whose every part comes from those are kept:
 * none counted live from the dossiers (a unit waiting for a recompute in the scope, today without a fresh
 * snapshot, figures not closed).
 *
 * An edit of a unit, procedure or officer through the API or the CLI clears those caches in every process (the
 * cache signals), so it shows at once; one made straight in the database shows within `ttlMs`.
 */
import type { StatisticsAnswer } from './serving.js';

/** How long an answer is given again at most (the bound for edits of names made straight in the database). */
export const STATS_ANSWER_TTL_MS = 10_000;

/** How many rows the kept answers hold together at most (a province by procedure is about 1,500). */
export const STATS_ANSWER_MAX_ROWS = 20_000;

/** How an answer was given: again (`kept`), read and kept, or read with a part counted live (not kept). */
export type AnswerSource = 'kept' | 'read' | 'live';

export class StatsAnswerCache {
  private readonly entries = new Map<string, { answer: StatisticsAnswer; storedAt: number }>();
  private rows = 0;
  /** The answers given since the process started, by how (the metric stats_answers_total). */
  readonly given: Record<AnswerSource, number> = { kept: 0, read: 0, live: 0 };

  constructor(
    readonly ttlMs: number = STATS_ANSWER_TTL_MS,
    readonly maxRows: number = STATS_ANSWER_MAX_ROWS,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): StatisticsAnswer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.storedAt < this.ttlMs) return entry.answer;
    this.drop(key);
    return undefined;
  }

  /** Keeps `answer`, first dropping the answers kept longest ago until its rows fit (one larger than all: not kept). */
  set(key: string, answer: StatisticsAnswer): void {
    const size = answer.rows.length + 1;
    if (this.ttlMs <= 0 || size > this.maxRows) return;
    this.drop(key);
    for (const oldest of this.entries.keys()) {
      if (this.rows + size <= this.maxRows) break;
      this.drop(oldest);
    }
    this.entries.set(key, { answer, storedAt: this.now() });
    this.rows += size;
  }

  /** How many answers are kept. */
  get size(): number {
    return this.entries.size;
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.rows -= entry.answer.rows.length + 1;
  }
}
