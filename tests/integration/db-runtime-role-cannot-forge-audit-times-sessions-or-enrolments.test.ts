import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type RawBuilder } from 'kysely';
import { createSessionStore, hashSecret } from '../../gateway/src/auth/sessions.js';
import { enrol, liveGrants, revokeEnrolment } from '../../gateway/src/auth/enrolments.js';
import { REGISTRAR_ROLE, SEALER_ROLE } from '../../gateway/src/db/index.js';
import { NotFound } from '../../gateway/src/errors.js';
import { startSealedLog, type SealedLog } from './audit-kit.js';

/**
 * What someone holding only the runtime role's password can write: audit events whose sequence,
 * id, time and transaction the database chooses; sessions and enrolments only through the
 * functions that audit them.
 */
let log: SealedLog;
let pharmacyFiness: string;
beforeAll(async () => {
  log = await startSealedLog();
  pharmacyFiness = '759999907';
  await log.db.owner.insertInto('pharmacies').values({ finess: pharmacyFiness, name: 'p' }).execute();
});
afterAll(() => log.close());

const runtime = (q: RawBuilder<unknown>) => q.execute(log.db.runtime);
/** `q` after `SET LOCAL ROLE role`, in one runtime transaction. */
const asRole = (role: string, q: RawBuilder<unknown>) =>
  log.db.runtime.transaction().execute(async (tx) => {
    await sql`SET LOCAL ROLE ${sql.id(role)}`.execute(tx);
    return q.execute(tx);
  });
const future = () => new Date(Date.now() + 86_400_000);
const sessionInsert = sql`INSERT INTO web_sessions (id_hash, issuer, subject, mfa, expires_at) VALUES (${hashSecret('forged')}, 'psc', 'f:someone', true, now() + interval '1 day')`;
const enrolmentInsert = sql`INSERT INTO enrolments (issuer, subject, role, expires_at, created_by) VALUES ('psc', 'f:intruder', 'chain-admin', now() + interval '1 day', 'cli:x')`;

describe('the runtime role', () => {
  it('appends audit events but cannot choose their time, sequence, id or transaction', async () => {
    await runtime(sql`INSERT INTO audit_events (actor_type, action, outcome) VALUES ('system', 'test.append', 'success')`);
    for (const [column, value] of [
      ['at', sql`'2026-11-01'::timestamptz`],
      ['seq', sql`1`],
      ['id', sql`gen_random_uuid()`],
      ['xact_id', sql`'1'::xid8`],
    ] as const) {
      await expect(runtime(sql`INSERT INTO audit_events (actor_type, action, outcome, ${sql.id(column)}) VALUES ('system', 'test.forge', 'success', ${value})`), column).rejects.toThrow(/permission denied/);
    }
  });

  it('cannot insert a session, nor give an existing one another id, owner or expiry', async () => {
    await expect(runtime(sessionInsert)).rejects.toThrow(/permission denied/);
    const { token } = await createSessionStore({ db: log.db.runtime, idleMs: 60_000, maxMs: 60_000 }).open('psc', { subject: 'f:victim', rpps: null, finess: null, mfa: true, acr: null });
    const mine = hashSecret(token);
    for (const set of [sql`id_hash = ${hashSecret('intruder')}`, sql`subject = 'f:intruder'`, sql`expires_at = now() + interval '10 years'`, sql`mfa = true`]) {
      await expect(runtime(sql`UPDATE web_sessions SET ${set} WHERE id_hash = ${mine}`)).rejects.toThrow(/permission denied/);
    }
  });

  it('cannot insert or change enrolments, directly or as the registrar role', async () => {
    await expect(runtime(enrolmentInsert)).rejects.toThrow(/permission denied/);
    await expect(asRole(REGISTRAR_ROLE, enrolmentInsert)).rejects.toThrow(/permission denied/);
    await expect(asRole(REGISTRAR_ROLE, sql`UPDATE enrolments SET expires_at = now() + interval '10 years'`)).rejects.toThrow(/permission denied/);
    await expect(asRole(REGISTRAR_ROLE, sql`INSERT INTO audit_events (actor_type, action, outcome, at) VALUES ('user', 'enrolment.add', 'success', '2026-11-01')`)).rejects.toThrow(/permission denied/);
  });

  it('as the registrar role, changes no pharmacy, certificate or CRL without an audit event naming it in the same transaction', async () => {
    const finess = '750000010';
    await expect(asRole(REGISTRAR_ROLE, sql`INSERT INTO pharmacies (finess, name) VALUES (${finess}, 'unaudited')`)).rejects.toThrow(/needs its audit event/);
    await expect(asRole(REGISTRAR_ROLE, sql`UPDATE pharmacies SET active = false WHERE finess = ${pharmacyFiness}`)).rejects.toThrow(/needs its audit event/);
    await expect(asRole(REGISTRAR_ROLE, sql`INSERT INTO certificate_revocation_lists (issuer_fingerprint, this_update, next_update, pem, entries) VALUES (${'a'.repeat(64)}, now(), now() + interval '1 day', 'x', 0)`)).rejects.toThrow(
      /needs its audit event/,
    );
    // an event naming another row does not count
    const other = sql`WITH p AS (INSERT INTO pharmacies (finess, name) VALUES (${finess}, 'unaudited') RETURNING id)
      INSERT INTO audit_events (actor_type, action, object_type, object_id, outcome) SELECT 'user', 'pharmacy.add', 'pharmacy', gen_random_uuid()::text, 'success' FROM p`;
    await expect(asRole(REGISTRAR_ROLE, other)).rejects.toThrow(/needs its audit event/);
    const audited = sql`WITH p AS (INSERT INTO pharmacies (finess, name) VALUES (${finess}, 'audited') RETURNING id)
      INSERT INTO audit_events (actor_type, action, object_type, object_id, outcome) SELECT 'user', 'pharmacy.add', 'pharmacy', id::text, 'success' FROM p`;
    await asRole(REGISTRAR_ROLE, audited);
    expect(await log.db.owner.selectFrom('pharmacies').select('name').where('finess', '=', finess).executeTakeFirst()).toEqual({ name: 'audited' });
  });

  it('alone may call the audited functions: the roles it switches to may not', async () => {
    for (const role of [REGISTRAR_ROLE, SEALER_ROLE]) {
      await expect(asRole(role, sql`SELECT enrol_person('psc', 'f:intruder', 'chain-admin', NULL, now() + interval '1 day', 'user', 'x')`), role).rejects.toThrow(/permission denied/);
      await expect(asRole(role, sql`SELECT open_web_session(${hashSecret(role)}, 'psc', 'f:intruder', NULL, NULL, true, interval '1 hour', 'A name', NULL)`), role).rejects.toThrow(/permission denied/);
      await expect(asRole(role, sql`SELECT forget_sign_ins_without_enrolment()`), role).rejects.toThrow(/permission denied/);
    }
  });
});

describe('sessions and enrolments through their functions', () => {
  it('open a session with its session.open event, enrol and revoke with theirs, sealed and verified like every event', async () => {
    const sessions = createSessionStore({ db: log.db.runtime, idleMs: 60_000, maxMs: 3_600_000 });
    const { token, session } = await sessions.open('psc', { subject: 'f:signed-in', rpps: null, finess: null, mfa: false, acr: null });
    expect(await sessions.resolve(token)).toMatchObject({ session: { userId: 'psc:f:signed-in', mfa: false } });
    expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3_500_000);

    const actor = { type: 'user' as const, id: 'psc:f:admin' };
    const id = await enrol(log.db.runtime, { issuer: 'psc', subject: 'f:pharmacist', role: 'pharmacist', pharmacy: pharmacyFiness, expiresAt: future(), actor });
    expect(await liveGrants(log.db.runtime, 'psc', 'f:pharmacist')).toEqual([{ role: 'pharmacist', pharmacyId: expect.any(String), finess: pharmacyFiness }]);
    await expect(enrol(log.db.runtime, { issuer: 'psc', subject: 'f:pharmacist', role: 'pharmacist', pharmacy: '759999915', expiresAt: future(), actor })).rejects.toBeInstanceOf(NotFound);
    expect(await revokeEnrolment(log.db.runtime, id, actor)).toBe(true);
    expect(await revokeEnrolment(log.db.runtime, id, actor)).toBe(false);
    expect(await liveGrants(log.db.runtime, 'psc', 'f:pharmacist')).toEqual([]);

    const events = await log.db.owner
      .selectFrom('audit_events')
      .select(['actor_type', 'actor_id', 'action', 'object_type', 'object_id', 'outcome', 'reason'])
      .where('actor_id', 'in', ['psc:f:signed-in', 'psc:f:admin'])
      .orderBy('seq')
      .execute();
    expect(events).toEqual([
      { actor_type: 'user', actor_id: 'psc:f:signed-in', action: 'session.open', object_type: 'user', object_id: 'psc:f:signed-in', outcome: 'success', reason: 'single-factor' },
      { actor_type: 'user', actor_id: 'psc:f:admin', action: 'enrolment.add', object_type: 'enrolment', object_id: id, outcome: 'success', reason: 'pharmacist' },
      { actor_type: 'user', actor_id: 'psc:f:admin', action: 'enrolment.revoke', object_type: 'enrolment', object_id: id, outcome: 'success', reason: null },
    ]);
    await log.sealed();
    const report = await log.verify();
    expect(report.fault).toBeUndefined();
    expect(report.events).toBeGreaterThanOrEqual(events.length);
  });
});
