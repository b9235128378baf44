import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../db/index.js';
import { appendAudit, type AuditEvent } from '../audit/index.js';
import type { Identity } from './claims.js';

/** `__Host-`: Secure, no Domain, Path=/ — the browser refuses it from any other origin or path. */
export const SESSION_COOKIE = '__Host-gw-session';

/** SHA-256 hex of a bearer secret: what the database holds instead of it. */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** A random 256-bit secret, base64url. */
export const newSecret = (): string => randomBytes(32).toString('base64url');

/** A live session: who, and what their provider asserted. */
export interface Session {
  idHash: string;
  issuer: string;
  subject: string;
  /** `<issuer>:<subject>`, the audit actor id. */
  userId: string;
  rpps: string | null;
  claimFiness: string[] | null;
  mfa: boolean;
  expiresAt: Date;
}

/** Who opens a session: a provider's identity, or one without name or e-mail (a break-glass link). */
export type SignedIn = Omit<Identity, 'name' | 'email'> & Partial<Pick<Identity, 'name' | 'email'>>;

/** Server-side sessions in Postgres with idle and absolute timeouts. */
export function createSessionStore(o: { db: Database; idleMs: number; maxMs: number; clock?: () => number }) {
  const now = o.clock ?? Date.now;
  // last_seen_at is written at most this often: one UPDATE per minute per session, not per request
  const touchEveryMs = Math.min(60_000, o.idleMs / 4);

  return {
    /**
     * Opens a session; returns the cookie token (only its hash is stored). The database function
     * writes the row and its `session.open` event together, and keeps the sign-in (with the
     * provider's name and e-mail) for the access review: the runtime role cannot insert either.
     */
    async open(issuer: string, identity: SignedIn): Promise<{ token: string; session: Session }> {
      const token = newSecret();
      const at = now();
      const row = { id_hash: hashSecret(token), issuer, subject: identity.subject, rpps: identity.rpps, claim_finess: identity.finess, mfa: identity.mfa };
      const expiresAt = await o.db.transaction().execute(async (tx) => {
        // sessions abandoned past a timeout go with the next sign-in, audited as expired
        const stale = await tx
          .deleteFrom('web_sessions')
          .where((eb) => eb.or([eb('expires_at', '<=', new Date(at)), eb('last_seen_at', '<=', new Date(at - o.idleMs))]))
          .returning(['issuer', 'subject'])
          .execute();
        await appendAudit(tx, stale.map((r) => expiryEvent(`${r.issuer}:${r.subject}`)));
        const { rows } = await sql<{ expires_at: Date }>`SELECT open_web_session(${row.id_hash}, ${issuer}, ${row.subject}, ${row.rpps}, ${row.claim_finess}::text[], ${row.mfa}, make_interval(secs => ${o.maxMs / 1000}), ${identity.name ?? null}, ${identity.email ?? null}) AS expires_at`.execute(tx);
        return (rows[0] as { expires_at: Date }).expires_at;
      });
      return { token, session: toSession({ ...row, expires_at: expiresAt }) };
    },

    /**
     * The session of a cookie token, or why there is none. An idle or expired session is
     * deleted here, and its expiry audited.
     */
    async resolve(token: string): Promise<{ session: Session } | { expired: Session } | null> {
      const idHash = hashSecret(token);
      const row = await o.db.selectFrom('web_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
      if (!row) return null;
      const t = now();
      if (row.expires_at.getTime() <= t || row.last_seen_at.getTime() + o.idleMs <= t) {
        await o.db.transaction().execute(async (tx) => {
          const gone = await tx.deleteFrom('web_sessions').where('id_hash', '=', idHash).returning('id_hash').executeTakeFirst();
          if (gone) await appendAudit(tx, [expiryEvent(`${row.issuer}:${row.subject}`)]);
        });
        return { expired: toSession(row) };
      }
      if (t - row.last_seen_at.getTime() >= touchEveryMs) {
        await o.db.updateTable('web_sessions').set({ last_seen_at: new Date(t) }).where('id_hash', '=', idHash).execute();
      }
      return { session: toSession(row) };
    },

    /** Ends a session (sign-out). */
    async close(idHash: string): Promise<void> {
      await o.db.deleteFrom('web_sessions').where('id_hash', '=', idHash).execute();
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;

const expiryEvent = (userId: string): AuditEvent => ({ actor: { type: 'system' }, action: 'session.expire', object: { type: 'user', id: userId }, outcome: 'success', reason: 'timeout' });

function toSession(r: { id_hash: string; issuer: string; subject: string; rpps: string | null; claim_finess: string[] | null; mfa: boolean; expires_at: Date }): Session {
  return { idHash: r.id_hash, issuer: r.issuer, subject: r.subject, userId: `${r.issuer}:${r.subject}`, rpps: r.rpps, claimFiness: r.claim_finess, mfa: r.mfa, expiresAt: r.expires_at };
}

/** Sessions for `gateway sessions list`: who, since when, until when — never the id. */
export function listSessions(db: Database, o: { subject?: string }) {
  let q = db.selectFrom('web_sessions').select(['issuer', 'subject', 'mfa', 'created_at as createdAt', 'last_seen_at as lastSeenAt', 'expires_at as expiresAt']).orderBy('created_at');
  if (o.subject) q = q.where('subject', '=', o.subject);
  return q.execute();
}

/** Ends every session of a person (audited); returns how many. */
export async function revokeSessions(db: Database, o: { subject: string; issuer?: string; actor: AuditEvent['actor'] }): Promise<number> {
  return db.transaction().execute(async (tx) => {
    let q = tx.deleteFrom('web_sessions').where('subject', '=', o.subject);
    if (o.issuer) q = q.where('issuer', '=', o.issuer);
    const rows = await q.returning(['issuer', 'subject']).execute();
    await appendAudit(tx, rows.map((r) => ({ actor: o.actor, action: 'session.revoke', object: { type: 'user', id: `${r.issuer}:${r.subject}` }, outcome: 'success' as const })));
    return rows.length;
  });
}

/** A sign-in in progress, stored until the provider redirects back (10 minutes at most). */
export function createLoginStates(o: { db: Database; ttlMs?: number }) {
  const ttlMs = o.ttlMs ?? 10 * 60_000;
  return {
    async save(p: { state: string; browser: string; issuer: string; codeVerifier: string; nonce: string }): Promise<void> {
      // expired states of abandoned sign-ins go with the next one
      await o.db.deleteFrom('login_states').where('expires_at', '<', sql<Date>`now()`).execute();
      await o.db
        .insertInto('login_states')
        .values({ state_hash: hashSecret(p.state), browser_hash: hashSecret(p.browser), issuer: p.issuer, code_verifier: p.codeVerifier, nonce: p.nonce, expires_at: new Date(Date.now() + ttlMs) })
        .execute();
    },
    /** Takes (single use) the state the callback names, if it belongs to this browser and is current. */
    async take(state: string, browser: string): Promise<{ issuer: string; codeVerifier: string; nonce: string } | null> {
      const row = await o.db.deleteFrom('login_states').where('state_hash', '=', hashSecret(state)).returningAll().executeTakeFirst();
      if (!row || row.browser_hash !== hashSecret(browser) || row.expires_at.getTime() <= Date.now()) return null;
      return { issuer: row.issuer, codeVerifier: row.code_verifier, nonce: row.nonce };
    },
  };
}

export type LoginStates = ReturnType<typeof createLoginStates>;
