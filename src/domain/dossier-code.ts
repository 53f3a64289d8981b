/**
 * Dossier code (mã hồ sơ): `{unit code}-{yyMMdd}-{NNNN}`, e.g. `000.17.22.H56-240709-0001`: the receiving
 * unit, the local receipt date and a per-unit per-day counter from 0001 (more digits past 9999).
 */
import type { LocalDate } from './local-time.js';

export function formatDossierCode(unitCode: string, localDate: LocalDate, counter: number): string {
  if (!Number.isInteger(counter) || counter < 1)
    throw new RangeError(`dossier counter must be ≥ 1: ${counter}`);
  return `${dossierCodePrefix(unitCode, localDate)}${String(counter).padStart(4, '0')}`;
}

/** `{unit code}-{yyMMdd}-`: the code up to its counter (for SQL that appends the counter itself). */
export function dossierCodePrefix(unitCode: string, localDate: LocalDate): string {
  const yymmdd = localDate.slice(2, 4) + localDate.slice(5, 7) + localDate.slice(8, 10);
  return `${unitCode}-${yymmdd}-`;
}

const codePattern = /^([0-9A-Z]+(?:\.[0-9A-Z]+)*)-(\d{6})-(\d{4,})$/;

export function parseDossierCode(code: string): { unitCode: string; yymmdd: string; counter: number } | null {
  const m = codePattern.exec(code);
  if (!m) return null;
  return { unitCode: m[1]!, yymmdd: m[2]!, counter: Number(m[3]) };
}
