import type { FastifySerializerCompiler } from 'fastify';
import { ResponseSerializationError, serializerCompiler } from 'fastify-type-provider-zod';
import { $ZodType, safeEncode } from 'zod/v4/core';

/**
 * Every route's serializer but a dossier's intake, list and read and the statistics (builtResponseSerializer): the
 * response encoded by its zod schema as fastify-type-provider-zod's serializerCompiler encodes it (unknown fields
 * dropped; a response its schema refuses is a ResponseSerializationError), then written as jsonBody writes it: a
 * page of the change feed holds up to 1,000 dossiers.
 */
export const encodedResponseSerializer: FastifySerializerCompiler<unknown> = (route) => {
  const declared = route.schema as unknown;
  const schema =
    declared instanceof $ZodType ? declared : (declared as { properties?: unknown } | undefined)?.properties;
  // Not a zod schema: the library's own compiler, which refuses it as its error says.
  if (!(schema instanceof $ZodType))
    return serializerCompiler(route as Parameters<typeof serializerCompiler>[0]);
  return ((data: unknown) => {
    const result = safeEncode(schema, data);
    if (result.error) throw new ResponseSerializationError(route.method, route.url, { cause: result.error });
    return jsonBody(result.data);
  }) as Serializer;
};

/**
 * For routes whose handlers build every response field by field, in schema order (a dossier's intake, list and
 * read; the statistics): the response is written as jsonBody writes it, without zod's per-response encode (≈ 10 %
 * of a hot read's CPU; 1.5 ms of a province's month by unit, 112 rows). With `check` (everywhere but production)
 * zod's serializer still runs and the two outputs must be identical, so a response that drifts from its schema (a
 * missing, extra or misplaced field, a wrong type) fails the tests.
 */
export function builtResponseSerializer(check: boolean): FastifySerializerCompiler<unknown> {
  return (route) => {
    if (!check) return jsonBody as Serializer;
    const encode = serializerCompiler(route as Parameters<typeof serializerCompiler>[0]);
    return (data: unknown) => {
      const body = jsonBody(data);
      const json = typeof body === 'string' ? body : body.toString('utf8');
      const expected = encode(data);
      if (json !== expected) {
        throw new Error(
          `response of ${route.method} ${route.url} differs from its schema's encoding:\n${json}\n${expected}`,
        );
      }
      return body as string;
    };
  };
}

/**
 * What a serializer compiler returns, as Fastify's types declare it: a string. Its reply sends a Buffer as it is
 * (Content-Length its length), which is what jsonBody gives for a long response.
 */
type Serializer = (data: unknown) => string;

/**
 * The JSON text of a page is turned into bytes this many characters at a time. V8 builds a JSON.stringify result
 * as a chain of parts and joins them on the first read (Fastify's Content-Length, then the socket's UTF-8
 * encoding); for a page of 50 dossiers, Vietnamese names making it a two-byte string of 170 KB, that join is a
 * large-object allocation of about 0.7 ms on our hosts, four times the stringify itself. Parts this short stay in
 * the young generation.
 */
export const JSON_PIECE_CHARS = 16_384;

/**
 * `JSON.stringify(data)`, as bytes when long: a plain object's arrays (a page's items) are written element by
 * element and turned into bytes whenever at least JSON_PIECE_CHARS characters are waiting (one long element makes
 * a longer piece), never joined into one string. Anything else is JSON.stringify's own string, and so is a result
 * shorter than one piece (built the same way). The text is JSON.stringify's, but for one thing no response of
 * ours meets: a member's or element's toJSON is given '' as its key.
 */
export function jsonBody(data: unknown): string | Buffer {
  const entries = isPlainObject(data) ? Object.entries(data) : [];
  if (!entries.some(([, value]) => isPlainArray(value))) return JSON.stringify(data);
  const pieces: Buffer[] = [];
  let text = '{';
  // A piece ends only between whole parts, so a character (or a surrogate pair) is never cut in two.
  const put = (part: string) => {
    text += part;
    if (text.length >= JSON_PIECE_CHARS) {
      pieces.push(Buffer.from(text, 'utf8'));
      text = '';
    }
  };
  let comma = '';
  for (const [key, value] of entries) {
    const name = `${comma}${JSON.stringify(key)}:`;
    if (isPlainArray(value)) {
      put(`${name}[`);
      // An index loop, not forEach: a hole is written as null, as JSON.stringify writes it.
      for (let i = 0; i < value.length; i++)
        put(`${i === 0 ? '' : ','}${JSON.stringify(value[i]) ?? 'null'}`);
      put(']');
    } else {
      const json = JSON.stringify(value);
      if (json === undefined) continue; // JSON.stringify leaves out undefined, functions and symbols
      put(name + json);
    }
    comma = ',';
  }
  text += '}';
  if (pieces.length === 0) return text;
  pieces.push(Buffer.from(text, 'utf8'));
  return Buffer.concat(pieces);
}

const hasToJson = (value: object) => typeof (value as { toJSON?: unknown }).toJSON === 'function';

function isPlainArray(value: unknown): value is unknown[] {
  return Array.isArray(value) && !hasToJson(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && !hasToJson(value);
}
