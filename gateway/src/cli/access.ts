import { recertifyEnrolment, reviewAccess, type ReviewedPerson } from '../auth/access-review.js';
import { parseCommandLine, UsageError, type Command } from './command.js';
import { reportingRefusals } from './pharmacy.js';

/** `--until`: an RFC 3339 time or a date (midnight UTC). */
const UNTIL = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * `gateway access review [--format table|json] [--pharmacy FINESS]`: every person with a live
 * enrolment, their roles and pharmacies, last sign-in and its MFA evidence, each enrolment's
 * expiry (`unused`: an admin role unused for 90 days). `gateway access recertify <enrolment-id>
 * --until DATE` extends one, audited; `gateway enrolments revoke <id>` ends one. Exit codes: 0 ok,
 * 1 no live enrolment with that id or refused, 2 usage error.
 */
export const access: Command = {
  help: `  access review|recertify     Access review  review [--format table|json] [--pharmacy FINESS]; recertify <enrolment-id> --until DATE
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandLine(argv, { format: { type: 'string' }, pharmacy: { type: 'string' }, until: { type: 'string' } });
    const [sub, ...args] = positionals;
    if (sub === 'review' && args.length === 0 && /^(table|json)$/.test(values.format ?? 'table')) {
      const { pharmacy } = values;
      return ctx.withDatabase(values['database-url'], async (db) => {
        const people = await reviewAccess(db, { all: true }, pharmacy ? { finess: pharmacy } : {});
        if (values.format === 'json') ctx.stdout(`${JSON.stringify({ items: people }, null, 2)}\n`);
        else printTable(people, ctx.out);
        return 0;
      });
    }
    const id = args[0];
    if (sub === 'recertify' && id !== undefined && args.length === 1 && values.until !== undefined) {
      if (!UNTIL.test(values.until)) throw new UsageError('--until takes a date (2027-06-30) or an RFC 3339 time.');
      const until = new Date(values.until);
      const { actor } = ctx.operator(values.operator);
      return ctx.withDatabase(values['database-url'], (db) =>
        reportingRefusals(ctx, async () => {
          const done = await recertifyEnrolment(db, id, until, actor);
          ctx.out(done ? `Recertified until ${until.toISOString()}.` : 'No live enrolment with this id.');
          return done ? 0 : 1;
        }),
      );
    }
    throw new UsageError();
  },
};

function printTable(people: readonly ReviewedPerson[], out: (line: string) => void): void {
  for (const p of people) {
    out(`${p.issuer}:${p.subject}  last-sign-in=${p.lastSignInAt?.toISOString() ?? 'never'}  evidence=${p.mfaEvidence ?? '-'}`);
    for (const e of p.enrolments) out(`  ${e.id}  ${e.role.padEnd(16)} ${e.finess ?? 'all'}  until=${e.expiresAt.toISOString()}${e.unused ? '  UNUSED' : ''}`);
  }
  out(`${people.length} person(s)`);
}
