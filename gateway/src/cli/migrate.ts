import { migrate as applyMigrations } from '../db/index.js';
import { parseCommandLine, type Command } from './command.js';

/** `gateway migrate`: applies the migrations the database lacks, as the owner role. */
export const migrate: Command = {
  help: `  migrate                     Apply database migrations (owner role)
`,
  async run(argv, ctx) {
    const { values } = parseCommandLine(argv, {});
    const applied = await applyMigrations({ url: ctx.databaseUrl(values['database-url']) });
    ctx.out(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database is up to date.');
    return 0;
  },
};
