import type { MouseEvent, Ref } from 'react';
import { useI18n } from '../i18n.js';
import { FIELD_LABELS, FIELD_ORDER, type Field } from './entry-state.js';

/** The fields at fault in the order they appear on the form. */
export function fieldsAtFault(errors: Partial<Record<Field, string>>): Field[] {
  return FIELD_ORDER.filter((f) => errors[f]);
}

/** Moves the focus to a field's control (`data-field`) inside `within`. */
export function focusField(within: Element | null, f: Field): void {
  within?.querySelector<HTMLElement>(`[data-field="${f}"]`)?.focus();
}

/**
 * What stopped the save, beside the save button where the person is looking: one link per
 * field at fault, or the result already recorded for a duplicate. Field links move the focus;
 * the duplicate's link goes to its row in today's list.
 */
export function ErrorSummary(props: { fields: Field[]; errorText: (f: Field) => string | undefined; duplicateOf?: string; ref?: Ref<HTMLDivElement> }) {
  const { t, n } = useI18n();
  const toField = (f: Field) => (e: MouseEvent) => {
    e.preventDefault();
    focusField(e.currentTarget.closest('form'), f);
  };
  const toExisting = (id: string) => (e: MouseEvent) => {
    const row = document.querySelector(`tr[data-result-id="${id}"]`);
    if (!row) return;
    e.preventDefault();
    row.scrollIntoView({ block: 'center' });
    row.querySelector<HTMLElement>('button, a')?.focus();
  };
  return (
    <div ref={props.ref} className="error-summary" role="alert" tabIndex={-1}>
      {props.duplicateOf !== undefined ? (
        <p>
          {t('entry.duplicate')}{' '}
          <a href={`#/counter?result=${props.duplicateOf}`} onClick={toExisting(props.duplicateOf)}>{t('entry.duplicate.link', { id: props.duplicateOf.slice(0, 8) })}</a>
        </p>
      ) : (
        <>
          <p>{n('entry.fieldsToFix', props.fields.length)}</p>
          <ul>
            {props.fields.map((f) => (
              <li key={f}>
                <a href={`#${f}`} onClick={toField(f)}>{t('entry.summaryItem', { field: t(FIELD_LABELS[f]), error: props.errorText(f) ?? '' })}</a>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
