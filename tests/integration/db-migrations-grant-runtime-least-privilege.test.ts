import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import { asRegistrar, SEALER_ROLE, type Tx } from '../../gateway/src/db/index.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await testDatabase();
});
afterAll(() => db.drop());

describe('the runtime database role', () => {
  it('can append audit events but never read, change or delete them', async () => {
    await db.runtime.insertInto('audit_events').values({ actor_type: 'system', actor_id: null, action: 'test', object_type: null, object_id: null, outcome: 'success', reason: null, request_id: null, source_ip: null }).execute();
    await expect(db.runtime.selectFrom('audit_events').selectAll().execute()).rejects.toThrow(/permission denied/);
    await expect(db.runtime.updateTable('audit_events').set({ action: 'x' }).execute()).rejects.toThrow(/permission denied/);
    await expect(db.runtime.deleteFrom('audit_events').execute()).rejects.toThrow(/permission denied/);
  });

  it('cannot run DDL', async () => {
    await expect(sql`CREATE TABLE intruder (id int)`.execute(db.runtime)).rejects.toThrow(/permission denied/);
    await expect(sql`DROP TABLE test_results`.execute(db.runtime)).rejects.toThrow(/must be owner|permission denied/);
  });

  it('cannot add pharmacies or certificates', async () => {
    await expect(db.runtime.insertInto('pharmacies').values({ finess: '759999907', name: 'x' }).execute()).rejects.toThrow(/permission denied/);
  });

  it('alone cannot write the registry, certificates, CRLs, enrolments or last sign-ins', async () => {
    const pharmacyId = (await db.owner.insertInto('pharmacies').values({ finess: '759999915', name: 'y' }).returning('id').executeTakeFirstOrThrow()).id;
    const writes = [
      () => db.runtime.updateTable('pharmacies').set({ active: false }).where('id', '=', pharmacyId).execute(),
      () => db.runtime.updateTable('pharmacies').set({ offboarding_started_at: new Date(), offboarded_at: new Date() }).where('id', '=', pharmacyId).execute(),
      () => db.runtime.insertInto('client_certificates').values(certificateRow(pharmacyId)).execute(),
      () => db.runtime.updateTable('client_certificates').set({ revoked_at: new Date() }).execute(),
      () => db.runtime.insertInto('certificate_revocation_lists').values(crlRow()).execute(),
      () => db.runtime.insertInto('enrolments').values(enrolmentRow()).execute(),
      () => db.runtime.updateTable('enrolments').set({ revoked_at: new Date() }).execute(),
      // the access review's last sign-ins: written by open_web_session only
      () => db.runtime.insertInto('person_sign_ins').values({ issuer: 'dev', subject: 'x', last_sign_in_at: new Date(), mfa_evidence: 'mfa' }).execute(),
      () => db.runtime.updateTable('person_sign_ins').set({ last_sign_in_at: new Date() }).execute(),
      () => db.runtime.deleteFrom('person_sign_ins').execute(),
    ];
    for (const write of writes) await expect(write()).rejects.toThrow(/permission denied/);
  });

  it('rewraps a data key (its wrapped text only) but never records a completed rewrap or a backup run', async () => {
    const id = randomUUID();
    await db.runtime.insertInto('data_keys').values({ id, key_window: '2026-01-01T00:00:00Z', shard: 0, wrapped: 'local:v1:old' }).execute();
    await db.runtime.updateTable('data_keys').set({ wrapped: 'local:v2:new' }).where('id', '=', id).execute();
    expect((await db.owner.selectFrom('data_keys').select('wrapped').where('id', '=', id).executeTakeFirstOrThrow()).wrapped).toBe('local:v2:new');
    await expect(db.runtime.updateTable('data_keys').set({ key_window: '2026-01-02T00:00:00Z' }).where('id', '=', id).execute()).rejects.toThrow(/permission denied/);
    // a forged early record would let `keys retire` shred dumps still inside backup retention
    await expect(sql`INSERT INTO kek_rewraps (version) VALUES (2)`.execute(db.runtime)).rejects.toThrow(/permission denied/);
    // nor a backup run, nor mark a plaintext one encrypted: doctor and retire read them
    await expect(sql`INSERT INTO backup_runs (kind, label) VALUES ('database', 'forged')`.execute(db.runtime)).rejects.toThrow(/permission denied/);
    await expect(sql`UPDATE backup_runs SET encrypted = true`.execute(db.runtime)).rejects.toThrow(/permission denied/);
    await expect(sql`INSERT INTO restore_drills (rpo_seconds, rto_seconds) VALUES (0, 0)`.execute(db.runtime)).rejects.toThrow(/permission denied/);
  });
});

describe('the runtime role and status callbacks', () => {
  it('registers, rotates and removes endpoints and settles their events, but never moves, retargets or deletes either', async () => {
    const pharmacyId = (await db.owner.insertInto('pharmacies').values({ finess: '759999923', name: 'w' }).returning('id').executeTakeFirstOrThrow()).id;
    const { id } = await db.runtime.insertInto('webhook_endpoints').values({ pharmacy_id: pharmacyId, url: 'https://pharmacy.example/hooks', events: ['result.delivered'], secret_current: 'local:v1:AAAA', created_by: 'cli:x@host' }).returning('id').executeTakeFirstOrThrow();
    await db.runtime.updateTable('webhook_endpoints').set({ secret_previous: 'local:v1:AAAA', secret_current: 'local:v1:BBBB', disabled_at: new Date() }).where('id', '=', id).execute();
    const event = await db.runtime.insertInto('webhook_events').values({ endpoint_id: id, subject_id: null, type: 'test', payload: '{}' }).returning('id').executeTakeFirstOrThrow();
    await db.runtime.updateTable('webhook_events').set({ status: 'delivered', attempts: 1 }).where('id', '=', event.id).execute();
    const writes = [
      // a retargeted endpoint would send another pharmacy's callbacks elsewhere
      () => db.runtime.updateTable('webhook_endpoints').set({ url: 'https://elsewhere.example/' }).where('id', '=', id).execute(),
      () => db.runtime.updateTable('webhook_endpoints').set({ pharmacy_id: pharmacyId }).where('id', '=', id).execute(),
      () => db.runtime.deleteFrom('webhook_endpoints').execute(),
      () => db.runtime.updateTable('webhook_events').set({ payload: '{}' }).execute(),
      () => db.runtime.deleteFrom('webhook_events').execute(),
    ];
    for (const write of writes) await expect(write()).rejects.toThrow(/permission denied/);
  });
});

describe('the runtime role and the outcome counts', () => {
  it('adds and takes away one, but never deletes a count or moves it to another pharmacy, day, outcome or slot', async () => {
    const pharmacyId = (await db.owner.insertInto('pharmacies').values({ finess: '759999931', name: 'v' }).returning('id').executeTakeFirstOrThrow()).id;
    const where = { pharmacy_id: pharmacyId, day: '2026-01-02', outcome: 'positive' } as const;
    await db.runtime.insertInto('result_outcome_counts').values({ ...where, n: 1 }).execute();
    await db.runtime.updateTable('result_outcome_counts').set({ n: 0 }).where('pharmacy_id', '=', pharmacyId).execute();
    const writes = [
      () => db.runtime.updateTable('result_outcome_counts').set({ outcome: 'negative' }).where('pharmacy_id', '=', pharmacyId).execute(),
      () => db.runtime.updateTable('result_outcome_counts').set({ day: '2026-01-03' }).where('pharmacy_id', '=', pharmacyId).execute(),
      () => db.runtime.updateTable('result_outcome_counts').set({ slot: 1 }).where('pharmacy_id', '=', pharmacyId).execute(),
      () => db.runtime.deleteFrom('result_outcome_counts').execute(),
    ];
    for (const write of writes) await expect(write()).rejects.toThrow(/permission denied/);
  });
});

describe('the runtime role and the register of requests of people tested', () => {
  it('records a request and marks it answered, but never deletes one or moves when it was received or is due', async () => {
    const { id } = await db.runtime.insertInto('subject_requests').values({ received_at: sql`now()`, due_at: sql`now() + interval '1 month'`, reason: 'erasure', recorded_by: 'cli:dpo@host' }).returning('id').executeTakeFirstOrThrow();
    await db.runtime.updateTable('subject_requests').set({ status: 'answered', answered_at: sql`now()`, answered_by: 'cli:dpo@host' }).where('id', '=', id).execute();
    // a later due date would silence the alert before the month is over
    await expect(db.runtime.updateTable('subject_requests').set({ due_at: sql`now() + interval '1 year'` }).where('id', '=', id).execute()).rejects.toThrow(/permission denied/);
    await expect(db.runtime.updateTable('subject_requests').set({ received_at: sql`now()` }).where('id', '=', id).execute()).rejects.toThrow(/permission denied/);
    await expect(db.runtime.deleteFrom('subject_requests').where('id', '=', id).execute()).rejects.toThrow(/permission denied/);
  });
});

describe('the runtime role and the SI-DEP contract circuit', () => {
  it('counts refusals, opens and closes pauses, but never deletes one or moves when it opened', async () => {
    await db.runtime.updateTable('sidep_contract_streak').set({ signature: '400', refusals: 1, started_at: new Date() }).execute();
    const { id } = await db.runtime.insertInto('sidep_contract_pauses').values({ signature: '400', contract_version: '1' }).returning('id').executeTakeFirstOrThrow();
    await db.runtime.updateTable('sidep_contract_pauses').set({ closed_at: sql<Date>`now()`, close_reason: 'resume' }).where('id', '=', id).execute();
    // an earlier or later opening would change how much of each message's age relay.maxAge skips
    await expect(db.runtime.updateTable('sidep_contract_pauses').set({ opened_at: new Date(0) }).where('id', '=', id).execute()).rejects.toThrow(/permission denied/);
    await expect(db.runtime.deleteFrom('sidep_contract_pauses').execute()).rejects.toThrow(/permission denied/);
    await expect(db.runtime.deleteFrom('sidep_contract_streak').execute()).rejects.toThrow(/permission denied/);
  });
});

describe('the sealer role, taken by the runtime role for one transaction', () => {
  it('reads the prune anchor that audit verification chains to, and cannot write it', async () => {
    const asSealer = (query: RawBuilder<unknown>) =>
      db.runtime.transaction().execute(async (tx) => {
        await sql`SET LOCAL ROLE ${sql.id(SEALER_ROLE)}`.execute(tx);
        return query.execute(tx);
      });
    await expect(asSealer(sql`SELECT through FROM audit_prunes`)).resolves.toMatchObject({ rows: [] });
    await expect(asSealer(sql`DELETE FROM audit_prunes`)).rejects.toThrow(/permission denied/);
  });
});

describe('the registrar role, taken by the runtime role for one transaction', () => {
  it('adds, deactivates and offboards pharmacies, registers and revokes certificates and signs CRLs, audited', async () => {
    const role = await asRegistrar(db.runtime, async (tx) => {
      const { id } = await tx.insertInto('pharmacies').values({ finess: '750000010', name: 'z' }).returning('id').executeTakeFirstOrThrow();
      await tx.updateTable('pharmacies').set({ active: false, deactivated_at: new Date() }).where('id', '=', id).execute();
      await tx.updateTable('pharmacies').set({ offboarding_started_at: new Date(), offboarded_at: new Date() }).where('id', '=', id).execute();
      const cert = certificateRow(id);
      await tx.insertInto('client_certificates').values(cert).execute();
      await tx.updateTable('client_certificates').set({ revoked_at: new Date(), revocation_reason: 'superseded', revoked_by: 'test' }).where('fingerprint', '=', cert.fingerprint).execute();
      const { crl_number } = await tx.insertInto('certificate_revocation_lists').values(crlRow()).returning('crl_number').executeTakeFirstOrThrow();
      // each change names its row in an audit event of the same transaction (migration 0011)
      const events: [string, string][] = [['pharmacy', id], ['client-certificate', cert.fingerprint], ['crl', String(crl_number)]];
      for (const [type, objectId] of events) {
        await tx.insertInto('audit_events').values({ actor_type: 'user', actor_id: 'test', action: 'registry.test', object_type: type, object_id: objectId, outcome: 'success', reason: null, request_id: null, source_ip: null }).execute();
      }
      return (await sql<{ role: string }>`SELECT current_user AS role`.execute(tx)).rows[0]?.role;
    });
    expect(role).toBe('gateway_registrar');
  });

  it('never reads, changes or deletes the audit log, deletes registry rows or runs DDL', async () => {
    const refused: ((tx: Tx) => Promise<unknown>)[] = [
      (tx: Tx) => tx.selectFrom('audit_events').selectAll().execute(),
      (tx: Tx) => tx.updateTable('audit_events').set({ action: 'x' }).execute(),
      (tx: Tx) => tx.deleteFrom('audit_events').execute(),
      (tx: Tx) => tx.deleteFrom('pharmacies').execute(),
      (tx: Tx) => tx.deleteFrom('client_certificates').execute(),
      (tx: Tx) => tx.deleteFrom('enrolments').execute(),
      (tx: Tx) => tx.updateTable('pharmacies').set({ finess: '759999907' }).execute(),
      (tx: Tx) => tx.selectFrom('test_results').selectAll().execute(),
      (tx: Tx) => sql`CREATE TABLE intruder (id int)`.execute(tx),
    ];
    for (const attempt of refused) await expect(asRegistrar(db.runtime, attempt)).rejects.toThrow(/permission denied/);
  });

  it('ends with its transaction: the pooled connection is the runtime role again', async () => {
    await asRegistrar(db.runtime, async () => undefined);
    const users = await Promise.all(Array.from({ length: 10 }, () => sql<{ role: string }>`SELECT current_user AS role`.execute(db.runtime)));
    expect(new Set(users.map((u) => u.rows[0]?.role))).toEqual(new Set(['gateway_runtime']));
  });
});

function certificateRow(pharmacyId: string) {
  return { fingerprint: randomUUID().replaceAll('-', '').repeat(2), pharmacy_id: pharmacyId, subject: 'CN=750000010', origin: 'registered' as const, serial_number: null, issuer: null, not_before: new Date(), not_after: new Date(Date.now() + 86_400_000), revoked_at: null, created_by: 'test' };
}

function crlRow() {
  return { issuer_fingerprint: 'a'.repeat(64), this_update: new Date(), next_update: new Date(Date.now() + 86_400_000), pem: 'x', entries: 0 };
}

function enrolmentRow() {
  return { issuer: 'test', subject: randomUUID(), role: 'operator' as const, pharmacy_id: null, expires_at: new Date(Date.now() + 86_400_000), created_by: 'test' };
}
