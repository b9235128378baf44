/**
 * One gateway in its own Node process, for the crash campaign and the benchmark: they kill it
 * with SIGKILL and start it again on the same files. Argument: a JSON file of
 * `{ settings, keyringFile, signingKeyFile, logFile }`. Prints `ready {"intakePort":…,"metricsPort":…}`.
 */
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseSettings, type SettingsInput } from '../../gateway/src/config/index.js';
import { openLocalCheckpointSigner, openLocalKeyring } from '../../gateway/src/crypto/index.js';
import { startGateway } from '../../gateway/src/app/gateway.js';
import { createLogger } from '../../gateway/src/observability/index.js';

export interface GatewayProcessConfig {
  settings: SettingsInput;
  keyringFile: string;
  signingKeyFile: string;
  logFile: string;
}

const config = JSON.parse(await readFile(process.argv[2] as string, 'utf8')) as GatewayProcessConfig;
const log = createLogger({ level: 'warn', destination: createWriteStream(config.logFile, { flags: 'a' }) });
const gateway = await startGateway({
  settings: parseSettings(config.settings),
  log,
  keys: await openLocalKeyring(config.keyringFile),
  signer: await openLocalCheckpointSigner(config.signingKeyFile),
});
process.stdout.write(`ready ${JSON.stringify({ intakePort: gateway.intakePort, metricsPort: gateway.metricsPort })}\n`);
process.once('SIGTERM', () => void gateway.stop().then(() => process.exit(0)));
// the parent holds stdin open: if it dies, even by SIGKILL, this process goes too
process.stdin.resume().once('end', () => process.exit(0));
