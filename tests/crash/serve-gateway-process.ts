import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseSettings, type SettingsInput } from '../../gateway/src/config/index.js';
import { openLocalCheckpointSigner, openLocalKeyring } from '../../gateway/src/keys/index.js';
import { startGateway, type GatewayOptions } from '../../gateway/src/app/index.js';
import { createLogger } from '../../gateway/src/observability/index.js';

export interface GatewayProcessConfig {
  settings: SettingsInput;
  keyringFile: string;
  signingKeyFile: string;
  logFile: string;
}

/**
 * Runs one gateway in this process from the JSON config file named by the first argument, with
 * `compose` on top of what it builds (the benchmark's audit-off composition). Prints
 * `ready {"intakePort":…,"metricsPort":…}`; stops cleanly on SIGTERM, and with its parent.
 */
export async function serveGatewayProcess(compose: Pick<GatewayOptions, 'audit'> = {}): Promise<void> {
  const config = JSON.parse(await readFile(process.argv[2] as string, 'utf8')) as GatewayProcessConfig;
  const log = createLogger({ level: 'warn', destination: createWriteStream(config.logFile, { flags: 'a' }) });
  const gateway = await startGateway({
    settings: parseSettings(config.settings),
    log,
    keys: await openLocalKeyring(config.keyringFile),
    signer: await openLocalCheckpointSigner(config.signingKeyFile),
    // beside the audit's key: the crash campaign does not read receipts
    receiptSigner: await openLocalCheckpointSigner(`${config.signingKeyFile}.receipts`),
    ...compose,
  });
  process.stdout.write(`ready ${JSON.stringify({ intakePort: gateway.intakePort, metricsPort: gateway.metricsPort })}\n`);
  process.once('SIGTERM', () => void gateway.stop().then(() => process.exit(0)));
  // the parent holds stdin open: if it dies, even by SIGKILL, this process goes too
  process.stdin.resume().once('end', () => process.exit(0));
}
