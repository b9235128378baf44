import { useState } from 'react';
import type { AccessReviewPerson } from '../../../gateway/src/api-types.js';
import { call } from '../api.js';
import { useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { ConfirmDialog, Field, RegistryProblem } from './registry-forms.js';
import { useLoad } from './use-load.js';

const DAY_MS = 86_400_000;
/** The server refuses an expiry more than 366 days ahead, as for a grant; the form says so first. */
const MAX_DAYS = 366;
const DEFAULT_DAYS = 180;

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);

type Enrolment = AccessReviewPerson['enrolments'][number];
type Pending = { action: 'recertify' | 'revoke'; person: AccessReviewPerson; enrolment: Enrolment };

/**
 * The access review: each person with live enrolments in scope, their last sign-in and its MFA
 * evidence, each role's pharmacy and expiry, admin roles unused for 90 days marked. Those who
 * manage enrolments recertify (a new expiry) or revoke, each after a confirmation; the server
 * checks the scope and refuses one's own recertification.
 */
export function AccessReviewPage(props: { canChange: boolean }) {
  const { t, language } = useI18n();
  const { data, failure, reload } = useLoad<{ items: AccessReviewPerson[] }>('/admin/access-review');
  const [pending, setPending] = useState<Pending>();
  const [until, setUntil] = useState(day(DEFAULT_DAYS));
  const [done, setDone] = useState<string>();
  const [actionFailure, setActionFailure] = useState<unknown>();
  const locale = language === 'fr' ? 'fr-FR' : 'en-GB';
  const date = (iso: string) => new Date(iso).toLocaleDateString(locale);
  const time = (iso: string) => new Date(iso).toLocaleString(locale);
  const roleOf = (p: Pending) => ({ role: t(`role.${p.enrolment.role}`), subject: p.person.subject });

  const confirm = async () => {
    if (!pending) return;
    setActionFailure(undefined);
    setDone(undefined);
    try {
      if (pending.action === 'revoke') await call('POST', `/admin/enrolments/${pending.enrolment.id}/revoke`);
      // the end of the chosen day, in the person's time zone
      else await call('POST', `/admin/enrolments/${pending.enrolment.id}/recertify`, { body: { expiresAt: new Date(`${until}T23:59:59`).toISOString() } });
      setDone(t(pending.action === 'revoke' ? 'enrolments.revoked' : 'access.recertified'));
      reload();
    } catch (e) {
      setActionFailure(e);
    }
  };

  if (failure) return <ProblemMessage error={failure} />;
  if (!data) return <p>{t('app.loading')}</p>;
  const unused = data.items.reduce((n, p) => n + p.enrolments.filter((e) => e.unused).length, 0);
  return (
    <>
      <h1>{t('access.title')}</h1>
      <p className="note">{t('access.intro')}</p>
      <p role="status">{t('access.summary', { people: data.items.length, unused })}</p>
      {done && <p role="status" className="ok">{done}</p>}
      {actionFailure !== undefined && <RegistryProblem error={actionFailure} />}
      {data.items.length === 0 && <p>{t('enrolments.empty')}</p>}
      {data.items.map((p) => (
        <section key={`${p.issuer}\u0000${p.subject}`} className="panel" aria-labelledby={`person-${p.issuer}-${p.subject}`}>
          <h2 id={`person-${p.issuer}-${p.subject}`} className="mono">{`${p.issuer} · ${p.subject}`}</h2>
          <p>
            {p.lastSignInAt === null
              ? t('access.neverSignedIn')
              : t('access.lastSignIn', { at: time(p.lastSignInAt), evidence: t(p.mfaEvidence === 'mfa' ? 'access.evidenceMfa' : 'access.evidenceSingle') })}
          </p>
          <ul className="enrolment-list" aria-label={t('access.rolesOf', { subject: p.subject })}>
            {p.enrolments.map((e) => (
              <li key={e.id} data-enrolment-id={e.id} className="row-actions">
                <strong>{t(`role.${e.role}`)}</strong>
                <span className="mono">{e.finess ?? t('enrolments.chainWide')}</span>
                <span>{t('access.expires', { date: date(e.expiresAt) })}</span>
                {e.unused && <span className="status status-retrying">{t('access.unused')}</span>}
                {props.canChange && (
                  <>
                    <button type="button" aria-label={t('access.recertifyLabel', { role: t(`role.${e.role}`), subject: p.subject })} onClick={() => { setUntil(day(DEFAULT_DAYS)); setPending({ action: 'recertify', person: p, enrolment: e }); }}>
                      {t('access.recertify')}
                    </button>
                    <button type="button" aria-label={t('enrolments.revokeLabel', { role: t(`role.${e.role}`), subject: p.subject })} onClick={() => setPending({ action: 'revoke', person: p, enrolment: e })}>
                      {t('enrolments.revoke')}
                    </button>
                  </>
                )}
              </li>
            ))}
          </ul>
        </section>
      ))}
      <ConfirmDialog
        open={pending !== undefined}
        id="access-confirm"
        text={pending ? t(pending.action === 'revoke' ? 'enrolments.confirmRevoke' : 'access.confirmRecertify', roleOf(pending)) : ''}
        confirmLabel={t(pending?.action === 'revoke' ? 'enrolments.revokeYes' : 'access.recertifyYes')}
        cancelLabel={t('pharmacies.cancel')}
        onConfirm={() => void confirm()}
        onClose={() => setPending(undefined)}
      >
        {pending?.action === 'recertify' && (
          <Field id="recertify-until" label={t('access.until')}>
            {(a) => <input {...a} type="date" value={until} min={day(1)} max={day(MAX_DAYS - 1)} onChange={(e) => setUntil(e.target.value)} required />}
          </Field>
        )}
      </ConfirmDialog>
    </>
  );
}
