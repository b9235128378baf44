/**
 * The `gateway` command (gateway/bin/gateway.js): `gateway <command> [options]`, one file per
 * command in cli/; `gateway --help` lists them.
 */
import { processContext, runCommandLine } from './cli/index.js';

process.exit(await runCommandLine(process.argv.slice(2), processContext(process.env)));
