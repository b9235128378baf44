import fc from 'fast-check';
import { sql, type Kysely, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditFault } from '../../gateway/src/audit/index.js';
import type { DB } from '../../gateway/src/db/index.js';
import { startSealedLog, type SealedLog } from './audit-kit.js';

// CI size; the full campaign: AUDIT_CAMPAIGN_EVENTS=10000 AUDIT_CAMPAIGN_RUNS=200.
const EVENTS = Number(process.env.AUDIT_CAMPAIGN_EVENTS ?? 2_000);
const RUNS = Number(process.env.AUDIT_CAMPAIGN_RUNS ?? 100);

let log: SealedLog;
let cps: { number: number; seqs: string[]; xactFrom: string }[];
beforeAll(async () => {
  log = await startSealedLog({ batchSize: 200 });
  await log.append(EVENTS, 50);
  await log.sealed();
  const { rows } = await sql<{ number: string; seqs: string[]; xact_from: string }>`SELECT number::text, seqs::text[] AS seqs, xact_from::text FROM audit_checkpoints ORDER BY audit_checkpoints.number`.execute(log.db.owner);
  cps = rows.map((r) => ({ number: Number(r.number), seqs: r.seqs, xactFrom: r.xact_from }));
}, 120_000);
afterAll(() => log.close());

const EDITABLE = ['action', 'actor_id', 'object_id', 'outcome', 'reason', 'request_id', 'source_ip', 'at', 'id'] as const;
const EDIT: Record<(typeof EDITABLE)[number], string> = {
  action: `action = action || '.x'`,
  actor_id: `actor_id = 'pharmacy-x'`,
  object_id: `object_id = 'other'`,
  outcome: `outcome = CASE outcome WHEN 'success' THEN 'failure' ELSE 'success' END`,
  reason: `reason = 'forbidden'`,
  request_id: `request_id = 'req-x'`,
  source_ip: `source_ip = '192.0.2.1'`,
  at: `at = at - interval '1 second'`,
  id: 'id = gen_random_uuid()',
};

type Tampering = { kind: AuditFault['kind']; apply: (tx: Kysely<DB>) => Promise<unknown>; expected: (inserted?: string) => Partial<AuditFault> };

const run = (tx: Kysely<DB>, text: string) => sql.raw(text).execute(tx);
const at = (cp: number, i: number) => (cps[cp] as { seqs: string[] }).seqs[i % (cps[cp] as { seqs: string[] }).seqs.length] as string;

/** One tampering of each kind, drawn at random over the sealed log. */
const tampering = (): fc.Arbitrary<Tampering> =>
  fc.tuple(fc.nat({ max: cps.length - 2 }), fc.nat({ max: 10_000 }), fc.constantFrom(...EDITABLE), fc.nat({ max: 9 })).map(([k, i, column, kind]) => {
    const s = at(k, i);
    const cp = k + 1;
    switch (kind) {
      case 0:
        return { kind: 'edited', apply: (tx) => run(tx, `UPDATE audit_events SET ${EDIT[column]} WHERE seq = ${s}`), expected: () => ({ kind: 'edited', seq: s, checkpoint: cp }) };
      case 1:
        return { kind: 'deleted', apply: (tx) => run(tx, `DELETE FROM audit_events WHERE seq = ${s}`), expected: () => ({ kind: 'deleted', seq: s, checkpoint: cp }) };
      case 2: {
        let seq = '';
        return {
          kind: 'inserted',
          apply: async (tx) => {
            const { rows } = await sql<{ seq: string }>`INSERT INTO audit_events (actor_type, action, outcome, xact_id) VALUES ('system', 'x', 'success', ${cps[k]?.xactFrom}::xid8) RETURNING seq::text`.execute(tx);
            seq = (rows[0] as { seq: string }).seq;
          },
          expected: () => ({ kind: 'inserted', seq, checkpoint: cp }),
        };
      }
      case 3: {
        const seqs = (cps[k] as { seqs: string[] }).seqs;
        const j = i % (seqs.length - 1);
        const [a, b] = [seqs[j] as string, seqs[j + 1] as string];
        return {
          kind: 'reordered',
          apply: async (tx) => {
            await run(tx, `UPDATE audit_events SET seq = -1 WHERE seq = ${a}`);
            await run(tx, `UPDATE audit_events SET seq = ${a} WHERE seq = ${b}`);
            await run(tx, `UPDATE audit_events SET seq = ${b} WHERE seq = -1`);
          },
          expected: () => ({ kind: 'reordered', seq: a, checkpoint: cp }),
        };
      }
      case 4:
        return { kind: 'deleted', apply: (tx) => run(tx, `DELETE FROM audit_events WHERE seq >= ${s}`), expected: () => ({ kind: 'deleted', seq: s, checkpoint: cp }) };
      case 5:
        return { kind: 'edited', apply: (tx) => run(tx, `UPDATE audit_checkpoints SET root = md5(root) || md5(root) WHERE number = ${cp}`), expected: () => ({ kind: 'edited', checkpoint: cp, seq: at(k, 0) }) };
      case 6:
        return {
          kind: 'deleted',
          apply: async (tx) => {
            await run(tx, `DELETE FROM audit_sink_copies WHERE number = ${cp}`);
            await run(tx, `DELETE FROM audit_checkpoints WHERE number = ${cp}`);
          },
          expected: () => ({ kind: 'deleted', checkpoint: cp, seq: at(k, 0) }),
        };
      case 7: {
        const cols = 'xact_from, xact_to, size, seqs, leaves, root, prev, sealed_at, body, key_version, signature';
        const set = cols.split(', ').map((c) => `${c} = s.${c}`).join(', ');
        return {
          kind: 'reordered',
          apply: async (tx) => {
            await run(tx, `CREATE TEMP TABLE swap ON COMMIT DROP AS SELECT number, ${cols} FROM audit_checkpoints WHERE number IN (${cp}, ${cp + 1})`);
            await run(tx, `UPDATE audit_checkpoints c SET ${set} FROM swap s WHERE s.number = ${2 * cp + 1} - c.number AND c.number IN (${cp}, ${cp + 1})`);
          },
          expected: () => ({ kind: 'reordered', checkpoint: cp }),
        };
      }
      default:
        return {
          kind: 'truncated',
          apply: async (tx) => {
            await run(tx, `DELETE FROM audit_sink_copies WHERE number >= ${cp}`);
            await run(tx, `DELETE FROM audit_checkpoints WHERE number >= ${cp}`);
          },
          expected: () => ({ kind: 'truncated', checkpoint: cp, seq: at(k, 0) }),
        };
    }
  });

const ROLLBACK = new Error('rollback');

describe('a tampering campaign on a sealed log', () => {
  it(`detects every one of ${RUNS} random tamperings and names its kind and sequence`, async () => {
    expect((await log.verify()).fault).toBeUndefined();
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(tampering(), async (t) => {
        let fault: AuditFault | undefined;
        await log.db.owner
          .transaction()
          .execute(async (tx: Transaction<DB>) => {
            await t.apply(tx);
            fault = (await log.verify(tx)).fault;
            throw ROLLBACK;
          })
          .catch((e: unknown) => {
            if (e !== ROLLBACK) throw e;
          });
        expect(fault).toMatchObject(t.expected());
        seen.add(t.kind);
      }),
      { numRuns: RUNS },
    );
    expect(seen).toEqual(new Set(['edited', 'deleted', 'inserted', 'reordered', 'truncated']));
  }, 600_000);
});
