import { afterAll, beforeAll, expect, it } from 'vitest';
import { signInWithForm, startWebHarness, type WebHarness } from '../support/web-harness.js';

let w: WebHarness;
beforeAll(async () => {
  w = await startWebHarness();
}, 60_000);
afterAll(() => w?.close());

it('writes a successful login and no refused event for a sign-in that begins, as the UI does, by asking who is signed in', async () => {
  const b = w.browser();
  const person = w.person('pharmacien1');
  // the UI's first call, without a session yet: its 401 sends the person to sign in
  expect((await b.fetch('GET', `${w.webUrl}/api/web/v1/me`)).status).toBe(401);
  expect((await signInWithForm(b, `${w.webUrl}/auth/login?issuer=dev`, person.username, person.password)).status).toBe(200);
  expect((await b.fetch('GET', `${w.webUrl}/api/web/v1/me`)).status).toBe(200);

  await w.h.restartGateway(); // writes what was still counted in memory
  const events = await w.h.db.owner.selectFrom('audit_events').select(['action', 'outcome', 'actor_id']).where('action', 'in', ['authenticate', 'login']).execute();
  expect(events).toEqual([{ action: 'login', outcome: 'success', actor_id: `dev:${person.subject}` }]);
});
