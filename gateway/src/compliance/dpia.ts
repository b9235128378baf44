import type { ComplianceFacts } from './facts.js';
import { bi, BLANK, bullets, heading, markdownDocument, paragraph, table, type Bilingual } from './markdown.js';
import { dataCategoriesTable, partiesTable, peopleCategories, profileNote, recipientsTable, retentionTable, securityTable } from './sections.js';

/** One of the three risks of the CNIL's PIA method, pre-filled; its severity and likelihood are the chain's to judge. */
interface Risk {
  title: Bilingual;
  sources: Bilingual;
  threats: Bilingual;
  impacts: Bilingual;
  measures: Bilingual;
}

const RISKS: readonly Risk[] = [
  {
    title: bi('Accès illégitime à des données', 'Illegitimate access to data'),
    sources: bi('attaquant externe, officine ou opérateur malveillant, hébergeur, vol d’une sauvegarde', 'external attacker, malicious pharmacy or operator, host, theft of a backup'),
    threats: bi('certificat ou compte volé, lecture de la base ou d’une sauvegarde, rapprochement d’une personne entre officines', 'stolen certificate or account, reading the database or a backup, linking one person across pharmacies'),
    impacts: bi('divulgation d’un résultat de santé et de l’identité (NIR) d’une personne', 'disclosure of a person’s health result and identity (NIR)'),
    measures: bi(
      'chiffrement par enveloppe, index aveugles par officine, mTLS, OIDC avec MFA, droits par rôle et par officine, sauvegardes chiffrées, révélations tracées',
      'envelope encryption, per-pharmacy blind indexes, mTLS, OIDC with MFA, rights per role and pharmacy, encrypted backups, audited reveals',
    ),
  },
  {
    title: bi('Modification non désirée de données', 'Unwanted modification of data'),
    sources: bi('erreur de saisie, logiciel d’officine défaillant, attaquant, opérateur', 'input error, faulty pharmacy software, attacker, operator'),
    threats: bi('résultat altéré en base ou en transit, trace d’audit effacée ou réécrite', 'result altered at rest or in transit, audit trace deleted or rewritten'),
    impacts: bi('résultat erroné transmis à SI-DEP, décision de santé faussée', 'wrong result delivered to SI-DEP, misled health decisions'),
    measures: bi(
      'validation stricte à la saisie, chiffrement authentifié (toute altération est refusée), TLS, journal d’audit chaîné, scellé et signé, rôle d’exécution sans droit de réécriture',
      'strict validation at intake, authenticated encryption (any change is refused), TLS, chained, sealed and signed audit log, runtime role without rewrite rights',
    ),
  },
  {
    title: bi('Disparition de données', 'Disappearance of data'),
    sources: bi('panne, erreur d’exploitation, rançongiciel, perte des clés', 'failure, operating error, ransomware, loss of keys'),
    threats: bi('base ou gestionnaire de clés perdu, SI-DEP indisponible au-delà du délai de transmission', 'database or key manager lost, SI-DEP unavailable beyond the delivery deadline'),
    impacts: bi('résultat jamais transmis à SI-DEP, obligation légale non remplie', 'result never delivered to SI-DEP, legal obligation unmet'),
    measures: bi(
      'file d’envoi persistante avec reprises, mise à l’écart visible et alertée, sauvegardes chiffrées et restauration exercée, gestionnaire de clés sauvegardé à part',
      'persistent outbox with retries, dead letters shown and alerted, encrypted backups and a rehearsed restore, key manager backed up separately',
    ),
  },
];

/** A data protection impact assessment following the CNIL's PIA method, pre-filled with this system's flows and measures. */
export function renderDpia(f: ComplianceFacts): string {
  return markdownDocument(bi('Analyse d’impact relative à la protection des données (AIPD, méthode PIA de la CNIL)', 'Data protection impact assessment (DPIA, CNIL PIA method)'), [
    paragraph(profileNote(f)),
    heading(2, bi('1. Contexte', '1. Context')),
    heading(3, bi('1.1 Vue d’ensemble', '1.1 Overview')),
    paragraph(
      bi(
        'La passerelle reçoit des logiciels d’officine les résultats des tests de dépistage, les conserve chiffrés le temps de les transmettre à SI-DEP, puis en détruit les données personnelles.',
        'The gateway receives screening results from pharmacy software, keeps them encrypted while it delivers them to SI-DEP, then destroys their personal data.',
      ),
    ),
    partiesTable(f),
    heading(3, bi('1.2 Données, processus et supports', '1.2 Data, processes and supporting assets')),
    dataCategoriesTable(),
    peopleCategories(),
    table(
      [bi('Flux', 'Flow'), bi('Protection', 'Protection')],
      [
        [bi('Logiciel d’officine → passerelle (saisie)', 'Pharmacy software → gateway (intake)'), bi('mTLS, certificat par officine', 'mTLS, a certificate per pharmacy')],
        [bi('Passerelle → base de données', 'Gateway → database'), bi('données personnelles chiffrées avant écriture', 'personal data encrypted before it is written')],
        [bi('Passerelle → gestionnaire de clés', 'Gateway → key manager'), bi('TLS, clés maîtresses jamais exportées', 'TLS, master keys never exported')],
        [bi('Passerelle → SI-DEP (relais)', 'Gateway → SI-DEP (relay)'), bi('mTLS, message FHIR, rejeu sans doublon', 'mTLS, FHIR message, replay without duplicates')],
        [bi('Personnes → interface web', 'People → web UI'), bi('OpenID Connect avec MFA, droits par rôle et par officine', 'OpenID Connect with MFA, rights per role and pharmacy')],
        [bi('Base → sauvegardes', 'Database → backups'), bi('chiffrées pour les destinataires désignés', 'encrypted for the designated recipients')],
      ],
    ),
    recipientsTable(f),
    heading(2, bi('2. Principes fondamentaux', '2. Fundamental principles')),
    heading(3, bi('2.1 Proportionnalité et nécessité', '2.1 Proportionality and necessity')),
    bullets([
      bi('Finalité déterminée : transmission à SI-DEP imposée par le décret n° 2020-551 du 12 mai 2020.', 'Specified purpose: delivery to SI-DEP required by décret n° 2020-551 of 12 May 2020.'),
      bi('Minimisation : seuls les champs du contrat de saisie sont acceptés ; tout champ inconnu est refusé.', 'Minimisation: only the intake contract’s fields are accepted; any unknown field is refused.'),
      bi('Exactitude : NIR, RPPS, FINESS et codes vérifiés à la saisie.', 'Accuracy: NIR, RPPS, FINESS and codes checked at intake.'),
    ]),
    retentionTable(f),
    heading(3, bi('2.2 Mesures protectrices des droits', '2.2 Measures protecting rights')),
    bullets([
      bi('Information : notice remise au comptoir (`gateway compliance notice`).', 'Information: notice handed out at the counter (`gateway compliance notice`).'),
      bi('Accès, rectification, effacement, opposition : traités par le DPO (`gateway subjects`).', 'Access, rectification, erasure, objection: handled by the DPO (`gateway subjects`).'),
      bi('Sous-traitance : clauses de l’article 28 avec l’hébergeur (`gateway compliance processor-clauses`).', 'Processing on behalf: article 28 clauses with the host (`gateway compliance processor-clauses`).'),
      bi('Aucun transfert hors de l’Union européenne.', 'No transfer outside the European Union.'),
    ]),
    heading(2, bi('3. Risques', '3. Risks')),
    heading(3, bi('3.1 Mesures en place', '3.1 Measures in place')),
    securityTable(f),
    ...RISKS.flatMap((r, n) => [heading(3, bi(`3.${n + 2} ${r.title.fr}`, `3.${n + 2} ${r.title.en}`)), riskTable(r)]),
    heading(2, bi('4. Validation', '4. Validation')),
    bullets([
      bi(`Plan d’action : ${BLANK}`, `Action plan: ${BLANK}`),
      bi(`Avis du DPO : ${BLANK}`, `DPO’s opinion: ${BLANK}`),
      bi(`Avis des personnes concernées ou de leurs représentants : ${BLANK}`, `Opinion of the data subjects or their representatives: ${BLANK}`),
      bi(`Décision du responsable du traitement, date : ${BLANK}`, `Controller’s decision, date: ${BLANK}`),
    ]),
  ]);
}

function riskTable(r: Risk): string {
  return table(
    [bi('Rubrique', 'Item'), bi('Analyse', 'Analysis')],
    [
      [bi('Sources de risque', 'Risk sources'), r.sources],
      [bi('Menaces', 'Threats'), r.threats],
      [bi('Impacts sur les personnes', 'Impacts on people'), r.impacts],
      [bi('Mesures', 'Measures'), r.measures],
      [bi('Gravité (négligeable, limitée, importante, maximale)', 'Severity (negligible, limited, significant, maximum)'), BLANK],
      [bi('Vraisemblance (négligeable, limitée, importante, maximale)', 'Likelihood (negligible, limited, significant, maximum)'), BLANK],
    ],
  );
}
