import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { OBJECT_WORDS, REASON_WORDS } from '../../admin-ui/src/admin/audit-words.js';
import type { TestBrowser } from '../support/browser.js';
import { eventually, PHARMACY_A } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { asPersonInTheUi } from '../support/ui-sign-in.js';
import { webHarnessServingTheUi } from '../support/web-harness.js';

/**
 * Issue #19, defects 8 and 15 and its "done when": each demo role walks every page it opens, in
 * French then in English. No page shows an internal code (a kebab-case code, `pharmacy <uuid>`,
 * an HTTP status in prose) in either language, nor an English sentence in French; axe finds
 * nothing; no page scrolls sideways at 390 px or 1366 px.
 */
const ui = webHarnessServingTheUi();
const ROLES = ['pharmacien1', 'titulaire1', 'admin', 'exploitant', 'auditeur', 'dpo'];
const WIDTHS = [390, 1366];

/** Words English uses and French never does: two of them on one line make an English sentence. */
const ENGLISH = new Set(
  'the and of with for is are was has have not cannot this that from more than your you will been which when into only each must should matches encrypted connected waiting within days valid oldest ago answers yet failed loading unknown there their its it be by to'.split(' '),
);
/**
 * Hyphenated French words a code detector would otherwise take for codes; in English, hyphenated
 * words are ordinary ("sign-in", "chain-wide"), so there only the gateway's own codes count.
 */
const FRENCH_COMPOUNDS = new Set(['rendez-vous', 're-chiffrement']);
const FRENCH_PRONOUN = /-(le|la|les|lui|leur|moi|en|y)$/;
const KNOWN_CODES = new Set([...Object.keys(REASON_WORDS), ...Object.keys(OBJECT_WORDS), 'business-rule', 'code-invalid'].filter((c) => c.includes('-') && c !== 'dead-lettered'));
/** The demo's people are known by their identity provider's subject (`demo-admin`): an identifier, not a code. */
const IDENTIFIER = /^demo-|^[0-9a-f]{8}(-[0-9a-f]+)*$/;

/** What a line of a page shows that a person should not have to read: an internal code, or English on a French page. */
function faultsOf(text: string, language: 'fr' | 'en'): string[] {
  const faults: string[] = [];
  for (const line of text.split('\n')) {
    // paths, addresses and commands an operator types keep their hyphens
    const words = line.split(/[\s(),;:«»"“”]+/).filter((w) => w && !/[/@]|\.md|^--/.test(w));
    const codes = words
      .map((w) => w.replace(/[.…!?]+$/, ''))
      .filter((w) => /^[a-z][a-z0-9]*(-[a-z0-9]+)+$/.test(w) && !IDENTIFIER.test(w))
      .filter((w) => (language === 'fr' ? !FRENCH_COMPOUNDS.has(w) && !FRENCH_PRONOUN.test(w) : KNOWN_CODES.has(w)));
    if (codes.length) faults.push(`code ${codes.join(', ')} in “${line}”`);
    if (/\b(pharmacy|pharmacie|person|personne)\s+[0-9a-f]{8}-[0-9a-f]{4}/i.test(line)) faults.push(`uuid in “${line}”`);
    if (/\bHTTP\s?\d{3}\b/.test(line)) faults.push(`HTTP status in “${line}”`);
    if (language === 'fr') {
      const english = new Set((line.toLowerCase().match(/[a-z]+/g) ?? []).filter((w) => ENGLISH.has(w)));
      if (english.size >= 2) faults.push(`English in “${line}”`);
    }
  }
  return faults;
}

/** The page's visible text, once it has loaded (no "Chargement…" left). */
async function visibleText(page: Page): Promise<string> {
  await page.waitForSelector('main h1');
  await page.waitForFunction(() => !/Chargement…|Loading…/.test((globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText));
  return page.evaluate(() => (globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText);
}

/** How far the page is wider than the window, in CSS pixels (0 when it fits). */
function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const g = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
    return Math.max(0, g.document.documentElement.scrollWidth - g.innerWidth);
  });
}

/** The pages the navigation offers this person. */
async function pagesOf(page: Page): Promise<string[]> {
  return (await page.locator('header nav a').evaluateAll((links) => links.map((a) => (a as unknown as { getAttribute(n: string): string | null }).getAttribute('href') ?? ''))).map((h) => h.replace(/^#/, ''));
}

/** Every page in one language: its faults in words, axe's violations and its overflow at each width. */
async function walk(b: TestBrowser, webUrl: string, language: 'fr' | 'en'): Promise<string[]> {
  const { page } = b;
  const found: string[] = [];
  for (const route of await pagesOf(page)) {
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto(`${webUrl}/#${route}`);
    for (const fault of faultsOf(await visibleText(page), language)) found.push(`${route} (${language}): ${fault}`);
    for (const v of await b.accessibilityViolations()) found.push(`${route} (${language}): axe ${v.id} at ${v.targets.join(' | ')}`);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      const over = await sidewaysOverflow(page);
      if (over > 0) found.push(`${route} (${language}): ${over} px too wide at ${width} px`);
    }
  }
  return found;
}

beforeAll(async () => {
  const h = ui().h;
  const submit = async () => (await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } })).body.id as string;
  const statusOf = async (id: string) => (await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body.status as string;
  // one result delivered, one refused by SI-DEP: each page has rows to show
  const delivered = await submit();
  await eventually(async () => ((await statusOf(delivered)) === 'delivered' ? true : undefined));
  await h.simulatorControl('POST', '/_control/faults', { rejectWhen: { status: 422 } });
  const refused = await submit();
  await eventually(async () => ((await statusOf(refused)) === 'dead-lettered' ? true : undefined));
  await h.simulatorControl('POST', '/_control/faults', {});
}, 120_000);

describe('every page of every role', () => {
  it('tells a code from words: the detector flags what issue #19 found and passes plain French', () => {
    expect(faultsOf('Refusé par SI-DEP sidep-rejected', 'fr')).toHaveLength(1);
    expect(faultsOf('Refused by SI-DEP sidep-rejected', 'en')).toHaveLength(1);
    expect(faultsOf('Last sign-in: 06/12/2026 (multi-factor), chain-wide', 'en')).toEqual([]);
    expect(faultsOf('Reconduisez-le ou retirez-le. Habilitation de demo-admin, résultat 0f3c2a1b-1234', 'fr')).toEqual([]);
    expect(faultsOf('tls.intake — GATEWAY_INTAKE_CERT_FILE: valid for 396 more days, key matches', 'fr')).toHaveLength(1);
    expect(faultsOf('Pharmacie 5b63ff1f-0c4e-4b8e-9d1a-2f3c4d5e6f70', 'fr')).toHaveLength(1);
    expect(faultsOf('Refusé par SI-DEP (HTTP 422)', 'fr')).toHaveLength(1);
    expect(faultsOf('Certificat du serveur de réception — GATEWAY_INTAKE_CERT_FILE : valable encore 396 jours, la clé correspond', 'fr')).toEqual([]);
    expect(faultsOf('lancez deploy/backup/backup chaque jour (deploy/guides/backup-and-restore.md)', 'fr')).toEqual([]);
  });

  for (const username of ROLES) {
    it(`${username}: every page in French then English, in words, without axe violations, fitting 390 px and 1366 px`, async () => {
      await asPersonInTheUi(ui(), username, '/', async (b) => {
        const found = await walk(b, ui().webUrl, 'fr');
        await b.page.getByRole('button', { name: 'English' }).click();
        await b.page.getByRole('button', { name: 'Français' }).waitFor();
        found.push(...(await walk(b, ui().webUrl, 'en')));
        expect(found).toEqual([]);
      });
    }, 240_000);
  }
});
