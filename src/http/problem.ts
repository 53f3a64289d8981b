import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode, type ErrorItem } from '../domain/errors.js';
import { errorTable } from './error-codes.js';
import {
  actionNames,
  fieldName,
  fill,
  isMessageKey,
  issueMessage,
  messages,
  processTimeNames,
  renderItem,
  roleNames,
  stateNames,
  workingTimeText,
  type Lang,
  type Text,
} from './messages.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  errors?: Array<{ path: string; message: string }>;
  requestId: string;
}

/**
 * Vietnamese unless Accept-Language prefers English over Vietnamese: clerks read these messages at the counter.
 * A language the header does not name weighs what `*` weighs (0 without it); at equal weight the one listed
 * first wins, and Vietnamese when neither is listed.
 */
export function preferredLanguage(header: string | undefined): Lang {
  if (!header) return 'vi';
  const listed: Record<string, { q: number; index: number }> = {};
  header.split(',').forEach((part, index) => {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.find((p) => p.trim().startsWith('q='));
    const q = qParam ? Number(qParam.trim().slice(2)) : 1;
    const lang = tag.trim().split('-')[0]!;
    if (!Number.isNaN(q) && !listed[lang]) listed[lang] = { q, index };
  });
  const weigh = (lang: string) => listed[lang] ?? { q: listed['*']?.q ?? 0, index: Infinity };
  const en = weigh('en');
  const vi = weigh('vi');
  return en.q > vi.q || (en.q === vi.q && en.q > 0 && en.index < vi.index) ? 'en' : 'vi';
}

/**
 * Params named in the request's language: states, actions, roles and process times by name, a `reason` by its
 * message, `filter` (query parameters, comma-separated) by the fields' names with each parameter in brackets,
 * and a working time (`…Minutes`, with the working day's length as `dayLength`) in days and hours.
 */
function localParams(params: Record<string, string | number>, lang: Lang): Record<string, string | number> {
  const named: Record<string, Record<string, Text>> = {
    state: stateNames,
    action: actionNames,
    role: roleNames,
    time: processTimeNames,
  };
  const dayLength = params.dayLength;
  const out: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(params)) {
    const table = named[name];
    if (table && typeof value === 'string' && Object.hasOwn(table, value)) out[name] = table[value]![lang];
    else if (name === 'reason' && isMessageKey(value)) out[name] = messages[value][lang];
    else if (name === 'filter' && typeof value === 'string')
      out[name] = value
        .split(', ')
        .map((parameter) => `${fieldName(parameter, lang)} (${parameter})`)
        .join(lang === 'vi' ? ' và ' : ' and ');
    else if (name.endsWith('Minutes') && typeof value === 'number' && typeof dayLength === 'number')
      out[name] = workingTimeText(value, dayLength, lang);
    else out[name] = value;
  }
  return out;
}

/** The detail of a domain error in one language (also for reports outside HTTP, such as CSV imports). */
export function describeDomainError(err: DomainError, lang: Lang): string {
  return buildDetail(
    err.code,
    lang,
    err.params,
    err.errors?.map((e) => renderItem(e, lang)),
  );
}

function buildDetail(
  code: ErrorCode,
  lang: Lang,
  params: Record<string, string | number>,
  items: Array<{ message: string }> | undefined,
): string {
  const values = localParams(params, lang);
  // A validation problem's detail repeats its items' messages.
  if (items?.length && values.summary === undefined) values.summary = items.map((i) => i.message).join(' ');
  return fill(errorTable[code][lang], values);
}

export function buildProblem(
  code: ErrorCode,
  request: FastifyRequest,
  params: Record<string, string | number> = {},
  errors?: ErrorItem[],
): Problem {
  return problemIn(preferredLanguage(request.headers['accept-language']), request.id, code, params, errors);
}

function problemIn(
  lang: Lang,
  requestId: string,
  code: ErrorCode,
  params: Record<string, string | number> = {},
  errors?: ErrorItem[],
): Problem {
  const spec = errorTable[code];
  const items = errors?.map((e) => renderItem(e, lang));
  return {
    type: `urn:motcua:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title: lang === 'vi' ? spec.titleVi : spec.title,
    status: spec.status,
    code,
    detail: buildDetail(code, lang, params, items),
    ...(items && items.length ? { errors: items } : {}),
    requestId,
  };
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  if (problem.code === 'UNAUTHORIZED') {
    // RFC 6750: the scheme and realm; `invalid_token` only when a token was presented.
    const presented = Boolean(reply.request.headers.authorization);
    reply.header('www-authenticate', `Bearer realm="motcua"${presented ? ', error="invalid_token"' : ''}`);
  }
  // Set here too: errors met before routing (frameworkErrors) skip the hooks that set it on every response.
  reply.header('x-request-id', problem.requestId);
  // Sent as a string so no route's response schema re-serialises it.
  return reply.code(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

/** The value a request part holds at a path, to tell a missing field from a wrong one. */
function valueAt(root: unknown, segments: string[]): unknown {
  let value = root;
  for (const segment of segments) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** The part of the request a validation context names (body, querystring, params or headers). */
function requestPart(request: FastifyRequest, context: string): unknown {
  switch (context) {
    case 'body':
      return request.body;
    case 'querystring':
      return request.query;
    case 'params':
      return request.params;
    case 'headers':
      return request.headers;
    default:
      return undefined;
  }
}

/** Each zod issue as an error item: its message chosen from the issue's code and params, not zod's text. */
function validationItems(err: FastifyError, request: FastifyRequest): ErrorItem[] {
  const context = err.validationContext ?? 'body';
  const root = requestPart(request, context);
  return (err.validation ?? []).map((v) => {
    const segments = (v.instancePath ?? '').split('/').filter(Boolean);
    const path = segments.length ? `${context}.${segments.join('.')}` : context;
    const missing = valueAt(root, segments) === undefined;
    const { key, params } = issueMessage(
      { code: v.keyword, message: v.message, params: v.params as Record<string, unknown> },
      missing,
    );
    return { path, message: key, params };
  });
}

const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);

/** Postgres (or another backing service) unreachable: the client should retry, nothing is wrong with the request. */
function isBackingServiceDown(err: Error & { code?: string; cause?: unknown }): boolean {
  if (err.code && unavailableCodes.has(err.code)) return true;
  if (
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      err.message,
    )
  ) {
    return true;
  }
  // The query builder wraps the driver's error; look at what it wraps.
  return err.cause instanceof Error ? isBackingServiceDown(err.cause) : false;
}

/**
 * Errors Fastify meets before routing (a path that is not valid percent-encoding, a path parameter longer than
 * the router accepts): problem+json like every other error, not Fastify's own JSON. No parameter of this API is
 * anywhere near the router's limit, so an over-long one is simply invalid.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const problem =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? buildProblem('VALIDATION_FAILED', request, {}, [{ path: 'params', message: 'param_too_long' }])
      : buildProblem('MALFORMED_REQUEST', request, { reason: 'url_invalid' });
  void sendProblem(reply, problem);
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (a request line and headers over the 16 KiB it
 * reads, bytes that are not HTTP, headers that never finish): 400 MALFORMED_REQUEST as problem+json like every
 * other error, not Fastify's own JSON (with 431 for the first), then the connection is closed, as Node does. In
 * Vietnamese: the Accept-Language that could say otherwise was not read.
 */
export function clientErrors(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const reason =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? 'headers_too_large'
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'request_incomplete'
        : 'request_unreadable';
  const problem = problemIn('vi', randomUUID(), 'MALFORMED_REQUEST', { reason });
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(
      [
        'HTTP/1.1 400 Bad Request',
        'Connection: close',
        'Content-Type: application/problem+json; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `x-request-id: ${problem.requestId}`,
        '',
        body,
      ].join('\r\n'),
    );
  }
  socket.destroy(err);
}

/** Maps everything thrown inside a request to problem+json. 5xx never carries internals. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof DomainError) {
      if ((err.code === 'RATE_LIMITED' || err.code === 'SERVER_BUSY') && err.params.retryAfter) {
        reply.header('retry-after', String(err.params.retryAfter));
      }
      return sendProblem(reply, buildProblem(err.code, request, err.params, err.errors));
    }
    if (err.validation) {
      return sendProblem(
        reply,
        buildProblem('VALIDATION_FAILED', request, {}, validationItems(err, request)),
      );
    }
    switch (err.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return sendProblem(reply, buildProblem('MALFORMED_REQUEST', request, { reason: 'json_invalid' }));
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendProblem(reply, buildProblem('MALFORMED_REQUEST', request, { reason: 'json_empty' }));
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(
          reply,
          buildProblem('PAYLOAD_TOO_LARGE', request, { limit: request.routeOptions.bodyLimit ?? 0 }),
        );
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return sendProblem(reply, buildProblem('UNSUPPORTED_MEDIA_TYPE', request));
    }
    if (err instanceof SyntaxError) {
      return sendProblem(reply, buildProblem('MALFORMED_REQUEST', request, { reason: 'json_invalid' }));
    }
    if (err.statusCode === 400 && !err.code?.startsWith('FST_ERR_RESPONSE')) {
      return sendProblem(reply, buildProblem('MALFORMED_REQUEST', request, { reason: 'request_unreadable' }));
    }
    if (err.statusCode === 503 || isBackingServiceDown(err)) {
      request.log.warn({ err }, 'backing service unavailable');
      return sendProblem(reply, buildProblem('SERVICE_UNAVAILABLE', request));
    }
    request.log.error({ err }, 'unhandled error');
    return sendProblem(reply, buildProblem('INTERNAL_ERROR', request));
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      buildProblem('ROUTE_NOT_FOUND', request, {
        method: request.method,
        url: request.url.split('?')[0] ?? '',
      }),
    ),
  );
}
