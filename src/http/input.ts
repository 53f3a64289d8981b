import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { fieldError } from './messages.js';

/**
 * Every text a request brings, before any handler or schema sees it:
 * - NFC: the query's and the JSON body's strings are put in Unicode's composed form (NFC), so "Nguyễn" typed
 *   with combining accents (as some keyboards and PDF copies send it) is stored, compared and searched as the
 *   same name typed precomposed. Object keys (field names) are left as sent.
 * - NUL: PostgreSQL text cannot hold U+0000, and no field of this API has a use for it: a NUL anywhere in the
 *   path parameters, the query or the JSON body (values or keys) is a 400.
 * - Half a surrogate pair (a JSON escape such as "\ud800" without its other half) is no character at all: it
 *   cannot be written as UTF-8, and PostgreSQL refuses it in a JSON value (an intake's applicant is stored as
 *   one). Anywhere in the path parameters, the query or the JSON body it is a 400, like a NUL.
 * Iterative, so a deeply nested body cannot exhaust the stack. A callback hook, not an async one: it runs on
 * every request.
 */
export function checkInputText(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const found = normalizeOrFindBadText(request);
  done(found === null ? undefined : fieldError(found.path, found.problem));
}

/** A value met on the walk, with the key that led to it: its path is built only if needed. */
type Visit = { value: unknown; key: string; parent: Visit | null };

const pathOf = (visit: Visit): string => (visit.parent ? `${pathOf(visit.parent)}.${visit.key}` : visit.key);

/** Text outside ASCII: only such text can differ from its NFC form, or hold half a surrogate pair. */
const NON_ASCII = /[\u0080-\uffff]/;
/** Half a surrogate pair: read by code points, a whole pair is one character and only a lone half is a surrogate. */
const LONE_SURROGATE = /\p{Cs}/u;

/** What makes a text unusable, and the message that says so. */
type BadText = { path: string; problem: 'nul_character' | 'unpaired_surrogate' };

function badText(text: string): BadText['problem'] | null {
  if (text.includes('\u0000')) return 'nul_character';
  if (NON_ASCII.test(text) && LONE_SURROGATE.test(text)) return 'unpaired_surrogate';
  return null;
}

/**
 * Puts every string of the query and the body in NFC (in place: the walk sees each container once) and returns
 * where the first NUL or half surrogate pair lies (in a string or a key), or null. Path parameters are only
 * checked: they are codes.
 */
function normalizeOrFindBadText(request: FastifyRequest): BadText | null {
  const stack: Visit[] = [
    { value: request.params, key: 'params', parent: null },
    { value: request.query, key: 'querystring', parent: null },
    { value: request.body, key: 'body', parent: null },
  ];
  while (stack.length) {
    const visit = stack.pop()!;
    const value = visit.value;
    if (typeof value === 'string') {
      const problem = badText(value);
      if (problem) return { path: pathOf(visit), problem };
    } else if (value && typeof value === 'object') {
      const normalize = visit.parent !== null || visit.key !== 'params';
      const container = value as Record<string, unknown>;
      for (const key in container) {
        const problem = badText(key);
        if (problem) return { path: pathOf(visit), problem };
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
