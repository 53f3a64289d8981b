/**
 * Deadline engine benchmark: 1,000,000 start + due computations (normalizeStart included) on the real
 * 2024–2026 calendar, random receipts over 2024–2026 (any hour, weekends and holidays included), durations
 * up to 30 working days in mixed units, a 15:00 cut-off on a fifth of them. Target: < 2 s on one core.
 *
 * For a ratio measured in the same run, a naive day-by-day walk (no precomputed tables) computes a sample of
 * the same inputs; its results must equal the engine's.
 *
 *   npx tsx bench/deadlines.bench.ts [count]
 */
import { computeStartAndDue, type Duration } from '../src/domain/deadlines.js';
import { addDays, instantAt, localDateOf, minuteOfDayOf, weekdayOf } from '../src/domain/local-time.js';
import { buildCalendar, DEFAULT_WORKING_HOURS } from '../src/domain/working-time.js';
import { overrides2024To2026 } from '../test/domain/fixtures.js';

const COUNT = Number(process.argv[2] ?? 1_000_000);
const NAIVE_COUNT = Math.min(COUNT, 100_000);
const CUTOFF = 15 * 60;

/** mulberry32: a small seeded PRNG, so every run measures the same inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  receivedAt: number;
  duration: Duration;
  cutoff: number | null;
}

function makeCases(count: number): Case[] {
  const random = prng(20261122);
  const from = new Date('2024-01-01T00:00:00+07:00').getTime();
  const span = new Date('2026-12-01T00:00:00+07:00').getTime() - from; // room for 30 working days after
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const receivedAt = from + Math.floor((random() * span) / 60_000) * 60_000;
    const pick = random();
    const duration: Duration =
      pick < 0.5
        ? { value: Math.floor(random() * 61) / 2, unit: 'working_days' }
        : pick < 0.75
          ? { value: 1 + Math.floor(random() * 240), unit: 'working_hours' }
          : { value: Math.floor(random() * 31), unit: 'calendar_days' };
    cases.push({ receivedAt, duration, cutoff: random() < 0.2 ? CUTOFF : null });
  }
  return cases;
}

// --- naive reference: walks day by day, minute arithmetic by hand ---------------------------------------

const overrideKinds = new Map(overrides2024To2026.map((o) => [o.date, o.kind]));
const hours = DEFAULT_WORKING_HOURS;
const opening = hours[0]!.start;
const closing = hours[hours.length - 1]!.end;

function naiveIsWorkingDay(date: string): boolean {
  const kind = overrideKinds.get(date);
  if (kind) return kind === 'working_day';
  const weekday = weekdayOf(date);
  return weekday >= 1 && weekday <= 5;
}

function naiveNextWorkingDay(date: string): string {
  let next = addDays(date, 1);
  while (!naiveIsWorkingDay(next)) next = addDays(next, 1);
  return next;
}

function naiveStartAndDue(c: Case): number {
  const received = new Date(c.receivedAt);
  let date = localDateOf(received);
  let minute = minuteOfDayOf(received);
  if (!naiveIsWorkingDay(date) || minute >= closing || (c.cutoff !== null && minute >= c.cutoff)) {
    date = naiveNextWorkingDay(date);
    minute = opening;
  }
  minute = Math.max(minute, hours.find(({ end }) => minute < end)!.start);
  const { value, unit } = c.duration;
  if (unit === 'calendar_days' || value === 0) {
    let dueDate = unit === 'calendar_days' ? addDays(date, value) : date;
    if (!naiveIsWorkingDay(dueDate)) dueDate = naiveNextWorkingDay(dueDate);
    return instantAt(dueDate, closing).getTime();
  }
  let left = unit === 'working_hours' ? value * 60 : value * 480;
  for (;;) {
    for (const { start, end } of hours) {
      if (minute >= end) continue;
      const begin = Math.max(minute, start);
      if (left <= end - begin) return instantAt(date, begin + left).getTime();
      left -= end - begin;
      minute = end;
    }
    date = naiveNextWorkingDay(date);
    minute = 0;
  }
}

// --- run ----------------------------------------------------------------------------------------------

const buildStarted = performance.now();
const cal = buildCalendar({ overrides: overrides2024To2026 });
const buildMs = performance.now() - buildStarted;

const cases = makeCases(COUNT);

function runEngine(n: number): { ms: number; checksum: number } {
  let checksum = 0;
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const c = cases[i]!;
    const { dueAt } = computeStartAndDue(cal, new Date(c.receivedAt), c.duration, c.cutoff);
    checksum = (checksum + dueAt.getTime() / 60_000) % 1_000_000_007;
  }
  return { ms: performance.now() - started, checksum };
}

runEngine(Math.min(COUNT, 100_000)); // warm-up (JIT)
const engine = runEngine(COUNT);

let mismatches = 0;
const naiveStarted = performance.now();
for (let i = 0; i < NAIVE_COUNT; i++) {
  const c = cases[i]!;
  const expected = naiveStartAndDue(c);
  const { dueAt } = computeStartAndDue(cal, new Date(c.receivedAt), c.duration, c.cutoff);
  if (dueAt.getTime() !== expected) mismatches++;
}
// The loop also ran the engine once per case; subtract its measured share to time the naive walk alone.
const naiveMs = performance.now() - naiveStarted - (engine.ms * NAIVE_COUNT) / COUNT;

const opsPerSecond = (n: number, ms: number) => Math.round((n / ms) * 1000);
const engineOps = opsPerSecond(COUNT, engine.ms);
const naiveOps = opsPerSecond(NAIVE_COUNT, naiveMs);

console.log(`node ${process.version}, ${COUNT.toLocaleString('en')} start + due computations`);
console.log(`calendar build (1990–2100 tables): ${buildMs.toFixed(1)} ms`);
console.log(
  `engine: ${engine.ms.toFixed(0)} ms, ${engineOps.toLocaleString('en')} ops/s (checksum ${engine.checksum})`,
);
console.log(
  `naive day walk (${NAIVE_COUNT.toLocaleString('en')} cases): ${naiveOps.toLocaleString('en')} ops/s`,
);
console.log(`ratio engine / naive: ${(engineOps / naiveOps).toFixed(1)}×, mismatches: ${mismatches}`);
console.log(`target < 2000 ms for 1,000,000: ${engine.ms * (1_000_000 / COUNT) < 2000 ? 'met' : 'MISSED'}`);
if (mismatches > 0) process.exitCode = 1;
