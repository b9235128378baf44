import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { appendAudit, type AuditAction, type AuditEvent } from '../audit/index.js';
import type { Database } from '../db/index.js';
import type { KeyManager } from '../keys/index.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../db/column-types.js';
import { parseCertificates } from '../pki/index.js';
import { checkTarget, type Resolver } from './outbound.js';
import { newSecret } from './secrets.js';

/** How long the previous secret still signs after a rotation: receivers switch within a day. */
export const ROTATION_OVERLAP_HOURS = 24;

export interface EndpointRegistration {
  pharmacyId: string;
  url: string;
  caPem?: string;
  allowNetworks: string[];
  events?: WebhookEventType[];
}

/** An endpoint as listed: configuration and state, never a secret. */
export interface EndpointSummary {
  id: string;
  pharmacyId: string;
  finess: string;
  url: string;
  allowNetworks: string[];
  events: string[];
  hasCa: boolean;
  rotating: boolean;
  createdBy: string;
  createdAt: Date;
}

type Actor = AuditEvent['actor'];

/** Why an endpoint may not be registered: the field at fault and a stable code, never its value. */
export interface RegistrationProblem {
  field: 'url' | 'allowNetworks' | 'caPem';
  code: string;
}

/**
 * Checks a registration before `addEndpoint`, for the CLI and the web alike: the CA text holds
 * PEM certificates that parse, and the URL passes the SSRF guard (`checkTarget`: HTTPS, its
 * name resolved now, every address public or in an allow-listed network).
 * @example const problem = await registrationProblem({ url, allowNetworks: [] }); // { field: 'url', code: 'address-private' }
 */
export async function registrationProblem(r: Pick<EndpointRegistration, 'url' | 'caPem' | 'allowNetworks'>, lookup?: Resolver): Promise<RegistrationProblem | undefined> {
  if (r.caPem !== undefined && !isCertificateBundle(r.caPem)) return { field: 'caPem', code: 'ca-invalid' };
  const checked = await checkTarget(r.url, r.allowNetworks, lookup);
  if (checked.ok) return undefined;
  return { field: checked.code === 'allow-network-invalid' ? 'allowNetworks' : 'url', code: checked.code };
}

function isCertificateBundle(pem: string): boolean {
  try {
    return parseCertificates(pem).length > 0;
  } catch {
    return false;
  }
}

function audited(actor: Actor, action: AuditAction, endpointId: string): AuditEvent {
  // the endpoint id only: the URL is configuration, kept in its table, never in the log
  return { actor, action, object: { type: 'webhook-endpoint', id: endpointId }, outcome: 'success' };
}

/**
 * Registers an endpoint (checked by the caller with `checkTarget`), audited; returns its id and
 * its signing secret in the `whsec_` form, the only time it is shown.
 */
export async function addEndpoint(db: Database, keys: Pick<KeyManager, 'generateDataKey'>, r: EndpointRegistration, actor: Actor, createdBy: string): Promise<{ id: string; secret: string }> {
  const id = randomUUID();
  const { shown, sealed } = await newSecret(keys, id);
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('webhook_endpoints')
      .values({
        id,
        pharmacy_id: r.pharmacyId,
        url: r.url,
        ca_pem: r.caPem ?? null,
        allow_networks: r.allowNetworks,
        events: r.events && r.events.length > 0 ? r.events : [...WEBHOOK_EVENT_TYPES],
        secret_current: sealed,
        created_by: createdBy,
      })
      .execute();
    await appendAudit(tx, [audited(actor, 'webhook.add', id)]);
  });
  return { id, secret: shown };
}

/** Live endpoints of these pharmacies (all of them when `pharmacyIds` is undefined). */
export async function listEndpoints(db: Database, pharmacyIds?: readonly string[]): Promise<EndpointSummary[]> {
  if (pharmacyIds?.length === 0) return [];
  let q = db
    .selectFrom('webhook_endpoints as w')
    .innerJoin('pharmacies as p', 'p.id', 'w.pharmacy_id')
    .select(['w.id', 'w.pharmacy_id', 'p.finess', 'w.url', 'w.allow_networks', 'w.events', 'w.ca_pem', 'w.previous_until', 'w.created_by', 'w.created_at'])
    .where('w.disabled_at', 'is', null)
    .orderBy('w.created_at');
  if (pharmacyIds) q = q.where('w.pharmacy_id', 'in', pharmacyIds);
  const rows = await q.execute();
  const now = new Date();
  return rows.map((w) => ({
    id: w.id,
    pharmacyId: w.pharmacy_id,
    finess: w.finess,
    url: w.url,
    allowNetworks: w.allow_networks,
    events: w.events,
    hasCa: w.ca_pem !== null,
    rotating: w.previous_until !== null && w.previous_until > now,
    createdBy: w.created_by,
    createdAt: w.created_at,
  }));
}

/** The live endpoint with this id among these pharmacies' (any when undefined). */
export async function findEndpoint(db: Database, id: string, pharmacyIds?: readonly string[]): Promise<EndpointSummary | undefined> {
  return (await listEndpoints(db, pharmacyIds)).find((e) => e.id === id);
}

/** Stops an endpoint's callbacks (its events stay, unsent), audited; false when it is not live. */
export async function removeEndpoint(db: Database, id: string, actor: Actor): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const { numUpdatedRows } = await tx.updateTable('webhook_endpoints').set({ disabled_at: sql`now()` }).where('id', '=', id).where('disabled_at', 'is', null).executeTakeFirst();
    if (numUpdatedRows !== 1n) return false;
    await appendAudit(tx, [audited(actor, 'webhook.remove', id)]);
    return true;
  });
}

/**
 * A new signing secret, audited: the current one becomes the previous and still signs for
 * ROTATION_OVERLAP_HOURS (both signatures in `webhook-signature`). Returns the new secret, shown
 * once; undefined when the endpoint is not live.
 */
export async function rotateSecret(db: Database, keys: Pick<KeyManager, 'generateDataKey'>, id: string, actor: Actor): Promise<string | undefined> {
  const { shown, sealed } = await newSecret(keys, id);
  return db.transaction().execute(async (tx) => {
    const { numUpdatedRows } = await tx
      .updateTable('webhook_endpoints')
      .set({ secret_previous: sql`secret_current`, secret_current: sealed, previous_until: sql`now() + make_interval(hours => ${ROTATION_OVERLAP_HOURS})` })
      .where('id', '=', id)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    if (numUpdatedRows !== 1n) return undefined;
    await appendAudit(tx, [audited(actor, 'webhook.rotate-secret', id)]);
    return shown;
  });
}

/** Queues a `test` event to this endpoint (a new webhook-id each time), audited; returns its id. */
export async function sendTestEvent(db: Database, id: string, actor: Actor): Promise<string> {
  return db.transaction().execute(async (tx) => {
    const { id: eventId } = await tx
      .insertInto('webhook_events')
      .values({
        endpoint_id: id,
        subject_id: null,
        type: 'test',
        payload: sql`jsonb_build_object('type', 'test', 'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'data', jsonb_build_object('endpointId', ${id}::text))`,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(tx, [audited(actor, 'webhook.test', id)]);
    return eventId;
  });
}
