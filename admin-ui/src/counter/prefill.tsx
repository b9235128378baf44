import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { CounterPrefill } from '../../../gateway/src/api-types.js';
import { ApiProblem, call } from '../api.js';
import { useI18n, type MessageKey } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import type { EntryValues } from './entry-state.js';

/** Where pharmacy software puts the token: `#/counter?prefill=<token>`, in the fragment, which never reaches a server. */
const PARAMETER = 'prefill';

/** The form's starting values from a redeemed token: the pharmacy it was issued for and the patient. */
export function prefillValues({ pharmacyFiness, patient: p }: CounterPrefill): Partial<EntryValues> {
  const [year = '', month = '', day = ''] = p.birthDate.split('-');
  return {
    pharmacyFiness,
    nir: p.nir ?? '',
    noNir: p.noNirReason !== undefined,
    noNirReason: p.noNirReason ?? '',
    sex: p.sex,
    birthName: p.birthName,
    usedName: p.usedName ?? '',
    firstNames: p.firstNames.join(' '),
    birthDay: day,
    birthMonth: month,
    birthYear: year,
    phone: p.phone ?? '',
    email: p.email ?? '',
    line: p.address?.line.join(', ') ?? '',
    postalCode: p.address?.postalCode ?? '',
    city: p.address?.city ?? '',
  };
}

/** The token in the page's fragment, taken out of the address bar (and its history entry) at once. */
function takeTokenFromFragment(): string | undefined {
  const [path, query = ''] = window.location.hash.split('?');
  const params = new URLSearchParams(query);
  const token = params.get(PARAMETER);
  if (token === null) return undefined;
  params.delete(PARAMETER);
  const rest = params.toString();
  window.history.replaceState(null, '', `${window.location.pathname}${path}${rest ? `?${rest}` : ''}`);
  return token;
}

/**
 * Opens the counter prefilled from the pharmacy's software: a token arriving in the fragment
 * (a link the software opens) or typed or pasted here is redeemed once (`POST
 * /counter-prefills/redeem`, the token in the body); the identity comes back to `onPrefill`.
 */
export function PrefillFromSoftware(props: { onPrefill: (values: Partial<EntryValues>) => void }) {
  const { t } = useI18n();
  const id = useId();
  const [typed, setTyped] = useState('');
  const [outcome, setOutcome] = useState<{ message: MessageKey } | { failure: unknown }>();
  const onPrefill = useRef(props.onPrefill);
  onPrefill.current = props.onPrefill;

  const redeem = async (token: string) => {
    setOutcome(undefined);
    try {
      const prefill = await call<CounterPrefill>('POST', '/counter-prefills/redeem', { body: { token: token.trim() } });
      onPrefill.current(prefillValues(prefill));
      setTyped('');
      setOutcome({ message: 'prefill.done' });
    } catch (e) {
      const code = e instanceof ApiProblem ? e.code : undefined;
      setOutcome(code === 'not-found' ? { message: 'prefill.notFound' } : code === 'validation' ? { message: 'prefill.invalid' } : { failure: e });
    }
  };

  useEffect(() => {
    const fromFragment = () => {
      const token = takeTokenFromFragment();
      if (token !== undefined) void redeem(token);
    };
    fromFragment();
    window.addEventListener('hashchange', fromFragment);
    return () => window.removeEventListener('hashchange', fromFragment);
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (typed.trim()) void redeem(typed);
  };

  return (
    <div className="prefill">
      <details>
        <summary>{t('prefill.fromSoftware')}</summary>
        <form onSubmit={submit} className="prefill-form">
          <label htmlFor={id}>{t('prefill.token')}</label>
          <input id={id} autoComplete="off" spellCheck={false} value={typed} onChange={(e) => setTyped(e.target.value)} />
          <button type="submit">{t('prefill.open')}</button>
        </form>
      </details>
      <div role="status" className={outcome && !('message' in outcome && outcome.message === 'prefill.done') ? 'error' : undefined}>
        {outcome && ('failure' in outcome ? <ProblemMessage error={outcome.failure} /> : t(outcome.message))}
      </div>
    </div>
  );
}
