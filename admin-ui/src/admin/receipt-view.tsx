import { useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { useLoad } from './use-load.js';

/** The key id of a compact JWS's protected header, shown beside the receipt for a reader who checks it by hand. */
function keyIdOf(jws: string): string {
  try {
    const header = JSON.parse(atob((jws.split('.')[0] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : '';
  } catch {
    return '';
  }
}

/** A delivered result's signed receipt, printable, with how to verify it. */
export function ReceiptView(props: { id: string }) {
  const { t } = useI18n();
  const { data, failure } = useLoad<string>(`/admin/results/${encodeURIComponent(props.id)}/receipt`);
  if (failure) return <ProblemMessage error={failure} />;
  if (!data) return <p>{t('app.loading')}</p>;
  const jwksUrl = `${window.location.origin}/.well-known/jwks.json`;
  return (
    <section className="delivery-receipt" aria-label={t('deliveryReceipt.title')}>
      <h2>{t('deliveryReceipt.title')}</h2>
      <pre className="mono receipt-jws">{data}</pre>
      <p>{t('deliveryReceipt.kid')}: <code>{keyIdOf(data)}</code></p>
      <p>{t('deliveryReceipt.verify')} <a href={jwksUrl}>{jwksUrl}</a></p>
      <p><button type="button" onClick={() => window.print()}>{t('deliveryReceipt.print')}</button></p>
    </section>
  );
}
