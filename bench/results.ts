import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Replaces (or appends) the `## title` section of bench/RESULTS.md, leaving the other sections as they are. */
export function replaceSection(file: string, title: string, body: string): void {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const heading = `## ${title}`;
  const start = current.indexOf(`${heading}\n`);
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${heading}\n\n${body.trim()}\n`;
  } else {
    const after = current.indexOf('\n## ', start + heading.length);
    const tail = after < 0 ? '' : current.slice(after);
    next = `${current.slice(0, start)}${heading}\n\n${body.trim()}\n${tail}`;
  }
  writeFileSync(file, next);
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** A Markdown table: the first row is the header. */
export function markdownTable(rows: string[][]): string {
  return [
    `| ${rows[0]!.join(' | ')} |`,
    `|${rows[0]!.map(() => '---').join('|')}|`,
    ...rows.slice(1).map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

export const today = () => new Date().toISOString().slice(0, 10);
