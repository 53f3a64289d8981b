// An alert as the change feed and the webhooks hand it on: the dossier beside the alert.
import type { DbOrTx } from '../db/client.js';
import { dossierViewsByIds } from '../dossiers/lookups.js';
import { dossierSnapshot } from '../dossiers/representation.js';

/** An outbox row as the feed and the webhook fan-out read it. */
interface Announced {
  type: string;
  dossierId: number | null;
  payload: Record<string, unknown>;
}

/**
 * The rows with every alert's dossier added. An alert's outbox row holds the alert alone (the scan raises them
 * set-based, a million at a time on a first start): its dossier is read when the alert is handed on, as it is
 * then. An alert changes nothing of the dossier, so the snapshot's version is that of the dossier's latest change,
 * or later. The alert always names its step, officer and unit, null for a dossier's own alerts (a row stored
 * before they were named lacks them). An alert whose dossier no longer exists is left out. One statement for all
 * the rows' dossiers, none when no row is an alert.
 */
export async function withAlertDossiers<R extends Announced>(db: DbOrTx, rows: R[]): Promise<R[]> {
  const isAlert = (r: R) => r.type.startsWith('alert.');
  const ids = [...new Set(rows.filter(isAlert).flatMap((r) => (r.dossierId === null ? [] : [r.dossierId])))];
  const views = new Map((await dossierViewsByIds(db, ids)).map((v) => [v.d.id, v]));
  return rows.flatMap((r) => {
    if (!isAlert(r)) return [r];
    const view = r.dossierId === null ? undefined : views.get(r.dossierId);
    if (!view) return [];
    const alert = r.payload.alert as Record<string, unknown>;
    return [
      {
        ...r,
        payload: {
          dossier: dossierSnapshot(view),
          alert: {
            ...alert,
            stepCode: alert.stepCode ?? null,
            officerCode: alert.officerCode ?? null,
            unitCode: alert.unitCode ?? null,
          },
        },
      },
    ];
  });
}
