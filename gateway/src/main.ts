/**
 * The `gateway` command.
 *   gateway serve                  run the gateway from GATEWAY_* settings (production profile)
 *   gateway demo                   run everything on embedded defaults (what `npm start` does)
 *   gateway migrate                apply database migrations
 *   gateway db init-roles          create the runtime role (once per cluster)
 *   gateway outbox list [--state pending|delivered|dead|superseded] [--limit N]
 *   gateway outbox redrive <message-id>... | --all
 *   gateway purge                  destroy personal data past retention now
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { parseSettings, productionProblems, settingsFromEnv, SettingsRefused } from './config/index.js';
import { createDatabase, initRoles, migrate, PortInUse } from './db/index.js';
import { createLogger } from './observability/index.js';
import { listMessages, redrive } from './outbox/index.js';
import { purgeExpired } from './retention/index.js';
import { operatorDatabaseUrl } from './cli/database-url.js';
import { DemoRefused, runDemo } from './demo/run-demo.js';

const HELP = `Usage: gateway <command> [options]

Commands:
  serve                       Run the gateway (production profile; settings from GATEWAY_* variables)
  demo                        Run the whole appliance on embedded defaults (npm start)
  migrate                     Apply database migrations (owner role)
  db init-roles               Create or update the runtime role (reads GATEWAY_RUNTIME_PASSWORD_FILE)
  outbox list                 List outbox messages  [--state pending|delivered|dead|superseded] [--limit N]
  outbox redrive <id>...      Put dead-lettered messages back in the queue unchanged  [--all]
  purge                       Destroy personal data past retention now  [--delivered-days N] [--dead-lettered-days N]

Operator commands connect with --database-url, GATEWAY_DATABASE_URL, or the running demo's database.
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      'database-url': { type: 'string' },
      state: { type: 'string' },
      limit: { type: 'string', default: '50' },
      all: { type: 'boolean' },
      'delivered-days': { type: 'string', default: '7' },
      'dead-lettered-days': { type: 'string', default: '30' },
    },
  });
  const [command, sub, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(HELP);
    return command || values.help ? 0 : 2;
  }
  const env = process.env;
  const dbUrl = () => operatorDatabaseUrl(values['database-url'], env);

  switch (command) {
    case 'demo': {
      const log = createLogger({ level: env.GATEWAY_LOG_LEVEL ?? 'warn' });
      const { stop } = await runDemo({ env, log, dataDir: env.GATEWAY_DEMO_DATA_DIR, print: (s) => process.stdout.write(`${s}\n`) });
      await untilSignal();
      process.stdout.write('Stopping…\n');
      await stop();
      return 0;
    }
    case 'serve': {
      const settings = parseSettings(settingsFromEnv(env));
      const problems = settings.profile === 'production' ? productionProblems(settings) : ['GATEWAY_PROFILE: serve runs the production profile only; use `gateway demo`'];
      if (problems.length) throw new SettingsRefused(problems);
      // Vault Transit is the production key manager; the local keyring is refused above.
      throw new SettingsRefused(['GATEWAY_KEY_MANAGER_KIND: the Vault Transit backend is not part of this build yet']);
    }
    case 'migrate': {
      const applied = await migrate({ url: dbUrl() });
      process.stdout.write(applied.length ? `Applied migrations: ${applied.join(', ')}\n` : 'Database is up to date.\n');
      return 0;
    }
    case 'db': {
      if (sub !== 'init-roles') break;
      const file = env.GATEWAY_RUNTIME_PASSWORD_FILE;
      if (!file) throw new Error('GATEWAY_RUNTIME_PASSWORD_FILE must name a file holding the runtime role password.');
      await initRoles({ url: dbUrl(), runtimePassword: readFileSync(file, 'utf8').trim() });
      process.stdout.write('Runtime role ready.\n');
      return 0;
    }
    case 'outbox': {
      const db = createDatabase({ url: dbUrl(), poolSize: 2 });
      try {
        if (sub === 'list') {
          const state = values.state as 'pending' | 'delivered' | 'dead' | 'superseded' | undefined;
          const rows = await listMessages(db, { ...(state ? { state } : {}), limit: Number(values.limit) });
          for (const r of rows) {
            const reason = r.deadReason ? ` reason=${JSON.stringify(r.deadReason)}` : r.lastErrorCode ? ` last-error=${r.lastErrorCode}` : '';
            process.stdout.write(`${r.id}  ${r.state.padEnd(10)} ${r.kind.padEnd(12)} attempts=${r.attempts} result=${r.resultId}${reason}\n`);
          }
          process.stdout.write(`${rows.length} message(s)\n`);
          return 0;
        }
        if (sub === 'redrive') {
          if (!values.all && rest.length === 0) throw new Error('Name the message ids to redrive, or pass --all.');
          const ids = await redrive(db, { ids: rest, all: values.all ?? false, actor: { type: 'user', id: `cli:${env.USER ?? 'unknown'}` } });
          process.stdout.write(`Redriven: ${ids.length} message(s)\n`);
          return 0;
        }
      } finally {
        await db.destroy();
      }
      break;
    }
    case 'purge': {
      const db = createDatabase({ url: dbUrl(), poolSize: 2 });
      try {
        const n = await purgeExpired(db, { deliveredDays: Number(values['delivered-days']), deadLetteredDays: Number(values['dead-lettered-days']) });
        process.stdout.write(`Purged personal data of ${n} result(s).\n`);
        return 0;
      } finally {
        await db.destroy();
      }
    }
  }
  process.stderr.write(`Unknown command: ${positionals.join(' ')}\n\n${HELP}`);
  return 2;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const known = e instanceof SettingsRefused || e instanceof PortInUse || e instanceof DemoRefused;
    console.error(known || e instanceof Error ? (e as Error).message : 'gateway: failed');
    process.exit(known ? 2 : 1);
  },
);
