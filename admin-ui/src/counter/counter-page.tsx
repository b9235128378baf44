import { useEffect, useState } from 'react';
import type { Me, Pharmacy, Reference } from '../../../gateway/src/api-types.js';
import { call } from '../api.js';
import { useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { EntryForm, type Submitted } from './entry-form.js';
import type { EntryValues } from './entry-state.js';
import { PrefillFromSoftware } from './prefill.js';
import { Receipt } from './receipt.js';
import { TodayList } from './today-list.js';

/**
 * The pharmacist's page: which pharmacy it acts for, the entry form, then the receipt; today's
 * list of that pharmacy below both. A person of several pharmacies keeps the one chosen from one
 * test to the next, so the next patient never goes under another FINESS.
 */
export function CounterPage(props: { me: Me }) {
  const { t } = useI18n();
  const [reference, setReference] = useState<Reference>();
  const [pharmacies, setPharmacies] = useState<Pharmacy[]>();
  const [failure, setFailure] = useState<unknown>();
  const [submitted, setSubmitted] = useState<Submitted>();
  const [chosen, setChosen] = useState<string>();
  // the patient from the pharmacy's software, for the next form only
  const [prefill, setPrefill] = useState<Partial<EntryValues>>();
  // a new key remounts the form: fresh fields and a fresh idempotency key
  const [formKey, setFormKey] = useState(0);

  useEffect(() => {
    call<Reference>('GET', '/reference').then(setReference, setFailure);
    // the pharmacies where this person enters results, with names for the receipt
    const reach = props.me.capabilities.results;
    call<{ items: Pharmacy[] }>('GET', '/pharmacies').then((r) => setPharmacies(r.items.filter((p) => reach === 'all' || reach?.includes(p.finess))), setFailure);
  }, [props.me]);

  if (failure) return <ProblemMessage error={failure} />;
  if (!reference || !pharmacies) return <p>{t('app.loading')}</p>;
  const pharmacy = pharmacies.find((p) => p.finess === chosen) ?? pharmacies[0];
  return (
    <div className="counter">
      {pharmacy && <p className="counter-pharmacy" data-testid="counter-pharmacy">{t('counter.actingFor', { name: pharmacy.name, finess: pharmacy.finess })}</p>}
      {submitted ? (
        <Receipt
          submitted={submitted}
          reference={reference}
          onNew={() => {
            setSubmitted(undefined);
            setPrefill(undefined);
            setFormKey((k) => k + 1);
          }}
        />
      ) : (
        <EntryForm
          key={formKey}
          me={props.me}
          pharmacies={pharmacies}
          reference={reference}
          pharmacyFiness={pharmacy?.finess}
          onPharmacyChange={setChosen}
          initial={prefill}
          onSubmitted={(s) => {
            setChosen(s.pharmacy.finess);
            setSubmitted(s);
          }}
        />
      )}
      {/* after the form: its first field keeps the focus, and Tab reaches this last */}
      <PrefillFromSoftware
        onPrefill={(values) => {
          setPrefill(values);
          setChosen(values.pharmacyFiness);
          setSubmitted(undefined);
          setFormKey((k) => k + 1);
        }}
      />
      {pharmacy && <TodayList key={pharmacy.finess} me={props.me} pharmacy={pharmacy} reference={reference} highlight={submitted?.id} />}
    </div>
  );
}
