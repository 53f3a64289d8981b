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
