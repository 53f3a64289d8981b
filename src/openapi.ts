import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { connectPglite } from './db/client.js';
import { finalizeOpenApi } from './http/openapi.js';

/** The OpenAPI document as the running service serves it, built without touching any data. */
export async function generateOpenApiDocument(): Promise<string> {
  const database = await connectPglite('memory://openapi');
  const app = await buildApp({
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    db: database.db,
    checks: { postgres: database.ping },
  });
  await app.ready();
  const document = finalizeOpenApi(app.swagger());
  await app.close();
  await database.close();
  return `${JSON.stringify(document, null, 2)}\n`;
}
