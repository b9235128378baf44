import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createFaultPlan, faultsSchema } from '@sidep-gateway/sidep-simulator';

const validFaults = fc.record(
  {
    errorRate: fc.double({ min: 0, max: 1, noNaN: true }),
    latencyMs: fc.integer({ min: 0, max: 120_000 }),
    ratePerSecond: fc.integer({ min: 1, max: 100_000 }),
    outageUntil: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
    failNext: fc.record({ count: fc.integer({ min: 1, max: 100_000 }), status: fc.integer({ min: 400, max: 599 }) }),
    rejectWhen: fc.record({ status: fc.constantFrom(400 as const, 422 as const) }),
  },
  { requiredKeys: [] },
);

describe('the simulator fault parser', () => {
  it('accepts every fault set of its schema, and the plan then follows it', () => {
    fc.assert(
      fc.property(validFaults, (faults) => {
        const parsed = faultsSchema.parse(faults);
        const plan = createFaultPlan(() => 0.5);
        plan.replace(parsed);
        expect(plan.latencyMs()).toBe(faults.latencyMs ?? 0);
        // a fresh quota lets its first message through
        expect(plan.throttle()).toBeUndefined();
        if (faults.failNext) expect(plan.nextFailure()?.status).toBe(faults.failNext.status);
      }),
    );
  });

  it('refuses any value out of range, of the wrong type or unknown, as a parse failure, never a throw', () => {
    const corrupt = fc.oneof(
      fc.record({ errorRate: fc.oneof(fc.double({ min: 1.000001, noNaN: true }), fc.double({ max: -0.000001, noNaN: true }), fc.string()) }),
      fc.record({ latencyMs: fc.oneof(fc.integer({ min: 120_001 }), fc.integer({ max: -1 }), fc.double({ min: 0.1, max: 0.9 })) }),
      fc.record({ ratePerSecond: fc.oneof(fc.integer({ min: 100_001 }), fc.integer({ max: 0 }), fc.double({ min: 0.1, max: 0.9 }), fc.string()) }),
      fc.record({ outageUntil: fc.string().filter((s) => !/^\d{4}-/.test(s)) }),
      fc.record({ failNext: fc.record({ count: fc.integer({ max: 0 }), status: fc.integer({ min: 400, max: 599 }) }) }),
      fc.record({ failNext: fc.record({ count: fc.constant(1), status: fc.oneof(fc.integer({ max: 399 }), fc.integer({ min: 600 })) }) }),
      fc.record({ rejectWhen: fc.record({ status: fc.integer().filter((s) => s !== 400 && s !== 422) }) }),
      fc.dictionary(fc.string().filter((k) => !['errorRate', 'latencyMs', 'ratePerSecond', 'outageUntil', 'failNext', 'rejectWhen'].includes(k)), fc.anything(), { minKeys: 1 }),
      fc.anything().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
    );
    fc.assert(
      fc.property(corrupt, (faults) => {
        expect(faultsSchema.safeParse(faults).success).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });
});
