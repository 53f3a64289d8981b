import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, LOCK_FILE, lockDataDir } from '../src/db/data-dir-lock.js';
import { connectPglite } from '../src/db/client.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'motcua-lock-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

const lockOf = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as { pid: number };

describe('embedded data folder lock', () => {
  it('records this process as the owner and removes the lock on release', () => {
    const dir = tempDir();
    const release = lockDataDir(dir);
    expect(lockOf(dir).pid).toBe(process.pid);
    release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses while a living process owns the folder, naming its pid and what to do', () => {
    const dir = tempDir();
    const owner = { pid: process.ppid, command: 'server.ts', since: new Date().toISOString() };
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(owner));
    let error: unknown;
    try {
      lockDataDir(dir);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DataDirLockedError);
    const message = (error as Error).message;
    expect(message).toMatch(
      new RegExp(`^Thư mục dữ liệu nhúng .* tiến trình ${process.ppid} \\(server.ts\\)`),
    );
    expect(message).toContain(`in use by process ${process.ppid}`);
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('HTTP API');
    // The owner's lock is left alone.
    expect(lockOf(dir).pid).toBe(process.ppid);
  });

  it('takes over a lock left by a process that no longer runs', () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, LOCK_FILE),
      JSON.stringify({ pid: deadPid(), command: 'server.ts', since: '' }),
    );
    const release = lockDataDir(dir);
    expect(lockOf(dir).pid).toBe(process.pid);
    release();
  });

  // Process start times come from /proc (Linux, where the service runs).
  it.runIf(existsSync('/proc/self/stat'))(
    'takes over a lock whose pid now belongs to another process (its start time differs)',
    () => {
      const dir = tempDir();
      const stale = { pid: process.ppid, startTime: '1', command: 'server.ts', since: '' };
      writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(stale));
      lockDataDir(dir)();
    },
  );

  it('takes over a lock with our own pid left by an earlier process (restart in a container, pid 1)', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, command: 'x', since: '' }));
    lockDataDir(dir)();
    const earlier = { pid: process.pid, startTime: '1', command: 'x', since: '' };
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(earlier));
    lockDataDir(dir)();
  });

  it.runIf(existsSync('/proc/self/stat'))(
    'refuses a lock this very process holds through another module instance (same pid and start time)',
    () => {
      const dir = tempDir();
      const release = lockDataDir(dir);
      const ours = readFileSync(path.join(dir, LOCK_FILE), 'utf8');
      release();
      const other = tempDir();
      writeFileSync(path.join(other, LOCK_FILE), ours);
      expect(() => lockDataDir(other)).toThrow(DataDirLockedError);
    },
  );

  it('takes over an unreadable lock', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, LOCK_FILE), '');
    lockDataDir(dir)();
  });

  it('refuses a lock written on another host, which it cannot check, and names that host', () => {
    const dir = tempDir();
    const owner = { pid: deadPid(), host: 'another-container', command: 'server.ts', since: '2026-12-01' };
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(owner));
    expect(() => lockDataDir(dir)).toThrow(/another-container/);
    expect(lockOf(dir).pid).toBe(owner.pid);
  });

  it('takes over a lock written before this machine last booted, and names itself the owner', () => {
    const dir = tempDir();
    const owner = {
      pid: process.ppid,
      host: os.hostname(),
      bootId: 'an-earlier-boot',
      command: 'x',
      since: '?',
    };
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(owner));
    const release = lockDataDir(dir);
    expect(lockOf(dir)).toMatchObject({ pid: process.pid, host: os.hostname() });
    release();
  });

  it('two processes taking over one stale lock at once: exactly one gets the folder', async () => {
    const module = path.resolve(import.meta.dirname, '../src/db/data-dir-lock.ts');
    for (let round = 0; round < 5; round++) {
      const dir = tempDir();
      writeFileSync(
        path.join(dir, LOCK_FILE),
        JSON.stringify({ pid: deadPid(), command: 'crashed', since: '2026-12-01' }),
      );
      const script =
        `const { lockDataDir } = await import(${JSON.stringify(module)});` +
        `try { lockDataDir(${JSON.stringify(dir)}); console.log('got'); setTimeout(() => {}, 1500); }` +
        `catch (err) { console.log(err.name); }`;
      const run = () =>
        new Promise<string>((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
          child.on('close', () => resolve(out.trim()));
        });
      const answers = (await Promise.all([run(), run()])).sort();
      expect(answers, `round ${round}`).toEqual(['DataDirLockedError', 'got']);
    }
  }, 60_000);

  it('refuses a second open of the same folder inside one process', () => {
    const dir = tempDir();
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    release();
  });

  it('connectPglite holds the lock until close', async () => {
    const dir = tempDir();
    const database = await connectPglite(dir);
    expect(lockOf(dir).pid).toBe(process.pid);
    await expect(connectPglite(dir)).rejects.toBeInstanceOf(DataDirLockedError);
    await database.close();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    const again = await connectPglite(dir);
    await again.close();
  }, 60_000);
});
