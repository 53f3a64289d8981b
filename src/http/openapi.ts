import { statusDescriptions } from './schemas.js';
import { ratingLevels, ratingSources } from '../domain/service-index.js';
import { alwaysAnswered } from './load-shedding.js';

/**
 * Final touches on the generated OpenAPI document, applied wherever it is served or written:
 * - error responses are `application/problem+json` (the zod transform only knows application/json);
 * - a request schema whose input form equals its output form is referenced once, not as `XInput` too,
 *   and schemas no operation reaches are left out;
 * - responses get a plain description where the generator wrote "Default Response";
 * - what every operation can answer whatever its route says is added in one place (sharedResponses), with the
 *   headers the hooks set (responseHeaders);
 * - integers state their width (int32 when their bounds fit, else int64);
 * - a POST body with no required field is optional (bodyIsOptional).
 */
type Json = Record<string, unknown>;

const statusText: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted',
  '204': 'No Content',
};

const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

const integerHeader = (description: string, minimum: number, maximum: number): Json => ({
  description,
  schema: { type: 'integer', format: 'int32', minimum, maximum },
});

/**
 * The response headers the service sets, declared once and referenced by the responses that carry them. The
 * RateLimit headers come on every /v1 response while rate limiting is on (RATE_LIMIT_PER_MINUTE > 0).
 */
const headers: Record<string, Json> = {
  XRequestId: {
    description:
      'Identifies the request in the logs (and is the requestId of a problem): the x-request-id the client ' +
      'sent when it is 1–128 of A–Z a–z 0–9 . _ : -, else a new UUID.',
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$', maxLength: 128 },
  },
  RateLimitLimit: integerHeader(
    'Requests allowed per clock minute to this caller (its API key; its IP when authentication fails, and on ' +
      'the public /v1/public routes). Sent while rate limiting is on (RATE_LIMIT_PER_MINUTE > 0, ' +
      'PUBLIC_RATE_LIMIT_PER_MINUTE > 0 on the public routes), as are RateLimit-Remaining and RateLimit-Reset.',
    1,
    2147483647,
  ),
  RateLimitRemaining: integerHeader('Requests left in the current minute.', 0, 2147483647),
  RateLimitReset: integerHeader('Seconds until the current minute ends and the budget is full again.', 1, 60),
  RetryAfter: integerHeader(
    'Seconds to wait before retrying: on 429, the end of the current rate-limit minute; on 503, sent with ' +
      'SERVER_BUSY (the API process is working on as many requests as it takes), 1.',
    1,
    60,
  ),
  ETag: {
    description: 'The dossier\u2019s version, quoted; send it back in If-Match.',
    schema: { type: 'string', pattern: '^"\\d+"$', maxLength: 20, example: '"3"' },
  },
  ContentDisposition: {
    description:
      'Sent with a file (a PDF, CSV or spreadsheet): `inline` (a printable form) or `attachment`, with the file\u2019s name.',
    schema: {
      type: 'string',
      maxLength: 300,
      example: 'inline; filename="mau-01-000.17.22.H56-240709-0001.pdf"',
    },
  },
  CacheControl: {
    description:
      'no-store: a public answer follows from the check in its address and is never kept on the way.',
    schema: { type: 'string', enum: ['no-store'] },
  },
  WWWAuthenticate: {
    description: 'The authentication scheme to use: Bearer with an API key.',
    schema: { type: 'string', maxLength: 200, example: 'Bearer' },
  },
};

/**
 * Responses any operation can give that its route does not list: 500 and 503 everywhere; 429 where requests are
 * counted (the /v1 routes); 413 and 415 wherever a method may carry a body, also one the route has no use for (a
 * body past BODY_LIMIT_BYTES, or of a type no parser reads, is refused before the route runs).
 */
function sharedResponses(path: string, method: string, operation: Json): string[] {
  return [
    ...(operation.requestBody || mayCarryBody.has(method) ? ['413', '415'] : []),
    ...(path.startsWith('/v1/') ? ['429'] : []),
    '500',
    '503',
  ];
}

const mayCarryBody = new Set(['post', 'put', 'patch', 'delete']);

/** Whether a path's 503 may be SERVER_BUSY: every route but the health checks, which always answer. */
const busyMayRefuse = (path: string) => !alwaysAnswered.has(path);
const busyDescription =
  'Or SERVER_BUSY, with Retry-After: this API process is working on as many requests as it takes.';

/** The headers of one response: x-request-id always; the rest by route and status. */
function responseHeaders(path: string, status: string, response: Json): Record<string, unknown> {
  const out: Record<string, unknown> = { 'x-request-id': headerRef('XRequestId') };
  if (path.startsWith('/v1/')) {
    out['RateLimit-Limit'] = headerRef('RateLimitLimit');
    out['RateLimit-Remaining'] = headerRef('RateLimitRemaining');
    out['RateLimit-Reset'] = headerRef('RateLimitReset');
  }
  if (status === '429' || (status === '503' && busyMayRefuse(path)))
    out['Retry-After'] = headerRef('RetryAfter');
  if (path.startsWith('/v1/public/')) out['Cache-Control'] = headerRef('CacheControl');
  if (status === '401') out['WWW-Authenticate'] = headerRef('WWWAuthenticate');
  if (
    status.startsWith('2') &&
    JSON.stringify(response.content ?? {}).includes('"#/components/schemas/Dossier"')
  )
    out.ETag = headerRef('ETag');
  const files = [
    'application/pdf',
    'text/csv',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ];
  const content = Object.keys((response.content as Json | undefined) ?? {});
  if (status.startsWith('2') && content.some((type) => files.includes(type)))
    out['Content-Disposition'] = headerRef('ContentDisposition');
  return { ...out, ...((response.headers as Json | undefined) ?? {}) };
}

/** int32 or int64 on every integer schema that does not say, from its bounds. */
function integerWidths(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(integerWidths);
  if (!node || typeof node !== 'object') return;
  const o = node as Json;
  if (o.type === 'integer' && o.format === undefined) {
    const min = (o.minimum ?? o.exclusiveMinimum) as number | undefined;
    const max = (o.maximum ?? o.exclusiveMaximum) as number | undefined;
    o.format =
      min !== undefined && max !== undefined && min >= -(2 ** 31) && max < 2 ** 31 ? 'int32' : 'int64';
  }
  for (const value of Object.values(o)) integerWidths(value);
}

/**
 * A POST whose body has no required field may be sent with no body at all (the dossier actions such as accept:
 * their routes read a missing body as {}); a PATCH still needs one.
 */
function bodyIsOptional(operation: Json, schemas: Record<string, unknown>): boolean {
  const content = (operation.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
  let schema = content?.['application/json']?.schema as Json | undefined;
  if (typeof schema?.$ref === 'string') schema = schemas[schema.$ref.split('/').pop()!] as Json | undefined;
  // A body whose fields are each optional but of which one is required (anyOf) needs a body too.
  return (
    schema !== undefined && !(schema.required as unknown[] | undefined)?.length && schema.anyOf === undefined
  );
}

/**
 * What motcua POSTs to a subscribed URL (src/webhooks/delivery.ts): the `webhooks` of the document, so a client
 * generated from it has the delivery's type. Its schemas are the change feed's (DossierSnapshot, RaisedAlert).
 */
const webhookHeader = (name: string, description: string, schema: Json): Json => ({
  name,
  in: 'header',
  required: true,
  description,
  schema: { type: 'string', ...schema },
});
const webhooks: Json = {
  event: {
    post: {
      operationId: 'deliverEvent',
      summary: 'An event delivered to a subscribed URL',
      description:
        'Sent for each event a webhook subscribes to, signed as the Standard Webhooks specification says: ' +
        'verify webhook-signature (HMAC-SHA256 of "webhook-id.webhook-timestamp.body" keyed with the whsec_ secret) ' +
        'before parsing. At least once, possibly out of order: drop duplicates by webhook-id, and ignore a dossier ' +
        'older than the version you hold (an alert or a rating carries the version the dossier already had: act on ' +
        'its alert or rating).',
      tags: ['webhooks'],
      // No scheme of components.securitySchemes: the receiver checks webhook-signature instead.
      security: [],
      parameters: [
        webhookHeader('webhook-id', 'The delivery: the same on every retry of it.', {
          format: 'uuid',
          example: '3b9e1c2a-7f0d-4a51-9e8b-2c6f0a1d5e77',
        }),
        webhookHeader('webhook-timestamp', 'Unix seconds when this attempt was signed.', {
          pattern: '^\\d{1,12}$',
          example: '1745919000',
        }),
        webhookHeader('webhook-signature', 'v1,<base64 signature>.', {
          pattern: '^v1,[A-Za-z0-9+/=]+$',
          example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
        }),
      ],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/WebhookEvent' } } },
      },
      responses: {
        '200': {
          description:
            'Received. Any 2xx within 10 seconds counts; anything else (another status, a redirect, a timeout) is retried.',
        },
      },
    },
  },
};
const webhookSchemas: Record<string, Json> = {
  WebhookEvent: {
    type: 'object',
    required: ['type', 'occurredAt', 'data'],
    properties: {
      type: {
        type: 'string',
        description: 'dossier.<event> or alert.<kind>, as the change feed names them.',
        pattern: '^(dossier|alert)\\.[a-z_]+$',
        example: 'dossier.resolved',
      },
      occurredAt: { type: 'string', format: 'date-time', example: '2025-04-29T16:30:00+07:00' },
      data: {
        type: 'object',
        required: ['dossier'],
        properties: {
          dossier: { $ref: '#/components/schemas/DossierSnapshot' },
          alert: { $ref: '#/components/schemas/RaisedAlert', description: 'alert.* events only.' },
          rating: {
            type: 'object',
            description: 'dossier.rated only: the rating recorded (never the citizen\u2019s comment).',
            required: ['level', 'source', 'ratedAt'],
            properties: {
              level: { type: 'string', enum: [...ratingLevels] },
              source: { type: 'string', enum: [...ratingSources] },
              ratedAt: { type: 'string', format: 'date-time' },
            },
          },
        },
      },
    },
  },
};

export function finalizeOpenApi(source: unknown): Json {
  const doc = structuredClone(source) as Json;
  const components = (doc.components ?? {}) as Json;
  const schemas = { ...(components.schemas ?? {}), ...webhookSchemas } as Record<string, unknown>;

  const sameAsOutput = new Set(
    Object.keys(schemas).filter(
      (name) =>
        name.endsWith('Input') &&
        schemas[name.slice(0, -5)] !== undefined &&
        JSON.stringify(schemas[name]).replaceAll('Input"', '"') ===
          JSON.stringify(schemas[name.slice(0, -5)]),
    ),
  );
  const rewriteRefs = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewriteRefs);
    if (value && typeof value === 'object') {
      const out: Json = {};
      for (const [k, v] of Object.entries(value)) {
        if (k === '$ref' && typeof v === 'string') {
          const name = v.split('/').pop()!;
          out[k] = sameAsOutput.has(name) ? v.slice(0, -5) : v;
        } else out[k] = rewriteRefs(v);
      }
      return out;
    }
    return value;
  };
  for (const name of sameAsOutput) delete schemas[name];
  const paths = rewriteRefs(doc.paths ?? {}) as Record<string, Record<string, Json>>;
  for (const [name, schema] of Object.entries(schemas)) schemas[name] = rewriteRefs(schema);

  // Schemas that no operation reaches (e.g. the output form of a request body) are dropped.
  for (let changed = true; changed;) {
    changed = false;
    for (const name of Object.keys(schemas)) {
      const others = JSON.stringify([paths, webhooks, Object.entries(schemas).filter(([n]) => n !== name)]);
      if (!others.includes(`"#/components/schemas/${name}"`)) {
        delete schemas[name];
        changed = true;
      }
    }
  }

  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (method === 'post' && bodyIsOptional(operation, schemas))
        (operation.requestBody as Json).required = false;
      const responses = (operation.responses ?? {}) as Record<string, Json>;
      for (const status of sharedResponses(path, method, operation)) {
        responses[status] ??= {
          description:
            statusDescriptions[Number(status)] +
            (status === '503' && busyMayRefuse(path) ? ` ${busyDescription}` : ''),
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        };
      }
      operation.responses = Object.fromEntries(
        Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)),
      );
      for (const [status, response] of Object.entries(responses)) {
        if (response.description === 'Default Response')
          response.description = statusText[status] ?? 'Response';
        const content = response.content as Record<string, unknown> | undefined;
        if (
          Number(status) >= 400 &&
          content?.['application/json'] &&
          JSON.stringify(content).includes('/Problem"')
        ) {
          response.content = { 'application/problem+json': content['application/json'] };
        }
        response.headers = responseHeaders(path, status, response);
      }
    }
  }
  integerWidths(paths);
  integerWidths(schemas);
  return { ...doc, paths, webhooks, components: { ...components, schemas, headers } };
}
