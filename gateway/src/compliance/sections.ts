import { envName } from '../config/index.js';
import type { ComplianceFacts } from './facts.js';
import { bi, BLANK, bullets, table, type Bilingual, type Cell } from './markdown.js';

// The blocks several documents share, so that a figure is computed and worded in one place.

const days = (n: number): Bilingual => bi(`${n} jours`, `${n} days`);
const setting = (...path: string[]) => `\`${envName(path)}\``;
const or = (value: string | undefined) => value ?? BLANK;

/** Warns that the demo's settings describe no real deployment. */
export function profileNote(f: ComplianceFacts): Bilingual {
  return f.profile === 'demo'
    ? bi(
        'Généré depuis les réglages de démonstration (GATEWAY_PROFILE n’est pas `production`) : ce document ne décrit aucun déploiement réel.',
        'Generated from the demo settings (GATEWAY_PROFILE is not `production`): this document describes no real deployment.',
      )
    : bi('Généré depuis les réglages de production en cours (`gateway compliance`).', 'Generated from the running production settings (`gateway compliance`).');
}

/** The controller, its DPO and the health-data host, as the settings declare them. */
export function partiesTable(f: ComplianceFacts): string {
  return table(
    [bi('Rubrique', 'Item'), bi('Valeur', 'Value'), bi('Réglage', 'Setting')],
    [
      [bi('Responsable du traitement', 'Controller'), or(f.controllerName), setting('compliance', 'controllerName')],
      [bi('Délégué à la protection des données (DPO)', 'Data protection officer (DPO)'), or(f.dpoContact), setting('compliance', 'dpoContact')],
      [bi('Hébergeur de données de santé (HDS), sous-traitant', 'Health-data host (HDS), processor'), or(f.hdsHostName), setting('compliance', 'hdsHostName')],
      [bi('Certificat HDS (numéro, organisme certificateur)', 'HDS certificate (number, certifying body)'), or(f.hdsCertificateRef), setting('compliance', 'hdsCertificateRef')],
    ],
  );
}

/** The intake contract's fields, grouped as a record of processing names them. */
export function dataCategoriesTable(): string {
  const rows: Cell[][] = [
    [bi('Identité', 'Identity'), bi('nom de naissance, nom d’usage, prénoms, date et lieu de naissance, sexe', 'birth name, used name, first names, birth date and place, sex')],
    [bi('Identifiant national', 'National identifier'), bi('NIR ou matricule INS et statut d’identité (ou motif d’absence de NIR)', 'NIR or INS number and identity status (or the reason for no NIR)')],
    [bi('Coordonnées', 'Contact'), bi('téléphone et/ou adresse électronique', 'phone and/or e-mail address')],
    [bi('Adresse', 'Address'), bi('adresse postale (facultative)', 'postal address (optional)')],
    [bi('Test', 'Test'), bi('type de test (LOINC), prélèvement, dispositif, dates de prélèvement et de résultat', 'test type (LOINC), specimen, device, collection and result times')],
    [bi('Résultat (donnée de santé, RGPD art. 9)', 'Result (health data, GDPR art. 9)'), bi('détecté, non détecté, invalide, non concluant', 'detected, not detected, invalid, inconclusive')],
    [bi('Professionnel', 'Professional'), bi('RPPS ou ADELI du pharmacien, FINESS de l’officine', 'pharmacist’s RPPS or ADELI, pharmacy’s FINESS')],
    [bi('Traces', 'Traces'), bi('journal d’audit : identifiants pseudonymes, jamais de donnée du patient', 'audit log: pseudonymous identifiers, never a patient’s data')],
    [
      bi('Personnels habilités', 'Enrolled staff'),
      bi(
        'identifiant chez le fournisseur d’identité, rôles et échéances ; dernière connexion, sa preuve d’authentification forte, et les nom et adresse e-mail que le fournisseur affirme, pour la revue des accès',
        'identifier at the identity provider, roles and expiries; last sign-in, its multi-factor evidence, and the name and e-mail the provider asserts, for the access review',
      ),
    ],
  ];
  return table([bi('Catégorie', 'Category'), bi('Données', 'Data')], rows);
}

export function peopleCategories(): string {
  return bullets([
    bi('Personnes testées en officine (patients)', 'People tested at the pharmacy (patients)'),
    bi('Pharmaciens et personnels des officines qui saisissent ou consultent les résultats', 'Pharmacists and pharmacy staff who enter or consult results'),
    bi('Opérateurs de la chaîne (administrateurs, auditeurs, DPO)', 'The chain’s operators (administrators, auditors, DPO)'),
  ]);
}

/** Who receives the data: SI-DEP by law, the host as processor; nothing leaves the EU. */
export function recipientsTable(f: ComplianceFacts): string {
  return table(
    [bi('Destinataire', 'Recipient'), bi('Rôle', 'Role'), bi('Données', 'Data')],
    [
      [
        bi('SI-DEP (ministère chargé de la santé ; maîtrise d’œuvre AP-HP)', 'SI-DEP (Ministry of Health; prime contractor AP-HP)'),
        bi('destinataire au titre de l’obligation légale (décret n° 2020-551 du 12 mai 2020)', 'recipient under the legal obligation (décret n° 2020-551 of 12 May 2020)'),
        bi('chaque résultat saisi, positif ou négatif', 'every result entered, positive or negative'),
      ],
      [
        bi(`Hébergeur HDS : ${or(f.hdsHostName)}`, `HDS host: ${or(f.hdsHostName)}`),
        bi('sous-traitant (RGPD art. 28) : hébergement, exploitation, sauvegardes', 'processor (GDPR art. 28): hosting, operation, backups'),
        bi('données chiffrées au repos ; clés hors de la base', 'data encrypted at rest; keys outside the database'),
      ],
      [
        bi('Transfert hors de l’Union européenne', 'Transfer outside the European Union'),
        bi('aucun', 'none'),
        bi(`hébergement HDS dans l’Union européenne ; localisation : ${BLANK}`, `HDS hosting within the European Union; location: ${BLANK}`),
      ],
    ],
  );
}

/** Every retention period, each figure read from its setting. */
export function retentionTable(f: ComplianceFacts): string {
  const r = f.retention;
  return table(
    [bi('Données', 'Data'), bi('Durée', 'Period'), bi('Réglage', 'Setting')],
    [
      [bi('Données personnelles d’un résultat transmis à SI-DEP, après l’accusé de réception', 'Personal data of a result delivered to SI-DEP, after its acknowledgement'), days(r.deliveredDays), setting('retention', 'deliveredDays')],
      [bi('Résultat non transmis (mis à l’écart), après sa mise à l’écart', 'Result not delivered (dead-lettered), after it was set aside'), days(r.deadLetteredDays), setting('retention', 'deadLetteredDays')],
      [bi('Transmission tentée au plus, avant mise à l’écart', 'Delivery attempted at most, before it is set aside'), bi(`${r.relayMaxAgeHours} heures`, `${r.relayMaxAgeHours} hours`), setting('relay', 'maxAgeHours')],
      [bi('Sauvegardes de la base (chiffrées)', 'Database backups (encrypted)'), days(r.backupDays), setting('backup', 'retentionDays')],
      [bi('Journal d’audit (sans donnée du patient)', 'Audit log (no patient data)'), days(r.auditDays), setting('operator', 'auditRetentionDays')],
      [
        bi('Dernière connexion d’un personnel, avec ses nom et e-mail', 'A staff member’s last sign-in, with their name and e-mail'),
        bi('tant qu’une habilitation est en cours ; effacée à la purge suivante', 'while an enrolment is live; deleted at the next purge'),
        setting('retention', 'purgeIntervalSeconds'),
      ],
      [bi('Copie dans SI-DEP (hors de la passerelle)', 'Copy in SI-DEP (outside the gateway)'), bi('3 mois au plus (décret n° 2020-551, art. 11)', '3 months at most (décret n° 2020-551, art. 11)'), '—'],
    ],
  );
}

/** The security measures the settings turn on, and a blank for each one they do not declare. */
export function securityTable(f: ComplianceFacts): string {
  return table([bi('Mesure', 'Measure'), bi('État dans ces réglages', 'State in these settings')], securityRows(f));
}

function securityRows(f: ComplianceFacts): Cell[][] {
  const keyManager: Record<string, Bilingual> = {
    vault: bi('chiffrement par enveloppe ; clés maîtresses dans Vault/OpenBao Transit, jamais exportées', 'envelope encryption; master keys in Vault/OpenBao Transit, never exported'),
    local: bi('chiffrement par enveloppe ; trousseau local (démonstration uniquement, refusé en production)', 'envelope encryption; local keyring (demo only, refused in production)'),
  };
  const clientCa: Record<string, Bilingual> = {
    'vault-pki': bi('autorité Vault PKI', 'Vault PKI authority'),
    external: bi('autorité externe (certificats enregistrés par empreinte)', 'external authority (certificates registered by fingerprint)'),
    dev: bi('autorité de démonstration (refusée en production)', 'demo authority (refused in production)'),
  };
  const ca = clientCa[f.clientCa] as Bilingual;
  const rows: Cell[][] = [
    [bi('Chiffrement des données personnelles', 'Encryption of personal data'), f.keyManager ? (keyManager[f.keyManager] as Bilingual) : BLANK],
    [
      bi('Authentification des officines (mTLS)', 'Pharmacies’ authentication (mTLS)'),
      bi(`certificat client par officine, ${ca.fr}, valable ${f.clientCertificateDays} jours, révocable`, `a client certificate per pharmacy, ${ca.en}, valid ${f.clientCertificateDays} days, revocable`),
    ],
    [bi('Chiffrement en transit', 'Encryption in transit'), bi(`TLS ${f.tls.minVersion} minimum, échange ECDHE et suites AEAD seules (ANSSI)`, `TLS ${f.tls.minVersion} at least, ECDHE key exchange and AEAD suites only (ANSSI)`)],
    [bi('Suites TLS, par préférence', 'TLS suites, by preference'), f.tls.suites.join(', ')],
    [bi('Connexion à la base de données', 'Database connection'), f.databaseTls ? bi(`sslmode ${f.databaseTls}`, `sslmode ${f.databaseTls}`) : BLANK],
    [bi('Journal d’audit infalsifiable', 'Tamper-evident audit log'), auditCell(f)],
    [bi('Limitation de débit', 'Rate limits'), rateCell(f)],
    [bi('Transfert des journaux', 'Log forwarding'), f.logForwarding.length ? f.logForwarding.join(', ') : bi('aucun', 'none')],
  ];
  if (!f.web.enabled) return [...rows, [bi('Accès des personnes (interface web)', 'People’s access (web UI)'), bi('désactivé : personne ne se connecte', 'disabled: nobody signs in')]];
  const web = f.web;
  return [
    ...rows,
    ...web.issuers.map((i): Cell[] => [
      bi(`Fournisseur d’identité \`${i.id}\` (OpenID Connect)`, `Identity provider \`${i.id}\` (OpenID Connect)`),
      i.development
        ? bi('fournisseur de démonstration (refusé en production)', 'demo provider (refused in production)')
        : i.mfaEvidence
          ? bi('preuve d’authentification multifacteur exigée pour chaque rôle', 'multi-factor evidence required for every role')
          : bi(`preuve multifacteur non nommée : ${BLANK}`, `multi-factor evidence not named: ${BLANK}`),
    ]),
    [
      bi('Sessions web', 'Web sessions'),
      bi(`inactivité ${web.sessionIdleMinutes} min, durée maximale ${web.sessionMaxHours} h`, `idle ${web.sessionIdleMinutes} min, longest ${web.sessionMaxHours} h`),
    ],
  ];
}

function auditCell(f: ComplianceFacts): Cell {
  const sinks = f.auditSinks.join(' + ');
  if (!sinks) return bi(`scellé toutes les ${f.auditSealMs} ms ; copie hors base : ${BLANK}`, `sealed every ${f.auditSealMs} ms; copy outside the database: ${BLANK}`);
  return bi(`chaîné, scellé et signé toutes les ${f.auditSealMs} ms ; copie hors base : ${sinks}`, `chained, sealed and signed every ${f.auditSealMs} ms; copy outside the database: ${sinks}`);
}

function rateCell(f: ComplianceFacts): Cell {
  const intake = f.intakeRate ? `${f.intakeRate.perSecond}/s (burst ${f.intakeRate.burst})` : BLANK;
  const web = f.web.enabled ? f.web : undefined;
  const fr = [`saisie par officine : ${intake}`, `requêtes non authentifiées par adresse : ${f.unauthenticatedPerMinute}/min`];
  const en = [`intake per pharmacy: ${intake}`, `unauthenticated requests per address: ${f.unauthenticatedPerMinute}/min`];
  if (web) {
    fr.push(`connexions : ${web.signInPerMinute}/min`, `requêtes par personne : ${web.userRatePerSecond}/s`, `révélations par personne : ${web.revealsPerMinute}/min`);
    en.push(`sign-ins: ${web.signInPerMinute}/min`, `requests per person: ${web.userRatePerSecond}/s`, `reveals per person: ${web.revealsPerMinute}/min`);
  }
  return bi(fr.join(' ; '), en.join('; '));
}
