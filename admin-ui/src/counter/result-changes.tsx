import { useRef, useState } from 'react';
import type { Me, Pharmacy, Reference } from '../../../gateway/src/api-types.js';
import { ApiProblem, call } from '../api.js';
import { useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { EntryForm, type Submitted } from './entry-form.js';

/** DESIGN.md "Corrections": the reasons the server accepts (`intake/corrections.ts`). */
export const CORRECTION_REASONS = ['data-entry-error', 'wrong-patient-identity', 'wrong-result', 'wrong-test', 'wrong-collection-time'] as const;
export const CANCELLATION_REASONS = ['entered-in-error', 'duplicate', 'wrong-patient', 'test-not-performed'] as const;

/** A refused change in plain words: what happened and what to do. */
function ChangeProblem(props: { error: unknown }) {
  const { t } = useI18n();
  if (props.error instanceof ApiProblem && props.error.code === 'result-not-modifiable') return <p role="alert" className="error">{t('change.notModifiable')}</p>;
  if (props.error instanceof ApiProblem && props.error.code === 'not-found') return <p role="alert" className="error">{t('change.notFound')}</p>;
  return <ProblemMessage error={props.error} />;
}

/**
 * Cancels a result after a reason and a confirmation. One idempotency key per dialog: a double
 * click or a retry after a lost answer cancels once.
 */
export function CancelResult(props: { resultId: string; onDone: () => void }) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const key = useRef('');
  const [reason, setReason] = useState<(typeof CANCELLATION_REASONS)[number]>('entered-in-error');
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const short = props.resultId.slice(0, 8);

  const open = () => {
    key.current = crypto.randomUUID();
    setFailure(undefined);
    dialog.current?.showModal();
  };
  const cancel = async () => {
    setBusy(true);
    try {
      await call('POST', `/test-results/${encodeURIComponent(props.resultId)}/cancellation`, { body: { reason }, headers: { 'idempotency-key': key.current } });
      dialog.current?.close();
      props.onDone();
    } catch (e) {
      setFailure(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" className="link" onClick={open}>{t('change.cancel')}<span className="sr-only"> {short}</span></button>
      <dialog ref={dialog} aria-labelledby={`cancel-${props.resultId}`}>
        <p id={`cancel-${props.resultId}`}>{t('change.cancelWhy', { id: short })}</p>
        <label htmlFor={`cancel-reason-${props.resultId}`}>{t('change.reason')}</label>{' '}
        <select id={`cancel-reason-${props.resultId}`} value={reason} onChange={(e) => setReason(e.target.value as (typeof CANCELLATION_REASONS)[number])}>
          {CANCELLATION_REASONS.map((r) => <option key={r} value={r}>{t(`cancelReason.${r}`)}</option>)}
        </select>
        <p>{t('change.cancelWarning')}</p>
        {failure !== undefined && <ChangeProblem error={failure} />}
        <div className="actions">
          <button type="button" onClick={() => dialog.current?.close()}>{t('change.keep')}</button>
          <button type="button" className="primary danger" disabled={busy} onClick={() => void cancel()}>{t('change.cancelYes')}</button>
        </div>
      </dialog>
    </>
  );
}

/**
 * A correction: the reason, then the whole entry form again (the server keeps no plaintext to
 * prefill it from), sent to the result's corrections with the form's own idempotency key.
 */
export function CorrectResult(props: { resultId: string; me: Me; pharmacy: Pharmacy; reference: Reference; onDone: (correction: Submitted) => void; onClose: () => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState<(typeof CORRECTION_REASONS)[number]>();
  const short = props.resultId.slice(0, 8);
  return (
    <section className="correction" aria-labelledby="correction-title">
      <h2 id="correction-title">{t('change.correctTitle', { id: short })}</h2>
      <p>{t('change.correctHelp')}</p>
      <label htmlFor="correction-reason">{t('change.reason')}</label>{' '}
      <select id="correction-reason" value={reason ?? ''} onChange={(e) => setReason((e.target.value || undefined) as (typeof CORRECTION_REASONS)[number] | undefined)}>
        <option value="">{t('change.chooseReason')}</option>
        {CORRECTION_REASONS.map((r) => <option key={r} value={r}>{t(`correctReason.${r}`)}</option>)}
      </select>{' '}
      <button type="button" className="link" onClick={props.onClose}>{t('change.keep')}</button>
      {reason && (
        <EntryForm me={props.me} pharmacies={[props.pharmacy]} reference={props.reference} correcting={{ resultId: props.resultId, reason }} onSubmitted={props.onDone} />
      )}
    </section>
  );
}
