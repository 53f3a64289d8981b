import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import {
  dossierActions,
  dossierStatuses,
  nationalStatusOf,
  nextStatus,
  type DossierAction,
  type DossierStatus,
} from '../../src/domain/lifecycle.js';
import { formatDossierCode, parseDossierCode } from '../../src/domain/dossier-code.js';
import {
  identifierProblem,
  maskEmail,
  maskTail,
  normalizeText,
  searchKey,
} from '../../src/domain/applicant.js';

/** Every legal (state, action) pair and where it leads, straight from docs/domain.md §7. */
const legal: Array<[DossierStatus, DossierAction, DossierStatus]> = [
  ['submitted', 'accept', 'received'],
  ['submitted', 'reject', 'rejected'],
  ['submitted', 'withdraw', 'withdrawn'],
  ...(['received', 'processing'] as const).flatMap(
    (s): Array<[DossierStatus, DossierAction, DossierStatus]> => [
      [s, 'assign', 'processing'],
      [s, 'hand-over', 'processing'],
      [s, 'request-supplement', 'awaiting_supplement'],
      [s, 'request-payment', 'awaiting_payment'],
      [s, 'resolve', 'resolved'],
      [s, 'withdraw', 'withdrawn'],
      [s, 'stop', 'stopped'],
      [s, 'reschedule', s],
    ],
  ),
  ['awaiting_supplement', 'receive-supplement', 'processing'],
  ['awaiting_payment', 'confirm-payment', 'processing'],
  ...(['awaiting_supplement', 'awaiting_payment'] as const).flatMap(
    (s): Array<[DossierStatus, DossierAction, DossierStatus]> => [
      [s, 'withdraw', 'withdrawn'],
      [s, 'stop', 'stopped'],
      [s, 'reschedule', s],
    ],
  ),
  ['resolved', 'return', 'returned'],
  // Records a fact (components digitised, an electronic result); the state stays.
  ...(
    ['received', 'processing', 'awaiting_supplement', 'awaiting_payment', 'resolved', 'returned'] as const
  ).map((s): [DossierStatus, DossierAction, DossierStatus] => [s, 'record-digitisation', s]),
];

describe('lifecycle: every legal transition', () => {
  for (const [from, action, to] of legal) {
    it(`${from} --${action}--> ${to}`, () => expect(nextStatus(from, action)).toBe(to));
  }
});

describe('lifecycle: every other (state, action) is INVALID_TRANSITION naming both', () => {
  const isLegal = new Set(legal.map(([s, a]) => `${s}|${a}`));
  for (const status of dossierStatuses) {
    for (const action of dossierActions) {
      if (isLegal.has(`${status}|${action}`)) continue;
      it(`${status} cannot ${action}`, () => {
        try {
          nextStatus(status, action);
          expect.unreachable();
        } catch (err) {
          expect(err).toBeInstanceOf(DomainError);
          expect((err as DomainError).code).toBe('INVALID_TRANSITION');
          expect((err as DomainError).params).toEqual({ state: status, action });
        }
      });
    }
  }
});

describe('national status codes (DVCQG TrangThaiHoSo)', () => {
  it('maps the ten states to 1–10 in the portal order', () => {
    expect(dossierStatuses.map((s) => nationalStatusOf[s])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe('dossier code', () => {
  it('is {unit}-{yyMMdd}-{NNNN}', () => {
    expect(formatDossierCode('000.17.22.H56', '2024-07-09', 1)).toBe('000.17.22.H56-240709-0001');
    expect(formatDossierCode('000.17.22.H56', '2024-07-09', 12345)).toBe('000.17.22.H56-240709-12345');
    expect(parseDossierCode('000.17.22.H56-240709-0001')).toEqual({
      unitCode: '000.17.22.H56',
      yymmdd: '240709',
      counter: 1,
    });
    expect(parseDossierCode('nonsense')).toBeNull();
    expect(() => formatDossierCode('X', '2024-07-09', 0)).toThrow(RangeError);
  });
});

describe('applicant', () => {
  it('identifier format depends on the applicant type', () => {
    expect(identifierProblem('citizen', '001099012345')).toBeNull();
    expect(identifierProblem('citizen', '123456789')).toBeNull();
    expect(identifierProblem('citizen', '00109901234')).not.toBeNull();
    expect(identifierProblem('citizen', '0101234567')).not.toBeNull();
    expect(identifierProblem('organization', '0101234567')).toBeNull();
    expect(identifierProblem('organization', '0101234567-001')).toBeNull();
    expect(identifierProblem('organization', '0101234567001')).toBeNull();
    expect(identifierProblem('organization', '001099012345')).not.toBeNull();
  });

  it('names are stored NFC with single spaces', () => {
    const nfd = 'Nguye\u0302\u0303n  Va\u0306n A';
    expect(normalizeText(nfd)).toBe('Nguyễn Văn A');
    expect(normalizeText(nfd)).toBe('Nguyễn Văn A'.normalize('NFC'));
  });

  it('the search key drops diacritics and reads đ as d', () => {
    expect(searchKey('Nguyễn Văn Đức')).toBe('nguyen van duc');
    expect(searchKey('NGUYEN  van đuc')).toBe('nguyen van duc');
    expect(searchKey('Nguye\u0302\u0303n')).toBe('nguyen');
  });

  it('masks identifiers, phones and e-mails for read-only keys', () => {
    expect(maskTail('001099012345')).toBe('********2345');
    expect(maskTail('0912345678')).toBe('******5678');
    expect(maskTail(null)).toBeNull();
    expect(maskEmail('an.nguyen@example.vn')).toBe('a***@example.vn');
  });
});
