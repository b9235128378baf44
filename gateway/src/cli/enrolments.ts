import type { Database } from '../db/index.js';
import { enrol, listEnrolments, revokeEnrolment } from '../auth/enrolments.js';

const DAY_MS = 86_400_000;

/**
 * `gateway enrolments list [--issuer I] [--subject S]`,
 * `gateway enrolments add --issuer I --subject S --role R [--pharmacy FINESS] (--expires <RFC 3339> | --days N)`,
 * `gateway enrolments revoke <id>`. Returns the exit code (1: nothing revoked, 2: usage error).
 */
export async function enrolmentsCommand(
  db: Database,
  sub: string | undefined,
  args: string[],
  o: { issuer?: string; subject?: string; role?: string; pharmacy?: string; expires?: string; days?: string; actor: string; out: (s: string) => void },
): Promise<number> {
  const actor = { type: 'user' as const, id: o.actor };
  if (sub === 'list') {
    const rows = await listEnrolments(db, { ...(o.issuer ? { issuer: o.issuer } : {}), ...(o.subject ? { subject: o.subject } : {}) });
    for (const r of rows) o.out(`${r.id}  ${r.issuer}:${r.subject}  ${r.role.padEnd(16)} ${r.finess ?? 'all'}  until=${r.expiresAt.toISOString()}`);
    o.out(`${rows.length} enrolment(s)`);
    return 0;
  }
  if (sub === 'add' && o.issuer && o.subject && o.role && (o.expires || o.days)) {
    const expiresAt = o.expires ? new Date(o.expires) : new Date(Date.now() + Number(o.days) * DAY_MS);
    const id = await enrol(db, { issuer: o.issuer, subject: o.subject, role: o.role, ...(o.pharmacy ? { pharmacy: o.pharmacy } : {}), expiresAt, actor });
    o.out(`Enrolled: ${id}`);
    return 0;
  }
  if (sub === 'revoke' && args.length === 1) {
    const done = await revokeEnrolment(db, args[0] as string, actor);
    o.out(done ? 'Revoked.' : 'No live enrolment with this id.');
    return done ? 0 : 1;
  }
  return 2;
}
