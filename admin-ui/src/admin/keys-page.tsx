import { useEffect, useRef, useState } from 'react';
import type { KeyStatus } from '../../../gateway/src/api-types.js';
import { call } from '../api.js';
import { useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { progressOf, useBackgroundJob } from './background-job.js';
import { useLoad } from './use-load.js';
import { reasonWords } from './audit-words.js';

type Change = 'rotate' | 'rewrap';

/**
 * Key versions in use and the oldest (`gateway keys status`); for chain admins, a rotation and
 * a rewrap with its progress, each after a confirmation. A rewrap is resumable: run it again
 * after an interruption. Retiring old versions is left to the host operator's `gateway keys`
 * (the web process may not record the rewrap that retirement relies on).
 */
export function KeysPage(props: { canChange: boolean }) {
  const { t, n, language } = useI18n();
  const { data, failure, reload } = useLoad<KeyStatus>('/admin/keys');
  const rewrap = useBackgroundJob<{ rewrapped: number; current: number }>('/admin/keys/rewraps');
  const [confirming, setConfirming] = useState<Change>();
  const [done, setDone] = useState<string>();
  const [actionFailure, setActionFailure] = useState<unknown>();
  const dialog = useRef<HTMLDialogElement>(null);
  const job = rewrap.job;

  // the status moves when a rewrap ends
  useEffect(() => {
    if (job && job.state !== 'running') reload();
  }, [job, reload]);

  const ask = (change: Change) => {
    setConfirming(change);
    setDone(undefined);
    setActionFailure(undefined);
    dialog.current?.showModal();
  };
  const confirm = async () => {
    dialog.current?.close();
    if (confirming === 'rewrap') return rewrap.run();
    try {
      const { current } = await call<{ current: number }>('POST', '/admin/keys/rotation');
      setDone(t('keyadmin.rotated', { version: current }));
      reload();
    } catch (e) {
      setActionFailure(e);
    }
  };

  if (failure) return <ProblemMessage error={failure} />;
  if (!data) return <p>{t('app.loading')}</p>;
  const progress = job && progressOf(job);
  return (
    <>
      <h1>{t('keyadmin.title')}</h1>
      <p>{t('keys.summary', { kind: data.kind, current: data.current, min: data.minDecryption })}</p>
      <p role="status" className={data.findings.length ? 'error' : 'ok'}>
        {data.oldestInUse === null ? t('keyadmin.noKeys') : t('keyadmin.oldest', { version: data.oldestInUse })}
        {data.findings.map((f) => ` ${t(`keyadmin.finding.${f}`)}`).join('')}
      </p>
      <table>
        <caption>{t('keyadmin.kek')}</caption>
        <thead>
          <tr><th scope="col">{t('keys.version')}</th><th scope="col" className="num">{t('keys.dataKeys')}</th><th scope="col" className="num">{t('keys.records')}</th></tr>
        </thead>
        <tbody>
          {data.kek.map((v) => (
            <tr key={v.version} data-kek-version={v.version}><td>v{v.version}{v.version === data.current ? ` (${t('keyadmin.current')})` : ''}</td><td className="num">{v.dataKeys}</td><td className="num">{v.records}</td></tr>
          ))}
        </tbody>
      </table>
      <table>
        <caption>{t('keyadmin.blindIndex', { versions: data.blindIndex.held.join(', ') })}</caption>
        <thead>
          <tr><th scope="col">{t('keys.version')}</th><th scope="col" className="num">{t('keyadmin.results')}</th><th scope="col" className="num">{t('keyadmin.idempotencyKeys')}</th></tr>
        </thead>
        <tbody>
          {data.blindIndex.inUse.map((v) => (
            <tr key={v.version}><td>v{v.version}</td><td className="num">{v.results}</td><td className="num">{v.idempotencyKeys}</td></tr>
          ))}
        </tbody>
      </table>

      {props.canChange ? (
        <section aria-labelledby="key-changes" className="panel">
          <h2 id="key-changes">{t('keyadmin.changes')}</h2>
          <div className="actions">
            <button type="button" onClick={() => ask('rotate')}>{t('keyadmin.rotate')}</button>
            <button type="button" onClick={() => ask('rewrap')} disabled={job?.state === 'running'}>{t('keyadmin.rewrap')}</button>
          </div>
          {done && <p role="status" className="ok">{done}</p>}
          {actionFailure !== undefined && <ProblemMessage error={actionFailure} />}
          {rewrap.failure !== undefined && <ProblemMessage error={rewrap.failure} />}
          {job && progress && (
            <div className="job" data-job-state={job.state}>
              <label htmlFor="rewrap-progress">{t('keyadmin.progress', { done: job.done, total: job.total })}</label>{' '}
              <progress id="rewrap-progress" max={progress.max} value={progress.value}>{progress.percent} %</progress>
              <p role="status" className={job.state === 'failed' ? 'error' : job.state === 'succeeded' ? 'ok' : undefined}>
                {job.state === 'running'
                  ? t('keyadmin.rewrapping')
                  : job.state === 'failed'
                    ? t('keyadmin.rewrapFailed', { code: job.problem ? reasonWords(job.problem.code, language) : '—' })
                    : n('keyadmin.rewrapped', job.result?.rewrapped ?? 0, { version: job.result?.current ?? data.current })}
              </p>
            </div>
          )}
        </section>
      ) : (
        <p>{t('keyadmin.readOnly')}</p>
      )}
      <p className="note" id="key-retire">{t('keyadmin.retire')}</p>

      <dialog ref={dialog} aria-labelledby="key-confirm" onClose={() => setConfirming(undefined)}>
        <p id="key-confirm">{confirming === 'rewrap' ? t('keyadmin.confirmRewrap', { version: data.current }) : t('keyadmin.confirmRotate', { version: data.current + 1 })}</p>
        <div className="actions">
          <button type="button" onClick={() => dialog.current?.close()}>{t('dead.cancel')}</button>
          <button type="button" className="primary" onClick={() => void confirm()}>{t('keyadmin.confirmYes')}</button>
        </div>
      </dialog>
    </>
  );
}
