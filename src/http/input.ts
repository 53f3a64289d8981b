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

/** Where the first NUL lies, or null. Paths are built only for the parts that hold one. */
function nulPath(request: FastifyRequest): string | null {
  for (const [value, path] of [
    [request.params, 'params'],
    [request.query, 'querystring'],
    [request.body, 'body'],
  ] as const) {
    if (holdsNul(value)) return pathOfNul(value, path);
  }
  return null;
}

/** Whether a NUL lies anywhere in a value (strings, keys, nested), without building paths. */
function holdsNul(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return true;
    } else if (value && typeof value === 'object') {
      for (const key in value) {
        if (key.includes('\u0000')) return true;
        stack.push((value as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

function pathOfNul(root: unknown, rootPath: string): string {
  const stack: Array<[unknown, string]> = [[root, rootPath]];
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
  return rootPath;
}

function nulFound(path: string): DomainError {
  const message = 'must not contain the NUL character (U+0000)';
  return new DomainError('VALIDATION_FAILED', { summary: `${path}: ${message}` }, [{ path, message }]);
}
