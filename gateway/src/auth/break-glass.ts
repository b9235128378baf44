import { sql } from 'kysely';
import type { Database } from '../db/index.js';
import { appendAudit } from '../audit/index.js';
import { hashSecret, newSecret } from './sessions.js';

/** The issuer of break-glass sessions: no identity provider, the host's shell vouches. */
export const BREAK_GLASS_ISSUER = 'break-glass';

/**
 * Break-glass for the host operator when the identity providers are down: a single-use link,
 * valid `linkMinutes`, and a chain-admin enrolment of `host:<user>` for `enrolmentMinutes`,
 * created together and audited. Only the owner role (shell access to the host) can call this.
 * @example const token = await createLoginLink(db, { user: 'alice' });
 */
export async function createLoginLink(db: Database, o: { user: string; linkMinutes?: number; enrolmentMinutes?: number }): Promise<string> {
  const token = newSecret();
  const subject = `host:${o.user}`;
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('login_links').values({ token_hash: hashSecret(token), subject, expires_at: sql<Date>`now() + make_interval(mins => ${o.linkMinutes ?? 5})` }).execute();
    await tx
      .updateTable('enrolments')
      .set({ revoked_at: sql`now()` })
      .where('issuer', '=', BREAK_GLASS_ISSUER)
      .where('subject', '=', subject)
      .where('revoked_at', 'is', null)
      .execute();
    const { id } = await tx
      .insertInto('enrolments')
      .values({ issuer: BREAK_GLASS_ISSUER, subject, role: 'chain-admin', pharmacy_id: null, expires_at: sql<Date>`now() + make_interval(mins => ${o.enrolmentMinutes ?? 60})`, created_by: `cli:${o.user}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(tx, [{ actor: { type: 'user', id: `cli:${o.user}` }, action: 'break-glass.link', object: { type: 'enrolment', id }, outcome: 'success' }]);
  });
  return token;
}

/** Consumes a link: its subject if it exists and is current (never twice). */
export async function takeLoginLink(db: Database, token: string): Promise<string | null> {
  const row = await db.deleteFrom('login_links').where('token_hash', '=', hashSecret(token)).returning(['subject', 'expires_at']).executeTakeFirst();
  return row && row.expires_at.getTime() > Date.now() ? row.subject : null;
}
