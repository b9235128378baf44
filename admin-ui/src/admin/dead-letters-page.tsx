import { useRef, useState } from 'react';
import type { DeadReason } from '../../../gateway/src/db/column-types.js';
import { call } from '../api.js';
import { useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { kindLabel } from '../status.js';
import { deliveryProblemWords, issueWords } from './delivery-words.js';
import { TableScroll } from './table-scroll.js';
import { useLoad } from './use-load.js';

/** A dead-lettered message: ids, codes and FHIR paths, never the values sent. */
export interface DeadLetter {
  id: string;
  resultId: string;
  kind: string;
  attempts: number;
  createdAt: string;
  lastErrorCode: string | null;
  deadReason: DeadReason | null;
  pharmacy: { finess: string; name: string };
}

/** Dead letters, redriven unchanged one by one or as a selection, after a confirmation. */
export function DeadLettersPage() {
  const { t, n, language } = useI18n();
  const { data, failure, reload } = useLoad<{ items: DeadLetter[] }>('/outbox/dead-letters');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState<string[]>();
  const [done, setDone] = useState<string>();
  const [actionFailure, setActionFailure] = useState<unknown>();
  const dialog = useRef<HTMLDialogElement>(null);

  const ask = (ids: string[]) => {
    setConfirming(ids);
    setDone(undefined);
    dialog.current?.showModal();
  };
  const redrive = async () => {
    const ids = confirming ?? [];
    dialog.current?.close();
    try {
      // one request per message: each redrive is its own audited action
      let redriven = 0;
      for (const id of ids) redriven += (await call<{ redriven: string[] }>('POST', `/outbox/dead-letters/${encodeURIComponent(id)}/redrive`)).redriven.length;
      setDone(n('dead.done', redriven));
      setSelected(new Set());
      reload();
    } catch (e) {
      setActionFailure(e);
    }
  };
  const toggle = (id: string) => setSelected((old) => {
    const next = new Set(old);
    if (!next.delete(id)) next.add(id);
    return next;
  });

  if (failure) return <ProblemMessage error={failure} />;
  if (!data) return <p>{t('app.loading')}</p>;
  return (
    <>
      <h1>{t('dead.title')}</h1>
      {done && <p role="status" className="ok">{done}</p>}
      {actionFailure !== undefined && <ProblemMessage error={actionFailure} />}
      {data.items.length === 0 ? (
        <p>{t('dead.empty')}</p>
      ) : (
        <>
          <button type="button" disabled={selected.size === 0} onClick={() => ask([...selected])}>{t('dead.redriveSelected', { count: selected.size })}</button>
          <TableScroll label={t('dead.title')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('dead.select')}</th>
                <th scope="col">{t('dead.message')}</th><th scope="col">{t('results.id')}</th><th scope="col">{t('results.kind')}</th>
                <th scope="col">{t('results.pharmacy')}</th><th scope="col">{t('dead.createdAt')}</th>
                <th scope="col">{t('dead.reason')}</th><th scope="col">{t('dead.attempts')}</th><th scope="col"><span className="sr-only">{t('dead.redrive')}</span></th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((m) => (
                <tr key={m.id} data-message-id={m.id}>
                  <td><input type="checkbox" aria-label={`${t('dead.select')} ${m.id.slice(0, 8)}`} checked={selected.has(m.id)} onChange={() => toggle(m.id)} /></td>
                  <td className="mono">{m.id.slice(0, 8)}</td>
                  <td className="mono"><a href={`#/results?id=${m.resultId}`}>{m.resultId.slice(0, 8)}</a></td>
                  <td>{kindLabel(t, m.kind)}</td>
                  <td>{m.pharmacy.name} ({m.pharmacy.finess})</td>
                  <td><time dateTime={m.createdAt}>{new Date(m.createdAt).toLocaleString(language === 'fr' ? 'fr-FR' : 'en-GB')}</time></td>
                  <td>
                    {deliveryProblemWords(m.deadReason?.code ?? m.lastErrorCode ?? '', language)}
                    {/* the FHIR path tells the pharmacy which field to correct */}
                    {m.deadReason?.issues?.map((i) => <div key={`${i.code}${i.expression}`} className="issue">{issueWords(i.code, language)}{language === 'fr' ? ' : ' : ': '}<code className="path">{i.expression}</code></div>)}
                  </td>
                  <td>{m.attempts}</td>
                  <td><button type="button" onClick={() => ask([m.id])}>{t('dead.redrive')}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
          </TableScroll>
        </>
      )}
      <dialog ref={dialog} aria-labelledby="confirm-text" onClose={() => setConfirming(undefined)}>
        <p id="confirm-text">{n('dead.confirm', confirming?.length ?? 0)}</p>
        <div className="actions">
          <button type="button" onClick={() => dialog.current?.close()}>{t('dead.cancel')}</button>
          <button type="button" className="primary" onClick={redrive}>{t('dead.confirmYes')}</button>
        </div>
      </dialog>
    </>
  );
}
