import { useId, type KeyboardEvent } from 'react';
import type { Reference } from '../../../gateway/src/api-types.js';
import { codeLabel, useI18n } from '../i18n.js';
import { POSITIVE } from './entry-checks.js';

/** One key per result, the same in both languages (shown on each choice). */
const KEYS: Record<string, string> = { '260415000': 'N', [POSITIVE]: 'P', '455371000124106': 'I', '419984006': 'D' };

/**
 * The result as four big choices: arrows or one key (N, P, I, D) choose, and the choice shows
 * large. A positive takes a second P (or the confirm button) before the form may save it, so
 * one stray key never records a positive.
 */
export function ResultChoice(props: {
  results: Reference['results'];
  value: string;
  confirmed: boolean;
  error: string | undefined;
  onChange: (v: { result: string; positiveConfirmed: boolean }) => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const label = (code: string) => codeLabel(t, 'result', code, props.results.find((r) => r.code === code)?.display ?? code);
  const pending = props.value === POSITIVE && !props.confirmed;

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const code = Object.keys(KEYS).find((c) => KEYS[c] === e.key.toUpperCase());
    if (!code || !props.results.some((r) => r.code === code)) return;
    e.preventDefault();
    // the focus follows the choice, as the arrows make it do
    e.currentTarget.closest('fieldset')?.querySelector<HTMLInputElement>(`input[value="${code}"]`)?.focus();
    props.onChange({ result: code, positiveConfirmed: code === POSITIVE && props.value === POSITIVE });
  };

  return (
    <fieldset className={`choice big result-choice${props.error ? ' invalid' : ''}`} aria-describedby={[`${id}-keys`, props.error ? `${id}-error` : ''].filter(Boolean).join(' ')}>
      <legend>{t('entry.result')}</legend>
      <small id={`${id}-keys`} className="choice-help">{t('entry.result.keys')}</small>
      {props.results.map((r, i) => (
        <label key={r.code} className={`option option-result-${r.code}`}>
          <input
            type="radio"
            name="result"
            value={r.code}
            checked={props.value === r.code}
            // arrows and clicks land on a positive unconfirmed, as a key does
            onChange={() => props.onChange({ result: r.code, positiveConfirmed: false })}
            onKeyDown={onKeyDown}
            data-field={i === 0 ? 'result' : undefined}
            aria-invalid={Boolean(props.error)}
          />
          <span>
            {label(r.code)} {KEYS[r.code] && <kbd aria-hidden="true">{KEYS[r.code]}</kbd>}
          </span>
        </label>
      ))}
      {props.value && (
        <p className={`chosen-result chosen-${props.value}${pending ? ' pending' : ''}`} aria-live="polite">
          <strong>{label(props.value)}</strong>
          {props.value === POSITIVE && (props.confirmed ? ` ✓ ${t('entry.positive.confirmed')}` : '')}
        </p>
      )}
      {pending && (
        <p className="confirm-positive">
          {t('entry.positive.ask')}{' '}
          <button type="button" onClick={() => props.onChange({ result: POSITIVE, positiveConfirmed: true })}>{t('entry.positive.confirm')}</button>
        </p>
      )}
      {props.error && <span id={`${id}-error`} className="field-error">{props.error}</span>}
    </fieldset>
  );
}
