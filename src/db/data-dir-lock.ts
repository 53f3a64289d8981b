import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

/**
 * One process at a time may open an embedded (PGlite) data folder: PGlite keeps the database's state in the
 * process's memory and writes it back to the folder, so two processes on one folder overwrite each other's rows
 * and indexes. The owner leaves `motcua.lock` in the folder (its pid, process start time and command); another
 * process refuses to open the folder while that owner lives. A lock whose process is gone (killed, crashed) is
 * taken over.
 */
export const LOCK_FILE = 'motcua.lock';

export interface LockOwner {
  pid: number;
  /** Start time of the process from /proc (Linux), so a reused pid is not taken for the owner. */
  startTime?: string;
  /** The machine (a container's own hostname) and its boot: a lock written elsewhere cannot be checked here. */
  host?: string;
  bootId?: string;
  command: string;
  since: string;
}

export class DataDirLockedError extends Error {
  readonly dataDir: string;
  readonly owner: LockOwner;
  constructor(dataDir: string, owner: LockOwner) {
    const file = path.join(dataDir, LOCK_FILE);
    super(
      `Thư mục dữ liệu nhúng ${dataDir} đang được tiến trình ${owner.pid} (${owner.command}) trên máy ` +
        `${owner.host ?? hostname()} sử dụng; ` +
        `hai tiến trình cùng mở một thư mục PGlite sẽ làm hỏng dữ liệu, nên tiến trình này dừng lại. ` +
        `Hãy dừng tiến trình ${owner.pid} trước rồi chạy lại lệnh, hoặc làm việc này qua API HTTP của dịch vụ ` +
        `đang chạy (POST /v1/api-keys, /v1/units, /v1/procedures), hoặc dùng PostgreSQL qua DATABASE_URL ` +
        `cho mọi tiến trình. Nếu tiến trình ${owner.pid} không phải motcua, hãy xoá tệp ${file}.\n` +
        `The embedded data folder ${dataDir} is in use by process ${owner.pid} (${owner.command}) on host ` +
        `${owner.host ?? hostname()}; two ` +
        `processes on one PGlite folder corrupt it, so this one stops. Stop process ${owner.pid} first and run ` +
        `this again, or do this through the running service's HTTP API (POST /v1/api-keys, /v1/units, ` +
        `/v1/procedures), or use PostgreSQL via DATABASE_URL for every process. If process ${owner.pid} is not ` +
        `motcua, delete ${file}.`,
    );
    this.name = 'DataDirLockedError';
    this.dataDir = dataDir;
    this.owner = owner;
  }
}

// Lock files this process holds: a second open of the same folder inside one process is refused too.
const held = new Set<string>();

/** The start time of a process as the kernel counts it, where /proc exists. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces, closed by the last ')'); starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Whether the lock's owner may still be alive. A lock written on another host (another container sharing the
 * volume, another machine on a network share) cannot be checked from here and counts as alive; one written before
 * this machine last booted is dead. On this machine and boot, the pid must exist with the same start time (start
 * times count from the boot, so they also tell a restarted container's pid 1 from its previous one).
 */
function isRunning(owner: LockOwner): boolean {
  if (owner.host !== undefined && owner.host !== hostname()) return true;
  const boot = bootId();
  if (owner.bootId !== undefined && boot !== undefined && owner.bootId !== boot) return false;
  // Our own pid, not in `held`: another module instance of this process (same start time), or an earlier process
  // that had our pid (a container's pid 1 after a restart).
  if (owner.pid === process.pid && !owner.startTime) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false; // ESRCH: no such process
  }
  const startTime = processStartTime(owner.pid);
  return !(owner.startTime && startTime && startTime !== owner.startTime);
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
    return Number.isInteger(owner.pid) ? owner : undefined;
  } catch {
    return undefined;
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Removes the stale lock whose text was `seen`, atomically: the lock is renamed aside and kept removed only if it
 * is still that text. Two processes taking over one stale lock at once: the second moves the first one's fresh
 * lock aside, sees it is not the stale one, puts it back and refuses.
 */
function takeOverStale(file: string, seen: string | undefined, dataDir: string): void {
  const aside = `${file}.stale.${process.pid}`;
  try {
    renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // removed meanwhile: try to link again
    throw err;
  }
  const moved = readText(aside);
  if (moved === seen) return void rmSync(aside, { force: true });
  try {
    linkSync(aside, file);
  } finally {
    rmSync(aside, { force: true });
  }
  const owner = readOwner(file);
  throw new DataDirLockedError(dataDir, owner ?? { pid: 0, command: '?', since: '?' });
}

function describeProcess(): string {
  const [script, ...args] = process.argv.slice(1);
  return [script ? path.basename(script) : 'node', ...args.slice(0, 2)].join(' ');
}

/**
 * Takes the folder's lock or throws DataDirLockedError naming the living owner. Returns the release function;
 * the lock is also released when the process exits.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, LOCK_FILE);
  const self: LockOwner = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    host: hostname(),
    bootId: bootId(),
    command: describeProcess(),
    since: new Date().toISOString(),
  };
  if (held.has(file)) throw new DataDirLockedError(dataDir, self);
  // Written whole to a private file, then linked into place: the link fails if a lock exists, and a lock never
  // appears half written.
  const draft = `${file}.${process.pid}`;
  writeFileSync(draft, `${JSON.stringify(self)}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(draft, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const seen = readText(file);
        const owner = readOwner(file);
        if (attempt >= 3 || (owner && isRunning(owner))) {
          throw new DataDirLockedError(dataDir, owner ?? { pid: 0, command: '?', since: '?' });
        }
        takeOverStale(file, seen, dataDir);
      }
    }
  } finally {
    rmSync(draft, { force: true });
  }
  held.add(file);
  const release = () => {
    process.off('exit', release);
    if (!held.delete(file)) return;
    if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
  };
  process.on('exit', release);
  return release;
}
