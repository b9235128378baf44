import type { SystemSummary } from '../../../gateway/src/api-types.js';
import { useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { useLoad } from './use-load.js';
import { checkName, checkSentence, settingName, settingValue } from './system-words.js';

const MARKS = { ok: '✓', warn: '!', fail: '✗', skip: '–' } as const;

/** Doctor's checks and the configuration, in words; a finding French has no words for stays in English, said so. */
export function SystemPage() {
  const { t, language } = useI18n();
  const { data, failure } = useLoad<SystemSummary>('/admin/system');
  if (failure) return <ProblemMessage error={failure} />;
  if (!data) return <p>{t('app.loading')}</p>;
  return (
    <>
      <h1>{t('system.title')}</h1>
      <h2>{t('system.checks')}</h2>
      <ul className="checks">
        {data.checks.map((c) => (
          <li key={c.id} className={`check-${c.status}`}>
            <span className="mark" aria-hidden="true">{MARKS[c.status]}</span> <strong>{t(`system.${c.status}`)}</strong> {checkName(c.id, language)} — <Sentence text={c.summary} />
            {c.hint && <div className="hint"><Sentence text={c.hint} /></div>}
          </li>
        ))}
      </ul>
      <Keys keys={data.keys} />
      <h2>{t('system.config')}</h2>
      <table>
        <tbody>
          {data.config.map((c) => (
            <tr key={c.key}><th scope="row">{settingName(c.key, language)}</th><td>{settingValue(c.value, language)}</td></tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** A doctor's sentence in the page's language, or a note and the original, marked as English for screen readers. */
function Sentence(props: { text: string }) {
  const { t, language } = useI18n();
  const said = checkSentence(props.text, language);
  if (said !== undefined) return <>{said}</>;
  return (
    <details className="original">
      <summary>{t('system.inEnglish')}</summary>
      <span lang="en">{props.text}</span>
    </details>
  );
}

/** KEK versions in use, and how far a rewrap has moved stored data keys to the current one. */
function Keys(props: { keys: SystemSummary['keys'] }) {
  const { t } = useI18n();
  const k = props.keys;
  if (!k) return <><h2>{t('keys.title')}</h2><p className="error">{t('keys.unavailable')}</p></>;
  const total = k.inUse.reduce((n, u) => n + u.dataKeys, 0);
  const current = k.inUse.filter((u) => u.version >= k.current).reduce((n, u) => n + u.dataKeys, 0);
  const percent = total ? Math.floor((100 * current) / total) : 100;
  return (
    <>
      <h2>{t('keys.title')}</h2>
      <p>{t('keys.summary', { kind: k.kind, current: k.current, min: k.minDecryption })}</p>
      <label htmlFor="rewrap">{t('keys.rewrap', { percent })}</label> <progress id="rewrap" max={100} value={percent}>{percent} %</progress>
      {k.inUse.length > 0 && (
        <table>
          <thead><tr><th scope="col">{t('keys.version')}</th><th scope="col" className="num">{t('keys.dataKeys')}</th><th scope="col" className="num">{t('keys.records')}</th></tr></thead>
          <tbody>{k.inUse.map((u) => <tr key={u.version}><td>v{u.version}</td><td className="num">{u.dataKeys}</td><td className="num">{u.records}</td></tr>)}</tbody>
        </table>
      )}
      <p className="note">{t('keys.cli')}</p>
    </>
  );
}
