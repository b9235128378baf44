import type { ComplianceFacts } from './facts.js';
import { bi, BLANK, heading, markdownDocument, paragraph } from './markdown.js';
import { profileNote } from './sections.js';

/** The information notice handed to people tested at the counter: short, plain words. */
export function renderNotice(f: ComplianceFacts): string {
  const controller = f.controllerName ?? BLANK;
  const dpo = f.dpoContact ?? BLANK;
  const kept = f.retention.deliveredDays;
  return markdownDocument(bi('Vos données de dépistage', 'Your screening data'), [
    paragraph(profileNote(f)),
    heading(2, bi('Qui ?', 'Who?')),
    paragraph(bi(`Votre pharmacie et ${controller}, responsable du traitement.`, `Your pharmacy and ${controller}, the controller.`)),
    heading(2, bi('Pourquoi ?', 'Why?')),
    paragraph(
      bi(
        'La loi oblige la pharmacie à transmettre le résultat de votre test, positif ou négatif, au système national SI-DEP (décret n° 2020-551 du 12 mai 2020). Vous ne pouvez pas vous y opposer.',
        'The law requires the pharmacy to send the result of your test, positive or negative, to the national SI-DEP system (décret n° 2020-551 of 12 May 2020). You cannot object to it.',
      ),
    ),
    heading(2, bi('Quelles données ?', 'What data?')),
    paragraph(
      bi(
        'Votre identité, votre numéro de sécurité sociale (NIR), vos coordonnées, votre adresse, le test et son résultat.',
        'Your identity, your social security number (NIR), your contact details, your address, the test and its result.',
      ),
    ),
    heading(2, bi('Combien de temps ?', 'How long?')),
    paragraph(
      bi(
        `Nous gardons vos données ${kept} jours après leur transmission à SI-DEP, puis nous les détruisons. SI-DEP les garde 3 mois au plus.`,
        `We keep your data ${kept} days after it is sent to SI-DEP, then destroy it. SI-DEP keeps it 3 months at most.`,
      ),
    ),
    heading(2, bi('Vos droits', 'Your rights')),
    paragraph(
      bi(
        `Vous pouvez accéder à vos données, les faire corriger, en limiter l’usage, et en demander l’effacement une fois la transmission faite. Écrivez au délégué à la protection des données : ${dpo}. Nous répondons sous un mois.`,
        `You may access your data, have it corrected, restrict its use, and ask for it to be erased once it has been sent. Write to the data protection officer: ${dpo}. We answer within one month.`,
      ),
    ),
    paragraph(
      bi(
        'Si vous pensez que vos droits ne sont pas respectés, vous pouvez saisir la CNIL (www.cnil.fr).',
        'If you think your rights are not respected, you may complain to the CNIL, the French data protection authority (www.cnil.fr).',
      ),
    ),
  ]);
}
