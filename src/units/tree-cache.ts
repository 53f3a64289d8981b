// The unit tree (every unit's code, name and path) kept in the API process, so that the dossier list and search
// find the units of a subtree, and the statistics their unit, without a statement of their own.
import { sql } from 'drizzle-orm';
import { inScope, type Principal } from '../auth/plugin.js';
import { preparedRows, type DbOrTx } from '../db/client.js';
import { DomainError } from '../domain/errors.js';
import { findUnit } from './queries.js';

export interface TreeUnit {
  code: string;
  name: string;
  path: string;
}

/** How long the tree read from the database is used before it is read again. */
export const UNIT_TREE_TTL_MS = 2_000;

/** The units as the cache reads them: every unit, whatever its active flag (its dossiers stay listed). */
export interface UnitTree {
  byCode: ReadonlyMap<string, TreeUnit>;
  all: readonly TreeUnit[];
}

/** The units of `tree` whose path starts with `rootPath` (the root itself included). */
export function subtreeCodes(tree: UnitTree, rootPath: string): string[] {
  const codes: string[] = [];
  for (const u of tree.all) if (u.path.startsWith(rootPath)) codes.push(u.code);
  return codes;
}

/** The unit `code` if it lies in the caller's scope, else UNIT_NOT_FOUND (as if it did not exist). */
export async function unitInScope(
  units: UnitTreeCache,
  principal: Principal,
  code: string,
): Promise<{ tree: UnitTree; unit: TreeUnit }> {
  const tree = await units.holding(code);
  const unit = tree.byCode.get(code);
  if (!unit || !inScope(principal, unit.path)) throw new DomainError('UNIT_NOT_FOUND', { code });
  return { tree, unit };
}

/**
 * Every unit's code, name and path, read from the primary in one statement and reused for `ttlMs` (never from
 * a replica, whose lag would add to that bound). A unit created, edited or moved through the API or the CLI is
 * announced (the cache signal `units`) and every process drops its tree at once; an edit made straight in the
 * database reaches the tree within `ttlMs`. A unit asked for by code and missing from the tree is looked up by its
 * code, and when it exists (created elsewhere a moment ago) the tree is read again at once; a code no unit has
 * costs that lookup only. Concurrent requests of an expired tree share one read.
 */
export class UnitTreeCache {
  private tree: UnitTree | null = null;
  private readAt = 0;
  private reading: Promise<UnitTree> | null = null;
  /** Bumped by clear(): a read that started before is not kept. */
  private generation = 0;

  constructor(
    private readonly db: DbOrTx,
    readonly ttlMs: number = UNIT_TREE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The tree, read when the cache holds none or an expired one. */
  async get(): Promise<UnitTree> {
    if (this.tree && this.now() - this.readAt < this.ttlMs) return this.tree;
    return this.read();
  }

  /** The tree holding `code` if the database has that unit: read again when the cached tree lacks it. */
  async holding(code: string): Promise<UnitTree> {
    const tree = await this.get();
    if (tree.byCode.has(code) || !(await findUnit(this.db, code))) return tree;
    this.clear();
    return this.get();
  }

  clear(): void {
    this.tree = null;
    this.reading = null;
    this.generation++;
  }

  /** How many times the tree was cleared: what is kept from it (statistics answers' labels) is keyed by it. */
  get clears(): number {
    return this.generation;
  }

  private read(): Promise<UnitTree> {
    if (this.reading) return this.reading;
    const generation = this.generation;
    const startedAt = this.now();
    const reading = readUnitTree(this.db).then(
      (tree) => {
        if (generation === this.generation) {
          this.reading = null;
          this.tree = tree;
          this.readAt = startedAt;
        }
        return tree;
      },
      (err: unknown) => {
        if (generation === this.generation) this.reading = null;
        throw err;
      },
    );
    this.reading = reading;
    return reading;
  }
}

async function readUnitTree(db: DbOrTx): Promise<UnitTree> {
  const all = await preparedRows<TreeUnit>(db, sql`select code, name, path from units`);
  return { all, byCode: new Map(all.map((u) => [u.code, u])) };
}
