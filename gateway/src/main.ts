/**
 * The `gateway` command.
 *   gateway serve                  run the gateway from GATEWAY_* settings (production profile)
 *   gateway demo [--key-manager local|openbao]  run everything on embedded defaults (what `npm start` does)
 *   gateway migrate                apply database migrations
 *   gateway db init-roles          create the runtime role (once per cluster)
 *   gateway outbox list [--state pending|delivered|dead|superseded] [--limit N]
 *   gateway outbox redrive <result-id>... | --all-dead-lettered [--pharmacy FINESS]
 *   gateway purge                  destroy personal data past retention now
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { environmentProblems, parseSettings, productionProblems, settingsFromEnv, SettingsRefused } from './config/index.js';
import { createDatabase, initRoles, migrate, PortInUse } from './db/index.js';
import { createLogger } from './observability/index.js';
import { listMessages, redrive } from './outbox/index.js';
import { purgeExpired } from './retention/index.js';
import { operatorDatabaseUrl } from './cli/database-url.js';
import { openVaultKeys } from './cli/key-manager-from-settings.js';
import { backupSettingsFromEnv, keyManagerSettingsFromEnv, KEYS_HELP, openKeysCliKeyManager, runKeysCommand } from './cli/keys.js';
import { startGateway } from './app/gateway.js';
import { runAuditCommand } from './cli/audit.js';
import { sessionsCommand } from './cli/sessions.js';
import { enrolmentsCommand } from './cli/enrolments.js';
import { adminCommand } from './cli/admin.js';
import { doctorCommand } from './cli/doctor.js';
import { PHARMACY_HELP, runPharmacyCommand } from './cli/pharmacy.js';
import { CERT_HELP, runCertCommand } from './cli/cert.js';
import { operatorCertificateAuthority } from './cli/signing-ca.js';
import { openConfiguredCa } from './pki/index.js';

const HELP = `Usage: gateway <command> [options]

Commands:
  serve                       Run the gateway (production profile; settings from GATEWAY_* variables)
  demo                        Run the whole appliance on embedded defaults (npm start)  [--key-manager local|openbao]
  migrate                     Apply database migrations (owner role)
  db init-roles               Create or update the runtime role (reads GATEWAY_RUNTIME_PASSWORD_FILE)
  outbox list                 List outbox messages  [--state pending|delivered|dead|superseded] [--limit N]
  outbox redrive <result-id>...  Put dead-lettered results back in the queue unchanged  [--all-dead-lettered] [--pharmacy FINESS]
  purge                       Destroy personal data past retention now  [--delivered-days N] [--dead-lettered-days N]
  doctor                      Check settings, database, audit, key manager, certificates, clock, disk, SI-DEP, images; explain fixes  [--json] [--database-url owner]
  sessions list|revoke        Web sessions  [--subject S] (revoke: --subject S [--issuer I])
  enrolments list|add|revoke  Roles of people  add: --issuer I --subject S --role R [--pharmacy FINESS] --expires T|--days N; revoke <id>
  admin login-link            Break-glass: a single-use 5-minute link to a chain-admin session (audited)  [--origin URL]
  audit verify                Recompute checkpoints, chain and sink; name the first fault  [--since T] [--until T] [--sink F] [--public-keys F]
  audit prove <event-id>      Inclusion proof of an event against a signed checkpoint (JSON)
  audit export                JSON Lines of checkpoints and events with proofs  [--since T] [--until T]
  audit public-keys           The checkpoint signing public keys (JSON), for offline verification
  audit check-proof <file>    Verify a proof offline  [--public-keys F]
  audit prune                 As gateway_audit_admin: export, then delete sealed batches past retention  --before T --out F
${KEYS_HELP}${PHARMACY_HELP}${CERT_HELP}
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
      'all-dead-lettered': { type: 'boolean' },
      'delivered-days': { type: 'string', default: '7' },
      'dead-lettered-days': { type: 'string', default: '30' },
      since: { type: 'string' },
      until: { type: 'string' },
      before: { type: 'string' },
      'public-keys': { type: 'string' },
      sink: { type: 'string' },
      json: { type: 'boolean' },
      subject: { type: 'string' },
      issuer: { type: 'string' },
      role: { type: 'string' },
      pharmacy: { type: 'string' },
      expires: { type: 'string' },
      days: { type: 'string' },
      origin: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
      reason: { type: 'string' },
      'batch-size': { type: 'string' },
      'stop-after': { type: 'string' },
      'key-manager': { type: 'string' },
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
      // Loaded on demand: the production image ships without demo/ and the simulator.
      const { DemoRefused, runDemo } = await import('./demo/run-demo.js');
      const { DEMO_KEY_MANAGERS, isDemoKeyManagerKind } = await import('./demo/key-manager.js');
      const keyManager = values['key-manager'] ?? 'local';
      if (!isDemoKeyManagerKind(keyManager)) {
        process.stderr.write(`--key-manager takes ${DEMO_KEY_MANAGERS.join(' or ')}.\n`);
        return 2;
      }
      const log = createLogger({ level: env.GATEWAY_LOG_LEVEL ?? 'warn' });
      const started = await runDemo({ env, log, dataDir: env.GATEWAY_DEMO_DATA_DIR, keyManager, print: (s) => process.stdout.write(`${s}\n`) }).catch((e: unknown) => {
        if (!(e instanceof DemoRefused)) throw e;
        process.stderr.write(`${e.message}\n`);
        return undefined;
      });
      if (!started) return 2;
      const { stop } = started;
      await untilSignal();
      process.stdout.write('Stopping…\n');
      await stop();
      return 0;
    }
    case 'serve': {
      // Before any setting is read: variables that would change TLS, the Vault token or namespace.
      const unsafe = environmentProblems(env);
      if (unsafe.length) throw new SettingsRefused(unsafe);
      const settings = parseSettings(settingsFromEnv(env));
      const problems = settings.profile === 'production' ? productionProblems(settings) : ['GATEWAY_PROFILE: serve runs the production profile only; use `gateway demo`'];
      if (problems.length) throw new SettingsRefused(problems);
      // Vault Transit: the production rules above refuse the local keyring.
      const { keys, checkpointSigner, vault } = await openVaultKeys(settings.keyManager);
      const ca = await openConfiguredCa(settings.pki, { vault });
      const gateway = await startGateway({ settings, log: createLogger({ level: env.GATEWAY_LOG_LEVEL ?? 'info' }), keys, signer: checkpointSigner, ca, secretIdExpiry: vault.secretIdExpiry });
      await untilSignal();
      await gateway.stop();
      return 0;
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
      const adminFile = env.GATEWAY_AUDIT_ADMIN_PASSWORD_FILE; // optional: the audit-admin role logs in only with one
      await initRoles({ url: dbUrl(), runtimePassword: readFileSync(file, 'utf8').trim(), ...(adminFile ? { auditAdminPassword: readFileSync(adminFile, 'utf8').trim() } : {}) });
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
          const all = values['all-dead-lettered'] ?? false;
          if (all === rest.length > 0) {
            process.stderr.write('Name the result ids to redrive, or pass --all-dead-lettered (not both).\n');
            return 2;
          }
          const pharmacy = values.pharmacy ? await db.selectFrom('pharmacies').select('id').where('finess', '=', values.pharmacy).executeTakeFirst() : undefined;
          if (values.pharmacy && !pharmacy) {
            process.stderr.write(`No pharmacy with FINESS ${values.pharmacy}.\n`);
            return 2;
          }
          const ids = await redrive(db, { ...(all ? { all } : { resultIds: rest }), ...(pharmacy ? { pharmacyId: pharmacy.id } : {}), actor: { type: 'user', id: `cli:${env.USER ?? 'unknown'}` } });
          process.stdout.write(`Redriven: ${ids.length} message(s)\n`);
          return 0;
        }
      } finally {
        await db.destroy();
      }
      break;
    }
    case 'keys': {
      const db = createDatabase({ url: dbUrl(), poolSize: 2 });
      try {
        return await runKeysCommand(sub, rest, {
          db,
          openKeys: () => openKeysCliKeyManager(env),
          backupRetentionDays: backupSettingsFromEnv(env).retentionDays,
          blindIndexAdoptAfterMs: keyManagerSettingsFromEnv(env).blindIndexAdoptSeconds * 1000,
          actor: { type: 'user', id: `cli:${env.USER ?? 'unknown'}` },
          out: (line) => process.stdout.write(`${line}\n`),
          err: (line) => process.stderr.write(`${line}\n`),
          progress: (text, final) => process.stderr.write(process.stderr.isTTY ? `\r${text}${final ? '\n' : ''}` : `${text}\n`),
          batchSize: values['batch-size'],
          stopAfter: values['stop-after'],
        });
      } finally {
        await db.destroy();
      }
    }
    case 'audit': {
      const { since, until, sink, before, out } = values;
      const options = { since, until, sink, before, out, publicKeys: values['public-keys'] };
      return runAuditCommand(sub, rest, options, { env, databaseUrl: dbUrl, out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
    }
    case 'doctor':
      return doctorCommand({ env, json: values.json ?? false, ownerDatabaseUrl: values['database-url'], write: (s) => process.stdout.write(s) });
    case 'admin':
    case 'sessions':
    case 'enrolments': {
      const db = createDatabase({ url: dbUrl(), poolSize: 2 });
      try {
        const user = env.USER ?? 'unknown';
        const o = { ...values, actor: `cli:${user}`, out: (s: string) => process.stdout.write(`${s}\n`) };
        const code =
          command === 'sessions' ? await sessionsCommand(db, sub, o)
          : command === 'enrolments' ? await enrolmentsCommand(db, sub, rest, o)
          : await adminCommand(db, sub, { ...o, user, env });
        if (code !== 2) return code;
      } finally {
        await db.destroy();
      }
      break;
    }
    case 'pharmacy':
    case 'cert': {
      const db = createDatabase({ url: dbUrl(), poolSize: 2 });
      try {
        const d = {
          db,
          actor: { type: 'user' as const, id: `cli:${env.USER ?? 'unknown'}` },
          out: (line: string) => process.stdout.write(`${line}\n`),
          err: (line: string) => process.stderr.write(`${line}\n`),
        };
        const code =
          command === 'pharmacy'
            ? await runPharmacyCommand(sub, rest, values, d)
            : await runCertCommand(sub, rest, values, { ...d, ca: await operatorCertificateAuthority(env) });
        if (code !== 2) return code;
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
    const known = e instanceof SettingsRefused || e instanceof PortInUse;
    console.error(known || e instanceof Error ? (e as Error).message : 'gateway: failed');
    process.exit(known ? 2 : 1);
  },
);
