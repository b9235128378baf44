import type { ComponentPropsWithRef } from 'react';
import { createPortal } from 'react-dom';
import { codeLabel, useI18n } from '../i18n.js';
import type { Pharmacy, Reference } from '../../../gateway/src/api-types.js';
import type { Submitted } from './entry-form.js';

/** What a receipt prints: a submission, or a result revealed later (its pharmacy by name and FINESS). */
export type ReceiptContent = Omit<Submitted, 'pharmacy'> & { pharmacy: Pick<Pharmacy, 'finess' | 'name'> };

/**
 * The patient's receipt: reference, pharmacy, when, which test and its result, and the name
 * so the paper finds its owner. No NIR, birth date or contact: the patient knows them.
 */
export function Receipt(props: { submitted: ReceiptContent; reference: Reference; onNew: () => void; newLabel?: string }) {
  const { t, language } = useI18n();
  const { submitted: r } = props;
  const result = codeLabel(t, 'result', r.result, r.result);
  const test = codeLabel(t, 'loinc', r.loinc, props.reference.tests.find((x) => x.code === r.loinc)?.display ?? r.loinc);
  return (
    <section className="receipt" aria-labelledby="receipt-title">
      <h2 id="receipt-title">{t('receipt.title')}</h2>
      <dl>
        <dt>{t('receipt.id')}</dt>
        <dd className="mono" data-testid="receipt-id">{r.id}</dd>
        <dt>{t('receipt.pharmacy')}</dt>
        <dd>{r.pharmacy.name} — FINESS {r.pharmacy.finess}</dd>
        <dt>{t('receipt.at')}</dt>
        <dd>{new Date(r.resultAt).toLocaleString(language === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'long', timeStyle: 'short' })}</dd>
        <dt>{t('entry.patient')}</dt>
        <dd>{r.patientName}</dd>
        <dt>{t('entry.test')}</dt>
        <dd>{test}</dd>
        <dt>{t('entry.result')}</dt>
        <dd className="result-value">{result}</dd>
      </dl>
      <p className="note">{t('receipt.note')}</p>
      <div className="actions no-print">
        <button type="button" onClick={() => window.print()}>{t('receipt.print')}</button>
        <button type="button" className="primary" autoFocus onClick={props.onNew}>{props.newLabel ?? t('entry.new')}</button>
      </div>
    </section>
  );
}

/**
 * A dialog at the end of the body, outside today's list, which print leaves out: a receipt shown
 * in it (a reprint, a corrected result) prints alone, without the page behind it (styles.css).
 */
export function ReceiptDialog(props: ComponentPropsWithRef<'dialog'>) {
  return createPortal(<dialog {...props} className="receipt-dialog" />, document.body);
}
