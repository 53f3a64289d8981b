import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../src/domain/errors.js';
import { errorTable } from '../src/http/error-codes.js';

const src = path.resolve(import.meta.dirname, '../src');
const tableFiles = new Set(['domain/errors.ts', 'http/error-codes.ts']);

/** Every source file outside the table itself, as text. */
function sources(): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !tableFiles.has(path.relative(src, full))) {
        out.push({ file: path.relative(src, full), text: readFileSync(full, 'utf8') });
      }
    }
  };
  walk(src);
  return out;
}

describe('the error table tells the truth', () => {
  const files = sources();

  it('lists each code once, with a status, for every code of the closed set', () => {
    expect(new Set(errorCodes).size).toBe(errorCodes.length);
    expect(Object.keys(errorTable).sort()).toEqual([...errorCodes].sort());
  });

  it('every code in the table is raised somewhere in src', () => {
    const unused = errorCodes.filter((code) => !files.some((f) => f.text.includes(`'${code}'`)));
    expect(unused).toEqual([]);
  });

  it('every code src raises is in the table', () => {
    const known = new Set<string>(errorCodes);
    const raised = new Map<string, string>();
    for (const { file, text } of files) {
      for (const m of text.matchAll(/(?:DomainError|buildProblem)\(\s*'([A-Z][A-Z0-9_]*)'/g)) {
        raised.set(m[1]!, file);
      }
    }
    expect(raised.size).toBeGreaterThan(10);
    const unknown = [...raised]
      .filter(([code]) => !known.has(code))
      .map(([code, file]) => `${code} (${file})`);
    expect(unknown).toEqual([]);
  });
});
