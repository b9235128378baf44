import { useState, type FormEvent } from 'react';
import type { ConfiguredIssuer, EnrolmentRow, Enrolments, PharmacyRow } from '../../../gateway/src/api-types.js';
import { PHARMACY_ROLES, ROLES } from '../../../gateway/src/auth/rbac.js';
import { call } from '../api.js';
import { useI18n, type Translate } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { PersonLabel, personWords } from './person-label.js';
import { ConfirmDialog, Field, RegistryProblem, useFieldError } from './registry-forms.js';
import { TableScroll } from './table-scroll.js';
import { useLoad } from './use-load.js';

const DAY_MS = 86_400_000;
/** The server refuses an expiry more than 366 days ahead; the form says so first. */
const MAX_DAYS = 366;
const DEFAULT_DAYS = 90;

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);

/**
 * Live enrolments, granted until an expiry and revoked after a confirmation. A pharmacy
 * manager sees and grants only the pharmacy roles of its own pharmacies (the server checks it).
 */
export function EnrolmentsPage(props: { chainWide: boolean }) {
  const { t, language } = useI18n();
  const { data, failure, reload } = useLoad<Enrolments>('/admin/enrolments');
  const pharmacies = useLoad<{ items: PharmacyRow[] }>('/admin/pharmacies');
  const [pending, setPending] = useState<EnrolmentRow>();
  const [done, setDone] = useState<string>();
  const [actionFailure, setActionFailure] = useState<unknown>();
  const date = (iso: string) => new Date(iso).toLocaleDateString(language === 'fr' ? 'fr-FR' : 'en-GB');

  const revoke = async () => {
    if (!pending) return;
    setActionFailure(undefined);
    try {
      await call('POST', `/admin/enrolments/${pending.id}/revoke`);
      setDone(t('enrolments.revoked'));
      reload();
    } catch (e) {
      setActionFailure(e);
    }
  };

  if (failure) return <ProblemMessage error={failure} />;
  if (!data) return <p>{t('app.loading')}</p>;
  return (
    <>
      <h1>{t('enrolments.title')}</h1>
      <p className="note">{t('enrolments.intro')}</p>
      {done && <p role="status" className="ok">{done}</p>}
      {actionFailure !== undefined && <RegistryProblem error={actionFailure} />}
      <GrantForm
        issuers={data.issuers}
        roles={props.chainWide ? ROLES : PHARMACY_ROLES}
        pharmacies={(pharmacies.data?.items ?? []).filter((p) => p.active)}
        onGranted={() => { setDone(t('enrolments.granted')); reload(); }}
      />
      {data.items.length === 0 ? (
        <p>{t('enrolments.empty')}</p>
      ) : (
        <TableScroll label={t('enrolments.title')}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('people.person')}</th><th scope="col">{t('enrolments.issuer')}</th><th scope="col">{t('enrolments.role')}</th>
              <th scope="col">{t('enrolments.pharmacy')}</th><th scope="col">{t('enrolments.expiresAt')}</th><th scope="col">{t('enrolments.createdBy')}</th>
              <th scope="col"><span className="sr-only">{t('enrolments.revoke')}</span></th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((e) => (
              <tr key={e.id} data-enrolment-id={e.id}>
                <td><PersonLabel person={e} t={t} /></td>
                <td>{issuerName(t, data.issuers.find((i) => i.id === e.issuer) ?? { id: e.issuer, kind: 'generic' })}</td>
                <td>{t(`role.${e.role}`)}</td>
                <td className="mono">{e.finess ?? t('enrolments.chainWide')}</td>
                <td>{date(e.expiresAt)}</td>
                <td className="mono">{e.createdBy}</td>
                <td><button type="button" aria-label={t('enrolments.revokeLabel', { role: t(`role.${e.role}`), subject: personWords(e) })} onClick={() => setPending(e)}>{t('enrolments.revoke')}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
        </TableScroll>
      )}
      <ConfirmDialog
        open={pending !== undefined}
        id="enrolment-confirm"
        text={pending ? t('enrolments.confirmRevoke', { role: t(`role.${pending.role}`), subject: personWords(pending) }) : ''}
        confirmLabel={t('enrolments.revokeYes')}
        cancelLabel={t('pharmacies.cancel')}
        onConfirm={() => void revoke()}
        onClose={() => setPending(undefined)}
        danger
      />
    </>
  );
}

/** A configured identity provider in words: Pro Santé Connect by name, another by its id in the settings. */
function issuerName(t: Translate, issuer: ConfiguredIssuer): string {
  return issuer.kind === 'psc' ? t('enrolments.issuerPsc', { id: issuer.id }) : issuer.id;
}

/** Grants one role until an expiry (required, at most a year ahead), to a person of a configured identity provider. */
function GrantForm(props: { issuers: readonly ConfiguredIssuer[]; roles: readonly EnrolmentRow['role'][]; pharmacies: PharmacyRow[]; onGranted: () => void }) {
  const { t } = useI18n();
  const [chosenIssuer, setIssuer] = useState('');
  const issuer = chosenIssuer || props.issuers[0]?.id || '';
  const [subject, setSubject] = useState('');
  const [role, setRole] = useState<EnrolmentRow['role']>('pharmacist');
  const [pharmacy, setPharmacy] = useState('');
  const [expires, setExpires] = useState(day(DEFAULT_DAYS));
  const [failure, setFailure] = useState<unknown>();
  const errorOf = useFieldError(failure);
  const pharmacyRole = PHARMACY_ROLES.includes(role);
  const chosenPharmacy = pharmacy || props.pharmacies[0]?.finess || '';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(undefined);
    try {
      // the end of the chosen day, in the person's time zone
      const expiresAt = new Date(`${expires}T23:59:59`).toISOString();
      await call('POST', '/admin/enrolments', { body: { issuer, subject: subject.trim(), role, ...(pharmacyRole ? { pharmacy: chosenPharmacy } : {}), expiresAt } });
      setSubject('');
      props.onGranted();
    } catch (err) {
      setFailure(err);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-labelledby="grant-title">
      <h2 id="grant-title">{t('enrolments.grant')}</h2>
      <div className="row search">
        <Field id="grant-issuer" label={t('enrolments.issuer')} error={errorOf('issuer')}>
          {(a) => (
            <select {...a} value={issuer} onChange={(e) => setIssuer(e.target.value)} required>
              {props.issuers.map((i) => <option key={i.id} value={i.id}>{issuerName(t, i)}</option>)}
            </select>
          )}
        </Field>
        <Field id="grant-subject" label={t('enrolments.subject')} error={errorOf('subject')}>
          {(a) => <input {...a} value={subject} onChange={(e) => setSubject(e.target.value)} required maxLength={255} autoComplete="off" />}
        </Field>
        <Field id="grant-role" label={t('enrolments.role')} error={errorOf('role')}>
          {(a) => (
            <select {...a} value={role} onChange={(e) => setRole(e.target.value as EnrolmentRow['role'])}>
              {props.roles.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
            </select>
          )}
        </Field>
        {pharmacyRole && (
          <Field id="grant-pharmacy" label={t('enrolments.pharmacy')} error={errorOf('pharmacy')}>
            {(a) => (
              <select {...a} value={chosenPharmacy} onChange={(e) => setPharmacy(e.target.value)} required>
                {props.pharmacies.map((p) => <option key={p.id} value={p.finess}>{`${p.finess} — ${p.name}`}</option>)}
              </select>
            )}
          </Field>
        )}
        <Field id="grant-expires" label={t('enrolments.expiresAt')} error={errorOf('expiresAt')}>
          {(a) => <input {...a} type="date" value={expires} min={day(1)} max={day(MAX_DAYS - 1)} onChange={(e) => setExpires(e.target.value)} required />}
        </Field>
        <button type="submit" className="primary">{t('enrolments.grantYes')}</button>
      </div>
      {failure !== undefined && <RegistryProblem error={failure} />}
    </form>
  );
}
