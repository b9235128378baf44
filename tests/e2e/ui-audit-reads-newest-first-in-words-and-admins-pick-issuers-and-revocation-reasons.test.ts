import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { appendAudit } from '../../gateway/src/audit/index.js';
import { PHARMACY_A } from '../support/gateway-harness.js';
import { asPersonInTheUi } from '../support/ui-sign-in.js';
import { webHarnessServingTheUi } from '../support/web-harness.js';

/**
 * Issue #19 on the audit, pharmacies and enrolments pages: the audit log newest first by number
 * (defect 2), its actions, outcomes, reasons and actors in words with a list of actions to filter
 * on (8, 16), a revocation that names no reason by default behind a danger-coloured button (14),
 * and enrolments granted to a person of a configured identity provider picked from a list (16).
 */
const ui = webHarnessServingTheUi();
/** A dotted code such as `result.create`, `login`, `single-factor`: what the page must not show. */
const CODE = /^[a-z]+([.-][a-z]+)+$|^(login|logout|authenticate|mfa|success|failure|denied)$/;

describe('the audit page', () => {
  it('lists the log newest first by number, in words, with a pharmacy named and a list of actions to filter on', async () => {
    const h = ui().h;
    // past 100 events, so that a text order (99 before 100) shows on the first page
    await appendAudit(h.db.owner, Array.from({ length: 120 }, () => ({ actor: { type: 'system' as const, id: 'relay' }, action: 'result.deliver.original' as const, object: { type: 'test-result', id: randomUUID() }, outcome: 'success' as const, reason: 'delivery' })));
    const resultId = randomUUID();
    await appendAudit(h.db.owner, [{ actor: { type: 'pharmacy', id: `${h.pharmacyIds[PHARMACY_A] as string}/0123456789abcdef` }, action: 'result.create', object: { type: 'test-result', id: resultId }, outcome: 'success' }]);
    const newest = (await h.db.owner.selectFrom('audit_events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirstOrThrow()).seq as string;

    await asPersonInTheUi(ui(), 'auditeur', '/audit', async (b) => {
      const { page } = b;
      const rows = page.locator('table tbody tr');
      await rows.first().waitFor();
      const seqs = (await rows.locator('td:nth-child(1)').allTextContents()).map((s) => BigInt(s));
      expect(seqs.length).toBeGreaterThan(50);
      expect(seqs[0]).toBeGreaterThanOrEqual(BigInt(newest));
      expect(seqs).toEqual([...seqs].sort((x, y) => (x > y ? -1 : x < y ? 1 : 0)));
      // actors, actions, outcomes and reasons in words
      for (const column of [3, 4, 6, 7]) {
        const cells = await rows.locator(`td:nth-child(${column})`).allTextContents();
        expect(cells.filter((c) => CODE.test(c.trim())), `column ${column}`).toEqual([]);
      }
      expect(await rows.filter({ hasText: 'Envoi automatique vers SI-DEP' }).first().textContent()).toContain('Résultat transmis à SI-DEP');

      // the action filter is a list of actions in words
      const actions = await page.getByLabel('Action').locator('option').allTextContents();
      expect(actions.length).toBeGreaterThan(40);
      expect(actions.filter((a) => CODE.test(a))).toEqual([]);
      await page.getByLabel('Action').selectOption({ label: 'Résultat enregistré' });
      await page.getByLabel('Objet').fill(resultId);
      await page.getByRole('button', { name: 'Rechercher', exact: true }).click();
      // the first page already shows that event: wait for the filtered answer itself
      await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
      await rows.filter({ hasText: resultId }).waitFor();
      expect((await rows.locator('td:nth-child(3)').textContent())?.trim()).toBe(`Pharmacie ${PHARMACY_A}`);
      expect(await rows.locator('td:nth-child(4)').textContent()).toBe('Résultat enregistré');
      expect(await rows.locator('td:nth-child(6)').textContent()).toBe('Réussie');
      await b.screenshot('admin-audit-in-words');
      expect(await b.accessibilityViolations()).toEqual([]);
    });
  });
});

describe('the pharmacies page', () => {
  it('asks for a revocation reason, with none chosen by default, behind a danger-coloured button', async () => {
    await asPersonInTheUi(ui(), 'admin', '/pharmacies', async (b) => {
      const { page } = b;
      await page.locator('li[data-fingerprint]').first().getByRole('button', { name: /^Révoquer le certificat / }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      expect(await dialog.getByLabel('Motif').inputValue()).toBe('');
      const confirm = dialog.getByRole('button', { name: 'Révoquer définitivement' });
      expect(await confirm.isDisabled()).toBe(true);
      await dialog.getByLabel('Motif').selectOption('superseded');
      expect(await confirm.isEnabled()).toBe(true);
      // the gateway's `--bad` red, not the accent blue of ordinary confirmations
      expect(await confirm.evaluate((e) => e.ownerDocument.defaultView?.getComputedStyle(e).backgroundColor)).toBe('rgb(164, 22, 26)');
      await b.screenshot('admin-certificate-revoke-reason');
      expect(await b.accessibilityViolations()).toEqual([]);
      // cancelled, the next dialog starts without a reason again
      await dialog.getByRole('button', { name: 'Annuler' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.locator('li[data-fingerprint]').first().getByRole('button', { name: /^Révoquer le certificat / }).click();
      expect(await dialog.getByLabel('Motif').inputValue()).toBe('');
    });
  });
});

describe('the enrolments page', () => {
  it('offers the configured identity providers by name and grants a role to a person of one', async () => {
    await asPersonInTheUi(ui(), 'admin', '/enrolments', async (b) => {
      const { page } = b;
      await page.locator('tr[data-enrolment-id]').first().waitFor();
      const issuer = page.getByLabel('Émetteur (fournisseur d’identité)');
      expect(await issuer.locator('option').allTextContents()).toEqual(['Pro Santé Connect (dev)']);
      await page.getByLabel('Identifiant de la personne (sub)').fill('nouvel-auditeur');
      await page.getByLabel('Rôle', { exact: true }).selectOption('auditor');
      await page.getByRole('button', { name: 'Habiliter', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Habilitation accordée.' }).waitFor();
      const row = page.locator('tr[data-enrolment-id]', { hasText: 'nouvel-auditeur' });
      await row.waitFor();
      // the person first (no sign-in yet), then their identity provider
      expect(await row.locator('td').first().textContent()).toContain('nouvel-auditeur');
      expect(await row.locator('td').nth(1).textContent()).toBe('Pro Santé Connect (dev)');
      const granted = await ui().h.db.owner.selectFrom('enrolments').select(['issuer', 'role']).where('subject', '=', 'nouvel-auditeur').execute();
      expect(granted).toEqual([{ issuer: 'dev', role: 'auditor' }]);
    });
  });
});
