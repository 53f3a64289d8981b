import { DomainError } from '../domain/errors.js';

/**
 * Which of `offered` (media types, the default first) an Accept header asks for: the one with the highest
 * quality; between equals, one the header names exactly beats one it reaches by a wildcard (`*\/*`,
 * `application/*`), then the order of `offered`. No header, or an empty one, takes the default. None acceptable
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
  let best: { type: T; quality: number; exact: boolean; order: number } | null = null;
  offered.forEach((type, order) => {
    const exact = ranges.find((r) => r.type === type);
    const wild = ranges.find((r) => r.type === '*/*' || r.type === `${type.split('/')[0]}/*`);
    const match = exact ?? wild;
    if (!match || match.quality <= 0) return;
    const candidate = { type, quality: match.quality, exact: exact !== undefined, order };
    if (
      !best ||
      candidate.quality > best.quality ||
      (candidate.quality === best.quality && candidate.exact && !best.exact)
    )
      best = candidate;
  });
  if (!best) throw new DomainError('NOT_ACCEPTABLE', { types: offered.join(', ') });
  return (best as { type: T }).type;
}
