import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config.js';

describe('README', () => {
  it('documents every configuration variable', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const name of Object.keys(configSchema.shape)) expect(readme).toContain(`| \`${name}\` |`);
  });
});
