import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_UI_ROOT } from '../../gateway/src/repository-root.js';
import type { TestBrowser } from '../support/browser.js';
import { eventually, PHARMACY_A } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { asPersonInTheUi } from '../support/ui-sign-in.js';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';

let w: WebHarness;
let resultId: string;
let toCorrect: string;

const statusOf = async (id: string): Promise<string> => (await w.h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body.status;

beforeAll(async () => {
  w = await startWebHarness({ web: { uiDir: path.join(ADMIN_UI_ROOT, 'dist') } });
  resultId = (await w.h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } })).body.id as string;
  toCorrect = (await w.h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } })).body.id as string;
  await eventually(async () => ((await Promise.all([resultId, toCorrect].map(statusOf))).every((s) => s === 'delivered') ? true : undefined));
  // sealed and copied outside before the auditor verifies
  await eventually(async () => ((await w.h.db.owner.selectFrom('audit_sink_copies').select('number').executeTakeFirst()) ? true : undefined));
}, 120_000);

afterAll(async () => {
  await w?.close();
});

/** A fresh browser (no session) per person. */
const as = <T>(username: string, route: string, run: (b: TestBrowser) => Promise<T>) => asPersonInTheUi(w, username, route, run);

/** What the API answers this page's session for a change, with its CSRF token. */
function post(b: TestBrowser, apiPath: string, body?: unknown): Promise<number> {
  return b.page.evaluate(
    async ([p, json]) => {
      const me = (await (await fetch('/api/web/v1/me')).json()) as { csrfToken: string };
      const headers: Record<string, string> = { 'x-csrf-token': me.csrfToken, 'idempotency-key': crypto.randomUUID() };
      if (json !== undefined) headers['content-type'] = 'application/json';
      return (await fetch(p, { method: 'POST', headers, body: json === undefined ? undefined : JSON.stringify(json) })).status;
    },
    [apiPath, body] as const,
  );
}

describe('the audit, keys and counter pages', () => {
  it('let an auditor search the log and verify it with its progress, and change nothing', async () => {
    await as('auditeur', '/audit', async (b) => {
      const { page } = b;
      await page.locator('table tbody tr').first().waitFor();
      await b.screenshot('admin-audit');
      expect(await b.accessibilityViolations()).toEqual([]);
      await page.getByLabel('Issue').selectOption('success');
      await page.getByLabel('Action').selectOption('result.create');
      await page.getByLabel('Objet').fill(resultId);
      await page.getByRole('button', { name: 'Rechercher', exact: true }).click();
      await eventually(async () => ((await page.locator('table tbody tr').count()) === 1 ? true : undefined));

      await page.getByRole('button', { name: 'Vérifier le journal' }).click();
      await page.getByRole('status').filter({ hasText: /^Intègre : \d+ point\(s\) de contrôle, \d+ événement\(s\) vérifiés, copie externe comprise\.$/ }).waitFor();
      expect(await page.locator('#verify-progress').getAttribute('value')).toBe(await page.locator('#verify-progress').getAttribute('max'));
      await b.screenshot('admin-audit-verified');
      expect(await b.accessibilityViolations()).toEqual([]);

      // the keys page opens read only: no change button, and the API refuses the changes
      await page.goto(`${w.webUrl}/#/keys`);
      await page.getByText('Lecture seule', { exact: false }).waitFor();
      expect(await page.getByRole('button', { name: /Nouvelle version|Re-chiffrer/ }).count()).toBe(0);
      await b.screenshot('admin-keys-read-only');
      expect(await b.accessibilityViolations()).toEqual([]);
      const nav = await page.getByRole('navigation').textContent();
      expect(nav).not.toMatch(/Saisie au comptoir|Rejets/);
      for (const change of ['/api/web/v1/admin/keys/rotation', '/api/web/v1/admin/keys/rewraps', `/api/web/v1/test-results/${resultId}/cancellation`, `/api/web/v1/outbox/dead-letters/${randomUUID()}/redrive`]) {
        expect(await post(b, change, change.endsWith('cancellation') ? { reason: 'duplicate' } : undefined), change).toBe(403);
      }
    });
    expect(await statusOf(resultId)).toBe('delivered');
  });

  it('let a chain admin rotate the key and rewrap the stored data keys with a progress bar, each after a confirmation', async () => {
    await as('admin', '/keys', async (b) => {
      const { page } = b;
      await page.locator('tr[data-kek-version="1"]').waitFor();
      // retiring is the host operator's command line, not this page
      expect(await page.locator('#key-retire').textContent()).toContain('« gateway keys rewrap » puis « gateway keys retire <version> »');
      await b.screenshot('admin-keys');
      expect(await b.accessibilityViolations()).toEqual([]);

      await page.getByRole('button', { name: 'Nouvelle version de clé' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('Créer la version v2').waitFor();
      expect(await b.accessibilityViolations()).toEqual([]);
      await dialog.getByRole('button', { name: 'Confirmer' }).click();
      await page.getByRole('status').filter({ hasText: 'Version v2 créée' }).waitFor();
      await page.getByText('Des clés de données restent sous une version plus ancienne').waitFor();

      await page.getByRole('button', { name: 'Re-chiffrer les clés de données' }).click();
      await dialog.getByRole('button', { name: 'Confirmer' }).click();
      await page.getByRole('status').filter({ hasText: /^\d+ clés? de données re-chiffrées? sous v2\.$/ }).waitFor();
      expect(await page.locator('#rewrap-progress').getAttribute('value')).toBe(await page.locator('#rewrap-progress').getAttribute('max'));
      await page.getByText('Plus ancienne version encore utilisée : v2.').waitFor();
      await b.screenshot('admin-keys-rewrapped');
      expect(await b.accessibilityViolations()).toEqual([]);
    });
    const versions = await w.h.db.owner.selectFrom('data_keys').select('wrapped').execute();
    expect(versions.every((k) => k.wrapped.startsWith('local:v2:'))).toBe(true);
  });

  it('let a pharmacist cancel a result of today with a reason after confirming', async () => {
    await as('pharmacien1', '/counter', async (b) => {
      const { page } = b;
      const row = page.locator(`tr[data-result-id="${resultId}"]`);
      await row.waitFor();
      await row.getByRole('button', { name: /^Annuler le résultat/ }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Motif').selectOption('duplicate');
      await b.screenshot('counter-cancel-confirm');
      expect(await b.accessibilityViolations()).toEqual([]);
      await dialog.getByRole('button', { name: 'Annuler ce résultat' }).click();
      await page.getByRole('status').filter({ hasText: `Résultat ${resultId.slice(0, 8)} annulé.` }).waitFor();
      await row.getByText('Annulé').waitFor();
      await b.screenshot('counter-cancelled');
      expect(await b.accessibilityViolations()).toEqual([]);
    });
    expect(await statusOf(resultId)).toBe('cancelled');
    const events = await w.h.db.owner.selectFrom('audit_events').select(['action', 'reason']).where('object_id', '=', resultId).where('action', '=', 'result.cancel').execute();
    expect(events).toEqual([{ action: 'result.cancel', reason: 'duplicate' }]);
  });

  it('let a pharmacist correct a result by entering it again with a reason', async () => {
    await as('pharmacien1', '/counter', async (b) => {
      const { page } = b;
      const row = page.locator(`tr[data-result-id="${toCorrect}"]`);
      await row.getByRole('button', { name: /^Corriger/ }).click();
      const section = page.locator('section.correction');
      await section.getByLabel('Motif').selectOption('wrong-result');
      const form = section.locator('form.entry');
      await form.locator('[data-field="nir"]').fill('1 85 03 69 123 456 09');
      await form.locator('[data-field="birthName"]').fill('Testeur');
      await form.locator('[data-field="firstNames"]').fill('Jean');
      await form.locator('[data-field="birthDate"]').fill('14');
      await form.locator('[data-field="phone"]').fill('06 39 98 12 34');
      await form.locator('input[name="result"]').nth(1).check();
      await form.locator('[data-field="device"]').fill('1232');
      await b.screenshot('counter-correction');
      expect(await b.accessibilityViolations()).toEqual([]);
      await form.getByRole('button', { name: 'Enregistrer la correction et transmettre' }).click();
      await page.getByRole('status').filter({ hasText: /^Correction [0-9a-f]{8} enregistrée/ }).waitFor();
      // the original is superseded: no second correction or cancellation is offered
      await row.getByRole('button', { name: /^Corriger/ }).waitFor({ state: 'detached' });
    });
    const correction = await w.h.db.owner.selectFrom('test_results').select(['id']).where('corrects', '=', toCorrect).execute();
    expect(correction).toHaveLength(1);
  });
});
