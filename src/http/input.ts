import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { DomainError } from '../domain/errors.js';
import { fieldError } from './messages.js';

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

/** A value met while looking for a NUL, with the key that led to it: its path is built only if needed. */
type Visit = { value: unknown; key: string; parent: Visit | null };

const pathOf = (visit: Visit): string => (visit.parent ? `${pathOf(visit.parent)}.${visit.key}` : visit.key);

/** Where the first NUL lies (in a string or a key), or null. */
function nulPath(request: FastifyRequest): string | null {
  const stack: Visit[] = [
    { value: request.params, key: 'params', parent: null },
    { value: request.query, key: 'querystring', parent: null },
    { value: request.body, key: 'body', parent: null },
  ];
  while (stack.length) {
    const visit = stack.pop()!;
    const value = visit.value;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return pathOf(visit);
    } else if (value && typeof value === 'object') {
      for (const key in value) {
        if (key.includes('\u0000')) return pathOf(visit);
        stack.push({ value: (value as Record<string, unknown>)[key], key, parent: visit });
      }
    }
  }
  return null;
}

function nulFound(path: string): DomainError {
  return fieldError(path, 'nul_character');
}
