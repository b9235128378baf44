import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { CertificateRow, IssuedCertificateView, OffboardingProgress, PharmacyRow } from '../../../gateway/src/api-types.js';
import type { RevocationReason } from '../../../gateway/src/db/column-types.js';
import { API, call } from '../api.js';
import { useI18n, type MessageKey } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { ConfirmDialog, Field, RegistryProblem, useFieldError } from './registry-forms.js';
import { TableScroll } from './table-scroll.js';
import { useLoad } from './use-load.js';

const DAY_MS = 86_400_000;
const WARN_DAYS = 30;
// the CRL's reasons, most likely first
const REASONS: readonly RevocationReason[] = ['keyCompromise', 'superseded', 'affiliationChanged', 'cessationOfOperation', 'unspecified'];

type Pending =
  | { kind: 'revoke'; certificate: CertificateRow }
  | { kind: 'deactivate' | 'reactivate' | 'offboard'; pharmacy: PharmacyRow };

/**
 * Pharmacies with each certificate's expiry. Chain admins and the pharmacy's managers issue
 * certificates (the PKCS#12 and its password are shown once) and revoke them after a
 * confirmation; chain admins also add, deactivate, reactivate and offboard pharmacies (offboarding
 * shows where it stands and its export; run again until offboarded).
 */
export function PharmaciesPage(props: { canManagePharmacies: boolean }) {
  const { t, language } = useI18n();
  const { data, failure, reload } = useLoad<{ items: PharmacyRow[] }>('/admin/pharmacies');
  const [issued, setIssued] = useState<IssuedCertificateView>();
  const [pending, setPending] = useState<Pending>();
  // no default: the person names why, a compromised key and a replaced one call for different follow-ups
  const [reason, setReason] = useState<RevocationReason | ''>('');
  const [done, setDone] = useState<string>();
  const [offboarding, setOffboarding] = useState<OffboardingProgress>();
  const [actionFailure, setActionFailure] = useState<unknown>();
  const date = (iso: string) => new Date(iso).toLocaleDateString(language === 'fr' ? 'fr-FR' : 'en-GB');
  const short = (fingerprint: string) => fingerprint.slice(0, 16);

  /** Runs one change, then shows its outcome and reloads the list. */
  const change = async (run: () => Promise<string | undefined>) => {
    setActionFailure(undefined);
    setDone(undefined);
    try {
      setDone(await run());
      reload();
    } catch (e) {
      setActionFailure(e);
    }
  };
  const issue = (p: PharmacyRow) =>
    change(async () => {
      setIssued(await call<IssuedCertificateView>('POST', `/admin/pharmacies/${p.id}/certificates`));
      return undefined;
    });
  const confirm = () => {
    const p = pending;
    if (!p) return;
    if (p.kind === 'revoke') {
      if (!reason) return;
      void change(async () => {
        await call('POST', `/admin/certificates/${p.certificate.fingerprint}/revoke`, { body: { reason } });
        return t('cert.revoked', { fingerprint: short(p.certificate.fingerprint) });
      });
    } else if (p.kind === 'offboard') {
      void change(async () => {
        setOffboarding(await call<OffboardingProgress>('POST', `/admin/pharmacies/${p.pharmacy.id}/offboard`));
        return undefined;
      });
    } else {
      void change(async () => {
        await call('POST', `/admin/pharmacies/${p.pharmacy.id}/${p.kind}`);
        return undefined;
      });
    }
  };

  if (failure) return <ProblemMessage error={failure} />;
  if (!data) return <p>{t('app.loading')}</p>;
  return (
    <>
      <h1>{t('pharmacies.title')}</h1>
      <p className="note">{t('pharmacies.cli')}</p>
      {done && <p role="status" className="ok">{done}</p>}
      {actionFailure !== undefined && <RegistryProblem error={actionFailure} />}
      {offboarding && <OffboardingStatus progress={offboarding} />}
      {issued && <IssuedCertificate view={issued} date={date} onDone={() => setIssued(undefined)} />}
      {props.canManagePharmacies && <AddPharmacy onAdded={(finess) => { setDone(t('pharmacies.added', { finess })); reload(); }} />}
      <TableScroll label={t('pharmacies.title')}>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('results.pharmacy')}</th><th scope="col">FINESS</th><th scope="col">{t('results.status')}</th>
            <th scope="col">{t('pharmacies.certificates')}</th><th scope="col">{t('pharmacies.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {data.items.map((p) => (
            <tr key={p.id} data-finess={p.finess}>
              <td>{p.name}</td>
              <td className="mono">{p.finess}</td>
              <td>{t(p.active ? 'pharmacies.active' : 'pharmacies.inactive')}</td>
              <td>
                <ul className="certificates">
                  {p.certificates.map((c) => {
                    const days = Math.floor((Date.parse(c.notAfter) - Date.now()) / DAY_MS);
                    const state = c.revokedAt ? 'revoked' : days < 0 ? 'expired' : days < WARN_DAYS ? 'expiring' : 'valid';
                    return (
                      <li key={c.fingerprint} className={`cert-${state}`} data-fingerprint={c.fingerprint}>
                        <code>{short(c.fingerprint)}</code> — {t(`pharmacies.cert.${state}` as MessageKey, { date: date(c.revokedAt ?? c.notAfter), days })}
                        {!c.revokedAt && days >= 0 && (
                          <>
                            {' '}
                            <button type="button" aria-label={t('cert.revokeLabel', { fingerprint: short(c.fingerprint) })} onClick={() => setPending({ kind: 'revoke', certificate: c })}>{t('cert.revoke')}</button>
                          </>
                        )}
                      </li>
                    );
                  })}
                </ul>
              </td>
              <td>
                <div className="actions">
                  {p.active && <button type="button" onClick={() => void issue(p)}>{t('cert.issue')}</button>}
                  {props.canManagePharmacies && (
                    <button type="button" onClick={() => setPending({ kind: p.active ? 'deactivate' : 'reactivate', pharmacy: p })}>
                      {t(p.active ? 'pharmacies.deactivate' : 'pharmacies.reactivate')}
                    </button>
                  )}
                  {props.canManagePharmacies && (
                    <button type="button" onClick={() => setPending({ kind: 'offboard', pharmacy: p })}>{t('pharmacies.offboard')}</button>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </TableScroll>
      <ConfirmDialog
        open={pending !== undefined}
        id="pharmacy-confirm"
        text={
          pending?.kind === 'revoke'
            ? t('cert.confirmRevoke', { fingerprint: short(pending.certificate.fingerprint), finess: pending.certificate.finess })
            : pending?.kind === 'offboard'
              ? t('pharmacies.confirmOffboard', { name: pending.pharmacy.name, finess: pending.pharmacy.finess })
              : pending
                ? t(pending.kind === 'deactivate' ? 'pharmacies.confirmDeactivate' : 'pharmacies.confirmReactivate', { finess: pending.pharmacy.finess })
                : ''
        }
        confirmLabel={pending?.kind === 'revoke' ? t('cert.revokeYes') : t('pharmacies.confirmYes')}
        cancelLabel={t('pharmacies.cancel')}
        onConfirm={confirm}
        onClose={() => { setPending(undefined); setReason(''); }}
        danger={pending !== undefined && pending.kind !== 'reactivate'}
        confirmDisabled={pending?.kind === 'revoke' && !reason}
      >
        {pending?.kind === 'revoke' && (
          <div className="field">
            <label htmlFor="revoke-reason">{t('cert.reason')}</label>
            <select id="revoke-reason" value={reason} required onChange={(e) => setReason(e.target.value as RevocationReason)}>
              <option value="" disabled>{t('cert.reasonChoose')}</option>
              {REASONS.map((r) => <option key={r} value={r}>{t(`cert.reason.${r}`)}</option>)}
            </select>
          </div>
        )}
      </ConfirmDialog>
    </>
  );
}

/** Where an offboarding stands after a run, with the download of the pharmacy's receipts and statistics. */
function OffboardingStatus(props: { progress: OffboardingProgress }) {
  const { t } = useI18n();
  const p = props.progress;
  return (
    <section role="status" aria-labelledby="offboarding-title" data-offboarding={p.state}>
      <h2 id="offboarding-title">{t('pharmacies.offboarding', { name: p.name, finess: p.finess })}</h2>
      <p>{p.state === 'offboarded' ? t('pharmacies.offboarded') : t('pharmacies.offboardingPending', { pending: p.pending })}</p>
      <p>{t('pharmacies.offboardingRevoked', { certificates: p.certificatesRevoked, enrolments: p.enrolmentsRevoked })}</p>
      {/* a plain link: the browser downloads with the session cookie */}
      <a className="button" href={`${API}/admin/pharmacies/${p.pharmacyId}/offboarding-export`} download>{t('pharmacies.offboardingExport')}</a>
    </section>
  );
}

/** Adds a pharmacy by FINESS and name; errors appear beside their fields. */
function AddPharmacy(props: { onAdded: (finess: string) => void }) {
  const { t } = useI18n();
  const [finess, setFiness] = useState('');
  const [name, setName] = useState('');
  const [failure, setFailure] = useState<unknown>();
  const errorOf = useFieldError(failure);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(undefined);
    try {
      await call('POST', '/admin/pharmacies', { body: { finess: finess.trim(), name } });
      props.onAdded(finess.trim());
      setFiness('');
      setName('');
    } catch (err) {
      setFailure(err);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-labelledby="add-pharmacy">
      <h2 id="add-pharmacy">{t('pharmacies.add')}</h2>
      <div className="row search">
        <Field id="add-finess" label="FINESS" error={errorOf('finess')}>
          {(a) => <input {...a} value={finess} onChange={(e) => setFiness(e.target.value)} required maxLength={9} inputMode="numeric" autoComplete="off" />}
        </Field>
        <Field id="add-name" label={t('pharmacies.name')} error={errorOf('name')}>
          {(a) => <input {...a} value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} autoComplete="off" />}
        </Field>
        <button type="submit" className="primary">{t('pharmacies.addYes')}</button>
      </div>
      {failure !== undefined && <RegistryProblem error={failure} />}
    </form>
  );
}

/**
 * The one showing of a new certificate: the PKCS#12 through a blob link (revoked once
 * followed, so it downloads once), its password with a warning, and the PEM chain.
 */
function IssuedCertificate(props: { view: IssuedCertificateView; date: (iso: string) => string; onDone: () => void }) {
  const { t } = useI18n();
  const { view } = props;
  const [url, setUrl] = useState<string>();
  const [downloaded, setDownloaded] = useState(false);
  const section = useRef<HTMLElement>(null);
  // the person's attention goes to what is shown only once
  useEffect(() => section.current?.focus(), [view]);
  useEffect(() => {
    const bytes = Uint8Array.from(atob(view.pkcs12Base64), (ch) => ch.charCodeAt(0));
    const link = URL.createObjectURL(new Blob([bytes], { type: 'application/x-pkcs12' }));
    setUrl(link);
    return () => URL.revokeObjectURL(link);
  }, [view]);
  const afterDownload = () => {
    // let the browser start the download before the link goes
    setTimeout(() => {
      if (url) URL.revokeObjectURL(url);
      setDownloaded(true);
    }, 1_000);
  };
  return (
    <section className="receipt" aria-labelledby="issued-title" tabIndex={-1} ref={section}>
      <h2 id="issued-title">{t('cert.issued', { fingerprint: view.certificate.fingerprint.slice(0, 16), finess: view.certificate.finess, date: props.date(view.certificate.notAfter) })}</h2>
      {downloaded ? (
        <p className="note">{t('cert.downloaded')}</p>
      ) : (
        url && <a className="button primary" href={url} download={`${view.certificate.finess}-${view.certificate.fingerprint.slice(0, 8)}.p12`} onClick={afterDownload}>{t('cert.download')}</a>
      )}
      <p role="alert" className="error">{t('cert.passwordWarning')}</p>
      <div className="field">
        <label htmlFor="issued-password">{t('cert.password')}</label>
        <input id="issued-password" className="mono" readOnly value={view.password} onFocus={(e) => e.target.select()} />
      </div>
      <details>
        <summary>{t('cert.chain')}</summary>
        <pre className="mono">{view.certificatePem}{view.chainPem}</pre>
      </details>
      <div className="actions">
        <button type="button" onClick={props.onDone}>{t('cert.done')}</button>
      </div>
    </section>
  );
}
