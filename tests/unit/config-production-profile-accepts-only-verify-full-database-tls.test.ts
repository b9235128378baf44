import { describe, expect, it } from 'vitest';
import { parseSettings, productionProblems } from '../../gateway/src/config/index.js';
import { productionSettingsInput } from '../support/production-settings.js';

/** Problems the production profile names for a database URL, and nothing about the other sections. */
function databaseProblems(database: Record<string, unknown>): string[] {
  return productionProblems(parseSettings(productionSettingsInput('/x', { database }))).filter((p) => p.startsWith('GATEWAY_DATABASE_URL'));
}

describe('the production profile on the database connection', () => {
  it('accepts TLS only when it checks the server certificate and its host name (verify-full)', () => {
    expect(databaseProblems({ url: 'postgres://gateway_runtime:s3cret-password@db.internal:5432/gateway?sslmode=verify-full' })).toEqual([]);
    for (const mode of ['require', 'verify-ca', 'prefer', 'allow', 'disable', 'VERIFY-FULL']) {
      expect(databaseProblems({ url: `postgres://gateway_runtime:s3cret-password@db.internal:5432/gateway?sslmode=${mode}` }), mode).toEqual([
        'GATEWAY_DATABASE_URL: must use sslmode=verify-full (or a Unix socket with allowPlaintextSocket)',
      ]);
    }
  });

  it('still accepts a Unix socket without TLS when explicitly allowed, and only then', () => {
    const socket = 'postgres://gateway_runtime:s3cret-password@/gateway?host=/run/postgresql';
    expect(databaseProblems({ url: socket, allowPlaintextSocket: true })).toEqual([]);
    expect(databaseProblems({ url: socket })).not.toEqual([]);
  });
});
