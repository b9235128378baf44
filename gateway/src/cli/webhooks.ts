import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { requiredSection } from '../config/index.js';
import type { Database } from '../db/index.js';
import { openConfiguredKeys } from '../vault/index.js';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../db/column-types.js';
import { addEndpoint, findEndpoint, listEndpoints, registrationProblem, removeEndpoint, rotateSecret, sendTestEvent } from '../webhooks/registry.js';
import { replayCallback } from '../webhooks/store.js';
import { parseCommandLine, UsageError, type CliContext, type Command } from './command.js';

const USAGE = `  webhooks add <finess> --url URL [--ca-file F] [--allow-network CIDR]... [--events a,b]
                              Register a status-callback endpoint; prints its signing secret once
                              (events: ${WEBHOOK_EVENT_TYPES.join(', ')}; default all)
  webhooks list [<finess>]    Live endpoints (never a secret)
  webhooks remove <id>        Stop an endpoint's callbacks
  webhooks test <id>          Queue a signed \`test\` event to an endpoint
  webhooks rotate-secret <id> A new secret, printed once; the previous one signs too for 24 h
  webhooks replay <event-id>  Send a callback again with its webhook-id (a dead letter, or one the receiver lost)
`;

/** `gateway webhooks …`: state-changing subcommands are audited as the operator, by endpoint id. */
export const webhooks: Command = {
  help: USAGE,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandLine(argv, {
      url: { type: 'string' },
      'ca-file': { type: 'string' },
      'allow-network': { type: 'string', multiple: true },
      events: { type: 'string' },
    });
    const [sub, arg, ...rest] = positionals;
    if (rest.length > 0 || (sub !== 'list' && arg === undefined)) throw new UsageError(`Usage:\n${USAGE}`);
    if (sub === 'list') return ctx.withDatabase(values['database-url'], (db) => list(db, ctx, arg));
    const operator = ctx.operator(values.operator);
    const id = arg as string;
    switch (sub) {
      case 'add': {
        if (values.url === undefined) throw new UsageError('webhooks add: --url is required.');
        const events = parseEvents(values.events);
        const allowNetworks = values['allow-network'] ?? [];
        const caPem = values['ca-file'] === undefined ? undefined : await readFile(values['ca-file'], 'utf8');
        const problem = await registrationProblem({ url: values.url, allowNetworks, ...(caPem === undefined ? {} : { caPem }) });
        if (problem) throw new UsageError(`webhooks add: the endpoint is refused (${problem.code}).`);
        const keys = await openKeys(ctx);
        return ctx.withDatabase(values['database-url'], async (db) => {
          const pharmacy = await db.selectFrom('pharmacies').select('id').where('finess', '=', id).executeTakeFirst();
          if (!pharmacy) throw new UsageError(`webhooks add: no pharmacy with FINESS ${id}.`);
          const added = await addEndpoint(db, keys, { pharmacyId: pharmacy.id, url: values.url as string, ...(caPem ? { caPem } : {}), allowNetworks, ...(events ? { events } : {}) }, operator.actor, operator.actor.id);
          ctx.out(`Registered endpoint ${added.id} for pharmacy ${id}.`);
          ctx.out(`Signing secret (shown once, store it in the pharmacy software now): ${added.secret}`);
          return 0;
        });
      }
      case 'remove':
        return ctx.withDatabase(values['database-url'], async (db) => found(ctx, await removeEndpoint(db, id, operator.actor), `Removed endpoint ${id}.`));
      case 'test':
        return ctx.withDatabase(values['database-url'], async (db) => {
          if (!(await findEndpoint(db, id))) return found(ctx, false, '');
          ctx.out(`Queued test event ${await sendTestEvent(db, id, operator.actor)} to endpoint ${id}.`);
          return 0;
        });
      case 'rotate-secret': {
        const keys = await openKeys(ctx);
        return ctx.withDatabase(values['database-url'], async (db) => {
          const secret = await rotateSecret(db, keys, id, operator.actor);
          if (secret === undefined) return found(ctx, false, '');
          ctx.out(`New signing secret of endpoint ${id} (shown once; the previous one signs too for 24 h): ${secret}`);
          return 0;
        });
      }
      case 'replay':
        return ctx.withDatabase(values['database-url'], async (db) => {
          const endpointIds = (await listEndpoints(db)).map((e) => e.id);
          return found(ctx, await replayCallback(db, id, endpointIds, operator.actor), `Event ${id} queued again.`);
        });
      default:
        throw new UsageError(`Usage:\n${USAGE}`);
    }
  },
};

function parseEvents(flag: string | undefined): WebhookEventType[] | undefined {
  if (flag === undefined) return undefined;
  const events = flag.split(',').map((e) => e.trim());
  const unknown = events.filter((e) => !isWebhookEventType(e));
  if (unknown.length > 0 || events.length === 0) throw new UsageError(`--events takes a comma-separated list of: ${WEBHOOK_EVENT_TYPES.join(', ')}.`);
  return events as WebhookEventType[];
}

function found(ctx: CliContext, ok: boolean, line: string): number {
  if (!ok) {
    ctx.err('No such live endpoint or event.');
    return 1;
  }
  ctx.out(line);
  return 0;
}

async function list(db: Database, ctx: CliContext, finess: string | undefined): Promise<number> {
  const pharmacyIds = finess === undefined ? undefined : (await db.selectFrom('pharmacies').select('id').where('finess', '=', finess).execute()).map((p) => p.id);
  for (const e of await listEndpoints(db, pharmacyIds)) {
    ctx.out(`${e.id}  ${e.finess}  ${e.url}  events=${e.events.join(',')}${e.allowNetworks.length > 0 ? `  allow=${e.allowNetworks.join(',')}` : ''}${e.rotating ? '  rotating' : ''}`);
  }
  return 0;
}

/** The key manager the settings name (outside production, by default, the running demo's keyring). */
function openKeys(ctx: CliContext) {
  const { settings, demoDataDir } = ctx.settings();
  const demoKeyring = demoDataDir === undefined ? undefined : { kind: 'local' as const, localKeyringFile: path.join(demoDataDir, 'keyring.json') };
  return openConfiguredKeys(requiredSection(settings, 'keyManager', demoKeyring));
}
