import { describe, expect, it } from 'vitest';
import {
  formatAppointment,
  formatDate,
  messageFor,
  type MessageFacts,
} from '../src/notifications/templates.js';
import { messageIdOf, senderDomain } from '../src/notifications/senders.js';

const facts: MessageFacts = {
  code: '000.17.22.H56-250429-0001',
  procedureName: 'Đăng ký khai sinh',
  unitName: 'UBND xã Tân Hòa',
  dueAt: new Date('2025-05-06T10:00:00Z'),
  rescheduledDueAt: null,
  result: null,
  items: [],
  reason: null,
  lookupSecret: null,
  lookupUrl: null,
};

describe('the Vietnamese texts of notifications', () => {
  it('dates are dd/MM/yyyy in Vietnam time, with the hour of an appointment', () => {
    // 18:30 UTC on 1 May is 01:30 on 2 May in Vietnam.
    expect(formatDate(new Date('2025-05-01T18:30:00Z'))).toBe('02/05/2025');
    expect(formatAppointment(new Date('2025-05-06T10:00:00Z'))).toBe('17:00 ngày 06/05/2025');
  });

  it('the receipt names the unit, the procedure and the appointment', () => {
    const m = messageFor('dossier.received', facts);
    expect(m.subject).toBe('Tiếp nhận hồ sơ 000.17.22.H56-250429-0001');
    expect(m.email).toContain(
      'UBND xã Tân Hòa đã tiếp nhận hồ sơ 000.17.22.H56-250429-0001 của Ông/Bà về thủ tục "Đăng ký khai sinh".',
    );
    expect(m.email).toContain('Thời gian hẹn trả kết quả: 17:00 ngày 06/05/2025.');
    expect(m.sms).toBe(
      'UBND xã Tân Hòa đã tiếp nhận hồ sơ 000.17.22.H56-250429-0001. Hẹn trả kết quả: 17:00 ngày 06/05/2025.',
    );
  });

  it('the receipt carries the lookup secret and address when known', () => {
    const url = 'https://dichvucong.example.vn/v1/public/dossiers/000.17.22.H56-250429-0001?check=K7M29QXP';
    const m = messageFor('dossier.received', { ...facts, lookupSecret: 'K7M29QXP', lookupUrl: url });
    expect(m.email).toContain(`Ông/Bà có thể tra cứu tình trạng hồ sơ tại ${url} với mã tra cứu K7M29QXP.`);
    expect(m.sms).toContain(`Tra cứu: ${url} mã K7M29QXP.`);
  });

  it('a supplement request lists the missing papers, and words a request without a list as a sentence', () => {
    const m = messageFor('dossier.awaiting_supplement', { ...facts, items: ['Tờ khai', 'Giấy chứng sinh'] });
    expect(m.email).toContain('Các giấy tờ cần bổ sung:\n- Tờ khai\n- Giấy chứng sinh');
    expect(m.sms).toContain('cần bổ sung: Tờ khai; Giấy chứng sinh.');
    const bare = messageFor('dossier.awaiting_supplement', { ...facts, reason: 'Hồ sơ chưa đầy đủ.' });
    expect(bare.email).toContain('Lý do: Hồ sơ chưa đầy đủ.\n');
    expect(bare.email).not.toContain('Các giấy tờ cần bổ sung');
    expect(bare.sms).toMatch(/^Hồ sơ 000\.17\.22\.H56-250429-0001 cần bổ sung\. /);
  });

  it('the apology gives the new date; the result ready says whether it was refused', () => {
    const apology = messageFor('dossier.rescheduled', {
      ...facts,
      rescheduledDueAt: new Date('2025-05-13T03:00:00Z'),
    });
    expect(apology.email).toContain('Thời gian hẹn trả kết quả mới: 10:00 ngày 13/05/2025.');
    const refused = messageFor('dossier.resolved', { ...facts, result: 'refused' });
    expect(refused.email).toContain('Kết quả: hồ sơ không được chấp thuận; văn bản trả lời nêu rõ lý do.');
  });

  it('every e-mail greets, signs with the unit and says it is automatic', () => {
    for (const event of [
      'dossier.received',
      'dossier.awaiting_supplement',
      'dossier.rescheduled',
      'dossier.resolved',
      'dossier.returned',
    ] as const) {
      const m = messageFor(event, facts);
      expect(m.email.startsWith('Kính gửi Ông/Bà,\n\n')).toBe(true);
      expect(m.email).toContain('Trân trọng,\nUBND xã Tân Hòa');
      expect(m.email.normalize('NFC')).toBe(m.email);
    }
  });

  it('the Message-ID is the notification id at the sender domain', () => {
    expect(senderDomain('UBND xã Tân Hòa <mot-cua@tanhoa.gov.vn>')).toBe('tanhoa.gov.vn');
    expect(senderDomain('mot-cua@tanhoa.gov.vn')).toBe('tanhoa.gov.vn');
    expect(messageIdOf('0b4f', 'x@a.vn')).toBe('<0b4f@a.vn>');
  });
});
