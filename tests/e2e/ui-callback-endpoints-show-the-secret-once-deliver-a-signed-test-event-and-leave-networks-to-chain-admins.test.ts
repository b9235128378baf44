import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, PHARMACY_A, PHARMACY_B } from '../support/gateway-harness.js';
import { asPersonInTheUi } from '../support/ui-sign-in.js';
import { webHarnessServingTheUi } from '../support/web-harness.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

const w = webHarnessServingTheUi();
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  // pharmacy software on this host, with a certificate of the harness's CA (not a public one)
  receiver = await startWebhookReceiver(w().h.pki.server);
});
afterAll(async () => {
  await receiver?.close();
});

/** The page is as wide as the screen at 390 px: nothing scrolls sideways. */
async function fitsA390pxScreen(page: import('playwright-core').Page): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('the status callbacks page', () => {
  it('lets a chain admin register an endpoint on a local receiver, shows its secret once, and sends a test event that verifies with it', async () => {
    await asPersonInTheUi(w(), 'admin', '/webhooks', async (b) => {
      const { page } = b;
      await b.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: w().webUrl });
      await page.locator('#webhook-pharmacy').selectOption(w().h.pharmacyIds[PHARMACY_B] as string);
      await page.getByLabel('Adresse HTTPS du logiciel de la pharmacie').fill(receiver.url);
      await page.getByLabel(/^Certificat de l’autorité du logiciel/).fill(w().h.pki.ca.certPem);
      await page.getByLabel(/^Réseaux autorisés malgré la protection SSRF/).fill('127.0.0.0/8');
      // the keyboard submits the form from its first field
      await page.getByLabel('Adresse HTTPS du logiciel de la pharmacie').press('Enter');

      const shown = page.getByRole('region', { name: 'Adresse enregistrée : voici son secret de signature' });
      await shown.waitFor();
      // the one showing takes the focus, with its warning
      expect(await shown.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
      await shown.getByRole('alert').filter({ hasText: 'il n’est affiché qu’une fois' }).waitFor();
      const secret = await page.locator('#webhook-secret').inputValue();
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
      await shown.getByRole('button', { name: 'Copier le secret' }).click();
      await shown.getByRole('status').filter({ hasText: 'Secret copié dans le presse-papiers.' }).waitFor();
      expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(secret);
      await b.screenshot('admin-webhook-secret-once');
      expect(await b.accessibilityViolations()).toEqual([]);
      await fitsA390pxScreen(page);

      await shown.getByRole('button', { name: 'J’ai enregistré le secret' }).click();
      await shown.waitFor({ state: 'detached' });
      const card = page.locator(`section[data-finess="${PHARMACY_B}"] li[data-endpoint]`);
      await card.getByRole('heading', { name: receiver.url }).waitFor();
      // never shown again, not even after a reload
      expect(await page.content()).not.toContain(secret.slice('whsec_'.length));
      await page.reload();
      await card.waitFor();
      expect(await page.content()).not.toContain('whsec_');

      await card.getByRole('button', { name: 'Envoyer un événement de test' }).click();
      const queued = await page.getByRole('status').filter({ hasText: /^Événement de test [0-9a-f-]{36} mis en file/ }).textContent();
      const eventId = /([0-9a-f-]{36})/.exec(queued ?? '')?.[1] as string;
      const callback = await eventually(async () => receiver.received.find((c) => c.headers['webhook-id'] === eventId));
      // the receiving software checks the signature with the secret it was shown, per Standard Webhooks
      expect(new Webhook(secret).verify(callback.body, callback.headers)).toMatchObject({ type: 'test', data: { endpointId: await card.getAttribute('data-endpoint') } });
      // the page shows the delivery within its refresh
      await card.locator(`li[data-callback="${eventId}"]`).filter({ hasText: 'reçue' }).waitFor({ timeout: 20_000 });
      await b.screenshot('admin-webhook-test-delivered');
      expect(await b.accessibilityViolations()).toEqual([]);
      await fitsA390pxScreen(page);

      // removal with the keyboard, after a confirmation that Escape cancels
      const endpointId = (await card.getAttribute('data-endpoint')) as string;
      await card.getByRole('button', { name: 'Supprimer' }).focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog');
      await dialog.filter({ hasText: receiver.url }).waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await card.getByRole('button', { name: 'Supprimer' }).focus();
      await page.keyboard.press('Enter');
      await dialog.getByRole('button', { name: 'Supprimer définitivement' }).focus();
      await page.keyboard.press('Enter');
      await card.waitFor({ state: 'detached' });

      const events = await w().h.db.owner.selectFrom('audit_events').select(['action', 'object_id']).where('action', 'like', 'webhook.%').orderBy('seq').execute();
      expect(events).toEqual([
        { action: 'webhook.add', object_id: endpointId },
        { action: 'webhook.test', object_id: endpointId },
        { action: 'webhook.remove', object_id: endpointId },
      ]);
      const port = new URL(receiver.url).port;
      expect(JSON.stringify(await w().h.db.owner.selectFrom('audit_events').selectAll().execute())).not.toContain(`:${port}/hooks`);
    });
  }, 90_000);

  it("shows a pharmacy manager its own pharmacy's endpoints only, and no field to allow a network", async () => {
    await asPersonInTheUi(w(), 'titulaire1', '/webhooks', async (b) => {
      const { page } = b;
      await page.getByLabel('Adresse HTTPS du logiciel de la pharmacie').waitFor();
      expect(await page.getByLabel(/^Réseaux autorisés/).count()).toBe(0);
      expect(await page.locator('section[data-finess]').evaluateAll((sections) => sections.map((s) => s.getAttribute('data-finess')))).toEqual([PHARMACY_A]);
      // a loopback address stays refused without an allow-listed network, said beside the field
      await page.getByLabel('Adresse HTTPS du logiciel de la pharmacie').fill('https://127.0.0.1:9/hooks');
      await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
      await page.locator('#webhook-url-error').filter({ hasText: 'Adresse de bouclage refusée' }).waitFor();
      expect(await page.getByLabel('Adresse HTTPS du logiciel de la pharmacie').getAttribute('aria-invalid')).toBe('true');
      await b.screenshot('manager-webhooks-own-pharmacy');
      expect(await b.accessibilityViolations()).toEqual([]);
      await fitsA390pxScreen(page);
    });
  });
});
