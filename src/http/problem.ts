import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode, type ErrorItem } from '../domain/errors.js';
import { errorTable } from './error-codes.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  errors?: ErrorItem[];
  requestId: string;
}

/** 'vi' when Accept-Language prefers Vietnamese over every other language, else 'en'. */
export function preferredLanguage(header: string | undefined): 'vi' | 'en' {
  if (!header) return 'en';
  let best = { lang: 'en', q: -1 };
  for (const part of header.split(',')) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.find((p) => p.trim().startsWith('q='));
    const q = qParam ? Number(qParam.trim().slice(2)) : 1;
    if (!Number.isNaN(q) && q > best.q) best = { lang: tag, q };
  }
  return best.lang === 'vi' || best.lang.startsWith('vi-') ? 'vi' : 'en';
}

function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}

export function buildProblem(
  code: ErrorCode,
  request: FastifyRequest,
  params: Record<string, string | number> = {},
  errors?: ErrorItem[],
): Problem {
  const spec = errorTable[code];
  const lang = preferredLanguage(request.headers['accept-language']);
  return {
    type: `urn:motcua:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title: spec.title,
    status: spec.status,
    code,
    detail: fill(spec[lang], params),
    ...(errors && errors.length ? { errors } : {}),
    requestId: request.id,
  };
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  // Sent as a string so no route's response schema re-serialises it.
  return reply.code(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

function validationItems(err: FastifyError): ErrorItem[] {
  const context = err.validationContext ?? 'request';
  return (err.validation ?? []).map((v) => {
    const rest = (v.instancePath ?? '').split('/').filter(Boolean).join('.');
    return { path: rest ? `${context}.${rest}` : context, message: v.message ?? 'invalid' };
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
  const summary = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'params: too long' : 'the URL is not valid';
  const problem =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? buildProblem('VALIDATION_FAILED', request, { summary }, [{ path: 'params', message: 'too long' }])
      : buildProblem('MALFORMED_REQUEST', request, { summary });
  void sendProblem(reply, problem);
}

/** Maps everything thrown inside a request to problem+json. 5xx never carries internals. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof DomainError) {
      if (err.code === 'RATE_LIMITED' && err.params.retryAfter) {
        reply.header('retry-after', String(err.params.retryAfter));
      }
      return sendProblem(reply, buildProblem(err.code, request, err.params, err.errors));
    }
    if (err.validation) {
      const errors = validationItems(err);
      const summary = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
      return sendProblem(reply, buildProblem('VALIDATION_FAILED', request, { summary }, errors));
    }
    switch (err.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendProblem(reply, buildProblem('MALFORMED_REQUEST', request, { summary: err.message }));
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(
          reply,
          buildProblem('PAYLOAD_TOO_LARGE', request, { limit: request.routeOptions.bodyLimit ?? 0 }),
        );
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return sendProblem(reply, buildProblem('UNSUPPORTED_MEDIA_TYPE', request));
    }
    if (err instanceof SyntaxError || (err.statusCode === 400 && !err.code?.startsWith('FST_ERR_RESPONSE'))) {
      return sendProblem(reply, buildProblem('MALFORMED_REQUEST', request, { summary: err.message }));
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
