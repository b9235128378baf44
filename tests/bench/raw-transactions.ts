import { randomBytes, randomUUID } from 'node:crypto';
import { auditAppender } from '../../gateway/src/audit/index.js';
import { createBlindIndex } from '../../gateway/src/crypto/index.js';
import { createDatabase } from '../../gateway/src/db/index.js';
import { registerPharmacy } from '@sidep-gateway/demo/pharmacies.js';
import { resultOutcome } from '../../gateway/src/results/index.js';
import { acceptSubmission, indexColumns, nirIndexes, requestFingerprints } from '../../gateway/src/results/lifecycle/index.js';
import { syntheticResult } from '../support/synthetic-result.js';

/** What a sealed result weighs (a synthetic result's JSON under AES-GCM, with nonce and tag). */
const SEALED_BYTES = 1_024;

/**
 * Baseline A: `clients` connections each committing, back to back, exactly the intake
 * transaction (the product's own statement: idempotency claim, duplicate lookup, result row,
 * outbox message, audit event), synchronous commit on, with no HTTP, TLS, validation or sealing
 * around it. Its own database, so the relay never sees these rows.
 */
export async function rawIntakeTransactions(o: { ownerUrl: string; runtimeUrl: string; certPem: string; finess: string; clients: number; durationMs: number }): Promise<{ tps: number; errors: number }> {
  const owner = createDatabase({ url: o.ownerUrl, poolSize: 1 });
  const pharmacyId = await registerPharmacy(owner, { finess: o.finess, name: 'Bench', certPem: o.certPem });
  await owner.destroy();
  const db = createDatabase({ url: o.runtimeUrl, poolSize: o.clients });
  const blindIndex = createBlindIndex(randomBytes(32));
  const actor = { type: 'pharmacy' as const, id: pharmacyId };
  let committed = 0;
  let errors = 0;
  const start = performance.now();
  const end = start + o.durationMs;
  const client = async () => {
    while (performance.now() < end) {
      const body = syntheticResult({ pharmacyFiness: o.finess });
      const id = randomUUID();
      const key = randomUUID();
      try {
        await acceptSubmission(db, {
          id,
          pharmacyId,
          key,
          fingerprint: requestFingerprints(blindIndex, 'submit', '', body),
          answer: { id, status: 'received' },
          sealed: randomBytes(SEALED_BYTES),
          dataKeyId: null,
          idx: indexColumns(body as never, blindIndex, pharmacyId),
          outcome: resultOutcome(body.test.result),
          nirIndexesHeld: nirIndexes(body as never, blindIndex, pharmacyId),
          messageId: randomUUID(),
          auditRows: auditAppender.rows([{ actor, action: 'result.create', object: { type: 'test-result', id }, outcome: 'success', requestId: randomUUID(), sourceIp: '127.0.0.1' }]),
        });
        committed += 1;
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: o.clients }, client));
  const tps = Math.round(committed / ((performance.now() - start) / 1000));
  await db.destroy();
  return { tps, errors };
}
