import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { eventually, PHARMACY_A, type Harness } from './gateway-harness.js';
import { syntheticResult } from './synthetic-result.js';

/** An entry of the SI-DEP simulator's journal: one message it received. */
export interface JournalEntry {
  messageId: string;
  observationStatus?: string;
  status?: string;
}

/**
 * Pharmacy A's calls on a result and what followed them (its outbox messages, the simulator's
 * journal), for the tests of corrections and cancellations. `harness` is read at each call: the
 * tests start it in beforeAll.
 */
export function resultCalls(harness: () => Harness) {
  const post = (path: string, body: unknown, key = randomUUID()) => harness().call(PHARMACY_A, 'POST', path, { body, headers: { 'idempotency-key': key } });
  const status = async (id: string) => (await harness().call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body;
  return {
    post,
    status,
    /** A new synthetic result, accepted (202): its id. */
    submitted: async (): Promise<string> => {
      const res = await post('/api/v1/test-results', syntheticResult());
      expect(res.status).toBe(202);
      return res.body.id as string;
    },
    /** The result's status view once its status is `wanted`. */
    until: (id: string, wanted: string) => eventually(async () => ((await status(id)).status === wanted ? status(id) : undefined)),
    journal: async (): Promise<JournalEntry[]> => harness().simulatorControl('GET', '/_control/journal'),
    /** The result's outbox messages, oldest first. */
    messages: (resultId: string) => harness().db.owner.selectFrom('outbox_messages').selectAll().where('result_id', '=', resultId).orderBy('created_at').execute(),
  };
}
