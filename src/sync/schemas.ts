import { z } from 'zod';
import type { OutboxPosition } from '../db/outbox.js';
import { InstantString, type CursorForm } from '../http/schemas.js';
import { Dossier } from '../dossiers/schemas.js';

/** The national portal's instants: yyyyMMddHHmmss in Vietnamese local time (not RFC 3339). */
const PortalTime = z.string().nullable().meta({
  pattern: '^\\d{14}$',
  maxLength: 14,
  description: 'yyyyMMddHHmmss, Vietnamese local time (the portal\u2019s format).',
});

export const DossierSnapshot = Dossier.omit({ timeliness: true, remainingWorkingMinutes: true }).meta({
  id: 'DossierSnapshot',
  description: 'The dossier as it was right after the change.',
});

const Change = z
  .object({
    cursor: z.string().describe('Resume after this change.'),
    type: z.string().meta({ example: 'dossier.received' }),
    occurredAt: InstantString,
    dossier: DossierSnapshot,
  })
  .meta({ id: 'Change' });

export const ChangePage = z
  .object({
    items: z.array(Change),
    nextCursor: z
      .string()
      .describe('Pass as `after` for the next page; also when items is empty (poll with it).'),
    hasMore: z.boolean().describe('True when more changes are already waiting.'),
  })
  .meta({ id: 'ChangePage' });

export const ChangesQuery = z.object({
  after: z
    .string()
    .max(200)
    .optional()
    .describe('nextCursor of the previous page; omit to start at the beginning.'),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('1–1000, default 100.'),
});

/** Feed positions are (txid, id) of outbox rows, written `txid:id` inside the cursor. */
export const feedPosition: CursorForm<OutboxPosition> = {
  write: (at) => `${at.txid}:${at.id}`,
  read: (text) => {
    const m = /^(\d+):(\d+)$/.exec(text);
    return m ? { txid: m[1]!, id: Number(m[2]) } : null;
  },
  field: 'querystring.after',
  reason: 'feed_cursor',
};

/**
 * The portal's dossier. Built when the routes register (not at import), which keeps its place among the
 * document's components.
 */
export const dvcqgDossier = () =>
  z
    .object({
      MaHoSo: z.string(),
      MaTTHC: z.string(),
      TenTTHC: z.string(),
      MaDonVi: z.string(),
      TenDonVi: z.string(),
      ChuHoSo: z.string(),
      SoGiayToChuHoSo: z.string().nullable(),
      KenhThucHien: z.number().int(),
      TrangThaiHoSo: z.number().int(),
      NgayTiepNhan: PortalTime.meta({ example: '20250429163000' }),
      NgayHenTra: PortalTime.meta({ example: '20250506163000' }),
      NgayHenTraMoi: PortalTime,
      NgayKetThucXuLy: PortalTime,
      NgayTra: PortalTime,
      KetQuaXuLy: z.number().int().nullable().describe('1 approved, 0 refused'),
      DanhSachBoSung: z.array(z.record(z.string(), z.unknown())),
      QuaTrinhXuLy: z.array(z.record(z.string(), z.unknown())),
    })
    .meta({ id: 'DvcqgDossier' });
