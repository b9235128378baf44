import { describe, expect, it } from 'vitest';
import { asPersonInTheUi } from '../support/ui-sign-in.js';
import { webHarnessServingTheUi } from '../support/web-harness.js';

const ui = webHarnessServingTheUi();

describe('staff by name on the admin pages', () => {
  it('the enrolments page shows a signed-in person by name and e-mail, and someone not signed in yet by subject with a marker', async () => {
    await asPersonInTheUi(ui(), 'titulaire1', '/enrolments', async (b) => {
      const { page } = b;
      const own = page.locator('tr[data-enrolment-id]', { hasText: 'demo-titulaire1' });
      await own.waitFor();
      const person = own.locator('.person-label');
      expect(await person.locator('strong').textContent()).toBe('Hélène Dubois');
      expect(await person.textContent()).toContain('helene.dubois@pharmacie1.example');
      expect(await person.textContent()).not.toContain('Pas encore de connexion');
      await own.getByRole('button', { name: 'Retirer le rôle Titulaire de Hélène Dubois' }).waitFor();
      const newcomer = page.locator('tr[data-enrolment-id]', { hasText: 'demo-pharmacien1' });
      expect(await newcomer.locator('.person-label').textContent()).toBe('demo-pharmacien1Pas encore de connexion');
      expect(await b.accessibilityViolations()).toEqual([]);
    });
  });

  it('the audit page names a person acting by the name of their last sign-in', async () => {
    // a sign-in of the manager's to find in the log, whatever ran before
    await ui().signIn('titulaire1');
    await asPersonInTheUi(ui(), 'auditeur', '/audit', async ({ page }) => {
      await page.getByLabel('Acteur').fill('dev:demo-titulaire1');
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/admin/audit/events') && r.url().includes('actor=dev%3Ademo-titulaire1')),
        page.getByRole('button', { name: 'Rechercher', exact: true }).click(),
      ]);
      const firstSeq = ((await answer.json()) as { items: { seq: string }[] }).items[0]?.seq;
      expect(firstSeq).toBeDefined();
      // the table once it shows the answer: its first row is the answer's newest event
      await page.locator('tbody tr:first-child td:first-child', { hasText: new RegExp(`^${firstSeq}$`) }).waitFor();
      expect(new Set(await page.locator('tbody tr td:nth-child(3)').allTextContents())).toEqual(new Set(['Hélène Dubois']));
    });
  });
});
