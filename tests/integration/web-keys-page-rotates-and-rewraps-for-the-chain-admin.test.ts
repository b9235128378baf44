import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { KeyStatus } from '../../gateway/src/api-types.js';
import { webApiCalls, webHarnessWithAResult } from '../support/web-api-calls.js';

/**
 * The keys page's API over the real web listener (OIDC sign-in, TLS, runtime role): what a chain
 * admin rotates and rewraps, and the audit trail of it. Who reaches each route (DESIGN.md
 * "People and rights") is the web matrix's: `web-authorization-matrix-covers-every-web-route.test.ts`.
 */
const w = webHarnessWithAResult();
const { as, finished } = webApiCalls(w);


describe('the chain admin', () => {
  it('rotates the key-encryption key and rewraps every stored data key to it', async () => {
    const before = (await as('admin', 'GET', '/api/web/v1/admin/keys')).json() as KeyStatus;
    const rotated = await as('admin', 'POST', '/api/web/v1/admin/keys/rotation');
    expect(rotated.json()).toEqual({ current: before.current + 1 });
    const stale = (await as('admin', 'GET', '/api/web/v1/admin/keys')).json() as KeyStatus;
    expect(stale.findings).toContain('rewrap-needed');
    const start = await as('admin', 'POST', '/api/web/v1/admin/keys/rewraps');
    const job = await finished<{ rewrapped: number; current: number }>('admin', `/api/web/v1/admin/keys/rewraps/${start.json().id as string}`);
    expect(job).toMatchObject({ state: 'succeeded', result: { current: before.current + 1 } });
    expect(job.result?.rewrapped).toBeGreaterThan(0);
    const after = (await as('admin', 'GET', '/api/web/v1/admin/keys')).json() as KeyStatus;
    expect(after).toMatchObject({ current: before.current + 1, oldestInUse: before.current + 1 });
    expect(after.findings).not.toContain('rewrap-needed');
    // the rewrap record `keys retire` relies on is only the host operator's `gateway keys rewrap`
    expect((await sql`SELECT version FROM kek_rewraps`.execute(w().h.db.owner)).rows).toEqual([]);
    const rows = await w().h.db.owner.selectFrom('audit_events').select(['action', 'outcome']).where('actor_id', '=', `dev:${w().person('admin').subject}`).where('action', 'like', 'keys.%').execute();
    expect(rows).toEqual(expect.arrayContaining([{ action: 'keys.rotate', outcome: 'success' }, { action: 'keys.rewrap', outcome: 'success' }]));
  });
});
