import type { Settings } from '../config/index.js';
import { createAuditGuard, readCheckpointSink } from '../audit/index.js';
import type { Database } from '../db/index.js';
import { fail, ok, reason, warn, type CheckResult } from './report.js';

/**
 * The audit log as the fail-closed guard sees it (same probe, same limit): events sealed and
 * checkpoints copied outside in time, and the sink file readable and consistent.
 */
export async function checkAudit(s: Readonly<Settings>, db: Database): Promise<CheckResult[]> {
  const max = s.audit.maxSealLagSeconds;
  const guard = createAuditGuard({ db, maxSealLagSeconds: max });
  await guard.probeNow();
  const lag = guard.lag();
  const results: CheckResult[] = [];
  if (!lag) {
    results.push(fail('audit.sealing', 'cannot read the seal state of the audit log', 'run `gateway db init-roles` and `gateway migrate`; the gateway role must be able to act as the sealer role'));
  } else {
    const worst = Math.max(lag.oldestUnsealedSeconds, lag.oldestUncopiedSeconds);
    const text = `oldest unsealed event ${lag.oldestUnsealedSeconds.toFixed(0)} s, oldest checkpoint not copied outside ${lag.oldestUncopiedSeconds.toFixed(0)} s (limit ${max} s)`;
    results.push(
      worst > max
        ? fail('audit.sealing', text, 'state-changing routes answer 503: check that a gateway replica runs (it seals) and that the sink is writable')
        : worst > max / 2
          ? warn('audit.sealing', text, 'sealing falls behind: check the gateway logs and the sink')
          : ok('audit.sealing', text),
    );
  }
  if (s.audit.sinkFile) {
    try {
      const sink = await readCheckpointSink(s.audit.sinkFile);
      results.push(
        sink.conflicts.length
          ? fail('audit.sink', `the sink holds two versions of checkpoint(s) ${sink.conflicts.join(', ')}`, 'run `gateway audit verify` and keep the sink file for the investigation')
          : ok('audit.sink', `${sink.entries.size} checkpoint(s) copied to GATEWAY_AUDIT_SINK_FILE`),
      );
    } catch (e) {
      results.push(warn('audit.sink', `GATEWAY_AUDIT_SINK_FILE cannot be read: ${reason(e)}`, 'the gateway creates it on the first checkpoint; otherwise check the volume and its permissions'));
    }
  }
  return results;
}
