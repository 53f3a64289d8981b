import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { DomainError } from '../domain/errors.js';

/**
 * PostgreSQL text cannot hold U+0000, and no field of this API has a use for it: a NUL anywhere in the path
 * parameters, the query or the JSON body (values or keys) is a 400 before any handler runs. Iterative, so a
 * deeply nested body cannot exhaust the stack. A callback hook, not an async one: it runs on every request.
 */
export function rejectNulCharacters(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const found = nulPath(request);
  done(found === null ? undefined : nulFound(found));
}

function nulPath(request: FastifyRequest): string | null {
  const stack: Array<[unknown, string]> = [
    [request.params, 'params'],
    [request.query, 'querystring'],
    [request.body, 'body'],
  ];
  while (stack.length) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
    } else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key.includes('\u0000')) return path;
        stack.push([child, `${path}.${key}`]);
      }
    }
  }
  return null;
}

function nulFound(path: string): DomainError {
  const message = 'must not contain the NUL character (U+0000)';
  return new DomainError('VALIDATION_FAILED', { summary: `${path}: ${message}` }, [{ path, message }]);
}
