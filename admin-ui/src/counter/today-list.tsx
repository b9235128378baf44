import { useEffect, useRef, useState } from 'react';
import { call, type Pharmacy } from '../api.js';
import { useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { problemAdvice, statusLabel, type StatusView } from '../status.js';
import { Receipt } from './receipt.js';
import type { Reference } from './reference.js';
import type { Submitted } from './entry-form.js';

const PURPOSES = ['receipt-reprint', 'patient-request', 'correction'] as const;

/** `POST /test-results/{id}/reveal`: what a stated purpose opens (audited). */
interface Revealed {
  id: string;
  patient: { birthName: string; firstNames: string[]; usedName?: string };
  test: { loinc: string; result: string; resultAt: string };
}

const REFRESH_MS = 3_000;

/** Midnight today in the browser's zone, as RFC 3339 for `?since=`. */
function startOfToday(): string {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}

/**
 * Today's results of the pharmacy with their delivery status, refreshed every few seconds;
 * a problem comes in plain words with what to do. Status views hold no personal data.
 */
export function TodayList(props: { pharmacy: Pharmacy; reference: Reference; highlight?: string }) {
  const { t, language } = useI18n();
  const [items, setItems] = useState<StatusView[]>();
  const [failure, setFailure] = useState<unknown>();
  const [asking, setAsking] = useState<string>();
  const [purpose, setPurpose] = useState<(typeof PURPOSES)[number]>('receipt-reprint');
  const [shown, setShown] = useState<Submitted>();
  const dialog = useRef<HTMLDialogElement>(null);
  const pharmacyFiness = props.pharmacy.finess;

  const ask = (id: string) => {
    setAsking(id);
    setShown(undefined);
    dialog.current?.showModal();
  };
  const reveal = async () => {
    try {
      const r = await call<Revealed>('POST', `/test-results/${encodeURIComponent(asking ?? '')}/reveal`, { body: { purpose } });
      const p = r.patient;
      setShown({ id: r.id, pharmacy: props.pharmacy, patientName: `${p.firstNames.join(' ')} ${p.usedName ?? p.birthName}`, loinc: r.test.loinc, result: r.test.result, resultAt: r.test.resultAt });
    } catch (e) {
      dialog.current?.close();
      setFailure(e);
    }
  };

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      call<{ items: StatusView[] }>('GET', `/test-results?since=${encodeURIComponent(startOfToday())}&limit=500&pharmacy=${pharmacyFiness}`)
        .then((page) => {
          if (stopped) return;
          setItems([...page.items].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt)));
          setFailure(undefined);
        })
        .catch((e) => !stopped && setFailure(e))
        .finally(() => {
          if (!stopped) timer = setTimeout(load, REFRESH_MS);
        });
    };
    load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
    // a new submission (highlight) shows at once, not at the next refresh
  }, [pharmacyFiness, props.highlight]);

  const time = (iso: string) => new Date(iso).toLocaleTimeString(language === 'fr' ? 'fr-FR' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
  return (
    <section className="today no-print" aria-labelledby="today-title">
      <h2 id="today-title">{t('today.title')}</h2>
      {failure !== undefined && <ProblemMessage error={failure} />}
      {items && items.length === 0 && <p>{t('today.empty')}</p>}
      {items && items.length > 0 && (
        <table>
          <thead>
            <tr><th scope="col">{t('today.time')}</th><th scope="col">{t('receipt.id')}</th><th scope="col">{t('today.status')}</th><th scope="col">{t('today.what')}</th><th scope="col"><span className="sr-only">{t('today.reveal')}</span></th></tr>
          </thead>
          <tbody aria-live="polite">
            {items.map((r) => (
              <tr key={r.id} className={r.id === props.highlight ? 'highlight' : undefined} data-result-id={r.id}>
                <td>{time(r.receivedAt)}</td>
                <td className="mono">{r.id.slice(0, 8)}</td>
                <td><span className={`status status-${r.status}`}>{statusLabel(t, r.status)}</span></td>
                <td>{problemAdvice(t, r)}</td>
                <td>{!r.purgedAt && <button type="button" className="link" onClick={() => ask(r.id)}>{t('today.reveal')}<span className="sr-only"> {r.id.slice(0, 8)}</span></button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <dialog ref={dialog} aria-label={t('today.reveal')} onClose={() => setShown(undefined)}>
        {shown ? (
          <Receipt submitted={shown} reference={props.reference} onNew={() => dialog.current?.close()} newLabel={t('today.close')} />
        ) : (
          <>
            <p>{t('today.revealWhy')}</p>
            <label htmlFor="reveal-purpose">{t('today.purpose')}</label>{' '}
            <select id="reveal-purpose" value={purpose} onChange={(e) => setPurpose(e.target.value as (typeof PURPOSES)[number])}>
              {PURPOSES.map((p) => <option key={p} value={p}>{t(`purpose.${p}`)}</option>)}
            </select>
            <div className="actions">
              <button type="button" onClick={() => dialog.current?.close()}>{t('dead.cancel')}</button>
              <button type="button" className="primary" onClick={() => void reveal()}>{t('today.revealYes')}</button>
            </div>
          </>
        )}
      </dialog>
    </section>
  );
}
