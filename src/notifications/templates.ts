// The Vietnamese texts sent to applicants, all in one place: what each notifying event says by e-mail (subject
// and body) and by SMS. Pure: the facts come in, the texts go out. Dates are written dd/MM/yyyy in Vietnam's
// time, with the hour where an appointment has one.
import { formatClock, localDateOf, minuteOfDayOf } from '../domain/local-time.js';

/** The dossier events the applicant is told of (DOMAIN: the citizen's side), by their outbox type. */
export const notifyingEvents = [
  'dossier.received',
  'dossier.awaiting_supplement',
  'dossier.rescheduled',
  'dossier.resolved',
  'dossier.returned',
] as const;
export type NotifyingEvent = (typeof notifyingEvents)[number];

export function isNotifyingEvent(type: string): type is NotifyingEvent {
  return (notifyingEvents as readonly string[]).includes(type);
}

/** What a message says, taken from the dossier as the event left it. */
export interface MessageFacts {
  code: string;
  procedureName: string;
  unitName: string;
  /** The appointment (ngày hẹn trả): the statutory due, or the apology's new date once rescheduled. */
  dueAt: Date | null;
  rescheduledDueAt: Date | null;
  result: 'approved' | 'refused' | null;
  /** A supplement request's missing papers, as the clerk listed them; its reason. */
  items: string[];
  reason: string | null;
  /** The lookup secret (mã tra cứu) and the lookup address (src/domain/lookup.ts), on the receipt. */
  lookupSecret: string | null;
  lookupUrl: string | null;
}

export interface MessageTexts {
  subject: string;
  email: string;
  sms: string;
}

/** 05/03/2098 */
export function formatDate(instant: Date): string {
  const [y, m, d] = localDateOf(instant).split('-');
  return `${d}/${m}/${y}`;
}

/** "08:00 ngày 05/03/2098" */
export function formatAppointment(instant: Date): string {
  return `${formatClock(minuteOfDayOf(instant))} ngày ${formatDate(instant)}`;
}

/** Text as a sentence: a full stop added unless it already ends in one (or ! ?). */
const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

const greeting = 'Kính gửi Ông/Bà,';
const signature = (f: MessageFacts) => `Trân trọng,\n${f.unitName}`;
const noReply = 'Đây là thư tự động, xin Ông/Bà vui lòng không trả lời thư này.';

/** The texts of one event's message. */
export function messageFor(event: NotifyingEvent, f: MessageFacts): MessageTexts {
  const body = bodies[event](f);
  return {
    subject: body.subject,
    email: [greeting, '', ...body.lines, '', signature(f), '', noReply].join('\n'),
    sms: body.sms,
  };
}

const bodies: Record<NotifyingEvent, (f: MessageFacts) => { subject: string; lines: string[]; sms: string }> =
  {
    'dossier.received': (f) => {
      const appointment = f.dueAt ? formatAppointment(f.dueAt) : null;
      const lookup =
        f.lookupSecret && f.lookupUrl
          ? `Ông/Bà có thể tra cứu tình trạng hồ sơ tại ${f.lookupUrl} với mã tra cứu ${f.lookupSecret}.`
          : null;
      return {
        subject: `Tiếp nhận hồ sơ ${f.code}`,
        lines: [
          `${f.unitName} đã tiếp nhận hồ sơ ${f.code} của Ông/Bà về thủ tục "${f.procedureName}".`,
          ...(appointment ? [`Thời gian hẹn trả kết quả: ${appointment}.`] : []),
          ...(lookup ? [lookup] : []),
        ],
        sms:
          `${f.unitName} đã tiếp nhận hồ sơ ${f.code}.` +
          (appointment ? ` Hẹn trả kết quả: ${appointment}.` : '') +
          (f.lookupSecret && f.lookupUrl ? ` Tra cứu: ${f.lookupUrl} mã ${f.lookupSecret}.` : ''),
      };
    },
    'dossier.awaiting_supplement': (f) => {
      const items = f.items.length ? f.items : null;
      return {
        subject: `Yêu cầu bổ sung hồ sơ ${f.code}`,
        lines: [
          `Hồ sơ ${f.code} của Ông/Bà về thủ tục "${f.procedureName}" cần được bổ sung, hoàn thiện.`,
          ...(f.reason ? [sentence(`Lý do: ${f.reason}`)] : []),
          ...(items ? ['Các giấy tờ cần bổ sung:', ...items.map((item) => `- ${item}`)] : []),
          'Thời hạn giải quyết tạm dừng cho đến khi Ông/Bà nộp đủ hồ sơ bổ sung.',
        ],
        sms:
          `Hồ sơ ${f.code} cần bổ sung` +
          (items ? `: ${items.join('; ')}.` : '.') +
          ' Ông/Bà vui lòng nộp bổ sung để hồ sơ được tiếp tục giải quyết.',
      };
    },
    'dossier.rescheduled': (f) => {
      const newDate = f.rescheduledDueAt ? formatAppointment(f.rescheduledDueAt) : null;
      return {
        subject: `Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ ${f.code}`,
        lines: [
          `${f.unitName} thành thật xin lỗi Ông/Bà vì hồ sơ ${f.code} về thủ tục "${f.procedureName}" chưa được giải quyết đúng hẹn.`,
          ...(f.reason ? [sentence(`Lý do: ${f.reason}`)] : []),
          ...(newDate ? [`Thời gian hẹn trả kết quả mới: ${newDate}.`] : []),
        ],
        sms:
          `${f.unitName} xin lỗi vì hồ sơ ${f.code} chưa được giải quyết đúng hẹn.` +
          (newDate ? ` Hẹn trả kết quả mới: ${newDate}.` : ''),
      };
    },
    'dossier.resolved': (f) => {
      const outcome =
        f.result === 'refused'
          ? 'Kết quả: hồ sơ không được chấp thuận; văn bản trả lời nêu rõ lý do.'
          : 'Kết quả: hồ sơ được giải quyết theo đề nghị của Ông/Bà.';
      return {
        subject: `Hồ sơ ${f.code} đã có kết quả`,
        lines: [
          `Hồ sơ ${f.code} của Ông/Bà về thủ tục "${f.procedureName}" đã có kết quả giải quyết.`,
          outcome,
          `Mời Ông/Bà đến ${f.unitName} để nhận kết quả, hoặc nhận theo hình thức đã đăng ký.`,
        ],
        sms: `Hồ sơ ${f.code} đã có kết quả. Mời Ông/Bà đến ${f.unitName} để nhận kết quả.`,
      };
    },
    'dossier.returned': (f) => ({
      subject: `Đã trả kết quả hồ sơ ${f.code}`,
      lines: [
        `Kết quả giải quyết hồ sơ ${f.code} về thủ tục "${f.procedureName}" đã được trả cho Ông/Bà.`,
        'Cảm ơn Ông/Bà đã sử dụng dịch vụ.',
      ],
      sms: `Kết quả hồ sơ ${f.code} đã được trả. Cảm ơn Ông/Bà đã sử dụng dịch vụ.`,
    }),
  };
