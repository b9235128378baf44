import { createLoginLink } from '../auth/break-glass.js';
import { parseCommandLine, UsageError, type Command } from './command.js';
import { runningDemo } from './operator-settings.js';

/**
 * `gateway admin login-link [--origin URL]`: break-glass for the host operator — a single-use
 * link valid 5 minutes to a chain-admin session of `host:<user>` (enrolment for 1 hour), audited.
 */
export const admin: Command = {
  help: `  admin login-link            Break-glass: a single-use 5-minute link to a chain-admin session (audited)  [--origin URL]
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandLine(argv, { origin: { type: 'string' } });
    if (positionals[0] !== 'login-link') throw new UsageError();
    // The web listener's origin: --origin, else GATEWAY_WEB_PUBLIC_ORIGIN, else the running demo's.
    const origin = values.origin ?? ctx.settings().settings.web.publicOrigin ?? runningDemo(ctx.settings())?.webUrl;
    if (!origin) throw new UsageError('Name the web listener with --origin or GATEWAY_WEB_PUBLIC_ORIGIN.');
    const { user } = ctx.operator(values.operator);
    const token = await ctx.withDatabase(values['database-url'], (db) => createLoginLink(db, { user }));
    ctx.out(`Single-use link (5 minutes, audited): ${new URL(origin).origin}/auth/break-glass?token=${token}`);
    return 0;
  },
};
