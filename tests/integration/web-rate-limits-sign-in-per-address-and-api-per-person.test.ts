import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';

/** Sign-in attempts per client address, and API calls per signed-in person, are bounded (429 + Retry-After). */
let w: WebHarness;

beforeAll(async () => {
  w = await startWebHarness({ web: { signInBurst: 4, signInPerMinute: 1, userRateBurst: 5, userRatePerSecond: 1 } });
});
afterAll(async () => {
  await w?.close();
});

describe('web rate limits', () => {
  it('answers 429 with Retry-After to one person calling the API too fast, not to another', async () => {
    const { browser: fast } = await w.signIn('exploitant');
    const { browser: other } = await w.signIn('auditeur');
    const statuses: number[] = [];
    let retryAfter: unknown;
    for (let i = 0; i < 8; i++) {
      const res = await fast.fetch('GET', `${w.webUrl}/api/web/v1/me`);
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers['retry-after'];
    }
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect((await other.fetch('GET', `${w.webUrl}/api/web/v1/me`)).status).toBe(200);
  });

  it('answers 429 to an address that keeps starting sign-ins', async () => {
    // two sign-ins above (login + callback each) spent the burst of 4
    const res = await w.browser().fetch('GET', `${w.webUrl}/auth/login`, { follow: false });
    expect(res.status).toBe(429);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'rate-limited' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // the provider's redirect back and the break-glass link spend the same address's budget
    expect((await w.browser().fetch('GET', `${w.webUrl}/auth/callback?state=x`, { follow: false })).status).toBe(429);
    expect((await w.browser().fetch('POST', `${w.webUrl}/auth/break-glass`, { follow: false, headers: { origin: w.webUrl } })).status).toBe(429);
  });
});
