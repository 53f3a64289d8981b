import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';

/** Personal data (Decree 13/2023/NĐ-CP) and secrets: never written to logs, under any of these keys. */
const personalKeys = new Set([
  'idNumber',
  'phone',
  'email',
  'address',
  'fullName',
  'key',
  'secret',
  'authorization',
  'cookie',
  'idempotency-key',
]);
const REDACTED = '[redacted]';
/** How deep inside a logged object personal keys are looked for (the object's own keys are depth 1). */
const REDACT_DEPTH = 4;

const isPlain = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/**
 * A log line's object with the value of every personal key blanked, in plain objects and arrays down to
 * REDACT_DEPTH; the rest is shared, not copied. Other objects (a request, an error) are left to their
 * serializers: the request's keeps only the method, the blanked URL and the id. Written for the hot path: one
 * line per request passes here, and pino's path-based redaction with wildcards cost ≈ 8 % of a read's CPU.
 */
export function redactPersonal<T>(value: T, depth = 1): T {
  if (Array.isArray(value)) {
    if (depth > REDACT_DEPTH) return value;
    let out: unknown[] | undefined;
    value.forEach((item, i) => {
      const clean = redactPersonal(item, depth + 1);
      if (clean !== item) (out ??= [...value])[i] = clean;
    });
    return (out ?? value) as T;
  }
  if (!isPlain(value) || depth > REDACT_DEPTH) return value;
  let out: Record<string, unknown> | undefined;
  for (const key in value) {
    const item = value[key];
    const clean = personalKeys.has(key) && item != null ? REDACTED : redactPersonal(item, depth + 1);
    if (clean !== item) (out ??= { ...value })[key] = clean;
  }
  return (out ?? value) as T;
}

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
    formatters: { log: redactPersonal },
    serializers: {
      req: (req: FastifyRequest) => ({ method: req.method, url: redactQuery(req.url), requestId: req.id }),
    },
  };
}

/** The request's one log line: method, URL (personal query values blanked), status and duration. */
export function logRequest(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  request.log.info(
    { req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime },
    'request completed',
  );
  done();
}

/** Reuses a well-formed incoming x-request-id, otherwise makes one. */
export function genReqId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
}
