import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';

/** Personal data (Decree 13/2023/NĐ-CP) and secrets: never written to logs, at any depth we log. */
const personalFields = ['idNumber', 'phone', 'email', 'address', 'fullName', 'key', 'secret'];
const depths = ['', '*.', '*.*.', '*.*.*.'];

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  ...personalFields.flatMap((f) => depths.map((d) => `${d}${f}`)),
];

/** Query parameters that can carry personal data; their values are blanked in logged URLs. */
const personalQueryParams = new Set(['idNumber', 'q', 'phone', 'email', 'name']);

export function redactQuery(url: string): string {
  const i = url.indexOf('?');
  if (i < 0) return url;
  const params = new URLSearchParams(url.slice(i + 1));
  for (const key of [...params.keys()]) if (personalQueryParams.has(key)) params.set(key, '[redacted]');
  return `${url.slice(0, i)}?${params.toString()}`;
}

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

export function loggerOptions(level: string) {
  return {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: {
      req: (req: FastifyRequest) => ({ method: req.method, url: redactQuery(req.url), requestId: req.id }),
    },
  };
}

/** Reuses a well-formed incoming x-request-id, otherwise makes one. */
export function genReqId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
}
