import { describe, expect, it } from 'vitest';
import type { z } from '@hono/zod-openapi';
import { ROUTE_TABLE } from '../../gateway/src/app/index.js';
import { MATRIX, type Role } from '../../gateway/src/auth/rbac.js';
import type { WebRoute } from '../../gateway/src/web/route-table.js';
import { eventually } from '../support/gateway-harness.js';
import { webApiCalls, webHarnessWithAResult } from '../support/web-api-calls.js';

/**
 * Every GET route of the web listener's table that answers data (not the public sign-in pages
 * and UI files) declares its 200 answer, and answers exactly that: each is called by a person
 * holding its right and the answer parsed with the declared schema, whose strict objects refuse
 * an undeclared field. A route added without a declared answer fails here; so does a handler
 * that answers more than its declaration, which the admin UI's types are derived from.
 */
const w = webHarnessWithAResult();
const { as, finished } = webApiCalls(w);

/** Who calls a route of this access: a chain-wide holder when there is one (every object in reach). */
function caller(access: WebRoute['access']): string {
  const rights = access === 'session' ? { 'chain-admin': 'all' } : MATRIX[access as keyof typeof MATRIX];
  const [role] = (Object.entries(rights) as [Role, 'own' | 'all'][]).sort(([, a], [, b]) => (a === b ? 0 : a === 'all' ? -1 : 1)).map(([r]) => r);
  const person = w().people.find((p) => role !== undefined && p.roles.includes(role) && p.mfa && (p.pharmacies.length === 0 || p.pharmacies.includes('759999907')));
  if (!person) throw new Error(`no demo person holds ${access}`);
  return person.username;
}

const GETS = ROUTE_TABLE.web.filter((r) => r.method === 'GET' && r.access !== 'public');

describe('the web listener', () => {
  it('answers each GET data route with exactly its declared 200 schema', async () => {
    // objects for the routes that name one: the harness's result, a finished verification and rewrap
    const resultId = ((await as('admin', 'GET', '/api/web/v1/admin/results')).json() as { items: { id: string }[] }).items[0]?.id;
    const verification = (await as('auditeur', 'POST', '/api/web/v1/admin/audit/verifications')).json().id as string;
    const rewrap = (await as('admin', 'POST', '/api/web/v1/admin/keys/rewraps')).json().id as string;
    await finished('auditeur', `/api/web/v1/admin/audit/verifications/${verification}`);
    await finished('admin', `/api/web/v1/admin/keys/rewraps/${rewrap}`);
    // a receipt exists once SI-DEP has acknowledged the result
    await eventually(async () => ((await as('admin', 'GET', '/api/web/v1/admin/results')).json() as { items: { status: string }[] }).items[0]?.status === 'delivered' || undefined);
    const ids: Record<string, string | undefined> = {
      '/api/web/v1/admin/results/:id': resultId,
      '/api/web/v1/admin/results/:id/receipt': resultId,
      '/api/web/v1/test-results/:id': resultId,
      '/api/web/v1/admin/audit/verifications/:id': verification,
      '/api/web/v1/admin/keys/rewraps/:id': rewrap,
      '/api/web/v1/admin/pharmacies/:id/offboarding-export': ((await as('admin', 'GET', '/api/web/v1/admin/pharmacies')).json() as { items: { id: string }[] }).items[0]?.id,
    };

    const faults: string[] = [];
    for (const route of GETS) {
      const name = `${route.method} ${route.path}`;
      const ok = route.schemas?.(undefined as never).responses[200];
      const content = ok && 'content' in ok ? ok.content : undefined;
      if (!content) {
        faults.push(`${name}: declares no 200 answer`);
        continue;
      }
      const path = route.path.includes(':') ? route.path.replace(/:\w+/, ids[route.path] ?? 'no-id-for-this-route') : route.path;
      const answer = await as(caller(route.access), 'GET', path);
      const type = String(answer.headers['content-type']).split(';')[0] ?? '';
      const media = content[type];
      const schema = media && 'schema' in media ? (media.schema as z.ZodType) : undefined;
      if (answer.status !== 200 || !schema) {
        faults.push(`${name}: answered ${answer.status} ${type}, declared ${Object.keys(content).join(', ')}`);
        continue;
      }
      const parsed = schema.safeParse(type === 'application/json' ? answer.json() : answer.text);
      if (!parsed.success) faults.push(`${name}: ${JSON.stringify(parsed.error.issues)}`);
    }
    expect(faults).toEqual([]);
    // the table's data routes, not an empty walk
    expect(GETS.length).toBeGreaterThanOrEqual(15);
  });
});
