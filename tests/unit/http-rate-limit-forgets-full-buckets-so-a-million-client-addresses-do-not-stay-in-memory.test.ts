import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../gateway/src/http/index.js';

// The sign-in limiter's shape: 10 per minute per address, a burst of 10 (a bucket refills in 60 s).
const SIGN_IN = { ratePerSecond: 10 / 60, burst: 10 };
const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

describe('createRateLimiter', () => {
  it('holds only the keys seen within the last two refill times, however many came before', () => {
    let now = 0;
    const limiter = createRateLimiter({ ...SIGN_IN, clock: () => now });
    // a million addresses, one attempt each, over 1000 s (one per millisecond)
    let refused = 0;
    let held = 0;
    for (let i = 0; i < 1_000_000; i++) {
      now = i;
      if (limiter.take(address(i)) > 0) refused++;
      held = Math.max(held, limiter.size());
    }
    expect(refused).toBe(0);
    expect(held).toBeLessThanOrEqual(120_001);
    now += 61_000;
    limiter.take('10.255.255.255');
    expect(limiter.size()).toBe(1);
  });

  it('never holds more than maxKeys, even when they all arrive at once', () => {
    const limiter = createRateLimiter({ ...SIGN_IN, maxKeys: 1_000, clock: () => 0 });
    let held = 0;
    for (let i = 0; i < 1_000_000; i++) {
      limiter.take(address(i));
      held = Math.max(held, limiter.size());
    }
    expect(held).toBeLessThanOrEqual(1_000);
  });

  it('still limits a key whose bucket is not full again', () => {
    let now = 0;
    const limiter = createRateLimiter({ ...SIGN_IN, clock: () => now });
    for (let i = 0; i < 10; i++) expect(limiter.take('10.0.0.1')).toBe(0);
    now = 30_000; // half a refill: 5 tokens back
    for (let i = 0; i < 5; i++) expect(limiter.take('10.0.0.1')).toBe(0);
    expect(limiter.take('10.0.0.1')).toBeCloseTo(6, 5);
    // other addresses come and go meanwhile; this one is remembered until its bucket is full
    for (let i = 0; i < 1_000; i++) limiter.take(address(1_000 + i));
    expect(limiter.take('10.0.0.1')).toBeGreaterThan(0);
  });
});
