import { useEffect, useState } from 'react';
import type { Me, Pharmacy, Reference } from '../../../gateway/src/api-types.js';
import { call } from '../api.js';
import { useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { problemAdvice, statusLabel, type StatusView } from '../status.js';
import { CancelResult, CorrectResult } from './result-changes.js';
import { RevealResult } from './reveal-result.js';

const REFRESH_MS = 3_000;

/** Midnight today in the browser's zone, as RFC 3339 for `?since=`. */
function startOfToday(): string {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}

/**
 * Today's results of the pharmacy with their delivery status, refreshed every few seconds;
 * a problem comes in plain words with what to do. Status views hold no personal data. A result
 * still current can be corrected (full re-entry with a reason) or cancelled (reason, confirmation).
 */
export function TodayList(props: { me: Me; pharmacy: Pharmacy; reference: Reference; highlight?: string }) {
  const { t, language } = useI18n();
  const [items, setItems] = useState<StatusView[]>();
  const [failure, setFailure] = useState<unknown>();
  const [correcting, setCorrecting] = useState<string>();
  const [changed, setChanged] = useState<{ message: 'change.cancelled' | 'change.corrected'; id: string }>();
  // a change shows at once, not at the next refresh
  const [generation, setGeneration] = useState(0);
  const pharmacyFiness = props.pharmacy.finess;

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
  }, [pharmacyFiness, props.highlight, generation]);

  const afterChange = (message: 'change.cancelled' | 'change.corrected', id: string) => {
    setCorrecting(undefined);
    setChanged({ message, id: id.slice(0, 8) });
    setGeneration((g) => g + 1);
  };
  const changeable = (r: StatusView) => !r.purgedAt && !r.supersededBy && r.status !== 'cancelled';

  const time = (iso: string) => new Date(iso).toLocaleTimeString(language === 'fr' ? 'fr-FR' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
  return (
    <section className="today no-print" aria-labelledby="today-title">
      <h2 id="today-title">{t('today.title')}</h2>
      {failure !== undefined && <ProblemMessage error={failure} />}
      {changed && <p role="status" className="ok">{t(changed.message, { id: changed.id })}</p>}
      {correcting && (
        <CorrectResult key={correcting} resultId={correcting} me={props.me} pharmacy={props.pharmacy} reference={props.reference} onClose={() => setCorrecting(undefined)} onDone={(id) => afterChange('change.corrected', id)} />
      )}
      {items && items.length === 0 && <p>{t('today.empty')}</p>}
      {items && items.length > 0 && (
        <table>
          <thead>
            <tr><th scope="col">{t('today.time')}</th><th scope="col">{t('receipt.id')}</th><th scope="col">{t('today.status')}</th><th scope="col">{t('today.what')}</th><th scope="col"><span className="sr-only">{t('today.actions')}</span></th></tr>
          </thead>
          <tbody aria-live="polite">
            {items.map((r) => (
              <tr key={r.id} className={r.id === props.highlight ? 'highlight' : undefined} data-result-id={r.id}>
                <td>{time(r.receivedAt)}</td>
                <td className="mono">{r.id.slice(0, 8)}</td>
                <td><span className={`status status-${r.status}`}>{statusLabel(t, r.status)}</span></td>
                <td>{problemAdvice(t, r)}</td>
                <td className="row-actions">
                  {!r.purgedAt && <RevealResult resultId={r.id} pharmacy={props.pharmacy} reference={props.reference} />}
                  {changeable(r) && (
                    <>
                      <button type="button" className="link" onClick={() => setCorrecting(r.id)}>{t('change.correct')}<span className="sr-only"> {r.id.slice(0, 8)}</span></button>
                      <CancelResult resultId={r.id} onDone={() => afterChange('change.cancelled', r.id)} />
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
