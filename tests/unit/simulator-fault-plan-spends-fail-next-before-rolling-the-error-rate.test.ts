import { describe, expect, it } from 'vitest';
import { createFaultPlan } from '@sidep-gateway/sidep-simulator';

describe('the simulator fault plan', () => {
  it('answers failNext exactly count times, then rolls the error rate', () => {
    const rolls = [0.2, 0.7];
    const plan = createFaultPlan(() => rolls.shift() ?? 1);
    plan.replace({ failNext: { count: 2, status: 429, retryAfterSeconds: 3 }, errorRate: 0.5 });
    expect([plan.nextFailure(), plan.nextFailure()]).toEqual(Array(2).fill({ status: 429, retryAfterSeconds: 3 }));
    expect(plan.nextFailure()).toEqual({ status: 503 }); // roll 0.2 < 0.5
    expect(plan.nextFailure()).toBeUndefined(); // roll 0.7
  });

  it('rejects only the configured LOINC code, or every code when none is given', () => {
    const plan = createFaultPlan();
    plan.replace({ rejectWhen: { loinc: '97097-0', status: 422 } });
    expect([plan.rejection('97097-0'), plan.rejection('94558-4')]).toEqual([{ status: 422 }, undefined]);
    plan.replace({ rejectWhen: { status: 400 } });
    expect(plan.rejection('94558-4')).toEqual({ status: 400 });
  });

  it('is in outage until the given instant, and a new set clears the old one', () => {
    const plan = createFaultPlan();
    plan.replace({ outageUntil: '2022-01-10T18:00:00Z', latencyMs: 50 });
    expect(plan.isOutage(Date.parse('2022-01-10T17:59:59Z'))).toBe(true);
    expect(plan.isOutage(Date.parse('2022-01-10T18:00:00Z'))).toBe(false);
    plan.replace({});
    expect([plan.isOutage(0), plan.latencyMs(), plan.nextFailure(), plan.rejection('94558-4')]).toEqual([false, 0, undefined, undefined]);
  });
});
