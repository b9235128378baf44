/**
 * `npm run test:crash [-- --runs N --seconds S --clients C]`: the full crash campaign on its own
 * embedded Postgres (restarted once per run). Ends with `lost:`, `duplicated:`, `unexpected:`,
 * `callbacks lost:`, `callbacks duplicated:`, `runs:` lines; exits 1 on any violation.
 */
import { parseArgs } from 'node:util';
import { campaignReport, CAMPAIGN_RATE, crashRun, violations, type RunOutcome } from './campaign.js';
import { startOwnPostgres } from './own-postgres.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' }, seconds: { type: 'string', default: '8' }, clients: { type: 'string', default: '8' } } });
const postgres = await startOwnPostgres();
const runs: RunOutcome[] = [];
try {
  for (let run = 1; run <= Number(values.runs); run++) {
    runs.push(
      await crashRun(run, {
        adminUrl: postgres.adminUrl,
        runtimePassword: postgres.runtimePassword,
        durationMs: Number(values.seconds) * 1000,
        clients: Number(values.clients),
        restartPostgres: postgres.restart,
        keyManagerOutage: true,
        log: (line) => process.stderr.write(`${line}\n`),
      }),
    );
  }
} finally {
  await postgres.stop();
}
console.log(campaignReport(runs, CAMPAIGN_RATE));
process.exitCode = violations(runs) === 0 ? 0 : 1;
