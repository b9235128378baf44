import { createHook } from 'node:async_hooks';
import { createServer, type Server } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_ROLE } from '../../gateway/src/db/index.js';
import { PortInUse } from '../../gateway/src/http/index.js';
import { eventually, startHarness, type Harness } from '../support/gateway-harness.js';

// What a started part leaves behind when nobody stops it: timers (probe loops, file checks,
// even unref'd ones), listening or connected sockets, file watchers.
const HELD = new Set(['Timeout', 'TCPSERVERWRAP', 'TCPWRAP', 'PIPEWRAP', 'PIPESERVERWRAP', 'TLSWRAP', 'FSEVENTWRAP']);

/** The resources of those kinds created while `recording`, until each is destroyed. */
function heldResources() {
  const live = new Map<number, string>();
  let recording = false;
  const hook = createHook({
    init(id, type) {
      if (recording && HELD.has(type)) live.set(id, type);
    },
    destroy(id) {
      live.delete(id);
    },
  }).enable();
  return {
    record: (on: boolean) => {
      recording = on;
    },
    live: () => [...live.values()].sort(),
    disable: () => hook.disable(),
  };
}

let h: Harness;
let blocker: Server;

beforeAll(async () => {
  h = await startHarness();
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  blocker.close();
  await h?.close();
});

/** The gateway's connections to its database (the runtime role: the test reads as the owner). */
const gatewayConnections = async () =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND usename = ${RUNTIME_ROLE}`.execute(h.db.owner)).rows[0]?.n);

describe('a gateway whose third part fails to start', () => {
  it('stops the database pool, the guards and the listener parts it started, leaving nothing running', async () => {
    await h.gateway.stop();
    await eventually(async () => ((await gatewayConnections()) === 0 ? true : undefined));
    const resources = heldResources();
    resources.record(true);
    // parts: the database, the fail-closed guards (which probe it), then the intake listener on a taken port
    const port = (blocker.address() as { port: number }).port;
    const failure = await h.restartGateway({ intake: { host: '127.0.0.1', port } as never }).catch((e: unknown) => e);
    resources.record(false);
    expect(failure).toBeInstanceOf(PortInUse);

    // a closed pool and cleared timers go at once; allow a moment for sockets to finish closing
    const left = await eventually(async () => (resources.live().length === 0 && (await gatewayConnections()) === 0 ? [] : undefined), 3_000).catch(() => resources.live());
    resources.disable();
    expect(left).toEqual([]);
    expect(await gatewayConnections()).toBe(0);
  });
});
