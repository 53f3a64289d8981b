import type { FastifySerializerCompiler } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';

/**
 * For routes whose handlers build every response field by field, in schema order (the dossier routes): the
 * response is written with JSON.stringify, without zod's per-response encode (≈ 10 % of a hot read's CPU). With
 * `check` (everywhere but production) zod's serializer still runs and the two outputs must be identical, so a
 * response that drifts from its schema (a missing, extra or misplaced field, a wrong type) fails the tests.
 */
export function builtResponseSerializer(check: boolean): FastifySerializerCompiler<unknown> {
  return (route) => {
    if (!check) return (data: unknown) => JSON.stringify(data);
    const encode = serializerCompiler(route as Parameters<typeof serializerCompiler>[0]);
    return (data: unknown) => {
      const json = JSON.stringify(data);
      const expected = encode(data);
      if (json !== expected) {
        throw new Error(
          `response of ${route.method} ${route.url} differs from its schema's encoding:\n${json}\n${expected}`,
        );
      }
      return json;
    };
  };
}
