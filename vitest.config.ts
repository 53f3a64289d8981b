import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The resilience tests kill and restart processes: `npm run test:resilience` runs them.
    exclude: [...configDefaults.exclude, 'test/resilience/**'],
    environment: 'node',
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
