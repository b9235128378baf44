import { describe, expect, it } from 'vitest';
import { createSendGate } from '../../gateway/src/outbox/send-gate.js';

describe("the relay's send gate", () => {
  it('lets every send through when no quota is set and SI-DEP asked for no pause', () => {
    const gate = createSendGate({ clock: () => 0 });
    expect(Array.from({ length: 10_000 }, () => gate.take()).every((w) => w === 0)).toBe(true);
  });

  it("holds every send until SI-DEP's Retry-After, and a shorter one does not cut it", () => {
    let t = 0;
    const gate = createSendGate({ clock: () => t });
    gate.pauseUntil(2_000);
    gate.pauseUntil(1_000);
    expect([gate.take(), gate.pausedForMs()]).toEqual([2_000, 2_000]);
    t = 1_999;
    expect(gate.take()).toBe(1);
    t = 2_000;
    expect([gate.take(), gate.pausedForMs()]).toEqual([0, 0]);
  });

  it('paces to the quota in bursts of a tenth of a second', () => {
    let t = 0;
    const gate = createSendGate({ ratePerSecond: 100, clock: () => t });
    expect(Array.from({ length: 10 }, () => gate.take())).toEqual(Array(10).fill(0));
    expect(gate.take()).toBe(10);
    t = 10;
    expect([gate.take(), gate.take()]).toEqual([0, 10]);
  });
});
