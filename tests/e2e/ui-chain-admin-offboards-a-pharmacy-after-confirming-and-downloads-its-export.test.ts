import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { PHARMACY_B } from '../support/gateway-harness.js';
import { signInThroughTheUi } from '../support/ui-sign-in.js';
import { webHarnessServingTheUi } from '../support/web-harness.js';

const ui = webHarnessServingTheUi();

describe('offboarding on the pharmacies page', () => {
  it('asks a chain admin to confirm naming the pharmacy, then shows where it stands and downloads its export', async () => {
    const b = await launchBrowser();
    try {
      const { page } = b;
      await signInThroughTheUi(page, ui().webUrl, ui().person('admin'), '/pharmacies');
      const row = page.locator(`tr[data-finess="${PHARMACY_B}"]`);
      await row.getByRole('button', { name: 'Retirer de la chaîne' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText(`Retirer la pharmacie Pharmacie ${PHARMACY_B} (${PHARMACY_B}) de la chaîne ?`, { exact: false }).waitFor();
      expect(await b.accessibilityViolations()).toEqual([]);
      // cancelling changes nothing
      await dialog.getByRole('button', { name: 'Annuler' }).click();
      await dialog.waitFor({ state: 'hidden' });
      const pharmacyId = ui().h.pharmacyIds[PHARMACY_B] as string;
      const state = () => ui().h.db.owner.selectFrom('pharmacies').select(['active', 'offboarded_at']).where('id', '=', pharmacyId).executeTakeFirstOrThrow();
      expect(await state()).toEqual({ active: true, offboarded_at: null });

      await row.getByRole('button', { name: 'Retirer de la chaîne' }).click();
      await dialog.getByRole('button', { name: 'Confirmer' }).click();
      const status = page.getByRole('status').filter({ has: page.getByRole('heading', { name: `Retrait de Pharmacie ${PHARMACY_B} (${PHARMACY_B})` }) });
      await status.getByText('Retrait terminé', { exact: false }).waitFor();
      await status.getByText('Révoqués par cette étape : 1 certificat(s)', { exact: false }).waitFor();
      await b.screenshot('admin-pharmacy-offboarded');
      expect(await b.accessibilityViolations()).toEqual([]);
      expect(await state()).toEqual({ active: false, offboarded_at: expect.any(Date) });

      const [download] = await Promise.all([page.waitForEvent('download'), status.getByRole('link', { name: 'Télécharger ses reçus et statistiques' }).click()]);
      expect(download.suggestedFilename()).toBe(`${PHARMACY_B}-offboarding-export.json`);
      expect(JSON.parse(await readFile(await download.path(), 'utf8'))).toMatchObject({ finess: PHARMACY_B, receipts: [] });
    } finally {
      await b.close();
    }
  });
});
