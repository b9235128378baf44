import { createDatabase } from '../db/index.js';
import type { CliContext } from './command.js';
import { operatorIdentity, processAccount } from './operator-identity.js';
import { operatorDatabaseUrl, readOperatorSettings, type OperatorSettings } from './operator-settings.js';

/**
 * The context of a command run by this process: its environment, stdout and stderr; the
 * settings read at the first call of `settings()`, and not at all for `--database-url` alone.
 *
 * @example process.exitCode = await command.run(argv, processContext(process.env));
 */
export function processContext(env: NodeJS.ProcessEnv): CliContext {
  let parsed: OperatorSettings | undefined;
  const settings = () => (parsed ??= readOperatorSettings(env));
  const databaseUrl = (flag: string | undefined) => flag ?? operatorDatabaseUrl(settings());
  return {
    operator: (flag) => operatorIdentity(processAccount(), { operator: flag, production: settings().production }),
    env,
    settings,
    databaseUrl,
    async withDatabase(flag, use) {
      const db = createDatabase({ url: databaseUrl(flag), poolSize: 2 });
      try {
        return await use(db);
      } finally {
        await db.destroy();
      }
    },
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTty: process.stderr.isTTY,
  };
}
