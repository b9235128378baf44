import type { Database } from '../db/index.js';
import { listSessions, revokeSessions } from '../auth/sessions.js';

/**
 * `gateway sessions list [--subject S]` and `gateway sessions revoke --subject S [--issuer I]`.
 * Returns the exit code (2: usage error).
 */
export async function sessionsCommand(db: Database, sub: string | undefined, o: { subject?: string; issuer?: string; actor: string; out: (s: string) => void }): Promise<number> {
  if (sub === 'list') {
    const rows = await listSessions(db, { ...(o.subject ? { subject: o.subject } : {}) });
    for (const r of rows) o.out(`${r.issuer}:${r.subject}  mfa=${r.mfa}  since=${r.createdAt.toISOString()}  last-seen=${r.lastSeenAt.toISOString()}  until=${r.expiresAt.toISOString()}`);
    o.out(`${rows.length} session(s)`);
    return 0;
  }
  if (sub === 'revoke' && o.subject) {
    const n = await revokeSessions(db, { subject: o.subject, ...(o.issuer ? { issuer: o.issuer } : {}), actor: { type: 'user', id: o.actor } });
    o.out(`Revoked ${n} session(s)`);
    return 0;
  }
  return 2;
}
