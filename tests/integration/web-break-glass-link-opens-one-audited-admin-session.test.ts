import { execFile } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';

/** `gateway admin login-link`: the host operator's way in when the identity providers are down. */
const run = promisify(execFile);
let w: WebHarness;

beforeAll(async () => {
  w = await startWebHarness();
});
afterAll(async () => {
  await w?.close();
});

async function loginLink(): Promise<string> {
  const { stdout } = await run(process.execPath, ['gateway/bin/gateway.js', 'admin', 'login-link', '--database-url', w.h.db.ownerUrl, '--origin', w.webUrl], { env: { ...process.env, USER: 'hostop' } });
  return /(https:\/\/\S+)/.exec(stdout)?.[1] as string;
}

describe('break-glass login link', () => {
  it('opens one chain-admin session, audited, and cannot be used twice', async () => {
    const link = await loginLink();
    expect(link.startsWith(`${w.webUrl}/auth/break-glass?token=`)).toBe(true);
    const b = w.browser();
    // opening the link spends nothing: a link scanner cannot use it up
    const page = await b.fetch('GET', link);
    expect(page.status).toBe(200);
    const token = new URL(link).searchParams.get('token') as string;
    const opened = await b.fetch('POST', `${w.webUrl}/auth/break-glass`, { form: { token }, headers: { origin: w.webUrl } });
    expect(opened.status).toBe(200);
    const me = (await b.fetch('GET', `${w.webUrl}/api/web/v1/me`)).json();
    // the host's account from the passwd database, not USER
    expect(me).toMatchObject({ user: { issuer: 'break-glass', subject: `host:${userInfo().username}@${hostname()}` }, roles: ['chain-admin'] });
    const again = await w.browser().fetch('POST', `${w.webUrl}/auth/break-glass`, { form: { token }, headers: { origin: w.webUrl } });
    expect(again.status).toBe(400);
    const events = await w.h.db.owner.selectFrom('audit_events').select(['action', 'outcome', 'reason']).where('action', 'in', ['break-glass.link', 'login']).orderBy('seq').execute();
    expect(events).toEqual([
      { action: 'break-glass.link', outcome: 'success', reason: null },
      { action: 'login', outcome: 'success', reason: 'break-glass' },
      { action: 'login', outcome: 'denied', reason: 'break-glass-link-invalid' },
    ]);
  });

  it('refuses the link from another origin', async () => {
    const token = new URL(await loginLink()).searchParams.get('token') as string;
    const res = await w.browser().fetch('POST', `${w.webUrl}/auth/break-glass`, { form: { token }, headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(400);
  });
});
