import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { PharmacyRow, WebhookCallback, WebhookEndpoint, WebhookSecret } from '../../../gateway/src/api-types.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../../../gateway/src/db/column-types.js';
import { call } from '../api.js';
import { useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { ConfirmDialog, Field, RegistryProblem, useFieldError } from './registry-forms.js';
import { useLoad } from './use-load.js';

// delivery states change within seconds of a test or a replay
const REFRESH_MS = 4_000;

/**
 * Status-callback endpoints per pharmacy, with their latest callbacks. Chain admins and the
 * pharmacy's managers register an endpoint (its signing secret is shown once), send a test event,
 * replay a callback, rotate the secret (shown once too) and remove an endpoint after a
 * confirmation; only chain admins allow-list a network past the SSRF guard (the server checks).
 */
export function WebhooksPage(props: { chainWide: boolean }) {
  const { t } = useI18n();
  const pharmacies = useLoad<{ items: PharmacyRow[] }>('/admin/pharmacies');
  const endpoints = useLoad<{ items: WebhookEndpoint[] }>('/admin/webhooks', REFRESH_MS);
  const [secret, setSecret] = useState<{ view: WebhookSecret; rotated: boolean }>();
  const [removing, setRemoving] = useState<WebhookEndpoint>();
  const [done, setDone] = useState<string>();
  const [failure, setFailure] = useState<unknown>();

  /** Runs one change, then shows its outcome and reloads the list. */
  const change = async (run: () => Promise<string | undefined>) => {
    setFailure(undefined);
    setDone(undefined);
    try {
      setDone(await run());
      endpoints.reload();
    } catch (e) {
      setFailure(e);
    }
  };
  const sendTest = (e: WebhookEndpoint) =>
    change(async () => t('webhooks.testQueued', { id: (await call<{ eventId: string }>('POST', `/admin/webhooks/${e.id}/test`)).eventId }));
  const rotate = (e: WebhookEndpoint) =>
    change(async () => {
      setSecret({ view: await call<WebhookSecret>('POST', `/admin/webhooks/${e.id}/rotate-secret`), rotated: true });
      return undefined;
    });
  const replay = (c: WebhookCallback) =>
    change(async () => t('webhooks.replayed', { id: (await call<{ eventId: string }>('POST', `/admin/webhook-events/${c.id}/replay`)).eventId }));
  const remove = () => {
    const e = removing;
    if (!e) return;
    void change(async () => {
      await call('POST', `/admin/webhooks/${e.id}/remove`);
      return t('webhooks.removed', { url: e.url });
    });
  };

  const loadFailure = pharmacies.failure ?? endpoints.failure;
  if (loadFailure) return <ProblemMessage error={loadFailure} />;
  if (!pharmacies.data || !endpoints.data) return <p>{t('app.loading')}</p>;
  const active = pharmacies.data.items.filter((p) => p.active);
  return (
    <div className="webhooks">
      <h1>{t('webhooks.title')}</h1>
      <p className="note">{t('webhooks.intro')}</p>
      {done && <p role="status" className="ok">{done}</p>}
      {failure !== undefined && <RegistryProblem error={failure} />}
      {secret && <SecretOnce view={secret.view} rotated={secret.rotated} onDone={() => setSecret(undefined)} />}
      {active.length > 0 && (
        <AddEndpoint
          pharmacies={active}
          chainWide={props.chainWide}
          onAdded={(view) => {
            setDone(undefined);
            setSecret({ view, rotated: false });
            endpoints.reload();
          }}
        />
      )}
      {pharmacies.data.items.map((p) => {
        const mine = endpoints.data?.items.filter((e) => e.pharmacyId === p.id) ?? [];
        return (
          <section key={p.id} aria-labelledby={`webhooks-${p.id}`} data-finess={p.finess}>
            <h2 id={`webhooks-${p.id}`}>{t('webhooks.ofPharmacy', { name: p.name, finess: p.finess })}</h2>
            {mine.length === 0 ? (
              <p className="note">{t('webhooks.none')}</p>
            ) : (
              <ul className="webhook-list">
                {mine.map((e) => (
                  <EndpointCard key={e.id} endpoint={e} onTest={() => void sendTest(e)} onRotate={() => void rotate(e)} onRemove={() => setRemoving(e)} onReplay={(c) => void replay(c)} />
                ))}
              </ul>
            )}
          </section>
        );
      })}
      <ConfirmDialog
        open={removing !== undefined}
        id="webhook-remove-confirm"
        text={removing ? t('webhooks.confirmRemove', { url: removing.url, finess: removing.finess }) : ''}
        confirmLabel={t('webhooks.removeYes')}
        cancelLabel={t('pharmacies.cancel')}
        onConfirm={remove}
        onClose={() => setRemoving(undefined)}
      />
    </div>
  );
}

/** One endpoint: its configuration, its callbacks by state, the latest ones, and its actions. */
function EndpointCard(props: { endpoint: WebhookEndpoint; onTest: () => void; onRotate: () => void; onRemove: () => void; onReplay: (c: WebhookCallback) => void }) {
  const { t, language } = useI18n();
  const e = props.endpoint;
  const time = (iso: string) => new Date(iso).toLocaleString(language === 'fr' ? 'fr-FR' : 'en-GB');
  return (
    <li className="webhook" data-endpoint={e.id} aria-labelledby={`endpoint-${e.id}`}>
      <h3 id={`endpoint-${e.id}`} className="mono url">{e.url}</h3>
      <dl>
        <dt>{t('webhooks.events')}</dt>
        <dd className="mono">{e.events.join(', ')}</dd>
        {e.allowNetworks.length > 0 && (
          <>
            <dt>{t('webhooks.allowNetworks')}</dt>
            <dd className="mono">{e.allowNetworks.join(', ')}</dd>
          </>
        )}
        <dt>{t('webhooks.ca')}</dt>
        <dd>{t(e.hasCa ? 'webhooks.caOwn' : 'webhooks.caPublic')}</dd>
        <dt>{t('webhooks.delivery')}</dt>
        <dd>{t('webhooks.counts', { delivered: e.counts.delivered, pending: e.counts.pending, dead: e.counts.dead })}</dd>
      </dl>
      {e.rotating && <p className="note">{t('webhooks.rotating')}</p>}
      {e.recent.length > 0 && (
        // open: the latest states are what the page is for; a person may fold them away
        <details open>
          <summary>{t('webhooks.recent')}</summary>
          <ul className="callbacks">
            {e.recent.map((c) => (
              <li key={c.id} data-callback={c.id}>
                <span className={`status status-${c.status === 'dead' ? 'dead-lettered' : c.status === 'delivered' ? 'delivered' : 'retrying'}`}>{t(`webhooks.status.${c.status}`)}</span>{' '}
                <code>{c.type}</code> — {time(c.deliveredAt ?? c.createdAt)}
                {c.attempts > 1 && <> — {t('webhooks.attempts', { attempts: c.attempts })}</>}
                {c.lastErrorCode && c.status !== 'delivered' && <> — <code>{c.lastErrorCode}</code></>}
                {c.status !== 'pending' && (
                  <>
                    {' '}
                    <button type="button" className="link" aria-label={t('webhooks.replayLabel', { id: c.id })} onClick={() => props.onReplay(c)}>{t('webhooks.replay')}</button>
                  </>
                )}
              </li>
            ))}
          </ul>
        </details>
      )}
      <div className="row-actions">
        <button type="button" onClick={props.onTest}>{t('webhooks.test')}</button>
        <button type="button" onClick={props.onRotate}>{t('webhooks.rotate')}</button>
        <button type="button" onClick={props.onRemove}>{t('webhooks.remove')}</button>
      </div>
    </li>
  );
}

/** Registers an endpoint of one pharmacy; errors appear beside their fields. */
function AddEndpoint(props: { pharmacies: PharmacyRow[]; chainWide: boolean; onAdded: (secret: WebhookSecret) => void }) {
  const { t } = useI18n();
  const [pharmacyId, setPharmacyId] = useState(props.pharmacies[0]?.id ?? '');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEventType[]>([...WEBHOOK_EVENT_TYPES]);
  const [caPem, setCaPem] = useState('');
  const [networks, setNetworks] = useState('');
  const [failure, setFailure] = useState<unknown>();
  const errorOf = useFieldError(failure);
  const toggle = (e: WebhookEventType, on: boolean) => setEvents((now) => (on ? WEBHOOK_EVENT_TYPES.filter((x) => x === e || now.includes(x)) : now.filter((x) => x !== e)));
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setFailure(undefined);
    const allowNetworks = networks.split(/[\s,]+/).filter((n) => n !== '');
    try {
      const body = { url: url.trim(), events, ...(caPem.trim() ? { caPem } : {}), ...(props.chainWide && allowNetworks.length > 0 ? { allowNetworks } : {}) };
      props.onAdded(await call<WebhookSecret>('POST', `/admin/pharmacies/${pharmacyId}/webhooks`, { body }));
      setUrl('');
      setCaPem('');
      setNetworks('');
      setEvents([...WEBHOOK_EVENT_TYPES]);
    } catch (err) {
      setFailure(err);
    }
  };
  const eventsError = errorOf('events');
  return (
    <form onSubmit={(e) => void submit(e)} aria-labelledby="add-webhook" className="add-webhook">
      <h2 id="add-webhook">{t('webhooks.add')}</h2>
      <div className="row">
        {props.pharmacies.length > 1 && (
          <div className="field">
            <label htmlFor="webhook-pharmacy">{t('results.pharmacy')}</label>
            <select id="webhook-pharmacy" value={pharmacyId} onChange={(e) => setPharmacyId(e.target.value)}>
              {props.pharmacies.map((p) => <option key={p.id} value={p.id}>{`${p.name} (${p.finess})`}</option>)}
            </select>
          </div>
        )}
        <Field id="webhook-url" label={t('webhooks.url')} error={errorOf('url')}>
          {(a) => <input {...a} type="url" value={url} onChange={(e) => setUrl(e.target.value)} required maxLength={2048} placeholder="https://" autoComplete="off" spellCheck={false} />}
        </Field>
      </div>
      <fieldset className="events" aria-describedby={eventsError ? 'webhook-events-error' : undefined}>
        <legend>{t('webhooks.events')}</legend>
        {WEBHOOK_EVENT_TYPES.map((e) => (
          <label key={e} className="check-line">
            <input type="checkbox" checked={events.includes(e)} onChange={(x) => toggle(e, x.target.checked)} /> <code>{e}</code>
          </label>
        ))}
        {eventsError && <span id="webhook-events-error" className="field-error">{eventsError}</span>}
      </fieldset>
      <Field id="webhook-ca" label={t('webhooks.caPem')} error={errorOf('caPem')}>
        {(a) => <textarea {...a} className="mono" rows={4} value={caPem} onChange={(e) => setCaPem(e.target.value)} placeholder="-----BEGIN CERTIFICATE-----" spellCheck={false} />}
      </Field>
      {props.chainWide && (
        <Field id="webhook-networks" label={t('webhooks.allowNetworksField')} error={errorOf('allowNetworks')}>
          {(a) => <input {...a} className="mono" value={networks} onChange={(e) => setNetworks(e.target.value)} placeholder="127.0.0.0/8" autoComplete="off" spellCheck={false} />}
        </Field>
      )}
      {props.chainWide && <p className="note">{t('webhooks.allowNetworksHelp')}</p>}
      <div className="actions">
        <button type="submit" className="primary" disabled={events.length === 0}>{t('webhooks.addYes')}</button>
      </div>
      {failure !== undefined && <RegistryProblem error={failure} />}
    </form>
  );
}

/** The one showing of a signing secret, with a copy button and a warning; focus moves to it. */
function SecretOnce(props: { view: WebhookSecret; rotated: boolean; onDone: () => void }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState<boolean>();
  const section = useRef<HTMLElement>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => section.current?.focus(), [props.view]);
  const copy = () =>
    navigator.clipboard.writeText(props.view.secret).then(
      () => setCopied(true),
      () => {
        // no clipboard (permission refused): select it for the person to copy by hand
        input.current?.select();
        setCopied(false);
      },
    );
  return (
    <section className="receipt secret-once" aria-labelledby="webhook-secret-title" tabIndex={-1} ref={section}>
      <h2 id="webhook-secret-title">{t(props.rotated ? 'webhooks.secretRotated' : 'webhooks.secretNew')}</h2>
      <p role="alert" className="error">{t(props.rotated ? 'webhooks.secretWarningRotated' : 'webhooks.secretWarning')}</p>
      <div className="field">
        <label htmlFor="webhook-secret">{t('webhooks.secret')}</label>
        <input id="webhook-secret" ref={input} className="mono" readOnly value={props.view.secret} onFocus={(e) => e.target.select()} />
      </div>
      {copied !== undefined && <p role="status" className={copied ? 'ok' : 'note'}>{t(copied ? 'webhooks.copied' : 'webhooks.copyByHand')}</p>}
      <div className="actions">
        <button type="button" onClick={() => void copy()}>{t('webhooks.copy')}</button>
        <button type="button" className="primary" onClick={props.onDone}>{t('webhooks.secretDone')}</button>
      </div>
    </section>
  );
}
