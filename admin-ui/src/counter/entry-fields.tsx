import { useId, type ReactNode } from 'react';
import { useI18n } from '../i18n.js';
import type { BirthDateIssue } from './entry-checks.js';
import type { EntryValues, Field } from './entry-state.js';

export interface ControlProps {
  id: string;
  'data-field': Field;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}

/** A labelled control with its help and its error, wired for screen readers. */
export function TextField(props: { label: string; field: Field; error: string | undefined; help?: ReactNode; wide?: boolean; optional?: boolean; children: (p: ControlProps) => ReactNode }) {
  const id = useId();
  const described = [props.help ? `${id}-help` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${props.wide ? ' wide' : ''}${props.error ? ' invalid' : ''}`} data-optional={props.optional || undefined}>
      <label htmlFor={id}>{props.label}</label>
      {props.children({ id, 'data-field': props.field, 'aria-invalid': Boolean(props.error), 'aria-describedby': described })}
      {props.help && <small id={`${id}-help`}>{props.help}</small>}
      {props.error && <span id={`${id}-error`} className="field-error">{props.error}</span>}
    </div>
  );
}

/** A radio group: arrow keys move between choices, as everywhere else. */
export function Choice(props: { label: string; name: string; field: Field; value: string; error: string | undefined; options: { value: string; label: string }[]; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <fieldset className={`choice${props.error ? ' invalid' : ''}`} aria-describedby={props.error ? `${id}-error` : undefined}>
      <legend>{props.label}</legend>
      {props.options.map((o, i) => (
        <label key={o.value} className={`option option-${props.name}-${o.value}`}>
          <input type="radio" name={props.name} value={o.value} checked={props.value === o.value} onChange={() => props.onChange(o.value)} data-field={i === 0 ? props.field : undefined} aria-invalid={Boolean(props.error)} />
          <span>{o.label}</span>
        </label>
      ))}
      {props.error && <span id={`${id}-error`} className="field-error">{props.error}</span>}
    </fieldset>
  );
}

/**
 * Day, month, year: month and year come from the NIR, so the person usually types the day.
 * The NIR gives two digits of the year: the other century is one click away.
 */
export function BirthDate(props: { state: EntryValues; set: (p: Partial<EntryValues>) => void; error: string | undefined; issue: string | undefined; otherYear: string | undefined }) {
  const { t } = useI18n();
  const id = useId();
  const { state: s, set } = props;
  // the summary's link and the focus after a refused save go to the part at fault
  const atFault: keyof EntryValues = props.issue === ('birth-month-range' satisfies BirthDateIssue) ? 'birthMonth' : 'birthDay';
  const part = (key: 'birthDay' | 'birthMonth' | 'birthYear', label: string, placeholder: string, size: number) => (
    <input
      aria-label={label}
      data-field={atFault === key ? 'birthDate' : undefined}
      inputMode="numeric"
      maxLength={size}
      size={size}
      placeholder={placeholder}
      value={s[key]}
      aria-invalid={Boolean(props.error)}
      aria-describedby={props.error ? `${id}-error` : undefined}
      onChange={(e) => set({ [key]: e.target.value })}
    />
  );
  return (
    <fieldset className={`date${props.error ? ' invalid' : ''}`}>
      <legend>{t('entry.birthDate')}</legend>
      {part('birthDay', t('entry.day'), t('entry.day.placeholder'), 2)}
      <span aria-hidden="true">/</span>
      {part('birthMonth', t('entry.month'), t('entry.month.placeholder'), 2)}
      <span aria-hidden="true">/</span>
      {part('birthYear', t('entry.year'), t('entry.year.placeholder'), 4)}
      {props.otherYear && (
        <button type="button" className="link century" onClick={() => set({ birthYear: props.otherYear })}>
          {t('entry.birthYear.other', { year: props.otherYear })}
        </button>
      )}
      {props.error && <span id={`${id}-error`} className="field-error">{props.error}</span>}
    </fieldset>
  );
}
