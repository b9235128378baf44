import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_UI_ROOT } from '../../gateway/src/repository-root.js';
import { launchBrowser } from '../support/browser.js';
import { eventually, PHARMACY_B } from '../support/gateway-harness.js';
import { requestOnce } from '../support/mtls-request.js';
import { signInThroughTheUi } from '../support/ui-sign-in.js';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';

let w: WebHarness;

beforeAll(async () => {
  w = await startWebHarness({ web: { uiDir: path.join(ADMIN_UI_ROOT, 'dist') }, devCa: true });
}, 120_000);

afterAll(async () => {
  await w?.close();
});

describe('certificates on the pharmacies page', () => {
  it('let a chain admin issue a certificate (PKCS#12 and password once), and revoke it after confirming; the intake then refuses it', async () => {
    const b = await launchBrowser();
    try {
      const { page } = b;
      await signInThroughTheUi(page, w.webUrl, w.person('admin'), '/pharmacies');
      const row = page.locator(`tr[data-finess="${PHARMACY_B}"]`);
      await row.getByRole('button', { name: 'Émettre un certificat' }).click();
      const issued = page.getByRole('region', { name: /^Certificat .* émis pour 759999915/ });
      await issued.waitFor();
      const password = await page.locator('#issued-password').inputValue();
      expect(password).toMatch(/^[\w-]{24}$/);
      const [download] = await Promise.all([page.waitForEvent('download'), issued.getByRole('link', { name: 'Télécharger le fichier PKCS#12 (une seule fois)' }).click()]);
      expect(download.suggestedFilename()).toMatch(/^759999915-[0-9a-f]{8}\.p12$/);
      const pfx = await readFile(await download.path());
      await issued.getByText('Fichier PKCS#12 téléchargé.', { exact: false }).waitFor();
      await b.screenshot('admin-certificate-issued');
      expect(await b.accessibilityViolations()).toEqual([]);

      // the pharmacy's software installs the bundle with its password: the intake knows it
      const port = w.h.gateway.intakePort;
      const credentials = { ca: w.h.pki.ca.certPem };
      expect(await requestOnce(port, credentials, { pfx, passphrase: password })).toEqual({ status: 200 });

      await issued.getByRole('button', { name: 'J’ai enregistré le fichier et le mot de passe' }).click();
      await issued.waitFor({ state: 'detached' });
      const { fingerprint } = await w.h.db.owner.selectFrom('client_certificates').select('fingerprint').where('pharmacy_id', '=', w.h.pharmacyIds[PHARMACY_B] as string).where('created_by', 'like', 'dev:%').executeTakeFirstOrThrow();
      const certificate = page.locator(`li[data-fingerprint="${fingerprint}"]`);
      await certificate.getByRole('button', { name: `Révoquer le certificat ${fingerprint.slice(0, 16)}` }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      // cancelling changes nothing
      await dialog.getByRole('button', { name: 'Annuler' }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect(await requestOnce(port, credentials, { pfx, passphrase: password })).toEqual({ status: 200 });
      await certificate.getByRole('button', { name: `Révoquer le certificat ${fingerprint.slice(0, 16)}` }).click();
      await dialog.getByLabel('Motif').selectOption('keyCompromise');
      await b.screenshot('admin-certificate-revoke-confirm');
      expect(await b.accessibilityViolations()).toEqual([]);
      await dialog.getByRole('button', { name: 'Révoquer définitivement' }).click();
      await page.getByRole('status').filter({ hasText: `Certificat ${fingerprint.slice(0, 16)} révoqué.` }).waitFor();
      await certificate.filter({ hasText: 'révoqué le' }).waitFor();
      await b.screenshot('admin-certificate-revoked');

      // refused by the handshake (new CRL) or 401 (fingerprint revoked), within seconds
      const refused = await eventually(async () => {
        const outcome = await requestOnce(port, credentials, { pfx, passphrase: password });
        return 'error' in outcome || outcome.status === 401 ? outcome : undefined;
      });
      expect(refused).not.toEqual({ status: 200 });
      const events = await w.h.db.owner.selectFrom('audit_events').select('action').where('object_id', '=', fingerprint).execute();
      expect(events.map((e) => e.action).sort()).toEqual(['certificate.issue', 'certificate.revoke']);
    } finally {
      await b.close();
    }
  });
});
