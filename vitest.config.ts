import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/bench/**', 'node_modules/**'],
    globalSetup: ['tests/support/global-setup.ts', 'tests/support/admin-ui-build.ts'],
    pool: 'forks',
    // Two files at once on the 2-core box: most of a file's time is spent waiting on PostgreSQL,
    // OpenBao, TLS handshakes and child processes, not on its own CPU (vitest's default is one).
    maxWorkers: 2,
    testTimeout: 30_000,
    // CI reads the JSON report to print "N passed, N failed".
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default'],
    hookTimeout: 60_000,
  },
});
