import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import type { BackgroundJob } from '../../gateway/src/api-types.js';
import { syntheticResult } from './synthetic-result.js';
import { startWebHarness, type Browser, type Response, type WebHarness } from './web-harness.js';

/**
 * A web harness for the whole file, started in beforeAll with one result submitted through
 * intake (events to audit, a data key to rewrap), closed in afterAll; read it at each call.
 */
export function webHarnessWithAResult(o: { web?: Record<string, unknown> } = {}): () => WebHarness {
  let w: WebHarness | undefined;
  beforeAll(async () => {
    w = await startWebHarness({ web: { signInBurst: 10_000, ...o.web } });
    await w.h.call('759999907', 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } });
  }, 60_000);
  afterAll(async () => {
    await w?.close();
  });
  return () => {
    if (!w) throw new Error('the web harness starts in beforeAll');
    return w;
  };
}

/**
 * Calls of the web API as people of the dev identity provider: each signs in once and keeps
 * their session, and a POST carries their CSRF token. `harness` is read at each call: the tests
 * start it in beforeAll.
 */
export function webApiCalls(harness: () => WebHarness) {
  const sessions = new Map<string, { b: Browser; csrf: string }>();

  async function as(who: string, method: 'GET' | 'POST', path: string, json?: unknown): Promise<Response> {
    const w = harness();
    let s = sessions.get(who);
    if (!s) {
      const { browser } = await w.signIn(who);
      s = { b: browser, csrf: (await browser.fetch('GET', `${w.webUrl}/api/web/v1/me`)).json().csrfToken as string };
      sessions.set(who, s);
    }
    return s.b.fetch(method, `${w.webUrl}${path}`, { follow: false, json, headers: method === 'POST' ? { 'x-csrf-token': s.csrf, origin: w.webUrl } : {} });
  }

  /** Polls a background job until it ends (the UI does the same every second). */
  async function finished<R>(who: string, path: string): Promise<BackgroundJob<R>> {
    for (;;) {
      const job = (await as(who, 'GET', path)).json() as BackgroundJob<R>;
      if (job.state !== 'running') return job;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return { as, finished };
}
