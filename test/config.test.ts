import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { apiPoolSize, sharedPoolSize } from '../src/api-processes.js';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('an empty environment is valid: embedded defaults', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config).toMatchObject({
      DATA_DIR: './data',
      HOST: '127.0.0.1',
      PORT: 3000,
      LOG_LEVEL: 'info',
      MIGRATE_ON_START: true,
      WORKING_HOURS: '07:30-11:30,13:00-17:00',
      OUTCOME_GRANULARITY: 'day',
      DUE_SOON_MINUTES: 480,
      BACKDATE_WINDOW_DAYS: 3,
    });
  });

  it("the API's processes share 10 connections unless DB_POOL_SIZE sets each one's pool", () => {
    const pg = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' };
    const pool = (env: Record<string, string>) => apiPoolSize(loadConfig({ ...pg, ...env }));
    expect(loadConfig(pg).DB_POOL_SIZE).toBeUndefined();
    expect(pool({})).toBe(10);
    expect(pool({ API_PROCESSES: '2' })).toBe(5);
    expect(pool({ API_PROCESSES: '3' })).toBe(4);
    expect(pool({ API_PROCESSES: '8' })).toBe(2); // at least 2 each
    expect(pool({ API_PROCESSES: '0' })).toBe(sharedPoolSize(availableParallelism()));
    expect(pool({ API_PROCESSES: '2', DB_POOL_SIZE: '7' })).toBe(7);
    expect(pool({ DB_POOL_SIZE: '3' })).toBe(3);
    expect(() => loadConfig({ DB_POOL_SIZE: '0' })).toThrow(/DB_POOL_SIZE/);
  });

  it('several API processes need PostgreSQL: an embedded database has a single owner', () => {
    expect(loadConfig({}).API_PROCESSES).toBe(1);
    for (const API_PROCESSES of ['2', '0']) {
      expect(() => loadConfig({ API_PROCESSES })).toThrow(
        /API_PROCESSES: several API processes need DATABASE_URL/,
      );
    }
    expect(
      loadConfig({ API_PROCESSES: '0', DATABASE_URL: 'postgres://127.0.0.1/motcua' }).API_PROCESSES,
    ).toBe(0);
  });

  it('a read replica needs its primary', () => {
    expect(() => loadConfig({ DATABASE_REPLICA_URL: 'postgres://127.0.0.1:5433/motcua' })).toThrow(
      /DATABASE_REPLICA_URL: a read replica needs DATABASE_URL/,
    );
  });

  it('e-mail notifications need an SMTP address and a sender; SMS need the gateway token', () => {
    expect(() => loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525' })).toThrow(/SMTP_FROM/);
    expect(() => loadConfig({ SMTP_URL: 'http://127.0.0.1:2525', SMTP_FROM: 'a@b.vn' })).toThrow(/SMTP_URL/);
    expect(() => loadConfig({ SMS_GATEWAY_URL: 'https://sms.example.vn/send' })).toThrow(/SMS_GATEWAY_TOKEN/);
    const both = loadConfig({
      SMTP_URL: 'smtps://u:p@mail.example.vn:465',
      SMTP_FROM: 'UBND xã Tân Hòa <mot-cua@tanhoa.gov.vn>',
      SMS_GATEWAY_URL: 'https://sms.example.vn/send',
      SMS_GATEWAY_TOKEN: 'token',
    });
    expect(both.NOTIFICATION_RETRY_BASE_MS).toBe(30_000);
  });

  it('trusted proxies: addresses and CIDR blocks, or a number of hops; anything else is refused', () => {
    expect(loadConfig({}).TRUST_PROXY).toBeUndefined();
    expect(loadConfig({ TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,fd00::/8' }).TRUST_PROXY).toEqual([
      '10.0.0.5',
      '10.1.0.0/16',
      'fd00::/8',
    ]);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    for (const TRUST_PROXY of ['true', '10.0.0.0/33', 'lb.example.vn', '10.0.0.1/8/9', '::1/129']) {
      expect(() => loadConfig({ TRUST_PROXY }), TRUST_PROXY).toThrow(/TRUST_PROXY/);
    }
  });

  it('empty strings count as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).PORT).toBe(3000);
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'not a url',
        LOG_LEVEL: 'loud',
        BOOTSTRAP_ADMIN_KEY: 'short',
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'BOOTSTRAP_ADMIN_KEY'])
        expect(problems).toContain(name);
    }
  });

  it('rejects malformed working hours', () => {
    expect(() => loadConfig({ WORKING_HOURS: '7:30-11:30' })).toThrow(ConfigError);
    expect(() => loadConfig({ WORKING_HOURS: '13:00-17:00,07:30-11:30' })).toThrow(ConfigError);
    expect(loadConfig({ WORKING_HOURS: '08:00-12:00,13:30-17:30' }).WORKING_HOURS).toBe(
      '08:00-12:00,13:30-17:30',
    );
  });

  it('the server prints every problem and exits non-zero', async () => {
    const run = promisify(execFile);
    const result = await run('npx', ['tsx', 'src/server.ts'], {
      env: { ...process.env, PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: '' },
    }).catch((err: { code: number; stderr: string }) => err);
    expect('code' in result && result.code).toBe(1);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('LOG_LEVEL');
  });
});
