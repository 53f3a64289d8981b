import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  InvalidSchemaError,
  ResponseSerializationError,
  serializerCompiler,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { encodedResponseSerializer, JSON_PIECE_CHARS, jsonBody } from '../src/http/serializer.js';

const text = (body: string | Buffer) => (typeof body === 'string' ? body : body.toString('utf8'));

/** A page as the list answers it: Vietnamese names make its JSON a two-byte string. */
const page = (n: number) => ({
  items: Array.from({ length: n }, (_, i) => ({
    code: `H56.12-261205-${String(i).padStart(4, '0')}`,
    applicant: { name: 'Nguyễn Thị Hồng Nhung', address: 'Số 12, đường Trần Hưng Đạo, phường Bến Thành' },
    receivedAt: new Date(Date.UTC(2026, 11, 5, 1, i)),
    remark: i % 7 === 0 ? undefined : 'Đã nhận đủ giấy tờ 😀',
  })),
  nextCursor: 'abc',
  limit: n,
});

describe('jsonBody: a response as bytes written in pieces', () => {
  it('is a string, JSON.stringify exactly, when the text is shorter than a piece', () => {
    const small = page(3);
    expect(jsonBody(small)).toBe(JSON.stringify(small));
    expect(jsonBody({ a: 1 })).toBe('{"a":1}');
    expect(jsonBody([1, 2])).toBe('[1,2]');
    expect(jsonBody('x')).toBe('"x"');
    expect(jsonBody(null)).toBe('null');
  });

  it('is bytes when long, the same bytes as JSON.stringify, every piece a whole character', () => {
    const big = page(400);
    const body = jsonBody(big);
    expect(Buffer.isBuffer(body)).toBe(true);
    expect((body as Buffer).equals(Buffer.from(JSON.stringify(big), 'utf8'))).toBe(true);
    expect(JSON.stringify(big).length).toBeGreaterThan(4 * JSON_PIECE_CHARS);
  });

  it('writes holes, undefined and functions in arrays as null, and leaves out such members of the object', () => {
    const filler = Array.from({ length: 600 }, () => 'Ủy ban nhân dân xã Minh Long, tỉnh Hà Tĩnh');
    const items: unknown[] = [1];
    items.length = 2; // a hole at 1
    items.push(undefined, () => 2, new Date(0), ...filler);
    const odd = { skipped: undefined, fn: () => 1, items, last: [] };
    expect(1 in items).toBe(false);
    expect(text(jsonBody(odd))).toBe(JSON.stringify(odd));
    expect(Buffer.isBuffer(jsonBody(odd))).toBe(true);
  });

  it('cuts no character in two where a piece ends', () => {
    // '{"items":[' is 10 characters; the first element's last character, a surrogate pair, ends the first piece.
    const first = `${'x'.repeat(JSON_PIECE_CHARS - 14)}😀`;
    expect(10 + JSON.stringify(first).length).toBe(JSON_PIECE_CHARS);
    const data = { items: [first, 'ễ'.repeat(JSON_PIECE_CHARS), '😀ễ'] };
    const body = jsonBody(data);
    expect(Buffer.isBuffer(body)).toBe(true);
    expect((body as Buffer).equals(Buffer.from(JSON.stringify(data), 'utf8'))).toBe(true);
  });

  it('writes an array with its own toJSON as JSON.stringify does', () => {
    const items = Object.assign(['ễ'.repeat(JSON_PIECE_CHARS)], { toJSON: () => 'replaced' });
    const data = { items, other: ['ễ'.repeat(JSON_PIECE_CHARS)] };
    expect(text(jsonBody(data))).toBe(JSON.stringify(data));
    expect(text(jsonBody(data))).toContain('"items":"replaced"');
  });

  it('leaves objects with toJSON, class instances and objects without arrays to JSON.stringify', () => {
    const long = 'ê'.repeat(3 * JSON_PIECE_CHARS);
    const withToJson = { items: [long], toJSON: () => ({ other: true }) };
    expect(jsonBody(withToJson)).toBe('{"other":true}');
    class Page {
      items = [long];
    }
    expect(typeof jsonBody(new Page())).toBe('string');
    expect(typeof jsonBody({ text: long })).toBe('string');
  });

  it('gives JSON.stringify’s text for any JSON value, short or long', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.oneof(fc.array(fc.jsonValue(), { maxLength: 60 }), fc.jsonValue())),
        fc.nat({ max: 3 }),
        (value, copies) => {
          const grown = {
            ...value,
            rows: Array.from({ length: copies * 400 }, (_, i) => ({ i, t: 'Đắk Lắk' })),
          };
          expect(text(jsonBody(grown))).toBe(JSON.stringify(grown));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('encodedResponseSerializer: the other routes’ responses', () => {
  type Route = Parameters<typeof encodedResponseSerializer>[0];
  const schema = z.object({
    changes: z.array(z.object({ code: z.string(), name: z.string() })),
    hasMore: z.boolean(),
  });
  const route = { schema, method: 'GET', url: '/example', httpStatus: '200' };
  const serialize = encodedResponseSerializer(route as Route);

  it('encodes by the schema, leaving out fields it does not declare, as zod’s own serializer', () => {
    const data = { changes: [{ code: 'A', name: 'Đắk Lắk', secret: 'x' }], hasMore: false, extra: 1 };
    expect(serialize(data)).toBe(serializerCompiler(route as never)(data));
    expect(serialize(data)).toBe('{"changes":[{"code":"A","name":"Đắk Lắk"}],"hasMore":false}');
  });

  it('gives bytes for a long page, the same text as zod’s own serializer', () => {
    const changes = Array.from({ length: 2000 }, (_, i) => ({
      code: `H56-${i}`,
      name: 'Ủy ban nhân dân xã',
    }));
    const body = serialize({ changes, hasMore: true }) as unknown as string | Buffer;
    expect(Buffer.isBuffer(body)).toBe(true);
    expect(text(body)).toBe(serializerCompiler(route as never)({ changes, hasMore: true }));
  });

  it('refuses a response its schema refuses, as zod’s own serializer does', () => {
    expect(() => serialize({ changes: [{ code: 1 }], hasMore: false })).toThrow(ResponseSerializationError);
  });

  it('reads a schema given as { properties }, and refuses one that is not zod’s as the library does', () => {
    const wrapped = encodedResponseSerializer({ ...route, schema: { properties: schema } } as Route);
    expect(wrapped({ changes: [], hasMore: false, extra: 1 })).toBe('{"changes":[],"hasMore":false}');
    expect(() => encodedResponseSerializer({ ...route, schema: { type: 'object' } } as Route)).toThrow(
      InvalidSchemaError,
    );
  });
});
