import { readFileSync } from 'node:fs';
import { initRoles } from '../db/index.js';
import { parseCommandLine, UsageError, type Command } from './command.js';

/** `gateway db init-roles`: creates or updates the runtime role (and the audit admin's login). */
export const db: Command = {
  help: `  db init-roles               Create or update the runtime role (reads GATEWAY_RUNTIME_PASSWORD_FILE)
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandLine(argv, {});
    if (positionals[0] !== 'init-roles') throw new UsageError();
    const file = ctx.env.GATEWAY_RUNTIME_PASSWORD_FILE;
    if (!file) throw new Error('GATEWAY_RUNTIME_PASSWORD_FILE must name a file holding the runtime role password.');
    const adminFile = ctx.env.GATEWAY_AUDIT_ADMIN_PASSWORD_FILE; // optional: the audit-admin role logs in only with one
    await initRoles({
      url: ctx.databaseUrl(values['database-url']),
      runtimePassword: readFileSync(file, 'utf8').trim(),
      ...(adminFile ? { auditAdminPassword: readFileSync(adminFile, 'utf8').trim() } : {}),
    });
    ctx.out('Runtime role ready.');
    return 0;
  },
};
