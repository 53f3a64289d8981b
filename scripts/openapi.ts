// Writes openapi/openapi.json from the routes; with --check, fails when the committed file differs.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateOpenApiDocument } from '../src/openapi.js';

const target = path.resolve(import.meta.dirname, '../openapi/openapi.json');
const fresh = await generateOpenApiDocument();

if (process.argv.includes('--check')) {
  const committed = await readFile(target, 'utf8').catch(() => '');
  if (committed !== fresh) {
    console.error('openapi/openapi.json is out of date: run `npm run openapi` and commit the result.');
    process.exit(1);
  }
  console.log('openapi/openapi.json is up to date');
} else {
  await writeFile(target, fresh);
  console.log(`wrote ${path.relative(process.cwd(), target)}`);
}
