import { renderDpia } from './dpia.js';
import type { ComplianceFacts } from './facts.js';
import { renderNotice } from './notice.js';
import { renderProcessorClauses } from './processor-clauses.js';
import { renderRecord } from './record.js';

export { complianceFacts, type ComplianceFacts } from './facts.js';
export { BLANK } from './markdown.js';

/** The documents `gateway compliance <name>` prints, each Markdown from the same facts. */
export const COMPLIANCE_DOCUMENTS: Readonly<Record<'record' | 'dpia' | 'processor-clauses' | 'notice', (f: ComplianceFacts) => string>> = {
  record: renderRecord,
  dpia: renderDpia,
  'processor-clauses': renderProcessorClauses,
  notice: renderNotice,
};

export type ComplianceDocument = keyof typeof COMPLIANCE_DOCUMENTS;

export function isComplianceDocument(name: string | undefined): name is ComplianceDocument {
  return name !== undefined && Object.hasOwn(COMPLIANCE_DOCUMENTS, name);
}
