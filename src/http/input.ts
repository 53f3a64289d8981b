import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { DomainError } from '../domain/errors.js';
import { fieldError } from './messages.js';

/**
 * Every text a request brings, before any handler or schema sees it:
 * - NFC: the query's and the JSON body's strings are put in Unicode's composed form (NFC), so "Nguyễn" typed
 *   with combining accents (as some keyboards and PDF copies send it) is stored, compared and searched as the
 *   same name typed precomposed. Object keys (field names) are left as sent.
 * - NUL: PostgreSQL text cannot hold U+0000, and no field of this API has a use for it: a NUL anywhere in the
 *   path parameters, the query or the JSON body (values or keys) is a 400.
 * Iterative, so a deeply nested body cannot exhaust the stack. A callback hook, not an async one: it runs on
 * every request.
 */
export function checkInputText(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const found = normalizeOrFindNul(request);
  done(found === null ? undefined : nulFound(found));
}

/** A value met on the walk, with the key that led to it: its path is built only if needed. */
type Visit = { value: unknown; key: string; parent: Visit | null };

const pathOf = (visit: Visit): string => (visit.parent ? `${pathOf(visit.parent)}.${visit.key}` : visit.key);

/** Text outside ASCII: only such text can differ from its NFC form. */
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Puts every string of the query and the body in NFC (in place: the walk sees each container once) and returns
 * where the first NUL lies (in a string or a key), or null. Path parameters are only checked: they are codes.
 */
function normalizeOrFindNul(request: FastifyRequest): string | null {
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
      const normalize = visit.parent !== null || visit.key !== 'params';
      const container = value as Record<string, unknown>;
      for (const key in container) {
        if (key.includes('\u0000')) return pathOf(visit);
        const member = container[key];
        if (normalize && typeof member === 'string' && NON_ASCII.test(member)) {
          const composed = member.normalize('NFC');
          if (composed !== member) container[key] = composed;
        }
        stack.push({ value: container[key], key, parent: visit });
      }
    }
  }
  return null;
}

function nulFound(path: string): DomainError {
  return fieldError(path, 'nul_character');
}
