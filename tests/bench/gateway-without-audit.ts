/**
 * The benchmark's audit-off composition: the gateway process of `tests/crash/gateway-process.ts`
 * with an appender that writes no audit event and no sealer, so that `npm run bench` can measure
 * what audit costs in the same run (the goal: audit on ≥ 90% of audit off). It exists only here:
 * no setting of the gateway turns audit off.
 */
import { serveGatewayProcess } from '../crash/serve-gateway-process.js';

await serveGatewayProcess({
  audit: {
    appender: { rows: () => [] },
    sealer: { start: () => undefined, stop: async () => undefined, isLeader: () => false },
  },
});
