import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorTable } from '../src/http/error-codes.js';

const root = path.resolve(import.meta.dirname, '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** The rows of the codes table in docs/errors.md: `| \`CODE\` | status | ...`. */
function documentedCodes(): Map<string, number> {
  const rows = new Map<string, number>();
  for (const line of read('docs/errors.md').split('\n')) {
    const m = /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|\s*(\d{3})\s*\|/.exec(line);
    if (m) rows.set(m[1]!, Number(m[2]));
  }
  return rows;
}

describe('docs/errors.md', () => {
  it('documents every error code of the table with its HTTP status', () => {
    const documented = documentedCodes();
    for (const [code, spec] of Object.entries(errorTable)) {
      expect(documented.has(code), `${code} is missing from docs/errors.md`).toBe(true);
      expect(documented.get(code), `HTTP status of ${code} in docs/errors.md`).toBe(spec.status);
    }
  });

  it('names no error code that is not in the table', () => {
    const known = new Set(Object.keys(errorTable));
    const unknown = [...documentedCodes().keys()].filter((code) => !known.has(code));
    expect(unknown).toEqual([]);
  });
});

describe('the documentation', () => {
  const pages = ['README.md', ...readdirSync(path.join(root, 'docs')).map((f) => `docs/${f}`)];

  it('links only to files inside the repository that exist', () => {
    for (const page of pages) {
      const text = read(page);
      expect(text, `${page} refers outside the repository`).not.toMatch(/\.\.\/shared|shared\/docs/);
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue; // http:, https:, mailto:
        const resolved = path.resolve(root, path.dirname(page), target!);
        expect(resolved.startsWith(root + path.sep), `${page} links outside the repository: ${target}`).toBe(
          true,
        );
        expect(existsSync(resolved), `${page} links to a missing file: ${target}`).toBe(true);
      }
    }
  });
});
