import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { kindLabel, statusLabel } from '../status.js';
import type { Reference, ResultDetail, ResultRow } from '../../../gateway/src/api-types.js';
// the table itself, not the lifecycle's index (which brings the database code)
import { RESULT_STATUSES } from '../../../gateway/src/results/lifecycle/statuses.js';
import { RevealResult } from '../counter/reveal-result.js';
import { ReceiptView } from './receipt-view.js';
import { useLoad } from './use-load.js';
import { deliveryProblemWords } from './delivery-words.js';
import { TableScroll } from './table-scroll.js';

function initialQuery(): { id: string; status: string } {
  const params = new URLSearchParams(window.location.hash.split('?')[1] ?? '');
  return { id: params.get('id') ?? '', status: params.get('status') ?? '' };
}

/**
 * Find a result by id or status; the detail shows its history and attempts, no personal data.
 * Those who may reveal (a pharmacy's own people) open the receipt for a stated purpose, audited.
 */
export function ResultsPage(props: { canReveal: boolean }) {
  const { t, language } = useI18n();
  const locale = language === 'fr' ? 'fr-FR' : 'en-GB';
  const reference = useLoad<Reference>(props.canReveal ? '/reference' : undefined).data;
  const [form, setForm] = useState(initialQuery);
  const [query, setQuery] = useState(initialQuery);
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v)).toString();
  const list = useLoad<{ items: ResultRow[] }>(`/admin/results?${qs}`);
  const [open, setOpen] = useState<string | undefined>(() => initialQuery().id || undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery(form);
    setOpen(form.id || undefined);
  };
  return (
    <>
      <h1>{t('results.title')}</h1>
      <p className="note">{t('results.noPersonalData')}</p>
      <form className="row search" onSubmit={submit}>
        <div className="field">
          <label htmlFor="q-id">{t('results.id')}</label>
          <input id="q-id" className="mono" spellCheck={false} value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value.trim() })} />
        </div>
        <div className="field">
          <label htmlFor="q-status">{t('results.status')}</label>
          <select id="q-status" value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value })}>
            <option value="">{t('results.any')}</option>
            {RESULT_STATUSES.map((s) => <option key={s} value={s}>{statusLabel(t, s)}</option>)}
          </select>
        </div>
        <button type="submit" className="primary">{t('results.search')}</button>
      </form>
      {list.failure !== undefined && <ProblemMessage error={list.failure} />}
      {list.data && list.data.items.length === 0 && <p>{t('results.none')}</p>}
      {list.data && list.data.items.length > 0 && (
        <TableScroll label={t('results.title')}>
        <table>
          <thead>
            <tr><th scope="col">{t('results.id')}</th><th scope="col">{t('results.pharmacy')}</th><th scope="col">{t('results.status')}</th><th scope="col">{t('results.receivedAt')}</th><th scope="col">{t('results.deliveredAt')}</th></tr>
          </thead>
          <tbody>
            {list.data.items.map((r) => (
              <tr key={r.id}>
                <td className="mono"><button type="button" className="link" aria-expanded={open === r.id} onClick={() => setOpen(open === r.id ? undefined : r.id)}>{r.id}</button></td>
                <td>{r.pharmacy.name} ({r.pharmacy.finess})</td>
                <td><span className={`status status-${r.status}`}>{statusLabel(t, r.status)}</span>{r.problem && deliveryProblemWords(r.problem.code, language) !== statusLabel(t, r.status) ? ` — ${deliveryProblemWords(r.problem.code, language)}` : null}</td>
                <td>{new Date(r.receivedAt).toLocaleString(locale)}</td>
                <td>{r.deliveredAt ? new Date(r.deliveredAt).toLocaleString(locale) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </TableScroll>
      )}
      {open && <ResultDetailView id={open} reference={reference} />}
    </>
  );
}

function ResultDetailView(props: { id: string; reference: Reference | undefined }) {
  const { t, language } = useI18n();
  const locale = language === 'fr' ? 'fr-FR' : 'en-GB';
  const { data, failure } = useLoad<ResultDetail>(`/admin/results/${encodeURIComponent(props.id)}`);
  if (failure) return <ProblemMessage error={failure} />;
  if (!data) return <p>{t('app.loading')}</p>;
  return (
    <section className="detail" aria-label={props.id}>
      <h2>{t('results.history')}</h2>
      <ol className="timeline">
        {data.history.map((h) => (
          <li key={`${h.at}${h.event}`}><time dateTime={h.at}>{new Date(h.at).toLocaleString(locale)}</time> {statusLabel(t, h.event)}</li>
        ))}
      </ol>
      {data.result.sidepAckId && <p>{t('results.ack')}: <code>{data.result.sidepAckId}</code></p>}
      {data.result.sidepAckId && <ReceiptView id={data.result.id} />}
      {props.reference && !data.result.purgedAt && <p><RevealResult resultId={data.result.id} pharmacy={data.result.pharmacy} reference={props.reference} /></p>}
      <h2>{t('results.attempts')}</h2>
      <TableScroll label={t('results.attempts')}>
      <table>
        <thead>
          <tr><th scope="col">{t('dead.message')}</th><th scope="col">{t('results.kind')}</th><th scope="col">{t('results.status')}</th><th scope="col">{t('dead.attempts')}</th><th scope="col">{t('dead.reason')}</th></tr>
        </thead>
        <tbody>
          {data.messages.map((m) => (
            <tr key={m.id}>
              <td className="mono">{m.id.slice(0, 8)}</td>
              <td>{kindLabel(t, m.kind)}</td>
              <td>{statusLabel(t, m.state)}</td>
              <td>{m.attempts}</td>
              <td>{deliveryProblemWords(m.deadReason?.code ?? m.lastErrorCode ?? '', language)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </TableScroll>
    </section>
  );
}
