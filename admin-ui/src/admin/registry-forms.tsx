import { useEffect, useRef, type ReactNode } from 'react';
import { ApiProblem } from '../api.js';
import { isMessageKey, useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';

/** A failed registry change in plain words: the conflict's reason when the server names one. */
export function RegistryProblem(props: { error: unknown }) {
  const { t } = useI18n();
  const p = props.error instanceof ApiProblem ? props.error : undefined;
  const key = p?.code === 'registry-conflict' ? `conflict.${String(p.body.reason)}` : '';
  if (isMessageKey(key)) return <p role="alert" className="error">{t(key)}</p>;
  // field errors are shown beside their fields
  if (p?.code === 'validation') return null;
  return <ProblemMessage error={props.error} />;
}

/** The message of the server's error for `field` (`/field` pointer), if any. */
export function useFieldError(error: unknown): (field: string) => string | undefined {
  const { t } = useI18n();
  const issues = error instanceof ApiProblem ? error.errors : [];
  return (field) => {
    const code = issues.find((i) => i.pointer === `/${field}`)?.code;
    if (!code) return undefined;
    const key = `err.${code}`;
    return isMessageKey(key) ? t(key) : t('err.invalid-type');
  };
}

/** A labelled input with its server-side error announced beside it. */
export function Field(props: { id: string; label: string; error?: string; children: (a11y: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode }) {
  const errorId = `${props.id}-error`;
  return (
    <div className={props.error ? 'field invalid' : 'field'}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.children({ id: props.id, 'aria-invalid': props.error !== undefined, ...(props.error ? { 'aria-describedby': errorId } : {}) })}
      {props.error && <span id={errorId} className="field-error">{props.error}</span>}
    </div>
  );
}

/**
 * A modal confirmation (the native `<dialog>`: focus moves into it and Escape cancels).
 * Shown while `open`; `onClose` runs on cancel and after confirming. `danger` paints the
 * confirming button as destructive; `confirmDisabled` holds it until the dialog's own fields
 * are chosen (a revocation's reason has no default).
 */
export function ConfirmDialog(props: { open: boolean; id: string; text: string; confirmLabel: string; cancelLabel: string; onConfirm: () => void; onClose: () => void; danger?: boolean; confirmDisabled?: boolean; children?: ReactNode }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (props.open && d && !d.open) d.showModal();
    if (!props.open && d?.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={dialog} aria-labelledby={props.id} onClose={props.onClose}>
      <p id={props.id}>{props.text}</p>
      {props.children}
      <div className="actions">
        <button type="button" onClick={() => dialog.current?.close()}>{props.cancelLabel}</button>
        <button type="button" className={props.danger ? 'danger' : 'primary'} disabled={props.confirmDisabled} onClick={() => { props.onConfirm(); dialog.current?.close(); }}>{props.confirmLabel}</button>
      </div>
    </dialog>
  );
}
