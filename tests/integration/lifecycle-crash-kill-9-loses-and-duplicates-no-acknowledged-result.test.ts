import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { RUNTIME_TEST_PASSWORD } from '../support/database-names.js';
import { campaignReport, CAMPAIGN_RATE, crashRun, type RunOutcome } from '../crash/campaign.js';

/**
 * The short crash campaign (3 runs; `npm run test:crash` runs 20): SIGKILL of the gateway
 * process mid-intake and mid-relay, a simulator outage, retries with the same keys; then every
 * acknowledged result is delivered exactly once and nothing else is, and each delivery's status
 * callback reaches its pharmacy's receiver under one webhook-id. Postgres is shared by the
 * suite here, so its restart is left to the full campaign.
 */
describe('crash campaign', () => {
  it('loses, duplicates and invents no acknowledged result across 3 runs of kill -9', { timeout: 300_000 }, async () => {
    const adminUrl = (inject('adminDatabaseUrl').split('#template=')[0]) as string;
    const runs: RunOutcome[] = [];
    for (let run = 1; run <= 3; run++) {
      runs.push(await crashRun(run, { adminUrl, runtimePassword: RUNTIME_TEST_PASSWORD, durationMs: 4_000, clients: 4, log: () => undefined }));
    }
    const report = campaignReport(runs, CAMPAIGN_RATE);
    console.log(report);
    for (const r of runs) {
      expect(r.acked, report).toBeGreaterThan(0);
      expect(r.kills, report).toBeGreaterThan(0);
      expect(
        { lost: r.lost, duplicated: r.duplicated, unexpected: r.unexpected, callbacksLost: r.callbacksLost, callbacksDuplicated: r.callbacksDuplicated, refused: r.refused, unacked: r.unacked },
        report,
      ).toEqual({ lost: 0, duplicated: 0, unexpected: 0, callbacksLost: 0, callbacksDuplicated: 0, refused: 0, unacked: 0 });
    }
  });
});
