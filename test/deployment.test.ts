import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// semver comes with npm's own tree (untyped here); it is what npm uses to print EBADENGINE.
const semver = createRequire(import.meta.url)('semver') as {
  satisfies(version: string, range: string): boolean;
  minVersion(range: string): { version: string };
};

const read = (file: string) => readFileSync(file, 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  engines: { node: string };
  scripts: Record<string, string>;
};
const lock = JSON.parse(read('package-lock.json')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } }>;
};
// Both stages of the Dockerfile run the same Node.
const imageTags = [...read('Dockerfile').matchAll(/^FROM node:(\d+\.\d+)-/gm)].map((m) => m[1]);

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };

describe('deployment files', () => {
  it('every locked package accepts our lowest Node and the image’s Node (npm install prints no EBADENGINE)', () => {
    const lowest = semver.minVersion(pkg.engines.node).version;
    expect(imageTags).toHaveLength(2);
    expect(new Set(imageTags).size).toBe(1);
    const image = `${imageTags[0]}.0`;
    expect(semver.satisfies(image, pkg.engines.node)).toBe(true);
    const refusing = Object.entries(lock.packages)
      .filter(([, p]) => p.engines?.node)
      .filter(
        ([, p]) => !semver.satisfies(lowest, p.engines!.node!) || !semver.satisfies(image, p.engines!.node!),
      )
      .map(([name, p]) => `${name}@${p.version} wants node ${p.engines!.node}`);
    expect(refusing).toEqual([]);
  });

  it('docker-compose: PostgreSQL ends idle transactions, its password has no default, the worker has a health check', () => {
    const { postgres, api, worker } = compose.services;
    expect(postgres!.command).toEqual(['postgres', '-c', 'idle_in_transaction_session_timeout=60s']);
    const text = read('docker-compose.yml');
    const uses = text.match(/\$\{POSTGRES_PASSWORD[^}]*\}/g) ?? [];
    expect(uses.length).toBeGreaterThan(0);
    for (const use of uses) expect(use).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(api!.environment!.DATABASE_URL).toBe('postgres://motcua@postgres:5432/motcua');
    expect(api!.environment!.PGPASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(worker!.environment!.PGPASSWORD).toBe(api!.environment!.PGPASSWORD);
    const port = worker!.environment!.WORKER_METRICS_PORT;
    expect(worker!.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${port}/readyz`);
  });

  it('the image and npm start run the API with the same node flags (docs/operations.md, "Memory and garbage collection")', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(read('Dockerfile'))?.[1];
    const image = JSON.parse(cmd!) as string[];
    expect(image).toEqual(['node', '--max-semi-space-size=64', 'dist/server.js']);
    const start = pkg.scripts.start!.split(' ');
    expect(start.slice(0, 2)).toEqual(['exec', 'node']);
    expect(start.filter((arg) => arg.startsWith('--max-'))).toEqual(image.slice(1, -1));
    // The benchmarks' API runs as the image does.
    expect(read('bench/api-process.ts')).toContain(`['${image[1]}', ...nodeArgs`);
    // docker-compose's API runs the image's command; its worker a command of its own.
    expect(compose.services.api!.command).toBeUndefined();
    expect(compose.services.worker!.command).toEqual(['node', 'dist/worker.js']);
  });

  it('.dockerignore keeps the embedded data folder, dependencies, secrets and .git out of the image', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'));
    expect(ignored).toEqual(
      expect.arrayContaining(['data', 'node_modules', '.env', '.env.*', '.git', 'dist']),
    );
  });
});
