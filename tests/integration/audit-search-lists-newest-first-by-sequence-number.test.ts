import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditSearchQuery, readAuditLog, searchAuditEvents } from '../../gateway/src/admin/audit-search.js';
import { appendAudit } from '../../gateway/src/audit/index.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The audit search's order is the sequence number's, as a number (issue #19, defect 2): with
 * sequences on both sides of 10 and 100, text order would put 9 after 89 and 99 after 100.
 */
let db: TestDatabase;

beforeAll(async () => {
  db = await testDatabase();
  const events = Array.from({ length: 120 }, () => ({ actor: { type: 'system' as const, id: 'test' }, action: 'audit.search' as const, outcome: 'success' as const }));
  await appendAudit(db.runtime, events);
});
afterAll(async () => {
  await db.drop();
});

const search = (q: Record<string, string>) => readAuditLog(db.runtime, (tx) => searchAuditEvents(tx, parseAuditSearchQuery(q)));
const numericallyDescending = (seqs: string[]) => [...seqs].sort((a, b) => Number(BigInt(b) - BigInt(a)));

describe('the audit search', () => {
  it('lists events newest first by sequence number, as a number', async () => {
    const page = await search({ limit: '500' });
    const seqs = page.items.map((e) => e.seq);
    expect(seqs.length).toBeGreaterThanOrEqual(120);
    expect(seqs).toEqual(numericallyDescending(seqs));
  });

  it('pages through the same order with the cursor', async () => {
    const all = (await search({ limit: '500' })).items.map((e) => e.seq);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await search({ limit: '7', ...(cursor ? { cursor } : {}) });
      paged.push(...page.items.map((e) => e.seq));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all);
  });
});
