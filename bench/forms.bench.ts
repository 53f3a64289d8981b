/**
 * The printable forms: how long a PDF takes to render, and whether rendering holds up other requests.
 *
 *   npm run bench:forms -- [--renders 50] [--seconds 5] [--readers 8] [--printers 2] [--rows 200]
 *
 * On a small database of its own (motcua_forms_bench on the server of DATABASE_URL, created anew each run and
 * dropped at the end) it receives a few dossiers and takes each through what its forms record, then:
 * 1. renders each form `--renders` times on this thread (renderPdf, the pure render) and prints p50/p95 per form,
 *    and the register (Form 07) of `--rows` dossiers;
 * 2. runs `--readers` concurrent loops of GET /v1/dossiers/{code} over HTTP for `--seconds`, first alone, then
 *    while `--printers` loops fetch PDFs of every form, with the renders on the event loop (FORMS_RENDER_THREADS=0)
 *    and on 1 and 2 worker threads, and prints the reads' p50/p95/p99 and the PDF requests' p50/p95 in each case.
 */
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { connectPostgres } from '../src/db/client.js';
import { seedReferenceData } from '../src/db/seed.js';
import { insertApiKey } from '../src/auth/keys.js';
import { dossierForms } from '../src/domain/forms.js';
import { renderPdf, type PdfInput } from '../src/forms/pdf.js';
import { argValue, assertLocal, serverUrl } from './common.js';

const RENDERS = Number(argValue('--renders') ?? 50);
const SECONDS = Number(argValue('--seconds') ?? 5);
const READERS = Number(argValue('--readers') ?? 8);
const PRINTERS = Number(argValue('--printers') ?? 2);
const ROWS = Number(argValue('--rows') ?? 200);
const DATABASE = 'motcua_forms_bench';

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
const ms = (n: number) => `${n.toFixed(1)} ms`;
function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    min: s[0] ?? NaN,
    p50: quantile(s, 0.5),
    p95: quantile(s, 0.95),
    p99: quantile(s, 0.99),
  };
}

async function recreateDatabase(): Promise<string> {
  const server = serverUrl();
  assertLocal(server);
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`drop database if exists ${DATABASE} with (force)`);
  await admin.query(`create database ${DATABASE}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

async function dropDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  await admin.query(`drop database if exists ${DATABASE} with (force)`);
  await admin.end();
}

/** An API on its own port with the renders where `threads` says; the caller closes it. */
async function startApi(databaseUrl: string, threads: number, now: () => Date) {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '0',
    NODE_ENV: 'production',
    FORMS_RENDER_THREADS: String(threads),
  });
  const database = await connectPostgres(databaseUrl, 10);
  const app = await buildApp({ config, db: database.db, checks: { postgres: database.ping }, clock: now });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port: number };
  return {
    base: `http://127.0.0.1:${address.port}`,
    app,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

async function main() {
  const url = await recreateDatabase();
  try {
    const database = await connectPostgres(url, 4);
    await database.migrate();
    await seedReferenceData(database.db);
    const { secret: key } = await insertApiKey(database.db, { name: 'bench', role: 'admin', unitCode: null });
    await database.close();

    let now = new Date('2025-06-02T08:00:00+07:00');
    const setup = await startApi(url, 0, () => now);
    let as = key;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await setup.app.inject({
        method: method as 'GET',
        url: path,
        headers: { authorization: `Bearer ${as}` },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${res.body}`);
      return res.json() as Record<string, unknown>;
    };
    const province = '000.00.00.H42';
    const commune = '000.21.01.H42';
    const department = '000.21.02.H42';
    await call('POST', '/v1/units', { code: province, name: 'Ủy ban nhân dân tỉnh Hà Tĩnh' });
    await call('POST', '/v1/units', {
      code: commune,
      name: 'Ủy ban nhân dân xã Thạch Hà',
      parentCode: province,
    });
    await call('POST', '/v1/units', { code: department, name: 'Phòng Kinh tế', parentCode: commune });
    await call('POST', '/v1/officers', {
      code: 'CB.01',
      fullName: 'Lê Thị Hồng',
      title: 'Công chức một cửa',
      unitCode: commune,
    });
    await call('POST', '/v1/officers', {
      code: 'CB.02',
      fullName: 'Trần Văn Đức',
      title: 'Chuyên viên',
      unitCode: department,
    });
    await call('POST', '/v1/procedures', {
      code: '1.001193',
      name: 'Đăng ký khai sinh',
      field: { code: 'G01.HT', name: 'Hộ tịch' },
      duration: { value: 3, unit: 'working_days' },
      fee: 8000,
    });
    const clerk = (
      await call('POST', '/v1/api-keys', { name: 'bench clerk', role: 'clerk', unitCode: commune })
    ).key as string;
    as = clerk;
    const intake = (channel = 'direct') =>
      call('POST', '/v1/dossiers', {
        procedureCode: '1.001193',
        unitCode: commune,
        channel,
        officerCode: 'CB.01',
        applicant: {
          type: 'citizen',
          fullName: 'Nguyễn Thị Ánh Tuyết',
          idNumber: '001099012345',
          phone: '0912345678',
          address: 'Thôn Đông Hưng, xã Thạch Hà, tỉnh Hà Tĩnh',
        },
        components: [
          { name: 'Tờ khai đăng ký khai sinh', copies: 1 },
          { name: 'Giấy chứng sinh', copies: 1 },
        ],
      }).then((d) => d.code as string);
    // One dossier per form: 01/06 after two handovers, 02 paused, 03 rejected, 04 rescheduled, 05 stopped.
    const main = await intake();
    await call('POST', `/v1/dossiers/${main}/assign`, {
      handlingUnitCode: department,
      toOfficerCode: 'CB.02',
    });
    now = new Date('2025-06-03T09:00:00+07:00');
    await call('POST', `/v1/dossiers/${main}/request-supplement`, {
      reason: 'Giấy chứng sinh bị mờ',
      items: ['Bản chính Giấy chứng sinh'],
    });
    now = new Date('2025-06-03T10:00:00+07:00');
    await call('POST', `/v1/dossiers/${main}/receive-supplement`, {});
    now = new Date('2025-06-05T16:00:00+07:00');
    await call('POST', `/v1/dossiers/${main}/reschedule`, {
      newDueAt: '2025-06-12T10:00:00+07:00',
      reason: 'Cần xác minh thông tin',
    });
    const rejected = await intake('online');
    await call('POST', `/v1/dossiers/${rejected}/reject`, { reason: 'Không thuộc thẩm quyền' });
    const stopped = await intake();
    await call('POST', `/v1/dossiers/${stopped}/stop`, { reason: 'Người nộp đề nghị dừng' });
    const codeOf: Record<string, string> = {
      '01': main,
      '02': main,
      '03': rejected,
      '04': main,
      '05': stopped,
      '06': main,
    };
    for (let i = 0; i < ROWS; i++) {
      now = new Date(Date.parse('2025-06-06T08:00:00+07:00') + i * 60_000);
      await intake();
    }
    const forms: Record<string, PdfInput> = {};
    for (const form of dossierForms) {
      forms[form] = {
        kind: 'form',
        data: (await call('GET', `/v1/dossiers/${codeOf[form]}/forms/${form}`)) as never,
      };
    }
    forms['07'] = {
      kind: 'register',
      data: (await call('GET', `/v1/units/${commune}/register?period=2025-06`)) as never,
    };
    await setup.close();

    const { loadavg, cpus } = await import('node:os');
    console.log(
      `# Printable forms: node ${process.version}, ${new Date().toISOString()}, ${cpus().length} cores, ` +
        `load average ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
    );
    console.log(`\n## Render on one thread (renderPdf), ${RENDERS} renders each (after 5 warm-up renders)`);
    console.log('| form | min | p50 | p95 | size |');
    console.log('|---|---|---|---|---|');
    for (const [form, input] of Object.entries(forms)) {
      for (let i = 0; i < 5; i++) await renderPdf(input);
      const times: number[] = [];
      let size = 0;
      for (let i = 0; i < RENDERS; i++) {
        const start = performance.now();
        size = (await renderPdf(input)).length;
        times.push(performance.now() - start);
      }
      const s = summary(times);
      const label = form === '07' ? `07 (${ROWS + 2} rows)` : form;
      console.log(
        `| ${label} | ${ms(s.min)} | ${ms(s.p50)} | ${ms(s.p95)} | ${(size / 1024).toFixed(1)} KiB |`,
      );
    }

    console.log(
      `\n## GET /v1/dossiers/{code}: ${READERS} concurrent readers for ${SECONDS} s, alone and while ${PRINTERS} ` +
        'loops fetch the PDFs of forms 01–06 over HTTP',
    );
    console.log('| renders | reads | read p50 | read p95 | read p99 | PDFs | PDF p50 | PDF p95 |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const mode of [
      { label: 'no renders', threads: 0, printers: 0 },
      { label: 'on the event loop (FORMS_RENDER_THREADS=0)', threads: 0, printers: PRINTERS },
      { label: '1 worker thread (default)', threads: 1, printers: PRINTERS },
      { label: '2 worker threads', threads: 2, printers: PRINTERS },
    ]) {
      const api = await startApi(url, mode.threads, () => new Date());
      const headers = { authorization: `Bearer ${key}` };
      const pdfHeaders = { ...headers, accept: 'application/pdf' };
      // Warm up: connections, compiled reads, render threads with their fonts.
      for (const form of dossierForms)
        await (
          await fetch(`${api.base}/v1/dossiers/${codeOf[form]}/forms/${form}`, { headers: pdfHeaders })
        ).arrayBuffer();
      for (let i = 0; i < 50; i++) await (await fetch(`${api.base}/v1/dossiers/${main}`, { headers })).text();
      const reads: number[] = [];
      const pdfs: number[] = [];
      const deadline = Date.now() + SECONDS * 1000;
      const reader = async () => {
        while (Date.now() < deadline) {
          const start = performance.now();
          const res = await fetch(`${api.base}/v1/dossiers/${main}`, { headers });
          await res.text();
          if (res.status !== 200) throw new Error(`read: ${res.status}`);
          reads.push(performance.now() - start);
        }
      };
      const printer = async (offset: number) => {
        for (let i = offset; Date.now() < deadline; i++) {
          const form = dossierForms[i % dossierForms.length]!;
          const start = performance.now();
          const res = await fetch(`${api.base}/v1/dossiers/${codeOf[form]}/forms/${form}`, {
            headers: pdfHeaders,
          });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`form ${form}: ${res.status}`);
          pdfs.push(performance.now() - start);
        }
      };
      await Promise.all([
        ...Array.from({ length: READERS }, reader),
        ...Array.from({ length: mode.printers }, (_, i) => printer(i)),
      ]);
      await api.close();
      const r = summary(reads);
      const p = summary(pdfs);
      console.log(
        `| ${mode.label} | ${r.n} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${p.n} | ` +
          `${p.n ? ms(p.p50) : '–'} | ${p.n ? ms(p.p95) : '–'} |`,
      );
    }
  } finally {
    await dropDatabase();
  }
}

await main();
