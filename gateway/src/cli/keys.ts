import path from 'node:path';
import { requiredSection } from '../config/index.js';
import { openConfiguredKeys } from '../vault/index.js';
import { integerFlag, parseCommandLine, UsageError, type Command } from './command.js';
import { reindex, retireBlindIndex, rotateBlindIndex } from './keys-blind-index.js';
import type { KeysCliDeps, OpenedKeysDeps } from './keys-deps.js';
import { retire, rewrap, rotate, status } from './keys-kek.js';

const KEYS_HELP = `  keys status                 KEK versions: current, minimum decryption, data keys and records per version
  keys rotate                 Add a KEK version (Transit rotate); new data keys are wrapped under it
  keys rewrap                 Rewrap every stored data key to the current KEK version (online, resumable)
  keys retire <version>       Refuse to decrypt KEK versions below <version> (crypto-shredding): refused
                              until a rewrap left no key below it and every dump taken before that
                              rewrap is past GATEWAY_BACKUP_RETENTION_DAYS (see README)
  keys rotate-blind-index     Add a blind-index (HMAC) key version (running gateways follow it), then reindex
  keys reindex                Recompute stored blind indexes under the newest blind-index key, NIR
                              indexes per pharmacy (online, resumable)  [--batch-size N] [--stop-after N]
  keys retire-blind-index <version>
                              Forget blind-index key versions below <version> (after reindex)
`;

/** Results per reindex batch: each is one transaction holding its rows' locks. */
const MAX_BATCH_SIZE = 10_000;
const MAX_STOP_AFTER = 1_000_000_000;
const MAX_VERSION = 1_000_000;

/** `gateway keys …` with the key manager the settings name (outside production, by default, the running demo's keyring). */
export const keys: Command = {
  help: KEYS_HELP,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandLine(argv, { 'batch-size': { type: 'string' }, 'stop-after': { type: 'string' } });
    const batchSize = integerFlag(values['batch-size'], '--batch-size', { min: 1, max: MAX_BATCH_SIZE });
    const stopAfter = integerFlag(values['stop-after'], '--stop-after', { min: 1, max: MAX_STOP_AFTER });
    const { settings, demoDataDir } = ctx.settings();
    const demoKeyring = demoDataDir === undefined ? undefined : { kind: 'local' as const, localKeyringFile: path.join(demoDataDir, 'keyring.json') };
    const keyManager = requiredSection(settings, 'keyManager', demoKeyring);
    const [sub, ...args] = positionals;
    // `keys status` changes nothing; every other subcommand is audited as the operator, resolved first
    const actor = sub === 'status' ? undefined : ctx.operator(values.operator).actor;
    return ctx.withDatabase(values['database-url'], (db) =>
      runKeysCommand(sub, args, {
        db,
        openKeys: () => openConfiguredKeys(keyManager),
        actor,
        out: ctx.out,
        err: ctx.err,
        progress: (text, final) => ctx.stderr(ctx.stderrIsTty ? `\r${text}${final ? '\n' : ''}` : `${text}\n`),
        backupRetentionDays: settings.backup.retentionDays,
        keyManager,
        batchSize,
        stopAfter,
      }),
    );
  },
};

/**
 * `gateway keys status|rotate|rewrap|retire|rotate-blind-index|reindex|retire-blind-index`.
 * Exit codes: 0 ok, 1 finding (something left to do), 2 usage error, with the keys help on
 * stderr. Every change is audited (`keys.rotate`, `keys.reindex`, …).
 *
 * @example
 * process.exitCode = await runKeysCommand('status', [], deps);
 */
export async function runKeysCommand(sub: string | undefined, args: string[], deps: KeysCliDeps): Promise<number> {
  try {
    const run = keysSubcommand(sub, args[0]);
    return await run({ ...deps, keys: await deps.openKeys() });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    deps.err(`${e.message}\n\n${KEYS_HELP}`);
    return 2;
  }
}

function keysSubcommand(sub: string | undefined, argument: string | undefined): (d: OpenedKeysDeps) => Promise<number> {
  const version = () => integerFlag(argument ?? '', `keys ${sub} <version>`, { min: 1, max: MAX_VERSION });
  switch (sub) {
    case 'status':
      return status;
    case 'rotate':
      return rotate;
    case 'rewrap':
      return rewrap;
    case 'retire': {
      const v = version();
      return (d) => retire(d, v);
    }
    case 'rotate-blind-index':
      return rotateBlindIndex;
    case 'reindex':
      return reindex;
    case 'retire-blind-index': {
      const v = version();
      return (d) => retireBlindIndex(d, v);
    }
  }
  throw new UsageError(`unknown keys command${sub ? ` "${sub}"` : ''}`);
}
