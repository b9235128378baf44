import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { Me, Pharmacy, Reference } from '../../../gateway/src/api-types.js';
import { ApiProblem, call } from '../api.js';
import { codeLabel, isMessageKey, useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { blockingIssues, liveIssues } from './entry-checks.js';
import { BirthDate, Choice, TextField } from './entry-fields.js';
import { bodyOf, deviceLabel, fieldOf, findDevice, initialState, testDefaults, type EntryValues, type Field } from './entry-state.js';
import { ErrorSummary, fieldsAtFault, focusField } from './error-summary.js';
import { nextNeeded } from './next-field.js';
import { readNir } from './nir-hints.js';
import { habitsAt, rememberSave } from './pharmacy-habits.js';
import { ResultChoice } from './result-choice.js';

/** What the counter keeps of a submission for the receipt: no more than the patient needs. */
export interface Submitted {
  id: string;
  pharmacy: Pharmacy;
  patientName: string;
  loinc: string;
  result: string;
  resultAt: string;
}

// a change to one of these clears the error shown on the field it belongs to
const KEY_FIELDS: Partial<Record<keyof EntryValues, Field>> = { birthDay: 'birthDate', birthMonth: 'birthDate', birthYear: 'birthDate', deviceNamed: 'device', positiveConfirmed: 'result', noNir: 'nir' };

/**
 * One test at the counter, keyboard first: the NIR is checked as it is typed and fills sex,
 * birth year and month; test type, device and specimen start from the pharmacy's habits;
 * Enter moves to the next field still to fill; the result takes one key. One idempotency key
 * per form: a double click or a retry after a lost answer replays the first answer instead of
 * making a second result.
 */
export function EntryForm(props: {
  me: Me;
  pharmacies: Pharmacy[];
  reference: Reference;
  onSubmitted: (s: Submitted) => void;
  correcting?: { resultId: string; reason: string };
  /** The pharmacy chosen on the page (FINESS), kept from one test to the next; told of each change. */
  pharmacyFiness?: string;
  onPharmacyChange?: (finess: string) => void;
  /** Starting values from elsewhere (the patient from the pharmacy's software, `prefill.tsx`); they win over the pharmacy chosen. */
  initial?: Partial<EntryValues>;
}) {
  const { t } = useI18n();
  const { me, pharmacies, reference } = props;
  // ids of this form's own: a correction form may sit on the page beside the entry form
  const ids = useId();
  const [s, setS] = useState(() => initialState(pharmacies, reference, { ...(props.pharmacyFiness ? { pharmacyFiness: props.pharmacyFiness } : {}), ...props.initial }));
  const [serverErrors, setServerErrors] = useState<Partial<Record<Field, string>>>({});
  // after a refused save: the summary beside the button, and where the focus goes
  const [attempted, setAttempted] = useState(false);
  const [duplicateOf, setDuplicateOf] = useState<string>();
  const [failure, setFailure] = useState<unknown>();
  const [focusTo, setFocusTo] = useState<{ target: Field | 'summary' }>();
  const [submitting, setSubmitting] = useState(false);
  const idempotencyKey = useRef(crypto.randomUUID());
  const inFlight = useRef(false);
  const formRef = useRef<HTMLFormElement>(null);
  const summaryRef = useRef<HTMLDivElement>(null);

  const hints = useMemo(() => (s.noNir || !s.nir ? {} : readNir(s.nir, new Date())), [s.nir, s.noNir]);
  const live = liveIssues(s, hints, new Date());
  const errors = { ...live, ...serverErrors };
  const atFault = fieldsAtFault(errors);

  const set = (patch: Partial<EntryValues>) => {
    setS((old) => ({ ...old, ...patch }));
    setDuplicateOf(undefined);
    setServerErrors((old) => {
      const next = { ...old };
      for (const k of Object.keys(patch) as (keyof EntryValues)[]) delete next[KEY_FIELDS[k] ?? (k as Field)];
      return next;
    });
  };

  const onNir = (nir: string) => {
    const h = readNir(nir, new Date());
    // fill only what the person has not typed, so a correction is never overwritten
    set({ nir, ...(h.issue ? {} : { sex: s.sex || h.sex, birthYear: s.birthYear || h.birthYear, birthMonth: s.birthMonth || (h.birthMonth ?? '') }) });
  };

  const onPharmacy = (finess: string) => {
    // the test fields follow the pharmacy, unless the person already changed them
    const was = testDefaults(s.pharmacyFiness, reference);
    const next = testDefaults(finess, reference);
    set({ pharmacyFiness: finess, ...Object.fromEntries((['loinc', 'specimen', 'device'] as const).filter((k) => s[k] === was[k]).map((k) => [k, next[k]])) });
    props.onPharmacyChange?.(finess);
  };

  useEffect(() => {
    if (!focusTo) return;
    if (focusTo.target === 'summary') summaryRef.current?.focus();
    else focusField(formRef.current, focusTo.target);
  }, [focusTo]);

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (inFlight.current) return;
    setAttempted(true);
    setDuplicateOf(undefined);
    setFailure(undefined);
    const blocking = blockingIssues(s, reference, live);
    const first = fieldsAtFault(blocking)[0];
    if (first) {
      setServerErrors((old) => ({ ...old, ...blocking }));
      setFocusTo({ target: first });
      return;
    }
    inFlight.current = true;
    setSubmitting(true);
    try {
      // a correction is a full re-entry sent with its reason: the server keeps no plaintext to start from
      const fix = props.correcting;
      const body = bodyOf(s, reference, pharmacies, me);
      const answer = await call<{ id: string }>('POST', fix ? `/test-results/${encodeURIComponent(fix.resultId)}/corrections` : '/test-results', { body: fix ? { reason: fix.reason, result: body } : body, headers: { 'idempotency-key': idempotencyKey.current } });
      rememberSave(s.pharmacyFiness, { loinc: s.loinc, specimen: s.specimen, euRatId: findDevice(reference, s.device)?.euRatId });
      const pharmacy = pharmacies.find((p) => p.finess === s.pharmacyFiness) ?? pharmacies[0]!;
      props.onSubmitted({ id: answer.id, pharmacy, patientName: `${s.firstNames} ${s.usedName || s.birthName}`.trim(), loinc: s.loinc, result: s.result, resultAt: new Date(s.resultAt).toISOString() });
    } catch (err) {
      if (err instanceof ApiProblem && err.errors.length) {
        const mapped: Partial<Record<Field, string>> = {};
        for (const fe of err.errors) {
          const f = fieldOf(fe);
          if (f && !mapped[f]) mapped[f] = fe.code;
        }
        setServerErrors(mapped);
        const firstAtFault = fieldsAtFault({ ...live, ...mapped })[0];
        setFocusTo({ target: firstAtFault ?? 'summary' });
      } else if (err instanceof ApiProblem && err.code === 'duplicate-result' && typeof err.body.existingId === 'string') {
        setDuplicateOf(err.body.existingId);
        setFocusTo({ target: 'summary' });
      } else {
        setFailure(err);
      }
    } finally {
      inFlight.current = false;
      setSubmitting(false);
    }
  };

  // Ctrl+Entrée saves from any field, date pickers and lists included; Entrée alone moves on
  // to the next field still to fill, and saves from a chosen result when nothing is left
  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    const form = formRef.current;
    if (e.key !== 'Enter' || !form) return;
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault();
      void submit();
      return;
    }
    const target = e.target as HTMLElement;
    if (target instanceof HTMLButtonElement || target.tagName === 'SUMMARY') return;
    e.preventDefault();
    const next = nextNeeded(form, target);
    if (next) next.focus();
    else if (target instanceof HTMLInputElement && target.name === 'result' && s.result) void submit();
    else form.querySelector<HTMLElement>('button[type="submit"]')?.focus();
  };

  const errorText = (f: Field) => {
    const code = errors[f];
    if (!code) return undefined;
    const key = `err.${code}`;
    return isMessageKey(key) ? t(key) : t('err.invalid-type');
  };
  const fieldProps = (f: Field) => ({ error: errorText(f), field: f });

  const device = findDevice(reference, s.device);
  const habits = useMemo(() => habitsAt(s.pharmacyFiness), [s.pharmacyFiness]);
  const devices = useMemo(() => {
    // the last device used here, then the pharmacy's usual kits, then the list
    const first = [habits.lastDevice, ...habits.usualDevices].flatMap((id) => reference.devices.filter((d) => d.euRatId === id && d.active));
    return [...first, ...reference.devices.filter((d) => d.active && !first.includes(d))];
  }, [habits, reference]);
  const deviceTag = (id: string) => (id === habits.lastDevice ? t('entry.device.last') : habits.usualDevices.includes(id) ? t('entry.device.usual') : undefined);
  const typed = s.device.trim().toLowerCase();
  const matches = device || !typed ? [] : devices.filter((d) => deviceLabel(d).toLowerCase().includes(typed)).slice(0, 3);
  const otherYear = s.birthYear === hints.birthYear ? hints.otherBirthYear : s.birthYear === hints.otherBirthYear ? hints.birthYear : undefined;
  const Title = props.correcting ? 'h3' : 'h1';

  return (
    <form ref={formRef} className="entry" onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-labelledby={`${ids}-title`}>
      <Title id={`${ids}-title`}>{props.correcting ? t('entry.correctionTitle', { id: props.correcting.resultId.slice(0, 8) }) : t('entry.title')}</Title>
      {attempted && (atFault.length > 0 || duplicateOf) && <p className="error">{duplicateOf ? t('entry.duplicate') : t('entry.seeSummary')}</p>}

      {pharmacies.length > 1 && (
        <TextField label={t('entry.pharmacy')} {...fieldProps('pharmacyFiness')}>
          {(p) => (
            <select {...p} value={s.pharmacyFiness} onChange={(e) => onPharmacy(e.target.value)}>
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
          <TextField label={t('entry.usedName')} {...fieldProps('usedName')} optional>
            {(p) => <input {...p} autoComplete="off" value={s.usedName} onChange={(e) => set({ usedName: e.target.value })} />}
          </TextField>
        </div>
        <BirthDate state={s} set={set} error={errorText('birthDate')} issue={errors.birthDate} otherYear={otherYear} />
        <div className="row">
          {/* one way to reach the person is enough: once one is in, Enter skips the other */}
          <TextField label={t('entry.phone')} help={t('entry.contact.help')} {...fieldProps('phone')} optional={Boolean(s.email)}>
            {(p) => <input {...p} type="tel" autoComplete="off" value={s.phone} onChange={(e) => set({ phone: e.target.value })} />}
          </TextField>
          <TextField label={t('entry.email')} {...fieldProps('email')} optional={Boolean(s.phone)}>
            {(p) => <input {...p} type="email" autoComplete="off" value={s.email} onChange={(e) => set({ email: e.target.value })} />}
          </TextField>
        </div>
        <details>
          <summary>{t('entry.address')}</summary>
          <div className="row">
            <TextField label={t('entry.addressLine')} {...fieldProps('line')} wide optional>
              {(p) => <input {...p} autoComplete="off" value={s.line} onChange={(e) => set({ line: e.target.value })} />}
            </TextField>
            <TextField label={t('entry.postalCode')} {...fieldProps('postalCode')} optional>
              {(p) => <input {...p} inputMode="numeric" maxLength={5} autoComplete="off" value={s.postalCode} onChange={(e) => set({ postalCode: e.target.value })} />}
            </TextField>
            <TextField label={t('entry.city')} {...fieldProps('city')} optional>
              {(p) => <input {...p} autoComplete="off" value={s.city} onChange={(e) => set({ city: e.target.value })} />}
            </TextField>
          </div>
        </details>
      </fieldset>

      <fieldset className="entry-test">
        <legend>{t('entry.test')}</legend>
        <ResultChoice results={reference.results} value={s.result} confirmed={s.positiveConfirmed} error={errorText('result')} onChange={set} />
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
        <TextField label={t('entry.device')} help={device ? `✓ ${device.display}` : undefined} {...fieldProps('device')} wide>
          {(p) => (
            <>
              <input {...p} list={`${ids}-devices`} autoComplete="off" value={s.device} onChange={(e) => set({ device: e.target.value, deviceNamed: false })} />
              <datalist id={`${ids}-devices`}>
                {devices.map((d) => <option key={d.euRatId} value={deviceLabel(d)} label={deviceTag(d.euRatId)} />)}
              </datalist>
            </>
          )}
        </TextField>
        {typed && !device && (
          <div className="device-off-list">
            <p>{t('entry.device.offList', { name: s.device.trim() })}</p>
            {matches.length > 0 && (
              <p>
                {t('entry.device.matches')}{' '}
                {matches.map((d) => (
                  <button
                    key={d.euRatId}
                    type="button"
                    className="link"
                    onClick={() => {
                      set({ device: deviceLabel(d), deviceNamed: false });
                      // the button goes with the choice: the focus goes back to the field
                      focusField(formRef.current, 'device');
                    }}
                  >
                    {deviceLabel(d)}
                  </button>
                ))}
              </p>
            )}
            <label className="check">
              <input type="checkbox" checked={s.deviceNamed} onChange={(e) => set({ deviceNamed: e.target.checked })} />
              {t('entry.device.sendNamed', { name: s.device.trim() })}
            </label>
          </div>
        )}
        <div className="row">
          <TextField label={t('entry.collectedAt')} {...fieldProps('collectedAt')}>
            {(p) => <input {...p} type="datetime-local" value={s.collectedAt} onChange={(e) => set({ collectedAt: e.target.value })} />}
          </TextField>
          <TextField label={t('entry.resultAt')} {...fieldProps('resultAt')}>
            {(p) => <input {...p} type="datetime-local" value={s.resultAt} onChange={(e) => set({ resultAt: e.target.value })} />}
          </TextField>
        </div>
      </fieldset>

      <div className="entry-save">
        <button type="submit" className="primary" disabled={submitting} aria-busy={submitting}>
          {submitting ? t('entry.submitting') : props.correcting ? t('entry.submitCorrection') : t('entry.submit')}
        </button>
        <small className="shortcut">{t('entry.shortcut')}</small>
        {attempted && (atFault.length > 0 || duplicateOf) && <ErrorSummary ref={summaryRef} fields={atFault} errorText={errorText} duplicateOf={duplicateOf} />}
        {failure !== undefined && <ProblemMessage error={failure} />}
      </div>
    </form>
  );
}
