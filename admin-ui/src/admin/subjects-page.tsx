import { useEffect, useState, type FormEvent } from 'react';
import type { SubjectErasure, SubjectExport, SubjectRequest, SubjectResult } from '../../../gateway/src/api-types.js';
import { SUBJECT_REASONS, type SubjectReason } from '../../../gateway/src/subjects/reasons.js';
import { call } from '../api.js';
import { useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { statusLabel } from '../status.js';
import { ConfirmDialog, Field } from './registry-forms.js';
import { useLoad } from './use-load.js';

/** A person as the form names them: the NIR or a receipt's result id, sent in POST bodies only. */
type Person = { nir: string } | { resultId: string };

/**
 * The data protection officer's page: find a person's results across the chain by NIR or by a
 * receipt's result id, export them (two age files and a passphrase shown once), erase those no
 * longer waiting for SI-DEP after a confirmation; and the register of requests. The NIR stays in
 * the form and in request bodies: never in the page's address.
 */
export function SubjectsPage() {
  const { t, n, language } = useI18n();
  const [by, setBy] = useState<'nir' | 'resultId'>('nir');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState<SubjectReason>('access-request');
  const [found, setFound] = useState<SubjectResult[]>();
  const [exported, setExported] = useState<SubjectExport>();
  const [erasure, setErasure] = useState<SubjectErasure>();
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const locale = language === 'fr' ? 'fr-FR' : 'en-GB';
  const time = (iso: string | null) => (iso ? new Date(iso).toLocaleString(locale) : '—');
  const person = (): Person => (by === 'nir' ? { nir: value } : { resultId: value });

  const act = async (run: () => Promise<void>) => {
    setFailure(undefined);
    try {
      await run();
    } catch (e) {
      setFailure(e);
    }
  };
  const find = (e: FormEvent) => {
    e.preventDefault();
    setExported(undefined);
    setErasure(undefined);
    void act(async () => setFound((await call<{ items: SubjectResult[] }>('POST', '/admin/subjects/find', { body: { ...person(), reason } })).items));
  };
  const exportNow = () => void act(async () => setExported(await call<SubjectExport>('POST', '/admin/subjects/export', { body: { ...person(), reason } })));
  const erase = () =>
    void act(async () => {
      setErasure(await call<SubjectErasure>('POST', '/admin/subjects/erase', { body: { ...person(), reason } }));
      setFound((await call<{ items: SubjectResult[] }>('POST', '/admin/subjects/find', { body: { ...person(), reason } })).items);
    });

  return (
    <>
      <h1>{t('subjects.title')}</h1>
      <p className="note">{t('subjects.intro')}</p>
      <form className="panel" onSubmit={find} autoComplete="off">
        <Field id="subject-by" label={t('subjects.by')}>
          {(a) => (
            <select {...a} value={by} onChange={(e) => setBy(e.target.value === 'resultId' ? 'resultId' : 'nir')}>
              <option value="nir">{t('subjects.byNir')}</option>
              <option value="resultId">{t('subjects.byResultId')}</option>
            </select>
          )}
        </Field>
        <Field id="subject-value" label={t(by === 'nir' ? 'subjects.nir' : 'subjects.resultId')}>
          {(a) => <input {...a} value={value} onChange={(e) => setValue(e.target.value)} spellCheck={false} inputMode={by === 'nir' ? 'numeric' : 'text'} required />}
        </Field>
        <ReasonField id="subject-reason" reason={reason} onChange={setReason} />
        <div className="actions">
          <button type="submit" className="primary">{t('subjects.find')}</button>
        </div>
      </form>
      {failure !== undefined && <ProblemMessage error={failure} />}
      {found && (
        <section className="panel" aria-labelledby="subject-results">
          <h2 id="subject-results">{n('subjects.found', found.length)}</h2>
          {found.length > 0 && (
            <>
              {/* focusable: a keyboard scrolls it sideways on a phone */}
              <div className="table-scroll" tabIndex={0} role="group" aria-label={t('subjects.id')}>
                <table>
                  <thead>
                    <tr><th>{t('subjects.id')}</th><th>FINESS</th><th>{t('subjects.status')}</th><th>{t('subjects.received')}</th><th>{t('subjects.delivered')}</th><th>{t('subjects.purged')}</th></tr>
                  </thead>
                  <tbody>
                    {found.map((r) => (
                      <tr key={r.id}>
                        <td className="mono">{r.id}</td>
                        <td className="mono">{r.finess}</td>
                        <td><span className={`status status-${r.status}`}>{statusLabel(t, r.status)}</span></td>
                        <td>{time(r.receivedAt)}</td>
                        <td>{time(r.deliveredAt)}</td>
                        <td>{time(r.purgedAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div className="actions">
                <button type="button" onClick={exportNow}>{t('subjects.export')}</button>
                <button type="button" className="danger" onClick={() => setConfirming(true)}>{t('subjects.erase')}</button>
              </div>
            </>
          )}
        </section>
      )}
      {exported && <ExportView exported={exported} />}
      {erasure && (
        <p role="status" className="ok">
          {t('subjects.erased', { erased: erasure.erased.length, kept: erasure.kept.filter((k) => k.why === 'delivery-pending').length })}
        </p>
      )}
      <ConfirmDialog
        open={confirming}
        id="subject-erase-confirm"
        text={t('subjects.confirmErase')}
        confirmLabel={t('subjects.eraseYes')}
        cancelLabel={t('pharmacies.cancel')}
        onConfirm={erase}
        onClose={() => setConfirming(false)}
      />
      <RequestRegister />
    </>
  );
}

/** The two files, downloaded from memory, and the passphrase, shown this once. */
function ExportView(props: { exported: SubjectExport }) {
  const { t, n } = useI18n();
  const [links, setLinks] = useState<{ name: string; url: string }[]>([]);
  useEffect(() => {
    const made = props.exported.files.map((f) => ({
      name: f.name,
      url: URL.createObjectURL(new Blob([Uint8Array.from(atob(f.base64), (ch) => ch.charCodeAt(0))], { type: 'application/octet-stream' })),
    }));
    setLinks(made);
    return () => made.forEach((l) => URL.revokeObjectURL(l.url));
  }, [props.exported]);
  return (
    <section className="panel" aria-labelledby="subject-export">
      <h2 id="subject-export">{n('subjects.exported', props.exported.count)}</h2>
      <p role="alert" className="error">{t('subjects.passphraseOnce')}</p>
      <div className="field">
        <label htmlFor="subject-passphrase">{t('subjects.passphrase')}</label>
        <input id="subject-passphrase" className="mono" readOnly value={props.exported.passphrase} onFocus={(e) => e.target.select()} />
      </div>
      <p className="note">{t('subjects.openWith')}</p>
      <div className="actions">
        {links.map((l) => (
          <a key={l.name} className="button" href={l.url} download={l.name}>{l.name}</a>
        ))}
      </div>
    </section>
  );
}

/** The register of requests: record one received today, mark one answered. */
function RequestRegister() {
  const { t, language } = useI18n();
  const { data, failure, reload } = useLoad<{ items: SubjectRequest[] }>('/admin/subjects/requests');
  const [reason, setReason] = useState<SubjectReason>('access-request');
  const [actionFailure, setActionFailure] = useState<unknown>();
  const locale = language === 'fr' ? 'fr-FR' : 'en-GB';
  const date = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString(locale) : '—');
  const run = (path: string, body?: unknown) => {
    setActionFailure(undefined);
    call('POST', path, body === undefined ? {} : { body }).then(reload, setActionFailure);
  };
  return (
    <section className="panel" aria-labelledby="subject-register">
      <h2 id="subject-register">{t('subjects.register')}</h2>
      <p className="note">{t('subjects.registerIntro')}</p>
      <div className="row-actions">
        <ReasonField id="request-reason" reason={reason} onChange={setReason} />
        <button type="button" onClick={() => run('/admin/subjects/requests', { reason })}>{t('subjects.record')}</button>
      </div>
      {(failure ?? actionFailure) !== undefined && <ProblemMessage error={failure ?? actionFailure} />}
      {data && data.items.length === 0 && <p>{t('subjects.noRequest')}</p>}
      {data && data.items.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="group" aria-label={t('subjects.register')}>
          <table>
            <thead>
              <tr><th>{t('subjects.received')}</th><th>{t('subjects.due')}</th><th>{t('subjects.reason')}</th><th>{t('subjects.status')}</th><th>{t('subjects.answered')}</th><th /></tr>
            </thead>
            <tbody>
              {data.items.map((r) => (
                <tr key={r.id} data-request-id={r.id}>
                  <td>{date(r.receivedAt)}</td>
                  <td>{date(r.dueAt)}</td>
                  <td>{t(`subjects.reason.${r.reason}`)}</td>
                  <td>{t(r.status === 'open' ? 'subjects.open' : 'subjects.answeredStatus')}</td>
                  <td>{date(r.answeredAt)}</td>
                  <td>{r.status === 'open' && <button type="button" onClick={() => run(`/admin/subjects/requests/${r.id}/answer`)}>{t('subjects.markAnswered')}</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The reason of a request, from the list the server accepts. */
function ReasonField({ id, reason, onChange }: { id: string; reason: SubjectReason; onChange: (r: SubjectReason) => void }) {
  const { t } = useI18n();
  return (
    <Field id={id} label={t('subjects.reason')}>
      {(a) => (
        <select {...a} value={reason} onChange={(e) => onChange(e.target.value as SubjectReason)}>
          {SUBJECT_REASONS.map((r) => (
            <option key={r} value={r}>{t(`subjects.reason.${r}`)}</option>
          ))}
        </select>
      )}
    </Field>
  );
}
