import { enrol, listEnrolments, revokeEnrolment } from '../auth/enrolments.js';
import { integerFlag, parseCommandLine, UsageError, type Command } from './command.js';
import { reportingRefusals } from './pharmacy.js';

const DAY_MS = 86_400_000;
/** `--days`: up to ten years; a longer grant is better renewed than forgotten. */
const MAX_DAYS = 3650;

/**
 * `gateway enrolments list [--issuer I] [--subject S]`,
 * `gateway enrolments add --issuer I --subject S --role R [--pharmacy FINESS] (--expires <RFC 3339> | --days N)`,
 * `gateway enrolments revoke <id>`. Exit codes: 0 ok, 1 nothing revoked or refused, 2 usage error.
 */
export const enrolments: Command = {
  help: `  enrolments list|add|revoke  Roles of people  add: --issuer I --subject S --role R [--pharmacy FINESS] --expires T|--days N; revoke <id>
`,
  async run(argv, ctx) {
    const options = { issuer: { type: 'string' }, subject: { type: 'string' }, role: { type: 'string' }, pharmacy: { type: 'string' }, expires: { type: 'string' }, days: { type: 'string' } } as const;
    const { values, positionals } = parseCommandLine(argv, options);
    const { issuer, subject, role, pharmacy, expires } = values;
    const days = integerFlag(values.days, '--days', { min: 1, max: MAX_DAYS });
    const [sub, ...args] = positionals;
    if (sub === 'list') {
      return ctx.withDatabase(values['database-url'], async (db) => {
        const rows = await listEnrolments(db, { ...(issuer ? { issuer } : {}), ...(subject ? { subject } : {}) });
        for (const r of rows) ctx.out(`${r.id}  ${r.issuer}:${r.subject}  ${r.role.padEnd(16)} ${r.finess ?? 'all'}  until=${r.expiresAt.toISOString()}`);
        ctx.out(`${rows.length} enrolment(s)`);
        return 0;
      });
    }
    if (sub === 'add' && issuer && subject && role && (expires || days)) {
      const expiresAt = expires ? new Date(expires) : new Date(Date.now() + (days as number) * DAY_MS);
      const { actor } = ctx.operator(values.operator);
      return ctx.withDatabase(values['database-url'], (db) =>
        reportingRefusals(ctx, async () => {
          const id = await enrol(db, { issuer, subject, role, ...(pharmacy ? { pharmacy } : {}), expiresAt, actor });
          ctx.out(`Enrolled: ${id}`);
          return 0;
        }),
      );
    }
    const id = args[0];
    if (sub === 'revoke' && id !== undefined && args.length === 1) {
      const { actor } = ctx.operator(values.operator);
      return ctx.withDatabase(values['database-url'], async (db) => {
        const done = await revokeEnrolment(db, id, actor);
        ctx.out(done ? 'Revoked.' : 'No live enrolment with this id.');
        return done ? 0 : 1;
      });
    }
    throw new UsageError();
  },
};
