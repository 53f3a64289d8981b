import { DomainError } from '../domain/errors.js';

/**
 * Which of `offered` (media types, the default first) an Accept header asks for: the one with the highest
 * quality; between equals, one the header names exactly beats one it reaches by a wildcard (`*\/*`,
 * `application/*`), then the one the header names first, then the order of `offered`. No header, or an empty one, takes the default. None acceptable
 * (every match has q=0, or nothing matches) → 406 NOT_ACCEPTABLE.
 */
export function negotiate<T extends string>(accept: string | undefined, offered: readonly [T, ...T[]]): T {
  if (accept === undefined || accept.trim() === '') return offered[0];
  const ranges = accept.split(',').map((part) => {
    const [type = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    return { type, quality: Number.isFinite(quality) ? Math.min(Math.max(quality, 0), 1) : 0 };
  });
  let best: { type: T; quality: number; exact: boolean; position: number } | null = null;
  for (const type of offered) {
    const exact = ranges.findIndex((r) => r.type === type);
    const wild = ranges.findIndex((r) => r.type === '*/*' || r.type === `${type.split('/')[0]}/*`);
    const position = exact >= 0 ? exact : wild;
    if (position < 0 || ranges[position]!.quality <= 0) continue;
    const candidate = { type, quality: ranges[position]!.quality, exact: exact >= 0, position };
    const better =
      !best ||
      candidate.quality > best.quality ||
      (candidate.quality === best.quality &&
        (candidate.exact !== best.exact ? candidate.exact : candidate.position < best.position));
    if (better) best = candidate;
  }
  if (!best) throw new DomainError('NOT_ACCEPTABLE', { types: offered.join(', ') });
  return (best as { type: T }).type;
}
