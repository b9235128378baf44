import { ApiProblem } from './api.js';
import { useI18n } from './i18n.js';
import { reasonWords } from './admin/audit-words.js';

/** A failed call in plain words, with the request id support needs and nothing else. */
export function ProblemMessage(props: { error: unknown }) {
  const { t, language } = useI18n();
  const p = props.error instanceof ApiProblem ? props.error : undefined;
  if (p?.status === 403) return <p role="alert" className="error">{t('app.forbidden')}</p>;
  return <p role="alert" className="error">{t('app.error', { code: p ? reasonWords(p.code, language) : t('app.unreachable'), instance: p?.instance || '—' })}</p>;
}
