import { describe, expect, it } from 'vitest';
import { runCommandLine, type CliContext } from '../../gateway/src/cli/index.js';
import { readOperatorSettings } from '../../gateway/src/cli/operator-settings.js';
import { BLANK, complianceFacts, COMPLIANCE_DOCUMENTS, type ComplianceDocument } from '../../gateway/src/compliance/index.js';
import { envName, parseSettings } from '../../gateway/src/config/index.js';
import { productionSettingsInput } from '../support/production-settings.js';

const DOCUMENTS = Object.keys(COMPLIANCE_DOCUMENTS) as ComplianceDocument[];

const DECLARED = {
  controllerName: 'Pharmacies Exemple SAS',
  dpoContact: 'dpo@pharmacies-exemple.fr',
  hdsHostName: 'Hébergeur Exemple',
  hdsCertificateRef: 'HDS-2024-0042 (LSTI)',
};

/** A production deployment's settings, with `sections` replacing whole sections. */
function production(sections: Record<string, unknown> = {}) {
  const settings = parseSettings(
    productionSettingsInput('/run/secrets/x', {
      compliance: DECLARED,
      audit: { sinkUrl: 'https://audit.example.fr/ingest' },
      web: {
        enabled: true,
        certFile: '/x',
        keyFile: '/x',
        publicOrigin: 'https://gateway.example.fr',
        issuers: [
          { id: 'psc', kind: 'psc', issuer: 'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet', clientId: 'c', clientSecretFile: '/x' },
          { id: 'chain', issuer: 'https://sso.example.fr', clientId: 'c', clientSecretFile: '/x' },
        ],
      },
      ...sections,
    }),
  );
  return complianceFacts(settings, true);
}

/** The table row that names a setting's variable. */
function rowOf(markdown: string, variable: string): string {
  const rows = markdown.split('\n').filter((l) => l.startsWith('|') && l.includes(`\`${variable}\``));
  expect(rows.length, variable).toBeGreaterThan(0);
  return rows.join('\n');
}

/** Every row of a table whose first cell starts with `label`. */
const rowsStarting = (markdown: string, label: string) => markdown.split('\n').filter((l) => l.startsWith(`| ${label}`));

describe('gateway compliance documents', () => {
  it('render all four from the settings an operator command reads beside the demo, marked as the demo’s', async () => {
    const settings = readOperatorSettings({});
    for (const name of DOCUMENTS) {
      let out = '';
      const ctx = { settings: () => settings, stdout: (text: string) => void (out += text) } as unknown as CliContext;
      await expect(runCommandLine(['compliance', name], ctx)).resolves.toBe(0);
      expect(out, name).toMatch(/^# .+ \/ .+\n/);
      expect(out, name).toContain('réglages de démonstration');
      // nothing is declared in the demo: the controller and the DPO are blanks to complete
      expect(out, name).toContain(BLANK);
    }
    const ctx = { settings: () => settings, stderr: () => undefined, err: () => undefined } as unknown as CliContext;
    await expect(runCommandLine(['compliance', 'privacy-policy'], ctx)).resolves.toBe(2);
  });

  const RETENTION = [
    { path: ['retention', 'deliveredDays'], value: 11, unit: ['jours', 'days'] },
    { path: ['retention', 'deadLetteredDays'], value: 23, unit: ['jours', 'days'] },
    { path: ['relay', 'maxAgeHours'], value: 36, unit: ['heures', 'hours'] },
    { path: ['backup', 'retentionDays'], value: 9, unit: ['jours', 'days'] },
    { path: ['operator', 'auditRetentionDays'], value: 200, unit: ['jours', 'days'] },
  ] as const;

  for (const name of ['record', 'dpia', 'processor-clauses'] as const) {
    it(`${name} states each retention period as its setting gives it`, () => {
      for (const r of RETENTION) {
        const [section, key] = r.path;
        const doc = COMPLIANCE_DOCUMENTS[name](production({ [section]: { [key]: r.value } }));
        const row = rowOf(doc, envName(r.path));
        expect(row).toContain(`${r.value} ${r.unit[0]}`);
        expect(row).toContain(`${r.value} ${r.unit[1]}`);
      }
    });
  }

  it('notice tells patients how long the gateway keeps their data, from the retention setting', () => {
    expect(COMPLIANCE_DOCUMENTS.notice(production({ retention: { deliveredDays: 5 } }))).toMatch(/données 5 jours après[\s\S]*data 5 days after/);
    expect(COMPLIANCE_DOCUMENTS.notice(production({ retention: { deliveredDays: 12 } }))).toMatch(/données 12 jours après[\s\S]*data 12 days after/);
  });

  it('name the controller, the DPO and the HDS host the settings declare, and the DPO in the patients’ notice', () => {
    const facts = production();
    for (const name of ['record', 'dpia', 'processor-clauses'] as const) {
      const doc = COMPLIANCE_DOCUMENTS[name](facts);
      for (const [key, value] of Object.entries(DECLARED)) {
        const row = rowOf(doc, envName(['compliance', key]));
        expect(row).toContain(value);
        expect(row).not.toContain(BLANK);
      }
    }
    expect(COMPLIANCE_DOCUMENTS.notice(facts)).toContain(DECLARED.dpoContact);
    expect(COMPLIANCE_DOCUMENTS.notice(production({ compliance: {} }))).not.toContain(DECLARED.dpoContact);
  });

  it('list the security measures the settings turn on, and a blank for an issuer that names no MFA evidence', () => {
    const record = COMPLIANCE_DOCUMENTS.record(production({ intake: { certFile: '/x', keyFile: '/x', clientCaFile: '/x', ratePerSecond: 33 } }));
    expect(rowsStarting(record, 'Chiffrement des données')[0]).toContain('Vault/OpenBao Transit');
    expect(rowsStarting(record, 'Connexion à la base')[0]).toContain('sslmode verify-full');
    expect(rowsStarting(record, 'Journal d’audit infalsifiable')[0]).toContain('webhook');
    expect(rowsStarting(record, 'Limitation de débit')[0]).toContain('33/s');
    expect(rowsStarting(record, 'Chiffrement en transit')[0]).toContain('TLS 1.2');
    expect(rowsStarting(record, 'Fournisseur d’identité `psc`')[0]).toContain('multifacteur exigée');
    expect(rowsStarting(record, 'Fournisseur d’identité `chain`')[0]).toContain(BLANK);

    const local = COMPLIANCE_DOCUMENTS.record(production({ keyManager: { kind: 'local' }, web: {} }));
    expect(rowsStarting(local, 'Chiffrement des données')[0]).toContain('trousseau local');
    expect(rowsStarting(local, 'Accès des personnes')[0]).toContain('désactivé');
  });

  it('leave blank every judgment the chain must make itself', () => {
    const facts = production();
    const dpia = COMPLIANCE_DOCUMENTS.dpia(facts);
    // the three risks of the PIA method, each with its severity and likelihood to judge
    for (const risk of ['Accès illégitime', 'Modification non désirée', 'Disparition de données']) expect(dpia).toContain(risk);
    expect(rowsStarting(dpia, 'Gravité').filter((r) => r.includes(BLANK))).toHaveLength(3);
    expect(rowsStarting(dpia, 'Vraisemblance').filter((r) => r.includes(BLANK))).toHaveLength(3);
    expect(dpia).toMatch(new RegExp(`Avis du DPO : ${escape(BLANK)}`));

    const clauses = COMPLIANCE_DOCUMENTS['processor-clauses'](facts);
    for (const negotiated of ['délai convenu', 'liste autorisée', 'fréquence et préavis', 'Durée']) expect(clauses).toMatch(new RegExp(`${negotiated} : ${escape(BLANK)}`));

    expect(COMPLIANCE_DOCUMENTS.record(facts)).toMatch(new RegExp(`code de la santé publique applicables : ${escape(BLANK)}`));
  });
});

function escape(text: string): string {
  return text.replace(/[[\]/\\^$.*+?()|{}]/g, '\\$&');
}
