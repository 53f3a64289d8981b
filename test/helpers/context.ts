import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { inject } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { connectPglite, connectPostgres, type Database } from '../../src/db/client.js';
import { insertApiKey, type Role } from '../../src/auth/keys.js';
import { UnitTreeCache } from '../../src/units/tree-cache.js';

export interface TestContext {
  app: FastifyInstance;
  database: Database;
  config: Config;
  /** A system-admin key, created for this context. */
  adminKey: string;
  /** The app's unit tree cache (createTestContext's). */
  unitTree?: UnitTreeCache;
  close(): Promise<void>;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  // No rate limits unless a test asks for one: tests make many requests with one key or from one address.
  return loadConfig({
    DATABASE_URL: inject('databaseUrl'),
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '0',
    PUBLIC_RATE_LIMIT_PER_MINUTE: '0',
    ...overrides,
  });
}

/** An app on the run's test database, as the server builds it; `clock` fixes "now" for the app. */
export async function createTestContext(
  overrides: Record<string, string> = {},
  options: { clock?: () => Date; poolSize?: number; redis?: Redis; unitTreeTtlMs?: number } = {},
): Promise<TestContext> {
  const config = testConfig(overrides);
  const database = await connectPostgres(config.DATABASE_URL!, options.poolSize ?? 4);
  const unitTree = new UnitTreeCache(database.db, options.unitTreeTtlMs);
  return contextOn(database, config, { ...options, unitTree });
}

/** An app on a fresh in-memory PGlite database, the embedded default; `clock` as above. */
export async function createEmbeddedContext(options: { clock?: () => Date } = {}): Promise<TestContext> {
  const database = await connectPglite('memory://');
  await database.migrate();
  return contextOn(database, testConfig(), options);
}

/** The app on `database`, ready, with a system-admin key created for it; closing it closes the database too. */
async function contextOn(
  database: Database,
  config: Config,
  options: { clock?: () => Date; redis?: Redis; unitTree?: UnitTreeCache },
): Promise<TestContext> {
  const app = await buildApp({
    config,
    db: database.db,
    checks: { postgres: database.ping },
    ...(options.unitTree ? { unitTree: options.unitTree } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.redis ? { redis: options.redis } : {}),
  });
  await app.ready();
  const { secret } = await insertApiKey(database.db, {
    name: 'test system admin',
    role: 'admin',
    unitCode: null,
  });
  return {
    app,
    database,
    config,
    adminKey: secret,
    ...(options.unitTree ? { unitTree: options.unitTree } : {}),
    async close() {
      await app.close();
      await database.close();
    },
  };
}

let counter = 0;
/** A unit code no other test uses: national-identifier style, unique per run and per call. */
export function uniqueUnitCode(suffix = 'H99'): string {
  counter += 1;
  const rand = Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .toUpperCase()
    .padStart(4, '0');
  return `T${rand}.${process.pid % 1000}.${counter}.${suffix}`;
}

export function bearer(key: string) {
  return { authorization: `Bearer ${key}` };
}

export async function createUnit(
  ctx: TestContext,
  input: { code?: string; name?: string; parentCode?: string | null } = {},
): Promise<{ code: string; name: string; parentCode: string | null }> {
  const body = {
    code: input.code ?? uniqueUnitCode(),
    name: input.name ?? 'Đơn vị thử',
    parentCode: input.parentCode ?? null,
  };
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/units',
    headers: bearer(ctx.adminKey),
    payload: body,
  });
  if (res.statusCode !== 201) throw new Error(`createUnit: ${res.statusCode} ${res.body}`);
  return res.json();
}

export async function createKey(
  ctx: TestContext,
  role: Role,
  unitCode: string | null,
  officerCode: string | null = null,
): Promise<string> {
  const { secret } = await insertApiKey(ctx.database.db, {
    name: `test ${role}`,
    role,
    unitCode,
    officerCode,
  });
  return secret;
}

let officerCounter = 0;
/** An officer code no other test uses. */
export function uniqueOfficerCode(): string {
  officerCounter += 1;
  return `CB${process.pid % 10000}.${Math.floor(Math.random() * 36 ** 4).toString(36)}.${officerCounter}`;
}

export async function createOfficer(
  ctx: TestContext,
  unitCode: string,
  input: { code?: string; fullName?: string; title?: string; active?: boolean } = {},
): Promise<{ code: string; fullName: string; title: string; unitCode: string; active: boolean }> {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/officers',
    headers: bearer(ctx.adminKey),
    payload: {
      code: input.code ?? uniqueOfficerCode(),
      fullName: input.fullName ?? 'Lê Thị Hồng',
      title: input.title ?? 'Công chức Tư pháp - Hộ tịch',
      unitCode,
      ...(input.active === undefined ? {} : { active: input.active }),
    },
  });
  if (res.statusCode !== 201) throw new Error(`createOfficer: ${res.statusCode} ${res.body}`);
  return res.json();
}

let procedureCounter = 0;
/** A procedure code no other test uses. */
export function uniqueProcedureCode(): string {
  procedureCounter += 1;
  const rand = Math.floor(Math.random() * 36 ** 5)
    .toString(36)
    .toUpperCase()
    .padStart(5, '0');
  return `8.${rand}${process.pid % 1000}.${procedureCounter}`;
}

export async function createProcedure(ctx: TestContext, overrides: Record<string, unknown> = {}) {
  const body = {
    code: uniqueProcedureCode(),
    name: 'Cấp bản sao trích lục hộ tịch',
    field: { code: 'G01.HT', name: 'Hộ tịch' },
    duration: { value: 2, unit: 'working_days' },
    ...overrides,
  };
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/procedures',
    headers: bearer(ctx.adminKey),
    payload: body,
  });
  if (res.statusCode !== 201) throw new Error(`createProcedure: ${res.statusCode} ${res.body}`);
  return res.json() as { code: string };
}

export function intakeBody(procedureCode: string, overrides: Record<string, unknown> = {}) {
  return {
    procedureCode,
    channel: 'direct',
    applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '001099012345', phone: '0912345678' },
    ...overrides,
  };
}

/** Runs `npm run cli -- ...args` against a database; resolves with the output, also on a non-zero exit. */
export function runCli(
  databaseUrl: string,
  ...args: string[]
): Promise<{ stdout: string; stderr: string; code?: number }> {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
  }).catch((err: { code: number; stdout: string; stderr: string }) => err);
}

/**
 * A database of its own (created, migrated and seeded now; dropped by `drop`), for tests whose subject is
 * global state such as the maintained statistics figures.
 */
export async function createIsolatedDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const { seedReferenceData } = await import('../../src/db/seed.js');
  const server = new URL(inject('databaseUrl'));
  const name = `${server.pathname.slice(1)}_iso_${Math.floor(Math.random() * 1e9)}`;
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(server.toString());
  url.pathname = `/${name}`;
  const database = await connectPostgres(url.toString(), 2);
  await database.migrate();
  await seedReferenceData(database.db);
  await database.close();
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: server.toString() });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}
