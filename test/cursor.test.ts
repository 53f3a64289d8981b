import { describe, expect, it } from 'vitest';
import { DomainError } from '../src/domain/errors.js';
import { decodeCursor, decodeCursorAs, encodeCursor, encodeCursorAs } from '../src/http/schemas.js';
import { feedPosition } from '../src/sync/schemas.js';

const b64 = (text: string) => Buffer.from(text).toString('base64url');

function refusal(decode: () => unknown): {
  code: string;
  path: string | undefined;
  message: string | undefined;
} {
  try {
    decode();
  } catch (err) {
    if (err instanceof DomainError)
      return { code: err.code, path: err.errors?.[0]?.path, message: err.errors?.[0]?.message };
    throw err;
  }
  throw new Error('the cursor was accepted');
}

describe('the one cursor codec', () => {
  it('list cursors stay base64url JSON of the sort key: the ones already handed out still read', () => {
    expect(encodeCursor(['2025-04-29T09:30:00.000Z', 'c0ffee'])).toBe(
      b64('["2025-04-29T09:30:00.000Z","c0ffee"]'),
    );
    expect(decodeCursor(b64('[42]'), 1)).toEqual([42]);
    expect(decodeCursor(undefined, 1)).toBeNull();
    expect(decodeCursor('', 1)).toBeNull();
  });

  it('feed positions stay base64url of "txid:id": the ones already handed out still read', () => {
    expect(encodeCursorAs(feedPosition, { txid: '123456789012', id: 45 })).toBe(b64('123456789012:45'));
    expect(decodeCursorAs(feedPosition, b64('7:8'))).toEqual({ txid: '7', id: 8 });
  });

  it('a cursor the service did not write is a 400 on its own parameter, never read as another list\u2019s', () => {
    expect(refusal(() => decodeCursor(b64('[1,2]'), 1))).toEqual({
      code: 'VALIDATION_FAILED',
      path: 'querystring.cursor',
      message: 'list_cursor',
    });
    expect(refusal(() => decodeCursor('not json', 1)).message).toBe('list_cursor');
    expect(refusal(() => decodeCursorAs(feedPosition, b64('[7,8]')))).toEqual({
      code: 'VALIDATION_FAILED',
      path: 'querystring.after',
      message: 'feed_cursor',
    });
    expect(refusal(() => decodeCursor(b64('7:8'), 2)).message).toBe('list_cursor');
    // A transaction id with a leading zero is one PostgreSQL would read in octal: the service never writes one.
    expect(refusal(() => decodeCursorAs(feedPosition, b64('010:8'))).message).toBe('feed_cursor');
    expect(decodeCursorAs(feedPosition, b64('0:0'))).toEqual({ txid: '0', id: 0 });
  });
});
