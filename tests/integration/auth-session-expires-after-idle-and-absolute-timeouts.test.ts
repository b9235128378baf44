import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoginStates, createSessionStore, hashSecret, listSessions, revokeSessions } from '../../gateway/src/auth/sessions.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

/** Server-side sessions on the runtime role: hashed ids, idle and absolute timeouts, revocation. */
let db: TestDatabase;
const MINUTE = 60_000;
const identity = { subject: 'subject-1', rpps: null, finess: null, mfa: true, acr: null };

beforeAll(async () => {
  db = await testDatabase();
});
afterAll(async () => {
  await db?.drop();
});

function store(start: number) {
  let t = start;
  const s = createSessionStore({ db: db.runtime, idleMs: 15 * MINUTE, maxMs: 60 * MINUTE, clock: () => t });
  return { s, advance: (ms: number) => (t += ms) };
}

describe('web sessions', () => {
  it('stores only the hash of the cookie token', async () => {
    const { s } = store(Date.now());
    const { token } = await s.open('psc', identity);
    const rows = await db.owner.selectFrom('web_sessions').select('id_hash').execute();
    expect(rows.map((r) => r.id_hash)).toContain(hashSecret(token));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('expires after the idle timeout, and an active session keeps going until then', async () => {
    const { s, advance } = store(Date.now());
    const { token } = await s.open('psc', identity);
    advance(14 * MINUTE);
    expect(await s.resolve(token)).toHaveProperty('session');
    advance(14 * MINUTE);
    expect(await s.resolve(token)).toHaveProperty('session');
    advance(16 * MINUTE);
    expect(await s.resolve(token)).toHaveProperty('expired');
    expect(await s.resolve(token)).toBeNull();
  });

  it('expires at the absolute timeout however active it is', async () => {
    const { s, advance } = store(Date.now());
    const { token } = await s.open('psc', identity);
    for (let i = 0; i < 5; i++) {
      advance(10 * MINUTE);
      expect(await s.resolve(token)).toHaveProperty('session');
    }
    // past the hour the database's clock started when it opened the session
    advance(11 * MINUTE);
    expect(await s.resolve(token)).toHaveProperty('expired');
  });

  it('deletes sessions abandoned past a timeout at the next sign-in, audited as expired', async () => {
    const { s, advance } = store(Date.now());
    await s.open('psc', { ...identity, subject: 'abandoned' });
    advance(20 * MINUTE);
    await s.open('psc', { ...identity, subject: 'next' });
    expect(await listSessions(db.owner, { subject: 'abandoned' })).toEqual([]);
    const events = await db.owner.selectFrom('audit_events').select(['object_id', 'reason']).where('action', '=', 'session.expire').execute();
    expect(events).toContainEqual({ object_id: 'psc:abandoned', reason: 'timeout' });
  });

  it('revokes every session of a subject, audited', async () => {
    const { s } = store(Date.now());
    const a = await s.open('psc', { ...identity, subject: 'to-revoke' });
    await s.open('chain', { ...identity, subject: 'to-revoke' });
    expect((await listSessions(db.owner, { subject: 'to-revoke' })).length).toBe(2);
    expect(await revokeSessions(db.owner, { subject: 'to-revoke', actor: { type: 'user', id: 'cli:test' } })).toBe(2);
    expect(await s.resolve(a.token)).toBeNull();
    const events = await db.owner.selectFrom('audit_events').select(['action', 'object_id']).where('action', '=', 'session.revoke').execute();
    expect(events).toContainEqual({ action: 'session.revoke', object_id: 'psc:to-revoke' });
  });

  it('gives a login state once, and only to the browser that started it', async () => {
    const states = createLoginStates({ db: db.runtime });
    await states.save({ state: 's1', browser: 'b1', issuer: 'psc', codeVerifier: 'v', nonce: 'n' });
    expect(await states.take('s1', 'other-browser')).toBeNull();
    await states.save({ state: 's2', browser: 'b1', issuer: 'psc', codeVerifier: 'v', nonce: 'n' });
    expect(await states.take('s2', 'b1')).toEqual({ issuer: 'psc', codeVerifier: 'v', nonce: 'n' });
    expect(await states.take('s2', 'b1')).toBeNull();
  });
});
