/**
 * The national public-service portal's dossier format (Cổng Dịch vụ công quốc gia): the portal's own field names
 * and codes, so a provincial system forwards the object as it is. Dates are local time written yyyyMMddHHmmss.
 * Nothing of motcua's own vocabulary belongs in it: what the portal has no field for (the result approved or
 * refused, the receiving unit's code, the status before and after each event) is read from the dossier and its
 * events instead.
 */
import { formatInstant } from '../domain/local-time.js';
import { nationalStatusOf, type DossierStatus } from '../domain/lifecycle.js';
import type { ApplicantType } from '../domain/applicant.js';

export function dvcqgDate(instant: Date): string;
export function dvcqgDate(instant: Date | null): string | null;
export function dvcqgDate(instant: Date | null): string | null {
  if (!instant) return null;
  const s = formatInstant(instant); // 2025-04-29T16:30:00+07:00
  return s.slice(0, 4) + s.slice(5, 7) + s.slice(8, 10) + s.slice(11, 13) + s.slice(14, 16) + s.slice(17, 19);
}

/** KenhThucHien: 1 direct, 2 online, 3 postal. */
export const channelCode = { direct: 1, online: 2, postal: 3 } as const;

/**
 * LoaiDoiTuong: 1 citizen, 2 enterprise, 3 state agency, 4 other. An applicant here is a citizen or an
 * organisation, with no finer type, so every organisation is sent as an enterprise (2).
 */
export const applicantTypeCode = { citizen: 1, organization: 2 } as const;

/**
 * HinhThuc, how the result is returned: 0 at the counter, 1 by post. The portal has no code for an electronic
 * return; a result returned online is sent as 0, as integrations of the portal do (its files travel in the
 * result list, not by post).
 */
export const returnFormCode = { counter: 0, online: 0, postal: 1 } as const;
export type ReturnMethod = keyof typeof returnFormCode;

/**
 * DinhDanhCHS, the applicant's identifiers: LoaiDinhDanh 1 for a 12-digit citizen ID (CCCD), 2 for a 9-digit
 * one (CMND). The portal gives a tax code no identifier type, so an organisation's tax code is not listed
 * (it is still SoGiayToChuHoSo).
 */
export function applicantIdentifiers(
  idNumber: string | null,
): Array<{ LoaiDinhDanh: 1 | 2; SoDinhDanh: string }> {
  if (idNumber === null) return [];
  if (/^\d{12}$/.test(idNumber)) return [{ LoaiDinhDanh: 1, SoDinhDanh: idNumber }];
  if (/^\d{9}$/.test(idNumber)) return [{ LoaiDinhDanh: 2, SoDinhDanh: idNumber }];
  return [];
}

/** The officer who took a dossier over (cán bộ) and their title (chức danh). */
export interface HandoverOfficer {
  fullName: string;
  title: string;
}

/**
 * A handover: from this instant the dossier is held by `unitName`. The receipt is the first; every assignment or
 * hand-over after it another (to a holder in the same unit, or a transfer to another unit): each starts a step
 * run of the step clock.
 */
export interface Handover {
  kind: 'receipt' | 'assign' | 'transfer';
  /** When it was handed over. */
  at: Date;
  /** When the holder's time started: the step's start (the handover, or the dossier's start if later). */
  startAt: Date;
  unitName: string;
  /** The dossier's state once handed over. */
  status: DossierStatus;
  /** Who took it over; null where none is named. */
  officer: HandoverOfficer | null;
  /** When the holder must be done: the step's due. */
  dueAt: Date | null;
  note: string | null;
}

/** A step run as the portal's record takes it (a row of dossier_steps with its names). */
export interface StepRun {
  handedOverAt: Date;
  startAt: Date;
  dueAt: Date;
  unitName: string;
  officer: HandoverOfficer | null;
}

const handoverWording: Record<Handover['kind'], string> = {
  receipt: 'Tiếp nhận hồ sơ',
  assign: 'Giao xử lý',
  transfer: 'Chuyển xử lý',
};

/** One entry of QuaTrinhXuLy: a handover as the portal records a processing step. */
export function progressEntry(code: string, h: Handover) {
  return {
    MaHoSo: code,
    NguoiXuLy: h.officer?.fullName ?? null,
    ChucDanh: h.officer?.title ?? null,
    PhongBanXuLy: h.unitName,
    ThoiDiemXuLy: dvcqgDate(h.at),
    NoiDungXuLy: h.note ? `${handoverWording[h.kind]}: ${h.note}` : handoverWording[h.kind],
    TrangThai: nationalStatusOf[h.status],
    NgayBatDau: dvcqgDate(h.startAt),
    NgayKetThucTheoQuyDinh: dvcqgDate(h.dueAt),
  };
}

/** An event of the audit trail, as far as the handovers need it. */
export interface TrailEvent {
  type: string;
  at: Date;
  toStatus: DossierStatus;
  data: Record<string, unknown>;
}

/**
 * The handovers in an audit trail: the receipt (the intake of a counter or postal dossier, the acceptance of an
 * online one), then each assignment: `assign` and `hand-over` keep the holding unit, `transferred` names the unit
 * it went to. A dossier never received (submitted online, then rejected or withdrawn) was never handed over. The
 * trail names no officer and no step: `withStepRuns` adds them.
 */
export function handoversOf(
  events: readonly TrailEvent[],
  receivingUnitCode: string,
  unitName: (code: string) => string,
  dueAt: (at: Date) => Date | null,
): Handover[] {
  const handovers: Handover[] = [];
  let holder = receivingUnitCode;
  const note = (e: TrailEvent) => (typeof e.data.note === 'string' ? e.data.note : null);
  for (const e of events) {
    let kind: Handover['kind'];
    if (handovers.length === 0) {
      if (e.toStatus !== 'received') continue;
      kind = 'receipt';
    } else if (e.type === 'transferred' && typeof e.data.toUnitCode === 'string') {
      kind = 'transfer';
      holder = e.data.toUnitCode;
    } else if (e.type === 'assign' || e.type === 'hand-over') {
      kind = 'assign';
    } else continue;
    handovers.push({
      kind,
      at: e.at,
      startAt: e.at,
      unitName: unitName(holder),
      status: e.toStatus,
      officer: null,
      dueAt: dueAt(e.at),
      note: note(e),
    });
  }
  return handovers;
}

/**
 * The handovers with what the step clock knows of each: the step run it started (one per handover, in order)
 * gives the instant, the start, the unit, the officer who took it over and the step's due. A dossier received
 * before steps were kept has none: its handovers stay as the trail gives them (no officer, the dossier's due).
 */
export function withStepRuns(handovers: Handover[], runs: readonly StepRun[]): Handover[] {
  if (runs.length !== handovers.length) return handovers;
  return handovers.map((h, i) => {
    const run = runs[i]!;
    return {
      ...h,
      at: run.handedOverAt,
      startAt: run.startAt,
      unitName: run.unitName,
      officer: run.officer,
      dueAt: run.dueAt,
    };
  });
}

/** The portal's yes / no: 1 or 0. */
const flag = (yes: boolean): 0 | 1 => (yes ? 1 : 0);

export interface DvcqgInput {
  code: string;
  procedureCode: string;
  procedureName: string;
  fieldCode: string;
  fieldName: string;
  /** The unit handling the dossier now. */
  handlingUnitName: string;
  status: DossierStatus;
  channel: 'direct' | 'online' | 'postal';
  applicantType: ApplicantType;
  applicantName: string;
  applicantIdNumber: string | null;
  summary: string | null;
  submittedAt: Date | null;
  receivedAt: Date | null;
  dueAt: Date | null;
  finishedAt: Date | null;
  returnedAt: Date | null;
  /** How the result was returned, when the return named it. */
  returnMethod: ReturnMethod | null;
  /** How the last payment of the financial obligation was made; null: nothing paid. */
  paymentMethod: 'online' | 'counter' | 'bank_transfer' | null;
  /** The components handed in, each digitised (số hóa) or not. */
  components: Array<{ name: string; digitised: boolean }>;
  /** Supplement requests with the appointment date before and after each. */
  supplements: Array<{
    requestedAt: Date;
    receivedAt: Date | null;
    reason: string | null;
    dueBefore: Date | null;
    dueAfter: Date | null;
  }>;
  handovers: Handover[];
}

export function toDvcqg(d: DvcqgInput) {
  return {
    MaHoSo: d.code,
    MaTTHC: d.procedureCode,
    TenTTHC: d.procedureName,
    MaLinhVuc: d.fieldCode,
    TenLinhVuc: d.fieldName,
    KenhThucHien: channelCode[d.channel],
    ChuHoSo: d.applicantName,
    LoaiDoiTuong: applicantTypeCode[d.applicantType],
    SoGiayToChuHoSo: d.applicantIdNumber,
    DinhDanhCHS: applicantIdentifiers(d.applicantIdNumber),
    TrichYeuHoSo: d.summary,
    NgayNopHoSo: dvcqgDate(d.channel === 'online' ? d.submittedAt : d.receivedAt),
    NgayTiepNhan: dvcqgDate(d.receivedAt),
    NgayHenTra: dvcqgDate(d.dueAt),
    TrangThaiHoSo: nationalStatusOf[d.status],
    NgayTuChoi: d.status === 'rejected' ? dvcqgDate(d.finishedAt) : null,
    NgayKetThucXuLy: dvcqgDate(d.finishedAt),
    NgayTra: dvcqgDate(d.returnedAt),
    HinhThuc: d.returnMethod === null ? null : returnFormCode[d.returnMethod],
    DonViXuLy: d.handlingUnitName,
    DuocThanhToanTrucTuyen: flag(d.paymentMethod === 'online'),
    HoSoCoThanhPhanSoHoa: flag(d.components.some((c) => c.digitised)),
    TaiLieuNop: d.components.map((c) => ({ TenTepDinhKem: c.name, DuocSoHoa: flag(c.digitised) })),
    DanhSachHoSoBoSung: d.supplements.map((s) => ({
      NgayBoSung: dvcqgDate(s.requestedAt),
      NoiDungBoSung: s.reason,
      NgayTiepNhanBoSung: dvcqgDate(s.receivedAt),
      NgayHenTraTruoc: dvcqgDate(s.dueBefore),
      NgayHenTraMoi: dvcqgDate(s.dueAfter),
    })),
    QuaTrinhXuLy: d.handovers.map((h) => progressEntry(d.code, h)),
  };
}
