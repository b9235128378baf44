import { useEffect, useRef, useState } from 'react';
import type { CounterList, CounterRow, Me, Pharmacy, Reference } from '../../../gateway/src/api-types.js';
import { call } from '../api.js';
import { codeLabel, useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { problemAdvice, statusLabel } from '../status.js';
import type { Submitted } from './entry-form.js';
import { Receipt, ReceiptDialog } from './receipt.js';
import { CancelResult, CorrectResult } from './result-changes.js';
import { RevealResult } from './reveal-result.js';

const REFRESH_MS = 3_000;
/** How far before the last read a poll starts: a result whose transaction was still open then. */
const POLL_OVERLAP_MS = 10_000;

/** Midnight today in the browser's zone, as RFC 3339 for `?since=`. */
function startOfToday(): string {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}

/** `rows` with `changed` in place of the rows of the same id, newest received first. */
function merged(rows: readonly CounterRow[], changed: readonly CounterRow[]): CounterRow[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const r of changed) byId.set(r.id, r);
  return [...byId.values()].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
}

const short = (id: string) => id.slice(0, 8);

/**
 * Today's results of the pharmacy with the patient's initials, the result and the delivery
 * status, refreshed every few seconds; a problem comes in plain words with what to do. The
 * server audits each row shown. A result still current can be corrected (full re-entry with a
 * reason) or cancelled (reason, confirmation); either shows in its row at once.
 */
export function TodayList(props: { me: Me; pharmacy: Pharmacy; reference: Reference; highlight?: string }) {
  const { t, language } = useI18n();
  const [items, setItems] = useState<CounterRow[]>();
  const [failure, setFailure] = useState<unknown>();
  const [correcting, setCorrecting] = useState<CounterRow>();
  const [changed, setChanged] = useState<{ message: 'change.cancelled' | 'change.corrected'; id: string }>();
  const [newReceipt, setNewReceipt] = useState<Submitted>();
  // a change reloads the list at once, not at the next refresh
  const [generation, setGeneration] = useState(0);
  const pharmacyFiness = props.pharmacy.finess;

  // each poll asks only for rows changed since the last one: every row shown is opened and
  // audited, so a list of the day re-read every few seconds would do both for nothing
  const lastRead = useRef<{ finess: string; asOf: string }>(undefined);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      const known = lastRead.current?.finess === pharmacyFiness ? lastRead.current : undefined;
      const since = known ? new Date(Date.parse(known.asOf) - POLL_OVERLAP_MS).toISOString() : startOfToday();
      call<CounterList>('GET', `/counter/results?since=${encodeURIComponent(since)}&limit=500&pharmacy=${pharmacyFiness}`)
        .then((page) => {
          if (stopped) return;
          lastRead.current = { finess: pharmacyFiness, asOf: page.asOf };
          setItems((rows) => merged(known ? (rows ?? []) : [], page.items));
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
    setChanged({ message, id: short(id) });
    setGeneration((g) => g + 1);
  };
  // the cancellation is accepted: its row says so now, before the list comes back (in flight loads are dropped)
  const afterCancel = (id: string) => {
    setItems((rows) => rows?.map((r) => (r.id === id ? { ...r, status: 'cancelled' } : r)));
    afterChange('change.cancelled', id);
  };
  // a corrected result the patient was told otherwise needs a new receipt
  const afterCorrection = (original: CounterRow, correction: Submitted) => {
    afterChange('change.corrected', correction.id);
    if (original.result !== null && correction.result !== original.result) setNewReceipt(correction);
  };
  const changeable = (r: CounterRow) => !r.purgedAt && !r.supersededBy && r.status !== 'cancelled';

  const time = (iso: string) => new Date(iso).toLocaleTimeString(language === 'fr' ? 'fr-FR' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
  return (
    <section className="today no-print" aria-labelledby="today-title">
      <h2 id="today-title">{t('counter.todayAt', { name: props.pharmacy.name, finess: props.pharmacy.finess })}</h2>
      {failure !== undefined && <ProblemMessage error={failure} />}
      {changed && <p role="status" className="ok">{t(changed.message, { id: changed.id })}</p>}
      {newReceipt && <NewReceipt submitted={newReceipt} reference={props.reference} onClose={() => setNewReceipt(undefined)} />}
      {correcting && (
        <CorrectResult
          key={correcting.id}
          resultId={correcting.id}
          me={props.me}
          pharmacy={props.pharmacy}
          reference={props.reference}
          onClose={() => setCorrecting(undefined)}
          onDone={(s) => afterCorrection(correcting, s)}
        />
      )}
      {items && items.length === 0 && <p>{t('today.empty')}</p>}
      {items && items.length > 0 && (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('today.time')}</th>
                <th scope="col">{t('counter.patient')}</th>
                <th scope="col">{t('entry.result')}</th>
                <th scope="col">{t('receipt.id')}</th>
                <th scope="col">{t('today.status')}</th>
                <th scope="col"><span className="sr-only">{t('today.actions')}</span></th>
              </tr>
            </thead>
            <tbody aria-live="polite">
              {items.map((r) => (
                <tr key={r.id} className={r.id === props.highlight ? 'highlight' : undefined} data-result-id={r.id}>
                  <td>{time(r.receivedAt)}</td>
                  <td className="initials">{r.initials ?? '—'}</td>
                  <td className="result">{r.result ? codeLabel(t, 'result', r.result, r.result) : '—'}</td>
                  <td>
                    <span className="mono">{short(r.id)}</span>
                    {r.replaces && <span className="change-link">{t('counter.replaces', { id: short(r.replaces) })}</span>}
                    {r.supersededBy && <span className="change-link">{t('counter.replacedBy', { id: short(r.supersededBy) })}</span>}
                  </td>
                  <td>
                    <span className={`status status-${r.status}`}>{statusLabel(t, r.status)}</span>
                    {problemAdvice(t, r) && <span className="change-link">{problemAdvice(t, r)}</span>}
                  </td>
                  <td className="row-actions">
                    {!r.purgedAt && <RevealResult resultId={r.id} pharmacy={props.pharmacy} reference={props.reference} />}
                    {changeable(r) && (
                      <>
                        <button type="button" className="link" onClick={() => setCorrecting(r)}>{t('change.correct')}<span className="sr-only"> {short(r.id)}</span></button>
                        <CancelResult resultId={r.id} onDone={() => afterCancel(r.id)} />
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The receipt of a correction that changed the result, in a dialog that prints it alone. */
function NewReceipt(props: { submitted: Submitted; reference: Reference; onClose: () => void }) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => dialog.current?.showModal(), []);
  return (
    <ReceiptDialog ref={dialog} aria-labelledby="new-receipt-lead" onClose={props.onClose}>
      <p id="new-receipt-lead" className="no-print">{t('counter.resultChanged')}</p>
      <Receipt submitted={props.submitted} reference={props.reference} onNew={() => dialog.current?.close()} newLabel={t('today.close')} />
    </ReceiptDialog>
  );
}
