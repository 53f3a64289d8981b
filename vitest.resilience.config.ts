import { defineConfig } from 'vitest/config';

// `npm run test:resilience`: faults injected into private Redis/PostgreSQL instances and child processes of the
// API and the worker. One file at a time, so the timings of one do not disturb another.
export default defineConfig({
  test: {
    include: ['test/resilience/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
