import type { ComplianceFacts } from './facts.js';
import { bi, BLANK, bullets, heading, markdownDocument, paragraph } from './markdown.js';
import { dataCategoriesTable, partiesTable, profileNote, retentionTable, securityTable } from './sections.js';

/** The clauses of GDPR art. 28 between the chain and its health-data host, the negotiated values left blank. */
export function renderProcessorClauses(f: ComplianceFacts): string {
  return markdownDocument(bi('Clauses de sous-traitance (RGPD art. 28) avec l’hébergeur de données de santé', 'Processor clauses (GDPR art. 28) with the health-data host'), [
    paragraph(profileNote(f)),
    heading(2, bi('1. Parties', '1. Parties')),
    partiesTable(f),
    heading(2, bi('2. Objet et durée', '2. Subject matter and duration')),
    paragraph(
      bi(
        `L’hébergeur héberge et exploite, pour le compte du responsable du traitement, la passerelle de transmission des résultats de dépistage à SI-DEP, sa base de données, son gestionnaire de clés et leurs sauvegardes, sous certification HDS (activités d’hébergement, d’administration et d’exploitation, et de sauvegarde). Durée : ${BLANK}`,
        `The host hosts and operates, on the controller's behalf, the gateway relaying screening results to SI-DEP, its database, its key manager and their backups, under HDS certification (hosting, administration and operation, and backup activities). Duration: ${BLANK}`,
      ),
    ),
    heading(2, bi('3. Données et personnes concernées', '3. Data and data subjects')),
    dataCategoriesTable(),
    heading(2, bi('4. Obligations de l’hébergeur', '4. The host’s obligations')),
    bullets([
      bi('Ne traiter les données que sur instruction documentée du responsable du traitement.', 'Process the data only on the controller’s documented instructions.'),
      bi('Soumettre les personnes autorisées à une obligation de confidentialité.', 'Bind the persons authorised to process the data to confidentiality.'),
      bi('Maintenir la certification HDS et les mesures de sécurité ci-dessous (RGPD art. 32).', 'Keep the HDS certification and the security measures below (GDPR art. 32).'),
      bi('N’héberger les données, sauvegardes comprises, que dans l’Union européenne.', 'Host the data, backups included, within the European Union only.'),
      bi('N’avoir accès ni aux clés maîtresses ni aux données en clair.', 'Have access neither to the master keys nor to plaintext data.'),
    ]),
    securityTable(f),
    heading(2, bi('5. Sous-traitants ultérieurs', '5. Sub-processors')),
    paragraph(
      bi(
        `Aucun sous-traitant ultérieur sans autorisation écrite préalable du responsable du traitement ; liste autorisée : ${BLANK} ; délai de préavis pour tout changement : ${BLANK}`,
        `No sub-processor without the controller's prior written authorisation; authorised list: ${BLANK}; notice period for any change: ${BLANK}`,
      ),
    ),
    heading(2, bi('6. Assistance', '6. Assistance')),
    paragraph(
      bi(
        `L’hébergeur aide le responsable du traitement à répondre aux demandes des personnes, à réaliser l’analyse d’impact et à notifier les violations ; délai de réponse : ${BLANK}`,
        `The host helps the controller answer data subjects' requests, carry out the impact assessment and notify breaches; response time: ${BLANK}`,
      ),
    ),
    heading(2, bi('7. Violation de données', '7. Personal data breach')),
    paragraph(
      bi(
        `L’hébergeur notifie toute violation au responsable du traitement dans les 48 heures au plus après en avoir pris connaissance, ou dans le délai convenu : ${BLANK}`,
        `The host notifies any breach to the controller within 48 hours at most of becoming aware of it, or within the agreed time: ${BLANK}`,
      ),
    ),
    heading(2, bi('8. Fin du contrat', '8. End of the contract')),
    paragraph(
      bi(
        `Au terme du contrat, l’hébergeur restitue ou détruit les données, puis les sauvegardes à l’échéance de leur durée de conservation ci-dessous, et en remet une attestation ; délai : ${BLANK}`,
        `At the end of the contract, the host returns or destroys the data, then the backups when their retention below ends, and certifies it; time limit: ${BLANK}`,
      ),
    ),
    retentionTable(f),
    heading(2, bi('9. Audits', '9. Audits')),
    paragraph(
      bi(
        `L’hébergeur met à disposition toute information nécessaire et permet les audits du responsable du traitement ou d’un auditeur mandaté ; fréquence et préavis : ${BLANK}`,
        `The host makes available all necessary information and allows audits by the controller or an auditor it appoints; frequency and notice: ${BLANK}`,
      ),
    ),
    heading(2, bi('10. Signatures', '10. Signatures')),
    paragraph(bi(`Pour le responsable du traitement : ${BLANK} — Pour l’hébergeur : ${BLANK}`, `For the controller: ${BLANK} — For the host: ${BLANK}`)),
  ]);
}
