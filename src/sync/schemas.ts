import { z } from 'zod';
import type { OutboxPosition } from '../db/outbox.js';
import { InstantString, type CursorForm } from '../http/schemas.js';
import { Dossier } from '../dossiers/schemas.js';
import { RaisedAlert } from '../alerts/schemas.js';

/** The national portal's instants: yyyyMMddHHmmss in Vietnamese local time (not RFC 3339). */
const portalTimeMeta = (description: string, example: string) => ({
  pattern: '^\\d{14}$',
  maxLength: 14,
  description: `${description} yyyyMMddHHmmss, Vietnamese local time (the portal\u2019s format).`,
  example,
});
const PortalTime = (description: string, example: string) =>
  z.string().meta(portalTimeMeta(description, example));
const PortalTimeOrNull = (description: string, example: string) =>
  z.string().nullable().meta(portalTimeMeta(description, example));

export const DossierSnapshot = Dossier.omit({ timeliness: true, remainingWorkingMinutes: true }).meta({
  id: 'DossierSnapshot',
  description:
    'The dossier as it was right after the change (for an alert: as it is when the alert is handed on).',
});

const Change = z
  .object({
    cursor: z.string().describe('Resume after this change.'),
    type: z
      .string()
      .describe('dossier.<event> for a change of the dossier; alert.<kind> for an alert raised on it.')
      .meta({ example: 'dossier.received' }),
    occurredAt: InstantString,
    dossier: DossierSnapshot,
    alert: RaisedAlert.optional().describe('alert.* changes only: the alert raised.'),
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
    // No leading zero: PostgreSQL would read the transaction id in octal, the API in decimal.
    const m = /^(0|[1-9]\d*):(\d+)$/.exec(text);
    return m ? { txid: m[1]!, id: Number(m[2]) } : null;
  },
  field: 'querystring.after',
  reason: 'feed_cursor',
};

/**
 * The portal's dossier: the portal's field names only. Built when the routes register (not at import), which
 * keeps its place among the document's components.
 */
export const dvcqgDossier = () => {
  const Identifier = z
    .object({
      LoaiDinhDanh: z
        .literal([1, 2])
        .describe('1: 12-digit citizen ID (CCCD); 2: 9-digit citizen ID (CMND).')
        .meta({ example: 1 }),
      SoDinhDanh: z.string().describe('The identifier.').meta({ example: '001099012345' }),
    })
    .meta({ id: 'DvcqgIdentifier', description: 'An identifier of the applicant (DinhDanhCHS).' });
  const Supplement = z
    .object({
      NgayBoSung: PortalTime('When the supplement was requested (Form 02).', '20250603090000'),
      NoiDungBoSung: z
        .string()
        .nullable()
        .describe('What is missing: the reason the clerk gave.')
        .meta({ example: 'Thiếu bản sao giấy khai sinh' }),
      NgayTiepNhanBoSung: PortalTimeOrNull(
        'When the supplement was received; null while it is awaited.',
        '20250604090000',
      ),
      NgayHenTraTruoc: PortalTimeOrNull(
        'The appointment date in force before the request.',
        '20250609080000',
      ),
      NgayHenTraMoi: PortalTimeOrNull(
        'The appointment date in force once the supplement was received; null while it is awaited.',
        '20250611090000',
      ),
    })
    .meta({ id: 'DvcqgSupplement', description: 'One supplement request (DanhSachHoSoBoSung).' });
  const Progress = z
    .object({
      MaHoSo: z.string().describe('The dossier code.').meta({ example: '000.17.22.H56-250602-0001' }),
      NguoiXuLy: z
        .string()
        .nullable()
        .describe('The officer who took the dossier over (the step\u2019s holder); null where none is named.')
        .meta({ example: 'Trần Thị Bình' }),
      ChucDanh: z
        .string()
        .nullable()
        .describe('That officer\u2019s title; null where none is recorded.')
        .meta({ example: 'Chuyên viên' }),
      PhongBanXuLy: z
        .string()
        .describe('The name of the unit holding the dossier from this handover (during the step).')
        .meta({ example: 'Phòng Tư pháp' }),
      ThoiDiemXuLy: PortalTime('When it was handed over.', '20250602100000'),
      NoiDungXuLy: z
        .string()
        .describe(
          'What happened: Tiếp nhận hồ sơ (received), Giao xử lý (assigned within the unit) or Chuyển xử lý ' +
            '(transferred to another unit), followed by the clerk\u2019s note when there is one.',
        )
        .meta({ example: 'Chuyển xử lý: Chuyển phòng chuyên môn' }),
      TrangThai: z
        .number()
        .int()
        .min(1)
        .max(10)
        .describe('The dossier\u2019s status (TrangThaiHoSo) once handed over.')
        .meta({ example: 4 }),
      NgayBatDau: PortalTime(
        'When the holder\u2019s step started: the handover, or the dossier\u2019s start when it was handed over ' +
          'before its clock started.',
        '20250602100000',
      ),
      NgayKetThucTheoQuyDinh: PortalTimeOrNull(
        'When the holder must be done: the step\u2019s due (its start plus its allotment and the working time ' +
          'paused). For a dossier received before steps were kept: the statutory appointment date in force at ' +
          'the handover.',
        '20250609080000',
      ),
    })
    .meta({
      id: 'DvcqgProgress',
      description:
        'One handover (QuaTrinhXuLy): the receipt, then each assignment, hand-over or transfer; each one a step run.',
    });
  return z
    .object({
      MaHoSo: z.string().describe('The dossier code.').meta({ example: '000.17.22.H56-250602-0001' }),
      MaTTHC: z.string().describe('The procedure code.').meta({ example: '1.004616' }),
      TenTTHC: z.string().describe('The procedure name.').meta({ example: 'Cấp bản sao trích lục hộ tịch' }),
      MaLinhVuc: z
        .string()
        .describe('The procedure\u2019s field (lĩnh vực) code.')
        .meta({ example: 'G01.HT' }),
      TenLinhVuc: z.string().describe('The procedure\u2019s field name.').meta({ example: 'Hộ tịch' }),
      KenhThucHien: z
        .literal([1, 2, 3])
        .describe('The channel: 1 direct (at the counter), 2 online, 3 postal.')
        .meta({ example: 1 }),
      ChuHoSo: z.string().describe('The applicant\u2019s name.').meta({ example: 'Nguyễn Văn An' }),
      LoaiDoiTuong: z
        .literal([1, 2])
        .describe(
          'The applicant type: 1 citizen, 2 enterprise. Organisations are all sent as 2: the portal\u2019s ' +
            '3 (state agency) and 4 (other) are never used, the service knowing no finer type.',
        )
        .meta({ example: 1 }),
      SoGiayToChuHoSo: z
        .string()
        .nullable()
        .describe('The applicant\u2019s identifier as given: citizen ID, or an organisation\u2019s tax code.')
        .meta({ example: '001099012345' }),
      DinhDanhCHS: z
        .array(Identifier)
        .describe('The applicant\u2019s citizen ID, typed; empty for a tax code or when none was given.')
        .meta({ example: [{ LoaiDinhDanh: 1, SoDinhDanh: '001099012345' }] }),
      TrichYeuHoSo: z
        .string()
        .nullable()
        .describe('The dossier\u2019s summary.')
        .meta({ example: 'Đăng ký khai sinh cho con' }),
      NgayNopHoSo: PortalTimeOrNull(
        'When the dossier was submitted: online, the submission; otherwise when it was received.',
        '20250602080000',
      ),
      NgayTiepNhan: PortalTimeOrNull(
        'When it was received (online: accepted); null while an online dossier awaits acceptance.',
        '20250602080000',
      ),
      NgayHenTra: PortalTimeOrNull('The statutory appointment date in force.', '20250609080000'),
      TrangThaiHoSo: z
        .number()
        .int()
        .min(1)
        .max(10)
        .describe(
          'The status, 1 submitted … 10 returned (the same code as the dossier\u2019s nationalStatus).',
        )
        .meta({ example: 10 }),
      NgayTuChoi: PortalTimeOrNull('When it was rejected (status 3); else null.', '20250603083000'),
      NgayKetThucXuLy: PortalTimeOrNull(
        'When processing ended: resolved, rejected, withdrawn or stopped.',
        '20250606100000',
      ),
      NgayTra: PortalTimeOrNull('When the result was returned.', '20250606140000'),
      HinhThuc: z
        .literal([0, 1])
        .nullable()
        .describe(
          'How the result was returned: 0 at the counter (also a result returned online: the portal has no ' +
            'electronic form), 1 by post; null until returned or when the return named no method.',
        )
        .meta({ example: 1 }),
      DonViXuLy: z
        .string()
        .describe('The name of the unit handling the dossier.')
        .meta({ example: 'Phòng Tư pháp' }),
      DuocThanhToanTrucTuyen: z
        .literal([0, 1])
        .describe(
          'Whether the financial obligation was paid online (1), else 0: paid at the counter or by bank transfer, ' +
            'or nothing paid. A dossier paid more than once: its last payment.',
        )
        .meta({ example: 1 }),
      HoSoCoThanhPhanSoHoa: z
        .literal([0, 1])
        .describe('Whether any component handed in is digitised (1), else 0.')
        .meta({ example: 1 }),
      TaiLieuNop: z
        .array(
          z
            .object({
              TenTepDinhKem: z.string().describe('The component\u2019s name.'),
              DuocSoHoa: z.literal([0, 1]).describe('Digitised (1) or not (0).'),
            })
            .meta({ id: 'DvcqgComponent', description: 'One component handed in (TaiLieuNop).' }),
        )
        .describe('The components handed in, in the order of the intake.')
        .meta({ example: [{ TenTepDinhKem: 'Tờ khai đăng ký khai sinh', DuocSoHoa: 1 }] }),
      DanhSachHoSoBoSung: z
        .array(Supplement)
        .describe('The supplement requests, oldest first.')
        .meta({
          example: [
            {
              NgayBoSung: '20250603090000',
              NoiDungBoSung: 'Thiếu bản sao giấy khai sinh',
              NgayTiepNhanBoSung: '20250604090000',
              NgayHenTraTruoc: '20250609080000',
              NgayHenTraMoi: '20250611090000',
            },
          ],
        }),
      QuaTrinhXuLy: z
        .array(Progress)
        .describe('The handovers, oldest first; empty while the dossier was never received.')
        .meta({
          example: [
            {
              MaHoSo: '000.17.22.H56-250602-0001',
              NguoiXuLy: null,
              ChucDanh: null,
              PhongBanXuLy: 'UBND xã Tân Hòa',
              ThoiDiemXuLy: '20250602080000',
              NoiDungXuLy: 'Tiếp nhận hồ sơ',
              TrangThai: 2,
              NgayBatDau: '20250602080000',
              NgayKetThucTheoQuyDinh: '20250609080000',
            },
          ],
        }),
    })
    .meta({
      id: 'DvcqgDossier',
      description: 'A dossier in the national public-service portal\u2019s format, its field names only.',
    });
};
