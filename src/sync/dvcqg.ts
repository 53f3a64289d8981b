/**
 * The national public-service portal's format (Cổng Dịch vụ công quốc gia): field names and codes a provincial
 * system forwards as they are. Dates are local time written yyyyMMddHHmmss.
 */
import { formatInstant } from '../domain/local-time.js';
import { nationalStatusOf, type DossierStatus } from '../domain/lifecycle.js';

export function dvcqgDate(instant: Date | null): string | null {
  if (!instant) return null;
  const s = formatInstant(instant); // 2025-04-29T16:30:00+07:00
  return s.slice(0, 4) + s.slice(5, 7) + s.slice(8, 10) + s.slice(11, 13) + s.slice(14, 16) + s.slice(17, 19);
}

/** KenhThucHien: 1 direct, 2 online, 3 postal. */
export const channelCode = { direct: 1, online: 2, postal: 3 } as const;

export interface DvcqgInput {
  code: string;
  procedureCode: string;
  procedureName: string;
  unitCode: string;
  unitName: string;
  status: DossierStatus;
  channel: 'direct' | 'online' | 'postal';
  applicantName: string;
  applicantIdNumber: string | null;
  receivedAt: Date | null;
  dueAt: Date | null;
  rescheduledDueAt: Date | null;
  finishedAt: Date | null;
  returnedAt: Date | null;
  result: 'approved' | 'refused' | null;
  /** Supplement cycles with the appointment date before and after each. */
  supplements: Array<{
    requestedAt: Date;
    receivedAt: Date | null;
    reason: string | null;
    oldDueAt: Date | null;
    newDueAt: Date | null;
  }>;
  /** The audit trail. */
  steps: Array<{
    at: Date;
    type: string;
    fromStatus: DossierStatus | null;
    toStatus: DossierStatus;
    unitCode: string | null;
    note: string | null;
  }>;
}

export function toDvcqg(d: DvcqgInput) {
  return {
    MaHoSo: d.code,
    MaTTHC: d.procedureCode,
    TenTTHC: d.procedureName,
    MaDonVi: d.unitCode,
    TenDonVi: d.unitName,
    ChuHoSo: d.applicantName,
    SoGiayToChuHoSo: d.applicantIdNumber,
    KenhThucHien: channelCode[d.channel],
    TrangThaiHoSo: nationalStatusOf[d.status],
    NgayTiepNhan: dvcqgDate(d.receivedAt),
    NgayHenTra: dvcqgDate(d.dueAt),
    NgayHenTraMoi: dvcqgDate(d.rescheduledDueAt),
    NgayKetThucXuLy: dvcqgDate(d.finishedAt),
    NgayTra: dvcqgDate(d.returnedAt),
    KetQuaXuLy: d.result === null ? null : d.result === 'approved' ? 1 : 0,
    DanhSachBoSung: d.supplements.map((s) => ({
      NgayYeuCauBoSung: dvcqgDate(s.requestedAt),
      NgayNhanBoSung: dvcqgDate(s.receivedAt),
      NoiDungBoSung: s.reason,
      NgayHenTraCu: dvcqgDate(s.oldDueAt),
      NgayHenTraMoi: dvcqgDate(s.newDueAt),
    })),
    QuaTrinhXuLy: d.steps.map((s) => ({
      ThoiDiemXuLy: dvcqgDate(s.at),
      NoiDungXuLy: s.type,
      TrangThaiTruoc: s.fromStatus ? nationalStatusOf[s.fromStatus] : null,
      TrangThaiSau: nationalStatusOf[s.toStatus],
      MaDonViXuLy: s.unitCode,
      GhiChu: s.note,
    })),
  };
}
