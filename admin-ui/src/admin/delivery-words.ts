import type { Language } from '../i18n.js';
import { reasonWords } from './audit-words.js';

type Words = readonly [fr: string, en: string];
const pick = (w: Words, language: Language) => (language === 'fr' ? w[0] : w[1]);

/** Why an attempt failed and will be retried (`sidep/fhir-client.ts` codes). */
const RETRY_WORDS: Readonly<Record<string, Words>> = {
  timeout: ['SI-DEP n’a pas répondu à temps', 'SI-DEP did not answer in time'],
  network: ['SI-DEP injoignable', 'SI-DEP unreachable'],
  'bad-ack': ['Accusé de SI-DEP illisible', 'Unreadable SI-DEP acknowledgement'],
};

/** FHIR IssueType codes SI-DEP puts in a refusal (hl7.org/fhir/valueset-issue-type). */
const ISSUE_WORDS: Readonly<Record<string, Words>> = {
  invalid: ['Contenu non valable', 'Invalid content'],
  structure: ['Structure non valable', 'Invalid structure'],
  required: ['Élément obligatoire absent', 'Required element missing'],
  value: ['Valeur non valable', 'Invalid value'],
  invariant: ['Règle de cohérence non respectée', 'Consistency rule broken'],
  'business-rule': ['Règle métier de SI-DEP non respectée', 'SI-DEP business rule broken'],
  'code-invalid': ['Code inconnu de SI-DEP', 'Code unknown to SI-DEP'],
  'too-long': ['Valeur trop longue', 'Value too long'],
  duplicate: ['Déjà reçu par SI-DEP', 'Already received by SI-DEP'],
  conflict: ['En conflit avec un envoi précédent', 'Conflicts with an earlier message'],
  'not-found': ['Introuvable chez SI-DEP', 'Not found at SI-DEP'],
  'not-supported': ['Non pris en charge par SI-DEP', 'Not supported by SI-DEP'],
  security: ['Refus de sécurité', 'Security refusal'],
  forbidden: ['Refusé à cet émetteur', 'Forbidden to this sender'],
  processing: ['Erreur de traitement chez SI-DEP', 'Processing error at SI-DEP'],
  exception: ['Erreur chez SI-DEP', 'Error at SI-DEP'],
};

/**
 * Why a message failed, in words: a retry's cause (`http-503` as "SI-DEP answered with an error"),
 * or a dead letter's reason (the audit log's words, `sidep-rejected`…); an unknown code as is.
 */
export function deliveryProblemWords(code: string, language: Language): string {
  if (Object.hasOwn(RETRY_WORDS, code)) return pick(RETRY_WORDS[code] as Words, language);
  if (/^http-\d{3}$/.test(code)) return language === 'fr' ? 'SI-DEP a répondu par une erreur' : 'SI-DEP answered with an error';
  return reasonWords(code, language);
}

/** One issue of a refusal: its type in words (the FHIR path is shown beside it, as is). */
export function issueWords(code: string, language: Language): string {
  return Object.hasOwn(ISSUE_WORDS, code) ? pick(ISSUE_WORDS[code] as Words, language) : language === 'fr' ? 'Anomalie signalée par SI-DEP' : 'Issue reported by SI-DEP';
}
