import { isMessageKey, type Translate } from './i18n.js';

import type { ResultStatusView as StatusView } from '../../gateway/src/api-types.js';

/** The gateway's status resource (DESIGN.md "Status resource"): no personal data. */
export type { StatusView };

/** A status or message state in the person's language; an unknown one as is. */
export function statusLabel(t: Translate, status: string): string {
  const key = `status.${status}`;
  return isMessageKey(key) ? t(key) : status;
}

/** A message kind (original, correction, cancellation) in the person's language. */
export function kindLabel(t: Translate, kind: string): string {
  const key = `kind.${kind}`;
  return isMessageKey(key) ? t(key) : kind;
}

/**
 * What a pharmacist should do about a result, in plain words, or nothing when all is well. Only
 * a refusal by SI-DEP (`sidep-rejected`) is the pharmacy's to correct; giving up after retries
 * (`max-attempts`, `max-age`) or a message the gateway could not build is not.
 */
export function problemAdvice(t: Translate, r: Pick<StatusView, 'status' | 'problem'>): string {
  if (r.status === 'retrying') return t('problem.retrying');
  if (r.status !== 'dead-lettered') return '';
  switch (r.problem?.code) {
    case 'max-attempts':
    case 'max-age':
      return t('problem.gave-up');
    case 'message-build-failed':
      return t('problem.message-build-failed');
    default:
      return t('problem.default');
  }
}
