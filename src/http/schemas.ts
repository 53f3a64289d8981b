import { z } from 'zod';
import { errorTable } from './error-codes.js';
import { errorCodes } from '../domain/errors.js';
import { fieldError, type MessageKey } from './messages.js';
import { isValidLocalDate } from '../domain/local-time.js';

/**
 * An instant the service writes: RFC 3339 in Vietnamese local time, always with the `+07:00` offset and whole
 * seconds (formatInstant). The format, pattern and length are stated for clients; responses are not re-checked.
 */
export const InstantString = z.string().meta({
  format: 'date-time',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\+07:00$',
  maxLength: 25,
  description: 'RFC 3339 instant, Vietnamese local time (+07:00).',
  example: '2025-04-29T16:30:00+07:00',
});

/**
 * A local date (Asia/Ho_Chi_Minh) written YYYY-MM-DD, in requests and responses. isValidLocalDate only accepts
 * ten characters matching the pattern, so the stated pattern and length are exactly what is enforced.
 */
export const LocalDateString = z.string().refine(isValidLocalDate, 'local_date').meta({
  format: 'date',
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  maxLength: 10,
  description: 'A local date (Asia/Ho_Chi_Minh).',
  example: '2025-04-30',
});

/** RFC 9457 problem details, the body of every error response. */
export const ProblemSchema = z
  .object({
    type: z.string().meta({ example: 'urn:motcua:problem:validation-failed' }),
    title: z.string().meta({ example: 'Validation failed' }),
    status: z.number().int().meta({ example: 400 }),
    code: z.enum(errorCodes).describe('Stable machine-readable error code.'),
    detail: z
      .string()
      .describe('Whole sentences for the counter: Vietnamese unless Accept-Language prefers English.'),
    errors: z
      .array(z.object({ path: z.string().meta({ example: 'body.name' }), message: z.string() }))
      .optional()
      .describe('Per-field problems, for validation errors.'),
    requestId: z.string().describe('The x-request-id of the failing request.'),
  })
  .meta({ id: 'Problem', description: 'An error (application/problem+json).' });

export const statusDescriptions: Record<number, string> = {
  400: 'Invalid input (VALIDATION_FAILED, MALFORMED_REQUEST).',
  401: 'Missing, invalid or revoked API key (UNAUTHORIZED).',
  403: "The key's role may not do this (FORBIDDEN).",
  404: 'Not found, or outside the key\u2019s unit scope.',
  409: 'Conflict with the current state.',
  412: 'If-Match does not match the current version (VERSION_MISMATCH).',
  413: 'Body too large (PAYLOAD_TOO_LARGE).',
  415: 'Body is not JSON (UNSUPPORTED_MEDIA_TYPE).',
  422: 'Well-formed but not acceptable.',
  429: 'Rate limited (RATE_LIMITED); retry after Retry-After seconds.',
  500: 'Unexpected server error (INTERNAL_ERROR); the detail never carries internals.',
  503: 'A backing service is unavailable (SERVICE_UNAVAILABLE); retry later.',
};

/**
 * Error responses for a route's schema: `...errorResponses(400, 401, 404)`. An authenticated route (401) is also
 * rate limited, so 429 comes with it.
 */
export function errorResponses(...statuses: number[]) {
  const all = statuses.includes(401) && !statuses.includes(429) ? [...statuses, 429] : statuses;
  return Object.fromEntries(
    all.map((s) => [
      s,
      ProblemSchema.describe(
        statusDescriptions[s] ?? Object.values(errorTable).find((e) => e.status === s)?.title ?? 'Error',
      ),
    ]),
  ) as Record<number, typeof ProblemSchema>;
}

/** The errors every authenticated route can give. */
export const authErrors = [400, 401, 403, 429] as const;

export const LimitQuery = z.coerce.number().int().min(1).max(200).default(50).describe('Page size, 1–200.');

/** A free-text search parameter (`q`): trimmed, 1–200 characters; `description` says what it matches. */
export const searchQuery = (description: string) =>
  z.string().trim().min(1).max(200).optional().describe(description);

export const CursorQuery = z
  .string()
  .max(500)
  .optional()
  .describe('Opaque cursor from the previous page\u2019s nextCursor.');

export function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().describe('Cursor of the next page; null at the end.'),
    })
    .meta({ id });
}

/**
 * One page of a keyset list. The query fetched up to `limit + 1` rows after the cursor's key: the extra row only
 * says that a next page exists, and the next cursor is the sort key of the page's last row.
 */
export function paginate<R, T>(
  fetched: R[],
  limit: number,
  keyOf: (row: R) => unknown[],
  view: (row: R) => T,
): { items: T[]; nextCursor: string | null } {
  const page = fetched.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(view),
    nextCursor: fetched.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}

/**
 * The one cursor codec. A cursor is opaque to clients: base64url of a text the service wrote, in the form of the
 * list it belongs to (`form` writes a key as that text and reads it back, null when it is not its own). A cursor
 * the form cannot read is a 400 on `field`, explained by the message key `reason`.
 */
export interface CursorForm<K> {
  write: (key: K) => string;
  read: (text: string) => K | null;
  field: string;
  reason: MessageKey;
}

export function encodeCursorAs<K>(form: CursorForm<K>, key: K): string {
  return Buffer.from(form.write(key)).toString('base64url');
}

export function decodeCursorAs<K>(form: CursorForm<K>, cursor: string): K {
  let key: K | null = null;
  try {
    key = form.read(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // reported below
  }
  if (key === null) throw fieldError(form.field, form.reason);
  return key;
}

/** Keyset list cursors: the JSON of the last row's sort key, `arity` values long. */
function listKey(arity: number): CursorForm<unknown[]> {
  return {
    write: (key) => JSON.stringify(key),
    read: (text) => {
      const key = JSON.parse(text) as unknown;
      return Array.isArray(key) && key.length === arity ? key : null;
    },
    field: 'querystring.cursor',
    reason: 'list_cursor',
  };
}

export function encodeCursor(key: unknown[]): string {
  return encodeCursorAs(listKey(key.length), key);
}

/** The sort key inside a list cursor, or null without one; a cursor this service did not write → 400. */
/** The code a page of a list ordered by code starts after (its cursor's one key), if any. */
export function codeAfter(cursor: string | undefined): string | undefined {
  const after = decodeCursor(cursor, 1)?.[0];
  return typeof after === 'string' ? after : undefined;
}

/** An `active=true|false` filter as a flag (undefined: both). */
export const activeFlag = (active: 'true' | 'false' | undefined) =>
  active === undefined ? undefined : active === 'true';

export function decodeCursor(cursor: string | undefined, arity: number): unknown[] | null {
  return cursor ? decodeCursorAs(listKey(arity), cursor) : null;
}

export const bearerSecurity = [{ bearerAuth: [] }];
