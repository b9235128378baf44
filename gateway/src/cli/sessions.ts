import { listSessions, revokeSessions } from '../auth/sessions.js';
import { parseCommandLine, UsageError, type Command } from './command.js';

/** `gateway sessions list [--subject S]` and `gateway sessions revoke --subject S [--issuer I]`. */
export const sessions: Command = {
  help: `  sessions list|revoke        Web sessions  [--subject S] (revoke: --subject S [--issuer I])
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandLine(argv, { subject: { type: 'string' }, issuer: { type: 'string' } });
    const { subject, issuer } = values;
    if (positionals[0] === 'list') {
      return ctx.withDatabase(values['database-url'], async (db) => {
        const rows = await listSessions(db, { ...(subject ? { subject } : {}) });
        for (const r of rows) ctx.out(`${r.issuer}:${r.subject}  mfa=${r.mfa}  since=${r.createdAt.toISOString()}  last-seen=${r.lastSeenAt.toISOString()}  until=${r.expiresAt.toISOString()}`);
        ctx.out(`${rows.length} session(s)`);
        return 0;
      });
    }
    if (positionals[0] === 'revoke' && subject) {
      const { actor } = ctx.operator(values.operator);
      return ctx.withDatabase(values['database-url'], async (db) => {
        const n = await revokeSessions(db, { subject, ...(issuer ? { issuer } : {}), actor });
        ctx.out(`Revoked ${n} session(s)`);
        return 0;
      });
    }
    throw new UsageError();
  },
};
