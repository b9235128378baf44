/**
 * One gateway in its own Node process, for the crash campaign and the benchmark: they kill it
 * with SIGKILL and start it again on the same files. Argument: a JSON file of
 * `{ settings, keyringFile, signingKeyFile, logFile }`. Prints `ready {"intakePort":…,"metricsPort":…}`.
 */
import { serveGatewayProcess } from './serve-gateway-process.js';

await serveGatewayProcess();
