import { describe, expect, it } from 'vitest';
import { asPersonInTheUi } from '../support/ui-sign-in.js';
import { webHarnessServingTheUi } from '../support/web-harness.js';

const ui = webHarnessServingTheUi();

const DAY_MS = 86_400_000;

describe('the access review page', () => {
  it('shows each person on a phone and a laptop, and lets a chain admin recertify a role with the keyboard', async () => {
    await asPersonInTheUi(ui(), 'admin', '/access-review', async (b) => {
      const { page } = b;
      const subject = ui().person('pharmacien1').subject;
      const person = page.getByRole('region', { name: `dev · ${subject}`, exact: true });
      await person.waitFor();
      expect(await person.textContent()).toContain('Aucune connexion enregistrée.');
      expect(await page.getByRole('region', { name: `dev · ${ui().person('admin').subject}`, exact: true }).textContent()).toContain('(authentification forte)');
      for (const width of [390, 1366]) {
        await page.setViewportSize({ width, height: 900 });
        // nothing wider than the screen: no sideways scrolling
        expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(width);
        await b.screenshot(`admin-access-review-${width}`);
        expect(await b.accessibilityViolations()).toEqual([]);
      }
      const until = new Date(Date.now() + 200 * DAY_MS).toISOString().slice(0, 10);
      await person.getByRole('button', { name: `Reconduire le rôle Pharmacien de ${subject}` }).focus();
      await page.keyboard.press('Enter');
      // the dialog opens on its date field (the browser's own date control)
      const field = page.getByLabel('Nouvelle échéance');
      expect(await page.locator(':focus').getAttribute('id')).toBe('recertify-until');
      await field.fill(until);
      // past the date's parts and Cancel, to the confirmation
      const confirm = page.getByRole('dialog').getByRole('button', { name: 'Reconduire' });
      for (let tabs = 0; tabs < 6 && !(await confirm.evaluate((e) => e.matches(':focus'))); tabs++) await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: 'Habilitation reconduite.' }).waitFor();
      const row = await ui().h.db.owner.selectFrom('enrolments').select('expires_at').where('subject', '=', subject).where('revoked_at', 'is', null).executeTakeFirstOrThrow();
      expect(row.expires_at.toISOString().slice(0, 10)).toBe(until);
    });
  });
});
