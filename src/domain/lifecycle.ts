/**
 * The dossier lifecycle (docs/domain.md §7): states, the national portal's status codes (DVCQG
 * TrangThaiHoSo) and which action may move a dossier from which state.
 */
import { DomainError } from './errors.js';

export const dossierStatuses = [
  'submitted',
  'received',
  'rejected',
  'processing',
  'awaiting_supplement',
  'awaiting_payment',
  'withdrawn',
  'stopped',
  'resolved',
  'returned',
] as const;
export type DossierStatus = (typeof dossierStatuses)[number];

/** DVCQG TrangThaiHoSo for each state. */
export const nationalStatusOf: Record<DossierStatus, number> = {
  submitted: 1,
  received: 2,
  rejected: 3,
  processing: 4,
  awaiting_supplement: 5,
  awaiting_payment: 6,
  withdrawn: 7,
  stopped: 8,
  resolved: 9,
  returned: 10,
};

export const dossierActions = [
  'accept',
  'reject',
  'assign',
  'hand-over',
  'request-supplement',
  'receive-supplement',
  'request-payment',
  'confirm-payment',
  'reschedule',
  'resolve',
  'return',
  'withdraw',
  'stop',
  'record-digitisation',
] as const;
export type DossierAction = (typeof dossierActions)[number];

/** Received and not finished: the clock runs (or is paused). */
export const openStatuses: readonly DossierStatus[] = [
  'received',
  'processing',
  'awaiting_supplement',
  'awaiting_payment',
];
export const pausedStatuses: readonly DossierStatus[] = ['awaiting_supplement', 'awaiting_payment'];
/** Finished for the statistics: resolved (and then returned), withdrawn or stopped. */
export const finishedStatuses: readonly DossierStatus[] = ['resolved', 'returned', 'withdrawn', 'stopped'];

const active: DossierStatus[] = ['received', 'processing'];

/** For each action: the states it may start from and the state it leads to ('same' keeps the state). */
export const transitions: Record<
  DossierAction,
  { from: readonly DossierStatus[]; to: DossierStatus | 'same' }
> = {
  accept: { from: ['submitted'], to: 'received' },
  reject: { from: ['submitted'], to: 'rejected' },
  assign: { from: active, to: 'processing' },
  // A handover between steps (the step clock), allowed where assign is; assign counts as one too.
  'hand-over': { from: active, to: 'processing' },
  'request-supplement': { from: active, to: 'awaiting_supplement' },
  'receive-supplement': { from: ['awaiting_supplement'], to: 'processing' },
  'request-payment': { from: active, to: 'awaiting_payment' },
  'confirm-payment': { from: ['awaiting_payment'], to: 'processing' },
  reschedule: { from: openStatuses, to: 'same' },
  resolve: { from: active, to: 'resolved' },
  return: { from: ['resolved'], to: 'returned' },
  withdraw: { from: ['submitted', ...openStatuses], to: 'withdrawn' },
  stop: { from: openStatuses, to: 'stopped' },
  // Components scanned after intake, or the result issued electronically: a fact, not a move.
  'record-digitisation': { from: [...openStatuses, 'resolved', 'returned'], to: 'same' },
};

/** The state an action leads to, or INVALID_TRANSITION naming the state and the action. */
export function nextStatus(status: DossierStatus, action: DossierAction): DossierStatus {
  const rule = transitions[action];
  if (!rule.from.includes(status)) throw new DomainError('INVALID_TRANSITION', { state: status, action });
  return rule.to === 'same' ? status : rule.to;
}

export function isOpen(status: DossierStatus): boolean {
  return openStatuses.includes(status);
}

export function isPaused(status: DossierStatus): boolean {
  return pausedStatuses.includes(status);
}
