import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/bench/**', 'node_modules/**'],
    globalSetup: ['tests/support/global-setup.ts', 'tests/support/admin-ui-build.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    // CI reads the JSON report to print "N passed, N failed".
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default'],
    hookTimeout: 60_000,
  },
});
