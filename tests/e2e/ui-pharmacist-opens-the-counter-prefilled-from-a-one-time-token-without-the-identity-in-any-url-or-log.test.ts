import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { PHARMACY_A } from '../support/gateway-harness.js';
import { syntheticNir, syntheticResult } from '../support/synthetic-result.js';
import { signInThroughTheUi } from '../support/ui-sign-in.js';
import { webHarnessServingTheUi } from '../support/web-harness.js';

const w = webHarnessServingTheUi();
let b: TestBrowser;
const urls: string[] = [];

beforeAll(async () => {
  b = await launchBrowser();
  b.page.on('request', (r) => urls.push(r.url()));
  b.page.on('framenavigated', (f) => urls.push(f.url()));
}, 60_000);
afterAll(() => b?.close());

/** A token from the pharmacy's software, over its mTLS intake connection. */
async function tokenFor(patient: Record<string, unknown>): Promise<string> {
  const res = await w().h.call(PHARMACY_A, 'POST', '/api/v1/counter-prefills', { body: { patient } });
  expect(res.status).toBe(201);
  return res.body.token as string;
}

const field = (name: string) => b.page.locator(`form.entry [data-field="${name}"]`).first();

describe('the counter page prefilled from the pharmacy software', () => {
  it('opens the form with the identity for a signed-in pharmacist of the pharmacy, once, with the identity in no URL or log line', async () => {
    const patient = { ...syntheticResult().patient, nir: syntheticNir(), birthName: 'Préremplie', firstNames: ['Zoé', 'Anaïs'], sex: 'M', email: 'zoe.preremplie@example.org' };
    const token = await tokenFor(patient);
    const { page } = b;
    await signInThroughTheUi(page, w().webUrl, w().person('pharmacien1'), '/counter');
    await page.waitForSelector('form.entry');

    // the software opens the counter with the token in the fragment
    await page.goto(`${w().webUrl}/#/counter?prefill=${token}`);
    await page.getByRole('status').filter({ hasText: 'Identité reprise' }).waitFor();
    expect(await field('birthName').inputValue()).toBe('Préremplie');
    expect(await field('nir').inputValue()).toBe(patient.nir);
    // the example's birth date, 1985-03-14, in its three boxes
    expect([await page.locator('form.entry input[aria-label="Jour"]').inputValue(), await page.locator('form.entry input[aria-label="Année"]').inputValue()]).toEqual(['14', '1985']);
    expect(await page.locator('form.entry input[type="email"]').inputValue()).toBe('zoe.preremplie@example.org');
    // the token left the address bar as it was read
    expect(page.url()).toBe(`${w().webUrl}/#/counter`);
    await b.screenshot('counter-prefilled-from-software');

    // single use: pasting the same token is refused, and the form keeps what it has
    await page.getByText('Reprendre un patient du logiciel de la pharmacie').click();
    await page.getByLabel('Jeton à usage unique').fill(token);
    await page.getByRole('button', { name: 'Remplir le formulaire' }).click();
    await page.getByRole('status').filter({ hasText: 'déjà utilisé' }).waitFor();
    expect(await field('birthName').inputValue()).toBe('Préremplie');

    // no identity in any URL the browser loaded or showed, none in the gateway's log lines, nor the token
    const secrets = [patient.nir, 'Préremplie', 'Pr%C3%A9remplie', 'zoe.preremplie', 'Zo%C3%A9'];
    for (const url of urls) for (const s of secrets) expect(url).not.toContain(s);
    const logs = w().h.logs.join('\n');
    for (const s of [...secrets, token]) expect(logs).not.toContain(s);
  });
});
