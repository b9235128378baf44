import { describe, expect, it } from 'vitest';
import { createFaultPlan } from '@sidep-gateway/sidep-simulator';

describe("the simulator's quota (ratePerSecond)", () => {
  it('lets a second’s quota through, then asks to come back in whole seconds until the bucket refills', () => {
    let t = 1_000_000;
    const plan = createFaultPlan(Math.random, () => t);
    plan.replace({ ratePerSecond: 4 });
    expect(Array.from({ length: 4 }, () => plan.throttle())).toEqual(Array(4).fill(undefined));
    expect(plan.throttle()).toBe(1);
    t += 250; // one message's worth
    expect([plan.throttle(), plan.throttle()]).toEqual([undefined, 1]);
  });

  it('has no quota unless one is staged, and a new fault set lifts it', () => {
    const plan = createFaultPlan(Math.random, () => 0);
    expect(Array.from({ length: 1_000 }, () => plan.throttle()).filter((s) => s !== undefined)).toEqual([]);
    plan.replace({ ratePerSecond: 1 });
    plan.throttle();
    expect(plan.throttle()).toBe(1);
    plan.replace({});
    expect(plan.throttle()).toBeUndefined();
  });
});
