import { useEffect, useState, type FormEvent } from 'react';
import type { AuditEventRow, AuditEventsPage, AuditVerification } from '../../../gateway/src/api-types.js';
import { API, call } from '../api.js';
import { useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { ACTION_WORDS, actionWords, actorWords, faultWords, objectWords, reasonWords } from './audit-words.js';
import { progressOf, useBackgroundJob } from './background-job.js';
import { TableScroll } from './table-scroll.js';

const OUTCOMES = ['success', 'failure', 'denied'] as const;

/** A day range of the form as RFC 3339 instants: from the first day's start to the last day's end, local time. */
function rangeOf(form: { from: string; to: string }): Record<string, string> {
  const r: Record<string, string> = {};
  if (form.from) r.since = new Date(`${form.from}T00:00:00`).toISOString();
  if (form.to) r.until = new Date(`${form.to}T23:59:59.999`).toISOString();
  return r;
}

/**
 * The auditor's page: search the audit log (newest first, page by page), verify a range in the
 * background with its progress, and download a range as JSON Lines with inclusion proofs. It
 * reads only: nothing here changes the log.
 */
export function AuditPage() {
  const { t, language } = useI18n();
  const [form, setForm] = useState({ from: '', to: '', action: '', actor: '', outcome: '', object: '' });
  const [query, setQuery] = useState(form);
  const [items, setItems] = useState<AuditEventRow[]>();
  const [next, setNext] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>();
  const range = new URLSearchParams(rangeOf(query)).toString();
  const verification = useBackgroundJob<AuditVerification>(`/admin/audit/verifications${range ? `?${range}` : ''}`);

  const searchParams = (cursor?: string) => {
    const p = new URLSearchParams(rangeOf(query));
    for (const k of ['action', 'actor', 'outcome', 'object'] as const) if (query[k]) p.set(k, query[k]);
    if (cursor) p.set('cursor', cursor);
    return p.toString();
  };
  const load = (cursor?: string) =>
    call<AuditEventsPage>('GET', `/admin/audit/events?${searchParams(cursor)}`).then((page) => {
      setItems((old) => (cursor ? [...(old ?? []), ...page.items] : page.items));
      setNext(page.nextCursor);
      setFailure(undefined);
    }, setFailure);

  // a new query starts from the newest event again
  useEffect(() => {
    void load();
  }, [query]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery(form);
  };
  // every action the gateway writes, in words, in the person's alphabetical order
  const actions = Object.keys(ACTION_WORDS)
    .map((code) => ({ code, words: actionWords(code, language) }))
    .sort((a, b) => a.words.localeCompare(b.words, language));
  const text = (k: 'from' | 'to' | 'actor' | 'object', type = 'text') => (
    <div className="field">
      <label htmlFor={`a-${k}`}>{t(`audit.${k}`)}</label>
      <input id={`a-${k}`} type={type} value={form[k]} onChange={(e) => setForm({ ...form, [k]: e.target.value })} />
    </div>
  );
  const time = (iso: string) => new Date(iso).toLocaleString(language === 'fr' ? 'fr-FR' : 'en-GB');
  const job = verification.job;
  const progress = job && progressOf(job);
  const fault = job?.result?.fault;

  return (
    <>
      <h1>{t('audit.title')}</h1>
      <form className="row search" onSubmit={submit} aria-label={t('audit.search')}>
        {text('from', 'date')}
        {text('to', 'date')}
        <div className="field">
          <label htmlFor="a-action">{t('audit.action')}</label>
          <select id="a-action" value={form.action} onChange={(e) => setForm({ ...form, action: e.target.value })}>
            <option value="">{t('audit.any')}</option>
            {actions.map((a) => <option key={a.code} value={a.code}>{a.words}</option>)}
          </select>
        </div>
        {text('actor')}
        <div className="field">
          <label htmlFor="a-outcome">{t('audit.outcome')}</label>
          <select id="a-outcome" value={form.outcome} onChange={(e) => setForm({ ...form, outcome: e.target.value })}>
            <option value="">{t('audit.any')}</option>
            {OUTCOMES.map((o) => <option key={o} value={o}>{t(`audit.outcome.${o}`)}</option>)}
          </select>
        </div>
        {text('object')}
        <button type="submit" className="primary">{t('audit.searchYes')}</button>
      </form>

      <section aria-labelledby="verify-title" className="panel">
        <h2 id="verify-title">{t('audit.verifyTitle')}</h2>
        <p>{t('audit.verifyHelp')}</p>
        <div className="actions">
          <button type="button" onClick={verification.run} disabled={job?.state === 'running'}>{t('audit.verify')}</button>
          {/* a plain link: the browser downloads with the session cookie */}
          <a className="button" href={`${API}/admin/audit/export${range ? `?${range}` : ''}`} download>{t('audit.export')}</a>
        </div>
        {verification.failure !== undefined && <ProblemMessage error={verification.failure} />}
        {job && progress && (
          <div className="job" data-job-state={job.state}>
            <label htmlFor="verify-progress">{t('audit.progress', { done: job.done, total: job.total })}</label>{' '}
            <progress id="verify-progress" max={progress.max} value={progress.value}>{progress.percent} %</progress>
            <p role="status" className={job.state === 'succeeded' && !fault ? 'ok' : job.state === 'running' ? undefined : 'error'}>
              {job.state === 'running'
                ? t('audit.running')
                : job.state === 'failed'
                  ? t('audit.jobFailed', { code: job.problem?.code ?? '—' })
                  : fault
                    ? t('audit.fault', { kind: faultWords(fault.kind, language), seq: fault.seq ?? '—', checkpoint: fault.checkpoint ?? '—', check: fault.check })
                    : t(job.result?.againstSink ? 'audit.okSink' : 'audit.ok', { checkpoints: job.result?.checkpoints ?? 0, events: job.result?.events ?? 0 })}
            </p>
          </div>
        )}
      </section>

      {failure !== undefined && <ProblemMessage error={failure} />}
      {items && items.length === 0 && <p>{t('audit.empty')}</p>}
      {items && items.length > 0 && (
        <TableScroll label={t('audit.title')}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('audit.seq')}</th><th scope="col">{t('audit.at')}</th><th scope="col">{t('audit.actor')}</th><th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.object')}</th><th scope="col">{t('audit.outcome')}</th><th scope="col">{t('audit.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.seq} data-outcome={e.outcome}>
                <td className="num">{e.seq}</td>
                <td>{time(e.at)}</td>
                <td>{actorWords(e.actor, language)}</td>
                <td>{actionWords(e.action, language)}</td>
                <td>{e.object ? objectWords(e.object, language) : ''}</td>
                <td>{t(`audit.outcome.${e.outcome}`)}</td>
                <td>{e.reason === null ? '' : reasonWords(e.reason, language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </TableScroll>
      )}
      {next && <button type="button" onClick={() => void load(next)}>{t('audit.more')}</button>}
    </>
  );
}
