import { initRoles } from '../db/index.js';
import { parseCommandLine, UsageError, type Command } from './command.js';

/** `gateway db init-roles`: creates or updates the runtime role (and the audit admin's login). */
export const db: Command = {
  help: `  db init-roles               Create or update the runtime role (reads GATEWAY_RUNTIME_PASSWORD_FILE)
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandLine(argv, {});
    if (positionals[0] !== 'init-roles') throw new UsageError();
    const { runtimePassword, auditAdminPassword } = ctx.settings().settings.operator;
    if (!runtimePassword) throw new Error('GATEWAY_RUNTIME_PASSWORD_FILE must name a file holding the runtime role password.');
    await initRoles({
      url: ctx.databaseUrl(values['database-url']),
      runtimePassword,
      // optional: the audit-admin role logs in only with one
      ...(auditAdminPassword ? { auditAdminPassword } : {}),
    });
    ctx.out('Runtime role ready.');
    return 0;
  },
};
