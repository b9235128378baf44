import { SettingsRefused } from '../config/index.js';
import { PortInUse } from '../http/index.js';
import { access } from './access.js';
import { admin } from './admin.js';
import { audit } from './audit.js';
import { receipt } from './receipt.js';
import { cert } from './cert.js';
import { UsageError, type CliContext, type Command } from './command.js';
import { compliance } from './compliance.js';
import { db } from './db.js';
import { demo } from './demo.js';
import { doctor } from './doctor.js';
import { enrolments } from './enrolments.js';
import { keys } from './keys.js';
import { migrate } from './migrate.js';
import { outbox } from './outbox.js';
import { pharmacy } from './pharmacy.js';
import { purge } from './purge.js';
import { serve } from './serve.js';
import { sessions } from './sessions.js';
import { subjects } from './subjects.js';
import { webhooks } from './webhooks.js';

export { processContext } from './context.js';
export type { CliContext } from './command.js';

/** Every command, in the order `gateway --help` lists them. */
const COMMANDS: Readonly<Record<string, Command>> = { serve, demo, migrate, db, outbox, purge, doctor, sessions, enrolments, access, admin, audit, receipt, keys, pharmacy, cert, subjects, compliance, webhooks };

const HELP = `Usage: gateway <command> [options]

Commands:
${Object.values(COMMANDS)
  .map((c) => c.help)
  .join('')}
Operator commands connect with --database-url, GATEWAY_DATABASE_URL, or the running demo's database.
`;

/**
 * Runs `gateway <command> …` and returns its exit code: 0 ok, 1 a finding or a failure (its
 * message on stderr), 2 a usage error or refused settings. `--help` reads no setting.
 *
 * @example process.exit(await runCommandLine(process.argv.slice(2), processContext(process.env)));
 */
export async function runCommandLine(argv: string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || argv.includes('--help') || argv.includes('-h')) {
    ctx.stdout(HELP);
    return name === undefined ? 2 : 0;
  }
  try {
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!command) throw new UsageError();
    return await command.run(rest, ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      // positionals only: an option's value may be a database URL with its password
      const sub = rest[0] === undefined || rest[0].startsWith('-') ? '' : ` ${rest[0]}`;
      ctx.stderr(e.message ? `${e.message}\n` : `Unknown command: ${name}${sub}\n\n${HELP}`);
      return 2;
    }
    ctx.err(e instanceof Error ? e.message : 'gateway: failed');
    return e instanceof SettingsRefused || e instanceof PortInUse ? 2 : 1;
  }
}
