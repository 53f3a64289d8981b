/**
 * Final touches on the generated OpenAPI document, applied wherever it is served or written:
 * - error responses are `application/problem+json` (the zod transform only knows application/json);
 * - a request schema whose input form equals its output form is referenced once, not as `XInput` too,
 *   and schemas no operation reaches are left out;
 * - responses get a plain description where the generator wrote "Default Response".
 */
type Json = Record<string, unknown>;

const statusText: Record<string, string> = { '200': 'OK', '201': 'Created', '204': 'No Content' };

export function finalizeOpenApi(source: unknown): Json {
  const doc = structuredClone(source) as Json;
  const components = (doc.components ?? {}) as Json;
  const schemas = (components.schemas ?? {}) as Record<string, unknown>;

  const sameAsOutput = new Set(
    Object.keys(schemas).filter(
      (name) =>
        name.endsWith('Input') &&
        schemas[name.slice(0, -5)] !== undefined &&
        JSON.stringify(schemas[name]).replaceAll('Input"', '"') ===
          JSON.stringify(schemas[name.slice(0, -5)]),
    ),
  );
  const rewriteRefs = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewriteRefs);
    if (value && typeof value === 'object') {
      const out: Json = {};
      for (const [k, v] of Object.entries(value)) {
        if (k === '$ref' && typeof v === 'string') {
          const name = v.split('/').pop()!;
          out[k] = sameAsOutput.has(name) ? v.slice(0, -5) : v;
        } else out[k] = rewriteRefs(v);
      }
      return out;
    }
    return value;
  };
  for (const name of sameAsOutput) delete schemas[name];
  const paths = rewriteRefs(doc.paths ?? {}) as Record<string, Record<string, Json>>;
  for (const [name, schema] of Object.entries(schemas)) schemas[name] = rewriteRefs(schema);

  // Schemas that no operation reaches (e.g. the output form of a request body) are dropped.
  for (let changed = true; changed;) {
    changed = false;
    for (const name of Object.keys(schemas)) {
      const others = JSON.stringify([paths, Object.entries(schemas).filter(([n]) => n !== name)]);
      if (!others.includes(`"#/components/schemas/${name}"`)) {
        delete schemas[name];
        changed = true;
      }
    }
  }

  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      const responses = (operation.responses ?? {}) as Record<string, Json>;
      for (const [status, response] of Object.entries(responses)) {
        if (response.description === 'Default Response')
          response.description = statusText[status] ?? 'Response';
        const content = response.content as Record<string, unknown> | undefined;
        if (
          Number(status) >= 400 &&
          content?.['application/json'] &&
          JSON.stringify(content).includes('/Problem"')
        ) {
          response.content = { 'application/problem+json': content['application/json'] };
        }
      }
    }
  }
  return { ...doc, paths, components: { ...components, schemas } };
}
