import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { Me, Pharmacy, Reference } from '../../../gateway/src/api-types.js';
import type { FieldIssue } from '../../../gateway/src/errors.js';
import { ApiProblem, call } from '../api.js';
import { codeLabel, isMessageKey, useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { nirMismatch, readNir } from './nir-hints.js';

/** What the counter keeps of a submission for the receipt: no more than the patient needs. */
export interface Submitted {
  id: string;
  pharmacy: Pharmacy;
  patientName: string;
  loinc: string;
  result: string;
  resultAt: string;
}

type Field =
  | 'pharmacyFiness' | 'nir' | 'noNirReason' | 'sex' | 'birthName' | 'usedName' | 'firstNames' | 'birthDate'
  | 'phone' | 'email' | 'line' | 'postalCode' | 'city' | 'loinc' | 'device' | 'specimen' | 'result' | 'collectedAt' | 'resultAt';

// server pointers (RFC 6901) to the field that shows the error; the first prefix that matches wins
const POINTER_FIELDS: [string, Field][] = [
  ['/pharmacyFiness', 'pharmacyFiness'], ['/patient/nir', 'nir'], ['/patient/noNirReason', 'noNirReason'], ['/patient/sex', 'sex'],
  ['/patient/birthName', 'birthName'], ['/patient/usedName', 'usedName'], ['/patient/firstNames', 'firstNames'], ['/patient/birthDate', 'birthDate'],
  ['/patient/phone', 'phone'], ['/patient/email', 'email'], ['/patient/address/postalCode', 'postalCode'], ['/patient/address/city', 'city'],
  ['/patient/address', 'line'], ['/test/loinc', 'loinc'], ['/test/result', 'result'], ['/test/specimen', 'specimen'], ['/test/device', 'device'],
  ['/test/collectedAt', 'collectedAt'], ['/test/resultAt', 'resultAt'],
];
// object-level rules point at their object; show them where the person acts
const CODE_FIELDS: Record<string, Field> = { 'nir-or-reason': 'nir', 'contact-required': 'phone', 'nir-sex-mismatch': 'sex', 'nir-birthdate-mismatch': 'birthDate' };

function fieldOf(e: FieldIssue): Field | undefined {
  return CODE_FIELDS[e.code] ?? POINTER_FIELDS.find(([p]) => e.pointer === p || e.pointer.startsWith(`${p}/`))?.[1];
}

const REMEMBERED = 'sidep-gateway.counter.test';
const QUARTER_HOUR_MS = 15 * 60_000;

/** `YYYY-MM-DDTHH:mm` in the browser's zone, what a datetime-local input holds. */
function localMinute(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function deviceLabel(d: Reference['devices'][number]): string {
  return `${d.display} (${d.euRatId})`;
}

interface State {
  pharmacyFiness: string; nir: string; noNir: boolean; noNirReason: string; sex: string; birthName: string; usedName: string;
  firstNames: string; birthDay: string; birthMonth: string; birthYear: string; phone: string; email: string;
  line: string; postalCode: string; city: string; loinc: string; device: string; specimen: string; result: string;
  collectedAt: string; resultAt: string;
}

function initialState(pharmacies: Pharmacy[], reference: Reference): State {
  // the counter repeats the same test type, device and specimen all day: keep the last ones
  const last = JSON.parse(localStorage.getItem(REMEMBERED) ?? '{}') as Partial<Pick<State, 'loinc' | 'device' | 'specimen'>>;
  const now = new Date();
  return {
    pharmacyFiness: pharmacies[0]?.finess ?? '', nir: '', noNir: false, noNirReason: '', sex: '', birthName: '', usedName: '',
    firstNames: '', birthDay: '', birthMonth: '', birthYear: '', phone: '', email: '', line: '', postalCode: '', city: '',
    loinc: last.loinc ?? reference.tests[0]?.code ?? '', device: last.device ?? '', specimen: last.specimen ?? reference.specimens[0]?.code ?? '',
    result: '', collectedAt: localMinute(new Date(now.getTime() - QUARTER_HOUR_MS)), resultAt: localMinute(now),
  };
}

function birthDateOf(s: State): string | undefined {
  if (!/^\d{4}$/.test(s.birthYear) || !/^\d{1,2}$/.test(s.birthMonth) || !/^\d{1,2}$/.test(s.birthDay)) return undefined;
  return `${s.birthYear}-${s.birthMonth.padStart(2, '0')}-${s.birthDay.padStart(2, '0')}`;
}

/** The device the field names: chosen from the list, or typed as its EU id. */
function findDevice(reference: Reference, text: string): Reference['devices'][number] | undefined {
  return reference.devices.find((d) => deviceLabel(d) === text || d.euRatId === text.trim());
}

function bodyOf(s: State, reference: Reference, pharmacies: Pharmacy[], me: Me) {
  const device = findDevice(reference, s.device);
  const address = s.line || s.postalCode || s.city ? { line: [s.line], postalCode: s.postalCode, city: s.city, country: 'FR' } : undefined;
  return {
    ...(pharmacies.length > 1 ? { pharmacyFiness: s.pharmacyFiness } : {}),
    // the performer is the signed-in pharmacist, as their identity provider asserted
    performer: { rpps: me.user.rpps ?? undefined },
    patient: {
      ...(s.noNir ? { noNirReason: s.noNirReason || undefined } : { nir: s.nir || undefined }),
      birthName: s.birthName || undefined,
      ...(s.usedName ? { usedName: s.usedName } : {}),
      firstNames: s.firstNames.trim() ? s.firstNames.trim().split(/\s+/) : undefined,
      birthDate: birthDateOf(s),
      sex: s.sex || undefined,
      ...(s.phone ? { phone: s.phone } : {}),
      ...(s.email ? { email: s.email } : {}),
      ...(address ? { address } : {}),
    },
    test: {
      loinc: s.loinc,
      result: s.result || undefined,
      specimen: s.specimen,
      // an unknown text goes as a name, so the server says which rule it breaks
      device: device ? { euRatId: device.euRatId } : s.device ? { name: s.device } : undefined,
      collectedAt: s.collectedAt ? new Date(s.collectedAt).toISOString() : undefined,
      resultAt: s.resultAt ? new Date(s.resultAt).toISOString() : undefined,
    },
  };
}

/**
 * One test at the counter, keyboard first: the NIR is checked as it is typed and fills sex,
 * birth year and month; test type, device and specimen repeat the last entry; the result is
 * four big choices. One idempotency key per form: a double click or a retry after a lost
 * answer replays the first answer instead of making a second result.
 */
export function EntryForm(props: { me: Me; pharmacies: Pharmacy[]; reference: Reference; onSubmitted: (s: Submitted) => void; correcting?: { resultId: string; reason: string } }) {
  const { t } = useI18n();
  const { me, pharmacies, reference } = props;
  const [s, setS] = useState(() => initialState(pharmacies, reference));
  const [serverErrors, setServerErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<ReactNode>();
  const [submitting, setSubmitting] = useState(false);
  const idempotencyKey = useRef(crypto.randomUUID());
  const inFlight = useRef(false);
  const formRef = useRef<HTMLFormElement>(null);

  const hints = useMemo(() => (s.noNir || !s.nir ? {} : readNir(s.nir, new Date().getFullYear())), [s.nir, s.noNir]);
  const mismatch = s.noNir ? undefined : nirMismatch(s.nir, s.sex, birthDateOf(s));
  const live: Partial<Record<Field, string>> = {
    ...(hints.issue && s.nir.replace(/\s/g, '').length >= 15 ? { nir: hints.issue } : {}),
    ...(mismatch === 'nir-sex-mismatch' ? { sex: mismatch } : mismatch ? { birthDate: mismatch } : {}),
  };
  const errors = { ...live, ...serverErrors };

  const set = (patch: Partial<State>) => {
    setS((old) => ({ ...old, ...patch }));
    setServerErrors((old) => {
      const next = { ...old };
      for (const k of Object.keys(patch)) delete next[(k.startsWith('birth') && k !== 'birthName' ? 'birthDate' : k) as Field];
      return next;
    });
  };

  const onNir = (nir: string) => {
    const h = readNir(nir, new Date().getFullYear());
    // fill only what the person has not typed, so a correction is never overwritten
    set({ nir, ...(h.issue ? {} : { sex: s.sex || h.sex, birthYear: s.birthYear || h.birthYear, birthMonth: s.birthMonth || (h.birthMonth ?? '') }) });
  };

  useEffect(() => {
    const first = Object.keys(serverErrors)[0];
    if (first) formRef.current?.querySelector<HTMLElement>(`[data-field="${first}"]`)?.focus();
  }, [serverErrors]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (inFlight.current) return;
    inFlight.current = true;
    setSubmitting(true);
    setFormError(undefined);
    try {
      // a correction is a full re-entry sent with its reason: the server keeps no plaintext to start from
      const fix = props.correcting;
      const body = bodyOf(s, reference, pharmacies, me);
      const answer = await call<{ id: string }>('POST', fix ? `/test-results/${encodeURIComponent(fix.resultId)}/corrections` : '/test-results', { body: fix ? { reason: fix.reason, result: body } : body, headers: { 'idempotency-key': idempotencyKey.current } });
      localStorage.setItem(REMEMBERED, JSON.stringify({ loinc: s.loinc, device: s.device, specimen: s.specimen }));
      const pharmacy = pharmacies.find((p) => p.finess === s.pharmacyFiness) ?? pharmacies[0]!;
      props.onSubmitted({ id: answer.id, pharmacy, patientName: `${s.firstNames} ${s.usedName || s.birthName}`.trim(), loinc: s.loinc, result: s.result, resultAt: new Date(s.resultAt).toISOString() });
    } catch (err) {
      if (err instanceof ApiProblem && err.errors.length) {
        const mapped: Partial<Record<Field, string>> = {};
        for (const fe of err.errors) {
          const f = fieldOf({ ...fe, pointer: fe.pointer.replace(/^\/result(?=\/)/, '') });
          if (f && !mapped[f]) mapped[f] = fe.code;
        }
        setServerErrors(mapped);
        setFormError(t('entry.fixErrors', { count: err.errors.length }));
      } else if (err instanceof ApiProblem && err.code === 'duplicate-result') {
        setFormError(t('entry.duplicate'));
      } else {
        setFormError(<ProblemMessage error={err} />);
      }
    } finally {
      inFlight.current = false;
      setSubmitting(false);
    }
  };

  const errorText = (f: Field) => {
    const code = errors[f];
    if (!code) return undefined;
    const key = `err.${code}`;
    return isMessageKey(key) ? t(key) : t('err.invalid-type');
  };
  const fieldProps = (f: Field) => ({ error: errorText(f), field: f });

  return (
    <form
      ref={formRef}
      className="entry"
      onSubmit={submit}
      // Ctrl+Entrée saves from any field, date pickers and lists included; Entrée alone moves on
      onKeyDown={(e) => {
        if (e.key !== 'Enter') return;
        if (e.ctrlKey || e.metaKey) formRef.current?.requestSubmit();
        else if (formRef.current && !(e.target instanceof HTMLButtonElement) && !(e.target instanceof HTMLElement && e.target.tagName === 'SUMMARY')) {
          e.preventDefault();
          focusNextField(formRef.current, e.target as Element);
        }
      }}
      noValidate
      aria-labelledby="entry-title"
    >
      <h1 id="entry-title">{t('entry.title')}</h1>
      {formError && <div role="alert" className="error">{formError}</div>}

      {pharmacies.length > 1 && (
        <TextField label={t('entry.pharmacy')} {...fieldProps('pharmacyFiness')}>
          {(p) => (
            <select {...p} value={s.pharmacyFiness} onChange={(e) => set({ pharmacyFiness: e.target.value })}>
              {pharmacies.map((ph) => <option key={ph.id} value={ph.finess}>{ph.name} ({ph.finess})</option>)}
            </select>
          )}
        </TextField>
      )}

      <fieldset>
        <legend>{t('entry.patient')}</legend>
        <div className="row">
          <TextField label={t('entry.nir')} help={hints.issue || !s.nir ? t('entry.nir.help') : `✓ ${t('entry.nir.ok')}`} {...fieldProps('nir')} wide>
            {(p) => <input {...p} autoFocus autoComplete="off" inputMode="numeric" spellCheck={false} maxLength={21} disabled={s.noNir} value={s.nir} onChange={(e) => onNir(e.target.value)} />}
          </TextField>
          <label className="check">
            <input type="checkbox" checked={s.noNir} onChange={(e) => set({ noNir: e.target.checked, noNirReason: e.target.checked ? 'foreign-visitor' : '' })} />
            {t('entry.noNir')}
          </label>
          {s.noNir && (
            <TextField label={t('entry.noNirReason')} {...fieldProps('noNirReason')}>
              {(p) => (
                <select {...p} value={s.noNirReason} onChange={(e) => set({ noNirReason: e.target.value })}>
                  {(['foreign-visitor', 'not-registered', 'unknown'] as const).map((r) => <option key={r} value={r}>{t(`entry.noNir.${r}`)}</option>)}
                </select>
              )}
            </TextField>
          )}
        </div>
        <Choice label={t('entry.sex')} name="sex" value={s.sex} onChange={(sex) => set({ sex })} options={(['F', 'M', 'U'] as const).map((v) => ({ value: v, label: t(`entry.sex.${v}`) }))} {...fieldProps('sex')} />
        <div className="row">
          <TextField label={t('entry.birthName')} {...fieldProps('birthName')}>
            {(p) => <input {...p} autoComplete="off" value={s.birthName} onChange={(e) => set({ birthName: e.target.value })} />}
          </TextField>
          <TextField label={t('entry.firstNames')} {...fieldProps('firstNames')}>
            {(p) => <input {...p} autoComplete="off" value={s.firstNames} onChange={(e) => set({ firstNames: e.target.value })} />}
          </TextField>
          <TextField label={t('entry.usedName')} {...fieldProps('usedName')}>
            {(p) => <input {...p} autoComplete="off" value={s.usedName} onChange={(e) => set({ usedName: e.target.value })} />}
          </TextField>
        </div>
        <BirthDate state={s} set={set} error={errorText('birthDate')} />
        <div className="row">
          <TextField label={t('entry.phone')} help={t('entry.contact.help')} {...fieldProps('phone')}>
            {(p) => <input {...p} type="tel" autoComplete="off" value={s.phone} onChange={(e) => set({ phone: e.target.value })} />}
          </TextField>
          <TextField label={t('entry.email')} {...fieldProps('email')}>
            {(p) => <input {...p} type="email" autoComplete="off" value={s.email} onChange={(e) => set({ email: e.target.value })} />}
          </TextField>
        </div>
        <details>
          <summary>{t('entry.address')}</summary>
          <div className="row">
            <TextField label={t('entry.addressLine')} {...fieldProps('line')} wide>
              {(p) => <input {...p} autoComplete="off" value={s.line} onChange={(e) => set({ line: e.target.value })} />}
            </TextField>
            <TextField label={t('entry.postalCode')} {...fieldProps('postalCode')}>
              {(p) => <input {...p} inputMode="numeric" maxLength={5} autoComplete="off" value={s.postalCode} onChange={(e) => set({ postalCode: e.target.value })} />}
            </TextField>
            <TextField label={t('entry.city')} {...fieldProps('city')}>
              {(p) => <input {...p} autoComplete="off" value={s.city} onChange={(e) => set({ city: e.target.value })} />}
            </TextField>
          </div>
        </details>
      </fieldset>

      <fieldset>
        <legend>{t('entry.test')}</legend>
        <Choice label={t('entry.result')} name="result" big value={s.result} onChange={(result) => set({ result })} options={reference.results.map((r) => ({ value: r.code, label: codeLabel(t, 'result', r.code, r.display) }))} {...fieldProps('result')} />
        <div className="row">
          <TextField label={t('entry.loinc')} {...fieldProps('loinc')}>
            {(p) => (
              <select {...p} value={s.loinc} onChange={(e) => set({ loinc: e.target.value })}>
                {reference.tests.map((x) => <option key={x.code} value={x.code}>{codeLabel(t, 'loinc', x.code, `${x.display} (${x.code})`)}</option>)}
              </select>
            )}
          </TextField>
          <TextField label={t('entry.specimen')} {...fieldProps('specimen')}>
            {(p) => (
              <select {...p} value={s.specimen} onChange={(e) => set({ specimen: e.target.value })}>
                {reference.specimens.map((x) => <option key={x.code} value={x.code}>{codeLabel(t, 'specimen', x.code, x.display)}</option>)}
              </select>
            )}
          </TextField>
        </div>
        <TextField label={t('entry.device')} help={findDevice(reference, s.device)?.display} {...fieldProps('device')} wide>
          {(p) => (
            <>
              <input {...p} list="devices" autoComplete="off" value={s.device} onChange={(e) => set({ device: e.target.value })} />
              <datalist id="devices">
                {reference.devices.filter((d) => d.active).map((d) => <option key={d.euRatId} value={deviceLabel(d)} />)}
              </datalist>
            </>
          )}
        </TextField>
        <div className="row">
          <TextField label={t('entry.collectedAt')} {...fieldProps('collectedAt')}>
            {(p) => <input {...p} type="datetime-local" value={s.collectedAt} onChange={(e) => set({ collectedAt: e.target.value })} />}
          </TextField>
          <TextField label={t('entry.resultAt')} {...fieldProps('resultAt')}>
            {(p) => <input {...p} type="datetime-local" value={s.resultAt} onChange={(e) => set({ resultAt: e.target.value })} />}
          </TextField>
        </div>
      </fieldset>

      <button type="submit" className="primary" disabled={submitting} aria-busy={submitting}>
        {submitting ? t('entry.submitting') : t('entry.submit')}
      </button>
      <small className="shortcut">{t('entry.shortcut')}</small>
    </form>
  );
}

/**
 * Enter in a field moves to the next one, as Tab does, instead of sending a half-filled form
 * (a NIR reader ends with Enter); from the last field it reaches the submit button. Radio
 * groups count once, at their checked (or first) choice, as the browser's Tab order does; the
 * optional address is skipped unless opened (Enter on its summary opens it).
 */
function focusNextField(form: HTMLFormElement, from: Element): void {
  const radio = (el: Element) => el instanceof HTMLInputElement && el.type === 'radio';
  const stops = [...form.querySelectorAll<HTMLElement>('input, select, textarea, button')].filter((el) => {
    if ((el as HTMLInputElement).disabled || el.closest('details:not([open]) > :not(summary)')) return false;
    if (!radio(el)) return true;
    const group = [...form.querySelectorAll<HTMLInputElement>(`input[type="radio"][name="${(el as HTMLInputElement).name}"]`)];
    return el === (group.find((r) => r.checked) ?? group[0]);
  });
  const here = stops.findIndex((el) => el === from || (radio(from) && radio(el) && (el as HTMLInputElement).name === (from as HTMLInputElement).name));
  stops[here + 1]?.focus();
}

interface ControlProps {
  id: string;
  'data-field': Field;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}

/** A labelled control with its help and its error, wired for screen readers. */
function TextField(props: { label: string; field: Field; error: string | undefined; help?: string; wide?: boolean; children: (p: ControlProps) => ReactNode }) {
  const id = useId();
  const described = [props.help ? `${id}-help` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${props.wide ? ' wide' : ''}${props.error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      {props.children({ id, 'data-field': props.field, 'aria-invalid': Boolean(props.error), 'aria-describedby': described })}
      {props.help && <small id={`${id}-help`}>{props.help}</small>}
      {props.error && <span id={`${id}-error`} className="field-error">{props.error}</span>}
    </div>
  );
}

/** A radio group: arrow keys move between choices, as everywhere else. */
function Choice(props: { label: string; name: string; field: Field; value: string; big?: boolean; error: string | undefined; options: { value: string; label: string }[]; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <fieldset className={`choice${props.big ? ' big' : ''}${props.error ? ' invalid' : ''}`} aria-describedby={props.error ? `${id}-error` : undefined}>
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

/** Day, month, year: month and year come from the NIR, so the person usually types the day. */
function BirthDate(props: { state: State; set: (p: Partial<State>) => void; error: string | undefined }) {
  const { t } = useI18n();
  const id = useId();
  const { state: s, set } = props;
  return (
    <fieldset className={`date${props.error ? ' invalid' : ''}`} aria-describedby={props.error ? `${id}-error` : undefined}>
      <legend>{t('entry.birthDate')}</legend>
      <input aria-label={t('entry.day')} data-field="birthDate" inputMode="numeric" maxLength={2} size={2} placeholder="JJ" value={s.birthDay} aria-invalid={Boolean(props.error)} onChange={(e) => set({ birthDay: e.target.value })} />
      <span aria-hidden="true">/</span>
      <input aria-label={t('entry.month')} inputMode="numeric" maxLength={2} size={2} placeholder="MM" value={s.birthMonth} aria-invalid={Boolean(props.error)} onChange={(e) => set({ birthMonth: e.target.value })} />
      <span aria-hidden="true">/</span>
      <input aria-label={t('entry.year')} inputMode="numeric" maxLength={4} size={4} placeholder="AAAA" value={s.birthYear} aria-invalid={Boolean(props.error)} onChange={(e) => set({ birthYear: e.target.value })} />
      {props.error && <span id={`${id}-error`} className="field-error">{props.error}</span>}
    </fieldset>
  );
}
