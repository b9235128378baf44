import { describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { signInThroughTheUi } from '../support/ui-sign-in.js';
import { webHarnessServingTheUi } from '../support/web-harness.js';

const ui = webHarnessServingTheUi();

describe('the enrolments page', () => {
  it('lets a pharmacy manager grant a pharmacy role of its own pharmacy until an expiry, and revoke it after confirming', async () => {
    const b = await launchBrowser();
    try {
      const { page } = b;
      await signInThroughTheUi(page, ui().webUrl, ui().person('titulaire1'), '/enrolments');
      await page.locator('tr[data-enrolment-id]').first().waitFor();
      // a manager is offered the pharmacy roles only, for its own pharmacy
      expect(await page.getByLabel('Rôle').locator('option').allTextContents()).toEqual(['Pharmacien', 'Titulaire']);
      expect(await page.getByLabel('Pharmacie').locator('option').allTextContents()).toEqual([expect.stringContaining('759999907')]);
      await page.getByLabel('Émetteur (fournisseur d’identité)').selectOption('dev');
      await page.getByLabel('Identifiant de la personne (sub)').fill('nouveau-pharmacien');
      await page.getByRole('button', { name: 'Habiliter', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Habilitation accordée.' }).waitFor();
      const row = page.locator('tr[data-enrolment-id]', { hasText: 'nouveau-pharmacien' });
      await row.waitFor();
      await b.screenshot('admin-enrolments');
      expect(await b.accessibilityViolations()).toEqual([]);
      await row.getByRole('button', { name: 'Retirer le rôle Pharmacien de nouveau-pharmacien' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Retirer' }).click();
      await page.getByRole('status').filter({ hasText: 'Habilitation retirée.' }).waitFor();
      await row.waitFor({ state: 'detached' });
      const events = await ui().h.db.owner.selectFrom('enrolments').select(['role', 'revoked_at', 'created_by']).where('subject', '=', 'nouveau-pharmacien').execute();
      expect(events).toEqual([{ role: 'pharmacist', revoked_at: expect.any(Date), created_by: `dev:${ui().person('titulaire1').subject}` }]);
    } finally {
      await b.close();
    }
  });
});
