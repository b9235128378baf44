import { useRef, useState } from 'react';
import type { Pharmacy, Reference } from '../../../gateway/src/api-types.js';
import { call } from '../api.js';
import { useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { Receipt, ReceiptDialog, type ReceiptContent } from './receipt.js';

const PURPOSES = ['receipt-reprint', 'patient-request', 'correction'] as const;

/** `POST /test-results/{id}/reveal`: what a stated purpose opens (audited). */
interface Revealed {
  id: string;
  patient: { birthName: string; firstNames: string[]; usedName?: string };
  test: { loinc: string; result: string; resultAt: string };
}

/**
 * Opens a sealed result as its receipt, after the person states why: the server audits the
 * purpose before it decrypts anything. Nothing personal is shown until then. The dialog sits
 * outside today's list, so the receipt prints.
 */
export function RevealResult(props: { resultId: string; pharmacy: Pick<Pharmacy, 'finess' | 'name'>; reference: Reference }) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const [purpose, setPurpose] = useState<(typeof PURPOSES)[number]>('receipt-reprint');
  const [shown, setShown] = useState<ReceiptContent>();
  const [failure, setFailure] = useState<unknown>();
  const short = props.resultId.slice(0, 8);

  const open = () => {
    setShown(undefined);
    setFailure(undefined);
    dialog.current?.showModal();
  };
  const reveal = async () => {
    try {
      const r = await call<Revealed>('POST', `/test-results/${encodeURIComponent(props.resultId)}/reveal`, { body: { purpose } });
      const p = r.patient;
      setShown({ id: r.id, pharmacy: props.pharmacy, patientName: `${p.firstNames.join(' ')} ${p.usedName ?? p.birthName}`, loinc: r.test.loinc, result: r.test.result, resultAt: r.test.resultAt });
    } catch (e) {
      setFailure(e);
    }
  };

  return (
    <>
      <button type="button" className="link" onClick={open}>{t('today.reveal')}<span className="sr-only"> {short}</span></button>
      <ReceiptDialog ref={dialog} aria-label={`${t('today.reveal')} ${short}`} onClose={() => setShown(undefined)}>
        {shown ? (
          <Receipt submitted={shown} reference={props.reference} onNew={() => dialog.current?.close()} newLabel={t('today.close')} />
        ) : (
          <>
            <p>{t('today.revealWhy')}</p>
            <label htmlFor={`reveal-purpose-${props.resultId}`}>{t('today.purpose')}</label>{' '}
            <select id={`reveal-purpose-${props.resultId}`} value={purpose} onChange={(e) => setPurpose(e.target.value as (typeof PURPOSES)[number])}>
              {PURPOSES.map((p) => <option key={p} value={p}>{t(`purpose.${p}`)}</option>)}
            </select>
            {failure !== undefined && <ProblemMessage error={failure} />}
            <div className="actions">
              <button type="button" onClick={() => dialog.current?.close()}>{t('dead.cancel')}</button>
              <button type="button" className="primary" onClick={() => void reveal()}>{t('today.revealYes')}</button>
            </div>
          </>
        )}
      </ReceiptDialog>
    </>
  );
}
