import type { ComplianceFacts } from './facts.js';
import { bi, BLANK, bullets, heading, markdownDocument, paragraph } from './markdown.js';
import { dataCategoriesTable, partiesTable, peopleCategories, profileNote, recipientsTable, retentionTable, securityTable } from './sections.js';

/** The record of processing activities (GDPR art. 30) of the relay of screening results to SI-DEP. */
export function renderRecord(f: ComplianceFacts): string {
  return markdownDocument(bi('Registre des activités de traitement (RGPD art. 30)', 'Record of processing activities (GDPR art. 30)'), [
    paragraph(profileNote(f)),
    heading(2, bi('1. Acteurs', '1. Parties')),
    partiesTable(f),
    paragraph(
      bi(
        `Le référentiel de la CNIL pour les officines (délibération 2022-067) désigne le pharmacien titulaire comme responsable du traitement et la chaîne comme sous-traitant ; la répartition retenue par la chaîne : ${BLANK}`,
        `The CNIL's reference framework for pharmacies (délibération 2022-067) names the owning pharmacist as controller and the chain as processor; the split the chain adopts: ${BLANK}`,
      ),
    ),
    heading(2, bi('2. Finalités', '2. Purposes')),
    bullets([
      bi(
        'Transmettre à SI-DEP les résultats des tests de dépistage (SARS-CoV-2 et autres tests rapides) réalisés en officine, positifs comme négatifs.',
        'Relay to SI-DEP the results of screening tests (SARS-CoV-2 and other rapid tests) performed at pharmacies, positive and negative alike.',
      ),
      bi('Permettre aux officines de suivre la transmission de leurs résultats et d’en corriger la saisie.', 'Let pharmacies follow the delivery of their results and correct what they entered.'),
      bi('Tracer chaque accès et chaque action (sécurité, RGPD art. 32).', 'Trace every access and action (security, GDPR art. 32).'),
    ]),
    heading(2, bi('3. Base légale', '3. Legal basis')),
    bullets([
      bi(
        `Obligation légale : décret n° 2020-551 du 12 mai 2020 créant SI-DEP ; dispositions du code de la santé publique applicables : ${BLANK}`,
        `Legal obligation: décret n° 2020-551 of 12 May 2020 creating SI-DEP; applicable provisions of the French public health code: ${BLANK}`,
      ),
      bi(`Données de santé (RGPD art. 9) : exception retenue : ${BLANK}`, `Health data (GDPR art. 9): exception relied upon: ${BLANK}`),
    ]),
    heading(2, bi('4. Catégories de données', '4. Categories of data')),
    dataCategoriesTable(),
    heading(2, bi('5. Catégories de personnes concernées', '5. Categories of data subjects')),
    peopleCategories(),
    heading(2, bi('6. Destinataires et transferts', '6. Recipients and transfers')),
    recipientsTable(f),
    heading(2, bi('7. Durées de conservation', '7. Retention periods')),
    retentionTable(f),
    heading(2, bi('8. Mesures de sécurité', '8. Security measures')),
    securityTable(f),
  ]);
}
