/**
 * The service index (Bộ chỉ số phục vụ người dân, doanh nghiệp; Decision 766/QĐ-TTg, 2022), as far as this
 * service's own data shows it: the ratios behind the groups it can see, per resolving unit and period, each with
 * its counts. The national portal scores five groups (transparency 18, progress 20, digitisation 22, online
 * services 22, satisfaction 18); only progress has a documented formula here (ratio × 20), and its points are an
 * estimate of the official score, labelled so. Written once, pure: the tests hold the endpoint equal to it.
 *
 * For a period [A, B] answered at T (the end of B, or the moment of the answer while B has not ended; see
 * answerInstants in ./statistics.ts), over the dossiers attributed to their resolving unit:
 * - progress = (pending not yet due + resolved early or on time) / received total (carried over + new), the
 *   II.06a columns of the same period;
 * - online share = received online / newly received;
 * - online payment share = dossiers whose payment was confirmed in the period and paid online / dossiers whose
 *   payment was confirmed in the period (a dossier that paid more than once counts once, by its last payment);
 * - digitised share = dossiers newly received in the period with a digitised component / newly received;
 * - satisfaction = (very satisfied + satisfied) / rated, over the ratings given in the period (each counted for
 *   the dossier's resolving unit).
 * Digitisation is counted as recorded at the moment of the answer: a component digitised after the period still
 * counts for the period the dossier was received in. A ratio with nothing to divide by is null.
 */
import { answerInstants, type Tally } from './statistics.js';
import type { LocalDate } from './local-time.js';

export type PaymentMethod = 'online' | 'counter' | 'bank_transfer';

/** What the service index reads of a dossier beyond the II.06a facts. */
export interface ServiceFacts {
  receivedAt: Date | null;
  hasDigitisedComponents: boolean;
  /** The last confirmed payment; null: nothing paid. */
  paidAt: Date | null;
  paymentMethod: PaymentMethod | null;
}

/** The service index's own counts of a period. */
export interface ServiceCounts {
  /** Newly received with a digitised component. */
  digitised: number;
  /** Payment confirmed in the period. */
  paid: number;
  /** Of those, paid online. */
  paidOnline: number;
}

/** The satisfaction ratings counted for a period. */
export interface SatisfactionCounts {
  rated: number;
  verySatisfied: number;
  satisfied: number;
}

export const emptyServiceCounts = (): ServiceCounts => ({ digitised: 0, paid: 0, paidOnline: 0 });

export function addServiceCounts(a: ServiceCounts, b: ServiceCounts): ServiceCounts {
  return {
    digitised: a.digitised + b.digitised,
    paid: a.paid + b.paid,
    paidOnline: a.paidOnline + b.paidOnline,
  };
}

/** The service counts of [from, to] over dossier facts, as answered at `asOf` (omitted: after B). */
export function referenceServiceCounts(
  facts: Iterable<ServiceFacts>,
  from: LocalDate,
  to: LocalDate,
  asOf?: Date,
): ServiceCounts {
  const { open, cut } = answerInstants(from, to, asOf);
  const within = (at: Date | null) => at !== null && at >= open && at < cut;
  const c = emptyServiceCounts();
  for (const d of facts) {
    if (within(d.receivedAt) && d.hasDigitisedComponents) c.digitised++;
    if (within(d.paidAt)) {
      c.paid++;
      if (d.paymentMethod === 'online') c.paidOnline++;
    }
  }
  return c;
}

/** The levels of a satisfaction rating (rất hài lòng, hài lòng, không hài lòng). */
export const ratingLevels = ['very_satisfied', 'satisfied', 'dissatisfied'] as const;
/** Who recorded a rating: the citizen through the lookup, or a clerk from a paper form. */
export const ratingSources = ['citizen', 'paper'] as const;

/** A rating (đánh giá mức độ hài lòng) as the index counts it: its level and when it was given. */
export interface RatingFacts {
  level: (typeof ratingLevels)[number];
  ratedAt: Date;
}

/** The ratings given in [from, to], as answered at `asOf` (omitted: after B). */
export function referenceSatisfaction(
  ratings: Iterable<RatingFacts>,
  from: LocalDate,
  to: LocalDate,
  asOf?: Date,
): SatisfactionCounts {
  const { open, cut } = answerInstants(from, to, asOf);
  const s: SatisfactionCounts = { rated: 0, verySatisfied: 0, satisfied: 0 };
  for (const r of ratings) {
    if (r.ratedAt < open || r.ratedAt >= cut) continue;
    s.rated++;
    if (r.level === 'very_satisfied') s.verySatisfied++;
    else if (r.level === 'satisfied') s.satisfied++;
  }
  return s;
}

/** The progress group's weight: its points are the ratio × 20. */
export const PROGRESS_POINTS = 20;

/** A ratio with its counts; null when the denominator is 0. Ratios are fractions rounded to 4 decimals. */
export interface Ratio {
  ratio: number | null;
  numerator: number;
  denominator: number;
}

export interface ServiceIndex {
  progress: Ratio & { points: { value: number | null; estimate: true } };
  onlineShare: Ratio;
  onlinePaymentShare: Ratio;
  digitisedShare: Ratio;
  satisfaction: Ratio;
}

function ratio(numerator: number, denominator: number): Ratio {
  const value = denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000;
  return { ratio: value, numerator, denominator };
}

/** The ratios of one unit (or a total) from its II.06a tally, its service counts and its ratings. */
export function serviceIndexOf(t: Tally, c: ServiceCounts, s: SatisfactionCounts): ServiceIndex {
  const progress = ratio(t.pending.notYetDue + t.resolved.early + t.resolved.onTime, t.received.total);
  return {
    progress: {
      ...progress,
      points: {
        value:
          progress.denominator === 0
            ? null
            : Math.round(((progress.numerator * PROGRESS_POINTS) / progress.denominator) * 100) / 100,
        estimate: true,
      },
    },
    onlineShare: ratio(t.received.online, t.received.new),
    onlinePaymentShare: ratio(c.paidOnline, c.paid),
    digitisedShare: ratio(c.digitised, t.received.new),
    satisfaction: ratio(s.verySatisfied + s.satisfied, s.rated),
  };
}
